//! reference_policies_elements_condition_operators.md, section by section. Each row: the
//! operator, the key, the policy values (JSON), the request's values (`None`: key
//! absent), and whether the condition holds (an allow then applies).

use crate::harness::*;

type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static [&'static str]>,
    bool,
);

const STRING: &str = "String condition operators";
const NUMERIC: &str = "Numeric condition operators";
const DATE: &str = "Date condition operators";
const BOOLEAN: &str = "Boolean condition operators";
const BINARY: &str = "Binary condition operators";
const IP: &str = "IP address condition operators";
const ARN: &str = "Amazon Resource Name (ARN) condition operators";
const IF_EXISTS: &str = "...IfExists condition operators";
const NULL: &str = "Condition operator to check existence of condition keys";
const INTRO: &str = "Condition operators (introduction: a missing key does not match)";

const ROWS: &[(&str, &[Row])] = &[
    (STRING, &[
        ("StringEquals", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, Some(&["iamuser-admin"]), true),
        ("StringEquals", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, Some(&["IAMUSER-ADMIN"]), false),
        ("StringEquals", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, None, false),
        ("StringEquals", "aws:PrincipalTag/job-category", r#"["a","iamuser-admin"]"#, Some(&["iamuser-admin"]), true),
        ("StringEquals", "aws:PrincipalTag/job-category", r#""iamuser-*""#, Some(&["iamuser-admin"]), false),
        ("StringEquals", "aws:PrincipalTag/job-category", r#""iamuser-*""#, Some(&["iamuser-*"]), true),
        ("StringNotEquals", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, Some(&["other"]), true),
        ("StringNotEquals", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, Some(&["iamuser-admin"]), false),
        ("StringNotEquals", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, None, true),
        ("StringNotEquals", "aws:PrincipalTag/job-category", r#"["a","b"]"#, Some(&["b"]), false),
        ("StringNotEquals", "aws:PrincipalTag/job-category", r#"["a","b"]"#, Some(&["c"]), true),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/job-category", r#""IAMUser-Admin""#, Some(&["iamuser-admin"]), true),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, Some(&["iamuser-adm"]), false),
        ("StringEqualsIgnoreCase", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, None, false),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/job-category", r#""IAMUSER-ADMIN""#, Some(&["iamuser-admin"]), false),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, Some(&["other"]), true),
        ("StringNotEqualsIgnoreCase", "aws:PrincipalTag/job-category", r#""iamuser-admin""#, None, true),
        ("StringLike", "s3:prefix", r#"["","home/","home/alice/*"]"#, Some(&["home/alice/docs"]), true),
        ("StringLike", "s3:prefix", r#"["","home/","home/alice/*"]"#, Some(&["home/bob/docs"]), false),
        ("StringLike", "s3:prefix", r#"["","home/"]"#, Some(&[""]), true),
        ("StringLike", "s3:prefix", r#""home/???""#, Some(&["home/abc"]), true),
        ("StringLike", "s3:prefix", r#""home/???""#, Some(&["home/abcd"]), false),
        ("StringLike", "s3:prefix", r#""Home/*""#, Some(&["home/x"]), false),
        ("StringLike", "s3:prefix", r#""home/*""#, None, false),
        ("StringLike", "s3:prefix", r#""*a:b*""#, Some(&["xa:by"]), true),
        ("StringNotLike", "s3:prefix", r#""home/*""#, Some(&["work/x"]), true),
        ("StringNotLike", "s3:prefix", r#""home/*""#, Some(&["home/x"]), false),
        ("StringNotLike", "s3:prefix", r#""home/*""#, None, true),
        ("StringNotLike", "s3:prefix", r#"["home/*","work/*"]"#, Some(&["work/x"]), false),
    ]),
    (NUMERIC, &[
        ("NumericLessThanEquals", "s3:max-keys", r#""10""#, Some(&["10"]), true),
        ("NumericLessThanEquals", "s3:max-keys", r#""10""#, Some(&["9"]), true),
        ("NumericLessThanEquals", "s3:max-keys", r#""10""#, Some(&["11"]), false),
        ("NumericLessThanEquals", "s3:max-keys", r#""10""#, None, false),
        ("NumericEquals", "s3:max-keys", r#""10""#, Some(&["10"]), true),
        ("NumericEquals", "s3:max-keys", r#""10""#, Some(&["10.0"]), true),
        ("NumericEquals", "s3:max-keys", r#"10"#, Some(&["10"]), true),
        ("NumericEquals", "s3:max-keys", r#""10""#, Some(&["11"]), false),
        ("NumericEquals", "s3:max-keys", r#""10""#, Some(&["ten"]), false),
        ("NumericNotEquals", "s3:max-keys", r#""10""#, Some(&["11"]), true),
        ("NumericNotEquals", "s3:max-keys", r#""10""#, Some(&["10"]), false),
        ("NumericNotEquals", "s3:max-keys", r#""10""#, None, true),
        ("NumericLessThan", "s3:max-keys", r#""10""#, Some(&["9.5"]), true),
        ("NumericLessThan", "s3:max-keys", r#""10""#, Some(&["10"]), false),
        ("NumericGreaterThan", "s3:max-keys", r#""10""#, Some(&["11"]), true),
        ("NumericGreaterThan", "s3:max-keys", r#""10""#, Some(&["10"]), false),
        ("NumericGreaterThanEquals", "s3:max-keys", r#""10""#, Some(&["10"]), true),
        ("NumericGreaterThanEquals", "s3:max-keys", r#""10""#, Some(&["-3"]), false),
        ("NumericGreaterThan", "s3:max-keys", r#""-5""#, Some(&["-4"]), true),
        ("NumericLessThan", "s3:max-keys", r#"["1","100"]"#, Some(&["50"]), true),
    ]),
    (DATE, &[
        ("DateGreaterThan", "aws:TokenIssueTime", r#""2020-01-01T00:00:01Z""#, Some(&["2020-06-01T00:00:00Z"]), true),
        ("DateGreaterThan", "aws:TokenIssueTime", r#""2020-01-01T00:00:01Z""#, Some(&["2019-12-31T23:59:59Z"]), false),
        ("DateGreaterThan", "aws:TokenIssueTime", r#""2020-01-01T00:00:01Z""#, Some(&["2020-01-01T00:00:01Z"]), false),
        ("DateGreaterThan", "aws:TokenIssueTime", r#""2020-01-01T00:00:01Z""#, None, false),
        ("DateGreaterThanEquals", "aws:TokenIssueTime", r#""2020-01-01T00:00:01Z""#, Some(&["2020-01-01T00:00:01Z"]), true),
        ("DateEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["2020-01-01T00:00:00Z"]), true),
        ("DateEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["1577836800"]), true),
        ("DateEquals", "aws:CurrentTime", r#""1577836800""#, Some(&["2020-01-01T00:00:00Z"]), true),
        ("DateEquals", "aws:CurrentTime", r#""2020-01-01""#, Some(&["2020-01-01T00:00:00Z"]), true),
        ("DateEquals", "aws:CurrentTime", r#""2020-01-01T02:00:00+02:00""#, Some(&["2020-01-01T00:00:00Z"]), true),
        ("DateNotEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["2020-01-02T00:00:00Z"]), true),
        ("DateNotEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, None, true),
        ("DateLessThan", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["2019-12-31T23:59:59.999Z"]), true),
        ("DateLessThan", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["2020-01-01T00:00:00Z"]), false),
        ("DateLessThanEquals", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["2020-01-01T00:00:00Z"]), true),
        ("DateLessThan", "aws:EpochTime", r#""1700000000""#, Some(&["1600000000"]), true),
        ("DateLessThan", "aws:CurrentTime", r#""2020-01-01T00:00:00Z""#, Some(&["not a date"]), false),
        ("DateGreaterThan", "aws:CurrentTime", r#""2020-0*""#, Some(&["2020-05-01T00:00:00Z"]), false),
    ]),
    (BOOLEAN, &[
        ("Bool", "aws:SecureTransport", r#""false""#, Some(&["false"]), true),
        ("Bool", "aws:SecureTransport", r#""false""#, Some(&["true"]), false),
        ("Bool", "aws:SecureTransport", r#"true"#, Some(&["true"]), true),
        ("Bool", "aws:SecureTransport", r#""TRUE""#, Some(&["true"]), true),
        ("Bool", "aws:MultiFactorAuthPresent", r#""true""#, None, false),
        ("Bool", "aws:SecureTransport", r#""yes""#, Some(&["yes"]), false),
    ]),
    (BINARY, &[
        ("BinaryEquals", "custom:key", r#""QmluYXJ5VmFsdWVJbkJhc2U2NA==""#, Some(&["QmluYXJ5VmFsdWVJbkJhc2U2NA=="]), true),
        ("BinaryEquals", "custom:key", r#""QmluYXJ5VmFsdWVJbkJhc2U2NA==""#, Some(&["b3RoZXI="]), false),
        ("BinaryEquals", "custom:key", r#""QmluYXJ5VmFsdWVJbkJhc2U2NA==""#, None, false),
    ]),
    (IP, &[
        ("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, Some(&["203.0.113.7"]), true),
        ("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, Some(&["203.0.114.7"]), false),
        ("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, Some(&["203.0.113.255"]), true),
        ("IpAddress", "aws:SourceIp", r#""203.0.113.5""#, Some(&["203.0.113.5"]), true),
        ("IpAddress", "aws:SourceIp", r#""203.0.113.5""#, Some(&["203.0.113.6"]), false),
        ("IpAddress", "aws:SourceIp", r#""0.0.0.0/0""#, Some(&["198.51.100.1"]), true),
        ("IpAddress", "aws:SourceIp", r#"["203.0.113.0/24","2001:DB8:1234:5678::/64"]"#, Some(&["2001:db8:1234:5678::1"]), true),
        ("IpAddress", "aws:SourceIp", r#"["203.0.113.0/24","2001:DB8:1234:5678::/64"]"#, Some(&["2001:db8:1234:5679::1"]), false),
        ("IpAddress", "aws:SourceIp", r#""2001:DB8:1234:5678::/64""#, Some(&["203.0.113.1"]), false),
        ("IpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, None, false),
        ("IpAddress", "aws:SourceIp", r#""10.0.0.0/8""#, Some(&["10.255.255.255"]), true),
        ("IpAddress", "aws:SourceIp", r#""10.0.0.0/8""#, Some(&["11.0.0.0"]), false),
        ("NotIpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, Some(&["198.51.100.1"]), true),
        ("NotIpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, Some(&["203.0.113.9"]), false),
        ("NotIpAddress", "aws:SourceIp", r#""203.0.113.0/24""#, None, true),
    ]),
    (ARN, &[
        ("ArnEquals", "aws:SourceArn", r#""arn:aws:sns:us-east-2:123456789012:TOPIC-ID""#, Some(&["arn:aws:sns:us-east-2:123456789012:TOPIC-ID"]), true),
        ("ArnEquals", "aws:SourceArn", r#""arn:aws:sns:us-east-2:123456789012:TOPIC-ID""#, Some(&["arn:aws:sns:us-east-2:123456789012:other"]), false),
        ("ArnEquals", "aws:SourceArn", r#""arn:aws:sns:us-east-2:123456789012:TOPIC-ID""#, None, false),
        ("ArnLike", "aws:SourceArn", r#""arn:aws:someservice:*:111122223333:finance/*""#, Some(&["arn:aws:someservice:us-east-2:111122223333:finance/document.txt"]), true),
        ("ArnLike", "aws:SourceArn", r#""arn:aws:someservice:*:111122223333:finance/*""#, Some(&["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"]), false),
        ("StringLike", "aws:SourceArn", r#""arn:aws:someservice:*:111122223333:finance/*""#, Some(&["arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"]), true),
        ("ArnLike", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:*""#, Some(&["arn:aws:sns:eu-west-1:123456789012:t"]), true),
        ("ArnLike", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:*""#, Some(&["arn:aws:SNS:eu-west-1:123456789012:t"]), false),
        ("ArnLike", "aws:SourceArn", r#""arn:aws:s3:::bucket/*""#, Some(&["arn:aws:s3:::bucket/a:b"]), true),
        ("ArnEquals", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:t""#, Some(&["arn:aws:sns:us-west-2:123456789012:t"]), true),
        ("ArnNotEquals", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:t""#, Some(&["arn:aws:sns:us-west-2:999999999999:t"]), true),
        ("ArnNotEquals", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:t""#, Some(&["arn:aws:sns:us-west-2:123456789012:t"]), false),
        ("ArnNotLike", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:*""#, Some(&["arn:aws:sqs:us-west-2:123456789012:q"]), true),
        ("ArnNotLike", "aws:SourceArn", r#""arn:aws:sns:*:123456789012:*""#, None, true),
    ]),
    (IF_EXISTS, &[
        ("StringLikeIfExists", "ec2:InstanceType", r#"["t1.*","t2.*","m3.*"]"#, Some(&["t2.micro"]), true),
        ("StringLikeIfExists", "ec2:InstanceType", r#"["t1.*","t2.*","m3.*"]"#, Some(&["m5.large"]), false),
        ("StringLikeIfExists", "ec2:InstanceType", r#"["t1.*","t2.*","m3.*"]"#, None, true),
        ("StringLike", "ec2:InstanceType", r#"["t1.*","t2.*","m3.*"]"#, None, false),
        ("StringEqualsIfExists", "aws:RequestTag/env", r#""prod""#, None, true),
        ("StringEqualsIfExists", "aws:RequestTag/env", r#""prod""#, Some(&["dev"]), false),
        ("StringNotEqualsIfExists", "aws:RequestTag/env", r#""prod""#, None, true),
        ("StringNotEqualsIfExists", "aws:RequestTag/env", r#""prod""#, Some(&["prod"]), false),
        ("NumericLessThanIfExists", "s3:max-keys", r#""10""#, None, true),
        ("NumericLessThanIfExists", "s3:max-keys", r#""10""#, Some(&["20"]), false),
        ("DateLessThanIfExists", "aws:TokenIssueTime", r#""2020-01-01T00:00:00Z""#, None, true),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", r#""true""#, None, true),
        ("BoolIfExists", "aws:MultiFactorAuthPresent", r#""true""#, Some(&["false"]), false),
        ("IpAddressIfExists", "aws:SourceIp", r#""203.0.113.0/24""#, None, true),
        ("IpAddressIfExists", "aws:SourceIp", r#""203.0.113.0/24""#, Some(&["198.51.100.1"]), false),
        ("ArnLikeIfExists", "aws:SourceArn", r#""arn:aws:sns:*:*:t""#, None, true),
        ("ArnLikeIfExists", "aws:SourceArn", r#""arn:aws:sns:*:*:t""#, Some(&["arn:aws:sns:us-east-1:123456789012:u"]), false),
        ("BinaryEqualsIfExists", "custom:key", r#""QQ==""#, None, true),
    ]),
    (NULL, &[
        ("Null", "aws:TokenIssueTime", r#""true""#, None, true),
        ("Null", "aws:TokenIssueTime", r#""true""#, Some(&["2020-01-01T00:00:00Z"]), false),
        ("Null", "aws:TokenIssueTime", r#""false""#, Some(&["2020-01-01T00:00:00Z"]), true),
        ("Null", "aws:TokenIssueTime", r#""false""#, None, false),
        ("Null", "aws:TokenIssueTime", r#"true"#, None, true),
    ]),
    (INTRO, &[
        ("StringEquals", "AWS:PRINCIPALTAG/JOB-CATEGORY", r#""admin""#, Some(&["admin"]), true),
        ("StringEquals", "aws:principaltag/job-category", r#""admin""#, Some(&["admin"]), true),
        ("ArnNotEquals", "aws:SourceArn", r#""arn:aws:sns:*:*:t""#, None, true),
        ("NumericGreaterThan", "s3:max-keys", r#""1""#, None, false),
    ]),
];

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (section, rows) in ROWS {
        for (operator, key, values, request, holds) in rows.iter() {
            let condition = format!(r#"{{"{operator}":{{"{key}":{values}}}}}"#);
            let name = format!("{operator} {key} {values} with {request:?} holds={holds}");
            let mut c = case(section, &name)
                .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", &condition)]))
                .expect(if *holds {
                    Allowed
                } else {
                    ImplicitDeny(IdentityBased)
                });
            if let Some(values) = request {
                c = c.context_values(key, values);
            }
            cases.push(c);
        }
    }
    cases.extend(multiple_conditions());
    cases
}

/// reference_policies_elements_condition.md, "The condition block": several operators or
/// keys are AND'd, several values of one key are OR'd; a Deny with a condition.
fn multiple_conditions() -> Vec<Case> {
    const S: &str = "reference_policies_elements_condition.md: Multiple conditions and values";
    let two = r#"{"StringEquals":{"aws:PrincipalTag/team":"blue"},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#;
    let two_keys =
        r#"{"StringEquals":{"aws:PrincipalTag/team":"blue","aws:RequestedRegion":"eu-west-1"}}"#;
    let deny_http = r#"{"Bool":{"aws:SecureTransport":"false"}}"#;
    vec![
        case(S, "two operators both hold")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", two)]))
            .context("aws:PrincipalTag/team", "blue")
            .context("aws:SourceIp", "203.0.113.10")
            .expect(Allowed),
        case(S, "two operators, one fails")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", two)]))
            .context("aws:PrincipalTag/team", "blue")
            .context("aws:SourceIp", "198.51.100.10"),
        case(S, "two keys under one operator both hold")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", two_keys)]))
            .context("aws:PrincipalTag/team", "blue")
            .context("aws:RequestedRegion", "eu-west-1")
            .expect(Allowed),
        case(S, "two keys under one operator, one missing")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", two_keys)]))
            .context("aws:PrincipalTag/team", "blue"),
        case(
            "reference_policies_elements_condition_operators.md: Boolean condition operators",
            "deny over plain HTTP denies",
        )
        .identity(allow("s3:*", "*"))
        .identity(policy(&[stmt_if("Deny", "s3:*", "*", deny_http)]))
        .context("aws:SecureTransport", "false")
        .expect(ExplicitDeny(IdentityBased)),
        case(
            "reference_policies_elements_condition_operators.md: Boolean condition operators",
            "deny over plain HTTP leaves HTTPS allowed",
        )
        .identity(allow("s3:*", "*"))
        .identity(policy(&[stmt_if("Deny", "s3:*", "*", deny_http)]))
        .context("aws:SecureTransport", "true")
        .expect(Allowed),
        case(
            IF_EXISTS,
            "Deny with StringNotEqualsIfExists still denies when the tag is missing",
        )
        .identity(allow("s3:*", "*"))
        .identity(policy(&[stmt_if(
            "Deny",
            "s3:*",
            "*",
            r#"{"StringNotEqualsIfExists":{"aws:RequestTag/env":"prod"}}"#,
        )]))
        .expect(ExplicitDeny(IdentityBased)),
    ]
}
