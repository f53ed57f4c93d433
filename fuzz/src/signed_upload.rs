//! An aws-chunked S3 upload signed the way an SDK signs it, written here from the SigV4
//! documentation rather than taken from the gateway, so that verification gets past the seed
//! signature and the chunk decoder sees fuzzed bodies whose signatures hold.
//!
//! The request is fixed (`PUT /bucket/key` to S3, signing `host;x-amz-content-sha256;x-amz-date`);
//! the body is the fuzz input. Every `chunk-signature=` followed by 64 bytes and every
//! `x-amz-trailer-signature:` followed by 64 bytes is overwritten with the signature the chain
//! calls for at that point, so the fuzzer only has to write placeholders.

use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, HeaderValue};
use sha2::{Digest, Sha256};

pub const SECRET: &str = "test";
pub const METHOD: &str = "PUT";
pub const PATH: &str = "/bucket/key";
const ACCESS_KEY_ID: &str = "AKIDFUZZ";
const DATE: &str = "20240101";
const TIMESTAMP: &str = "20240101T000000Z";
const SCOPE: &str = "20240101/us-east-1/s3/aws4_request";
const HOST: &str = "s3.localhost";
const SIGNED_HEADERS: &str = "host;x-amz-content-sha256;x-amz-date";
/// The hash of the empty chunk headers every chunk string to sign carries.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const CHUNK_SIGNATURE: &[u8] = b"chunk-signature=";
const TRAILER_SIGNATURE: &[u8] = b"x-amz-trailer-signature";

/// The `x-amz-content-sha256` values that announce an aws-chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streaming {
    Signed,
    SignedWithTrailer,
    UnsignedWithTrailer,
}

impl Streaming {
    pub fn from_byte(byte: u8) -> Self {
        match byte % 3 {
            0 => Streaming::Signed,
            1 => Streaming::SignedWithTrailer,
            _ => Streaming::UnsignedWithTrailer,
        }
    }

    fn content_sha256(self) -> &'static str {
        match self {
            Streaming::Signed => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            Streaming::SignedWithTrailer => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            Streaming::UnsignedWithTrailer => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        }
    }
}

/// The headers and the body, placeholders signed, of the upload of `body`.
pub struct SignedUpload {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Signs the upload of `body`; with `declare_length`, also sends `x-amz-decoded-content-length`
/// with the sum of the chunk sizes the body announces.
pub fn sign(streaming: Streaming, body: &[u8], declare_length: bool) -> SignedUpload {
    let key = signing_key();
    let seed = request_signature(&key, streaming);
    let mut body = body.to_vec();
    let decoded_length = sign_chunks(&key, seed, &mut body);
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    headers.insert("x-amz-date", HeaderValue::from_static(TIMESTAMP));
    headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static(streaming.content_sha256()),
    );
    headers.insert("content-encoding", HeaderValue::from_static("aws-chunked"));
    if declare_length {
        headers.insert(
            "x-amz-decoded-content-length",
            HeaderValue::from(decoded_length),
        );
    }
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/{SCOPE}, SignedHeaders={SIGNED_HEADERS}, Signature={}",
        hex(&seed)
    );
    headers.insert(
        "authorization",
        HeaderValue::try_from(authorization).expect("the Authorization header is ASCII"),
    );
    SignedUpload { headers, body }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data).into())
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn signing_key() -> [u8; 32] {
    let date_key = hmac(format!("AWS4{SECRET}").as_bytes(), &[DATE.as_bytes()]);
    let region_key = hmac(&date_key, &[b"us-east-1"]);
    let service_key = hmac(&region_key, &[b"s3"]);
    hmac(&service_key, &[b"aws4_request"])
}

fn request_signature(key: &[u8; 32], streaming: Streaming) -> [u8; 32] {
    let content_sha256 = streaming.content_sha256();
    let canonical_request = format!(
        "{METHOD}\n{PATH}\n\nhost:{HOST}\nx-amz-content-sha256:{content_sha256}\nx-amz-date:{TIMESTAMP}\n\n{SIGNED_HEADERS}\n{content_sha256}"
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{TIMESTAMP}\n{SCOPE}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    hmac(key, &[string_to_sign.as_bytes()])
}

/// The HMAC of a string to sign that chains from `previous`: the algorithm line, the
/// request time, the scope, the previous signature, then `hashes`, one per line.
fn chained_signature(
    key: &[u8; 32],
    algorithm: &str,
    previous: &[u8; 32],
    hashes: &[&str],
) -> [u8; 32] {
    let mut string_to_sign = format!("{algorithm}\n{TIMESTAMP}\n{SCOPE}\n{}", hex(previous));
    for hash in hashes {
        string_to_sign.push('\n');
        string_to_sign.push_str(hash);
    }
    hmac(key, &[string_to_sign.as_bytes()])
}

fn find_crlf(data: &[u8]) -> Option<usize> {
    data.windows(2).position(|pair| pair == b"\r\n")
}

fn hex_size(text: &[u8]) -> Option<usize> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    text.iter().try_fold(0usize, |size, &digit| {
        size.checked_mul(16)?
            .checked_add(char::from(digit).to_digit(16)? as usize)
    })
}

/// Walks the chunks as far as they are well formed, signing placeholders, then the trailer;
/// answers the sum of the chunk sizes walked.
fn sign_chunks(key: &[u8; 32], seed: [u8; 32], body: &mut [u8]) -> usize {
    let mut previous = seed;
    let mut at = 0;
    let mut decoded = 0;
    loop {
        let Some(header_length) = find_crlf(&body[at..]) else {
            return decoded;
        };
        let header = &body[at..at + header_length];
        let (size_text, extension_at) = match header.iter().position(|&b| b == b';') {
            Some(semicolon) => (&header[..semicolon], Some(at + semicolon + 1)),
            None => (header, None),
        };
        let data_start = at + header_length + 2;
        let Some(size) = hex_size(size_text).filter(|&size| size <= body.len() - data_start) else {
            return decoded;
        };
        let signature = chained_signature(
            key,
            "AWS4-HMAC-SHA256-PAYLOAD",
            &previous,
            &[
                EMPTY_SHA256,
                &sha256_hex(&body[data_start..data_start + size]),
            ],
        );
        if let Some(extension_at) = extension_at {
            let placeholder = &mut body[extension_at..at + header_length];
            if placeholder.len() == CHUNK_SIGNATURE.len() + 64
                && placeholder.starts_with(CHUNK_SIGNATURE)
            {
                placeholder[CHUNK_SIGNATURE.len()..].copy_from_slice(hex(&signature).as_bytes());
            }
        }
        previous = signature;
        at = data_start + size;
        if size == 0 {
            break;
        }
        decoded += size;
        if !body[at..].starts_with(b"\r\n") {
            return decoded;
        }
        at += 2;
    }
    sign_trailer(key, &previous, &mut body[at..]);
    decoded
}

/// Signs the `name:value` trailer lines (up to an empty line) with every
/// `x-amz-trailer-signature` line among them left out of what is signed.
fn sign_trailer(key: &[u8; 32], previous: &[u8; 32], trailer: &mut [u8]) {
    let mut signed_lines = Vec::new();
    let mut placeholders = Vec::new();
    let mut at = 0;
    while at < trailer.len() {
        let line_length = find_crlf(&trailer[at..]).unwrap_or(trailer.len() - at);
        let line = &trailer[at..at + line_length];
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            break;
        };
        if line[..colon].eq_ignore_ascii_case(TRAILER_SIGNATURE) {
            let value = &line[colon + 1..];
            let leading = value.len() - value.trim_ascii_start().len();
            if value.trim_ascii().len() == 64 {
                placeholders.push(at + colon + 1 + leading);
            }
        } else {
            signed_lines.extend_from_slice(line);
            signed_lines.push(b'\n');
        }
        at += line_length + 2;
    }
    let signature = chained_signature(
        key,
        "AWS4-HMAC-SHA256-TRAILER",
        previous,
        &[&sha256_hex(&signed_lines)],
    );
    for placeholder in placeholders {
        trailer[placeholder..placeholder + 64].copy_from_slice(hex(&signature).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gateway::sigv4::{self, SignedRequest, SigningKeyCache};

    const PLACEHOLDER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn verify(
        streaming: Streaming,
        body: &str,
    ) -> Result<(Vec<u8>, Vec<(String, String)>), sigv4::SigV4Error> {
        let upload = sign(streaming, body.as_bytes(), true);
        let request = SignedRequest {
            method: METHOD,
            path: PATH,
            query: "",
            headers: &upload.headers,
            body: &upload.body,
        };
        let signature = sigv4::parse(&request)?.expect("the upload is signed");
        let verified = sigv4::verify(
            &signature,
            &request,
            SECRET,
            signature.request_time,
            &SigningKeyCache::default(),
        )?;
        Ok((verified.body.into_owned(), verified.trailers))
    }

    #[test]
    fn signed_chunks_verify_and_decode() {
        let body = format!(
            "5;chunk-signature={PLACEHOLDER}\r\nhello\r\n0;chunk-signature={PLACEHOLDER}\r\n\r\n"
        );
        assert_eq!(
            verify(Streaming::Signed, &body).unwrap(),
            (b"hello".to_vec(), vec![])
        );
    }

    #[test]
    fn signed_trailer_verifies() {
        let body = format!(
            "3;chunk-signature={PLACEHOLDER}\r\nabc\r\n0;chunk-signature={PLACEHOLDER}\r\n\
             x-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:{PLACEHOLDER}\r\n\r\n"
        );
        let (data, trailers) = verify(Streaming::SignedWithTrailer, &body).unwrap();
        assert_eq!(data, b"abc");
        assert_eq!(
            trailers,
            vec![("x-amz-checksum-crc32".to_owned(), "NSRBwg==".to_owned())]
        );
    }

    #[test]
    fn unsigned_chunks_with_trailer_verify() {
        let body = "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n";
        assert_eq!(
            verify(Streaming::UnsignedWithTrailer, body).unwrap().0,
            b"abc"
        );
    }

    #[test]
    fn the_request_signature_holds_so_an_empty_body_fails_in_the_chunk_decoder() {
        assert!(matches!(
            verify(Streaming::Signed, ""),
            Err(sigv4::SigV4Error::MalformedChunk(_))
        ));
    }

    #[test]
    fn a_chunk_signature_that_is_no_placeholder_is_left_to_fail() {
        let body = format!(
            "5;chunk-signature={}\r\nhello\r\n0;chunk-signature={PLACEHOLDER}\r\n\r\n",
            &PLACEHOLDER[1..]
        );
        assert!(matches!(
            verify(Streaming::Signed, &body),
            Err(sigv4::SigV4Error::SignatureDoesNotMatch)
        ));
    }
}
