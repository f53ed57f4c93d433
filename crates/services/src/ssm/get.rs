//! GetParameter, GetParameters, GetParametersByPath and GetParameterHistory. SecureString values
//! are decrypted by KMS only when the caller asks WithDecryption; otherwise the caller sees
//! the ciphertext, as AWS answers.

use std::sync::Arc;

use gateway::{Peers, Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    error,
    filters::{self, FilterUse, RequestFilter},
    names::{self, Selector},
    paging, public,
    record::{self, ParameterCache, ParameterVersion, StoredParameter},
    references, secure_string, store_error, PARAMETER_RESOURCE,
};
use crate::input::from_input;

const BY_PATH_DEFAULT_RESULTS: usize = 10;
const HISTORY_DEFAULT_RESULTS: usize = 50;

fn not_found(name: &str) -> ApiError {
    error("ParameterNotFound", format!("Parameter {name} not found."))
}

fn version_not_found(name: &str, selector: &Selector) -> ApiError {
    let what = match selector {
        Selector::Version(v) => format!("version {v}"),
        Selector::Label(l) => format!("a version labelled {l}"),
    };
    error("ParameterVersionNotFound", format!("Systems Manager could not find {what} of {name}. Verify the version and try again."))
}

/// The value of `version` as the caller may see it.
async fn visible_value(
    peers: &Peers,
    ctx: &RequestContext,
    parameter: &StoredParameter,
    version: &ParameterVersion,
    with_decryption: bool,
) -> Result<String, ApiError> {
    if version.is_secure() && with_decryption {
        let encryption = secure_string::Encryption::for_tier(&version.tier);
        secure_string::decrypt(peers, ctx, &parameter.arn(), &version.value, encryption).await
    } else {
        Ok(version.value.clone())
    }
}

/// Where a requested name leads: one of the account's parameters, or a name resolved without
/// the store (a public parameter, a Secrets Manager reference).
enum Found {
    Stored { parameter: Arc<StoredParameter>, selector: Option<Selector> },
    Resolved(Value),
}

/// Looks `raw` (a name with an optional selector, not a secret reference) up.
async fn find(parameters: &ParameterCache, ctx: &RequestContext, raw: &str) -> Result<Option<Found>, ApiError> {
    let (name, selector) = names::parse_selected(raw);
    if public::is_public(name) {
        let found = public::find(&ctx.region, name).filter(|_| matches!(selector, None | Some(Selector::Version(1))));
        return Ok(found.map(Found::Resolved));
    }
    let Some(parameter) = parameters.load(ctx.account(), &ctx.region, name).await? else { return Ok(None) };
    Ok(Some(Found::Stored { parameter, selector }))
}

/// The Parameter output of a found name, decrypting when asked.
async fn parameter_output(peers: &Peers, ctx: &RequestContext, found: Found, with_decryption: bool) -> Result<Value, ApiError> {
    match found {
        Found::Resolved(value) => Ok(value),
        Found::Stored { parameter, selector } => {
            let version = parameter
                .select(selector.as_ref())
                .ok_or_else(|| version_not_found(&parameter.name, selector.as_ref().expect("only a selector can miss")))?;
            let value = visible_value(peers, ctx, &parameter, version, with_decryption).await?;
            Ok(parameter.parameter_output(version, &value, selector.as_ref()))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetParameterRequest {
    name: String,
    with_decryption: Option<bool>,
}

pub async fn get_parameter(parameters: &ParameterCache, peers: &Peers, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetParameterRequest = from_input(input)?;
    let with_decryption = request.with_decryption.unwrap_or(false);
    if references::is_reference(&request.name) {
        let parameter = references::resolve(peers, ctx, &request.name, with_decryption).await?;
        return Ok(Reply::new(json!({ "Parameter": parameter })));
    }
    let found = find(parameters, ctx, &request.name).await?;
    let (name, _) = names::parse_selected(&request.name);
    let found = found.ok_or_else(|| not_found(name))?;
    let arn = match &found {
        Found::Stored { parameter, .. } => Some(parameter.arn()),
        Found::Resolved(_) => None,
    };
    let parameter = parameter_output(peers, ctx, found, with_decryption).await?;
    let reply = Reply::new(json!({ "Parameter": parameter }));
    Ok(match arn {
        Some(arn) => reply.resource(PARAMETER_RESOURCE, arn),
        None => reply,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetParametersRequest {
    names: Vec<String>,
    with_decryption: Option<bool>,
}

pub async fn get_parameters(parameters: &ParameterCache, peers: &Peers, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetParametersRequest = from_input(input)?;
    let with_decryption = request.with_decryption.unwrap_or(false);
    let mut requested: Vec<String> = Vec::new();
    for name in request.names {
        if !requested.contains(&name) {
            requested.push(name);
        }
    }
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    for raw in requested.iter().filter(|r| !references::is_reference(r)) {
        match find(parameters, ctx, raw).await? {
            Some(f) => found.push((raw.clone(), f)),
            None => invalid.push(raw.clone()),
        }
    }
    let mut parameters = Vec::new();
    let mut reply_resources = Vec::new();
    for raw in requested.iter().filter(|r| references::is_reference(r)) {
        match references::resolve(peers, ctx, raw, with_decryption).await {
            Ok(parameter) => parameters.push(parameter),
            Err(e) if e.code == "ParameterNotFound" => invalid.push(raw.clone()),
            Err(e) => return Err(e),
        }
    }
    for (raw, f) in found {
        if let Found::Stored { parameter, .. } = &f {
            reply_resources.push(parameter.arn());
        }
        match parameter_output(peers, ctx, f, with_decryption).await {
            Ok(parameter) => parameters.push(parameter),
            Err(e) if e.code == "ParameterVersionNotFound" => invalid.push(raw),
            Err(e) => return Err(e),
        }
    }
    let mut reply = Reply::new(json!({ "Parameters": parameters, "InvalidParameters": invalid }));
    for arn in reply_resources {
        reply = reply.resource(PARAMETER_RESOURCE, arn);
    }
    Ok(reply)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetParametersByPathRequest {
    path: String,
    recursive: Option<bool>,
    parameter_filters: Option<Vec<RequestFilter>>,
    with_decryption: Option<bool>,
    max_results: Option<usize>,
    next_token: Option<String>,
}

pub async fn get_parameters_by_path(store: &Store, peers: &Peers, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetParametersByPathRequest = from_input(input)?;
    let path = names::validate_path(&request.path)?;
    let recursive = request.recursive.unwrap_or(false);
    let filters = filters::validate(request.parameter_filters.unwrap_or_default(), FilterUse::GetParametersByPath)?;
    let after = paging::read_token(request.next_token.as_deref())?;
    let max = request.max_results.unwrap_or(BY_PATH_DEFAULT_RESULTS);
    let with_decryption = request.with_decryption.unwrap_or(false);

    if public::is_public(&format!("{path}/")) {
        let all = public::under(&ctx.region, &path, recursive);
        let (page, token) = paging::page(all, |p| p["Name"].as_str().unwrap_or_default().to_owned(), after.as_deref(), max);
        return Ok(Reply::new(with_token(json!({ "Parameters": page }), token)));
    }

    let prefix = if path == "/" { String::new() } else { format!("{path}/") };
    let stored = {
        let mut tx = store.begin().await.map_err(store_error)?;
        record::scan(&mut tx, ctx.account(), &ctx.region, &prefix).await?
    };
    let label = filters.iter().find_map(|f| f.label().map(<[String]>::to_vec));
    let selected: Vec<(StoredParameter, u64)> = stored
        .into_iter()
        .filter(|p| names::is_under(&p.name, &path, recursive))
        .filter_map(|p| {
            let version = match &label {
                Some(labels) => p.versions.iter().find(|v| v.labels.iter().any(|l| labels.contains(l)))?,
                None => p.current(),
            };
            let keep = filters.iter().all(|f| f.matches(&p, version));
            let number = version.version;
            keep.then_some((p, number))
        })
        .collect();
    let (page, token) = paging::page(selected, |(p, _)| p.name.clone(), after.as_deref(), max);
    let mut parameters = Vec::with_capacity(page.len());
    for (parameter, number) in &page {
        let version = parameter.version(*number).expect("the version was just selected");
        let value = visible_value(peers, ctx, parameter, version, with_decryption).await?;
        let selector = label.as_ref().and_then(|_| version.labels.first().map(|l| Selector::Label(l.clone())));
        parameters.push(parameter.parameter_output(version, &value, selector.as_ref()));
    }
    let arn = names::parameter_arn(&ctx.region, ctx.account(), &path);
    Ok(Reply::new(with_token(json!({ "Parameters": parameters }), token)).resource(PARAMETER_RESOURCE, arn))
}

fn with_token(mut out: Value, token: Option<String>) -> Value {
    if let Some(token) = token {
        out["NextToken"] = json!(token);
    }
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetParameterHistoryRequest {
    name: String,
    with_decryption: Option<bool>,
    max_results: Option<usize>,
    next_token: Option<String>,
}

pub async fn get_parameter_history(store: &Store, peers: &Peers, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetParameterHistoryRequest = from_input(input)?;
    let with_decryption = request.with_decryption.unwrap_or(false);
    let after = paging::read_token(request.next_token.as_deref())?;
    let parameter = {
        let mut tx = store.begin().await.map_err(store_error)?;
        record::load(&mut tx, ctx.account(), &ctx.region, &request.name).await?
    }
    .ok_or_else(|| not_found(&request.name))?;
    let max = request.max_results.unwrap_or(HISTORY_DEFAULT_RESULTS);
    let versions: Vec<&ParameterVersion> = parameter.versions.iter().collect();
    let (page, token) = paging::page(versions, |v| format!("{:020}", v.version), after.as_deref(), max);
    let mut entries = Vec::with_capacity(page.len());
    for version in page {
        let value = visible_value(peers, ctx, &parameter, version, with_decryption).await?;
        entries.push(parameter.history_entry(version, &value));
    }
    Ok(Reply::new(with_token(json!({ "Parameters": entries }), token)).resource(PARAMETER_RESOURCE, parameter.arn()))
}
