//! PutParameter: creating a parameter or, with Overwrite, a new version of it. Checks AWS's
//! rules for tiers and their sizes, data types, allowed patterns, policies and the version
//! limit; a SecureString value is encrypted by KMS before anything is stored.

use std::collections::BTreeMap;

use gateway::{Peers, Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    error, names,
    policies::{self, ParameterPolicy, PolicyRule},
    record::{self, ParameterVersion, StoredParameter, SECURE_STRING},
    secure_string, settings, store_error,
    tags::{self, Tag},
    PARAMETER_RESOURCE,
};
use crate::input::from_input;

/// Parameter Store keeps this many versions of a parameter.
pub const MAX_VERSIONS: usize = 100;
const STANDARD_MAX_CHARS: usize = 4096;
const ADVANCED_MAX_CHARS: usize = 8192;

const DATA_TYPES: &[&str] = &["text", "aws:ec2:image", "aws:ssm:integration"];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutParameterRequest {
    name: String,
    description: Option<String>,
    value: String,
    #[serde(rename = "Type")]
    kind: Option<String>,
    key_id: Option<String>,
    overwrite: Option<bool>,
    allowed_pattern: Option<String>,
    tags: Option<Vec<Tag>>,
    tier: Option<String>,
    policies: Option<String>,
    data_type: Option<String>,
}

/// Everything a new version needs but its (possibly encrypted) value.
struct VersionPlan {
    kind: String,
    key_id: Option<String>,
    description: Option<String>,
    allowed_pattern: Option<String>,
    tier: String,
    data_type: String,
    policies: Vec<ParameterPolicy>,
}

fn check_value(value: &str) -> Result<(), ApiError> {
    if value.is_empty() {
        return Err(error("ValidationException", "The parameter value can't be empty."));
    }
    if value.contains("{{") && value.contains("}}") {
        return Err(error(
            "ValidationException",
            "Parameters can't be referenced or nested in the values of other parameters: a value can't include {{ }}.",
        ));
    }
    Ok(())
}

/// `pattern` compiled as AllowedPattern means it: the whole value must match.
fn allowed_pattern_matcher(pattern: &str) -> Result<regex::Regex, ApiError> {
    regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|_| {
        error("InvalidAllowedPatternException", format!("The AllowedPattern {pattern} is not a valid regular expression."))
    })
}

fn check_data_type(data_type: &str, kind: &str, value: &str) -> Result<(), ApiError> {
    if !DATA_TYPES.contains(&data_type) {
        return Err(error(
            "ValidationException",
            format!("The following data type is not supported: {data_type} (Data type names are all lowercase.) Supported data types: {}.", DATA_TYPES.join(", ")),
        ));
    }
    if data_type == "aws:ec2:image" {
        if kind != "String" {
            return Err(error("ValidationException", "The aws:ec2:image data type is only supported for String parameters."));
        }
        let hex = value.strip_prefix("ami-").unwrap_or_default();
        let well_formed = matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if !well_formed {
            return Err(error(
                "ValidationException",
                format!("Parameter value {value} is not a valid AMI ID for data type aws:ec2:image: expected ami- and 8 or 17 lowercase hexadecimal digits."),
            ));
        }
    }
    Ok(())
}

/// The tier a version gets: the requested one, else the account's default tier
/// (Intelligent-Tiering picks Advanced only when the value or its policies need it). An
/// advanced parameter stays advanced; only asking for Standard outright is a downgrade error.
fn resolve_tier(
    requested: Option<&str>,
    default_tier: &str,
    existing: Option<&str>,
    value_chars: usize,
    has_policies: bool,
) -> Result<String, ApiError> {
    let tier = match requested.unwrap_or(default_tier) {
        "Intelligent-Tiering" => {
            let needs_advanced = value_chars > STANDARD_MAX_CHARS || has_policies || existing == Some("Advanced");
            if needs_advanced { "Advanced" } else { "Standard" }
        }
        "Standard" if requested.is_none() && existing == Some("Advanced") => "Advanced",
        tier => tier,
    };
    if tier == "Standard" && existing == Some("Advanced") {
        return Err(error(
            "ValidationException",
            "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
        ));
    }
    let limit = if tier == "Advanced" { ADVANCED_MAX_CHARS } else { STANDARD_MAX_CHARS };
    if value_chars > limit {
        let advice = if tier == "Standard" {
            " To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier."
        } else {
            ""
        };
        return Err(error(
            "ValidationException",
            format!("{tier} tier parameters support a maximum parameter value of {limit} characters.{advice}"),
        ));
    }
    if has_policies && tier == "Standard" {
        return Err(error(
            "ValidationException",
            "Standard tier parameters don't support parameter policies. Use the Advanced or Intelligent-Tiering tier.",
        ));
    }
    Ok(tier.to_owned())
}

/// The version the request would create on top of `existing`, checked against AWS's rules.
fn plan_version(
    request: &PutParameterRequest,
    existing: Option<&ParameterVersion>,
    default_tier: &str,
    now: f64,
) -> Result<VersionPlan, ApiError> {
    let kind = match (&request.kind, existing) {
        (Some(kind), Some(current)) if *kind != current.kind => {
            return Err(error(
                "HierarchyTypeMismatchException",
                format!("The parameter is a {}; Parameter Store doesn't support changing its type to {kind}. Create a new parameter instead.", current.kind),
            ))
        }
        (Some(kind), _) => kind.clone(),
        (None, Some(current)) => current.kind.clone(),
        (None, None) => return Err(error("ValidationException", "A parameter type is required when you create a parameter.")),
    };
    if !["String", "StringList", SECURE_STRING].contains(&kind.as_str()) {
        return Err(error("UnsupportedParameterType", format!("The parameter type {kind} isn't supported.")));
    }
    let key_id = match (&request.key_id, kind == SECURE_STRING) {
        (Some(_), false) => {
            return Err(error("ValidationException", "KeyId is required for SecureString type parameter only."));
        }
        (Some(key_id), true) => Some(key_id.clone()),
        (None, true) => Some(secure_string::DEFAULT_KEY_ALIAS.to_owned()),
        (None, false) => None,
    };
    let data_type = request
        .data_type
        .clone()
        .filter(|d| !d.is_empty())
        .or_else(|| existing.map(|v| v.data_type.clone()))
        .unwrap_or_else(|| "text".to_owned());
    check_data_type(&data_type, &kind, &request.value)?;
    let allowed_pattern = request.allowed_pattern.clone().or_else(|| existing.and_then(|v| v.allowed_pattern.clone()));
    if let Some(pattern) = allowed_pattern.as_deref().filter(|p| !p.is_empty()) {
        if !allowed_pattern_matcher(pattern)?.is_match(&request.value) {
            return Err(error("ValidationException", format!("Parameter value, cannot be validated against allowedPattern: {pattern}")));
        }
    }
    let policies = match (&request.policies, existing) {
        (Some(text), _) => policies::parse(text, now)?,
        // Existing policies carry over; a change re-arms the no-change notification.
        (None, Some(current)) => current
            .policies
            .iter()
            .cloned()
            .map(|mut p| {
                if matches!(p.rule, PolicyRule::NoChangeNotification { .. }) {
                    p.status = "Pending".to_owned();
                }
                p
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    let tier = resolve_tier(
        request.tier.as_deref(),
        default_tier,
        existing.map(|v| v.tier.as_str()),
        request.value.chars().count(),
        !policies.is_empty(),
    )?;
    Ok(VersionPlan {
        kind,
        key_id,
        description: request.description.clone().or_else(|| existing.and_then(|v| v.description.clone())),
        allowed_pattern,
        tier,
        data_type,
        policies,
    })
}

pub async fn put_parameter(
    store: &Store,
    sealer: &Sealer,
    peers: &Peers,
    ctx: &RequestContext,
    input: Value,
) -> Result<Reply, ApiError> {
    let request: PutParameterRequest = from_input(input)?;
    let name = names::validate_new_name(&request.name, &ctx.region, ctx.account())?;
    check_value(&request.value)?;
    let overwrite = request.overwrite.unwrap_or(false);
    if overwrite && request.tags.as_ref().is_some_and(|t| !t.is_empty()) {
        return Err(error(
            "ValidationException",
            "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
        ));
    }
    let (existing, default_tier) = {
        let mut tx = store.begin().await.map_err(store_error)?;
        let existing = record::load(&mut tx, ctx.account(), &ctx.region, &name).await?;
        (existing, settings::default_tier(&mut tx, ctx.account(), &ctx.region).await?)
    };
    if existing.is_some() && !overwrite {
        return Err(already_exists());
    }
    let plan = plan_version(&request, existing.as_ref().map(StoredParameter::current), &default_tier, ctx.time)?;
    let mut new_tags = BTreeMap::new();
    tags::add_tags(&mut new_tags, request.tags.unwrap_or_default())?;
    let arn = names::parameter_arn(&ctx.region, ctx.account(), &name);
    // KMS is called before the transaction: an open transaction holds the store.
    let stored_value = match &plan.key_id {
        Some(key_id) => {
            secure_string::ensure_key(store, sealer, ctx, key_id).await?;
            let encryption = secure_string::Encryption::for_tier(&plan.tier);
            secure_string::encrypt(peers, ctx, key_id, &arn, &request.value, encryption).await?
        }
        None => request.value,
    };
    let expected_version = existing.as_ref().map(|p| p.current().version);

    let mut tx = store.begin().await.map_err(store_error)?;
    let current = record::load(&mut tx, ctx.account(), &ctx.region, &name).await?;
    if current.as_ref().map(|p| p.current().version) != expected_version {
        if expected_version.is_none() && !overwrite {
            return Err(already_exists());
        }
        return Err(error("TooManyUpdates", "There are concurrent updates for the resource that you're trying to update."));
    }
    let mut parameter = current.unwrap_or_else(|| StoredParameter {
        account: ctx.account().to_owned(),
        region: ctx.region.clone(),
        name: name.clone(),
        versions: Vec::new(),
        tags: new_tags,
    });
    let had_policies = parameter.versions.last().is_some_and(|v| !v.policies.is_empty());
    let version = expected_version.unwrap_or(0) + 1;
    if parameter.versions.len() >= MAX_VERSIONS {
        let oldest = &parameter.versions[0];
        if !oldest.labels.is_empty() {
            return Err(error(
                "ParameterMaxVersionLimitExceeded",
                format!(
                    "You attempted to create a new version of {name} by calling the PutParameter API with the overwrite flag. Version {}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.",
                    oldest.version
                ),
            ));
        }
        parameter.versions.remove(0);
    }
    parameter.versions.push(ParameterVersion {
        version,
        kind: plan.kind,
        value: stored_value,
        key_id: plan.key_id,
        description: plan.description,
        allowed_pattern: plan.allowed_pattern,
        tier: plan.tier.clone(),
        data_type: plan.data_type,
        labels: Vec::new(),
        policies: plan.policies,
        last_modified: ctx.time,
        last_modified_user: ctx.principal.arn.clone(),
    });
    record::save(&mut tx, &parameter).await?;
    tx.commit().await.map_err(store_error)?;
    if had_policies || !parameter.current().policies.is_empty() {
        policies::schedule(store, &parameter).await?;
    }
    Ok(Reply::new(json!({ "Version": version, "Tier": plan.tier })).resource(PARAMETER_RESOURCE, arn))
}

fn already_exists() -> ApiError {
    error(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_hold_values_up_to_their_size() {
        assert_eq!(resolve_tier(None, "Standard", None, 4096, false).unwrap(), "Standard");
        assert_eq!(resolve_tier(None, "Standard", None, 4097, false).unwrap_err().code, "ValidationException");
        assert_eq!(resolve_tier(Some("Advanced"), "Standard", None, 8192, false).unwrap(), "Advanced");
        assert!(resolve_tier(Some("Advanced"), "Standard", None, 8193, false).is_err());
        assert_eq!(resolve_tier(Some("Intelligent-Tiering"), "Standard", None, 10, false).unwrap(), "Standard");
        assert_eq!(resolve_tier(Some("Intelligent-Tiering"), "Standard", None, 5000, false).unwrap(), "Advanced");
        assert_eq!(resolve_tier(Some("Intelligent-Tiering"), "Standard", None, 10, true).unwrap(), "Advanced");
    }

    #[test]
    fn the_account_default_tier_applies_when_a_request_names_none() {
        assert_eq!(resolve_tier(None, "Advanced", None, 10, false).unwrap(), "Advanced");
        assert_eq!(resolve_tier(None, "Intelligent-Tiering", None, 10, false).unwrap(), "Standard");
        assert_eq!(resolve_tier(None, "Intelligent-Tiering", None, 5000, false).unwrap(), "Advanced");
        assert_eq!(resolve_tier(Some("Standard"), "Advanced", None, 10, false).unwrap(), "Standard");
    }

    #[test]
    fn advanced_parameters_stay_advanced() {
        assert_eq!(resolve_tier(None, "Standard", Some("Advanced"), 10, false).unwrap(), "Advanced");
        assert_eq!(resolve_tier(Some("Intelligent-Tiering"), "Standard", Some("Advanced"), 10, false).unwrap(), "Advanced");
        assert!(resolve_tier(Some("Standard"), "Standard", Some("Advanced"), 10, false).is_err());
    }

    #[test]
    fn standard_parameters_take_no_policies() {
        assert!(resolve_tier(Some("Standard"), "Standard", None, 10, true).is_err());
    }

    #[test]
    fn ami_ids_are_checked_for_the_ec2_image_data_type() {
        assert!(check_data_type("aws:ec2:image", "String", "ami-0123456789abcdef0").is_ok());
        assert!(check_data_type("aws:ec2:image", "String", "ami-12345678").is_ok());
        assert!(check_data_type("aws:ec2:image", "String", "ami-xyz").is_err());
        assert!(check_data_type("aws:ec2:image", "SecureString", "ami-12345678").is_err());
        assert!(check_data_type("Text", "String", "x").is_err());
    }

    #[test]
    fn allowed_patterns_match_the_whole_value() {
        let digits = allowed_pattern_matcher(r"\d+").unwrap();
        assert!(digits.is_match("123"));
        assert!(!digits.is_match("12a"));
        assert_eq!(allowed_pattern_matcher("(").unwrap_err().code, "InvalidAllowedPatternException");
    }
}
