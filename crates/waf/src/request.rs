//! The web request a web ACL inspects: a borrowed view the data plane fills in.

use std::net::IpAddr;

/// Country and ASN of addresses other than the client's (forwarded IP headers). The data plane
/// implements it over its MaxMind-format database; the engine stays free of I/O.
pub trait IpLookup: Sync {
    /// The ISO 3166 alpha-2 country of `ip`, if known.
    fn country(&self, ip: IpAddr) -> Option<String>;
    /// The autonomous system number of `ip`, if known.
    fn asn(&self, ip: IpAddr) -> Option<u32>;
}

/// One web request as AWS WAF sees it.
///
/// Cookies are read from the `Cookie` headers. The body is what the data plane buffered; the
/// engine inspects at most the web ACL's body inspection limit of it and applies each
/// statement's oversize handling beyond that, so buffering more than the limit (plus one byte,
/// to know that it is oversize) is never needed. `body_len` is the full length when known.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The HTTP method, e.g. `GET`.
    pub method: &'a str,
    /// The URI path, as sent (not decoded), e.g. `/a%20b/c`.
    pub uri_path: &'a str,
    /// The query string without the `?`, as sent.
    pub query_string: &'a str,
    /// The URI fragment without the `#`, when the client sent one.
    pub fragment: Option<&'a str>,
    /// The headers in the order received, names as sent.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The body bytes buffered (at least the body inspection limit plus one, or all of it).
    pub body: &'a [u8],
    /// The full body length when known (Content-Length), else the length of `body`.
    pub body_len: Option<u64>,
    /// The address of the connection's peer.
    pub client_ip: IpAddr,
    /// The client IP's country (ISO 3166 alpha-2), looked up by the data plane.
    pub country: Option<&'a str>,
    /// The client IP's autonomous system number, looked up by the data plane.
    pub asn: Option<u32>,
    /// Lookups for forwarded addresses (GeoMatch and AsnMatch with ForwardedIPConfig).
    pub ip_lookup: Option<&'a dyn IpLookup>,
    /// Age in seconds of the request's valid `aws-waf-token` (its last solved challenge or
    /// CAPTCHA), as checked by the data plane; `None` when absent or invalid.
    pub waf_token_age_secs: Option<u64>,
    /// The TLS client's JA3 fingerprint, when the listener terminates TLS.
    pub ja3_fingerprint: Option<&'a str>,
    /// The TLS client's JA4 fingerprint, when the listener terminates TLS.
    pub ja4_fingerprint: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A request with no headers, body, fragment, geography or token.
    pub fn new(
        method: &'a str,
        uri_path: &'a str,
        query_string: &'a str,
        client_ip: IpAddr,
    ) -> Self {
        Request {
            method,
            uri_path,
            query_string,
            fragment: None,
            headers: &[],
            body: &[],
            body_len: None,
            client_ip,
            country: None,
            asn: None,
            ip_lookup: None,
            waf_token_age_secs: None,
            ja3_fingerprint: None,
            ja4_fingerprint: None,
        }
    }

    /// The same request with these headers.
    pub fn with_headers(self, headers: &'a [(&'a str, &'a [u8])]) -> Self {
        Request { headers, ..self }
    }

    /// The same request with this body.
    pub fn with_body(self, body: &'a [u8]) -> Self {
        Request { body, ..self }
    }

    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The full body length.
    pub fn total_body_len(&self) -> u64 {
        self.body_len
            .unwrap_or(self.body.len() as u64)
            .max(self.body.len() as u64)
    }

    /// The cookies of every `Cookie` header, in order, as (name, value).
    pub fn cookies(&self) -> Vec<(&'a [u8], &'a [u8])> {
        let mut cookies = Vec::new();
        for (name, value) in self.headers {
            if !name.eq_ignore_ascii_case("cookie") {
                continue;
            }
            for pair in value.split(|&b| b == b';') {
                let pair = trim(pair);
                if pair.is_empty() {
                    continue;
                }
                match pair.iter().position(|&b| b == b'=') {
                    Some(eq) => cookies.push((trim(&pair[..eq]), trim(&pair[eq + 1..]))),
                    None => cookies.push((pair, &pair[pair.len()..])),
                }
            }
        }
        cookies
    }

    /// The query arguments as (name, value), both still percent-encoded as sent.
    pub fn query_arguments(&self) -> Vec<(&'a [u8], &'a [u8])> {
        split_arguments(self.query_string.as_bytes())
    }
}

/// `a=1&b=2` split into (name, value) pairs; a pair without `=` has an empty value.
pub(crate) fn split_arguments(text: &[u8]) -> Vec<(&[u8], &[u8])> {
    text.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &pair[pair.len()..]),
        })
        .collect()
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}
