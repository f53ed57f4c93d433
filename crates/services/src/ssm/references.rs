//! `/aws/reference/secretsmanager/<secret-id>`: GetParameter(s) with decryption on such a name
//! answers the secret's current value, read by Secrets Manager's GetSecretValue through the
//! pipeline with the caller's identity (so its policies and the secret's key judge the read).

use gateway::{Peers, RequestContext};
use serde_json::{json, Value};
use wire::ApiError;

use super::error;

pub const PREFIX: &str = "/aws/reference/secretsmanager/";

pub fn is_reference(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// The Parameter a secret reference `name` resolves to.
pub async fn resolve(peers: &Peers, ctx: &RequestContext, name: &str, with_decryption: bool) -> Result<Value, ApiError> {
    if !with_decryption {
        return Err(error("ValidationException", "WithDecryption flag must be True for retrieving a Secret Manager secret."));
    }
    let secret_id = &name[PREFIX.len()..];
    if secret_id.is_empty() {
        return Err(error("ParameterNotFound", format!("Parameter {name} not found.")));
    }
    let secret = peers
        .call_for(ctx, "ssm.amazonaws.com", "secretsmanager", "GetSecretValue", json!({ "SecretId": secret_id }))
        .await
        .map_err(|e| match e.code.as_ref() {
            "ResourceNotFoundException" => error("ParameterNotFound", format!("Parameter {name} not found: {}", e.message)),
            _ => e,
        })?;
    let value = secret
        .get("SecretString")
        .or_else(|| secret.get("SecretBinary"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    // SourceResult describes the secret; the value itself is only in Value.
    let mut source = secret.clone();
    if let Some(fields) = source.as_object_mut() {
        fields.remove("SecretString");
        fields.remove("SecretBinary");
    }
    let mut parameter = json!({
        "Name": name,
        "Type": "SecureString",
        "Value": value,
        "Version": 0,
        "SourceResult": source.to_string(),
        "DataType": "text",
    });
    if let Some(arn) = secret.get("ARN") {
        parameter["ARN"] = arn.clone();
    }
    if let Some(created) = secret.get("CreatedDate") {
        parameter["LastModifiedDate"] = created.clone();
    }
    Ok(parameter)
}
