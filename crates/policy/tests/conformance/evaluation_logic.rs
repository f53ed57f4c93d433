//! reference_policies_evaluation-logic.md: a single account.

use crate::harness::*;

const BASICS: &str = "Evaluating policies within a single account";
const ID_RBP: &str = "Evaluating identity-based policies with resource-based policies";
const DENY_ALLOW: &str = "Determining whether a request is allowed or denied within an account";
const EXAMPLE: &str = "Example identity-based and resource-based policy evaluation";
const EXPLICIT_IMPLICIT: &str = "The difference between explicit and implicit denies";

const BUCKET: &str = "arn:aws:s3:::carlossalazar";
const CARLOS: &str = "arn:aws:iam::111122223333:user/carlossalazar";

fn carlos_identity() -> String {
    policy(&[
        r#"{"Sid":"AllowS3ListRead","Effect":"Allow","Action":["s3:GetBucketLocation","s3:GetAccountPublicAccessBlock","s3:ListAccessPoints","s3:ListAllMyBuckets"],"Resource":"arn:aws:s3:::*"}"#.to_string(),
        r#"{"Sid":"AllowS3Self","Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::carlossalazar/*","arn:aws:s3:::carlossalazar"]}"#.to_string(),
        r#"{"Sid":"DenyS3Logs","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::*log*"}"#.to_string(),
    ])
}

fn carlos_bucket_policy() -> String {
    policy(&[rstmt(
        "Allow",
        &aws(CARLOS),
        "s3:*",
        "arn:aws:s3:::carlossalazar/*|arn:aws:s3:::carlossalazar",
    )])
}

fn get_list_report_policy() -> String {
    policy(&[
        r#"{"Sid":"AllowGetList","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}"#.to_string(),
        r#"{"Sid":"DenyReports","Effect":"Deny","Action":"iam:*Report","Resource":"*"}"#.to_string(),
    ])
}

pub fn cases() -> Vec<Case> {
    let carlos = || user("carlossalazar");
    vec![
        case(DENY_ALLOW, "by default every request is implicitly denied"),
        case(DENY_ALLOW, "the root user has full access").caller(root()).expect(Allowed),
        case(DENY_ALLOW, "the root user is not limited by the absence of identity policies")
            .caller(root())
            .action("iam:CreateUser")
            .resource("arn:aws:iam::111122223333:user/bob")
            .expect(Allowed),
        case(DENY_ALLOW, "an allow in an identity policy overrides the default").identity(allow("s3:GetObject", "*")).expect(Allowed),
        case(DENY_ALLOW, "an explicit deny overrides any allow")
            .identity(allow("s3:*", "*"))
            .identity(deny("s3:GetObject", "*"))
            .expect(ExplicitDeny(IdentityBased)),
        case(DENY_ALLOW, "a deny and an allow in one policy: the deny wins")
            .identity(policy(&[stmt("Allow", "s3:*", "*"), stmt("Deny", "s3:GetObject", "*")]))
            .expect(ExplicitDeny(IdentityBased)),
        case(DENY_ALLOW, "an allow for another action leaves an implicit deny").identity(allow("s3:PutObject", "*")),
        case(DENY_ALLOW, "an allow for another resource leaves an implicit deny")
            .identity(allow("s3:GetObject", "arn:aws:s3:::otherbucket/*")),
        case(DENY_ALLOW, "a deny for another action does not deny")
            .identity(allow("s3:*", "*"))
            .identity(deny("s3:PutObject", "*"))
            .expect(Allowed),
        case(DENY_ALLOW, "an explicit deny in a resource-based policy denies the root user")
            .caller(root())
            .resource_policy(policy(&[rstmt("Deny", "\"*\"", "s3:GetObject", "arn:aws:s3:::examplebucket/*")]))
            .expect(ExplicitDeny(ResourceBased)),
        case(DENY_ALLOW, "a resource-based policy allow for the IAM user suffices without identity policies")
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "arn:aws:s3:::examplebucket/*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a resource-based policy allow for the IAM user is not limited by a boundary")
            .boundary(allow("ec2:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "arn:aws:s3:::examplebucket/*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a resource-based policy allow for the role session suffices")
            .caller(role_session("examplerole", "examplerolesessionname"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:sts::111122223333:assumed-role/examplerole/examplerolesessionname"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the role session is not limited by a boundary")
            .caller(role_session("examplerole", "examplerolesessionname"))
            .boundary(allow("ec2:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:sts::111122223333:assumed-role/examplerole/examplerolesessionname"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the role session is not limited by a session policy")
            .caller(role_session("examplerole", "examplerolesessionname"))
            .session(allow("ec2:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:sts::111122223333:assumed-role/examplerole/examplerolesessionname"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the role ARN suffices without identity policies")
            .caller(role_session("examplerole", "s1"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:role/examplerole"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the role ARN is limited by a boundary")
            .caller(role_session("examplerole", "s1"))
            .boundary(allow("ec2:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:role/examplerole"), "s3:GetObject", "*")]))
            .expect(ImplicitDeny(PermissionsBoundary)),
        case(DENY_ALLOW, "a grant to the role ARN is limited by a session policy")
            .caller(role_session("examplerole", "s1"))
            .session(allow("ec2:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:role/examplerole"), "s3:GetObject", "*")]))
            .expect(ImplicitDeny(SessionPolicy)),
        case(DENY_ALLOW, "a grant to the role ARN within the boundary is allowed")
            .caller(role_session("examplerole", "s1"))
            .boundary(allow("s3:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:role/examplerole"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the federated user session is not limited by the absence of a session policy")
            .caller(federated_user("bob", "exampleuser"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:sts::111122223333:federated-user/exampleuser"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the user who federated is limited by the session policy")
            .caller(federated_user("bob", "exampleuser"))
            .session(allow("ec2:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/bob"), "s3:GetObject", "*")]))
            .expect(ImplicitDeny(SessionPolicy)),
        case(DENY_ALLOW, "a grant to the user who federated, within the session policy")
            .caller(federated_user("bob", "exampleuser"))
            .session(allow("s3:*", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/bob"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a grant to the account still needs an identity-policy allow")
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:root"), "s3:GetObject", "*")]))
            .expect(ImplicitDeny(IdentityBased)),
        case(DENY_ALLOW, "a grant to the account with an identity-policy allow")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("111122223333"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(DENY_ALLOW, "a federated user without a session policy has no identity permissions")
            .caller(federated_user("bob", "exampleuser"))
            .identity(allow("s3:*", "*"))
            .expect(ImplicitDeny(SessionPolicy)),
        case(DENY_ALLOW, "a federated user with a session policy gets the intersection")
            .caller(federated_user("bob", "exampleuser"))
            .identity(allow("s3:*", "*"))
            .session(allow("s3:GetObject", "*"))
            .expect(Allowed),
        case(DENY_ALLOW, "a role session without a session policy has the role's permissions")
            .caller(role_session("examplerole", "s1"))
            .identity(allow("s3:*", "*"))
            .expect(Allowed),
        case(DENY_ALLOW, "identity allow, boundary allows, session policy allows")
            .caller(role_session("examplerole", "s1"))
            .identity(allow("s3:*", "*"))
            .boundary(allow("s3:*", "*"))
            .session(allow("s3:Get*", "*"))
            .expect(Allowed),
        case(BASICS, "if a boundary and an SCP are present, all three must allow")
            .identity(allow("s3:*", "*"))
            .boundary(allow("s3:*", "*"))
            .scps(&[&[&allow("ec2:*", "*")]])
            .expect(ImplicitDeny(ServiceControlPolicy)),
        case(BASICS, "identity, boundary and SCP all allow")
            .identity(allow("s3:*", "*"))
            .boundary(allow("s3:*", "*"))
            .scps(&[&[&allow("*", "*")]])
            .expect(Allowed),
        case(ID_RBP, "allowed by the resource-based policy only (same account, user principal)")
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(ID_RBP, "allowed by the identity policy only, despite a resource policy that does not mention the user")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/bob"), "s3:GetObject", "*")]))
            .expect(Allowed),
        case(ID_RBP, "an explicit deny in the resource-based policy overrides the identity allow")
            .identity(allow("s3:GetObject", "*"))
            .resource_policy(policy(&[rstmt("Deny", &aws("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "*")]))
            .expect(ExplicitDeny(ResourceBased)),
        case(ID_RBP, "an explicit deny in the identity policy overrides the resource allow")
            .identity(deny("s3:GetObject", "*"))
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "*")]))
            .expect(ExplicitDeny(IdentityBased)),
        case(ID_RBP, "a resource policy that allows someone else does not help")
            .resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/bob"), "s3:GetObject", "*")])),
        case(EXAMPLE, "Carlos is denied the carlossalazar-logs bucket by DenyS3Logs")
            .caller(carlos())
            .action("s3:PutObject")
            .resource("arn:aws:s3:::carlossalazar-logs/file.txt")
            .identity(carlos_identity())
            .expect(ExplicitDeny(IdentityBased)),
        case(EXAMPLE, "Carlos may save a file to the carlossalazar bucket")
            .caller(carlos())
            .action("s3:PutObject")
            .resource("arn:aws:s3:::carlossalazar/file.txt")
            .identity(carlos_identity())
            .resource_policy(carlos_bucket_policy())
            .expect(Allowed),
        case(EXAMPLE, "Carlos may list his bucket through the bucket policy alone")
            .caller(carlos())
            .action("s3:ListBucket")
            .resource(BUCKET)
            .resource_policy(carlos_bucket_policy())
            .expect(Allowed),
        case(EXAMPLE, "Carlos's identity policy alone allows his bucket")
            .caller(carlos())
            .action("s3:PutObject")
            .resource("arn:aws:s3:::carlossalazar/file.txt")
            .identity(carlos_identity())
            .expect(Allowed),
        case(EXAMPLE, "another user is not allowed by Carlos's bucket policy")
            .caller(user("maria"))
            .action("s3:PutObject")
            .resource("arn:aws:s3:::carlossalazar/file.txt")
            .resource_policy(carlos_bucket_policy()),
        case(EXAMPLE, "Carlos may list all buckets")
            .caller(carlos())
            .action("s3:ListAllMyBuckets")
            .resource("arn:aws:s3:::*")
            .identity(carlos_identity())
            .expect(Allowed),
        case(EXPLICIT_IMPLICIT, "iam:GetUser is allowed by AllowGetList")
            .action("iam:GetUser")
            .resource("arn:aws:iam::111122223333:user/alice")
            .identity(get_list_report_policy())
            .expect(Allowed),
        case(EXPLICIT_IMPLICIT, "iam:CreatePolicy is implicitly denied")
            .action("iam:CreatePolicy")
            .resource("arn:aws:iam::111122223333:policy/p")
            .identity(get_list_report_policy()),
        case(EXPLICIT_IMPLICIT, "iam:GetOrganizationsAccessReport is explicitly denied")
            .action("iam:GetOrganizationsAccessReport")
            .resource("*")
            .identity(get_list_report_policy())
            .expect(ExplicitDeny(IdentityBased)),
        case(EXPLICIT_IMPLICIT, "iam:GenerateCredentialReport stays denied when another policy allows it")
            .action("iam:GenerateCredentialReport")
            .resource("*")
            .identity(get_list_report_policy())
            .identity(allow("iam:GenerateCredentialReport", "*"))
            .expect(ExplicitDeny(IdentityBased)),
        case(BASICS, "group policies count as identity policies")
            .identity(allow("ec2:DescribeInstances", "*"))
            .identity(allow("s3:GetObject", "*"))
            .expect(Allowed),
    ]
}
