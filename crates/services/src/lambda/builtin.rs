//! Palisade's built-in functions: Secrets Manager's single-user rotation for PostgreSQL and
//! MySQL/MariaDB, present in every account and Region like AWS's managed rotation templates,
//! with a resource policy that lets `secretsmanager.amazonaws.com` invoke them. They run as the
//! role [`ROTATION_ROLE_NAME`], which Lambda creates in the account (through IAM, as the
//! account) the first time one of them runs.

use std::collections::BTreeMap;

use serde_json::json;

use super::records::{self, StoredFunction};

pub const POSTGRES_ROTATION: &str = "SecretsManagerRDSPostgreSQLRotationSingleUser";
pub const MYSQL_ROTATION: &str = "SecretsManagerRDSMySQLRotationSingleUser";
pub const ROTATION_ROLE_PATH: &str = "/service-role/";
pub const ROTATION_ROLE_NAME: &str = "PalisadeSecretsManagerRotation";
/// The module of the shipped code, and its source.
pub const ROTATION_MODULE: &str = "lambda_function.py";
pub const ROTATION_SOURCE: &str = include_str!("builtin/rotation_single_user.py");
/// When the built-ins were introduced: their `LastModified`.
const INTRODUCED: f64 = 1_767_225_600.0;

pub fn rotation_role_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:role{ROTATION_ROLE_PATH}{ROTATION_ROLE_NAME}")
}

/// The trust policy of the rotation role: Lambda may assume it.
pub fn rotation_role_trust_policy() -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }]
    })
    .to_string()
}

/// What the rotation role may do, as the policy of AWS's rotation templates grants it: read and
/// stage the secret's versions, generate passwords, and use the secret's KMS key through
/// Secrets Manager.
pub fn rotation_role_policy(region: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage"
                ],
                "Resource": "*"
            },
            { "Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*" },
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": { "StringEquals": { "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com") } }
            }
        ]
    })
    .to_string()
}

/// The built-in function `name` in this account and Region, if there is one.
pub fn function(account: &str, region: &str, name: &str) -> Option<StoredFunction> {
    let engine = match name {
        POSTGRES_ROTATION => "postgres",
        MYSQL_ROTATION => "mysql",
        _ => return None,
    };
    let arn = records::function_arn(region, account, name);
    let policy = json!({
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [{
            "Sid": "SecretsManagerAccess",
            "Effect": "Allow",
            "Principal": { "Service": "secretsmanager.amazonaws.com" },
            "Action": "lambda:InvokeFunction",
            "Resource": arn,
        }]
    });
    let environment = BTreeMap::from([
        ("DATABASE_ENGINE".to_owned(), engine.to_owned()),
        ("EXCLUDE_CHARACTERS".to_owned(), "/@\"'\\".to_owned()),
    ]);
    let code_sha256 = records::code_sha256(ROTATION_SOURCE.as_bytes());
    Some(StoredFunction {
        name: name.to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        runtime: "python3.12".to_owned(),
        role: rotation_role_arn(account),
        handler: "lambda_function.lambda_handler".to_owned(),
        description: format!("Palisade built-in: rotates the password of a single {engine} user stored in a Secrets Manager secret"),
        timeout: 30,
        memory_size: 128,
        environment,
        revision_id: code_sha256.chars().filter(char::is_ascii_alphanumeric).take(32).collect(),
        code_sha256,
        code_size: ROTATION_SOURCE.len() as u64,
        last_modified: INTRODUCED,
        tags: BTreeMap::new(),
        policy: Some(policy.to_string()),
        builtin: true,
    })
}

/// Every built-in function of an account and Region, by name.
pub fn all(account: &str, region: &str) -> Vec<StoredFunction> {
    [MYSQL_ROTATION, POSTGRES_ROTATION].iter().filter_map(|name| function(account, region, name)).collect()
}
