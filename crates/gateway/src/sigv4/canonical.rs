//! The canonical request: what both sides hash before signing. The server rebuilds it from
//! the request as received, so every normalisation here must match what SDKs do.

use std::borrow::Cow;

use super::{Signature, SignatureKind, SignedRequest};

/// The canonical request of `req` as `sig` signed it, with `payload_hash` as its last line.
pub(crate) fn canonical_request(
    req: &SignedRequest<'_>,
    sig: &Signature,
    payload_hash: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        req.method.len()
            + 2 * req.path.len()
            + 2 * req.query.len()
            + 256
            + sig.signed_headers.len() * 2,
    );
    out.extend_from_slice(req.method.as_bytes());
    out.push(b'\n');
    push_canonical_uri(&mut out, req.path, sig.service == "s3");
    out.push(b'\n');
    push_canonical_query(
        &mut out,
        req.query,
        matches!(sig.kind, SignatureKind::Presigned { .. }),
    );
    out.push(b'\n');
    push_canonical_headers(&mut out, req, &sig.signed_headers);
    out.push(b'\n');
    out.extend_from_slice(sig.signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash);
    out
}

/// The raw `name=value` pairs of a query string, empty pieces skipped.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| piece.split_once('=').unwrap_or((piece, "")))
}

/// Decodes `%XX` escapes and form-style `+` (SDKs send spaces in queries as either).
/// A `%` not followed by two hex digits stands for itself.
pub(crate) fn percent_decode(text: &[u8]) -> Cow<'_, [u8]> {
    if !text.iter().any(|&b| b == b'%' || b == b'+') {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                text.get(i + 1).and_then(|&c| hex_value(c)),
                text.get(i + 2).and_then(|&c| hex_value(c)),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// S3 signs the path as sent; every other service signs the normalised path encoded once
/// more, so `%20` in the request becomes `%2520` in the canonical request.
fn push_canonical_uri(out: &mut Vec<u8>, path: &str, is_s3: bool) {
    if path.is_empty() {
        out.push(b'/');
    } else if is_s3 {
        out.extend_from_slice(path.as_bytes());
    } else {
        push_encoded(out, normalized_path(path).as_bytes(), true);
    }
}

/// The path without `.` and empty segments and with `..` applied, keeping a leading and
/// a trailing slash, as SDKs sign it.
fn normalized_path(path: &str) -> Cow<'_, str> {
    let needs_work = path.contains("//")
        || path
            .split('/')
            .any(|segment| segment == "." || segment == "..");
    if !needs_work {
        return Cow::Borrowed(path);
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            _ => kept.push(segment),
        }
    }
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push('/');
    }
    out.push_str(&kept.join("/"));
    if path.ends_with('/') && !kept.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

type QueryPair<'q> = (Cow<'q, [u8]>, Cow<'q, [u8]>);

/// Pairs re-encoded the strict SigV4 way and sorted by name, then value; the presigned
/// signature itself is not part of what it signs.
fn push_canonical_query(out: &mut Vec<u8>, query: &str, presigned: bool) {
    let mut pairs: Vec<QueryPair<'_>> = query_pairs(query)
        .map(|(name, value)| (canonical_component(name), canonical_component(value)))
        .filter(|(name, _)| !(presigned && name.as_ref() == b"X-Amz-Signature"))
        .collect();
    pairs.sort_unstable();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// The component as SigV4 encodes it, borrowed when the client already sent it that way.
fn canonical_component(raw: &str) -> Cow<'_, [u8]> {
    if is_canonically_encoded(raw.as_bytes()) {
        return Cow::Borrowed(raw.as_bytes());
    }
    let decoded = percent_decode(raw.as_bytes());
    let mut out = Vec::with_capacity(decoded.len() * 3);
    push_encoded(&mut out, &decoded, false);
    Cow::Owned(out)
}

fn is_canonically_encoded(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b if is_unreserved(b) => i += 1,
            b'%' => match (text.get(i + 1), text.get(i + 2)) {
                (Some(&high), Some(&low)) if is_upper_hex(high) && is_upper_hex(low) => {
                    let byte = hex_value(high).unwrap_or(0) << 4 | hex_value(low).unwrap_or(0);
                    if is_unreserved(byte) {
                        return false;
                    }
                    i += 3;
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    true
}

fn push_canonical_headers(out: &mut Vec<u8>, req: &SignedRequest<'_>, signed_headers: &str) {
    for name in signed_headers.split(';') {
        out.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
        out.push(b':');
        for (i, value) in req.headers.get_all(name).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_trimmed(out, value.as_bytes());
        }
        out.push(b'\n');
    }
}

/// The value without surrounding whitespace and with inner runs of it made one space.
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let mut pending_space = false;
    let mut written = false;
    for &b in value {
        if b == b' ' || b == b'\t' {
            pending_space = written;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b);
            written = true;
        }
    }
}

/// Percent-encodes every byte but the unreserved ones (and `/` when `keep_slash`),
/// with uppercase hex as SigV4 requires.
fn push_encoded(out: &mut Vec<u8>, bytes: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
        }
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn is_upper_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'A'..=b'F').contains(&b)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use hyper::http::{HeaderMap, HeaderValue};

    use super::*;

    fn uri(path: &str, is_s3: bool) -> String {
        let mut out = Vec::new();
        push_canonical_uri(&mut out, path, is_s3);
        String::from_utf8(out).unwrap()
    }

    fn query(raw: &str, presigned: bool) -> String {
        let mut out = Vec::new();
        push_canonical_query(&mut out, raw, presigned);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn path_is_encoded_again_for_services_other_than_s3() {
        assert_eq!(
            uri("/functions/my%20fn/invocations", false),
            "/functions/my%2520fn/invocations"
        );
    }

    #[test]
    fn path_is_normalised_for_services_other_than_s3() {
        assert_eq!(uri("/a/./b/../c//d/", false), "/a/c/d/");
        assert_eq!(uri("/..", false), "/");
    }

    #[test]
    fn s3_path_is_used_as_sent() {
        assert_eq!(uri("/bucket/a/../b//c%20d", true), "/bucket/a/../b//c%20d");
    }

    #[test]
    fn empty_path_is_the_root() {
        assert_eq!(uri("", false), "/");
        assert_eq!(uri("", true), "/");
    }

    #[test]
    fn query_is_sorted_by_name_then_value() {
        assert_eq!(query("b=2&a=2&a=1&c", false), "a=1&a=2&b=2&c=");
    }

    #[test]
    fn query_is_reencoded_strictly() {
        assert_eq!(query("k=a+b%2fc%7e*", false), "k=a%20b%2Fc~%2A");
    }

    #[test]
    fn presigned_query_leaves_out_its_signature() {
        assert_eq!(
            query("X-Amz-Signature=abc&X-Amz-Date=1", true),
            "X-Amz-Date=1"
        );
        assert_eq!(query("X-Amz-Signature=abc", false), "X-Amz-Signature=abc");
    }

    #[test]
    fn header_values_are_trimmed_collapsed_and_joined_with_commas() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-amz-meta-a",
            HeaderValue::from_static("  one   two\t three "),
        );
        headers.append("x-amz-meta-a", HeaderValue::from_static("four"));
        headers.append("host", HeaderValue::from_static("localhost"));
        let req = SignedRequest {
            method: "GET",
            path: "/",
            query: "",
            headers: &headers,
            body: b"",
        };
        let mut out = Vec::new();
        push_canonical_headers(&mut out, &req, "host;x-amz-meta-a");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "host:localhost\nx-amz-meta-a:one two three,four\n"
        );
    }
}
