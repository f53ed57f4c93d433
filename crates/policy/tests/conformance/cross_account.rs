//! reference_policies_evaluation-logic-cross-account.md.

use crate::harness::*;

const S: &str = "Determining Whether a Cross-Account Request Is Allowed";
const BUCKET_OBJECT: &str = "arn:aws:s3:::sharedbucket/report.csv";

fn grant(principal: &str) -> String {
    policy(&[rstmt(
        "Allow",
        &aws(principal),
        "s3:GetObject",
        "arn:aws:s3:::sharedbucket/*",
    )])
}

pub fn cases() -> Vec<Case> {
    let c = |name: &str| {
        case(S, name)
            .resource(BUCKET_OBJECT)
            .resource_account(OTHER_ACCOUNT)
    };
    let alice = "arn:aws:iam::111122223333:user/alice";
    vec![
        c("both the identity policy and the resource policy allow")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant(alice))
            .expect(Allowed),
        c("the resource policy alone is not enough across accounts")
            .resource_policy(grant(alice))
            .expect(ImplicitDeny(IdentityBased)),
        c("the identity policy alone is not enough across accounts")
            .identity(allow("s3:GetObject", "*"))
            .expect(ImplicitDeny(ResourceBased)),
        c("a resource policy trusting the whole account, with identity allow")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant("111122223333"))
            .expect(Allowed),
        c("a resource policy trusting the account root ARN, with identity allow")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant("arn:aws:iam::111122223333:root"))
            .expect(Allowed),
        c("a resource policy trusting another account")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant("999999999999"))
            .expect(ImplicitDeny(ResourceBased)),
        c("a resource policy trusting another user of the account")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant("arn:aws:iam::111122223333:user/bob"))
            .expect(ImplicitDeny(ResourceBased)),
        c("a role session trusted by role ARN, with identity allow")
            .caller(role_session("reader", "s1"))
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant("arn:aws:iam::111122223333:role/reader"))
            .expect(Allowed),
        c("a role session trusted by session ARN still needs the identity side")
            .caller(role_session("reader", "s1"))
            .resource_policy(grant("arn:aws:sts::111122223333:assumed-role/reader/s1"))
            .expect(ImplicitDeny(IdentityBased)),
        c("the caller's boundary applies across accounts")
            .identity(allow("s3:GetObject", "*"))
            .boundary(allow("ec2:*", "*"))
            .resource_policy(grant(alice))
            .expect(ImplicitDeny(PermissionsBoundary)),
        c("the caller's session policy applies across accounts")
            .caller(role_session("reader", "s1"))
            .identity(allow("s3:GetObject", "*"))
            .session(allow("ec2:*", "*"))
            .resource_policy(grant("arn:aws:iam::111122223333:role/reader"))
            .expect(ImplicitDeny(SessionPolicy)),
        c("an explicit deny in the trusting account's resource policy")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(policy(&[
                rstmt(
                    "Allow",
                    &aws("111122223333"),
                    "s3:GetObject",
                    "arn:aws:s3:::sharedbucket/*",
                ),
                rstmt(
                    "Deny",
                    &aws(alice),
                    "s3:GetObject",
                    "arn:aws:s3:::sharedbucket/*",
                ),
            ]))
            .expect(ExplicitDeny(ResourceBased)),
        c("an explicit deny in the trusted account's identity policy")
            .identity(deny("s3:GetObject", "*"))
            .resource_policy(grant(alice))
            .expect(ExplicitDeny(IdentityBased)),
        c("a public resource policy still needs the identity side")
            .resource_policy(policy(&[rstmt(
                "Allow",
                "\"*\"",
                "s3:GetObject",
                "arn:aws:s3:::sharedbucket/*",
            )]))
            .expect(ImplicitDeny(IdentityBased)),
        c("a public resource policy with identity allow")
            .identity(allow("s3:*", "*"))
            .resource_policy(policy(&[rstmt(
                "Allow",
                "\"*\"",
                "s3:GetObject",
                "arn:aws:s3:::sharedbucket/*",
            )]))
            .expect(Allowed),
        c("the caller's account root is allowed when the resource policy trusts its account")
            .caller(root())
            .resource_policy(grant("111122223333"))
            .expect(Allowed),
        c("the caller's account root is not allowed without the resource policy")
            .caller(root())
            .expect(ImplicitDeny(ResourceBased)),
        c("the identity policy must allow the resource in the trusting account")
            .identity(allow("s3:GetObject", "arn:aws:s3:::mybucket/*"))
            .resource_policy(grant(alice))
            .expect(ImplicitDeny(IdentityBased)),
        c("the caller's SCPs apply across accounts")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(grant(alice))
            .scps(&[&[&allow("ec2:*", "*")]])
            .expect(ImplicitDeny(ServiceControlPolicy)),
        case(
            S,
            "a resource in the caller's own account is a same-account request",
        )
        .resource(BUCKET_OBJECT)
        .resource_account(ACCOUNT)
        .resource_policy(grant(alice))
        .expect(Allowed),
        case(S, "a user of the resource account itself")
            .caller(user_in(OTHER_ACCOUNT, "carol"))
            .resource(BUCKET_OBJECT)
            .resource_account(OTHER_ACCOUNT)
            .identity(allow("s3:GetObject", "*"))
            .expect(Allowed),
    ]
}
