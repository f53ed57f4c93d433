//! SigV4 signatures read and checked with secret "test" at their own request time, with a
//! fresh `SigningKeyCache`. The first byte picks the mode:
//!
//! - even: the rest is a request written like HTTP/1.1 (see the crate docs), Authorization,
//!   X-Amz-Date, X-Amz-Content-Sha256, Content-Encoding and a presigned query included. A
//!   forged signature never holds, so this covers parsing, the payload mode and the canonical
//!   request, which is built before the comparison.
//! - odd: the rest is an aws-chunked body of an S3 upload this target signs itself
//!   (`signed_upload`), so verification gets past the request signature into the chunk
//!   decoder. The first byte's next two bits pick the streaming mode, and the one after them
//!   whether `x-amz-decoded-content-length` is sent.

#![no_main]

use gateway::sigv4::{self, SigV4Error, SignedRequest, SigningKeyCache};
use libfuzzer_sys::fuzz_target;
use palisade_fuzz::{
    signed_upload::{self, Streaming},
    split_selector, RawRequest,
};

/// What the gateway does with a refusal: answer it in both error dialects.
fn describe(error: &SigV4Error) {
    for xml_family in [false, true] {
        error.code(xml_family);
        error.status(xml_family);
        error.message(xml_family);
    }
}

fn check(request: &SignedRequest<'_>) {
    match sigv4::parse(request) {
        Ok(Some(signature)) => {
            if let Err(error) = sigv4::verify(
                &signature,
                request,
                signed_upload::SECRET,
                signature.request_time,
                &SigningKeyCache::default(),
            ) {
                describe(&error);
            }
        }
        Ok(None) => {}
        Err(error) => describe(&error),
    }
}

fn check_written_request(text: &[u8]) {
    let Some(raw) = RawRequest::parse(text) else {
        return;
    };
    check(&SignedRequest {
        method: raw.method.as_str(),
        path: raw.path(),
        query: raw.query(),
        headers: &raw.headers,
        body: raw.body,
    });
}

fn check_signed_upload(choice: u8, body: &[u8]) {
    let upload = signed_upload::sign(Streaming::from_byte(choice & 3), body, choice & 4 != 0);
    check(&SignedRequest {
        method: signed_upload::METHOD,
        path: signed_upload::PATH,
        query: "",
        headers: &upload.headers,
        body: &upload.body,
    });
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = split_selector(data) else {
        return;
    };
    if selector & 1 == 0 {
        check_written_request(rest);
    } else {
        check_signed_upload(selector >> 1, rest);
    }
});
