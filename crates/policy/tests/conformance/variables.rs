//! reference_policies_variables.md: policy variables, tags, special characters, defaults,
//! and the Version element that enables them.

use crate::harness::*;

const INTRO: &str = "Introduction";
const RESOURCE: &str = "Where you can use policy variables: Resource element";
const CONDITION: &str = "Where you can use policy variables: Condition element";
const TAGS: &str = "Tags as policy variables";
const SPECIAL: &str = "Special characters";
const DEFAULTS: &str = "Specifying default values";
const VERSION: &str = "Introduction (note: variables need Version 2012-10-17)";

fn home_policy() -> String {
    policy(&[
        stmt_if(
            "Allow",
            "s3:ListBucket",
            "arn:aws:s3:::mybucket",
            r#"{"StringLike":{"s3:prefix":["${aws:username}/*"]}}"#,
        ),
        stmt(
            "Allow",
            "s3:GetObject|s3:PutObject",
            "arn:aws:s3:::mybucket/${aws:username}/*",
        ),
    ])
}

fn legacy(statement: &str) -> String {
    format!(r#"{{"Statement":[{statement}]}}"#)
}

pub fn cases() -> Vec<Case> {
    vec![
        case(INTRO, "a user reads an object under their own name")
            .identity(home_policy())
            .resource("arn:aws:s3:::mybucket/alice/notes.txt")
            .context("aws:username", "alice")
            .expect(Allowed),
        case(INTRO, "a user cannot read an object under another user's name")
            .identity(home_policy())
            .resource("arn:aws:s3:::mybucket/bob/notes.txt")
            .context("aws:username", "alice"),
        case(INTRO, "a user lists their own prefix")
            .identity(home_policy())
            .action("s3:ListBucket")
            .resource("arn:aws:s3:::mybucket")
            .context("aws:username", "alice")
            .context("s3:prefix", "alice/reports")
            .expect(Allowed),
        case(INTRO, "a user cannot list another's prefix")
            .identity(home_policy())
            .action("s3:ListBucket")
            .resource("arn:aws:s3:::mybucket")
            .context("aws:username", "alice")
            .context("s3:prefix", "bob/reports"),
        case(RESOURCE, "access keys of one's own user")
            .identity(allow("iam:*AccessKey*", "arn:aws:iam::111122223333:user/${aws:username}"))
            .action("iam:CreateAccessKey")
            .resource("arn:aws:iam::111122223333:user/alice")
            .context("aws:username", "alice")
            .expect(Allowed),
        case(RESOURCE, "access keys of another user")
            .identity(allow("iam:*AccessKey*", "arn:aws:iam::111122223333:user/${aws:username}"))
            .action("iam:CreateAccessKey")
            .resource("arn:aws:iam::111122223333:user/bob")
            .context("aws:username", "alice"),
        case(RESOURCE, "queue named after the user")
            .identity(allow("sqs:*", "arn:aws:sqs:us-east-2:*:${aws:username}-queue"))
            .action("sqs:SendMessage")
            .resource("arn:aws:sqs:us-east-2:111122223333:alice-queue")
            .context("aws:username", "alice")
            .expect(Allowed),
        case(RESOURCE, "queue of the user in another region")
            .identity(allow("sqs:*", "arn:aws:sqs:us-east-2:*:${aws:username}-queue"))
            .action("sqs:SendMessage")
            .resource("arn:aws:sqs:us-west-2:111122223333:alice-queue")
            .context("aws:username", "alice"),
        case(RESOURCE, "variable without a value in the request: no match")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/${aws:username}/*"))
            .resource("arn:aws:s3:::mybucket/alice/notes.txt"),
        case(RESOURCE, "the variable's value is literal, its * is not a wildcard")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/${aws:username}/x"))
            .resource("arn:aws:s3:::mybucket/alice/x")
            .context("aws:username", "*"),
        case(TAGS, "bucket named after the principal's department tag")
            .identity(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/department}"))
            .resource("arn:aws:s3:::bucket/hr")
            .context("aws:PrincipalTag/department", "hr")
            .expect(Allowed),
        case(TAGS, "bucket of another department")
            .identity(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:PrincipalTag/department}"))
            .resource("arn:aws:s3:::bucket/finance")
            .context("aws:PrincipalTag/department", "hr"),
        case(TAGS, "resource tag condition with listed values")
            .identity(policy(&[stmt_if("Allow", "iam:*user*", "*", r#"{"StringLike":{"iam:ResourceTag/costCenter":["12345","67890"]}}"#)]))
            .action("iam:GetUser")
            .resource("arn:aws:iam::111122223333:user/bob")
            .context("iam:ResourceTag/costCenter", "67890")
            .expect(Allowed),
        case(TAGS, "resource tag condition without the tag")
            .identity(policy(&[stmt_if("Allow", "iam:*user*", "*", r#"{"StringLike":{"iam:ResourceTag/costCenter":["12345","67890"]}}"#)]))
            .action("iam:GetUser")
            .resource("arn:aws:iam::111122223333:user/bob"),
        case(CONDITION, "variable in a StringLike condition value")
            .identity(policy(&[stmt_if("Allow", "sns:*", "*", r#"{"StringLike":{"sns:endpoint":"https://example.com/${aws:username}/"},"StringEquals":{"sns:Protocol":"https"}}"#)]))
            .action("sns:Subscribe")
            .resource("arn:aws:sns:us-east-1:111122223333:topic")
            .context("aws:username", "alice")
            .context("sns:endpoint", "https://example.com/alice/")
            .context("sns:Protocol", "https")
            .expect(Allowed),
        case(CONDITION, "variable in a StringLike condition value, other user's endpoint")
            .identity(policy(&[stmt_if("Allow", "sns:*", "*", r#"{"StringLike":{"sns:endpoint":"https://example.com/${aws:username}/"}}"#)]))
            .action("sns:Subscribe")
            .resource("arn:aws:sns:us-east-1:111122223333:topic")
            .context("aws:username", "alice")
            .context("sns:endpoint", "https://example.com/bob/"),
        case(CONDITION, "variable in a StringEquals comparing two keys")
            .identity(policy(&[stmt_if("Allow", "ec2:*", "*", r#"{"StringEquals":{"aws:ResourceTag/owner":"${aws:username}"}}"#)]))
            .action("ec2:StopInstances")
            .resource("arn:aws:ec2:us-east-1:111122223333:instance/i-1")
            .context("aws:username", "alice")
            .context("aws:ResourceTag/owner", "alice")
            .expect(Allowed),
        case(CONDITION, "variable in an ArnLike value")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", r#"{"ArnLike":{"aws:SourceArn":"arn:aws:iam::*:user/${aws:username}"}}"#)]))
            .context("aws:username", "alice")
            .context("aws:SourceArn", "arn:aws:iam::111122223333:user/alice")
            .expect(Allowed),
        case(CONDITION, "variables are not resolved in Numeric operators")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", r#"{"NumericEquals":{"s3:max-keys":"${custom:limit}"}}"#)]))
            .context("custom:limit", "10")
            .context("s3:max-keys", "10"),
        case(SPECIAL, "${*} is a literal asterisk")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/${*}x"))
            .resource("arn:aws:s3:::mybucket/*x")
            .expect(Allowed),
        case(SPECIAL, "${*} does not match other characters")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/${*}x"))
            .resource("arn:aws:s3:::mybucket/abcx"),
        case(SPECIAL, "${?} is a literal question mark")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/what${?}"))
            .resource("arn:aws:s3:::mybucket/what?")
            .expect(Allowed),
        case(SPECIAL, "${?} does not match one character")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/what${?}"))
            .resource("arn:aws:s3:::mybucket/whats"),
        case(SPECIAL, "${$} is a literal dollar sign")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/${$}{aws:username}"))
            .resource("arn:aws:s3:::mybucket/${aws:username}")
            .context("aws:username", "alice")
            .expect(Allowed),
        case(SPECIAL, "${*} in a StringEquals condition")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", r#"{"StringEquals":{"s3:prefix":"${*}"}}"#)]))
            .context("s3:prefix", "*")
            .expect(Allowed),
        case(DEFAULTS, "the default stands in for a missing key")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", r#"{"StringEquals":{"s3:prefix":"home/${aws:userid, 'anonymous'}"}}"#)]))
            .context("s3:prefix", "home/anonymous")
            .expect(Allowed),
        case(DEFAULTS, "the key's value wins over the default")
            .identity(policy(&[stmt_if("Allow", "s3:GetObject", "*", r#"{"StringEquals":{"s3:prefix":"home/${aws:userid, 'anonymous'}"}}"#)]))
            .context("aws:userid", "AIDAEXAMPLE")
            .context("s3:prefix", "home/AIDAEXAMPLE")
            .expect(Allowed),
        case(DEFAULTS, "the default in a Resource")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/${aws:PrincipalTag/team, 'shared'}/*"))
            .resource("arn:aws:s3:::mybucket/shared/f")
            .expect(Allowed),
        case(VERSION, "without Version, ${aws:username} is literal text")
            .identity(legacy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}"#))
            .resource("arn:aws:s3:::mybucket/alice/f")
            .context("aws:username", "alice"),
        case(VERSION, "without Version, the literal text matches itself")
            .identity(legacy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}"#))
            .resource("arn:aws:s3:::mybucket/${aws:username}/f")
            .context("aws:username", "alice")
            .expect(Allowed),
        case(VERSION, "Version 2008-10-17 treats variables as literal text")
            .identity(r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}"}}"#)
            .resource("arn:aws:s3:::mybucket/alice")
            .context("aws:username", "alice"),
        case(VERSION, "without Version, condition values are literal")
            .identity(legacy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${aws:username}"}}}"#))
            .context("aws:username", "alice")
            .context("s3:prefix", "alice"),
    ]
}
