//! LabelParameterVersion and UnlabelParameterVersion. A label names one version of a parameter
//! at a time (labelling another version moves it); a version has at most ten; labels that break
//! AWS's rules are returned as InvalidLabels instead of failing the request.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, names, record, store_error, PARAMETER_RESOURCE};
use crate::input::from_input;

const MAX_LABELS_PER_VERSION: usize = 10;

fn not_found(name: &str) -> ApiError {
    error("ParameterNotFound", format!("Parameter {name} not found."))
}

fn version_not_found(name: &str, version: u64) -> ApiError {
    error(
        "ParameterVersionNotFound",
        format!("Systems Manager could not find version {version} of {name}. Verify the version and try again."),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LabelRequest {
    name: String,
    parameter_version: Option<u64>,
    labels: Vec<String>,
}

pub async fn label_parameter_version(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: LabelRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut parameter =
        record::load(&mut tx, ctx.account(), &ctx.region, &request.name).await?.ok_or_else(|| not_found(&request.name))?;
    let target = request.parameter_version.unwrap_or_else(|| parameter.current().version);
    if parameter.version(target).is_none() {
        return Err(version_not_found(&request.name, target));
    }
    let (valid, invalid): (Vec<String>, Vec<String>) = request.labels.into_iter().partition(|l| names::is_valid_label(l));
    for version in parameter.versions.iter_mut() {
        if version.version == target {
            for label in &valid {
                if !version.labels.contains(label) {
                    version.labels.push(label.clone());
                }
            }
            if version.labels.len() > MAX_LABELS_PER_VERSION {
                return Err(error(
                    "ParameterVersionLabelLimitExceeded",
                    format!("A parameter version can have a maximum of {MAX_LABELS_PER_VERSION} labels; version {target} of {} would have {}.", request.name, version.labels.len()),
                ));
            }
        } else {
            version.labels.retain(|l| !valid.contains(l));
        }
    }
    record::save(&mut tx, &parameter).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "InvalidLabels": invalid, "ParameterVersion": target })).resource(PARAMETER_RESOURCE, parameter.arn()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnlabelRequest {
    name: String,
    parameter_version: u64,
    labels: Vec<String>,
}

pub async fn unlabel_parameter_version(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: UnlabelRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut parameter =
        record::load(&mut tx, ctx.account(), &ctx.region, &request.name).await?.ok_or_else(|| not_found(&request.name))?;
    let version = parameter
        .versions
        .iter_mut()
        .find(|v| v.version == request.parameter_version)
        .ok_or_else(|| version_not_found(&request.name, request.parameter_version))?;
    let (removed, invalid): (Vec<String>, Vec<String>) = request.labels.into_iter().partition(|l| version.labels.contains(l));
    version.labels.retain(|l| !removed.contains(l));
    record::save(&mut tx, &parameter).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "RemovedLabels": removed, "InvalidLabels": invalid })).resource(PARAMETER_RESOURCE, parameter.arn()))
}
