//! Invalid definitions get AWS's WAFInvalidParameterException fields, and capacity units follow
//! AWS's documented costs.

mod support;

use serde_json::{json, Value};
use support::*;
use waf::{capacity, WebAcl};

fn error(default_action: Value, rules: Value) -> waf::InvalidParameter {
    WebAcl::from_json(&default_action, &rules, &context()).unwrap_err()
}

fn uri_match() -> Value {
    byte_match(json!({ "UriPath": {} }), "/x", "EXACTLY", &["NONE"])
}

#[test]
fn a_rule_needs_exactly_one_action() {
    let mut both = rule("r", 0, uri_match(), "Block");
    both["Action"] = json!({ "Block": {}, "Allow": {} });
    let e = error(json!({ "Allow": {} }), json!([both]));
    assert_eq!(
        (e.field, e.parameter.as_str()),
        ("RULE_ACTION", "RuleAction")
    );
    assert_eq!(
        e.reason,
        "You have used none or multiple values for a field that requires exactly one value."
    );
    assert_eq!(e.message, "Error reason: You have used none or multiple values for a field that requires exactly one value., field: RULE_ACTION, parameter: RuleAction");
    let mut none = rule("r", 0, uri_match(), "Block");
    none.as_object_mut().unwrap().remove("Action");
    assert_eq!(
        error(json!({ "Allow": {} }), json!([none])).field,
        "RULE_ACTION"
    );
}

#[test]
fn a_rule_group_reference_needs_an_override_action() {
    let mut managed = rule(
        "m",
        0,
        json!({ "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet" } }),
        "Block",
    );
    assert_eq!(
        error(json!({ "Allow": {} }), json!([managed.clone()])).field,
        "OVERRIDE_ACTION"
    );
    managed.as_object_mut().unwrap().remove("Action");
    managed["OverrideAction"] = json!({ "None": {} });
    assert!(WebAcl::from_json(&json!({ "Allow": {} }), &json!([managed]), &context()).is_ok());
}

#[test]
fn names_and_priorities_are_unique() {
    assert_eq!(
        error(
            json!({ "Allow": {} }),
            json!([
                rule("a", 0, uri_match(), "Block"),
                rule("a", 1, uri_match(), "Block")
            ])
        )
        .field,
        "RULE"
    );
    assert_eq!(
        error(
            json!({ "Allow": {} }),
            json!([
                rule("a", 0, uri_match(), "Block"),
                rule("b", 0, uri_match(), "Block")
            ])
        )
        .field,
        "RULE"
    );
}

#[test]
fn statements_are_checked() {
    let one = |statement: Value| {
        error(
            json!({ "Allow": {} }),
            json!([rule("r", 0, statement, "Block")]),
        )
    };
    assert_eq!(one(json!({})).field, "STATEMENT");
    assert_eq!(
        one(json!({ "AndStatement": { "Statements": [uri_match()] } })).field,
        "AND_STATEMENT"
    );
    assert_eq!(one(json!({ "RegexMatchStatement": { "RegexString": "(unclosed", "FieldToMatch": { "UriPath": {} }, "TextTransformations": none() } })).field, "STATEMENT");
    assert_eq!(one(json!({ "ByteMatchStatement": { "SearchString": b64("x"), "FieldToMatch": { "UriPath": {} }, "TextTransformations": none(), "PositionalConstraint": "NEAR" } })).field, "POSITIONAL_CONSTRAINT");
    assert_eq!(one(json!({ "ByteMatchStatement": { "SearchString": b64("x"), "FieldToMatch": { "UriPath": {}, "Method": {} }, "TextTransformations": none(), "PositionalConstraint": "EXACTLY" } })).field, "FIELD_TO_MATCH");
    assert_eq!(one(json!({ "ByteMatchStatement": { "SearchString": b64("x"), "FieldToMatch": { "UriPath": {} }, "TextTransformations": [{ "Priority": 0, "Type": "ROT13" }], "PositionalConstraint": "EXACTLY" } })).field, "TEXT_TRANSFORMATION");
    assert_eq!(one(json!({ "ByteMatchStatement": { "SearchString": b64("x"), "FieldToMatch": { "UriPath": {} }, "TextTransformations": transformations(&["NONE", "LOWERCASE"]).as_array().unwrap().iter().map(|t| { let mut t = t.clone(); t["Priority"] = json!(0); t }).collect::<Vec<_>>(), "PositionalConstraint": "EXACTLY" } })).field, "TEXT_TRANSFORMATION");
    assert_eq!(one(json!({ "IPSetReferenceStatement": { "ARN": "arn:aws:wafv2:us-east-1:111122223333:regional/ipset/none/1" } })).exception, "WAFNonexistentItemException");
    assert_eq!(
        one(json!({ "RateBasedStatement": { "Limit": 5, "AggregateKeyType": "IP" } })).field,
        "RATE_BASED_STATEMENT"
    );
    assert_eq!(one(json!({ "RateBasedStatement": { "Limit": 100, "EvaluationWindowSec": 30, "AggregateKeyType": "IP" } })).field, "RATE_BASED_STATEMENT");
    assert_eq!(
        one(json!({ "RateBasedStatement": { "Limit": 100, "AggregateKeyType": "FORWARDED_IP" } }))
            .field,
        "FORWARDED_IP_CONFIG"
    );
    assert_eq!(one(json!({ "NotStatement": { "Statement": { "RateBasedStatement": { "Limit": 100, "AggregateKeyType": "IP" } } } })).field, "STATEMENT");
    assert_eq!(one(json!({ "RateBasedStatement": { "Limit": 100, "AggregateKeyType": "IP", "ScopeDownStatement": { "RateBasedStatement": { "Limit": 100, "AggregateKeyType": "IP" } } } })).field, "SCOPE_DOWN");
    assert_eq!(
        one(json!({ "GeoMatchStatement": { "CountryCodes": ["usa"] } })).field,
        "GEO_MATCH_STATEMENT"
    );
    assert_eq!(
        one(json!({ "LabelMatchStatement": { "Scope": "LABEL", "Key": "bad label!" } })).field,
        "LABEL_MATCH_STATEMENT"
    );
    assert_eq!(
        one(json!({ "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": "NoSuchGroup" } }))
            .exception,
        "WAFNonexistentItemException"
    );
}

#[test]
fn custom_responses_are_checked() {
    let mut r = rule("r", 0, uri_match(), "Block");
    r["Action"] = json!({ "Block": { "CustomResponse": { "ResponseCode": 999 } } });
    assert_eq!(
        error(json!({ "Allow": {} }), json!([r.clone()])).field,
        "CUSTOM_RESPONSE"
    );
    r["Action"] = json!({ "Block": { "CustomResponse": { "ResponseCode": 403, "CustomResponseBodyKey": "missing" } } });
    assert_eq!(
        error(json!({ "Allow": {} }), json!([r])).field,
        "CUSTOM_RESPONSE_BODY"
    );
    assert_eq!(
        error(json!({ "Count": {} }), json!([])).field,
        "DEFAULT_ACTION"
    );
    assert_eq!(error(json!({}), json!([])).field, "DEFAULT_ACTION");
}

#[test]
fn capacity_follows_aws_documented_costs() {
    let ctx = context();
    let wcu =
        |statement: Value| capacity(&json!([rule("r", 0, statement, "Block")]), &ctx).unwrap();
    assert_eq!(
        wcu(byte_match(
            json!({ "UriPath": {} }),
            "x",
            "EXACTLY",
            &["NONE"]
        )),
        2
    );
    assert_eq!(
        wcu(byte_match(
            json!({ "UriPath": {} }),
            "x",
            "CONTAINS",
            &["LOWERCASE"]
        )),
        20
    );
    assert_eq!(
        wcu(byte_match(
            json!({ "AllQueryArguments": {} }),
            "x",
            "EXACTLY",
            &["NONE"]
        )),
        12
    );
    assert_eq!(
        wcu(
            json!({ "SqliMatchStatement": { "FieldToMatch": { "Body": {} }, "TextTransformations": none() } })
        ),
        20
    );
    assert_eq!(
        wcu(
            json!({ "SqliMatchStatement": { "FieldToMatch": { "Body": {} }, "TextTransformations": none(), "SensitivityLevel": "HIGH" } })
        ),
        30
    );
    assert_eq!(
        wcu(
            json!({ "XssMatchStatement": { "FieldToMatch": { "JsonBody": { "MatchPattern": { "All": {} }, "MatchScope": "ALL" } }, "TextTransformations": none() } })
        ),
        80
    );
    assert_eq!(
        wcu(
            json!({ "RegexMatchStatement": { "RegexString": "a", "FieldToMatch": { "UriPath": {} }, "TextTransformations": none() } })
        ),
        3
    );
    assert_eq!(
        wcu(json!({ "GeoMatchStatement": { "CountryCodes": ["US"] } })),
        1
    );
    assert_eq!(
        wcu(
            json!({ "RateBasedStatement": { "Limit": 100, "AggregateKeyType": "CUSTOM_KEYS", "CustomKeys": [{ "HTTPMethod": {} }, { "QueryString": { "TextTransformations": transformations(&["LOWERCASE"]) } }] } })
        ),
        2 + 30 + 40
    );
    assert_eq!(
        wcu(
            json!({ "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet" } })
        ),
        700
    );
    assert_eq!(
        wcu(
            json!({ "AndStatement": { "Statements": [{ "GeoMatchStatement": { "CountryCodes": ["US"] } }, { "LabelMatchStatement": { "Scope": "LABEL", "Key": "a" } }] } })
        ),
        2
    );
}
