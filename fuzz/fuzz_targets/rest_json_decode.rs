//! restJson1 requests to GuardDuty and Lambda, written like HTTP/1.1 (see the crate docs),
//! routed by method and URI template and decoded and validated as the operation found.
//!
//! The first byte's low bit picks the service. Its second bit set, or a request no template
//! matches, decodes the request as the operation the remaining bits pick instead, so bodies
//! meet operations their path does not name.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{decode_and_validate, operation, split_selector, RawRequest};
use wire::protocol::{rest, Protocol};

const GUARDDUTY: &[&str] = &[
    "CreateDetector",
    "UpdateDetector",
    "ListFindings",
    "GetFindings",
    "CreateFilter",
    "TagResource",
    "ListDetectors",
    "CreateIPSet",
    "UpdateFindingsFeedback",
];

const LAMBDA: &[&str] = &[
    "Invoke",
    "CreateFunction",
    "ListFunctions",
    "GetFunction",
    "UpdateFunctionConfiguration",
    "AddPermission",
    "TagResource",
    "PublishVersion",
    "PutFunctionConcurrency",
    "CreateEventSourceMapping",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = split_selector(data) else {
        return;
    };
    let Some(raw) = RawRequest::parse(text) else {
        return;
    };
    let (service, names) = if selector & 1 == 0 {
        ("guardduty", GUARDDUTY)
    } else {
        ("lambda", LAMBDA)
    };
    let model = wire::service_by_id(service)
        .expect("vendored service")
        .model();
    let request = raw.as_http_request();
    let routed = rest::find_operation_for_request(model, &request).filter(|_| selector & 2 == 0);
    let operation = routed.unwrap_or_else(|| operation(model, names, selector >> 2));
    decode_and_validate(model, Protocol::RestJson, operation, &request);
});
