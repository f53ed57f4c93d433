//! Web ACLs parsed from arbitrary JSON and evaluated, and arbitrary requests evaluated by a web
//! ACL of every managed rule group. The first byte picks the mode: even, the rest is a web
//! ACL's `Rules` (or `{"DefaultAction":..., "Rules":...}`), checked for capacity, parsed and
//! evaluated against a few fixed requests; odd, the rest is a request written like HTTP/1.1
//! (`METHOD /path?query`, header lines, an empty line, the body) evaluated by the fixed web ACL.

#![no_main]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use waf::{capacity, AclContext, RateState, Request, RuleGroupDefinition, Scope, WebAcl};

const IP_SET: &str = "arn:aws:wafv2:us-east-1:111122223333:regional/ipset/a/1";
const REGEX_SET: &str = "arn:aws:wafv2:us-east-1:111122223333:regional/regexpatternset/a/1";
const RULE_GROUP: &str = "arn:aws:wafv2:us-east-1:111122223333:regional/rulegroup/a/1";

fn context() -> AclContext {
    let mut ctx = AclContext::new(Scope::Regional, "awswaf:111122223333:webacl:fuzz:");
    ctx.ip_sets.insert(
        IP_SET.into(),
        vec!["10.0.0.0/8".into(), "2001:db8::/32".into()],
    );
    ctx.regex_pattern_sets
        .insert(REGEX_SET.into(), vec!["^/admin".into(), "(?i)bot".into()]);
    ctx.custom_response_bodies =
        json!({ "body": { "ContentType": "TEXT_PLAIN", "Content": "no" } });
    ctx.managed_ip_lists.insert(
        "AWSManagedIPReputationList".into(),
        vec!["10.1.0.0/16".into()],
    );
    ctx.rule_groups.insert(
        RULE_GROUP.into(),
        RuleGroupDefinition {
            name: "a".into(),
            rules: json!([{ "Name": "r", "Priority": 0, "Action": { "Block": {} },
                "Statement": { "SqliMatchStatement": { "FieldToMatch": { "AllQueryArguments": {} }, "TextTransformations": [{ "Priority": 0, "Type": "URL_DECODE" }] } },
                "RuleLabels": [{ "Name": "x:y" }],
                "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "r" } }]),
            capacity: 50,
            label_namespace: "awswaf:111122223333:rulegroup:a:".into(),
            custom_response_bodies: Value::Null,
        },
    );
    ctx
}

fn every_managed_group() -> &'static WebAcl {
    static ACL: OnceLock<WebAcl> = OnceLock::new();
    ACL.get_or_init(|| {
        let rules: Vec<Value> = waf::managed::catalog()
            .iter()
            .enumerate()
            .map(|(i, group)| {
                json!({ "Name": group.name, "Priority": i, "OverrideAction": { "None": {} },
                    "Statement": { "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": group.name } },
                    "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": group.name } })
            })
            .collect();
        WebAcl::from_json(&json!({ "Allow": {} }), &Value::Array(rules), &context()).expect("the managed rule groups parse")
    })
}

fn evaluate_samples(acl: &WebAcl) {
    let rate = RateState::new();
    let client = IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3));
    let headers: [(&str, &[u8]); 4] = [
        ("Host", b"example.com"),
        ("User-Agent", b"curl/8"),
        ("Cookie", b"a=1; b=<script>"),
        ("X-Forwarded-For", b"203.0.113.1, 10.0.0.1"),
    ];
    let json_headers: [(&str, &[u8]); 2] = [
        ("Host", b"example.com"),
        ("Content-Type", b"application/json"),
    ];
    let requests = [
        Request::new(
            "GET",
            "/admin/../x",
            "id=1%27%20or%201=1&q=%3Cscript%3E",
            client,
        )
        .with_headers(&headers),
        Request::new("POST", "/api", "", client)
            .with_headers(&json_headers)
            .with_body(br#"{"a":[1,{"b":"${jndi:ldap://x}"}],"c":null}"#),
        Request::new("PUT", "/", "", client).with_body(b"{broken"),
    ];
    for (i, request) in requests.iter().enumerate() {
        let _ = acl.evaluate(request, &rate, i as u64 * 1000);
        let _ = acl.evaluate(request, &rate, i as u64 * 1000 + 1);
    }
}

/// `METHOD /path?query`, header lines, an empty line, the body.
fn evaluate_request(text: &[u8]) {
    let (head, body) = match text.windows(2).position(|w| w == b"\n\n") {
        Some(p) => (&text[..p], &text[p + 2..]),
        None => (text, &[][..]),
    };
    let mut lines = head.split(|&b| b == b'\n');
    let start = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let (method, target) = start.split_once(' ').unwrap_or(("GET", start.as_str()));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let owned: Vec<(String, &[u8])> = lines
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((
                String::from_utf8_lossy(&line[..colon]).into_owned(),
                line[colon + 1..].trim_ascii(),
            ))
        })
        .collect();
    let headers: Vec<(&str, &[u8])> = owned.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let mut request = Request::new(method, path, query, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)))
        .with_headers(&headers)
        .with_body(body);
    request.country = Some("FR");
    request.asn = Some(64496);
    request.waf_token_age_secs = Some(10);
    let _ = every_managed_group().evaluate(&request, &RateState::new(), 0);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 2 == 1 {
        evaluate_request(rest);
        return;
    }
    let Ok(document) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let (default_action, rules) = match &document {
        Value::Object(object) if object.contains_key("Rules") => (
            object
                .get("DefaultAction")
                .cloned()
                .unwrap_or(json!({ "Allow": {} })),
            object["Rules"].clone(),
        ),
        _ => (json!({ "Block": {} }), document),
    };
    let ctx = context();
    let _ = capacity(&rules, &ctx);
    if let Ok(acl) = WebAcl::from_json(&default_action, &rules, &ctx) {
        evaluate_samples(&acl);
    }
});
