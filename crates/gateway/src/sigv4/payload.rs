//! The payload hash line of the canonical request, and checking the body against it once
//! the signature holds.

use std::borrow::Cow;

use super::streaming::{self, ChunkChain, StreamingMode};
use super::{hex, sha256, SigV4Error, Signature, SignatureKind, SignedRequest, Verified};

const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

/// How the client vouched for the body, from `x-amz-content-sha256`.
pub(crate) enum PayloadMode<'h> {
    Unsigned,
    /// The client declared this hash; the body must have it.
    Declared(&'h [u8]),
    /// No declaration: the body's own hash is signed.
    Computed([u8; 64]),
    Streaming(StreamingMode, &'static str),
}

impl<'h> PayloadMode<'h> {
    pub(crate) fn of(sig: &Signature, req: &SignedRequest<'h>) -> Result<Self, SigV4Error> {
        let Some(declared) = req.headers.get("x-amz-content-sha256") else {
            // A presigned URL cannot know its body, so S3 signs none; other services'
            // query signatures still cover the (usually empty) body.
            return Ok(match sig.kind {
                SignatureKind::Presigned { .. } if sig.service == "s3" => PayloadMode::Unsigned,
                _ => PayloadMode::Computed(hex::lower(&sha256(req.body))),
            });
        };
        let declared = declared.as_bytes();
        Ok(match declared {
            b"UNSIGNED-PAYLOAD" => PayloadMode::Unsigned,
            b"STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => {
                PayloadMode::Streaming(StreamingMode::Signed, STREAMING_SIGNED)
            }
            b"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => {
                PayloadMode::Streaming(StreamingMode::SignedWithTrailer, STREAMING_SIGNED_TRAILER)
            }
            b"STREAMING-UNSIGNED-PAYLOAD-TRAILER" => PayloadMode::Streaming(
                StreamingMode::UnsignedWithTrailer,
                STREAMING_UNSIGNED_TRAILER,
            ),
            _ if declared.len() == 64 && declared.iter().all(u8::is_ascii_hexdigit) => {
                PayloadMode::Declared(declared)
            }
            _ => {
                return Err(SigV4Error::InvalidContentSha256(
                    String::from_utf8_lossy(declared).into_owned(),
                ))
            }
        })
    }

    /// The last line of the canonical request.
    pub(crate) fn canonical_hash(&self) -> &[u8] {
        match self {
            PayloadMode::Unsigned => UNSIGNED_PAYLOAD.as_bytes(),
            PayloadMode::Declared(declared) => declared,
            PayloadMode::Computed(hash) => hash,
            PayloadMode::Streaming(_, name) => name.as_bytes(),
        }
    }

    /// The payload once the signature holds: a declared hash is checked against the body,
    /// an aws-chunked body is decoded (its chunk signatures chained from the seed).
    pub(crate) fn into_verified<'a>(
        self,
        req: &SignedRequest<'a>,
        chain: &ChunkChain<'_>,
    ) -> Result<Verified<'a>, SigV4Error> {
        match self {
            PayloadMode::Declared(declared)
                if !hex::lower(&sha256(req.body)).eq_ignore_ascii_case(declared) =>
            {
                Err(SigV4Error::ContentSha256Mismatch)
            }
            PayloadMode::Streaming(mode, _) => {
                let decoded = streaming::decode(req.body, mode, chain)?;
                if let Some(expected) = req.headers.get("x-amz-decoded-content-length") {
                    let matches = std::str::from_utf8(expected.as_bytes())
                        .ok()
                        .and_then(|text| text.parse::<usize>().ok())
                        == Some(decoded.data.len());
                    if !matches {
                        return Err(SigV4Error::MalformedChunk(
                            "the decoded length differs from x-amz-decoded-content-length",
                        ));
                    }
                }
                Ok(Verified {
                    body: Cow::Owned(decoded.data),
                    trailers: decoded.trailers,
                })
            }
            _ => Ok(Verified {
                body: Cow::Borrowed(req.body),
                trailers: Vec::new(),
            }),
        }
    }
}
