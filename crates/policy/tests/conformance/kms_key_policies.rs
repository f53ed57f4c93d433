//! AWS KMS Developer Guide, key-policies.md ("Key policies in AWS KMS", "Default key
//! policy: Allows access to the AWS account and enables IAM policies") and the KMS
//! exception in reference_policies_evaluation-logic.md.

use crate::harness::*;

const DEFAULT: &str =
    "Default key policy: allows access to the AWS account and enables IAM policies";
const USERS: &str = "Default key policy: allows key users to use the KMS key";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn enable_iam() -> String {
    policy(&[rstmt(
        "Allow",
        &aws("arn:aws:iam::111122223333:root"),
        "kms:*",
        "*",
    )])
}

pub fn cases() -> Vec<Case> {
    let k =
        |section: &'static str, name: &str| case(section, name).action("kms:Decrypt").resource(KEY);
    vec![
        k(DEFAULT, "with IAM enabled, an identity policy allows")
            .key_policy(enable_iam())
            .identity(allow("kms:Decrypt", "*"))
            .expect(Allowed),
        k(DEFAULT, "with IAM enabled, no identity policy: denied")
            .key_policy(enable_iam())
            .expect(ImplicitDeny(IdentityBased)),
        k(DEFAULT, "without the account statement, an identity policy is not enough")
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/admin"), "kms:*", "*")]))
            .identity(allow("kms:*", "*"))
            .expect(ImplicitDeny(ResourceBased)),
        k(DEFAULT, "the account statement for other actions does not enable IAM for this one")
            .key_policy(policy(&[rstmt("Allow", &aws("111122223333"), "kms:Describe*", "*")]))
            .identity(allow("kms:*", "*"))
            .expect(ImplicitDeny(ResourceBased)),
        k(DEFAULT, "the root user is allowed through the account statement")
            .caller(root())
            .key_policy(enable_iam())
            .expect(Allowed),
        k(DEFAULT, "the root user is denied when the key policy omits the account")
            .caller(root())
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/admin"), "kms:*", "*")]))
            .expect(ImplicitDeny(ResourceBased)),
        k(USERS, "a key user named in the key policy needs no IAM policy")
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "kms:Decrypt|kms:Encrypt", "*")]))
            .expect(Allowed),
        k(USERS, "a key user named for Encrypt only cannot Decrypt")
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "kms:Encrypt", "*")]))
            .expect(ImplicitDeny(ResourceBased)),
        k(USERS, "a role named in the key policy, used by its session")
            .caller(role_session("KeyUser", "s"))
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:role/KeyUser"), "kms:Decrypt", "*")]))
            .expect(Allowed),
        k(USERS, "a role named in the key policy is still limited by its boundary")
            .caller(role_session("KeyUser", "s"))
            .boundary(allow("s3:*", "*"))
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:role/KeyUser"), "kms:Decrypt", "*")]))
            .expect(ImplicitDeny(PermissionsBoundary)),
        k(DEFAULT, "an explicit deny in the key policy")
            .key_policy(policy(&[
                rstmt("Allow", &aws("arn:aws:iam::111122223333:root"), "kms:*", "*"),
                rstmt("Deny", "\"*\"", "kms:Decrypt", "*"),
            ]))
            .identity(allow("kms:*", "*"))
            .expect(ExplicitDeny(ResourceBased)),
        k(DEFAULT, "an explicit deny in the identity policy overrides the key policy")
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "kms:*", "*")]))
            .identity(deny("kms:*", "*"))
            .expect(ExplicitDeny(IdentityBased)),
        k("kms:ViaService condition key", "a key policy allowing use only via Secrets Manager")
            .key_policy(policy(&[
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}"#.to_string(),
            ]))
            .context("kms:ViaService", "secretsmanager.us-east-1.amazonaws.com")
            .expect(Allowed),
        k("kms:ViaService condition key", "a direct call is refused by the ViaService condition")
            .key_policy(policy(&[
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.us-east-1.amazonaws.com"}}}"#.to_string(),
            ]))
            .expect(ImplicitDeny(ResourceBased)),
        k("Allowing users in other accounts to use a KMS key", "cross-account: key policy trusts the account and the identity policy allows")
            .resource_account(OTHER_ACCOUNT)
            .resource("arn:aws:kms:us-east-1:444455556666:key/k")
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:root"), "kms:Decrypt", "*")]))
            .identity(allow("kms:Decrypt", "arn:aws:kms:us-east-1:444455556666:key/k"))
            .expect(Allowed),
        k("Allowing users in other accounts to use a KMS key", "cross-account: the key policy does not trust the account")
            .resource_account(OTHER_ACCOUNT)
            .resource("arn:aws:kms:us-east-1:444455556666:key/k")
            .key_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::444455556666:root"), "kms:*", "*")]))
            .identity(allow("kms:Decrypt", "*"))
            .expect(ImplicitDeny(ResourceBased)),
    ]
}
