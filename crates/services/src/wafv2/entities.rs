//! The four kinds of WAF entity (web ACLs, rule groups, IP sets, regex pattern sets) share one
//! life: Create, Get, Update and Delete by scope, name and id with lock tokens, List by scope with
//! markers. What differs is the definition each kind checks, in [`super::definitions`].

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    definitions,
    errors::{associated_item, duplicate, invalid_parameter, nonexistent, optimistic_lock, store_error},
};
use crate::input::{required, text};

const ENTITIES: &str = "wafv2.entity";
const DEFAULT_LIST_LIMIT: usize = 100;

/// Members that address an entity or carry request bookkeeping rather than define it.
const ADDRESSING_MEMBERS: &[&str] = &["Name", "Scope", "Id", "LockToken", "Tags", "ARN"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    WebAcl,
    RuleGroup,
    IpSet,
    RegexPatternSet,
}

impl Kind {
    /// The kind's segment of an ARN (`regional/webacl/name/id`).
    pub fn arn_segment(self) -> &'static str {
        match self {
            Kind::WebAcl => "webacl",
            Kind::RuleGroup => "rulegroup",
            Kind::IpSet => "ipset",
            Kind::RegexPatternSet => "regexpatternset",
        }
    }

    /// The member naming one entity in Get* outputs.
    fn shape_name(self) -> &'static str {
        match self {
            Kind::WebAcl => "WebACL",
            Kind::RuleGroup => "RuleGroup",
            Kind::IpSet => "IPSet",
            Kind::RegexPatternSet => "RegexPatternSet",
        }
    }

    /// The member listing summaries in List* outputs.
    fn list_member(self) -> &'static str {
        match self {
            Kind::WebAcl => "WebACLs",
            Kind::RuleGroup => "RuleGroups",
            Kind::IpSet => "IPSets",
            Kind::RegexPatternSet => "RegexPatternSets",
        }
    }

    /// The kind an operation creates, reads, changes or deletes, from its name.
    pub fn of_operation(operation: &str) -> Option<Kind> {
        [Kind::WebAcl, Kind::RuleGroup, Kind::IpSet, Kind::RegexPatternSet].into_iter().find(|kind| {
            let name = kind.shape_name();
            ["Create", "Get", "Update", "Delete"].iter().any(|verb| operation.strip_prefix(verb) == Some(name))
        })
    }

    fn of_segment(segment: &str) -> Option<Kind> {
        [Kind::WebAcl, Kind::RuleGroup, Kind::IpSet, Kind::RegexPatternSet].into_iter().find(|k| k.arn_segment() == segment)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entity {
    pub kind: Kind,
    pub scope: String,
    pub account: String,
    pub region: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub lock_token: String,
    /// The members the caller defined (Description, Rules, Addresses, ...), canonical JSON.
    pub definition: Map<String, Value>,
    /// The members WAF works out (Capacity, LabelNamespace, AvailableLabels, ...).
    pub computed: Map<String, Value>,
    pub tags: BTreeMap<String, String>,
}

impl Entity {
    /// The entity as Get* answers it.
    pub fn view(&self) -> Value {
        let mut view = Map::new();
        view.insert("Name".into(), json!(self.name));
        view.insert("Id".into(), json!(self.id));
        view.insert("ARN".into(), json!(self.arn));
        view.extend(self.definition.clone());
        view.extend(self.computed.clone());
        Value::Object(view)
    }

    fn summary(&self) -> Value {
        let mut summary = json!({ "Name": self.name, "Id": self.id, "LockToken": self.lock_token, "ARN": self.arn });
        if let Some(description) = self.definition.get("Description") {
            summary["Description"] = description.clone();
        }
        summary
    }

    fn record_key(&self) -> String {
        record_key(&self.account, &self.region, &self.scope, self.kind, &self.id)
    }
}

fn record_key(account: &str, region: &str, scope: &str, kind: Kind, id: &str) -> String {
    format!("{account}/{region}/{scope}/{}/{id}", kind.arn_segment())
}

fn kind_prefix(account: &str, region: &str, scope: &str, kind: Kind) -> String {
    format!("{account}/{region}/{scope}/{}/", kind.arn_segment())
}

/// The ARN of an entity: `regional/…` for REGIONAL scope, `global/…` for CLOUDFRONT.
pub fn arn(ctx: &RequestContext, kind: Kind, scope: &str, name: &str, id: &str) -> String {
    let scope_segment = if scope == "CLOUDFRONT" { "global" } else { "regional" };
    ctx.arn("wafv2", &format!("{scope_segment}/{}/{name}/{id}", kind.arn_segment()))
}

/// Where an entity ARN points.
pub struct EntityAddress {
    pub account: String,
    pub region: String,
    pub scope: String,
    pub kind: Kind,
    pub name: String,
    pub id: String,
}

pub fn parse_arn(arn: &str) -> Option<EntityAddress> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some("wafv2"), Some(region), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let mut segments = resource.split('/');
    let scope = match segments.next()? {
        "regional" => "REGIONAL",
        "global" => "CLOUDFRONT",
        _ => return None,
    };
    let kind = Kind::of_segment(segments.next()?)?;
    let (name, id) = (segments.next()?, segments.next()?);
    if segments.next().is_some() {
        return None;
    }
    Some(EntityAddress { account: account.into(), region: region.into(), scope: scope.into(), kind, name: name.into(), id: id.into() })
}

/// A random version 4 UUID, the form of WAF's ids and lock tokens.
pub fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// CLOUDFRONT-scope entities live in US East (N. Virginia) only.
pub fn check_scope(ctx: &RequestContext, scope: &str) -> Result<(), ApiError> {
    if scope == "CLOUDFRONT" && ctx.region != "us-east-1" {
        return Err(invalid_parameter("SCOPE_VALUE", scope, "The scope is not valid."));
    }
    Ok(())
}

pub async fn load(tx: &mut Txn, account: &str, region: &str, scope: &str, kind: Kind, id: &str) -> Result<Option<Entity>, ApiError> {
    let value = tx.get(ENTITIES, &record_key(account, region, scope, kind, id)).await.map_err(store_error)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// The entity an ARN names, if it exists.
pub async fn load_by_arn(tx: &mut Txn, arn: &str) -> Result<Option<Entity>, ApiError> {
    let Some(address) = parse_arn(arn) else { return Ok(None) };
    let entity = load(tx, &address.account, &address.region, &address.scope, address.kind, &address.id).await?;
    Ok(entity.filter(|e| e.name == address.name))
}

pub async fn save(tx: &mut Txn, entity: &Entity) -> Result<(), ApiError> {
    let value = serde_json::to_value(entity).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(ENTITIES, &entity.record_key(), &value).await.map_err(store_error)
}

/// Every entity of a kind in a scope of the request's account and region.
pub async fn list_all(tx: &mut Txn, account: &str, region: &str, scope: &str, kind: Kind) -> Result<Vec<Entity>, ApiError> {
    let rows = tx.scan(ENTITIES, &kind_prefix(account, region, scope, kind), None, usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value(v).ok()).collect())
}

/// The entity a request addresses by Name, Scope and Id (or by ARN, which GetRuleGroup allows).
async fn addressed(tx: &mut Txn, ctx: &RequestContext, kind: Kind, input: &Value) -> Result<Entity, ApiError> {
    if let Some(arn) = text(input, "ARN") {
        return load_by_arn(tx, arn).await?.filter(|e| e.kind == kind && e.account == ctx.account()).ok_or_else(nonexistent);
    }
    let (Some(scope), Some(name), Some(id)) = (text(input, "Scope"), text(input, "Name"), text(input, "Id")) else {
        return Err(invalid_parameter("RESOURCE_ARN", "ARN", "You must provide either an ARN or a name, scope and ID."));
    };
    check_scope(ctx, scope)?;
    let entity = load(tx, ctx.account(), &ctx.region, scope, kind, id).await?;
    entity.filter(|e| e.name == name).ok_or_else(nonexistent)
}

/// The members of `input` that define the entity.
fn definition_of(input: &Value) -> Map<String, Value> {
    let mut definition = input.as_object().cloned().unwrap_or_default();
    for member in ADDRESSING_MEMBERS {
        definition.remove(*member);
    }
    definition
}

pub async fn create(store: &Store, ctx: &RequestContext, kind: Kind, input: Value) -> Result<Reply, ApiError> {
    let scope = required(&input, "Scope")?.to_owned();
    let name = required(&input, "Name")?.to_owned();
    check_scope(ctx, &scope)?;
    let tags = super::tags::tag_map(input.get("Tags"))?;
    let definition = definition_of(&input);
    let mut tx = store.begin().await.map_err(store_error)?;
    let existing = list_all(&mut tx, ctx.account(), &ctx.region, &scope, kind).await?;
    if existing.iter().any(|e| e.name == name) {
        return Err(duplicate());
    }
    let computed = definitions::check(&mut tx, ctx, kind, &scope, &name, &definition).await?;
    let id = new_uuid();
    let entity = Entity {
        kind,
        arn: arn(ctx, kind, &scope, &name, &id),
        scope,
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        name,
        id,
        lock_token: new_uuid(),
        definition,
        computed,
        tags,
    };
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "Summary": entity.summary() })).resource(resource_type(kind), entity.arn))
}

pub async fn get(store: &Store, ctx: &RequestContext, kind: Kind, input: Value) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = addressed(&mut tx, ctx, kind, &input).await?;
    let out = json!({ kind.shape_name(): entity.view(), "LockToken": entity.lock_token });
    Ok(Reply::new(out).resource(resource_type(kind), entity.arn))
}

pub async fn update(store: &Store, ctx: &RequestContext, kind: Kind, input: Value) -> Result<Reply, ApiError> {
    let lock_token = required(&input, "LockToken")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entity = addressed(&mut tx, ctx, kind, &input).await?;
    if entity.lock_token != lock_token {
        return Err(optimistic_lock());
    }
    let mut definition = definition_of(&input);
    // A rule group's capacity is fixed when it is created.
    if let Some(capacity) = entity.definition.get("Capacity") {
        definition.insert("Capacity".into(), capacity.clone());
    }
    entity.computed = definitions::check(&mut tx, ctx, kind, &entity.scope, &entity.name, &definition).await?;
    entity.definition = definition;
    entity.lock_token = new_uuid();
    save(&mut tx, &entity).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "NextLockToken": entity.lock_token })).resource(resource_type(kind), entity.arn))
}

pub async fn delete(store: &Store, ctx: &RequestContext, kind: Kind, input: Value) -> Result<Reply, ApiError> {
    let lock_token = required(&input, "LockToken")?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let entity = addressed(&mut tx, ctx, kind, &input).await?;
    if entity.lock_token != lock_token {
        return Err(optimistic_lock());
    }
    if is_in_use(&mut tx, &entity).await? {
        return Err(associated_item());
    }
    tx.delete(ENTITIES, &entity.record_key()).await.map_err(store_error)?;
    match kind {
        Kind::WebAcl => super::logging::forget(&mut tx, &entity.arn).await?,
        Kind::RuleGroup => super::permission_policies::forget(&mut tx, &entity.arn).await?,
        Kind::IpSet | Kind::RegexPatternSet => {}
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource(resource_type(kind), entity.arn))
}

/// A web ACL is in use while it is associated with a resource; the other kinds while a web ACL
/// or rule group of the same scope references them.
async fn is_in_use(tx: &mut Txn, entity: &Entity) -> Result<bool, ApiError> {
    if entity.kind == Kind::WebAcl {
        return Ok(!super::associations::resources_of(tx, &entity.account, &entity.region, &entity.arn).await?.is_empty());
    }
    for kind in [Kind::WebAcl, Kind::RuleGroup] {
        for other in list_all(tx, &entity.account, &entity.region, &entity.scope, kind).await? {
            if other.id != entity.id && mentions(&Value::Object(other.definition.clone()), &entity.arn) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether any text in `value` is `arn` (references are statements' `ARN` members).
fn mentions(value: &Value, arn: &str) -> bool {
    match value {
        Value::String(s) => s == arn,
        Value::Array(items) => items.iter().any(|v| mentions(v, arn)),
        Value::Object(members) => members.values().any(|v| mentions(v, arn)),
        _ => false,
    }
}

pub async fn list(store: &Store, ctx: &RequestContext, kind: Kind, input: Value) -> Result<Reply, ApiError> {
    let scope = required(&input, "Scope")?.to_owned();
    check_scope(ctx, &scope)?;
    let limit = input.get("Limit").and_then(Value::as_u64).map_or(DEFAULT_LIST_LIMIT, |l| l as usize);
    let marker = text(&input, "NextMarker");
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut entities = list_all(&mut tx, ctx.account(), &ctx.region, &scope, kind).await?;
    entities.sort_by(|a, b| a.name.cmp(&b.name));
    let remaining: Vec<&Entity> = entities.iter().filter(|e| marker.is_none_or(|m| e.name.as_str() > m)).collect();
    let page = &remaining[..remaining.len().min(limit)];
    let mut out = json!({ kind.list_member(): page.iter().map(|e| e.summary()).collect::<Vec<_>>() });
    if remaining.len() > page.len() {
        if let Some(last) = page.last() {
            out["NextMarker"] = json!(last.name);
        }
    }
    Ok(Reply::new(out))
}

/// CloudTrail's resource type for a kind of entity.
fn resource_type(kind: Kind) -> &'static str {
    match kind {
        Kind::WebAcl => "AWS::WAFv2::WebACL",
        Kind::RuleGroup => "AWS::WAFv2::RuleGroup",
        Kind::IpSet => "AWS::WAFv2::IPSet",
        Kind::RegexPatternSet => "AWS::WAFv2::RegexPatternSet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_arns_name_scope_kind_name_and_id() {
        let address = parse_arn("arn:aws:wafv2:us-east-1:123456789012:global/ipset/blocked/a1b2").unwrap();
        assert_eq!((address.scope.as_str(), address.kind, address.name.as_str(), address.id.as_str()), ("CLOUDFRONT", Kind::IpSet, "blocked", "a1b2"));
        assert!(parse_arn("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl").is_none());
        assert!(parse_arn("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/b").is_none());
    }

    #[test]
    fn operations_name_their_kind() {
        assert_eq!(Kind::of_operation("UpdateWebACL"), Some(Kind::WebAcl));
        assert_eq!(Kind::of_operation("DeleteIPSet"), Some(Kind::IpSet));
        assert_eq!(Kind::of_operation("ListWebACLs"), None);
    }

    #[test]
    fn ids_are_version_4_uuids() {
        let id = new_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
