//! awsQuery form bodies decoded and validated as IAM and STS operations. The first byte's low
//! bit picks the service and the rest of it the operation; the rest of the input is the
//! `application/x-www-form-urlencoded` body.

#![no_main]

use http::{header::CONTENT_TYPE, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{decode_and_validate, operation, split_selector};
use wire::protocol::{HttpRequest, Protocol};

const IAM: &[&str] = &[
    "CreateUser",
    "PutUserPolicy",
    "CreateRole",
    "AttachRolePolicy",
    "TagUser",
    "CreatePolicy",
    "CreateAccessKey",
    "UpdateAssumeRolePolicy",
    "SimulatePrincipalPolicy",
    "ListUsers",
    "CreatePolicyVersion",
];

const STS: &[&str] = &[
    "AssumeRole",
    "GetSessionToken",
    "GetCallerIdentity",
    "AssumeRoleWithWebIdentity",
    "DecodeAuthorizationMessage",
    "GetFederationToken",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, body)) = split_selector(data) else {
        return;
    };
    let (service, names) = if selector & 1 == 0 {
        ("iam", IAM)
    } else {
        ("sts", STS)
    };
    let model = wire::service_by_id(service)
        .expect("vendored service")
        .model();
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
        Protocol::Query,
        operation(model, names, selector >> 1),
        &request,
    );
});
