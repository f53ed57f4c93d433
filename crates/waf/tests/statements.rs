//! Every statement type and field to match, as the AWS WAF developer guide describes them.

mod support;

use serde_json::json;
use support::*;
use waf::{Action, ActionKind, RateState};

fn only(statement: serde_json::Value) -> waf::WebAcl {
    acl(json!([rule("r", 0, statement, "Block")]))
}

#[test]
fn byte_match_honours_every_positional_constraint() {
    let field = json!({ "UriPath": {} });
    let cases = [
        ("EXACTLY", "/admin", "/admin", true),
        ("EXACTLY", "/admin", "/admin/x", false),
        ("STARTS_WITH", "/admin", "/admin/x", true),
        ("STARTS_WITH", "/admin", "/x/admin", false),
        ("ENDS_WITH", ".php", "/a/b.php", true),
        ("ENDS_WITH", ".php", "/a.php/b", false),
        ("CONTAINS", "min", "/admin/x", true),
        ("CONTAINS", "zzz", "/admin/x", false),
        ("CONTAINS_WORD", "admin", "/x/admin/y", true),
        ("CONTAINS_WORD", "admin", "/x/administrator", false),
    ];
    for (position, search, path, expected) in cases {
        let acl = only(byte_match(field.clone(), search, position, &["NONE"]));
        assert_eq!(
            blocked(&get(path).evaluate(&acl)),
            expected,
            "{position} {search} {path}"
        );
    }
}

#[test]
fn text_transformations_run_before_matching() {
    let acl = only(byte_match(
        json!({ "QueryString": {} }),
        "<script>",
        "CONTAINS",
        &["URL_DECODE", "HTML_ENTITY_DECODE", "LOWERCASE"],
    ));
    assert!(blocked(&get("/?q=%26lt%3BSCRIPT%26gt%3B").evaluate(&acl)));
    assert!(!blocked(&get("/?q=script").evaluate(&acl)));
}

#[test]
fn sqli_match_finds_injection_in_query_arguments() {
    let acl = only(
        json!({ "SqliMatchStatement": { "FieldToMatch": { "AllQueryArguments": {} }, "TextTransformations": transformations(&["URL_DECODE"]) } }),
    );
    assert!(blocked(
        &get("/item?id=1%27%20OR%20%271%27%3D%271").evaluate(&acl)
    ));
    assert!(!blocked(&get("/item?id=42&name=O%27Brien").evaluate(&acl)));
}

#[test]
fn sqli_match_high_sensitivity_finds_more() {
    let statement = |level: &str| json!({ "SqliMatchStatement": { "FieldToMatch": { "SingleQueryArgument": { "Name": "q" } }, "TextTransformations": transformations(&["URL_DECODE"]), "SensitivityLevel": level } });
    let request = get("/?q=name%20or%201%3D1");
    assert!(!blocked(&request.evaluate(&only(statement("LOW")))));
    assert!(blocked(&request.evaluate(&only(statement("HIGH")))));
}

#[test]
fn xss_match_finds_scripts_in_query_and_body() {
    let acl = acl(json!([
        rule(
            "query",
            0,
            json!({ "XssMatchStatement": { "FieldToMatch": { "QueryString": {} }, "TextTransformations": transformations(&["URL_DECODE"]) } }),
            "Block"
        ),
        rule(
            "body",
            1,
            json!({ "XssMatchStatement": { "FieldToMatch": { "Body": {} }, "TextTransformations": transformations(&["URL_DECODE"]) } }),
            "Block"
        ),
    ]));
    assert_eq!(
        terminating(&get("/?q=%3Cscript%3Ealert(1)%3C/script%3E").evaluate(&acl)),
        Some("query")
    );
    assert_eq!(
        terminating(&post("/", "comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E").evaluate(&acl)),
        Some("body")
    );
    assert_eq!(
        terminating(&post("/", "comment=hello").evaluate(&acl)),
        None
    );
}

#[test]
fn regex_match_and_regex_pattern_sets_match_fields() {
    let mut ctx = context();
    ctx.regex_pattern_sets.insert(
        "arn:aws:wafv2:us-east-1:111122223333:regional/regexpatternset/bots/1".into(),
        vec!["(?i)badbot".into(), "^curl/".into()],
    );
    let acl = acl_with(
        json!([
            rule(
                "regex",
                0,
                json!({ "RegexMatchStatement": { "RegexString": "^/api/v[0-9]+/admin", "FieldToMatch": { "UriPath": {} }, "TextTransformations": none() } }),
                "Block"
            ),
            rule(
                "set",
                1,
                json!({ "RegexPatternSetReferenceStatement": { "ARN": "arn:aws:wafv2:us-east-1:111122223333:regional/regexpatternset/bots/1", "FieldToMatch": { "SingleHeader": { "Name": "User-Agent" } }, "TextTransformations": none() } }),
                "Block"
            ),
        ]),
        &ctx,
    );
    assert_eq!(
        terminating(&get("/api/v2/admin/users").evaluate(&acl)),
        Some("regex")
    );
    assert_eq!(
        terminating(
            &get("/x")
                .without_header("user-agent")
                .header("User-Agent", "curl/8.0")
                .evaluate(&acl)
        ),
        Some("set")
    );
    assert_eq!(terminating(&get("/api/v2/users").evaluate(&acl)), None);
}

#[test]
fn size_constraints_compare_lengths_and_full_body_size() {
    let acl = acl(json!([
        rule(
            "query",
            0,
            json!({ "SizeConstraintStatement": { "FieldToMatch": { "QueryString": {} }, "ComparisonOperator": "GT", "Size": 10, "TextTransformations": none() } }),
            "Block"
        ),
        rule(
            "body",
            1,
            json!({ "SizeConstraintStatement": { "FieldToMatch": { "Body": {} }, "ComparisonOperator": "GE", "Size": 10000, "TextTransformations": none() } }),
            "Block"
        ),
    ]));
    assert_eq!(
        terminating(&get("/?a=123456789").evaluate(&acl)),
        Some("query")
    );
    assert_eq!(terminating(&get("/?a=1").evaluate(&acl)), None);
    assert_eq!(
        terminating(&post("/", &"x".repeat(10_000)).evaluate(&acl)),
        Some("body")
    );
    for (operator, size, expected) in [
        ("EQ", 3, true),
        ("NE", 3, false),
        ("LE", 3, true),
        ("LT", 3, false),
        ("GE", 4, false),
        ("GT", 2, true),
    ] {
        let acl = only(
            json!({ "SizeConstraintStatement": { "FieldToMatch": { "Method": {} }, "ComparisonOperator": operator, "Size": size, "TextTransformations": none() } }),
        );
        assert_eq!(
            blocked(&get("/").evaluate(&acl)),
            expected,
            "{operator} {size}"
        );
    }
}

#[test]
fn ip_set_reference_matches_client_and_forwarded_addresses() {
    let arn = "arn:aws:wafv2:us-east-1:111122223333:regional/ipset/blocked/1";
    let mut ctx = context();
    ctx.ip_sets.insert(
        arn.into(),
        vec!["203.0.113.0/24".into(), "2001:db8::/32".into()],
    );
    let client = acl_with(
        json!([rule(
            "r",
            0,
            json!({ "IPSetReferenceStatement": { "ARN": arn } }),
            "Block"
        )]),
        &ctx,
    );
    assert!(blocked(&get("/").from("203.0.113.9").evaluate(&client)));
    assert!(blocked(&get("/").from("2001:db8::1").evaluate(&client)));
    assert!(!blocked(&get("/").from("198.51.100.1").evaluate(&client)));
    let forwarded = |position: &str, fallback: &str| {
        acl_with(
            json!([rule(
                "r",
                0,
                json!({ "IPSetReferenceStatement": { "ARN": arn, "IPSetForwardedIPConfig": { "HeaderName": "X-Forwarded-For", "FallbackBehavior": fallback, "Position": position } } }),
                "Block"
            )]),
            &ctx,
        )
    };
    let request = get("/").header("X-Forwarded-For", "198.51.100.1, 203.0.113.5");
    assert!(!blocked(&request.evaluate(&forwarded("FIRST", "NO_MATCH"))));
    assert!(blocked(&request.evaluate(&forwarded("LAST", "NO_MATCH"))));
    assert!(blocked(&request.evaluate(&forwarded("ANY", "NO_MATCH"))));
    assert!(blocked(
        &get("/")
            .header("X-Forwarded-For", "not-an-ip")
            .evaluate(&forwarded("FIRST", "MATCH"))
    ));
    assert!(!blocked(
        &get("/").evaluate(&forwarded("FIRST", "NO_MATCH"))
    ));
}

#[test]
fn geo_match_uses_the_request_country_and_labels_it() {
    let acl = only(json!({ "GeoMatchStatement": { "CountryCodes": ["KP", "IR"] } }));
    assert!(blocked(&get("/").country("KP").evaluate(&acl)));
    let verdict = get("/").country("FR").evaluate(&acl);
    assert!(!blocked(&verdict));
    assert!(verdict
        .labels
        .contains(&"awswaf:clientip:geo:country:FR".to_string()));
    assert!(!blocked(&get("/").evaluate(&acl)));
}

#[test]
fn asn_match_uses_the_request_asn() {
    let acl = only(json!({ "AsnMatchStatement": { "AsnList": [64496, 64497] } }));
    let mut request = get("/");
    request.asn = Some(64497);
    assert!(blocked(&request.evaluate(&acl)));
    request.asn = Some(1);
    assert!(!blocked(&request.evaluate(&acl)));
}

#[test]
fn and_or_not_combine_statements() {
    let post_method = byte_match(json!({ "Method": {} }), "POST", "EXACTLY", &["NONE"]);
    let login = byte_match(json!({ "UriPath": {} }), "/login", "STARTS_WITH", &["NONE"]);
    let and =
        only(json!({ "AndStatement": { "Statements": [post_method.clone(), login.clone()] } }));
    assert!(blocked(&post("/login", "").evaluate(&and)));
    assert!(!blocked(&get("/login").evaluate(&and)));
    let or = only(json!({ "OrStatement": { "Statements": [post_method.clone(), login.clone()] } }));
    assert!(blocked(&get("/login").evaluate(&or)));
    assert!(!blocked(&get("/home").evaluate(&or)));
    let not = only(json!({ "NotStatement": { "Statement": login } }));
    assert!(blocked(&get("/home").evaluate(&not)));
    assert!(!blocked(&get("/login").evaluate(&not)));
}

#[test]
fn labels_from_earlier_rules_are_matched_by_later_rules() {
    let mut labeller = rule(
        "tag-admin",
        0,
        byte_match(json!({ "UriPath": {} }), "/admin", "STARTS_WITH", &["NONE"]),
        "Count",
    );
    labeller["RuleLabels"] = json!([{ "Name": "area:admin" }]);
    let acl = acl(json!([
        labeller,
        rule(
            "by-label",
            1,
            json!({ "LabelMatchStatement": { "Scope": "LABEL", "Key": "area:admin" } }),
            "Block"
        ),
        rule(
            "by-namespace",
            2,
            json!({ "LabelMatchStatement": { "Scope": "NAMESPACE", "Key": "area:" } }),
            "Block"
        ),
    ]));
    let verdict = get("/admin/users").evaluate(&acl);
    assert_eq!(terminating(&verdict), Some("by-label"));
    assert_eq!(verdict.labels, vec![format!("{NAMESPACE}area:admin")]);
    assert_eq!(verdict.non_terminating_matches[0].name, "tag-admin");
    assert_eq!(verdict.non_terminating_matches[0].action, ActionKind::Count);
    assert_eq!(terminating(&get("/shop").evaluate(&acl)), None);
}

#[test]
fn a_label_is_not_visible_to_rules_evaluated_before_it_is_added() {
    let mut labeller = rule(
        "tag",
        5,
        byte_match(json!({ "UriPath": {} }), "/", "STARTS_WITH", &["NONE"]),
        "Count",
    );
    labeller["RuleLabels"] = json!([{ "Name": "seen" }]);
    let acl = acl(json!([
        rule(
            "early",
            1,
            json!({ "LabelMatchStatement": { "Scope": "LABEL", "Key": "seen" } }),
            "Block"
        ),
        labeller
    ]));
    assert_eq!(terminating(&get("/").evaluate(&acl)), None);
}

#[test]
fn rules_run_in_priority_order_not_list_order() {
    let acl = acl(json!([
        rule(
            "second",
            2,
            byte_match(json!({ "UriPath": {} }), "/", "STARTS_WITH", &["NONE"]),
            "Block"
        ),
        rule(
            "first",
            1,
            byte_match(json!({ "UriPath": {} }), "/", "STARTS_WITH", &["NONE"]),
            "Allow"
        ),
    ]));
    let verdict = get("/").evaluate(&acl);
    assert_eq!(verdict.action, Action::Allow);
    assert_eq!(terminating(&verdict), Some("first"));
}

#[test]
fn default_action_applies_when_no_rule_terminates() {
    let acl = waf::WebAcl::from_json(&json!({ "Block": {} }), &json!([]), &context()).unwrap();
    let verdict = get("/").evaluate(&acl);
    assert!(blocked(&verdict));
    assert!(verdict.terminating_rule.is_none());
}

#[test]
fn block_custom_responses_and_inserted_request_headers() {
    let mut ctx = context();
    ctx.custom_response_bodies = json!({ "denied": { "ContentType": "APPLICATION_JSON", "Content": "{\"error\":\"denied\"}" } });
    let mut block = rule(
        "deny",
        1,
        byte_match(
            json!({ "UriPath": {} }),
            "/secret",
            "STARTS_WITH",
            &["NONE"],
        ),
        "Block",
    );
    block["Action"] = json!({ "Block": { "CustomResponse": { "ResponseCode": 418, "CustomResponseBodyKey": "denied", "ResponseHeaders": [{ "Name": "x-reason", "Value": "teapot" }] } } });
    let mut count = rule(
        "mark",
        0,
        byte_match(json!({ "UriPath": {} }), "/", "STARTS_WITH", &["NONE"]),
        "Count",
    );
    count["Action"] = json!({ "Count": { "CustomRequestHandling": { "InsertHeaders": [{ "Name": "seen", "Value": "yes" }] } } });
    let acl = acl_with(json!([count, block]), &ctx);
    let verdict = get("/secret").evaluate(&acl);
    let Action::Block {
        custom_response: Some(response),
    } = &verdict.action
    else {
        panic!("{verdict:?}")
    };
    assert_eq!(response.status, 418);
    assert_eq!(
        response.headers,
        vec![("x-reason".to_string(), "teapot".to_string())]
    );
    assert_eq!(
        response.body.as_ref().unwrap().content_type,
        "application/json"
    );
    let verdict = get("/open").evaluate(&acl);
    assert_eq!(verdict.action, Action::Allow);
    assert_eq!(
        verdict.inserted_headers,
        vec![("x-amzn-waf-seen".to_string(), "yes".to_string())]
    );
}

#[test]
fn captcha_and_challenge_stop_requests_without_a_valid_token() {
    let acl = acl(json!([
        rule(
            "captcha",
            0,
            byte_match(json!({ "UriPath": {} }), "/login", "EXACTLY", &["NONE"]),
            "Captcha"
        ),
        rule(
            "challenge",
            1,
            byte_match(json!({ "UriPath": {} }), "/", "STARTS_WITH", &["NONE"]),
            "Challenge"
        ),
    ]));
    assert_eq!(get("/login").evaluate(&acl).action, Action::Captcha);
    assert_eq!(get("/home").evaluate(&acl).action, Action::Challenge);
    let mut solved = get("/login");
    solved.token_age = Some(60);
    let verdict = solved.evaluate(&acl);
    assert_eq!(verdict.action, Action::Allow);
    assert_eq!(verdict.non_terminating_matches.len(), 2);
    solved.token_age = Some(301);
    assert_eq!(solved.evaluate(&acl).action, Action::Captcha);
}

#[test]
fn headers_field_honours_pattern_scope_and_oversize_handling() {
    let headers = |pattern: serde_json::Value, scope: &str, oversize: &str| json!({ "Headers": { "MatchPattern": pattern, "MatchScope": scope, "OversizeHandling": oversize } });
    let keys = only(byte_match(
        headers(json!({ "All": {} }), "KEY", "CONTINUE"),
        "x-debug",
        "EXACTLY",
        &["LOWERCASE"],
    ));
    assert!(blocked(&get("/").header("X-Debug", "1").evaluate(&keys)));
    let included = only(byte_match(
        headers(json!({ "IncludedHeaders": ["x-a"] }), "VALUE", "CONTINUE"),
        "evil",
        "CONTAINS",
        &["NONE"],
    ));
    assert!(blocked(&get("/").header("X-A", "evil").evaluate(&included)));
    assert!(!blocked(
        &get("/").header("X-B", "evil").evaluate(&included)
    ));
    let excluded = only(byte_match(
        headers(json!({ "ExcludedHeaders": ["x-a"] }), "VALUE", "CONTINUE"),
        "evil",
        "CONTAINS",
        &["NONE"],
    ));
    assert!(!blocked(
        &get("/").header("X-A", "evil").evaluate(&excluded)
    ));
    let oversize = only(byte_match(
        headers(json!({ "All": {} }), "ALL", "MATCH"),
        "nothing-like-this",
        "CONTAINS",
        &["NONE"],
    ));
    assert!(blocked(
        &get("/")
            .header("X-Big", &"a".repeat(9000))
            .evaluate(&oversize)
    ));
    assert!(!blocked(&get("/").evaluate(&oversize)));
}

#[test]
fn cookies_field_reads_each_cookie() {
    let cookies = |pattern: serde_json::Value, scope: &str| json!({ "Cookies": { "MatchPattern": pattern, "MatchScope": scope, "OversizeHandling": "CONTINUE" } });
    let acl = only(byte_match(
        cookies(json!({ "IncludedCookies": ["session"] }), "VALUE"),
        "admin",
        "EXACTLY",
        &["NONE"],
    ));
    assert!(blocked(
        &get("/")
            .header("Cookie", "theme=dark; session=admin")
            .evaluate(&acl)
    ));
    assert!(!blocked(
        &get("/")
            .header("Cookie", "theme=admin; session=user")
            .evaluate(&acl)
    ));
}

#[test]
fn json_body_inspects_keys_values_and_paths_with_fallbacks() {
    let json_body = |pattern: serde_json::Value, scope: &str, fallback: Option<&str>| {
        let mut field = json!({ "JsonBody": { "MatchPattern": pattern, "MatchScope": scope } });
        if let Some(f) = fallback {
            field["JsonBody"]["InvalidFallbackBehavior"] = json!(f);
        }
        field
    };
    let values = only(byte_match(
        json_body(json!({ "IncludedPaths": ["/user/role"] }), "VALUE", None),
        "admin",
        "EXACTLY",
        &["NONE"],
    ));
    assert!(blocked(
        &post("/", r#"{"user":{"name":"x","role":"admin"}}"#).evaluate(&values)
    ));
    assert!(!blocked(
        &post("/", r#"{"user":{"name":"admin","role":"user"}}"#).evaluate(&values)
    ));
    let keys = only(byte_match(
        json_body(json!({ "All": {} }), "KEY", None),
        "__proto__",
        "EXACTLY",
        &["NONE"],
    ));
    assert!(blocked(
        &post("/", r#"{"a":{"__proto__":{}}}"#).evaluate(&keys)
    ));
    let invalid = |fallback: &str| {
        only(byte_match(
            json_body(json!({ "All": {} }), "ALL", Some(fallback)),
            "zzz",
            "CONTAINS",
            &["NONE"],
        ))
    };
    assert!(blocked(&post("/", "{not json").evaluate(&invalid("MATCH"))));
    assert!(!blocked(
        &post("/", "{not json").evaluate(&invalid("NO_MATCH"))
    ));
    assert!(blocked(
        &post("/", "{zzz").evaluate(&invalid("EVALUATE_AS_STRING"))
    ));
}

#[test]
fn body_beyond_the_inspection_limit_follows_oversize_handling() {
    let body = |oversize: &str| {
        only(byte_match(
            json!({ "Body": { "OversizeHandling": oversize } }),
            "needle",
            "CONTAINS",
            &["NONE"],
        ))
    };
    let late_needle = format!("{}needle", "a".repeat(9000));
    assert!(!blocked(
        &post("/", &late_needle).evaluate(&body("CONTINUE"))
    ));
    assert!(blocked(&post("/", &late_needle).evaluate(&body("MATCH"))));
    assert!(!blocked(
        &post("/", &late_needle).evaluate(&body("NO_MATCH"))
    ));
    assert!(blocked(&post("/", "a needle").evaluate(&body("NO_MATCH"))));
}

#[test]
fn single_header_method_query_argument_and_fragment_fields() {
    let acl = acl(json!([
        rule(
            "header",
            0,
            byte_match(
                json!({ "SingleHeader": { "Name": "x-api-key" } }),
                "leaked",
                "EXACTLY",
                &["NONE"]
            ),
            "Block"
        ),
        rule(
            "argument",
            1,
            byte_match(
                json!({ "SingleQueryArgument": { "Name": "Action" } }),
                "delete",
                "EXACTLY",
                &["LOWERCASE"]
            ),
            "Block"
        ),
        rule(
            "all-arguments",
            2,
            byte_match(
                json!({ "AllQueryArguments": {} }),
                "evil",
                "EXACTLY",
                &["NONE"]
            ),
            "Block"
        ),
        rule(
            "method",
            3,
            byte_match(json!({ "Method": {} }), "DELETE", "EXACTLY", &["NONE"]),
            "Block"
        ),
        rule(
            "fragment",
            4,
            byte_match(
                json!({ "UriFragment": { "FallbackBehavior": "NO_MATCH" } }),
                "x",
                "EXACTLY",
                &["NONE"]
            ),
            "Block"
        ),
    ]));
    assert_eq!(
        terminating(&get("/").header("X-Api-Key", "leaked").evaluate(&acl)),
        Some("header")
    );
    assert_eq!(
        terminating(&get("/?action=DELETE").evaluate(&acl)),
        Some("argument")
    );
    assert_eq!(
        terminating(&get("/?a=1&b=evil").evaluate(&acl)),
        Some("all-arguments")
    );
    let mut delete = get("/");
    delete.method = "DELETE".into();
    assert_eq!(terminating(&delete.evaluate(&acl)), Some("method"));
    let mut fragment = get("/");
    fragment.fragment = Some("x".into());
    assert_eq!(terminating(&fragment.evaluate(&acl)), Some("fragment"));
    assert_eq!(terminating(&get("/?a=good").evaluate(&acl)), None);
}

#[test]
fn rule_groups_run_their_rules_with_overrides() {
    let arn = "arn:aws:wafv2:us-east-1:111122223333:regional/rulegroup/mine/1";
    let mut ctx = context();
    let mut tagged = rule(
        "no-admin",
        0,
        byte_match(json!({ "UriPath": {} }), "/admin", "STARTS_WITH", &["NONE"]),
        "Block",
    );
    tagged["RuleLabels"] = json!([{ "Name": "admin" }]);
    ctx.rule_groups.insert(
        arn.into(),
        waf::RuleGroupDefinition {
            name: "mine".into(),
            rules: json!([
                tagged,
                rule(
                    "no-php",
                    1,
                    byte_match(json!({ "UriPath": {} }), ".php", "ENDS_WITH", &["NONE"]),
                    "Block"
                )
            ]),
            capacity: 100,
            label_namespace: "awswaf:111122223333:rulegroup:mine:".into(),
            custom_response_bodies: json!(null),
        },
    );
    let reference = |override_action: serde_json::Value, overrides: serde_json::Value| {
        json!([{
            "Name": "use-mine", "Priority": 0,
            "Statement": { "RuleGroupReferenceStatement": { "ARN": arn, "RuleActionOverrides": overrides } },
            "OverrideAction": override_action,
            "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "use-mine" },
        }])
    };
    let plain = acl_with(reference(json!({ "None": {} }), json!([])), &ctx);
    let verdict = get("/admin").evaluate(&plain);
    let rule = verdict.terminating_rule.clone().unwrap();
    assert_eq!(
        (
            rule.name.as_str(),
            rule.rule_group.as_deref(),
            rule.via_rule.as_deref()
        ),
        ("no-admin", Some("mine"), Some("use-mine"))
    );
    assert_eq!(
        verdict.labels,
        vec!["awswaf:111122223333:rulegroup:mine:admin".to_string()]
    );
    let counted = acl_with(reference(json!({ "Count": {} }), json!([])), &ctx);
    let verdict = get("/admin").evaluate(&counted);
    assert_eq!(verdict.action, Action::Allow);
    assert_eq!(verdict.non_terminating_matches[0].name, "no-admin");
    let overridden = acl_with(
        reference(
            json!({ "None": {} }),
            json!([{ "Name": "no-php", "ActionToUse": { "Count": {} } }]),
        ),
        &ctx,
    );
    assert_eq!(get("/x.php").evaluate(&overridden).action, Action::Allow);
    assert!(blocked(&get("/admin").evaluate(&overridden)));
}

#[test]
fn rate_based_rule_blocks_the_request_over_the_limit_and_releases_later() {
    let acl = acl(json!([rule(
        "flood",
        0,
        json!({ "RateBasedStatement": { "Limit": 20, "EvaluationWindowSec": 60, "AggregateKeyType": "IP" } }),
        "Block"
    )]));
    let rate = RateState::new();
    let request = get("/");
    for i in 0..20 {
        assert!(
            !blocked(&request.evaluate_at(&acl, &rate, 1_000 + i * 100)),
            "request {}",
            i + 1
        );
    }
    assert!(
        blocked(&request.evaluate_at(&acl, &rate, 3_000)),
        "the 21st request within 60 s"
    );
    assert!(
        !blocked(
            &get("/")
                .from("198.51.100.8")
                .evaluate_at(&acl, &rate, 3_000)
        ),
        "another client has its own count"
    );
    assert_eq!(
        acl.rate_limited_keys("flood", None, &rate, 3_000),
        vec![b"198.51.100.7".to_vec()]
    );
    // The first requests leave the window 60 s after they came; the client is below the limit.
    assert!(!blocked(&request.evaluate_at(&acl, &rate, 62_000)));
    assert!(acl
        .rate_limited_keys("flood", None, &rate, 62_000)
        .is_empty());
}

#[test]
fn rate_based_rules_aggregate_by_forwarded_ip_custom_keys_or_constant_with_scope_down() {
    let statement = |body: serde_json::Value| {
        acl(json!([rule(
            "flood",
            0,
            json!({ "RateBasedStatement": body }),
            "Block"
        )]))
    };
    let forwarded = statement(
        json!({ "Limit": 10, "EvaluationWindowSec": 60, "AggregateKeyType": "FORWARDED_IP", "ForwardedIPConfig": { "HeaderName": "X-Forwarded-For", "FallbackBehavior": "NO_MATCH" } }),
    );
    let rate = RateState::new();
    for i in 0..10 {
        assert!(!blocked(
            &get("/")
                .header("X-Forwarded-For", "203.0.113.1")
                .from(&format!("10.0.0.{i}"))
                .evaluate_at(&forwarded, &rate, 10)
        ));
    }
    assert!(blocked(
        &get("/")
            .header("X-Forwarded-For", "203.0.113.1")
            .evaluate_at(&forwarded, &rate, 10)
    ));
    let custom = statement(
        json!({ "Limit": 10, "AggregateKeyType": "CUSTOM_KEYS", "CustomKeys": [{ "Header": { "Name": "x-api-key", "TextTransformations": none() } }, { "HTTPMethod": {} }] }),
    );
    let rate = RateState::new();
    for _ in 0..10 {
        assert!(!blocked(
            &get("/")
                .header("x-api-key", "k1")
                .evaluate_at(&custom, &rate, 10)
        ));
    }
    assert!(blocked(
        &get("/")
            .header("x-api-key", "k1")
            .evaluate_at(&custom, &rate, 10)
    ));
    assert!(!blocked(
        &get("/")
            .header("x-api-key", "k2")
            .evaluate_at(&custom, &rate, 10)
    ));
    assert!(
        !blocked(&get("/").evaluate_at(&custom, &rate, 10)),
        "a request without the key is not counted"
    );
    let constant = statement(
        json!({ "Limit": 10, "AggregateKeyType": "CONSTANT", "ScopeDownStatement": byte_match(json!({ "UriPath": {} }), "/login", "EXACTLY", &["NONE"]) }),
    );
    let rate = RateState::new();
    for i in 0..10 {
        assert!(!blocked(
            &get("/login")
                .from(&format!("10.0.0.{i}"))
                .evaluate_at(&constant, &rate, 10)
        ));
        assert!(!blocked(&get("/other").evaluate_at(&constant, &rate, 10)));
    }
    assert!(blocked(
        &get("/login")
            .from("10.9.9.9")
            .evaluate_at(&constant, &rate, 10)
    ));
    assert!(!blocked(&get("/other").evaluate_at(&constant, &rate, 10)));
}

#[test]
fn header_order_and_tls_fingerprints_are_fields() {
    let acl = acl(json!([
        rule(
            "order",
            0,
            byte_match(
                json!({ "HeaderOrder": { "OversizeHandling": "CONTINUE" } }),
                "host:user-agent:x-odd",
                "EXACTLY",
                &["NONE"]
            ),
            "Block"
        ),
        rule(
            "ja3",
            1,
            byte_match(
                json!({ "JA3Fingerprint": { "FallbackBehavior": "NO_MATCH" } }),
                "e7d705a3286e19ea42f587b344ee6865",
                "EXACTLY",
                &["NONE"]
            ),
            "Block"
        ),
    ]));
    assert_eq!(
        terminating(&get("/").header("X-Odd", "1").evaluate(&acl)),
        Some("order")
    );
    assert_eq!(
        terminating(&get("/").evaluate(&acl)),
        None,
        "no fingerprint: the fallback decides"
    );
    let headers: Vec<(&str, &[u8])> = vec![("Host", b"a"), ("User-Agent", b"b")];
    let mut request = waf::Request::new("GET", "/", "", ip("198.51.100.7")).with_headers(&headers);
    request.ja3_fingerprint = Some("e7d705a3286e19ea42f587b344ee6865");
    assert_eq!(
        acl.evaluate(&request, &RateState::new(), 0)
            .terminating_rule
            .unwrap()
            .name,
        "ja3"
    );
}

struct Lookup;

impl waf::IpLookup for Lookup {
    fn country(&self, ip: std::net::IpAddr) -> Option<String> {
        (ip == support::ip("203.0.113.50")).then(|| "NZ".to_string())
    }
    fn asn(&self, _: std::net::IpAddr) -> Option<u32> {
        Some(64500)
    }
}

#[test]
fn geo_and_asn_of_forwarded_addresses_come_from_the_lookup() {
    let forwarded = json!({ "HeaderName": "X-Forwarded-For", "FallbackBehavior": "NO_MATCH" });
    let acl = acl(json!([
        rule(
            "geo",
            0,
            json!({ "GeoMatchStatement": { "CountryCodes": ["NZ"], "ForwardedIPConfig": forwarded } }),
            "Block"
        ),
        rule(
            "asn",
            1,
            json!({ "AsnMatchStatement": { "AsnList": [64500], "ForwardedIPConfig": forwarded } }),
            "Count"
        ),
    ]));
    let headers: Vec<(&str, &[u8])> = vec![("X-Forwarded-For", b"203.0.113.50")];
    let mut request = waf::Request::new("GET", "/", "", ip("10.0.0.1")).with_headers(&headers);
    request.ip_lookup = Some(&Lookup);
    let verdict = acl.evaluate(&request, &RateState::new(), 0);
    assert_eq!(verdict.terminating_rule.unwrap().name, "geo");
    assert!(verdict
        .labels
        .contains(&"awswaf:forwardedip:geo:country:NZ".to_string()));
}

#[test]
fn rule_groups_are_checked_on_their_own() {
    let ctx = context();
    let definition = |rules: serde_json::Value| waf::RuleGroupDefinition {
        name: "g".into(),
        rules,
        capacity: 100,
        label_namespace: "awswaf:111122223333:rulegroup:g:".into(),
        custom_response_bodies: json!(null),
    };
    assert!(waf::check_rule_group(
        &definition(json!([rule(
            "a",
            0,
            byte_match(json!({ "UriPath": {} }), "/x", "EXACTLY", &["NONE"]),
            "Block"
        )])),
        &ctx
    )
    .is_ok());
    let nested = json!([{ "Name": "m", "Priority": 0, "Statement": { "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet" } }, "OverrideAction": { "None": {} }, "VisibilityConfig": { "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": "m" } }]);
    assert_eq!(
        waf::check_rule_group(&definition(nested), &ctx)
            .unwrap_err()
            .field,
        "STATEMENT"
    );
}
