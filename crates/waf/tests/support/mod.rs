//! Shared helpers: web ACLs from JSON and requests with headers.

#![allow(dead_code)] // each test file uses a part of the helpers

use std::net::IpAddr;

use serde_json::{json, Value};
use waf::{AclContext, RateState, Request, Scope, Verdict, WebAcl};

pub const NAMESPACE: &str = "awswaf:111122223333:webacl:test-acl:";

pub fn context() -> AclContext {
    AclContext::new(Scope::Regional, NAMESPACE)
}

/// A rule with this statement and action, named `name` (also its metric name).
pub fn rule(name: &str, priority: u32, statement: Value, action: &str) -> Value {
    json!({
        "Name": name,
        "Priority": priority,
        "Statement": statement,
        "Action": { action: {} },
        "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name },
    })
}

pub fn acl(rules: Value) -> WebAcl {
    acl_with(rules, &context())
}

pub fn acl_with(rules: Value, ctx: &AclContext) -> WebAcl {
    WebAcl::from_json(&json!({ "Allow": {} }), &rules, ctx).unwrap_or_else(|e| panic!("{e}"))
}

/// `text` in base64, as SearchString travels in the API.
pub fn b64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn none() -> Value {
    json!([{ "Priority": 0, "Type": "NONE" }])
}

pub fn transformations(types: &[&str]) -> Value {
    Value::Array(
        types
            .iter()
            .enumerate()
            .map(|(i, t)| json!({ "Priority": i, "Type": t }))
            .collect(),
    )
}

pub fn byte_match(field: Value, search: &str, position: &str, types: &[&str]) -> Value {
    json!({ "ByteMatchStatement": { "SearchString": b64(search), "FieldToMatch": field, "TextTransformations": transformations(types), "PositionalConstraint": position } })
}

pub fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A request builder owning its parts.
pub struct Http {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub client: IpAddr,
    pub country: Option<String>,
    pub asn: Option<u32>,
    pub token_age: Option<u64>,
    pub fragment: Option<String>,
}

pub fn get(target: &str) -> Http {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Http {
        method: "GET".into(),
        path: path.into(),
        query: query.into(),
        headers: vec![
            ("Host".into(), b"shop.example.com".to_vec()),
            (
                "User-Agent".into(),
                b"Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0".to_vec(),
            ),
        ],
        body: Vec::new(),
        client: ip("198.51.100.7"),
        country: None,
        asn: None,
        token_age: None,
        fragment: None,
    }
}

pub fn post(target: &str, body: &str) -> Http {
    let mut request = get(target);
    request.method = "POST".into();
    request.body = body.as_bytes().to_vec();
    request
}

impl Http {
    pub fn header(mut self, name: &str, value: &str) -> Http {
        self.headers.push((name.into(), value.as_bytes().to_vec()));
        self
    }

    pub fn without_header(mut self, name: &str) -> Http {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn from(mut self, client: &str) -> Http {
        self.client = ip(client);
        self
    }

    pub fn country(mut self, country: &str) -> Http {
        self.country = Some(country.into());
        self
    }

    pub fn evaluate(&self, acl: &WebAcl) -> Verdict {
        self.evaluate_at(acl, &RateState::new(), 0)
    }

    pub fn evaluate_at(&self, acl: &WebAcl, rate: &RateState, now_ms: u64) -> Verdict {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let mut request = Request::new(&self.method, &self.path, &self.query, self.client)
            .with_headers(&headers)
            .with_body(&self.body);
        request.country = self.country.as_deref();
        request.asn = self.asn;
        request.waf_token_age_secs = self.token_age;
        request.fragment = self.fragment.as_deref();
        acl.evaluate(&request, rate, now_ms)
    }
}

pub fn blocked(verdict: &Verdict) -> bool {
    matches!(verdict.action, waf::Action::Block { .. })
}

pub fn terminating(verdict: &Verdict) -> Option<&str> {
    verdict.terminating_rule.as_ref().map(|r| r.name.as_str())
}
