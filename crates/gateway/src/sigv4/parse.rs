//! Reading a signature from the Authorization header or a presigned query, with AWS's
//! messages for what is missing or malformed.

use std::borrow::Cow;

use hyper::http::header::{AUTHORIZATION, DATE};
use hyper::http::HeaderValue;

use super::canonical::{percent_decode, query_pairs};
use super::timestamp::{format_amz_date, parse_amz_date, parse_http_date};
use super::{hex, SigV4Error, Signature, SignatureKind, SignedRequest};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// A presigned URL may live a week at most.
const MAX_EXPIRES_SECONDS: u32 = 604_800;
/// Query auth without X-Amz-Expires (EC2-style query signing) lives as long as a header
/// signature.
const DEFAULT_EXPIRES_SECONDS: u32 = 900;

pub(crate) fn parse(req: &SignedRequest<'_>) -> Result<Option<Signature>, SigV4Error> {
    let header = req.headers.get(AUTHORIZATION);
    let presigned = query_pairs(req.query).any(|(name, _)| name == "X-Amz-Algorithm");
    match (header, presigned) {
        (None, false) => Ok(None),
        (Some(_), true) => Err(SigV4Error::IncompleteSignature(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, \
             Signature query string parameter or the Authorization header should be specified"
                .to_owned(),
        )),
        (Some(value), false) => from_header(value, req).map(Some),
        (None, true) => from_query(req).map(Some),
    }
}

fn from_header(value: &HeaderValue, req: &SignedRequest<'_>) -> Result<Signature, SigV4Error> {
    let text = String::from_utf8_lossy(value.as_bytes());
    let text = text.trim();
    let (algorithm, rest) = text.split_once([' ', '\t']).unwrap_or((text, ""));
    if algorithm != ALGORITHM && algorithm.starts_with("AWS4-") {
        return Err(SigV4Error::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    if algorithm == ALGORITHM {
        // AWS separates the parameters by commas and whitespace alike, so a stray space in
        // the credential is reported as a part without '='.
        for part in rest.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(SigV4Error::IncompleteSignature(format!(
                    "'{part}' not a valid key=value pair (missing equal-sign) in Authorization \
                     header: '{text}'."
                )));
            };
            match name {
                "Credential" => credential = Some(value),
                "SignedHeaders" => signed_headers = Some(value),
                "Signature" => signature = Some(value),
                _ => {}
            }
        }
    }
    let amz_date = req.headers.get("x-amz-date");
    let date = amz_date.or_else(|| req.headers.get(DATE));
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none() {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(date), true) = (
        credential,
        signed_headers,
        signature,
        date,
        missing.is_empty(),
    ) else {
        return Err(SigV4Error::IncompleteSignature(format!(
            "{missing}Authorization={text}"
        )));
    };
    let date_text = String::from_utf8_lossy(date.as_bytes());
    let request_time = if amz_date.is_some() {
        parse_amz_date(&date_text)
    } else {
        parse_http_date(&date_text).or_else(|| parse_amz_date(&date_text))
    }
    .ok_or_else(|| not_iso8601(&date_text))?;
    let scope = CredentialParts::of(credential)
        .ok_or_else(|| malformed_credential("The authorization header is malformed", credential))?;
    let session_token = req
        .headers
        .get("x-amz-security-token")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    signature_from(
        scope,
        signed_headers,
        signature,
        request_time,
        session_token,
        SignatureKind::Header,
    )
}

fn from_query(req: &SignedRequest<'_>) -> Result<Signature, SigV4Error> {
    let mut algorithm = None;
    let mut credential = None;
    let mut date = None;
    let mut expires = None;
    let mut signed_headers = None;
    let mut signature = None;
    let mut session_token = None;
    for (name, value) in query_pairs(req.query) {
        let slot = match name {
            "X-Amz-Algorithm" => &mut algorithm,
            "X-Amz-Credential" => &mut credential,
            "X-Amz-Date" => &mut date,
            "X-Amz-Expires" => &mut expires,
            "X-Amz-SignedHeaders" => &mut signed_headers,
            "X-Amz-Signature" => &mut signature,
            "X-Amz-Security-Token" => &mut session_token,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(decoded(value));
        }
    }
    let algorithm = algorithm.unwrap_or_default();
    if algorithm != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm(algorithm.into_owned()));
    }
    let mut missing = String::new();
    for (name, value) in [
        ("X-Amz-Credential", &credential),
        ("X-Amz-Signature", &signature),
        ("X-Amz-SignedHeaders", &signed_headers),
        ("X-Amz-Date", &date),
    ] {
        if value.is_none() {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some(date), true) = (
        credential,
        signed_headers,
        signature,
        date,
        missing.is_empty(),
    ) else {
        return Err(SigV4Error::IncompleteSignature(format!(
            "{missing}Re-examine the query-string parameters."
        )));
    };
    let request_time = parse_amz_date(&date).ok_or_else(|| not_iso8601(&date))?;
    let expires_seconds = match expires {
        None => DEFAULT_EXPIRES_SECONDS,
        Some(text) => parse_expires(&text)?,
    };
    let scope = CredentialParts::of(&credential).ok_or_else(|| {
        malformed_credential("Error parsing the X-Amz-Credential parameter", &credential)
    })?;
    signature_from(
        scope,
        &signed_headers,
        &signature,
        request_time,
        session_token.map(Cow::into_owned),
        SignatureKind::Presigned { expires_seconds },
    )
}

fn signature_from(
    scope: CredentialParts<'_>,
    signed_headers: &str,
    signature: &str,
    request_time: f64,
    session_token: Option<String>,
    kind: SignatureKind,
) -> Result<Signature, SigV4Error> {
    // Sorted and without repeats, as every SDK sends them: a header named many times over
    // would otherwise make the canonical request many times larger than the request.
    let mut names = signed_headers.split(';');
    let mut previous = names.next().unwrap_or_default();
    let mut ascending = !previous.is_empty();
    for name in names {
        ascending &= name > previous;
        previous = name;
    }
    if !ascending {
        return Err(SigV4Error::IncompleteSignature(format!(
            "SignedHeaders must name each signed header once, in alphabetical order: \
             '{signed_headers}'."
        )));
    }
    let signature = hex::decode32(signature.as_bytes()).ok_or(SigV4Error::SignatureDoesNotMatch)?;
    Ok(Signature {
        access_key_id: scope.access_key_id.to_owned(),
        scope_date: scope.date.to_owned(),
        region: scope.region.to_owned(),
        service: scope.service.to_owned(),
        signed_headers: signed_headers.to_owned(),
        signature,
        request_time,
        session_token,
        kind,
        timestamp: format_amz_date(request_time),
    })
}

struct CredentialParts<'c> {
    access_key_id: &'c str,
    date: &'c str,
    region: &'c str,
    service: &'c str,
}

impl<'c> CredentialParts<'c> {
    /// `AKID/YYYYMMDD/region/service/aws4_request`, with every part present.
    fn of(credential: &'c str) -> Option<Self> {
        let mut parts = credential.rsplitn(5, '/');
        let terminator = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let date = parts.next()?;
        let access_key_id = parts.next()?;
        let well_formed = terminator == "aws4_request"
            && !service.is_empty()
            && !region.is_empty()
            && !access_key_id.is_empty()
            && date.len() == 8
            && date.bytes().all(|b| b.is_ascii_digit());
        well_formed.then_some(CredentialParts {
            access_key_id,
            date,
            region,
            service,
        })
    }
}

fn malformed_credential(context: &str, credential: &str) -> SigV4Error {
    let terminator = credential.rsplit('/').next().unwrap_or_default();
    if credential.matches('/').count() == 4 && terminator != "aws4_request" {
        return SigV4Error::IncompleteSignature(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        ));
    }
    SigV4Error::IncompleteSignature(format!(
        "{context}; the Credential is mal-formed; expecting \
         \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."
    ))
}

fn not_iso8601(date: &str) -> SigV4Error {
    SigV4Error::IncompleteSignature(format!(
        "Date must be in ISO-8601 'basic format'. Got '{date}'. See \
         http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

fn parse_expires(text: &str) -> Result<u32, SigV4Error> {
    let invalid = |message: &str| SigV4Error::IncompleteSignature(message.to_owned());
    if text.starts_with('-') && text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("X-Amz-Expires must be non-negative"));
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("X-Amz-Expires should be a number"));
    }
    match text.parse::<u32>() {
        Ok(seconds) if seconds <= MAX_EXPIRES_SECONDS => Ok(seconds),
        _ => Err(invalid(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        )),
    }
}

fn decoded(value: &str) -> Cow<'_, str> {
    match percent_decode(value.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(value),
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}
