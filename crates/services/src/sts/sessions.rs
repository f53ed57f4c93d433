//! Temporary credentials: sessions of assumed roles, stored with their secret sealed and only
//! a hash of their session token, found again when a request is signed with them.

use base64::Engine;
use gateway::principal::{Credentials, Principal, PrincipalKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::{Sealer, Store, Txn};
use wire::ApiError;

use super::session_tags::SessionTags;
use crate::iam::{ids, store_error};

pub const SESSIONS: &str = "sts.session";

/// A role session as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub access_key_id: String,
    pub account: String,
    pub role_name: String,
    pub role_id: String,
    pub session_name: String,
    pub expires_at: f64,
    /// Session policies: inline documents and managed policy ARNs passed when assuming.
    #[serde(default)]
    pub policy_documents: Vec<String>,
    #[serde(default)]
    pub policy_arns: Vec<String>,
    pub source_identity: Option<String>,
    /// GetSessionToken sessions act as the IAM user who asked, not as a role.
    #[serde(default)]
    pub user: Option<SessionUser>,
    /// GetFederationToken sessions: the name the user gave the federated user (`user` is the
    /// IAM user who asked).
    #[serde(default)]
    pub federated_name: Option<String>,
    /// When an MFA code was checked for this session.
    #[serde(default)]
    pub mfa_authenticated_at: Option<f64>,
    /// Session tags (inherited transitive tags included), the session's `aws:PrincipalTag`s
    /// over its role's or user's own tags.
    #[serde(default, skip_serializing_if = "SessionTags::is_empty")]
    pub tags: SessionTags,
    /// AssumeRoleWithSAML sessions: the subject of the assertion they were traded for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml_subject: Option<SamlSubject>,
    pub sealed_secret: String,
    /// SHA-256 of the session token, hex: the token itself is never stored.
    pub token_hash: String,
}

/// Who a SAML identity provider said the session's user is. The IAM user guide lists these three
/// `saml:` keys, and only these, for the permission policies of a role for SAML federation
/// ("condition-keys-saml_permission-policy"), so every request the session signs carries them;
/// the other keys of the assertion judge only the trust policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlSubject {
    /// `saml:sub`: the `NameID`.
    pub sub: String,
    /// `saml:sub_type`: `persistent`, `transient` or the whole `Format` URI.
    pub sub_type: String,
    /// `saml:namequalifier`, which with `saml:sub` names the user uniquely.
    pub name_qualifier: String,
}

impl SamlSubject {
    pub fn condition_keys(&self) -> [(&'static str, &str); 3] {
        [("saml:sub", &self.sub), ("saml:sub_type", &self.sub_type), ("saml:namequalifier", &self.name_qualifier)]
    }
}

/// The IAM user a GetSessionToken session belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub name: String,
    pub arn: String,
    pub id: String,
}

impl Session {
    /// A session of `role` named `session_name`, before `issue` gives it its keys.
    pub fn of_role(
        role: &crate::iam::entities::Entity,
        session_name: String,
        expires_at: f64,
        policy_documents: Vec<String>,
        policy_arns: Vec<String>,
        source_identity: Option<String>,
    ) -> Session {
        Session {
            account: role.account.clone(),
            role_name: role.name.clone(),
            role_id: role.id.clone(),
            session_name,
            expires_at,
            policy_documents,
            policy_arns,
            source_identity,
            user: None,
            federated_name: None,
            mfa_authenticated_at: None,
            tags: SessionTags::default(),
            saml_subject: None,
            access_key_id: String::new(),
            sealed_secret: String::new(),
            token_hash: String::new(),
        }
    }

    /// This session with `tags` as its session tags.
    pub fn with_tags(mut self, tags: SessionTags) -> Session {
        self.tags = tags;
        self
    }

    /// This session as one of a SAML identity provider's users.
    pub fn with_saml_subject(mut self, subject: SamlSubject) -> Session {
        self.saml_subject = Some(subject);
        self
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:sts::{}:assumed-role/{}/{}", self.account, self.role_name, self.session_name)
    }

    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`, for a GetFederationToken session.
    pub fn federated_user_arn(&self, name: &str) -> String {
        format!("arn:aws:sts::{}:federated-user/{name}", self.account)
    }

    /// `AssumedRoleId` and the session's `aws:userid`: the role id and the session name.
    pub fn assumed_role_id(&self) -> String {
        format!("{}:{}", self.role_id, self.session_name)
    }
}

/// A random session token; AWS's are long opaque base64 strings.
fn session_token() -> String {
    let mut bytes = [0u8; 192];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Issues temporary credentials for `session`: a new `ASIA` key id, secret and token, the
/// secret sealed and only the token's hash kept. Returns the stored session and the
/// `Credentials` structure STS answers with; the secret and token exist nowhere else.
pub async fn issue(tx: &mut Txn, sealer: &Sealer, mut session: Session) -> Result<(Session, Value), ApiError> {
    let access_key_id = ids::access_key_id("ASIA");
    let secret = ids::secret_access_key();
    let token = session_token();
    session.sealed_secret =
        base64::engine::general_purpose::STANDARD.encode(sealer.seal(&seal_context(&access_key_id), secret.as_bytes()));
    session.token_hash = token_hash(&token);
    session.access_key_id = access_key_id.clone();
    let value = serde_json::to_value(&session).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(SESSIONS, &access_key_id, &value).await.map_err(store_error)?;
    let credentials = json!({
        "AccessKeyId": access_key_id,
        "SecretAccessKey": secret,
        "SessionToken": token,
        "Expiration": session.expires_at,
    });
    Ok((session, credentials))
}

fn seal_context(access_key_id: &str) -> String {
    format!("sts-session:{access_key_id}")
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares in time independent of where two hashes first differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The credentials of a session key, when the request presents the session's token. Expiry is
/// the gateway's to judge, by the server clock.
pub async fn lookup(store: &Store, sealer: &Sealer, access_key_id: &str, token: Option<&str>) -> Option<Credentials> {
    let stored = store.get(SESSIONS, access_key_id).await.ok()??;
    let session: Session = serde_json::from_value(stored).ok()?;
    if !same(&token_hash(token?), &session.token_hash) {
        return None;
    }
    let sealed = base64::engine::general_purpose::STANDARD.decode(&session.sealed_secret).ok()?;
    let secret = String::from_utf8(sealer.unseal(&seal_context(access_key_id), &sealed).ok()?).ok()?;
    Some(Credentials {
        secret_access_key: secret,
        principal: match (&session.user, &session.federated_name) {
            (Some(user), Some(name)) => Principal {
                account: session.account.clone(),
                kind: PrincipalKind::FederatedUser { user_name: user.name.clone(), user_arn: user.arn.clone(), name: name.clone() },
                arn: session.federated_user_arn(name),
                user_id: format!("{}:{name}", session.account),
                access_key_id: access_key_id.to_owned(),
                temporary: true,
                mfa_authenticated_at: session.mfa_authenticated_at,
            },
            (Some(user), None) => Principal {
                account: session.account.clone(),
                kind: PrincipalKind::IamUser { name: user.name.clone() },
                arn: user.arn.clone(),
                user_id: user.id.clone(),
                access_key_id: access_key_id.to_owned(),
                temporary: true,
                mfa_authenticated_at: session.mfa_authenticated_at,
            },
            (None, _) => Principal {
                account: session.account.clone(),
                kind: PrincipalKind::AssumedRole { role_name: session.role_name.clone(), session_name: session.session_name.clone() },
                arn: session.arn(),
                user_id: session.assumed_role_id(),
                access_key_id: access_key_id.to_owned(),
                temporary: true,
                mfa_authenticated_at: session.mfa_authenticated_at,
            },
        },
        expires_at: Some(session.expires_at),
    })
}
