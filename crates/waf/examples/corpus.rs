//! Detection quality on a payload corpus laid out as `<category>/true-positives.txt` (attacks)
//! and `<category>/false-positives.txt` (benign look-alikes), one payload a line: each payload
//! is sent through a web ACL as a GET query argument (`?q=<payload>`, percent-encoded) and as a
//! POST form body (`q=<payload>`), and the blocked share is reported per category.
//!
//! ```sh
//! cargo run -p waf --example corpus --release -- /work/shared/corpora/waf/mgm-sp
//! cargo run -p waf --example corpus -- <dir> --all     # every managed rule group, not just the three
//! cargo run -p waf --example corpus -- <dir> --show-fp # the benign payloads blocked, with the rule
//! ```

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use serde_json::json;
use waf::{AclContext, Action, RateState, Request, Scope, WebAcl};

const BASELINE: &[&str] = &[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
];
const EVERY_PAYLOAD_GROUP: &[&str] = &[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
];

fn percent_encode(text: &[u8]) -> String {
    text.iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn web_acl(groups: &[&str]) -> WebAcl {
    let rules: Vec<_> = groups
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "Name": name, "Priority": i,
                "Statement": { "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": name } },
                "OverrideAction": { "None": {} },
                "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name },
            })
        })
        .collect();
    let ctx = AclContext::new(Scope::Regional, "awswaf:000000000000:webacl:corpus:");
    WebAcl::from_json(&json!({ "Allow": {} }), &json!(rules), &ctx)
        .expect("the managed rule groups parse")
}

#[derive(Default)]
struct Tally {
    sent: u64,
    blocked: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "/work/shared/corpora/waf/mgm-sp".into());
    let all = args.iter().any(|a| a == "--all");
    let show_fp = args.iter().any(|a| a == "--show-fp");
    let show_misses = args
        .iter()
        .find_map(|a| a.strip_prefix("--show-misses="))
        .map(str::to_string);
    let acl = web_acl(if all { EVERY_PAYLOAD_GROUP } else { BASELINE });
    let rate = RateState::new();
    let client = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
    let mut categories: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    categories.sort();
    let mut results: BTreeMap<(String, bool), Tally> = BTreeMap::new();
    let mut evaluations = 0u64;
    let started = Instant::now();
    for category in &categories {
        for (file, attack) in [("true-positives.txt", true), ("false-positives.txt", false)] {
            let Ok(text) = std::fs::read(format!("{dir}/{category}/{file}")) else {
                continue;
            };
            for payload in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let payload = payload.strip_suffix(b"\r").unwrap_or(payload);
                let encoded = format!("q={}", percent_encode(payload));
                let get_headers: [(&str, &[u8]); 3] = [
                    ("Host", b"shop.example.com"),
                    (
                        "User-Agent",
                        b"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                    ),
                    ("Accept", b"*/*"),
                ];
                let post_headers: [(&str, &[u8]); 4] = [
                    get_headers[0],
                    get_headers[1],
                    get_headers[2],
                    ("Content-Type", b"application/x-www-form-urlencoded"),
                ];
                let get =
                    Request::new("GET", "/search", &encoded, client).with_headers(&get_headers);
                let post = Request::new("POST", "/search", "", client)
                    .with_headers(&post_headers)
                    .with_body(encoded.as_bytes());
                for (method, request) in [("GET", get), ("POST", post)] {
                    let verdict = acl.evaluate(&request, &rate, 0);
                    evaluations += 1;
                    let blocked = matches!(verdict.action, Action::Block { .. });
                    let tally = results.entry((category.clone(), attack)).or_default();
                    tally.sent += 1;
                    tally.blocked += u64::from(blocked);
                    if blocked && !attack && show_fp {
                        let rule = verdict.terminating_rule.map(|r| r.name).unwrap_or_default();
                        println!(
                            "FP {category} {method} {rule}: {}",
                            String::from_utf8_lossy(payload)
                        );
                    }
                    if !blocked
                        && attack
                        && show_misses.as_deref() == Some(category.as_str())
                        && method == "GET"
                    {
                        println!("MISS {category}: {}", String::from_utf8_lossy(payload));
                    }
                }
            }
        }
    }
    let elapsed = started.elapsed();
    println!(
        "rule groups: {}",
        if all {
            EVERY_PAYLOAD_GROUP.join(", ")
        } else {
            BASELINE.join(", ")
        }
    );
    println!("| category | attacks blocked (TPR) | benign blocked (FPR) |");
    println!("|---|---:|---:|");
    let (mut tp, mut p, mut fp, mut n) = (0, 0, 0, 0);
    for category in &categories {
        let attacks = results.get(&(category.clone(), true));
        let benign = results.get(&(category.clone(), false));
        let rate = |t: Option<&Tally>| {
            t.map_or("—".to_string(), |t| {
                format!(
                    "{}/{} ({:.1}%)",
                    t.blocked,
                    t.sent,
                    100.0 * t.blocked as f64 / t.sent.max(1) as f64
                )
            })
        };
        println!("| {category} | {} | {} |", rate(attacks), rate(benign));
        if let Some(t) = attacks {
            tp += t.blocked;
            p += t.sent;
        }
        if let Some(t) = benign {
            fp += t.blocked;
            n += t.sent;
        }
    }
    println!(
        "| **all** | {tp}/{p} ({:.1}%) | {fp}/{n} ({:.1}%) |",
        100.0 * tp as f64 / p.max(1) as f64,
        100.0 * fp as f64 / n.max(1) as f64
    );
    println!(
        "{evaluations} evaluations in {:.2} s ({:.1} µs each)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / evaluations.max(1) as f64
    );
}
