//! id_roles_compare-resource-policies.md and the trust-policy exception of
//! reference_policies_evaluation-logic.md ("IAM role trust policies ... must explicitly
//! allow access for principals"); id_roles_create_for-user_externalid.md for ExternalId.

use crate::harness::*;

const S: &str = "How IAM roles differ from resource-based policies";
const EXT: &str = "id_roles_create_for-user_externalid.md: How to use an external ID";
const ROLE: &str = "arn:aws:iam::111122223333:role/Deployer";
const OTHER_ROLE: &str = "arn:aws:iam::444455556666:role/Deployer";

fn trust(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn trust_if(principal: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole","Condition":{condition}}}]}}"#
    )
}

pub fn cases() -> Vec<Case> {
    let assume = |name: &str| case(S, name).action("sts:AssumeRole").resource(ROLE);
    let cross = |name: &str| {
        case(S, name)
            .action("sts:AssumeRole")
            .resource(OTHER_ROLE)
            .resource_account(OTHER_ACCOUNT)
    };
    vec![
        assume("a trust policy naming the user allows without an identity policy")
            .trust_policy(trust(&aws("arn:aws:iam::111122223333:user/alice")))
            .expect(Allowed),
        assume("a trust policy naming the account needs the identity policy")
            .trust_policy(trust(&aws("arn:aws:iam::111122223333:root")))
            .expect(ImplicitDeny(IdentityBased)),
        assume("a trust policy naming the account, with identity allow")
            .trust_policy(trust(&aws("111122223333")))
            .identity(allow("sts:AssumeRole", ROLE))
            .expect(Allowed),
        assume("an identity allow without the trust policy is not enough")
            .identity(allow("sts:AssumeRole", "*"))
            .trust_policy(trust(&aws("arn:aws:iam::111122223333:user/bob")))
            .expect(ImplicitDeny(ResourceBased)),
        assume("a trust policy for a service does not admit users")
            .identity(allow("sts:AssumeRole", "*"))
            .trust_policy(trust(r#"{"Service":"ec2.amazonaws.com"}"#))
            .expect(ImplicitDeny(ResourceBased)),
        assume("the service named in the trust policy may assume the role")
            .caller(service("ec2.amazonaws.com"))
            .trust_policy(trust(r#"{"Service":"ec2.amazonaws.com"}"#))
            .expect(Allowed),
        assume("another service may not")
            .caller(service("lambda.amazonaws.com"))
            .trust_policy(trust(r#"{"Service":"ec2.amazonaws.com"}"#))
            .expect(ImplicitDeny(ResourceBased)),
        case(S, "a web identity provider named in the trust policy")
            .caller(policy::Caller::IdentityProvider { provider: "cognito-identity.amazonaws.com".into() })
            .action("sts:AssumeRoleWithWebIdentity")
            .resource(ROLE)
            .trust_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:pool"}}}]}"#)
            .context("cognito-identity.amazonaws.com:aud", "us-east-1:pool")
            .expect(Allowed),
        case(S, "a web identity token for another audience")
            .caller(policy::Caller::IdentityProvider { provider: "cognito-identity.amazonaws.com".into() })
            .action("sts:AssumeRoleWithWebIdentity")
            .resource(ROLE)
            .trust_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:pool"}}}]}"#)
            .context("cognito-identity.amazonaws.com:aud", "us-east-1:other")
            .expect(ImplicitDeny(ResourceBased)),
        assume("the trust policy allows AssumeRole but not TagSession")
            .action("sts:TagSession")
            .trust_policy(trust(&aws("arn:aws:iam::111122223333:user/alice")))
            .expect(ImplicitDeny(ResourceBased)),
        cross("cross-account: trusted account and identity allow")
            .trust_policy(trust(&aws("111122223333")))
            .identity(allow("sts:AssumeRole", OTHER_ROLE))
            .expect(Allowed),
        cross("cross-account: trusted account without identity allow")
            .trust_policy(trust(&aws("111122223333")))
            .expect(ImplicitDeny(IdentityBased)),
        cross("cross-account: identity allow but the role trusts someone else")
            .trust_policy(trust(&aws("999999999999")))
            .identity(allow("sts:AssumeRole", "*"))
            .expect(ImplicitDeny(ResourceBased)),
        cross("cross-account: a trust policy naming the user still needs the identity side")
            .trust_policy(trust(&aws("arn:aws:iam::111122223333:user/alice")))
            .expect(ImplicitDeny(IdentityBased)),
        case(EXT, "the external ID matches")
            .action("sts:AssumeRole")
            .resource(OTHER_ROLE)
            .resource_account(OTHER_ACCOUNT)
            .identity(allow("sts:AssumeRole", "*"))
            .trust_policy(trust_if(&aws("111122223333"), r#"{"StringEquals":{"sts:ExternalId":"Unique ID Assigned by Example Corp"}}"#))
            .context("sts:ExternalId", "Unique ID Assigned by Example Corp")
            .expect(Allowed),
        case(EXT, "the external ID is missing")
            .action("sts:AssumeRole")
            .resource(OTHER_ROLE)
            .resource_account(OTHER_ACCOUNT)
            .identity(allow("sts:AssumeRole", "*"))
            .trust_policy(trust_if(&aws("111122223333"), r#"{"StringEquals":{"sts:ExternalId":"Unique ID Assigned by Example Corp"}}"#))
            .expect(ImplicitDeny(ResourceBased)),
        case("reference_policies_condition-keys.md: aws:MultiFactorAuthPresent", "a trust policy requiring MFA, with MFA")
            .action("sts:AssumeRole")
            .resource(ROLE)
            .identity(allow("sts:AssumeRole", "*"))
            .trust_policy(trust_if(&aws("111122223333"), r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#))
            .context("aws:MultiFactorAuthPresent", "true")
            .expect(Allowed),
        case("reference_policies_condition-keys.md: aws:MultiFactorAuthPresent", "a trust policy requiring MFA, without MFA")
            .action("sts:AssumeRole")
            .resource(ROLE)
            .identity(allow("sts:AssumeRole", "*"))
            .trust_policy(trust_if(&aws("111122223333"), r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#))
            .expect(ImplicitDeny(ResourceBased)),
    ]
}
