//! The policies that bear on a principal's requests: a user's own and its groups' inline and
//! managed policies, a role's, and their permissions boundaries, parsed for the engine.

use policy::{
    authorizer::NamedPolicy,
    context::Caller,
    PolicySet, PolicyType,
};
use gateway::principal::{Principal, PrincipalKind};
use store::Txn;
use wire::ApiError;

use super::{
    entities::{self, Entity, EntityKind, Tag},
    managed_policies,
};
use crate::sts::{
    session_tags::principal_tags,
    sessions::{SamlSubject, Session},
};

/// A stored document, parsed; one that no longer parses (stored before a stricter check) is
/// left out and logged rather than failing every request.
fn parse(id: &str, document: &str, kind: PolicyType) -> Option<NamedPolicy> {
    match policy::parse_policy(document, kind) {
        Ok(parsed) => Some(NamedPolicy::new(id, parsed)),
        Err(e) => {
            tracing::warn!(policy = id, error = %e.message(), "stored policy does not parse; ignored");
            None
        }
    }
}

/// The identity policies of an entity: its inline policies (by name) and managed ones (by ARN).
async fn entity_policies(tx: &mut Txn, entity: &Entity, into: &mut Vec<NamedPolicy>) -> Result<(), ApiError> {
    for (name, document) in &entity.inline_policies {
        into.extend(parse(name, document, PolicyType::Identity));
    }
    for arn in &entity.attached_policies {
        if let Some(managed) = managed_policies::find(tx, &entity.account, arn).await? {
            into.extend(parse(arn, managed.document(), PolicyType::Identity));
        }
    }
    Ok(())
}

async fn boundary(tx: &mut Txn, entity: &Entity) -> Result<Option<NamedPolicy>, ApiError> {
    let Some(arn) = &entity.permissions_boundary else { return Ok(None) };
    let managed = managed_policies::find(tx, &entity.account, arn).await?;
    Ok(managed.and_then(|m| parse(arn, m.document(), PolicyType::PermissionsBoundary)))
}

/// What the account password policy's `AllowUsersToChangePassword` grants every IAM user,
/// without a policy being attached: changing its own password and reading the password policy.
/// It counts as one more identity policy, so denies, boundaries and SCPs still apply.
async fn password_change_grant(tx: &mut Txn, user: &Entity) -> Result<Option<NamedPolicy>, ApiError> {
    let allowed = super::password_policy::current(tx, &user.account).await?.is_some_and(|p| p.allow_users_to_change_password);
    if !allowed {
        return Ok(None);
    }
    let document = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": user.arn},
        {"Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"},
    ]});
    Ok(parse("AllowUsersToChangePassword", &document.to_string(), PolicyType::Identity))
}

/// The policy set of a user: its own policies and its groups', and its boundary.
pub async fn for_user(tx: &mut Txn, user: &Entity) -> Result<PolicySet, ApiError> {
    let mut set = PolicySet::default();
    set.identity_policies.extend(password_change_grant(tx, user).await?);
    entity_policies(tx, user, &mut set.identity_policies).await?;
    for group in entities::groups_of(tx, &user.account, &user.name).await? {
        entity_policies(tx, &group, &mut set.identity_policies).await?;
    }
    set.permissions_boundary = boundary(tx, user).await?;
    Ok(set)
}

/// The policy set of a role or group: its own policies and boundary.
pub async fn of_entity(tx: &mut Txn, entity: &Entity) -> Result<PolicySet, ApiError> {
    let mut set = PolicySet::default();
    entity_policies(tx, entity, &mut set.identity_policies).await?;
    set.permissions_boundary = boundary(tx, entity).await?;
    Ok(set)
}

/// The stored record of the STS session a principal's temporary credentials belong to.
async fn session_of(tx: &mut Txn, principal: &Principal) -> Result<Option<Session>, ApiError> {
    if !principal.temporary {
        return Ok(None);
    }
    let stored = tx.get(crate::sts::sessions::SESSIONS, &principal.access_key_id).await.map_err(super::store_error)?;
    Ok(stored.and_then(|v| serde_json::from_value::<Session>(v).ok()))
}

/// The session policies passed when the session was created, or `None` when none were.
async fn session_policies(tx: &mut Txn, principal: &Principal, session: Option<&Session>) -> Result<Option<Vec<NamedPolicy>>, ApiError> {
    let Some(session) = session else { return Ok(None) };
    if session.policy_documents.is_empty() && session.policy_arns.is_empty() {
        return Ok(None);
    }
    let mut policies = Vec::new();
    for document in &session.policy_documents {
        policies.extend(parse("session policy", document, PolicyType::Session));
    }
    for arn in &session.policy_arns {
        if let Some(managed) = managed_policies::find(tx, &principal.account, arn).await? {
            policies.extend(parse(arn, managed.document(), PolicyType::Session));
        }
    }
    Ok(Some(policies))
}

/// Who the engine sees, the policies that bear on it, and its tags, read together so that a
/// request costs no store read beyond them (the authorizer caches all of it until a write).
#[derive(Clone)]
pub struct PrincipalFacts {
    pub caller: Caller,
    pub policies: PolicySet,
    /// `aws:PrincipalTag/<key>`: an IAM user's tags; a session's role's (or federating user's)
    /// tags overridden by its session tags.
    pub tags: Vec<Tag>,
    /// A role session's transitive tags, which any role it assumes inherits.
    pub transitive_tags: Vec<Tag>,
    /// An AssumeRoleWithSAML session's subject, whose `saml:` keys its requests carry.
    pub saml_subject: Option<SamlSubject>,
}

impl PrincipalFacts {
    fn untagged(caller: Caller, policies: PolicySet) -> PrincipalFacts {
        PrincipalFacts { caller, policies, tags: Vec::new(), transitive_tags: Vec::new(), saml_subject: None }
    }
}

/// Who the engine sees, the policies that bear on it, and its principal tags.
pub async fn for_principal(tx: &mut Txn, principal: &Principal) -> Result<PrincipalFacts, ApiError> {
    Ok(match &principal.kind {
        PrincipalKind::Root => PrincipalFacts::untagged(Caller::Root { account: principal.account.clone() }, PolicySet::default()),
        PrincipalKind::Anonymous => PrincipalFacts::untagged(Caller::Anonymous, PolicySet::default()),
        // A service principal has no identity policies: only resource policies can allow it.
        PrincipalKind::Service { service } => PrincipalFacts::untagged(Caller::Service { service: service.clone() }, PolicySet::default()),
        PrincipalKind::IamUser { name } => {
            let user = entities::load(tx, &principal.account, EntityKind::User, name).await?;
            let policies = for_user(tx, &user).await?;
            PrincipalFacts { caller: Caller::User { arn: user.arn }, policies, tags: user.tags, transitive_tags: Vec::new(), saml_subject: None }
        }
        // GetFederationToken's session: the user's policies, cut by the session policies it
        // was given; a session given none has no permissions, as in AWS.
        PrincipalKind::FederatedUser { user_name, .. } => {
            let user = entities::load(tx, &principal.account, EntityKind::User, user_name).await?;
            let mut policies = for_user(tx, &user).await?;
            let session = session_of(tx, principal).await?;
            policies.session_policies = Some(session_policies(tx, principal, session.as_ref()).await?.unwrap_or_default());
            let session_tags = session.map(|s| s.tags).unwrap_or_default();
            PrincipalFacts {
                caller: Caller::FederatedUser { user_arn: user.arn, session_arn: principal.arn.clone() },
                policies,
                tags: principal_tags(&user.tags, &session_tags),
                transitive_tags: Vec::new(),
                saml_subject: None,
            }
        }
        PrincipalKind::AssumedRole { role_name, .. } => {
            let role = entities::load(tx, &principal.account, EntityKind::Role, role_name).await?;
            let mut policies = of_entity(tx, &role).await?;
            let session = session_of(tx, principal).await?;
            policies.session_policies = session_policies(tx, principal, session.as_ref()).await?;
            let (session_tags, saml_subject) = session.map(|s| (s.tags, s.saml_subject)).unwrap_or_default();
            PrincipalFacts {
                caller: Caller::RoleSession { role_arn: role.arn, session_arn: principal.arn.clone(), service_linked: false },
                policies,
                tags: principal_tags(&role.tags, &session_tags),
                transitive_tags: session_tags.transitive(),
                saml_subject,
            }
        }
    })
}
