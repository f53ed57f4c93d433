//! restXml requests to S3, written like HTTP/1.1 (see the crate docs), routed by method, URI
//! template, query and headers and decoded and validated as the operation found.
//!
//! The first byte's low bit set, or a request no template matches, decodes the request as the
//! operation the remaining bits pick instead, so XML bodies meet every payload shape.

#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{decode_and_validate, operation, split_selector, RawRequest};
use wire::protocol::{rest, Protocol};

const OPERATIONS: &[&str] = &[
    "PutBucketTagging",
    "CompleteMultipartUpload",
    "DeleteObjects",
    "PutBucketLifecycleConfiguration",
    "PutObject",
    "CreateBucket",
    "PutBucketPolicy",
    "PutBucketVersioning",
    "PutObjectTagging",
    "PutBucketCors",
    "PutBucketEncryption",
    "ListObjectsV2",
    "PutPublicAccessBlock",
    "UploadPart",
    "CopyObject",
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = split_selector(data) else {
        return;
    };
    let Some(raw) = RawRequest::parse(text) else {
        return;
    };
    let model = wire::service_by_id("s3").expect("s3 is vendored").model();
    let request = raw.as_http_request();
    let routed = rest::find_operation_for_request(model, &request).filter(|_| selector & 1 == 0);
    let operation = routed.unwrap_or_else(|| operation(model, OPERATIONS, selector >> 1));
    decode_and_validate(model, Protocol::RestXml, operation, &request);
});
