//! ec2Query form bodies decoded and validated as EC2 operations. The first byte picks the
//! operation; the rest is the `application/x-www-form-urlencoded` body.

#![no_main]

use http::{header::CONTENT_TYPE, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{decode_and_validate, operation, split_selector};
use wire::protocol::{HttpRequest, Protocol};

const OPERATIONS: &[&str] = &[
    "RunInstances",
    "DescribeVolumes",
    "DescribeInstances",
    "CreateTags",
    "AuthorizeSecurityGroupIngress",
    "CreateSecurityGroup",
    "ModifyInstanceAttribute",
    "CreateVolume",
    "DescribeSecurityGroups",
    "TerminateInstances",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split_selector(data) else {
        return;
    };
    let model = wire::service_by_id("ec2").expect("ec2 is vendored").model();
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"),
    );
    let request = HttpRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    decode_and_validate(
        model,
        Protocol::Ec2,
        operation(model, OPERATIONS, selector),
        &request,
    );
});
