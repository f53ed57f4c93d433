//! access_policies_boundaries.md.

use crate::harness::*;

const INTRO: &str = "Permissions Boundaries for IAM Entities";
const EVAL: &str = "Evaluating Effective Permissions with Boundaries";
const DELEGATE: &str = "Delegating Responsibility to Others Using Permissions Boundaries";

fn shirley_boundary() -> String {
    allow("s3:*|cloudwatch:*|ec2:*", "*")
}

fn xcompany_boundaries() -> String {
    policy(&[
        r#"{"Sid":"ServiceBoundaries","Effect":"Allow","Action":["s3:*","cloudwatch:*","ec2:*","dynamodb:*"],"Resource":"*"}"#.into(),
        r#"{"Sid":"AllowIAMConsoleForCredentials","Effect":"Allow","Action":["iam:ListUsers","iam:GetAccountPasswordPolicy"],"Resource":"*"}"#.into(),
        r#"{"Sid":"AllowManageOwnPasswordAndAccessKeys","Effect":"Allow","Action":["iam:*AccessKey*","iam:ChangePassword","iam:GetUser","iam:*ServiceSpecificCredential*","iam:*SigningCertificate*"],"Resource":["arn:aws:iam::*:user/${aws:username}"]}"#.into(),
        r#"{"Sid":"DenyS3Logs","Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::logs","arn:aws:s3:::logs/*"]}"#.into(),
        r#"{"Sid":"DenyEC2Production","Effect":"Deny","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/i-1234567890abcdef0"}"#.into(),
    ])
}

fn delegated_user_boundary() -> String {
    policy(&[
        r#"{"Sid":"CreateOrChangeOnlyWithBoundary","Effect":"Allow","Action":["iam:CreateUser","iam:DeleteUserPolicy","iam:AttachUserPolicy","iam:DetachUserPolicy","iam:PutUserPermissionsBoundary"],"Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::111122223333:policy/XCompanyBoundaries"}}}"#.into(),
        r#"{"Sid":"CloudWatchAndOtherIAMTasks","Effect":"Allow","Action":["cloudwatch:*","iam:GetUser","iam:ListUsers","iam:DeleteUser","iam:*Group*","iam:CreatePolicy","iam:DeletePolicy","iam:SetDefaultPolicyVersion"],"Resource":"*"}"#.into(),
        r#"{"Sid":"NoBoundaryPolicyEdit","Effect":"Deny","Action":["iam:CreatePolicyVersion","iam:DeletePolicy","iam:DeletePolicyVersion","iam:SetDefaultPolicyVersion"],"Resource":["arn:aws:iam::111122223333:policy/XCompanyBoundaries","arn:aws:iam::111122223333:policy/DelegatedUserBoundary"]}"#.into(),
        r#"{"Sid":"NoBoundaryUserDelete","Effect":"Deny","Action":"iam:DeleteUserPermissionsBoundary","Resource":"*"}"#.into(),
    ])
}

pub fn cases() -> Vec<Case> {
    let shirley = || user("ShirleyRodriguez");
    let zhang = || {
        case(DELEGATE, "")
            .caller(user("Zhang"))
            .identity(allow("iam:*|cloudwatch:*", "*"))
            .boundary(delegated_user_boundary())
    };
    let new_user = || {
        case(DELEGATE, "")
            .caller(user("newuser"))
            .identity(allow("*", "*"))
            .boundary(xcompany_boundaries())
    };
    vec![
        case(
            INTRO,
            "iam:CreateUser is allowed by the identity policy but not the boundary",
        )
        .caller(shirley())
        .action("iam:CreateUser")
        .resource("arn:aws:iam::111122223333:user/bob")
        .identity(allow("iam:CreateUser", "*"))
        .boundary(shirley_boundary())
        .expect(ImplicitDeny(PermissionsBoundary)),
        case(INTRO, "the boundary alone grants nothing")
            .caller(shirley())
            .boundary(shirley_boundary())
            .expect(ImplicitDeny(IdentityBased)),
        case(INTRO, "an S3 action allowed by both")
            .caller(shirley())
            .identity(allow("s3:*", "*"))
            .boundary(shirley_boundary())
            .expect(Allowed),
        case(INTRO, "an EC2 action allowed by both")
            .caller(shirley())
            .action("ec2:RunInstances")
            .resource("*")
            .identity(allow("*", "*"))
            .boundary(shirley_boundary())
            .expect(Allowed),
        case(
            INTRO,
            "AdministratorAccess is cut to the boundary's services",
        )
        .caller(shirley())
        .action("kms:ListKeys")
        .resource("*")
        .identity(allow("*", "*"))
        .boundary(shirley_boundary())
        .expect(ImplicitDeny(PermissionsBoundary)),
        case(
            EVAL,
            "an explicit deny in the boundary overrides the identity allow",
        )
        .identity(allow("s3:*", "*"))
        .boundary(policy(&[
            stmt("Allow", "s3:*", "*"),
            stmt("Deny", "s3:GetObject", "*"),
        ]))
        .expect(ExplicitDeny(PermissionsBoundary)),
        case(
            EVAL,
            "a resource-based policy naming the user adds to the boundary's limit",
        )
        .boundary(allow("ec2:*", "*"))
        .resource_policy(policy(&[rstmt(
            "Allow",
            &aws("arn:aws:iam::111122223333:user/alice"),
            "s3:GetObject",
            "*",
        )]))
        .expect(Allowed),
        case(
            EVAL,
            "an explicit deny in the boundary overrides a resource-based allow",
        )
        .boundary(policy(&[stmt("Deny", "s3:*", "*")]))
        .resource_policy(policy(&[rstmt(
            "Allow",
            &aws("arn:aws:iam::111122223333:user/alice"),
            "s3:GetObject",
            "*",
        )]))
        .expect(ExplicitDeny(PermissionsBoundary)),
        case(
            EVAL,
            "SCP, boundary and identity policy must all allow: SCP missing",
        )
        .identity(allow("s3:*", "*"))
        .boundary(allow("s3:*", "*"))
        .scps(&[&[&allow("ec2:*", "*")]])
        .expect(ImplicitDeny(ServiceControlPolicy)),
        case(
            EVAL,
            "session policy, boundary and identity policy: boundary missing",
        )
        .caller(role_session("r", "s"))
        .identity(allow("s3:*", "*"))
        .boundary(allow("ec2:*", "*"))
        .session(allow("s3:*", "*"))
        .expect(ImplicitDeny(PermissionsBoundary)),
        case(
            EVAL,
            "session policy, boundary and identity policy: all allow",
        )
        .caller(role_session("r", "s"))
        .identity(allow("s3:*", "*"))
        .boundary(allow("s3:*", "*"))
        .session(allow("s3:*", "*"))
        .expect(Allowed),
        case(EVAL, "a role's boundary limits the role session")
            .caller(role_session("r", "s"))
            .identity(allow("*", "*"))
            .boundary(allow("ec2:*", "*"))
            .expect(ImplicitDeny(PermissionsBoundary)),
        Case {
            name: "Zhang creates a user with the XCompanyBoundaries boundary".into(),
            ..zhang()
        }
        .action("iam:CreateUser")
        .resource("arn:aws:iam::111122223333:user/newuser")
        .context(
            "iam:PermissionsBoundary",
            "arn:aws:iam::111122223333:policy/XCompanyBoundaries",
        )
        .expect(Allowed),
        Case {
            name: "Zhang cannot create a user without the boundary".into(),
            ..zhang()
        }
        .action("iam:CreateUser")
        .resource("arn:aws:iam::111122223333:user/newuser")
        .expect(ImplicitDeny(PermissionsBoundary)),
        Case {
            name: "Zhang cannot create a user with another boundary".into(),
            ..zhang()
        }
        .action("iam:CreateUser")
        .resource("arn:aws:iam::111122223333:user/newuser")
        .context(
            "iam:PermissionsBoundary",
            "arn:aws:iam::111122223333:policy/Other",
        )
        .expect(ImplicitDeny(PermissionsBoundary)),
        Case {
            name: "Zhang cannot delete a permissions boundary".into(),
            ..zhang()
        }
        .action("iam:DeleteUserPermissionsBoundary")
        .resource("arn:aws:iam::111122223333:user/newuser")
        .expect(ExplicitDeny(PermissionsBoundary)),
        Case {
            name: "Zhang cannot edit the boundary policy".into(),
            ..zhang()
        }
        .action("iam:SetDefaultPolicyVersion")
        .resource("arn:aws:iam::111122223333:policy/XCompanyBoundaries")
        .expect(ExplicitDeny(PermissionsBoundary)),
        Case {
            name: "Zhang may set the default version of other policies".into(),
            ..zhang()
        }
        .action("iam:SetDefaultPolicyVersion")
        .resource("arn:aws:iam::111122223333:policy/TeamPolicy")
        .expect(Allowed),
        Case {
            name: "Zhang may list users".into(),
            ..zhang()
        }
        .action("iam:ListUsers")
        .resource("*")
        .expect(Allowed),
        Case {
            name: "Zhang cannot create roles".into(),
            ..zhang()
        }
        .action("iam:CreateRole")
        .resource("arn:aws:iam::111122223333:role/r")
        .expect(ImplicitDeny(PermissionsBoundary)),
        Case {
            name: "a new user cannot touch the logs bucket".into(),
            ..new_user()
        }
        .action("s3:GetObject")
        .resource("arn:aws:s3:::logs/x")
        .expect(ExplicitDeny(PermissionsBoundary)),
        Case {
            name: "a new user may use other buckets".into(),
            ..new_user()
        }
        .action("s3:GetObject")
        .resource("arn:aws:s3:::data/x")
        .expect(Allowed),
        Case {
            name: "a new user cannot use the production instance".into(),
            ..new_user()
        }
        .action("ec2:StopInstances")
        .resource("arn:aws:ec2:us-east-1:111122223333:instance/i-1234567890abcdef0")
        .expect(ExplicitDeny(PermissionsBoundary)),
        Case {
            name: "a new user manages their own access keys".into(),
            ..new_user()
        }
        .action("iam:CreateAccessKey")
        .resource("arn:aws:iam::111122223333:user/newuser")
        .context("aws:username", "newuser")
        .expect(Allowed),
        Case {
            name: "a new user cannot manage another user's access keys".into(),
            ..new_user()
        }
        .action("iam:CreateAccessKey")
        .resource("arn:aws:iam::111122223333:user/other")
        .context("aws:username", "newuser")
        .expect(ImplicitDeny(PermissionsBoundary)),
        Case {
            name: "a new user cannot create users".into(),
            ..new_user()
        }
        .action("iam:CreateUser")
        .resource("arn:aws:iam::111122223333:user/x")
        .expect(ImplicitDeny(PermissionsBoundary)),
    ]
}
