//! Web ACL evaluation with AWSManagedRulesCommonRuleSet, SQLiRuleSet and
//! KnownBadInputsRuleSet: the median time per `evaluate` call for typical requests (target:
//! a few µs, so that the proxy's added p50 stays under 100 µs). Run with
//! `cargo bench -p waf --bench evaluate`.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use serde_json::json;
use waf::{AclContext, RateState, Request, Scope, WebAcl};

fn web_acl() -> WebAcl {
    let groups = [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ];
    let mut rules: Vec<_> = groups
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "Name": name, "Priority": i + 1,
                "Statement": { "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": name } },
                "OverrideAction": { "None": {} },
                "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name },
            })
        })
        .collect();
    rules.push(json!({
        "Name": "flood", "Priority": 10,
        "Statement": { "RateBasedStatement": { "Limit": 2_000_000_000u64, "EvaluationWindowSec": 60, "AggregateKeyType": "IP" } },
        "Action": { "Block": {} },
        "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "flood" },
    }));
    WebAcl::from_json(
        &json!({ "Allow": {} }),
        &json!(rules),
        &AclContext::new(Scope::Regional, "awswaf:000000000000:webacl:bench:"),
    )
    .unwrap()
}

fn median_micros(acl: &WebAcl, rate: &RateState, request: &Request) -> f64 {
    let mut samples = Vec::new();
    let mut now = 0;
    for _ in 0..200 {
        let start = Instant::now();
        for _ in 0..100 {
            now += 1;
            std::hint::black_box(acl.evaluate(std::hint::black_box(request), rate, now));
        }
        samples.push(start.elapsed().as_nanos() as f64 / 100.0);
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2] / 1000.0
}

fn main() {
    let acl = web_acl();
    let rate = RateState::new();
    let client = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
    let browser: [(&str, &[u8]); 6] = [
        ("Host", b"shop.example.com"),
        ("User-Agent", b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"),
        ("Accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
        ("Accept-Language", b"en-US,en;q=0.9"),
        ("Accept-Encoding", b"gzip, deflate, br"),
        ("Cookie", b"session=3f9a0c1d7e; theme=dark; cart=12"),
    ];
    let form_headers: [(&str, &[u8]); 7] = [
        browser[0],
        browser[1],
        browser[2],
        browser[3],
        browser[4],
        browser[5],
        ("Content-Type", b"application/x-www-form-urlencoded"),
    ];
    let body = b"name=Jane+Doe&email=jane%40example.com&address=12+Rue+de+la+Paix%2C+Paris&comment=Please+leave+the+parcel+at+the+door.&newsletter=on";
    let cases = [
        (
            "GET, 6 headers, 3 query arguments",
            Request::new(
                "GET",
                "/products/shoes/running",
                "size=42&color=dark+blue&page=2",
                client,
            )
            .with_headers(&browser),
        ),
        (
            "POST form, 7 headers, 140-byte body",
            Request::new("POST", "/checkout/address", "", client)
                .with_headers(&form_headers)
                .with_body(body),
        ),
        (
            "GET with SQL injection (blocked)",
            Request::new("GET", "/item", "id=1%27%20OR%20%271%27%3D%271", client)
                .with_headers(&browser),
        ),
    ];
    for (name, request) in &cases {
        println!(
            "{name}: median {:.2} µs per evaluation",
            median_micros(&acl, &rate, request)
        );
    }
}
