//! GetSessionToken: temporary credentials for an IAM user (or the root user), marked as
//! MFA-authenticated when the request carries a valid code of the user's MFA device.

use gateway::{principal::PrincipalKind, Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::sessions::{self, Session, SessionUser};
use crate::iam::{entities, mfa, store_error, EntityKind};

/// IAM users' sessions last 12 hours unless asked otherwise; the root user's at most one.
const DEFAULT_SECONDS: i64 = 43_200;
const ROOT_MAX_SECONDS: i64 = 3600;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetSessionTokenRequest {
    duration_seconds: Option<i64>,
    serial_number: Option<String>,
    token_code: Option<String>,
}

pub async fn get_session_token(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetSessionTokenRequest =
        serde_json::from_value(input).map_err(|e| ApiError::new("ValidationError", 400, e.to_string()))?;
    let principal = &ctx.principal;
    let (user, max) = match &principal.kind {
        PrincipalKind::IamUser { name } if !principal.temporary => {
            let mut tx = store.begin().await.map_err(store_error)?;
            let user = entities::load(&mut tx, &principal.account, EntityKind::User, name).await?;
            (Some(SessionUser { name: user.name, arn: user.arn, id: user.id }), 129_600)
        }
        PrincipalKind::Root => (None, ROOT_MAX_SECONDS),
        _ => {
            return Err(ApiError::new(
                "AccessDenied",
                403,
                "Cannot call GetSessionToken with session credentials",
            ))
        }
    };
    let duration = request.duration_seconds.unwrap_or(DEFAULT_SECONDS.min(max)).min(max);
    let mfa_authenticated_at = match (&request.serial_number, &request.token_code, &user) {
        (Some(serial), Some(code), Some(user)) => {
            if !mfa::verify_code(store, sealer, &principal.account, &user.name, serial, code, ctx.time).await? {
                return Err(ApiError::new("AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code."));
            }
            Some(ctx.time.floor())
        }
        _ => None,
    };
    let session = Session {
        account: principal.account.clone(),
        role_name: String::new(),
        role_id: String::new(),
        session_name: String::new(),
        expires_at: (ctx.time + duration as f64).floor(),
        policy_documents: Vec::new(),
        policy_arns: Vec::new(),
        source_identity: None,
        user,
        federated_name: None,
        mfa_authenticated_at,
        tags: Default::default(),
        saml_subject: None,
        access_key_id: String::new(),
        sealed_secret: String::new(),
        token_hash: String::new(),
    };
    let mut tx = store.begin().await.map_err(store_error)?;
    let (_, credentials) = sessions::issue(&mut tx, sealer, session).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "Credentials": credentials })))
}
