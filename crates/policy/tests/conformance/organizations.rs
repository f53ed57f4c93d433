//! AWS Organizations User Guide: orgs_manage_policies_scps_evaluation.md ("SCP evaluation")
//! and orgs_manage_policies_rcps_evaluation.md ("RCP evaluation"), plus the SCP step of
//! reference_policies_evaluation-logic.md.

use crate::harness::*;

const SCP: &str = "SCP evaluation";
const SCP_STEP: &str = "reference_policies_evaluation-logic.md: Organizations SCPs";
const RCP: &str = "RCP evaluation";

fn full() -> String {
    allow("*", "*")
}

fn deny_kms() -> String {
    deny("kms:*", "*")
}

fn rcp_full() -> String {
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#.into()
}

fn rcp_deny_outside_org() -> String {
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}"#.into()
}

pub fn cases() -> Vec<Case> {
    let admin = || case(SCP, "").identity(full());
    let named = |c: Case, name: &str| Case {
        name: name.into(),
        ..c
    };
    vec![
        named(admin().scps(&[&[&full()], &[&full()], &[&full()]]).expect(Allowed), "FullAWSAccess at every level allows"),
        named(admin().scps(&[&[&full()], &[&full()], &[&full()]]).action("ec2:RunInstances").resource("*").expect(Allowed), "FullAWSAccess at every level allows EC2 too"),
        named(admin().scps(&[&[&full()], &[], &[&full()]]), "an OU without any SCP allowing denies")
            .expect(ImplicitDeny(ServiceControlPolicy)),
        named(admin().scps(&[&[&full()], &[&full()], &[&allow("ec2:*", "*")]]), "the account's SCP does not allow S3")
            .expect(ImplicitDeny(ServiceControlPolicy)),
        named(admin().scps(&[&[&allow("ec2:*", "*")], &[&full()], &[&full()]]), "the root's SCP does not allow S3")
            .expect(ImplicitDeny(ServiceControlPolicy)),
        named(admin().scps(&[&[&full()], &[&full(), &allow("s3:*", "*")], &[&allow("s3:GetObject", "*")]]), "every level allows through different SCPs")
            .expect(Allowed),
        named(admin().scps(&[&[&full(), &deny("s3:*", "*")], &[&full()], &[&full()]]), "a deny at the root applies to every account")
            .expect(ExplicitDeny(ServiceControlPolicy)),
        named(admin().scps(&[&[&full()], &[&full()], &[&full(), &deny_kms()]]).action("kms:ListKeys").resource("*"), "an SCP denying kms:* blocks kms:ListKeys")
            .expect(ExplicitDeny(ServiceControlPolicy)),
        named(admin().scps(&[&[&full()], &[&full()], &[&full(), &deny_kms()]]), "an SCP denying kms:* leaves S3 allowed")
            .expect(Allowed),
        named(case(SCP, "").scps(&[&[&full()]]), "SCPs grant nothing by themselves")
            .expect(ImplicitDeny(IdentityBased)),
        named(case(SCP, "").caller(root()).scps(&[&[&full(), &deny_kms()]]).action("kms:ListKeys").resource("*"), "SCPs restrict the member account's root user")
            .expect(ExplicitDeny(ServiceControlPolicy)),
        named(case(SCP, "").caller(root()).scps(&[&[&allow("ec2:*", "*")]]), "the member root user is limited to what SCPs allow")
            .expect(ImplicitDeny(ServiceControlPolicy)),
        named(case(SCP, "").caller(root()).scps(&[&[&deny("*", "*")]]).management_account(), "SCPs do not affect the management account")
            .expect(Allowed),
        named(admin().scps(&[&[&deny("s3:*", "*")]]).management_account(), "a deny SCP does not affect users in the management account")
            .expect(Allowed),
        named(
            case(SCP, "")
                .caller(policy::Caller::RoleSession {
                    role_arn: "arn:aws:iam::111122223333:role/aws-service-role/s.amazonaws.com/AWSServiceRoleForX".into(),
                    session_arn: "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/s".into(),
                    service_linked: true,
                })
                .identity(full())
                .scps(&[&[&deny("*", "*")]]),
            "SCPs do not affect service-linked roles",
        )
        .expect(Allowed),
        named(admin().scps(&[&[&policy(&[stmt_if("Allow", "*", "*", r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#)])]]).context("aws:RequestedRegion", "eu-west-1"), "an SCP allowing one region, in that region")
            .expect(Allowed),
        named(admin().scps(&[&[&full(), &policy(&[stmt_if("Deny", "*", "*", r#"{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}"#)])]]).context("aws:RequestedRegion", "us-east-1"), "an SCP denying other regions")
            .expect(ExplicitDeny(ServiceControlPolicy)),
        named(admin().scps(&[&[&policy(&[r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#.to_string()])]]), "an SCP allowing everything but IAM allows S3")
            .expect(Allowed),
        named(admin().scps(&[&[&policy(&[r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#.to_string()])]]).action("iam:CreateUser").resource("*"), "an SCP allowing everything but IAM denies IAM")
            .expect(ImplicitDeny(ServiceControlPolicy)),
        named(case(SCP_STEP, "").identity(full()).scps(&[&[&full()]]).boundary(allow("ec2:*", "*")), "an SCP allow does not lift a boundary")
            .expect(ImplicitDeny(PermissionsBoundary)),
        named(case(SCP_STEP, "").resource_policy(policy(&[rstmt("Allow", &aws("arn:aws:iam::111122223333:user/alice"), "s3:GetObject", "*")])).scps(&[&[&allow("ec2:*", "*")]]), "SCPs limit what resource-based policies grant")
            .expect(ImplicitDeny(ServiceControlPolicy)),
        named(admin().rcps(&[&[&rcp_full()]]), "RCPFullAWSAccess allows").expect(Allowed),
        named(case(RCP, "").identity(full()).rcps(&[&[&rcp_full()], &[]]), "an OU without an RCP allowing denies")
            .expect(ImplicitDeny(ResourceControlPolicy)),
        named(case(RCP, "").identity(full()).rcps(&[&[&rcp_full(), &rcp_deny_outside_org()]]).context("aws:PrincipalOrgID", "o-other"), "an RCP denies principals outside the organization")
            .expect(ExplicitDeny(ResourceControlPolicy)),
        named(case(RCP, "").identity(full()).rcps(&[&[&rcp_full(), &rcp_deny_outside_org()]]).context("aws:PrincipalOrgID", "o-abc123"), "an RCP lets the organization's principals through")
            .expect(Allowed),
        named(case(RCP, "").caller(root()).rcps(&[&[&rcp_full(), &rcp_deny_outside_org()]]).context("aws:PrincipalOrgID", "o-other"), "RCPs apply to the root user too")
            .expect(ExplicitDeny(ResourceControlPolicy)),
        named(case(RCP, "").rcps(&[&[&rcp_full()]]), "RCPs grant nothing by themselves")
            .expect(ImplicitDeny(IdentityBased)),
    ]
}
