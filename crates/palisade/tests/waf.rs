//! WAFv2 end to end with the aws CLI: the web ACL API with its lock tokens and errors, and a web
//! ACL in front of a real upstream behind an application load balancer's listener.

mod support;

use std::{
    io::{Read, Write},
    net::TcpListener,
    thread,
    time::Duration,
};

use serde_json::Value;
use support::{error_text, free_port, http, Server};

const RATE_RULE: &str = r#"[{"Name":"RateLimitRule","Priority":1,"Action":{"Block":{}},"Statement":{"RateBasedStatement":{"Limit":1000,"AggregateKeyType":"IP"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"RateLimitRule"}}]"#;

fn text<'v>(value: &'v Value, pointer: &str) -> &'v str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("{pointer} in {value}"))
}

#[test]
fn web_acls_have_lock_tokens_names_and_aws_errors() {
    let ip_lists = support::TempDir::new("waf-ip-lists");
    std::fs::write(ip_lists.0.join("AWSManagedIPReputationList.txt"), "# known bad\n127.0.0.0/8\n").unwrap();
    let server = Server::start(&["--ephemeral", "--waf-ip-lists", ip_lists.0.to_str().unwrap()]);
    let created = server.aws_json(&[
        "wafv2", "create-web-acl", "--name", "prod-web-acl", "--scope", "REGIONAL", "--default-action", "Allow={}",
        "--rules", RATE_RULE,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=prod-web-acl",
        "--tags", "Key=team,Value=edge",
    ]);
    let (id, lock, arn) = (text(&created, "/Summary/Id"), text(&created, "/Summary/LockToken"), text(&created, "/Summary/ARN"));
    assert!(arn.starts_with("arn:aws:wafv2:us-east-1:000000000000:regional/webacl/prod-web-acl/"), "{arn}");

    let listed = server.aws_json(&["wafv2", "list-web-acls", "--scope", "REGIONAL"]);
    assert_eq!(text(&listed, "/WebACLs/0/Name"), "prod-web-acl");

    let got = server.aws_json(&["wafv2", "get-web-acl", "--name", "prod-web-acl", "--scope", "REGIONAL", "--id", id]);
    assert_eq!(text(&got, "/WebACL/Rules/0/Name"), "RateLimitRule");
    assert_eq!(text(&got, "/WebACL/LabelNamespace"), "awswaf:000000000000:webacl:prod-web-acl:");
    assert!(got.pointer("/WebACL/Capacity").and_then(Value::as_u64).is_some_and(|c| c > 0), "{got}");

    let duplicate = server.aws(&[
        "wafv2", "create-web-acl", "--name", "prod-web-acl", "--scope", "REGIONAL", "--default-action", "Allow={}",
        "--visibility-config", "SampledRequestsEnabled=false,CloudWatchMetricsEnabled=false,MetricName=m",
    ]);
    assert!(error_text(&duplicate).contains("WAFDuplicateItemException"), "{}", error_text(&duplicate));

    let update = |lock: &str| {
        server.aws(&[
            "wafv2", "update-web-acl", "--name", "prod-web-acl", "--scope", "REGIONAL", "--id", id, "--lock-token", lock,
            "--default-action", "Block={}", "--rules", RATE_RULE,
            "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=prod-web-acl",
        ])
    };
    let first = update(lock);
    assert!(first.status.success(), "{}", error_text(&first));
    let stale = update(lock);
    assert!(error_text(&stale).contains("WAFOptimisticLockException"), "{}", error_text(&stale));

    let missing = server.aws(&["wafv2", "get-web-acl", "--name", "nope", "--scope", "REGIONAL", "--id", "a1b2c3d4-5678-90ab-cdef-0123456789ab"]);
    assert!(error_text(&missing).contains("WAFNonexistentItemException"), "{}", error_text(&missing));
    assert!(error_text(&missing).contains("AWS WAF couldn’t perform the operation because your resource doesn’t exist."));

    let cloudfront_elsewhere = server.aws(&["wafv2", "list-web-acls", "--scope", "CLOUDFRONT", "--region", "eu-west-1"]);
    assert!(error_text(&cloudfront_elsewhere).contains("WAFInvalidParameterException"), "{}", error_text(&cloudfront_elsewhere));

    let bad_rule = server.aws(&[
        "wafv2", "create-web-acl", "--name", "bad", "--scope", "REGIONAL", "--default-action", "Allow={}",
        "--rules", r#"[{"Name":"r","Priority":1,"Action":{"Block":{}},"Statement":{},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"r"}}]"#,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=bad",
    ]);
    assert!(error_text(&bad_rule).contains("WAFInvalidParameterException"), "{}", error_text(&bad_rule));

    let ip_set = server.aws_json(&[
        "wafv2", "create-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--ip-address-version", "IPV4", "--addresses", "192.0.2.0/24",
    ]);
    let bad_ip = server.aws(&["wafv2", "create-ip-set", "--name", "bad", "--scope", "REGIONAL", "--ip-address-version", "IPV4", "--addresses", "192.0.2.0"]);
    assert!(error_text(&bad_ip).contains("WAFInvalidParameterException"), "{}", error_text(&bad_ip));
    let ip_rule = format!(
        r#"[{{"Name":"blocked-ips","Priority":0,"Action":{{"Block":{{}}}},"Statement":{{"IPSetReferenceStatement":{{"ARN":"{}"}}}},"VisibilityConfig":{{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"blocked-ips"}}}}]"#,
        text(&ip_set, "/Summary/ARN")
    );
    server.aws_json(&[
        "wafv2", "create-web-acl", "--name", "uses-ip-set", "--scope", "REGIONAL", "--default-action", "Allow={}", "--rules", &ip_rule,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=uses-ip-set",
    ]);
    let in_use = server.aws(&[
        "wafv2", "delete-ip-set", "--name", "blocked", "--scope", "REGIONAL", "--id", text(&ip_set, "/Summary/Id"),
        "--lock-token", text(&ip_set, "/Summary/LockToken"),
    ]);
    assert!(error_text(&in_use).contains("WAFAssociatedItemException"), "{}", error_text(&in_use));

    let tags = server.aws_json(&["wafv2", "list-tags-for-resource", "--resource-arn", arn]);
    assert_eq!(text(&tags, "/TagInfoForResource/TagList/0/Value"), "edge");

    let groups = server.aws_json(&["wafv2", "list-available-managed-rule-groups", "--scope", "REGIONAL"]);
    let names: Vec<&str> = groups["ManagedRuleGroups"].as_array().unwrap().iter().filter_map(|g| g["Name"].as_str()).collect();
    for expected in ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesBotControlRuleSet"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let common = server.aws_json(&["wafv2", "describe-managed-rule-group", "--vendor-name", "AWS", "--name", "AWSManagedRulesCommonRuleSet", "--scope", "REGIONAL"]);
    assert_eq!(common["Capacity"], 700);
    assert!(common["Rules"].as_array().unwrap().iter().any(|r| r["Name"] == "NoUserAgent_HEADER"), "{common}");

    let group_rules = r#"[{"Name":"no-admin","Priority":0,"Action":{"Block":{}},"RuleLabels":[{"Name":"admin"}],"Statement":{"ByteMatchStatement":{"SearchString":"/admin","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"STARTS_WITH"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"no-admin"}}]"#;
    let group_visibility = "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=shared";
    let too_small = server.aws(&["wafv2", "create-rule-group", "--name", "shared", "--scope", "REGIONAL", "--capacity", "1", "--rules", group_rules, "--visibility-config", group_visibility]);
    assert!(error_text(&too_small).contains("WAFInvalidParameterException"), "{}", error_text(&too_small));
    let group = server.aws_json(&["wafv2", "create-rule-group", "--name", "shared", "--scope", "REGIONAL", "--capacity", "100", "--rules", group_rules, "--visibility-config", group_visibility]);
    let group_arn = text(&group, "/Summary/ARN");
    let described = server.aws_json(&["wafv2", "get-rule-group", "--arn", group_arn]);
    assert_eq!(text(&described, "/RuleGroup/AvailableLabels/0/Name"), "awswaf:000000000000:rulegroup:shared:admin");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":["wafv2:CreateWebACL","wafv2:UpdateWebACL","wafv2:PutFirewallManagerRuleGroups"],"Resource":"{group_arn}"}}]}}"#
    );
    server.aws_json(&["wafv2", "put-permission-policy", "--resource-arn", group_arn, "--policy", &policy]);
    assert_eq!(server.aws_json(&["wafv2", "get-permission-policy", "--resource-arn", group_arn])["Policy"], policy.as_str());
    let too_broad = server.aws(&["wafv2", "put-permission-policy", "--resource-arn", group_arn, "--policy", &policy.replace("wafv2:UpdateWebACL", "wafv2:*")]);
    assert!(error_text(&too_broad).contains("WAFInvalidPermissionPolicyException"), "{}", error_text(&too_broad));

    let capacity = server.aws_json(&["wafv2", "check-capacity", "--scope", "REGIONAL", "--rules", RATE_RULE]);
    assert!(capacity["Capacity"].as_u64().is_some_and(|c| c > 0), "{capacity}");

    let subnets = server.aws_json(&["ec2", "describe-subnets"]);
    let subnet_ids: Vec<&str> = subnets["Subnets"].as_array().unwrap().iter().filter_map(|s| s["SubnetId"].as_str()).collect();
    let lb = server.aws_json(&["elbv2", "create-load-balancer", "--name", "reputation", "--subnets", subnet_ids[0], subnet_ids[1]]);
    let port = free_port();
    server.aws_json(&[
        "elbv2", "create-listener", "--load-balancer-arn", text(&lb, "/LoadBalancers/0/LoadBalancerArn"), "--port", &port.to_string(),
        "--default-actions", "Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=ok}",
    ]);
    let reputation_rule = r#"[{"Name":"reputation","Priority":0,"OverrideAction":{"None":{}},"Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesAmazonIpReputationList"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"reputation"}}]"#;
    let reputation = server.aws_json(&[
        "wafv2", "create-web-acl", "--name", "reputation", "--scope", "REGIONAL", "--default-action", "Allow={}", "--rules", reputation_rule,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=reputation",
    ]);
    server.aws_json(&["wafv2", "associate-web-acl", "--web-acl-arn", text(&reputation, "/Summary/ARN"), "--resource-arn", text(&lb, "/LoadBalancers/0/LoadBalancerArn")]);
    assert_eq!(http(port, "GET", "/", &[BROWSER], b"").unwrap().status, 403, "127.0.0.1 is on the configured IP reputation list");

    let deleted = server.aws(&["wafv2", "delete-web-acl", "--name", "prod-web-acl", "--scope", "REGIONAL", "--id", id, "--lock-token", lock]);
    assert!(error_text(&deleted).contains("WAFOptimisticLockException"), "{}", error_text(&deleted));
}

/// A tiny upstream: answers every request with 200 and a body naming it.
fn start_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || serve_upstream_connection(stream));
        }
    });
    port
}

fn serve_upstream_connection(mut stream: std::net::TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
        let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
        while buffer.len() < end + 4 + length {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..end + 4 + length);
        let body = "hello from upstream";
        let response = format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

const BROWSER: (&str, &str) = ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) palisade-test");

#[test]
fn a_web_acl_on_a_load_balancer_filters_live_traffic() {
    let server = Server::start(&["--ephemeral"]);
    let upstream = start_upstream();

    let subnets = server.aws_json(&["ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true"]);
    let subnet_ids: Vec<&str> = subnets["Subnets"].as_array().unwrap().iter().filter_map(|s| s["SubnetId"].as_str()).collect();
    assert_eq!(subnet_ids.len(), 6, "one default subnet per availability zone in us-east-1");
    let vpc = server.aws_json(&["ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true"]);
    let vpc_id = text(&vpc, "/Vpcs/0/VpcId");

    let mut create_lb = vec!["elbv2", "create-load-balancer", "--name", "web", "--subnets"];
    create_lb.extend(&subnet_ids[..2]);
    let lb = server.aws_json(&create_lb);
    let lb_arn = text(&lb, "/LoadBalancers/0/LoadBalancerArn");
    let tg = server.aws_json(&[
        "elbv2", "create-target-group", "--name", "app", "--protocol", "HTTP", "--port", &upstream.to_string(), "--vpc-id", vpc_id, "--target-type", "ip",
    ]);
    let tg_arn = text(&tg, "/TargetGroups/0/TargetGroupArn");
    server.aws_json(&["elbv2", "register-targets", "--target-group-arn", tg_arn, "--targets", &format!("Id=127.0.0.1,Port={upstream}")]);
    let port = free_port();
    server.aws_json(&[
        "elbv2", "create-listener", "--load-balancer-arn", lb_arn, "--protocol", "HTTP", "--port", &port.to_string(),
        "--default-actions", &format!("Type=forward,TargetGroupArn={tg_arn}"),
    ]);
    let plain = http(port, "GET", "/", &[BROWSER], b"").unwrap();
    assert_eq!((plain.status, plain.text().as_str()), (200, "hello from upstream"));
    let health = server.aws_json(&["elbv2", "describe-target-health", "--target-group-arn", tg_arn]);
    assert_eq!(text(&health, "/TargetHealthDescriptions/0/TargetHealth/State"), "healthy");

    let rules = r#"[
      {"Name":"RateLimit","Priority":0,"Action":{"Block":{}},"Statement":{"RateBasedStatement":{"Limit":20,"EvaluationWindowSec":60,"AggregateKeyType":"IP"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"RateLimit"}},
      {"Name":"Common","Priority":1,"OverrideAction":{"None":{}},"Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesCommonRuleSet"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"Common"}},
      {"Name":"SQLi","Priority":2,"OverrideAction":{"None":{}},"Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"SQLi"}}
    ]"#;
    let acl = server.aws_json(&[
        "wafv2", "create-web-acl", "--name", "edge", "--scope", "REGIONAL", "--default-action", "Allow={}", "--rules", rules,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=edge",
    ]);
    let acl_arn = text(&acl, "/Summary/ARN");
    server.aws_json(&["logs", "create-log-group", "--log-group-name", "aws-waf-logs-edge"]);
    server.aws_json(&[
        "wafv2", "put-logging-configuration", "--logging-configuration",
        &format!(
            r#"{{"ResourceArn":"{acl_arn}","LogDestinationConfigs":["arn:aws:logs:us-east-1:000000000000:log-group:aws-waf-logs-edge"],"RedactedFields":[{{"SingleHeader":{{"Name":"user-agent"}}}}]}}"#
        ),
    ]);
    server.aws(&["wafv2", "associate-web-acl", "--web-acl-arn", acl_arn, "--resource-arn", lb_arn]);
    let for_resource = server.aws_json(&["wafv2", "get-web-acl-for-resource", "--resource-arn", lb_arn]);
    assert_eq!(text(&for_resource, "/WebACL/Name"), "edge");

    let benign = http(port, "GET", "/products?id=42", &[BROWSER], b"").unwrap();
    assert_eq!((benign.status, benign.text().as_str()), (200, "hello from upstream"));
    let sqli = http(port, "GET", "/products?id=1%27%20OR%20%271%27%3D%271", &[BROWSER], b"").unwrap();
    assert_eq!(sqli.status, 403, "{}", sqli.text());
    let xss = http(port, "GET", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", &[BROWSER], b"").unwrap();
    assert_eq!(xss.status, 403, "{}", xss.text());
    let no_user_agent = http(port, "GET", "/", &[], b"").unwrap();
    assert_eq!(no_user_agent.status, 403);
    for n in 5..=20 {
        let allowed = http(port, "GET", "/", &[BROWSER], b"").unwrap();
        assert_eq!(allowed.status, 200, "request {n} of the minute");
    }
    let flood = http(port, "GET", "/", &[BROWSER], b"").unwrap();
    assert_eq!(flood.status, 403, "the 21st request in a minute");
    let acl_id = text(&acl, "/Summary/Id");
    let managed_keys = server.aws_json(&[
        "wafv2", "get-rate-based-statement-managed-keys", "--scope", "REGIONAL", "--web-acl-name", "edge", "--web-acl-id", acl_id,
        "--rule-name", "RateLimit",
    ]);
    assert_eq!(managed_keys["ManagedKeysIPV4"]["Addresses"][0], "127.0.0.1/32", "{managed_keys}");

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let window = format!("StartTime={},EndTime={}", now - 600, now + 60);
    let samples = server.aws_json(&[
        "wafv2", "get-sampled-requests", "--web-acl-arn", acl_arn, "--rule-metric-name", "SQLi", "--scope", "REGIONAL",
        "--time-window", &window, "--max-items", "100",
    ]);
    let sqli_sample = samples["SampledRequests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Request"]["URI"].as_str().is_some_and(|u| u.contains("/products")) && s["Action"] == "BLOCK")
        .unwrap_or_else(|| panic!("the blocked SQLi request is sampled: {samples}"));
    assert_eq!(sqli_sample["RuleNameWithinRuleGroup"], "SQLi_QUERYARGUMENTS");
    assert!(sqli_sample["Labels"].as_array().unwrap().iter().any(|l| l["Name"] == "awswaf:managed:aws:sql-database:SQLi_QueryArguments"), "{sqli_sample}");

    let events = server.aws_json(&["logs", "filter-log-events", "--log-group-name", "aws-waf-logs-edge"]);
    let records: Vec<Value> =
        events["events"].as_array().unwrap().iter().filter_map(|e| serde_json::from_str(e["message"].as_str()?).ok()).collect();
    let logged = records
        .iter()
        .find(|r| r["action"] == "BLOCK" && r["terminatingRuleId"] == "SQLi")
        .unwrap_or_else(|| panic!("the blocked SQLi request is logged: {records:?}"));
    assert_eq!(logged["webaclId"], acl_arn);
    assert_eq!(logged["httpRequest"]["clientIp"], "127.0.0.1");
    assert_eq!(logged["ruleGroupList"][0]["terminatingRule"]["ruleId"], "SQLi_QUERYARGUMENTS");
    let user_agent = logged["httpRequest"]["headers"].as_array().unwrap().iter().find(|h| h["name"] == "user-agent").unwrap().clone();
    assert_eq!(user_agent["value"], "REDACTED", "the logging configuration redacts the User-Agent header");

    let blocked = || {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let statistics = server.aws_json(&[
            "cloudwatch", "get-metric-statistics", "--namespace", "AWS/WAFV2", "--metric-name", "BlockedRequests",
            "--dimensions", "Name=WebACL,Value=edge", "Name=Region,Value=us-east-1", "Name=Rule,Value=ALL",
            "--start-time", &(now - 600).to_string(), "--end-time", &(now + 60).to_string(), "--period", "60", "--statistics", "Sum",
        ]);
        statistics["Datapoints"].as_array().unwrap().iter().filter_map(|d| d["Sum"].as_f64()).sum::<f64>()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while blocked() < 4.0 && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(blocked(), 4.0, "SQLi, XSS, no User-Agent and the flood are counted as blocked");
    let listed = server.aws_json(&["cloudwatch", "list-metrics", "--namespace", "AWS/WAFV2", "--dimensions", "Name=Rule,Value=SQLi"]);
    assert!(listed["Metrics"].as_array().unwrap().iter().any(|m| m["MetricName"] == "BlockedRequests"), "{listed}");
}

#[test]
fn listeners_and_their_web_acls_come_back_after_a_restart() {
    let mut server = Server::start(&[]);
    let subnets = server.aws_json(&["ec2", "describe-subnets"]);
    let subnet_ids: Vec<&str> = subnets["Subnets"].as_array().unwrap().iter().filter_map(|s| s["SubnetId"].as_str()).collect();
    let mut create_lb = vec!["elbv2", "create-load-balancer", "--name", "static", "--subnets"];
    create_lb.extend(&subnet_ids[1..3]);
    let lb = server.aws_json(&create_lb);
    let lb_arn = text(&lb, "/LoadBalancers/0/LoadBalancerArn").to_owned();
    let port = free_port();
    let fixed = "Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=static page}";
    let listener = server.aws_json(&[
        "elbv2", "create-listener", "--load-balancer-arn", &lb_arn, "--protocol", "HTTP", "--port", &port.to_string(), "--default-actions", fixed,
    ]);
    let listener_arn = text(&listener, "/Listeners/0/ListenerArn").to_owned();

    let other = server.aws_json(&["elbv2", "create-load-balancer", "--name", "other", "--subnets", subnet_ids[0], subnet_ids[1]]);
    let taken = server.aws(&[
        "elbv2", "create-listener", "--load-balancer-arn", text(&other, "/LoadBalancers/0/LoadBalancerArn"), "--port", &port.to_string(),
        "--default-actions", fixed,
    ]);
    assert!(error_text(&taken).contains("InvalidConfigurationRequest"), "{}", error_text(&taken));

    let admin_rule = r#"[{"Name":"no-admin","Priority":0,"Action":{"Block":{}},"Statement":{"ByteMatchStatement":{"SearchString":"/admin","FieldToMatch":{"UriPath":{}},"TextTransformations":[{"Priority":0,"Type":"LOWERCASE"}],"PositionalConstraint":"STARTS_WITH"}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"no-admin"}}]"#;
    let acl = server.aws_json(&[
        "wafv2", "create-web-acl", "--name", "static-acl", "--scope", "REGIONAL", "--default-action", "Allow={}", "--rules", admin_rule,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=static-acl",
    ]);
    server.aws_json(&["wafv2", "associate-web-acl", "--web-acl-arn", text(&acl, "/Summary/ARN"), "--resource-arn", &lb_arn]);
    let certificate = server.aws_json(&["acm", "request-certificate", "--domain-name", "app.localhost", "--validation-method", "DNS"]);
    let certificate_arn = text(&certificate, "/CertificateArn").to_owned();
    let issued = || server.aws_json(&["acm", "describe-certificate", "--certificate-arn", &certificate_arn])["Certificate"]["Status"] == "ISSUED";
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !issued() && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(200));
    }
    let https_port = free_port();
    server.aws_json(&[
        "elbv2", "create-listener", "--load-balancer-arn", &lb_arn, "--protocol", "HTTPS", "--port", &https_port.to_string(),
        "--certificates", &format!("CertificateArn={certificate_arn}"), "--default-actions", fixed,
    ]);
    let in_use = server.aws_json(&["acm", "describe-certificate", "--certificate-arn", &certificate_arn]);
    assert_eq!(in_use["Certificate"]["InUseBy"][0], lb_arn.as_str());
    // curl trusts only the installation root Palisade exports, as a user would.
    let trust = support::TempDir::new("waf-root");
    let root = trust.0.join("palisade-root.pem");
    std::fs::write(&root, http(server.port, "GET", "/_palisade/ca.pem", &[], b"").unwrap().text()).unwrap();
    let https = |path: &str| {
        let out = std::process::Command::new("curl")
            .args(["-s", "--cacert", root.to_str().unwrap(), "-o", "-", "-w", "\n%{http_code}", "-A", BROWSER.1])
            .args(["--resolve", &format!("app.localhost:{https_port}:127.0.0.1")])
            .arg(format!("https://app.localhost:{https_port}{path}"))
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let check = |label: &str| {
        let page = http(port, "GET", "/", &[BROWSER], b"").unwrap();
        assert_eq!((page.status, page.text().as_str()), (200, "static page"), "{label}");
        assert_eq!(http(port, "GET", "/ADMIN/users", &[BROWSER], b"").unwrap().status, 403, "{label}");
        assert_eq!(https("/"), "static page\n200", "{label}: HTTPS with the ACM certificate");
        assert!(https("/admin").ends_with("403"), "{label}: the web ACL judges HTTPS traffic too");
    };
    server.aws_json(&["elbv2", "modify-load-balancer-attributes", "--load-balancer-arn", &lb_arn, "--attributes", "Key=deletion_protection.enabled,Value=true"]);
    let protected = server.aws(&["elbv2", "delete-load-balancer", "--load-balancer-arn", &lb_arn]);
    assert!(error_text(&protected).contains("OperationNotPermitted"), "{}", error_text(&protected));
    check("before the restart");
    server.restart();
    check("after the restart");

    server.aws_json(&["elbv2", "delete-listener", "--listener-arn", &listener_arn]);
    assert!(http(port, "GET", "/", &[BROWSER], b"").is_err(), "a deleted listener's port is closed");
    let missing = server.aws(&["elbv2", "describe-listeners", "--listener-arns", &listener_arn]);
    assert!(error_text(&missing).contains("ListenerNotFound"), "{}", error_text(&missing));
}

#[test]
fn geo_match_reads_the_country_of_a_forwarded_address_from_the_geoip_database() {
    let geo = support::TempDir::new("geoip");
    let database = geo.0.join("countries.mmdb");
    support::write_country_db(&database, &[("81.2.69.0".parse().unwrap(), 24, "GB"), ("198.51.100.0".parse().unwrap(), 24, "FR")]);
    let server = Server::start(&["--ephemeral", "--geoip-country-db", database.to_str().unwrap()]);
    let subnets = server.aws_json(&["ec2", "describe-subnets"]);
    let subnet_ids: Vec<&str> = subnets["Subnets"].as_array().unwrap().iter().filter_map(|s| s["SubnetId"].as_str()).collect();
    let lb = server.aws_json(&["elbv2", "create-load-balancer", "--name", "geo", "--subnets", subnet_ids[0], subnet_ids[1]]);
    let lb_arn = text(&lb, "/LoadBalancers/0/LoadBalancerArn").to_owned();
    let port = free_port();
    let fixed = "Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=hello}";
    server.aws_json(&["elbv2", "create-listener", "--load-balancer-arn", &lb_arn, "--protocol", "HTTP", "--port", &port.to_string(), "--default-actions", fixed]);
    let rules = r#"[{"Name":"no-gb","Priority":0,"Action":{"Block":{}},"Statement":{"GeoMatchStatement":{"CountryCodes":["GB"],"ForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"NO_MATCH"}}},"VisibilityConfig":{"SampledRequestsEnabled":true,"CloudWatchMetricsEnabled":true,"MetricName":"no-gb"}}]"#;
    let acl = server.aws_json(&[
        "wafv2", "create-web-acl", "--name", "geo-acl", "--scope", "REGIONAL", "--default-action", "Allow={}", "--rules", rules,
        "--visibility-config", "SampledRequestsEnabled=true,CloudWatchMetricsEnabled=true,MetricName=geo-acl",
    ]);
    server.aws_json(&["wafv2", "associate-web-acl", "--web-acl-arn", text(&acl, "/Summary/ARN"), "--resource-arn", &lb_arn]);
    let from = |address: &str| http(port, "GET", "/", &[BROWSER, ("X-Forwarded-For", address)], b"").unwrap().status;
    assert_eq!(from("81.2.69.160"), 403, "an address the database places in GB is blocked");
    assert_eq!(from("198.51.100.7"), 200, "an address in FR passes");
    assert_eq!(from("192.0.2.1"), 200, "an address the database does not know passes");
    assert_eq!(http(port, "GET", "/", &[BROWSER], b"").unwrap().status, 200, "without the header, NO_MATCH");
}
