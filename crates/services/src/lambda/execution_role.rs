//! A function's execution role: Lambda assumes it through STS as `lambda.amazonaws.com` (so the
//! role's trust policy decides, and CloudTrail records the AssumeRole), and hands the session's
//! credentials to the function. Sessions are kept until shortly before they expire.

use gateway::{principal::Principal, RequestContext};
use serde_json::{json, Value};
use wire::ApiError;

use super::{builtin, error, records::StoredFunction, Engine};

const LAMBDA_SERVICE: &str = "lambda.amazonaws.com";
/// A session is renewed when less than this, beyond the function's timeout, is left of it.
const RENEWAL_MARGIN_SECONDS: f64 = 300.0;

/// Temporary credentials of a function's execution role.
#[derive(Clone)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_at: f64,
}

fn cannot_assume() -> ApiError {
    error("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.")
}

impl Engine {
    /// Credentials of `function`'s role, valid for at least its timeout. For a built-in
    /// function the role is created in the account first if it does not exist yet.
    pub async fn credentials_for(&self, ctx: &RequestContext, function: &StoredFunction) -> Result<RoleCredentials, ApiError> {
        let cache_key = format!("{}\n{}\n{}", function.arn(), function.role, function.revision_id);
        let cached = self.sessions.lock().expect("the session cache lock is never poisoned").get(&cache_key).cloned();
        if let Some(credentials) = cached.filter(|c| c.expires_at - ctx.time > function.timeout as f64 + RENEWAL_MARGIN_SECONDS) {
            return Ok(credentials);
        }
        let credentials = match self.assume(ctx, function).await {
            Err(_) if function.builtin => {
                self.create_rotation_role(ctx).await?;
                self.assume(ctx, function).await?
            }
            outcome => outcome?,
        };
        self.sessions.lock().expect("the session cache lock is never poisoned").insert(cache_key, credentials.clone());
        Ok(credentials)
    }

    async fn assume(&self, ctx: &RequestContext, function: &StoredFunction) -> Result<RoleCredentials, ApiError> {
        // The session is named after the function, as in Lambda; STS needs at least two characters.
        let session_name = if function.name.len() < 2 { format!("{}-function", function.name) } else { function.name.clone() };
        let input = json!({ "RoleArn": function.role, "RoleSessionName": session_name });
        let output = self.peers.call_as_service(ctx, LAMBDA_SERVICE, "sts", "AssumeRole", input).await.map_err(|e| {
            if e.status >= 500 {
                e
            } else {
                cannot_assume()
            }
        })?;
        let member = |name: &str| output["Credentials"][name].as_str().unwrap_or_default().to_owned();
        Ok(RoleCredentials {
            access_key_id: member("AccessKeyId"),
            secret_access_key: member("SecretAccessKey"),
            session_token: member("SessionToken"),
            expires_at: output["Credentials"]["Expiration"].as_f64().unwrap_or(ctx.time),
        })
    }

    /// Creates the built-in rotation functions' role in the caller's account, through IAM as the
    /// account itself, the way a service sets up the role it needs.
    async fn create_rotation_role(&self, ctx: &RequestContext) -> Result<(), ApiError> {
        let mut account_ctx = ctx.clone();
        account_ctx.principal = Principal::root(ctx.account(), "");
        let role = json!({
            "RoleName": builtin::ROTATION_ROLE_NAME,
            "Path": builtin::ROTATION_ROLE_PATH,
            "AssumeRolePolicyDocument": builtin::rotation_role_trust_policy(),
            "Description": "Lets Palisade's built-in Secrets Manager rotation functions manage the secrets they rotate",
        });
        match self.peers.call_for(&account_ctx, LAMBDA_SERVICE, "iam", "CreateRole", role).await {
            Ok(_) => {}
            Err(e) if e.code == "EntityAlreadyExists" => {}
            Err(e) => return Err(e),
        }
        let policy = json!({
            "RoleName": builtin::ROTATION_ROLE_NAME,
            "PolicyName": "SecretsManagerRotation",
            "PolicyDocument": builtin::rotation_role_policy(&ctx.region),
        });
        self.peers.call_for(&account_ctx, LAMBDA_SERVICE, "iam", "PutRolePolicy", policy).await.map(|_: Value| ())
    }
}
