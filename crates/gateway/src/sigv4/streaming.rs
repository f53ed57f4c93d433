//! aws-chunked bodies: S3 uploads that sign each chunk, chaining every chunk signature
//! from the previous one and the first from the request's ("seed") signature, optionally
//! followed by trailing headers such as checksums.

use hmac::Mac;
use subtle::ConstantTimeEq;

use super::{hex, sha256, signing_key, CredentialScope, SigV4Error};

/// SHA-256 of the empty string: the chunk string to sign reserves a line for chunk headers
/// that are always empty.
const EMPTY_SHA256: &[u8] = b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const TRAILER_SIGNATURE: &[u8] = b"x-amz-trailer-signature";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamingMode {
    /// STREAMING-AWS4-HMAC-SHA256-PAYLOAD
    Signed,
    /// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks and a signed trailer.
    SignedWithTrailer,
    /// STREAMING-UNSIGNED-PAYLOAD-TRAILER: plain chunks, then a trailer with a checksum.
    UnsignedWithTrailer,
}

/// What every chunk signature is computed from.
pub(crate) struct ChunkChain<'k> {
    pub(crate) key: &'k [u8; 32],
    pub(crate) timestamp: &'k str,
    pub(crate) scope: CredentialScope<'k>,
    pub(crate) seed: &'k [u8; 32],
}

pub(crate) struct Decoded {
    pub(crate) data: Vec<u8>,
    pub(crate) trailers: Vec<(String, String)>,
}

/// The data and trailers of an aws-chunked `body`. Chunk sizes only ever index into the
/// body already in memory, so a forged size cannot make this allocate more than the body.
pub(crate) fn decode(
    body: &[u8],
    mode: StreamingMode,
    chain: &ChunkChain<'_>,
) -> Result<Decoded, SigV4Error> {
    let signed = mode != StreamingMode::UnsignedWithTrailer;
    let mut previous = *chain.seed;
    let mut data = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let (header, after_header) =
            split_line(rest).ok_or(malformed("a chunk header is not terminated by CRLF"))?;
        let (size, signature) = chunk_header(header)?;
        if size > after_header.len() {
            return Err(malformed("a chunk is longer than the body"));
        }
        let (chunk, after_chunk) = after_header.split_at(size);
        if signed {
            let provided = signature.ok_or(malformed("a chunk has no chunk-signature"))?;
            let expected = chunk_signature(chain, &previous, chunk);
            if !bool::from(expected.ct_eq(&provided)) {
                return Err(SigV4Error::SignatureDoesNotMatch);
            }
            previous = expected;
        }
        if size == 0 {
            rest = after_chunk;
            break;
        }
        data.extend_from_slice(chunk);
        rest = after_chunk
            .strip_prefix(b"\r\n")
            .ok_or(malformed("chunk data is not followed by CRLF"))?;
    }
    let trailers = match mode {
        StreamingMode::Signed if rest.is_empty() || rest == b"\r\n" => Vec::new(),
        StreamingMode::Signed => return Err(malformed("data follows the final chunk")),
        StreamingMode::SignedWithTrailer => trailers(rest, Some((chain, &previous)))?,
        StreamingMode::UnsignedWithTrailer => trailers(rest, None)?,
    };
    Ok(Decoded { data, trailers })
}

fn malformed(detail: &'static str) -> SigV4Error {
    SigV4Error::MalformedChunk(detail)
}

/// The line before the first CRLF, and what follows it.
fn split_line(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = input.windows(2).position(|pair| pair == b"\r\n")?;
    Some((&input[..end], &input[end + 2..]))
}

/// `hex-size[;chunk-signature=64 hex]`
fn chunk_header(header: &[u8]) -> Result<(usize, Option<[u8; 32]>), SigV4Error> {
    let (size_text, extension) = match header.iter().position(|&b| b == b';') {
        Some(at) => (&header[..at], Some(&header[at + 1..])),
        None => (header, None),
    };
    if size_text.is_empty() || size_text.len() > 16 {
        return Err(malformed("a chunk size is not a hex number"));
    }
    let size = size_text.iter().try_fold(0usize, |size, &digit| {
        let value = char::from(digit).to_digit(16)?;
        size.checked_mul(16)?.checked_add(value as usize)
    });
    let size = size.ok_or(malformed("a chunk size is not a hex number"))?;
    let signature = match extension {
        None => None,
        Some(extension) => {
            let hex_text = extension
                .strip_prefix(b"chunk-signature=")
                .ok_or(malformed("a chunk extension is not chunk-signature"))?;
            Some(hex::decode32(hex_text).ok_or(SigV4Error::SignatureDoesNotMatch)?)
        }
    };
    Ok((size, signature))
}

fn chunk_signature(chain: &ChunkChain<'_>, previous: &[u8; 32], chunk: &[u8]) -> [u8; 32] {
    let mut mac = chained_mac(chain, b"AWS4-HMAC-SHA256-PAYLOAD\n", previous);
    mac.update(EMPTY_SHA256);
    mac.update(b"\n");
    mac.update(&hex::lower(&sha256(chunk)));
    mac.finalize().into_bytes().into()
}

fn chained_mac(
    chain: &ChunkChain<'_>,
    algorithm_line: &[u8],
    previous: &[u8; 32],
) -> signing_key::HmacSha256 {
    let mut mac = signing_key::hmac(chain.key);
    mac.update(algorithm_line);
    mac.update(chain.timestamp.as_bytes());
    mac.update(b"\n");
    chain.scope.feed(&mut mac);
    mac.update(b"\n");
    mac.update(&hex::lower(previous));
    mac.update(b"\n");
    mac
}

/// `name:value` lines up to an empty line or the end of the body. When `signed_by` is
/// given, an `x-amz-trailer-signature` line must sign the other lines, each hashed as
/// `name:value\n`.
fn trailers(
    mut rest: &[u8],
    signed_by: Option<(&ChunkChain<'_>, &[u8; 32])>,
) -> Result<Vec<(String, String)>, SigV4Error> {
    let mut trailers = Vec::new();
    let mut hashed = Vec::new();
    let mut trailer_signature = None;
    while !rest.is_empty() {
        let (line, after) = split_line(rest).unwrap_or((rest, b""));
        rest = after;
        if line.is_empty() {
            if rest.is_empty() {
                break;
            }
            return Err(malformed("data follows the trailer"));
        }
        let at = line
            .iter()
            .position(|&b| b == b':')
            .ok_or(malformed("a trailer line has no colon"))?;
        let (name, value) = (&line[..at], &line[at + 1..]);
        if name.eq_ignore_ascii_case(TRAILER_SIGNATURE) {
            trailer_signature =
                Some(hex::decode32(value.trim_ascii()).ok_or(SigV4Error::SignatureDoesNotMatch)?);
            continue;
        }
        hashed.extend_from_slice(line);
        hashed.push(b'\n');
        trailers.push((
            String::from_utf8_lossy(name.trim_ascii()).to_ascii_lowercase(),
            String::from_utf8_lossy(value.trim_ascii()).into_owned(),
        ));
    }
    if let Some((chain, previous)) = signed_by {
        let provided =
            trailer_signature.ok_or(malformed("the trailer has no x-amz-trailer-signature"))?;
        let mut mac = chained_mac(chain, b"AWS4-HMAC-SHA256-TRAILER\n", previous);
        mac.update(&hex::lower(&sha256(&hashed)));
        let expected: [u8; 32] = mac.finalize().into_bytes().into();
        if !bool::from(expected.ct_eq(&provided)) {
            return Err(SigV4Error::SignatureDoesNotMatch);
        }
    }
    Ok(trailers)
}
