//! AWS Security Token Service: who the caller is, and temporary credentials for roles.

mod assume_role;
mod assume_role_with_saml;
mod assume_role_with_web_identity;
mod decode_authorization_message;
mod federation;
mod get_caller_identity;
mod get_federation_token;
mod get_session_token;
mod oidc_keys;
pub mod session_tags;
pub mod sessions;
mod web_identity_token;

pub use assume_role::role_of_arn;

use std::sync::Arc;

use gateway::{RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Sealer, Store};

pub struct Sts {
    store: Store,
    sealer: Arc<Sealer>,
    oidc_keys: oidc_keys::KeyCache,
}

impl Sts {
    pub fn new(store: Store, sealer: Arc<Sealer>) -> Self {
        Sts { store, sealer, oidc_keys: oidc_keys::KeyCache::default() }
    }
}

impl Service for Sts {
    fn id(&self) -> &'static str {
        "sts"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        match ctx.operation {
            "GetCallerIdentity" => Some(Box::pin(std::future::ready(Ok(get_caller_identity::get_caller_identity(ctx))))),
            "AssumeRole" => Some(Box::pin(assume_role::assume_role(&self.store, &self.sealer, ctx, input))),
            "GetSessionToken" => Some(Box::pin(get_session_token::get_session_token(&self.store, &self.sealer, ctx, input))),
            "GetFederationToken" => Some(Box::pin(get_federation_token::get_federation_token(&self.store, &self.sealer, ctx, input))),
            "AssumeRoleWithWebIdentity" => Some(Box::pin(assume_role_with_web_identity::assume_role_with_web_identity(
                &self.store,
                &self.sealer,
                &self.oidc_keys,
                ctx,
                input,
            ))),
            "AssumeRoleWithSAML" => Some(Box::pin(assume_role_with_saml::assume_role_with_saml(&self.store, &self.sealer, ctx, input))),
            "DecodeAuthorizationMessage" => {
                Some(Box::pin(std::future::ready(decode_authorization_message::decode_authorization_message())))
            }
            _ => None,
        }
    }

    /// AssumeRole acts on the role it names, GetFederationToken on the federated user.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let named = |member: &str| input.get(member).and_then(Value::as_str);
        if let ("GetFederationToken", Some(name)) = (ctx.operation, named("Name")) {
            return vec![format!("arn:aws:sts::{}:federated-user/{name}", ctx.account())];
        }
        vec![named("RoleArn").unwrap_or("*").to_owned()]
    }
}
