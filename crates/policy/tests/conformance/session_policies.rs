//! access_policies.md, "Session policies", and the session step of
//! reference_policies_evaluation-logic.md.

use crate::harness::*;

const S: &str = "Session policies";

pub fn cases() -> Vec<Case> {
    let session = || role_session("Developer", "dev-session");
    vec![
        case(
            S,
            "the session's permissions are the intersection: allowed by both",
        )
        .caller(session())
        .identity(allow("s3:*|ec2:*", "*"))
        .session(allow("s3:*", "*"))
        .expect(Allowed),
        case(S, "allowed by the role but not the session policy")
            .caller(session())
            .action("ec2:RunInstances")
            .resource("*")
            .identity(allow("s3:*|ec2:*", "*"))
            .session(allow("s3:*", "*"))
            .expect(ImplicitDeny(SessionPolicy)),
        case(S, "allowed by the session policy but not the role")
            .caller(session())
            .action("iam:CreateUser")
            .resource("*")
            .identity(allow("s3:*", "*"))
            .session(allow("*", "*"))
            .expect(ImplicitDeny(IdentityBased)),
        case(S, "several session policies: one allowing is enough")
            .caller(session())
            .identity(allow("s3:*", "*"))
            .session(allow("ec2:*", "*"))
            .session(allow("s3:GetObject", "*"))
            .expect(Allowed),
        case(S, "an explicit deny in a session policy")
            .caller(session())
            .identity(allow("s3:*", "*"))
            .session(policy(&[
                stmt("Allow", "*", "*"),
                stmt("Deny", "s3:GetObject", "*"),
            ]))
            .expect(ExplicitDeny(SessionPolicy)),
        case(
            S,
            "session policies do not apply to an IAM user's own requests",
        )
        .identity(allow("s3:*", "*"))
        .session(allow("ec2:*", "*"))
        .expect(Allowed),
        case(S, "a session policy grants nothing by itself")
            .caller(session())
            .session(allow("s3:*", "*"))
            .expect(ImplicitDeny(IdentityBased)),
        case(S, "a session policy restricting resources")
            .caller(session())
            .identity(allow("s3:*", "*"))
            .session(allow("s3:GetObject", "arn:aws:s3:::otherbucket/*"))
            .expect(ImplicitDeny(SessionPolicy)),
        case(
            S,
            "a federated user's permissions are the user's policies within the session policy",
        )
        .caller(federated_user("bob", "app"))
        .identity(allow("s3:*", "*"))
        .session(allow("s3:Get*", "*"))
        .expect(Allowed),
        case(S, "a federated user outside the session policy")
            .caller(federated_user("bob", "app"))
            .action("s3:PutObject")
            .identity(allow("s3:*", "*"))
            .session(allow("s3:Get*", "*"))
            .expect(ImplicitDeny(SessionPolicy)),
        case(S, "a session policy with a condition")
            .caller(session())
            .identity(allow("s3:*", "*"))
            .session(policy(&[stmt_if(
                "Allow",
                "s3:*",
                "*",
                r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            )]))
            .context("aws:SourceIp", "203.0.113.9")
            .expect(Allowed),
        case(S, "a session policy with a failing condition")
            .caller(session())
            .identity(allow("s3:*", "*"))
            .session(policy(&[stmt_if(
                "Allow",
                "s3:*",
                "*",
                r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            )]))
            .context("aws:SourceIp", "198.51.100.9")
            .expect(ImplicitDeny(SessionPolicy)),
    ]
}
