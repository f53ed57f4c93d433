//! Functions as stored, the names and ARNs that refer to them, and the FunctionConfiguration
//! structure Lambda answers with.

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::Txn;
use wire::ApiError;

use super::{builtin, error, store_error};

pub const FUNCTIONS: &str = "lambda.function";
/// A function's deployment package, kept apart so listing functions never reads zips.
pub const CODE: &str = "lambda.code";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredFunction {
    pub name: String,
    pub account: String,
    pub region: String,
    pub runtime: String,
    pub role: String,
    pub handler: String,
    pub description: String,
    pub timeout: u64,
    pub memory_size: u64,
    pub environment: BTreeMap<String, String>,
    /// Base64 SHA-256 of the zip, as Lambda reports it.
    pub code_sha256: String,
    pub code_size: u64,
    pub last_modified: f64,
    pub revision_id: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The resource-based policy AddPermission builds, as a JSON document.
    #[serde(default)]
    pub policy: Option<String>,
    /// Palisade's built-in rotation functions exist in every account and cannot be changed.
    #[serde(default)]
    pub builtin: bool,
}

impl StoredFunction {
    pub fn arn(&self) -> String {
        function_arn(&self.region, &self.account, &self.name)
    }

    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.name)
    }

    /// The `FunctionConfiguration` structure.
    pub fn configuration(&self) -> Value {
        let last_modified = wire::timestamp::format_iso8601_millis(self.last_modified).replace('Z', "+0000");
        json!({
            "FunctionName": self.name,
            "FunctionArn": self.arn(),
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "LastModified": last_modified,
            "CodeSha256": self.code_sha256,
            "Version": "$LATEST",
            "Environment": { "Variables": self.environment },
            "TracingConfig": { "Mode": "PassThrough" },
            "RevisionId": self.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": { "Size": 512 },
            "SnapStart": { "ApplyOn": "None", "OptimizationStatus": "Off" },
            "LoggingConfig": { "LogFormat": "Text", "LogGroup": self.log_group() },
        })
    }
}

pub fn function_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:lambda:{region}:{account}:function:{name}")
}

pub fn function_key(account: &str, region: &str, name: &str) -> String {
    format!("{account}:{region}:{name}")
}

/// Base64 SHA-256, Lambda's `CodeSha256`.
pub fn code_sha256(zip: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(zip))
}

/// What a `FunctionName` member names: a function name, a full ARN or a partial ARN
/// (`ACCOUNT:function:NAME`), each with an optional `:QUALIFIER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionRef {
    pub account: String,
    pub region: String,
    pub name: String,
    pub qualifier: Option<String>,
}

impl FunctionRef {
    pub fn parse(text: &str, account: &str, region: &str) -> Result<FunctionRef, ApiError> {
        let invalid = || {
            error(
                "InvalidParameterValueException",
                format!("1 validation error detected: Value '{text}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"),
            )
        };
        let parts: Vec<&str> = text.split(':').collect();
        let (account, region, name, qualifier) = match parts.as_slice() {
            [name] => (account, region, *name, None),
            [name, qualifier] => (account, region, *name, Some(*qualifier)),
            [a, "function", name] => (*a, region, *name, None),
            [a, "function", name, qualifier] => (*a, region, *name, Some(*qualifier)),
            ["arn", "aws", "lambda", r, a, "function", name] => (*a, *r, *name, None),
            ["arn", "aws", "lambda", r, a, "function", name, qualifier] => (*a, *r, *name, Some(*qualifier)),
            _ => return Err(invalid()),
        };
        let valid_name = !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_name {
            return Err(invalid());
        }
        Ok(FunctionRef {
            account: account.to_owned(),
            region: region.to_owned(),
            name: name.to_owned(),
            qualifier: qualifier.map(str::to_owned),
        })
    }

    pub fn arn(&self) -> String {
        function_arn(&self.region, &self.account, &self.name)
    }

    fn not_found(&self) -> ApiError {
        let qualified = match &self.qualifier {
            Some(q) => format!("{}:{q}", self.arn()),
            None => self.arn(),
        };
        error("ResourceNotFoundException", format!("Function not found: {qualified}"))
    }
}

/// The function `reference` names, built-in functions included. Only `$LATEST` exists:
/// Palisade does not publish versions.
pub async fn load(tx: &mut Txn, reference: &FunctionRef) -> Result<StoredFunction, ApiError> {
    if reference.qualifier.as_deref().is_some_and(|q| q != "$LATEST") {
        return Err(reference.not_found());
    }
    if let Some(function) = builtin::function(&reference.account, &reference.region, &reference.name) {
        return Ok(function);
    }
    let stored = tx
        .get(FUNCTIONS, &function_key(&reference.account, &reference.region, &reference.name))
        .await
        .map_err(store_error)?
        .ok_or_else(|| reference.not_found())?;
    serde_json::from_value(stored).map_err(|e| ApiError::internal(format!("stored function {}: {e}", reference.name)))
}

pub async fn save(tx: &mut Txn, function: &StoredFunction) -> Result<(), ApiError> {
    let value = serde_json::to_value(function).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(FUNCTIONS, &function_key(&function.account, &function.region, &function.name), &value).await.map_err(store_error)
}

pub async fn save_code(tx: &mut Txn, function: &StoredFunction, zip: &[u8]) -> Result<(), ApiError> {
    let value = json!({ "sha256": function.code_sha256, "zip": base64::engine::general_purpose::STANDARD.encode(zip) });
    tx.put(CODE, &function_key(&function.account, &function.region, &function.name), &value).await.map_err(store_error)
}

pub async fn load_code(tx: &mut Txn, function: &StoredFunction) -> Result<Vec<u8>, ApiError> {
    let stored = tx
        .get(CODE, &function_key(&function.account, &function.region, &function.name))
        .await
        .map_err(store_error)?
        .ok_or_else(|| ApiError::internal(format!("the code of {} is missing", function.name)))?;
    let encoded = stored["zip"].as_str().unwrap_or_default();
    base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| ApiError::internal(format!("stored code of {}: {e}", function.name)))
}

/// A new revision id (Lambda's are UUIDs).
pub fn revision_id() -> String {
    gateway::pipeline::new_request_id()
}

#[cfg(test)]
mod tests {
    use super::FunctionRef;

    fn parse(text: &str) -> Option<(String, String, String, Option<String>)> {
        FunctionRef::parse(text, "111122223333", "us-east-1").ok().map(|r| (r.account, r.region, r.name, r.qualifier))
    }

    #[test]
    fn function_names_come_as_names_partial_arns_and_arns() {
        let plain = Some(("111122223333".into(), "us-east-1".into(), "my-function".into(), None));
        assert_eq!(parse("my-function"), plain);
        assert_eq!(parse("111122223333:function:my-function"), plain);
        assert_eq!(parse("arn:aws:lambda:us-east-1:111122223333:function:my-function"), plain);
        assert_eq!(
            parse("arn:aws:lambda:eu-west-1:444455556666:function:other:$LATEST"),
            Some(("444455556666".into(), "eu-west-1".into(), "other".into(), Some("$LATEST".into())))
        );
        assert_eq!(parse("my-function:prod").and_then(|r| r.3), Some("prod".into()));
    }

    #[test]
    fn malformed_function_names_are_refused() {
        for text in ["", "has space", "arn:aws:s3:::bucket", "a:b:c:d:e", &"x".repeat(65)] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
