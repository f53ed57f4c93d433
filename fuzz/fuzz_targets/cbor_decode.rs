//! CBOR items, and RPC v2 CBOR bodies decoded and validated as CloudWatch operations. The first
//! byte picks the operation; the rest is both the item and the body.
//!
//! A decoded item is encoded again and must decode to itself (NaN payloads aside, which the
//! encoder may narrow): the encoder is how every CBOR answer is written. It is also converted
//! with `into_json`, which documents go through.

#![no_main]

use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{decode_and_validate, operation, split_selector};
use wire::protocol::{
    cbor::{self, CborValue},
    HttpRequest, Protocol,
};

const OPERATIONS: &[&str] = &[
    "PutMetricData",
    "GetMetricData",
    "PutMetricAlarm",
    "ListMetrics",
    "PutDashboard",
    "TagResource",
    "GetMetricStatistics",
    "PutCompositeAlarm",
];

/// Equality with every NaN equal to every other, and other floats compared bit for bit.
fn same_item(a: &CborValue, b: &CborValue) -> bool {
    match (a, b) {
        (CborValue::Float(x), CborValue::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (CborValue::Array(xs), CborValue::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_item(x, y))
        }
        (CborValue::Map(xs), CborValue::Map(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((xk, xv), (yk, yv))| same_item(xk, yk) && same_item(xv, yv))
        }
        (CborValue::Tag(x_tag, x), CborValue::Tag(y_tag, y)) => x_tag == y_tag && same_item(x, y),
        _ => a == b,
    }
}

fn check_round_trip(bytes: &[u8]) {
    let Ok(item) = cbor::decode(bytes) else {
        return;
    };
    let mut encoded = Vec::with_capacity(bytes.len());
    cbor::encode(&item, &mut encoded);
    match cbor::decode(&encoded) {
        Ok(again) => assert!(
            same_item(&item, &again),
            "{item:?} encodes as {encoded:02x?}, which decodes as {again:?}"
        ),
        Err(error) => panic!("{item:?} encodes as {encoded:02x?}, which does not decode: {error}"),
    }
    item.into_json();
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split_selector(data) else {
        return;
    };
    check_round_trip(body);
    let model = wire::service_by_id("cloudwatch")
        .expect("cloudwatch is vendored")
        .model();
    let operation = operation(model, OPERATIONS, selector);
    let path = format!(
        "/service/GraniteServiceVersion20100801/operation/{}",
        operation.name
    );
    let headers = HeaderMap::new();
    let request = HttpRequest {
        method: "POST",
        path: &path,
        query: "",
        headers: &headers,
        body,
    };
    decode_and_validate(model, Protocol::RpcV2Cbor, operation, &request);
});
