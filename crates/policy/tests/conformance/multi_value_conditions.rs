//! reference_policies_multi-value-conditions.md: ForAllValues and ForAnyValue.

use crate::harness::*;

const INTRO: &str = "Introduction";
const EXAMPLES: &str = "Examples of Condition Set Operators";
const EVAL: &str = "Evaluation Logic for Condition Set Operators";

type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static [&'static str]>,
    bool,
    &'static str,
);

const ALLOWED_ATTRS: &str = r#"["PostDateTime","Message","Tags"]"#;
const FORBIDDEN_ATTRS: &str = r#"["ID","PostDateTime"]"#;

const ROWS: &[Row] = &[
    (
        "ForAllValues:StringLike",
        "dynamodb:requestedAttributes",
        ALLOWED_ATTRS,
        Some(&["PostDateTime", "Message"]),
        true,
        EXAMPLES,
    ),
    (
        "ForAllValues:StringLike",
        "dynamodb:requestedAttributes",
        ALLOWED_ATTRS,
        Some(&["PostDateTime", "ID"]),
        false,
        EXAMPLES,
    ),
    (
        "ForAllValues:StringLike",
        "dynamodb:requestedAttributes",
        ALLOWED_ATTRS,
        Some(&["PostDateTime", "UserName"]),
        false,
        EVAL,
    ),
    (
        "ForAllValues:StringLike",
        "dynamodb:requestedAttributes",
        ALLOWED_ATTRS,
        Some(&["Tags"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:StringLike",
        "dynamodb:requestedAttributes",
        ALLOWED_ATTRS,
        Some(&[]),
        true,
        INTRO,
    ),
    (
        "ForAllValues:StringLike",
        "dynamodb:requestedAttributes",
        ALLOWED_ATTRS,
        None,
        true,
        INTRO,
    ),
    (
        "ForAnyValue:StringLike",
        "dynamodb:requestedAttributes",
        FORBIDDEN_ATTRS,
        Some(&["PostDateTime", "Message"]),
        true,
        EXAMPLES,
    ),
    (
        "ForAnyValue:StringLike",
        "dynamodb:requestedAttributes",
        FORBIDDEN_ATTRS,
        Some(&["UserName"]),
        false,
        EXAMPLES,
    ),
    (
        "ForAnyValue:StringLike",
        "dynamodb:requestedAttributes",
        FORBIDDEN_ATTRS,
        Some(&["UserName", "Message", "PostDateTime"]),
        true,
        EVAL,
    ),
    (
        "ForAnyValue:StringLike",
        "dynamodb:requestedAttributes",
        FORBIDDEN_ATTRS,
        Some(&[]),
        false,
        INTRO,
    ),
    (
        "ForAnyValue:StringLike",
        "dynamodb:requestedAttributes",
        FORBIDDEN_ATTRS,
        None,
        false,
        INTRO,
    ),
    (
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["env"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["env", "team"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["env", "cost"]),
        false,
        EVAL,
    ),
    (
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["Env"]),
        false,
        EVAL,
    ),
    (
        "ForAllValues:StringEqualsIgnoreCase",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["Env", "TEAM"]),
        true,
        EVAL,
    ),
    (
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["cost", "team"]),
        true,
        EVAL,
    ),
    (
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        r#"["env","team"]"#,
        Some(&["cost"]),
        false,
        EVAL,
    ),
    (
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        r#"["secret"]"#,
        Some(&["env", "team"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        r#"["secret"]"#,
        Some(&["env", "secret"]),
        false,
        EVAL,
    ),
    (
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        r#"["secret"]"#,
        Some(&["env", "secret"]),
        true,
        EVAL,
    ),
    (
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        r#"["secret"]"#,
        Some(&["secret"]),
        false,
        EVAL,
    ),
    (
        "ForAllValues:StringNotLike",
        "aws:TagKeys",
        r#"["sec*"]"#,
        Some(&["env", "team"]),
        true,
        EVAL,
    ),
    (
        "ForAnyValue:StringNotLike",
        "aws:TagKeys",
        r#"["sec*"]"#,
        Some(&["secret", "security"]),
        false,
        EVAL,
    ),
    (
        "ForAllValues:NumericLessThan",
        "custom:sizes",
        r#""10""#,
        Some(&["1", "9"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:NumericLessThan",
        "custom:sizes",
        r#""10""#,
        Some(&["1", "19"]),
        false,
        EVAL,
    ),
    (
        "ForAnyValue:NumericLessThan",
        "custom:sizes",
        r#""10""#,
        Some(&["11", "9"]),
        true,
        EVAL,
    ),
    (
        "ForAnyValue:IpAddress",
        "custom:ips",
        r#""10.0.0.0/8""#,
        Some(&["192.0.2.1", "10.1.2.3"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:IpAddress",
        "custom:ips",
        r#""10.0.0.0/8""#,
        Some(&["192.0.2.1", "10.1.2.3"]),
        false,
        EVAL,
    ),
    (
        "ForAnyValue:ArnLike",
        "custom:arns",
        r#""arn:aws:sns:*:*:alerts""#,
        Some(&["arn:aws:sns:us-east-1:111122223333:alerts"]),
        true,
        EVAL,
    ),
    (
        "ForAllValues:StringLikeIfExists",
        "custom:attrs",
        r#""a*""#,
        None,
        true,
        EVAL,
    ),
    (
        "ForAnyValue:StringLikeIfExists",
        "custom:attrs",
        r#""a*""#,
        None,
        true,
        EVAL,
    ),
    (
        "StringEquals",
        "aws:TagKeys",
        r#""env""#,
        Some(&["cost", "env"]),
        true,
        EVAL,
    ),
    (
        "StringNotEquals",
        "aws:TagKeys",
        r#""env""#,
        Some(&["cost", "env"]),
        false,
        EVAL,
    ),
];

pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = ROWS
        .iter()
        .map(|(operator, key, values, request, holds, section)| {
            let condition = format!(r#"{{"{operator}":{{"{key}":{values}}}}}"#);
            let mut c = case(
                section,
                &format!("{operator} {key} {values} with {request:?} holds={holds}"),
            )
            .action("dynamodb:GetItem")
            .resource("arn:aws:dynamodb:us-east-1:111122223333:table/Thread")
            .identity(policy(&[stmt_if(
                "Allow",
                "dynamodb:GetItem",
                "*",
                &condition,
            )]))
            .expect(if *holds {
                Allowed
            } else {
                ImplicitDeny(IdentityBased)
            });
            if let Some(values) = request {
                c = c.context_values(key, values);
            }
            c
        })
        .collect();
    let deny = policy(&[
        stmt("Allow", "dynamodb:PutItem", "*"),
        stmt_if(
            "Deny",
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
            r#"{"ForAnyValue:StringLike":{"dynamodb:requestedAttributes":["ID","PostDateTime"]}}"#,
        ),
    ]);
    cases.push(
        case(
            EXAMPLES,
            "ForAnyValue Deny on PutItem denies an update of PostDateTime",
        )
        .action("dynamodb:PutItem")
        .resource("arn:aws:dynamodb:us-east-1:111122223333:table/Thread")
        .identity(deny.clone())
        .context_values("dynamodb:requestedAttributes", &["PostDateTime", "Message"])
        .expect(ExplicitDeny(IdentityBased)),
    );
    cases.push(
        case(
            EXAMPLES,
            "ForAnyValue Deny on PutItem lets an update of UserName through",
        )
        .action("dynamodb:PutItem")
        .resource("arn:aws:dynamodb:us-east-1:111122223333:table/Thread")
        .identity(deny)
        .context_values("dynamodb:requestedAttributes", &["UserName"])
        .expect(Allowed),
    );
    cases
}
