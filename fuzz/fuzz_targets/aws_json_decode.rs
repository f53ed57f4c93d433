//! awsJson 1.1 request bodies decoded and validated as KMS operations. The first byte picks
//! the operation; the rest is the body.

#![no_main]

use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{decode_and_validate, operation, split_selector};
use wire::protocol::{HttpRequest, Protocol};

const OPERATIONS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "CreateKey",
    "ListKeys",
    "GenerateDataKey",
    "ReEncrypt",
    "PutKeyPolicy",
    "CreateGrant",
    "TagResource",
    "ScheduleKeyDeletion",
    "Sign",
    "CreateAlias",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split_selector(data) else {
        return;
    };
    let model = wire::service_by_id("kms").expect("kms is vendored").model();
    let headers = HeaderMap::new();
    let request = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    decode_and_validate(
        model,
        Protocol::AwsJson11,
        operation(model, OPERATIONS, selector),
        &request,
    );
});
