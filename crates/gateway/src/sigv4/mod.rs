//! AWS Signature Version 4 verification: pure functions over a request's method, path,
//! query, headers and body, so the pipeline authenticates every service the same way and
//! tests need no server.
//!
//! [`parse`] reads the signature (Authorization header or presigned query) cheaply, so the
//! router can use the credential scope's service and region before any secret is known;
//! [`verify`] recomputes the signature with the secret the credential store returned.

mod canonical;
mod error;
mod hex;
mod parse;
mod payload;
mod signing_key;
mod streaming;
mod timestamp;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use hmac::Mac;
use subtle::ConstantTimeEq;

pub use error::SigV4Error;
pub use signing_key::SigningKeyCache;

use error::MAX_SKEW_SECONDS;
use payload::PayloadMode;

/// The parts of an HTTP request SigV4 covers: the request as it arrived (for HTTP/2, `host`
/// comes from `:authority`).
pub type SignedRequest<'a> = wire::HttpRequest<'a>;

/// Where the signature travelled, which decides how time and the payload are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// `Authorization: AWS4-HMAC-SHA256 ...`: valid within 15 minutes of the request time.
    Header,
    /// `X-Amz-Algorithm=AWS4-HMAC-SHA256&...` in the query: valid for `expires_seconds`.
    Presigned { expires_seconds: u32 },
}

/// A request's SigV4 signature as the client presented it, before it is checked.
/// Its `Debug` leaves out the session token, which is a credential.
#[derive(Clone, PartialEq)]
pub struct Signature {
    pub access_key_id: String,
    /// `YYYYMMDD` from the credential scope.
    pub scope_date: String,
    pub region: String,
    pub service: String,
    /// The SignedHeaders list exactly as sent (`host;x-amz-date`), which is what was signed.
    pub signed_headers: String,
    pub signature: [u8; 32],
    /// Epoch seconds from X-Amz-Date (header or query), else the Date header.
    pub request_time: f64,
    /// X-Amz-Security-Token, present for temporary credentials.
    pub session_token: Option<String>,
    pub kind: SignatureKind,
    /// The request time as the string to sign spells it (`YYYYMMDDTHHMMSSZ`).
    timestamp: String,
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("access_key_id", &self.access_key_id)
            .field("scope_date", &self.scope_date)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("signed_headers", &self.signed_headers)
            .field("request_time", &self.request_time)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A request whose signature holds, with its payload ready for the service.
#[derive(Clone, PartialEq)]
pub struct Verified<'a> {
    /// The payload: the body itself, or the decoded data of an aws-chunked body.
    pub body: Cow<'a, [u8]>,
    /// Trailing headers of an aws-chunked body (`x-amz-checksum-crc32`, ...), for the
    /// service to check the checksums they carry.
    pub trailers: Vec<(String, String)>,
}

impl fmt::Debug for Verified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("body_len", &self.body.len())
            .field("trailers", &self.trailers)
            .finish()
    }
}

/// Reads the request's SigV4 signature; `None` when the request carries none at all.
pub fn parse(req: &SignedRequest<'_>) -> Result<Option<Signature>, SigV4Error> {
    parse::parse(req)
}

/// Checks `sig` against the request with the access key's secret: time, signature (compared
/// in constant time) and payload hash, and decodes aws-chunked bodies. `now` is the wall
/// clock in epoch seconds, since clients sign with theirs.
pub fn verify<'a>(
    sig: &Signature,
    req: &SignedRequest<'a>,
    secret_access_key: &str,
    now: f64,
    keys: &SigningKeyCache,
) -> Result<Verified<'a>, SigV4Error> {
    check_scope_date(sig)?;
    check_time(sig, now)?;
    let payload = PayloadMode::of(sig, req)?;
    let key = keys.signing_key(
        secret_access_key,
        &sig.scope_date,
        &sig.region,
        &sig.service,
    );
    let canonical = canonical::canonical_request(req, sig, payload.canonical_hash());
    let canonical_hash = hex::lower(&sha256(&canonical));
    let scope = CredentialScope::of(sig);
    let mut mac = signing_key::hmac(&key);
    mac.update(b"AWS4-HMAC-SHA256\n");
    mac.update(sig.timestamp.as_bytes());
    mac.update(b"\n");
    scope.feed(&mut mac);
    mac.update(b"\n");
    mac.update(&canonical_hash);
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    if !bool::from(expected.ct_eq(&sig.signature)) {
        return Err(SigV4Error::SignatureDoesNotMatch);
    }
    payload.into_verified(
        req,
        &streaming::ChunkChain {
            key: &key,
            timestamp: &sig.timestamp,
            scope,
            seed: &sig.signature,
        },
    )
}

/// The `date/region/service/aws4_request` scope both the request and every chunk sign.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CredentialScope<'s> {
    date: &'s str,
    region: &'s str,
    service: &'s str,
}

impl<'s> CredentialScope<'s> {
    fn of(sig: &'s Signature) -> Self {
        CredentialScope {
            date: &sig.scope_date,
            region: &sig.region,
            service: &sig.service,
        }
    }

    pub(crate) fn feed(&self, mac: &mut signing_key::HmacSha256) {
        for (i, part) in [self.date, self.region, self.service]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                mac.update(b"/");
            }
            mac.update(part.as_bytes());
        }
        mac.update(b"/aws4_request");
    }
}

fn check_scope_date(sig: &Signature) -> Result<(), SigV4Error> {
    if sig.timestamp.get(..8) == Some(sig.scope_date.as_str()) {
        Ok(())
    } else {
        Err(SigV4Error::ScopeDateMismatch {
            scope_date: sig.scope_date.clone(),
            request_timestamp: sig.timestamp.clone(),
        })
    }
}

fn check_time(sig: &Signature, now: f64) -> Result<(), SigV4Error> {
    let ahead_of_now = sig.request_time - now;
    let skewed = || SigV4Error::RequestTimeTooSkewed {
        request_time: sig.request_time,
        now,
    };
    match sig.kind {
        _ if ahead_of_now.is_nan() => Err(skewed()),
        SignatureKind::Header if ahead_of_now.abs() > MAX_SKEW_SECONDS => Err(skewed()),
        SignatureKind::Presigned { .. } if ahead_of_now > MAX_SKEW_SECONDS => Err(skewed()),
        SignatureKind::Presigned { expires_seconds }
            if -ahead_of_now > f64::from(expires_seconds) =>
        {
            Err(SigV4Error::RequestExpired)
        }
        _ => Ok(()),
    }
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
