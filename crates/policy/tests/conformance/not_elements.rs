//! reference_policies_elements_notaction.md, reference_policies_elements_notresource.md and
//! reference_policies_elements_notprincipal.md.

use crate::harness::*;

const NA_ALLOW: &str = "reference_policies_elements_notaction.md: Using NotAction with Allow";
const NA_DENY: &str = "reference_policies_elements_notaction.md: Using NotAction with Deny";
const NR: &str = "reference_policies_elements_notresource.md: NotResource";
const NP_DENY: &str = "reference_policies_elements_notprincipal.md: NotPrincipal With Deny";

fn not_action(effect: &str, actions: &str, resource: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","NotAction":{},"Resource":{}}}"#,
        list(actions),
        list(resource)
    )
}

fn not_resource(effect: &str, actions: &str, resources: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","Action":{},"NotResource":{}}}"#,
        list(actions),
        list(resources)
    )
}

fn bob_only() -> String {
    policy(&[
        rstmt("Allow", "\"*\"", "s3:*", "arn:aws:s3:::BUCKETNAME|arn:aws:s3:::BUCKETNAME/*"),
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::444455556666:user/Bob","arn:aws:iam::444455556666:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::BUCKETNAME","arn:aws:s3:::BUCKETNAME/*"]}"#.to_string(),
    ])
}

fn audit_only() -> String {
    policy(&[
        rstmt("Allow", r#"{"AWS":"444455556666"}"#, "s3:*", "arn:aws:s3:::Bucket_AccountAudit|arn:aws:s3:::Bucket_AccountAudit/*"),
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app","arn:aws:iam::444455556666:role/cross-account-read-only-role","arn:aws:iam::444455556666:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::Bucket_AccountAudit","arn:aws:s3:::Bucket_AccountAudit/*"]}"#.to_string(),
    ])
}

pub fn cases() -> Vec<Case> {
    let everything_but_iam = policy(&[not_action("Allow", "iam:*", "*")]);
    let mfa_deny = policy(&[
        stmt("Allow", "*", "*"),
        r#"{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}"#.to_string(),
    ]);
    let bucket = || {
        case(NP_DENY, "")
            .resource("arn:aws:s3:::BUCKETNAME/x")
            .resource_account(ACCOUNT)
            .resource_policy(bob_only())
    };
    let audit = || {
        case(NP_DENY, "")
            .resource("arn:aws:s3:::Bucket_AccountAudit/x")
            .resource_account(ACCOUNT)
            .resource_policy(audit_only())
    };
    let n = |c: Case, name: &str| Case {
        name: name.into(),
        ..c
    };
    vec![
        case(NA_ALLOW, "NotAction with Allow allows actions outside the list").identity(everything_but_iam.clone()).expect(Allowed),
        case(NA_ALLOW, "NotAction with Allow does not allow the listed service")
            .action("iam:CreateUser").resource("*").identity(everything_but_iam.clone()),
        case(NA_ALLOW, "NotAction is matched case-insensitively")
            .action("IAM:createuser").resource("*").identity(everything_but_iam),
        case(NA_ALLOW, "NotAction listing one action allows its siblings")
            .action("s3:PutObject").identity(policy(&[not_action("Allow", "s3:DeleteBucket", "arn:aws:s3:::*")])).expect(Allowed),
        case(NA_ALLOW, "NotAction listing one action does not allow it")
            .action("s3:DeleteBucket").resource("arn:aws:s3:::b").identity(policy(&[not_action("Allow", "s3:DeleteBucket", "arn:aws:s3:::*")])),
        case(NA_ALLOW, "NotAction still honours Resource")
            .action("s3:PutObject").resource("arn:aws:sqs:us-east-1:111122223333:q").identity(policy(&[not_action("Allow", "s3:DeleteBucket", "arn:aws:s3:::*")])),
        case(NA_DENY, "deny everything but IAM without MFA: S3 is denied")
            .identity(mfa_deny.clone()).context("aws:MultiFactorAuthPresent", "false").expect(ExplicitDeny(IdentityBased)),
        case(NA_DENY, "deny everything but IAM without MFA: IAM still allowed")
            .action("iam:ListUsers").resource("*").identity(mfa_deny.clone()).context("aws:MultiFactorAuthPresent", "false").expect(Allowed),
        case(NA_DENY, "deny everything but IAM without MFA: with MFA allowed")
            .identity(mfa_deny.clone()).context("aws:MultiFactorAuthPresent", "true").expect(Allowed),
        case(NA_DENY, "deny everything but IAM without MFA: long-term keys have no MFA key (IfExists)")
            .identity(mfa_deny).expect(ExplicitDeny(IdentityBased)),
        case(NR, "NotResource with Allow allows other resources")
            .identity(policy(&[not_resource("Allow", "s3:*", "arn:aws:s3:::HRBucket/Payroll|arn:aws:s3:::HRBucket/Payroll/*")]))
            .resource("arn:aws:s3:::HRBucket/Public/x").expect(Allowed),
        case(NR, "NotResource with Allow does not allow the listed resources")
            .identity(policy(&[not_resource("Allow", "s3:*", "arn:aws:s3:::HRBucket/Payroll|arn:aws:s3:::HRBucket/Payroll/*")]))
            .resource("arn:aws:s3:::HRBucket/Payroll/salaries.csv"),
        case(NR, "NotResource with Allow reaches other services' resources too")
            .action("s3:GetObject")
            .identity(policy(&[not_resource("Allow", "s3:*", "arn:aws:s3:::HRBucket/Payroll/*")]))
            .resource("arn:aws:s3:::AnyOtherBucket/x").expect(Allowed),
        case(NR, "NotResource with Deny denies everything outside the list")
            .identity(allow("s3:*", "*"))
            .identity(policy(&[not_resource("Deny", "s3:*", "arn:aws:s3:::examplebucket|arn:aws:s3:::examplebucket/*")]))
            .resource("arn:aws:s3:::otherbucket/x").expect(ExplicitDeny(IdentityBased)),
        case(NR, "NotResource with Deny leaves the listed resources allowed")
            .identity(allow("s3:*", "*"))
            .identity(policy(&[not_resource("Deny", "s3:*", "arn:aws:s3:::examplebucket|arn:aws:s3:::examplebucket/*")]))
            .expect(Allowed),
        case(NR, "NotResource with a variable that cannot be resolved does not apply")
            .identity(allow("s3:*", "*"))
            .identity(policy(&[not_resource("Deny", "s3:*", "arn:aws:s3:::home/${aws:username}/*")]))
            .expect(Allowed),
        n(bucket().caller(user_in(OTHER_ACCOUNT, "Bob")).identity(allow("s3:*", "*")), "Bob, listed with his account, is not denied").expect(Allowed),
        n(bucket().caller(user_in(OTHER_ACCOUNT, "Mallory")).identity(allow("s3:*", "*")), "another user of Bob's account is denied")
            .expect(ExplicitDeny(ResourceBased)),
        n(bucket().identity(allow("s3:*", "*")), "a user of the bucket's own account is denied").expect(ExplicitDeny(ResourceBased)),
        n(bucket().caller(root()), "even the bucket owner's root user is denied").expect(ExplicitDeny(ResourceBased)),
        n(
            case(NP_DENY, "").caller(user_in(OTHER_ACCOUNT, "Bob")).identity(allow("s3:*", "*")).resource("arn:aws:s3:::BUCKETNAME/x").resource_account(ACCOUNT)
                .resource_policy(policy(&[
                    rstmt("Allow", "\"*\"", "s3:*", "arn:aws:s3:::BUCKETNAME/*"),
                    r#"{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::444455556666:user/Bob"]},"Action":"s3:*","Resource":"arn:aws:s3:::BUCKETNAME/*"}"#.to_string(),
                ])),
            "without the account ARN, Bob's account is denied and Bob with it",
        )
        .expect(ExplicitDeny(ResourceBased)),
        n(audit().caller(role_session_in(OTHER_ACCOUNT, "cross-account-read-only-role", "cross-account-audit-app")).identity(allow("s3:*", "*")), "the listed assumed-role session is not denied")
            .expect(Allowed),
        n(audit().caller(role_session_in(OTHER_ACCOUNT, "cross-account-read-only-role", "other-app")).identity(allow("s3:*", "*")), "another session of the same role is denied")
            .expect(ExplicitDeny(ResourceBased)),
        n(audit().caller(role_session_in(OTHER_ACCOUNT, "other-role", "cross-account-audit-app")).identity(allow("s3:*", "*")), "a session of another role is denied")
            .expect(ExplicitDeny(ResourceBased)),
        n(bucket().caller(user_in(OTHER_ACCOUNT, "Bob")), "NotPrincipal does not itself grant access: Bob still needs an identity allow")
            .expect(ImplicitDeny(IdentityBased)),
    ]
}
