//! Access Advisor: service last accessed reports for a user, group, role or managed policy.
//! A report lists every hosted service the subject's permissions policies allow and, from the
//! audit trail, when one of its users or roles last attempted to call it.
//!
//! IAM generates a report asynchronously; Palisade builds it when it is asked for, stores it
//! under the job id, and answers every Get with the job `COMPLETED`.

mod activity;
mod services;

use std::collections::BTreeMap;
use std::sync::Arc;

use gateway::{principal::PrincipalKind, Reply, RequestContext};
use policy::PolicyDocument;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::{Store, Txn};
use wire::ApiError;

use activity::{LastAccess, ServiceActivity};
use services::AllowedActions;

use super::{
    entities::{self, page, paged_output, Entity, EntityKind},
    error, managed_policies, principal_policies, store_error,
};
use crate::cloudtrail::retention::RETENTION_SECONDS;
use crate::input::{required, text};

const REPORTS: &str = "iam.access_report";

/// A generated report, kept under its job id.
#[derive(Serialize, Deserialize)]
struct AccessReport {
    account: String,
    /// Who generated it: IAM answers only that user, or sessions of that role, for the job.
    owner: String,
    granularity: String,
    created: f64,
    completed: f64,
    services: Vec<ServiceReport>,
}

#[derive(Serialize, Deserialize)]
struct ServiceReport {
    namespace: String,
    name: String,
    last: Option<LastAccess>,
    total_entities: usize,
    /// Only in ACTION_LEVEL reports, for the services IAM tracks actions of.
    tracked_actions: Vec<TrackedAction>,
    /// The users and roles that could have used the subject's permissions on the service.
    entities: Vec<EntityUse>,
}

#[derive(Serialize, Deserialize)]
struct TrackedAction {
    name: String,
    last: LastAccess,
}

#[derive(Serialize, Deserialize)]
struct EntityUse {
    kind: EntityKind,
    name: String,
    id: String,
    path: String,
    arn: String,
    last_authenticated: Option<f64>,
}

/// What a report is about: the users and roles whose calls count, and the policies that decide
/// which services it lists.
struct ReportSubject {
    principals: Vec<Entity>,
    policies: Vec<Arc<PolicyDocument>>,
}

fn invalid_input(message: impl Into<String>) -> ApiError {
    error("InvalidInputException", message)
}

/// The job id of a report: 36 characters, in the form of a UUID, as IAM's are.
fn new_job_id() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Whom a job belongs to: the user, or the role whatever the session.
fn owner(ctx: &RequestContext) -> String {
    match &ctx.principal.kind {
        PrincipalKind::AssumedRole { role_name, .. } => format!("arn:aws:iam::{}:role/{}", ctx.account(), role_name.to_lowercase()),
        _ => ctx.principal.arn.clone(),
    }
}

/// The account, resource type and name an IAM ARN names (`arn:aws:iam::<account>:user/<path>/<name>`).
fn parse_iam_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let (account, resource) = arn.strip_prefix("arn:aws:iam::")?.split_once(':')?;
    let (kind, path_and_name) = resource.split_once('/')?;
    let name = path_and_name.rsplit('/').next().filter(|n| !n.is_empty())?;
    Some((account, kind, name))
}

async fn own_policies(tx: &mut Txn, entity: &Entity, into: &mut Vec<Arc<PolicyDocument>>) -> Result<(), ApiError> {
    let set = principal_policies::of_entity(tx, entity).await?;
    into.extend(set.identity_policies.into_iter().map(|p| p.document));
    Ok(())
}

async fn load_exact(tx: &mut Txn, ctx: &RequestContext, kind: EntityKind, name: &str, arn: &str) -> Result<Entity, ApiError> {
    let entity = entities::load(tx, ctx.account(), kind, name).await?;
    if entity.arn != arn {
        return Err(entities::no_such_entity(kind, name));
    }
    Ok(entity)
}

/// The users that are members of `groups`, each once.
async fn members(tx: &mut Txn, ctx: &RequestContext, groups: &[Entity], into: &mut Vec<Entity>) -> Result<(), ApiError> {
    for name in groups.iter().flat_map(|g| &g.members) {
        if let Ok(user) = entities::load(tx, ctx.account(), EntityKind::User, name).await {
            if !into.iter().any(|e| e.arn == user.arn) {
                into.push(user);
            }
        }
    }
    Ok(())
}

/// The entities of a kind the managed policy `arn` is attached to.
async fn attached_to(tx: &mut Txn, ctx: &RequestContext, kind: EntityKind, arn: &str) -> Result<Vec<Entity>, ApiError> {
    let all = entities::all(tx, ctx.account(), kind).await?;
    Ok(all.into_iter().filter(|e| e.attached_policies.iter().any(|a| a == arn)).collect())
}

async fn subject(tx: &mut Txn, ctx: &RequestContext, arn: &str) -> Result<ReportSubject, ApiError> {
    let (account, kind, name) = parse_iam_arn(arn).ok_or_else(|| invalid_input(format!("ARN {arn} is not valid.")))?;
    let mut policies = Vec::new();
    let mut principals = Vec::new();
    match kind {
        "policy" => {
            let policy = managed_policies::find(tx, ctx.account(), arn)
                .await?
                .ok_or_else(|| error("NoSuchEntityException", format!("Policy {arn} does not exist or is not attachable.")))?;
            let document = policy::parse_policy(policy.document(), policy::PolicyType::Identity)
                .map_err(|e| ApiError::internal(format!("stored policy {arn} does not parse: {}", e.message())))?;
            policies.push(Arc::new(document));
            principals.extend(attached_to(tx, ctx, EntityKind::User, arn).await?);
            let groups = attached_to(tx, ctx, EntityKind::Group, arn).await?;
            members(tx, ctx, &groups, &mut principals).await?;
            principals.extend(attached_to(tx, ctx, EntityKind::Role, arn).await?);
        }
        _ if account != ctx.account() => {
            return Err(error("NoSuchEntityException", format!("The entity {arn} cannot be found.")));
        }
        "user" => {
            let user = load_exact(tx, ctx, EntityKind::User, name, arn).await?;
            own_policies(tx, &user, &mut policies).await?;
            for group in entities::groups_of(tx, ctx.account(), &user.name).await? {
                own_policies(tx, &group, &mut policies).await?;
            }
            principals.push(user);
        }
        "role" => {
            let role = load_exact(tx, ctx, EntityKind::Role, name, arn).await?;
            own_policies(tx, &role, &mut policies).await?;
            principals.push(role);
        }
        "group" => {
            let group = load_exact(tx, ctx, EntityKind::Group, name, arn).await?;
            own_policies(tx, &group, &mut policies).await?;
            members(tx, ctx, std::slice::from_ref(&group), &mut principals).await?;
        }
        _ => return Err(invalid_input(format!("ARN {arn} is not the ARN of a user, group, role or policy."))),
    }
    Ok(ReportSubject { principals, policies })
}

fn service_report(
    service: &services::HostedService,
    seen: Option<&ServiceActivity>,
    subject: &ReportSubject,
    allowed: &AllowedActions,
    action_level: bool,
) -> ServiceReport {
    let tracked_actions = match seen {
        Some(seen) if action_level => seen
            .by_action
            .iter()
            .filter(|(action, _)| allowed.action(service.namespace, action))
            .map(|(action, last)| TrackedAction { name: action.clone(), last: last.clone() })
            .collect(),
        _ => Vec::new(),
    };
    let mut entities: Vec<EntityUse> = subject
        .principals
        .iter()
        .map(|e| EntityUse {
            kind: e.kind,
            name: e.name.clone(),
            id: e.id.clone(),
            path: e.path.clone(),
            arn: e.arn.clone(),
            last_authenticated: seen.and_then(|s| s.by_entity.get(&e.arn).copied()),
        })
        .collect();
    // Most recent access first, as IAM lists them; entities that made none after, by name.
    entities.sort_by(|a, b| b.last_authenticated.unwrap_or(f64::MIN).total_cmp(&a.last_authenticated.unwrap_or(f64::MIN)).then_with(|| a.name.cmp(&b.name)));
    ServiceReport {
        namespace: service.namespace.to_owned(),
        name: service.name.to_owned(),
        last: seen.and_then(|s| s.last.clone()),
        total_entities: seen.map_or(0, |s| s.by_entity.len()),
        tracked_actions,
        entities,
    }
}

pub async fn generate_service_last_accessed_details(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "Arn")?;
    let granularity = text(&input, "Granularity").unwrap_or("SERVICE_LEVEL");
    if !matches!(granularity, "SERVICE_LEVEL" | "ACTION_LEVEL") {
        return Err(invalid_input(format!("Granularity {granularity} is not SERVICE_LEVEL or ACTION_LEVEL.")));
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    let subject = subject(&mut tx, ctx, arn).await?;
    drop(tx);
    let allowed = AllowedActions::of(subject.policies.iter().map(Arc::as_ref));
    let since = ctx.time - RETENTION_SECONDS;
    let accesses = activity::read_trail(store, ctx.account(), &ctx.region, since, &subject.principals).await?;
    let activity = activity::fold(accesses);
    let services = allowed
        .hosted_services()
        .into_iter()
        .map(|service| service_report(service, activity.get(service.namespace), &subject, &allowed, granularity == "ACTION_LEVEL"))
        .collect();
    let report = AccessReport {
        account: ctx.account().to_owned(),
        owner: owner(ctx),
        granularity: granularity.to_owned(),
        created: ctx.time,
        completed: ctx.time,
        services,
    };
    let job_id = new_job_id();
    let value = serde_json::to_value(&report).map_err(|e| ApiError::internal(e.to_string()))?;
    store.put(REPORTS, &job_id, &value).await.map_err(store_error)?;
    Ok(Reply::new(json!({ "JobId": job_id })))
}

/// The caller's report `JobId` names; another account's or another caller's is not found.
async fn load_report(store: &Store, ctx: &RequestContext, input: &Value) -> Result<AccessReport, ApiError> {
    let job_id = required(input, "JobId")?;
    let stored = store.get(REPORTS, job_id).await.map_err(store_error)?;
    stored
        .and_then(|v| serde_json::from_value::<AccessReport>(v).ok())
        .filter(|r| r.account == ctx.account() && r.owner == owner(ctx))
        .ok_or_else(|| error("NoSuchEntityException", format!("No service last accessed report found for JobId {job_id}.")))
}

fn job_output(report: &AccessReport) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("JobStatus".into(), json!("COMPLETED"));
    out.insert("JobCreationDate".into(), json!(report.created));
    out.insert("JobCompletionDate".into(), json!(report.completed));
    out
}

fn service_view(service: &ServiceReport, action_level: bool) -> Value {
    let mut out = json!({
        "ServiceName": service.name,
        "ServiceNamespace": service.namespace,
        "TotalAuthenticatedEntities": service.total_entities,
    });
    if let Some(last) = &service.last {
        out["LastAuthenticated"] = json!(last.time);
        out["LastAuthenticatedEntity"] = json!(last.entity_arn);
        out["LastAuthenticatedRegion"] = json!(last.region);
    }
    if action_level && !service.tracked_actions.is_empty() {
        let actions: Vec<Value> = service
            .tracked_actions
            .iter()
            .map(|a| {
                json!({
                    "ActionName": a.name,
                    "LastAccessedEntity": a.last.entity_arn,
                    "LastAccessedTime": a.last.time,
                    "LastAccessedRegion": a.last.region,
                })
            })
            .collect();
        out["TrackedActionsLastAccessed"] = json!(actions);
    }
    out
}

pub async fn get_service_last_accessed_details(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let report = load_report(store, ctx, &input).await?;
    let action_level = report.granularity == "ACTION_LEVEL";
    let views = report.services.iter().map(|s| service_view(s, action_level)).collect();
    let keys = report.services.iter().map(|s| s.namespace.clone()).collect();
    let (items, next) = page(views, keys, &input)?;
    let mut out = paged_output("ServicesLastAccessed", items, next);
    out.as_object_mut().expect("paged output is an object").extend(job_output(&report));
    out["JobType"] = json!(report.granularity);
    Ok(Reply::new(out))
}

fn entity_view(entity: &EntityUse) -> Value {
    let mut out = json!({
        "EntityInfo": {
            "Arn": entity.arn,
            "Name": entity.name,
            "Type": entity.kind.noun().to_uppercase(),
            "Id": entity.id,
            "Path": entity.path,
        },
    });
    if let Some(time) = entity.last_authenticated {
        out["LastAuthenticated"] = json!(time);
    }
    out
}

pub async fn get_service_last_accessed_details_with_entities(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let report = load_report(store, ctx, &input).await?;
    let namespace = required(&input, "ServiceNamespace")?;
    // A service the subject's policies do not allow had no entity that could use them on it.
    let listed: BTreeMap<&str, &ServiceReport> = report.services.iter().map(|s| (s.namespace.as_str(), s)).collect();
    let entities = listed.get(namespace).map_or(&[][..], |s| &s.entities);
    let views = entities.iter().map(entity_view).collect();
    let keys = entities.iter().map(|e| e.arn.clone()).collect();
    let (items, next) = page(views, keys, &input)?;
    let mut out = paged_output("EntityDetailsList", items, next);
    out.as_object_mut().expect("paged output is an object").extend(job_output(&report));
    Ok(Reply::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_arns_name_account_type_and_name() {
        assert_eq!(parse_iam_arn("arn:aws:iam::000000000000:user/dev/alice"), Some(("000000000000", "user", "alice")));
        assert_eq!(parse_iam_arn("arn:aws:iam::aws:policy/ReadOnlyAccess"), Some(("aws", "policy", "ReadOnlyAccess")));
        assert_eq!(parse_iam_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(parse_iam_arn("arn:aws:iam::000000000000:user/"), None);
    }

    #[test]
    fn job_ids_have_iams_length() {
        let id = new_job_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
