//! reference_policies_elements_action.md ("Action", wildcards and case) and
//! reference_policies_elements_resource.md ("Resource", wildcards in ARNs).

use crate::harness::*;

const ACTION: &str = "reference_policies_elements_action.md: Action";
const RESOURCE: &str = "reference_policies_elements_resource.md: Including wildcard characters (* and ?) in resource ARNs";
const RESOURCE_CASE: &str =
    "reference_policies_elements_resource.md: Resource ARNs are case sensitive";

type Row = (&'static str, &'static str, &'static str, &'static str, bool);

/// (section, policy action, policy resource, request action, request resource, allowed)
const ROWS: &[(&str, Row)] = &[
    (ACTION, ("*", "*", "s3:GetObject", "arn:aws:s3:::b/k", true)),
    (
        ACTION,
        ("s3:*", "*", "s3:GetObject", "arn:aws:s3:::b/k", true),
    ),
    (
        ACTION,
        (
            "s3:*",
            "*",
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:111122223333:q",
            false,
        ),
    ),
    (
        ACTION,
        ("s3:Get*", "*", "s3:GetObject", "arn:aws:s3:::b/k", true),
    ),
    (
        ACTION,
        ("s3:Get*", "*", "s3:PutObject", "arn:aws:s3:::b/k", false),
    ),
    (
        ACTION,
        ("iam:*AccessKey*", "*", "iam:CreateAccessKey", "*", true),
    ),
    (
        ACTION,
        ("iam:*AccessKey*", "*", "iam:ListAccessKeys", "*", true),
    ),
    (
        ACTION,
        ("iam:*AccessKey*", "*", "iam:CreateUser", "*", false),
    ),
    (
        ACTION,
        ("sqs:SendMessage", "*", "SQS:SENDMESSAGE", "*", true),
    ),
    (
        ACTION,
        ("SQS:sendmessage", "*", "sqs:SendMessage", "*", true),
    ),
    (ACTION, ("s3:GetObject?", "*", "s3:GetObjectX", "*", true)),
    (ACTION, ("s3:GetObject?", "*", "s3:GetObject", "*", false)),
    (
        ACTION,
        ("ec2:Describe*", "*", "ec2:DescribeInstances", "*", true),
    ),
    (
        ACTION,
        ("ec2:Describe*", "*", "ec2:RunInstances", "*", false),
    ),
    (ACTION, ("s3:*Object", "*", "s3:DeleteObject", "*", true)),
    (
        ACTION,
        ("s3:*Object", "*", "s3:DeleteObjectTagging", "*", false),
    ),
    (
        ACTION,
        ("iam:Get*|iam:List*", "*", "iam:ListRoles", "*", true),
    ),
    (ACTION, ("s3:GetObject", "*", "s3:GetObjectAcl", "*", false)),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/*",
            "s3:GetObject",
            "arn:aws:s3:::examplebucket/a/b/c.txt",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/*",
            "s3:ListBucket",
            "arn:aws:s3:::examplebucket",
            false,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::example*",
            "s3:ListBucket",
            "arn:aws:s3:::examplebucket",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/file?.txt",
            "s3:GetObject",
            "arn:aws:s3:::examplebucket/file1.txt",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/file?.txt",
            "s3:GetObject",
            "arn:aws:s3:::examplebucket/file10.txt",
            false,
        ),
    ),
    (
        RESOURCE,
        (
            "iam:*",
            "arn:aws:iam::111122223333:user/*",
            "iam:GetUser",
            "arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/Bob",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "iam:*",
            "arn:aws:iam::111122223333:user/division_abc/*",
            "iam:GetUser",
            "arn:aws:iam::111122223333:user/division_def/Bob",
            false,
        ),
    ),
    (
        RESOURCE,
        (
            "iam:*",
            "arn:aws:iam::*:user/*",
            "iam:GetUser",
            "arn:aws:iam::999999999999:user/x",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "dynamodb:*",
            "arn:aws:dynamodb:us-east-2:111122223333:table/*",
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-2:111122223333:table/Books",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "dynamodb:*",
            "arn:aws:dynamodb:us-east-2:111122223333:table/*",
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-west-2:111122223333:table/Books",
            false,
        ),
    ),
    (
        RESOURCE,
        (
            "ec2:*",
            "arn:aws:ec2:*:*:instance/*",
            "ec2:StopInstances",
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "ec2:*",
            "arn:aws:ec2:*:111122223333:*",
            "ec2:StopInstances",
            "arn:aws:ec2:eu-west-1:999999999999:instance/i-1",
            false,
        ),
    ),
    (
        RESOURCE,
        (
            "sns:*",
            "arn:aws:sns:*:111122223333:*",
            "sns:Publish",
            "arn:aws:sns:us-east-1:111122223333:my:topic",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "*",
            "s3:GetObject",
            "arn:aws:s3:::anything/at/all",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::*",
            "s3:GetObject",
            "arn:aws:s3:::b/k:with:colons",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "logs:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:/app/*",
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:111122223333:log-group:/app/web:log-stream:1",
            true,
        ),
    ),
    (
        RESOURCE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/*",
            "s3:ListAllMyBuckets",
            "*",
            false,
        ),
    ),
    (
        RESOURCE_CASE,
        (
            "s3:*",
            "arn:aws:s3:::ExampleBucket/*",
            "s3:GetObject",
            "arn:aws:s3:::examplebucket/k",
            false,
        ),
    ),
    (
        RESOURCE_CASE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/Key",
            "s3:GetObject",
            "arn:aws:s3:::examplebucket/key",
            false,
        ),
    ),
    (
        RESOURCE_CASE,
        (
            "s3:*",
            "arn:aws:s3:::examplebucket/Key",
            "s3:GetObject",
            "arn:aws:s3:::examplebucket/Key",
            true,
        ),
    ),
];

pub fn cases() -> Vec<Case> {
    ROWS.iter()
        .map(
            |(section, (action, resource, request_action, request_resource, allowed))| {
                case(
                    section,
                    &format!("{action} on {resource} vs {request_action} on {request_resource}"),
                )
                .identity(allow(action, resource))
                .action(request_action)
                .resource(request_resource)
                .expect(if *allowed {
                    Allowed
                } else {
                    ImplicitDeny(IdentityBased)
                })
            },
        )
        .collect()
}
