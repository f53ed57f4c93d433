//! reference_policies_elements_principal.md.

use crate::harness::*;

const ACCOUNT_P: &str = "AWS account principals";
const USER_P: &str = "IAM user principals";
const ROLE_P: &str = "IAM role principals";
const SESSION_P: &str = "Role session principals";
const SERVICE_P: &str = "AWS service principals";
const EVERYONE: &str = "All principals";
const CANONICAL: &str = "Canonical user principals";

fn bucket(principal: &str) -> String {
    policy(&[rstmt(
        "Allow",
        principal,
        "s3:GetObject",
        "arn:aws:s3:::examplebucket/*",
    )])
}

pub fn cases() -> Vec<Case> {
    vec![
        case(ACCOUNT_P, "a bare account id names the account").identity(allow("s3:*", "*")).resource_account(OTHER_ACCOUNT)
            .resource_policy(bucket(r#"{"AWS":"111122223333"}"#)).expect(Allowed),
        case(ACCOUNT_P, "the root ARN names the account").identity(allow("s3:*", "*")).resource_account(OTHER_ACCOUNT)
            .resource_policy(bucket(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#)).expect(Allowed),
        case(ACCOUNT_P, "an array of accounts").identity(allow("s3:*", "*")).resource_account(OTHER_ACCOUNT)
            .resource_policy(bucket(r#"{"AWS":["999999999999","111122223333"]}"#)).expect(Allowed),
        case(USER_P, "the user's ARN").resource_policy(bucket(&aws("arn:aws:iam::111122223333:user/alice"))).expect(Allowed),
        case(USER_P, "user ARNs are exact: another user")
            .resource_policy(bucket(&aws("arn:aws:iam::111122223333:user/alicia"))),
        case(USER_P, "a user with a path")
            .caller(policy::Caller::User { arn: "arn:aws:iam::111122223333:user/division/alice".into() })
            .resource_policy(bucket(&aws("arn:aws:iam::111122223333:user/division/alice"))).expect(Allowed),
        case(ROLE_P, "the role ARN names every session of the role")
            .caller(role_session("reader", "any"))
            .resource_policy(bucket(&aws("arn:aws:iam::111122223333:role/reader"))).expect(Allowed),
        case(ROLE_P, "the role ARN does not name an IAM user")
            .resource_policy(bucket(&aws("arn:aws:iam::111122223333:role/alice"))),
        case(SESSION_P, "the session ARN names that session")
            .caller(role_session("reader", "s1"))
            .resource_policy(bucket(&aws("arn:aws:sts::111122223333:assumed-role/reader/s1"))).expect(Allowed),
        case(SESSION_P, "the session ARN does not name another session")
            .caller(role_session("reader", "s2"))
            .resource_policy(bucket(&aws("arn:aws:sts::111122223333:assumed-role/reader/s1"))),
        case(SERVICE_P, "a service principal")
            .caller(service("cloudtrail.amazonaws.com"))
            .action("s3:PutObject")
            .resource_policy(policy(&[rstmt("Allow", r#"{"Service":"cloudtrail.amazonaws.com"}"#, "s3:PutObject", "arn:aws:s3:::examplebucket/*")]))
            .expect(Allowed),
        case(SERVICE_P, "a service not named")
            .caller(service("config.amazonaws.com"))
            .action("s3:PutObject")
            .resource_policy(policy(&[rstmt("Allow", r#"{"Service":"cloudtrail.amazonaws.com"}"#, "s3:PutObject", "arn:aws:s3:::examplebucket/*")]))
            .expect(ImplicitDeny(ResourceBased)),
        case(SERVICE_P, "a service with no resource policy").caller(service("cloudtrail.amazonaws.com")).expect(ImplicitDeny(ResourceBased)),
        case(SERVICE_P, "a service principal in a list with an account")
            .caller(service("cloudtrail.amazonaws.com"))
            .resource_policy(bucket(r#"{"AWS":"111122223333","Service":["cloudtrail.amazonaws.com"]}"#))
            .expect(Allowed),
        case(EVERYONE, "\"Principal\": \"*\" allows anonymous users")
            .caller(policy::Caller::Anonymous)
            .resource_policy(bucket("\"*\"")).expect(Allowed),
        case(EVERYONE, "{\"AWS\": \"*\"} is equivalent")
            .caller(policy::Caller::Anonymous)
            .resource_policy(bucket(r#"{"AWS":"*"}"#)).expect(Allowed),
        case(EVERYONE, "anonymous users without a public policy")
            .caller(policy::Caller::Anonymous)
            .resource_policy(bucket(&aws("arn:aws:iam::111122223333:user/alice")))
            .expect(ImplicitDeny(ResourceBased)),
        case(EVERYONE, "\"*\" includes same-account users without identity policies")
            .resource_policy(bucket("\"*\"")).expect(Allowed),
        case(CANONICAL, "a canonical user id").caller(policy::Caller::Anonymous)
            .resource_policy(bucket(r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}"#))
            .expect(ImplicitDeny(ResourceBased)),
    ]
}
