//! AWS Systems Manager Parameter Store: String, StringList and SecureString parameters (the
//! last encrypted by KMS through the pipeline with the caller's identity), versions and labels,
//! tiers, parameter policies acted on by the job queue, tags, AWS's public parameters and
//! references to Secrets Manager secrets.

mod delete;
mod describe;
mod filters;
mod get;
mod labels;
mod names;
mod paging;
pub mod policies;
mod public;
mod put;
mod record;
mod references;
mod secure_string;
mod settings;
mod tags;

use std::sync::Arc;

use gateway::{Peers, RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Sealer, Store};
use wire::ApiError;

/// CloudTrail's resource type for parameters.
const PARAMETER_RESOURCE: &str = "AWS::SSM::Parameter";

pub struct Ssm {
    store: Store,
    sealer: Arc<Sealer>,
    peers: Peers,
    parameters: record::ParameterCache,
}

impl Ssm {
    pub fn new(store: Store, sealer: Arc<Sealer>, peers: Peers) -> Self {
        Ssm { parameters: record::ParameterCache::new(store.clone()), store, sealer, peers }
    }
}

impl Service for Ssm {
    fn id(&self) -> &'static str {
        "ssm"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let (store, peers) = (&self.store, &self.peers);
        Some(match ctx.operation {
            "PutParameter" => Box::pin(put::put_parameter(store, &self.sealer, peers, ctx, input)),
            "GetParameter" => Box::pin(get::get_parameter(&self.parameters, peers, ctx, input)),
            "GetParameters" => Box::pin(get::get_parameters(&self.parameters, peers, ctx, input)),
            "GetParametersByPath" => Box::pin(get::get_parameters_by_path(store, peers, ctx, input)),
            "GetParameterHistory" => Box::pin(get::get_parameter_history(store, peers, ctx, input)),
            "DescribeParameters" => Box::pin(describe::describe_parameters(store, ctx, input)),
            "DeleteParameter" => Box::pin(delete::delete_parameter(store, ctx, input)),
            "DeleteParameters" => Box::pin(delete::delete_parameters(store, ctx, input)),
            "LabelParameterVersion" => Box::pin(labels::label_parameter_version(store, ctx, input)),
            "UnlabelParameterVersion" => Box::pin(labels::unlabel_parameter_version(store, ctx, input)),
            "AddTagsToResource" => Box::pin(tags::add_tags_to_resource(store, ctx, input)),
            "RemoveTagsFromResource" => Box::pin(tags::remove_tags_from_resource(store, ctx, input)),
            "ListTagsForResource" => Box::pin(tags::list_tags_for_resource(store, ctx, input)),
            "GetServiceSetting" => Box::pin(settings::get_service_setting(store, ctx, input)),
            "UpdateServiceSetting" => Box::pin(settings::update_service_setting(store, ctx, input)),
            "ResetServiceSetting" => Box::pin(settings::reset_service_setting(store, ctx, input)),
            _ => return None,
        })
    }

    /// The parameters a request names, as `arn:aws:ssm:region:account:parameter/name` (without
    /// a selector); GetParametersByPath names its path, the service-setting operations their
    /// setting; DescribeParameters no parameter.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let text = |member: &str| input.get(member).and_then(Value::as_str);
        let arn_of = |raw: &str| {
            let name = if references::is_reference(raw) { raw } else { names::parse_selected(raw.trim_matches(' ')).0 };
            let account = if public::is_public(name) { "" } else { ctx.account() };
            names::parameter_arn(&ctx.region, account, name)
        };
        let named = match ctx.operation {
            "GetParameters" | "DeleteParameters" => input
                .get("Names")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).map(arn_of).collect()),
            "GetParametersByPath" => text("Path").map(|path| vec![arn_of(path)]),
            "GetServiceSetting" | "UpdateServiceSetting" | "ResetServiceSetting" => {
                text("SettingId").map(|id| vec![settings::setting_arn(ctx, settings::setting_path(id))])
            }
            "AddTagsToResource" | "RemoveTagsFromResource" | "ListTagsForResource" => {
                text("ResourceId").filter(|_| text("ResourceType") == Some("Parameter")).map(|name| vec![arn_of(name)])
            }
            _ => text("Name").map(|name| vec![arn_of(name)]),
        };
        named.filter(|arns: &Vec<String>| !arns.is_empty()).unwrap_or_else(|| vec!["*".to_owned()])
    }
}

/// The Parameter Store condition keys a request carries, as `(key, values)` for the policy
/// engine: `ssm:Overwrite` and `ssm:Policies` (the policy types) on PutParameter,
/// `ssm:Recursive` on GetParametersByPath, and `aws:RequestTag/<key>` and `aws:TagKeys` for the
/// tags a request sets or removes.
pub fn condition_keys(action: &str, input: &Value) -> Vec<(String, Vec<String>)> {
    let flag = |member: &str| input.get(member).and_then(Value::as_bool).unwrap_or(false).to_string();
    let mut keys = tag_condition_keys(input);
    match action {
        "ssm:PutParameter" => {
            keys.push(("ssm:Overwrite".to_owned(), vec![flag("Overwrite")]));
            let policy_types: Vec<String> = input
                .get("Policies")
                .and_then(Value::as_str)
                .and_then(|text| serde_json::from_str::<Value>(text).ok())
                .and_then(|policies| policies.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|policy| policy.get("Type").and_then(Value::as_str).map(str::to_owned))
                .collect();
            if !policy_types.is_empty() {
                keys.push(("ssm:Policies".to_owned(), policy_types));
            }
        }
        "ssm:GetParametersByPath" => keys.push(("ssm:Recursive".to_owned(), vec![flag("Recursive")])),
        _ => {}
    }
    keys
}

/// `aws:RequestTag/<key>` for each tag a request sets (`Tags`) and `aws:TagKeys` for the keys
/// it sets or removes (`TagKeys`).
fn tag_condition_keys(input: &Value) -> Vec<(String, Vec<String>)> {
    let mut keys = Vec::new();
    let mut tag_keys = Vec::new();
    for tag in input.get("Tags").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(key), Some(value)) = (tag.get("Key").and_then(Value::as_str), tag.get("Value").and_then(Value::as_str)) {
            keys.push((format!("aws:RequestTag/{key}"), vec![value.to_owned()]));
            tag_keys.push(key.to_owned());
        }
    }
    tag_keys.extend(input.get("TagKeys").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
    if !tag_keys.is_empty() {
        keys.push(("aws:TagKeys".to_owned(), tag_keys));
    }
    keys
}

/// The tags of the parameter `arn` names, for `aws:ResourceTag/<key>`; `None` when no parameter
/// has that ARN. `parameter/a/b` is the hierarchical `/a/b`; `parameter/a` is `/a` or `a`.
pub async fn resource_tags(store: &Store, arn: &str) -> Option<Vec<(String, String)>> {
    let mut parts = arn.strip_prefix("arn:aws:ssm:")?.splitn(3, ':');
    let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    let path = resource.strip_prefix("parameter/")?;
    let mut tx = store.begin().await.ok()?;
    let parameter = match record::load(&mut tx, account, region, &format!("/{path}")).await.ok()? {
        Some(parameter) => parameter,
        None => record::load(&mut tx, account, region, path).await.ok()??,
    };
    Some(parameter.tags.into_iter().collect())
}

/// Parameter Store's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("ssm", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("Parameter Store could not reach its store: {e}"))
}
