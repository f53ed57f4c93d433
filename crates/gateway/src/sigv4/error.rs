//! Why a request failed SigV4 authentication, in the words AWS uses.

use std::fmt;

use super::timestamp::format_amz_date;

/// How far a header-signed request's time may stray from the server's clock, in seconds.
pub(crate) const MAX_SKEW_SECONDS: f64 = 15.0 * 60.0;

/// A SigV4 failure. The pipeline turns it into the service's error with [`SigV4Error::code`],
/// [`SigV4Error::status`] and [`SigV4Error::message`], so every service reports it alike.
#[derive(Debug, Clone, PartialEq)]
pub enum SigV4Error {
    /// The Authorization header or the presigned query lacks a part, or a part is malformed.
    /// The message is AWS's, naming what is missing.
    IncompleteSignature(String),
    /// A signature algorithm other than AWS4-HMAC-SHA256 (SigV4a, for instance).
    UnsupportedAlgorithm(String),
    /// The signature, a chunk signature or the trailer signature differs from ours.
    SignatureDoesNotMatch,
    /// The credential scope names another day than the request time.
    ScopeDateMismatch {
        scope_date: String,
        request_timestamp: String,
    },
    /// A header-signed request more than 15 minutes away from the server's clock (or a
    /// presigned one dated more than 15 minutes in the future).
    RequestTimeTooSkewed { request_time: f64, now: f64 },
    /// A presigned URL used after X-Amz-Expires seconds.
    RequestExpired,
    /// `x-amz-content-sha256` names a hash the body does not have.
    ContentSha256Mismatch,
    /// `x-amz-content-sha256` is neither a payload mode nor a SHA-256 in hex.
    InvalidContentSha256(String),
    /// An aws-chunked body that does not follow the encoding.
    MalformedChunk(&'static str),
}

impl SigV4Error {
    /// The error code: `xml_family` is true for awsQuery, ec2Query and restXml services
    /// (STS, IAM, S3, ...), false for the JSON protocols (KMS, Secrets Manager, ...), which
    /// name signature failures differently.
    pub fn code(&self, xml_family: bool) -> &'static str {
        use SigV4Error::*;
        match (self, xml_family) {
            (IncompleteSignature(_) | UnsupportedAlgorithm(_), true) => "IncompleteSignature",
            (IncompleteSignature(_) | UnsupportedAlgorithm(_), false) => {
                "IncompleteSignatureException"
            }
            (SignatureDoesNotMatch | ScopeDateMismatch { .. }, true) => "SignatureDoesNotMatch",
            (RequestTimeTooSkewed { .. }, true) => "RequestTimeTooSkewed",
            (RequestExpired, true) => "RequestExpired",
            (ContentSha256Mismatch, true) => "XAmzContentSHA256Mismatch",
            (InvalidContentSha256(_), true) => "InvalidArgument",
            (
                SignatureDoesNotMatch
                | ScopeDateMismatch { .. }
                | RequestTimeTooSkewed { .. }
                | RequestExpired
                | ContentSha256Mismatch
                | InvalidContentSha256(_),
                false,
            ) => "InvalidSignatureException",
            (MalformedChunk(_), _) => "IncompleteBody",
        }
    }

    /// The HTTP status AWS answers with. JSON services send InvalidSignatureException
    /// with 400 where the XML family sends SignatureDoesNotMatch with 403.
    pub fn status(&self, xml_family: bool) -> u16 {
        use SigV4Error::*;
        match self {
            SignatureDoesNotMatch | ScopeDateMismatch { .. } | RequestTimeTooSkewed { .. }
                if xml_family =>
            {
                403
            }
            RequestExpired if xml_family => 403,
            _ => 400,
        }
    }

    /// The human-readable message, worded as AWS words it for the protocol family.
    pub fn message(&self, xml_family: bool) -> String {
        use SigV4Error::*;
        match self {
            IncompleteSignature(message) => message.clone(),
            UnsupportedAlgorithm(algorithm) => {
                format!("Unsupported AWS 'algorithm': '{algorithm}'.")
            }
            SignatureDoesNotMatch => "The request signature we calculated does not match the \
                signature you provided. Check your AWS Secret Access Key and signing method. \
                Consult the service documentation for details."
                .to_owned(),
            ScopeDateMismatch {
                scope_date,
                request_timestamp,
            } => format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date \
                 from HTTP: '{scope_date}' != '{}', from '{request_timestamp}'.",
                request_timestamp.get(..8).unwrap_or(request_timestamp)
            ),
            RequestTimeTooSkewed { .. } if xml_family => {
                "The difference between the request time and the current time is too large."
                    .to_owned()
            }
            RequestTimeTooSkewed { request_time, now } if request_time > now => format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                format_amz_date(*request_time),
                format_amz_date(now + MAX_SKEW_SECONDS),
                format_amz_date(*now)
            ),
            RequestTimeTooSkewed { request_time, now } => format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                format_amz_date(*request_time),
                format_amz_date(now - MAX_SKEW_SECONDS),
                format_amz_date(*now)
            ),
            RequestExpired => "Request has expired".to_owned(),
            ContentSha256Mismatch => "The provided 'x-amz-content-sha256' header does not match \
                what was computed."
                .to_owned(),
            InvalidContentSha256(_) => "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, \
                STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, \
                STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
                .to_owned(),
            MalformedChunk(detail) => {
                format!("The aws-chunked request body is malformed: {detail}.")
            }
        }
    }
}

impl fmt::Display for SigV4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(true))
    }
}

impl std::error::Error for SigV4Error {}
