//! CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, DeleteFunction,
//! UpdateFunctionCode and UpdateFunctionConfiguration.

use std::collections::BTreeMap;

use base64::Engine as _;
use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    builtin, error,
    records::{self, FunctionRef, StoredFunction, CODE, FUNCTIONS},
    store_error, Engine,
};
use crate::input::{required, text};

const DEFAULT_TIMEOUT_SECONDS: u64 = 3;
const MAX_TIMEOUT_SECONDS: u64 = 900;
const DEFAULT_MEMORY_MB: u64 = 128;
const MAX_ENVIRONMENT_BYTES: usize = 4096;
const DEFAULT_LIST_ITEMS: usize = 50;
/// Variables Lambda sets itself; a function may not define them.
const RESERVED_VARIABLES: [&str; 18] = [
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

fn invalid(message: impl Into<String>) -> ApiError {
    error("InvalidParameterValueException", message)
}

/// The runtimes Palisade can run: Python through the configured interpreter, and custom
/// runtimes through the package's `bootstrap`.
pub fn runtime_kind(runtime: &str) -> Option<functions::RuntimeKind> {
    if runtime.starts_with("python3.") {
        Some(functions::RuntimeKind::Python)
    } else if runtime.starts_with("provided") {
        Some(functions::RuntimeKind::Provided)
    } else {
        None
    }
}

fn check_runtime(runtime: &str) -> Result<(), ApiError> {
    match runtime_kind(runtime) {
        Some(_) => Ok(()),
        None => Err(invalid(format!(
            "The runtime parameter of {runtime} is not supported by Palisade; functions run as python3.x or provided.al2023."
        ))),
    }
}

fn check_timeout(timeout: u64) -> Result<(), ApiError> {
    if timeout == 0 || timeout > MAX_TIMEOUT_SECONDS {
        return Err(invalid(format!(
            "1 validation error detected: Value '{timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to {MAX_TIMEOUT_SECONDS}"
        )));
    }
    Ok(())
}

fn check_memory(memory: u64) -> Result<(), ApiError> {
    if !(128..=10240).contains(&memory) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{memory}' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"
        )));
    }
    Ok(())
}

/// `Environment.Variables` of the input, checked as Lambda checks them.
fn environment_of(input: &Value) -> Result<Option<BTreeMap<String, String>>, ApiError> {
    let Some(variables) = input.get("Environment").map(|e| e.get("Variables").cloned().unwrap_or(json!({}))) else {
        return Ok(None);
    };
    let variables: BTreeMap<String, String> = variables
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default();
    let reserved: Vec<&str> = variables.keys().map(String::as_str).filter(|k| RESERVED_VARIABLES.contains(k)).collect();
    if !reserved.is_empty() {
        return Err(invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}",
            reserved.join(", ")
        )));
    }
    let size = serde_json::to_string(&variables).map_or(0, |s| s.len());
    if size > MAX_ENVIRONMENT_BYTES {
        return Err(invalid(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.",
        ));
    }
    Ok(Some(variables))
}

/// The zip of a `Code` structure or an UpdateFunctionCode input, checked to unpack.
fn zip_of(code: &Value) -> Result<Vec<u8>, ApiError> {
    if code.get("S3Bucket").is_some() || code.get("ImageUri").is_some() {
        return Err(invalid("Palisade takes function code as ZipFile only: S3 and container images are not served."));
    }
    let encoded = code.get("ZipFile").and_then(Value::as_str).ok_or_else(|| invalid("Please provide a source for function code."))?;
    let zip = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| invalid("Could not unzip uploaded file. Please check your file, then try to upload again."))?;
    functions::zip::check(&zip).map_err(|e| match e {
        functions::zip::ZipError::TooLarge => invalid(format!("Unzipped size must be smaller than {} bytes", functions::zip::MAX_UNZIPPED_BYTES)),
        _ => invalid("Could not unzip uploaded file. Please check your file, then try to upload again."),
    })?;
    Ok(zip)
}

fn refuse_builtin(function: &StoredFunction) -> Result<(), ApiError> {
    if function.builtin {
        return Err(invalid(format!("{} is a Palisade built-in function and cannot be changed or deleted.", function.name)));
    }
    Ok(())
}

fn check_revision(function: &StoredFunction, input: &Value) -> Result<(), ApiError> {
    match text(input, "RevisionId") {
        Some(revision) if revision != function.revision_id => Err(error(
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        )),
        _ => Ok(()),
    }
}

fn tags_of(input: &Value) -> BTreeMap<String, String> {
    input
        .get("Tags")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default()
}

pub async fn create_function(engine: &Engine, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let reference = FunctionRef::parse(required(&input, "FunctionName")?, ctx.account(), &ctx.region)?;
    let (runtime, handler) = match (text(&input, "Runtime"), text(&input, "Handler")) {
        (Some(runtime), Some(handler)) => (runtime.to_owned(), handler.to_owned()),
        _ => return Err(invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")),
    };
    check_runtime(&runtime)?;
    let timeout = input.get("Timeout").and_then(Value::as_u64).unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    check_timeout(timeout)?;
    let memory_size = input.get("MemorySize").and_then(Value::as_u64).unwrap_or(DEFAULT_MEMORY_MB);
    check_memory(memory_size)?;
    let environment = environment_of(&input)?.unwrap_or_default();
    let zip = zip_of(&input["Code"])?;
    let role = required(&input, "Role")?.to_owned();
    if builtin::function(&reference.account, &reference.region, &reference.name).is_some() {
        return Err(error("ResourceConflictException", format!("Function already exist: {}", reference.name)));
    }
    let function = StoredFunction {
        name: reference.name.clone(),
        account: reference.account.clone(),
        region: reference.region.clone(),
        runtime,
        role,
        handler,
        description: text(&input, "Description").unwrap_or_default().to_owned(),
        timeout,
        memory_size,
        environment,
        code_sha256: records::code_sha256(&zip),
        code_size: zip.len() as u64,
        last_modified: ctx.time,
        revision_id: records::revision_id(),
        tags: tags_of(&input),
        policy: None,
        builtin: false,
    };
    // Lambda checks it can assume the role before the function exists.
    engine.credentials_for(ctx, &function).await?;
    let mut tx = engine.store.begin().await.map_err(store_error)?;
    let key = records::function_key(&function.account, &function.region, &function.name);
    if tx.get(FUNCTIONS, &key).await.map_err(store_error)?.is_some() {
        return Err(error("ResourceConflictException", format!("Function already exist: {}", function.name)));
    }
    records::save(&mut tx, &function).await?;
    records::save_code(&mut tx, &function, &zip).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(function.configuration()).resource("AWS::Lambda::Function", function.arn()))
}

async fn load_named(store: &Store, ctx: &RequestContext, input: &Value) -> Result<StoredFunction, ApiError> {
    let mut reference = FunctionRef::parse(required(input, "FunctionName")?, ctx.account(), &ctx.region)?;
    if let Some(qualifier) = text(input, "Qualifier") {
        reference.qualifier = Some(qualifier.to_owned());
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    records::load(&mut tx, &reference).await
}

pub async fn get_function(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let function = load_named(store, ctx, &input).await?;
    let mut output = json!({
        "Configuration": function.configuration(),
        "Code": { "RepositoryType": "S3" },
    });
    if !function.tags.is_empty() {
        output["Tags"] = json!(function.tags);
    }
    Ok(Reply::new(output))
}

pub async fn get_function_configuration(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    Ok(Reply::new(load_named(store, ctx, &input).await?.configuration()))
}

pub async fn list_functions(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let max_items = input.get("MaxItems").and_then(Value::as_u64).map_or(DEFAULT_LIST_ITEMS, |n| n.clamp(1, 10_000) as usize);
    let marker = text(&input, "Marker");
    let scope = records::function_key(ctx.account(), &ctx.region, "");
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut functions = builtin::all(ctx.account(), &ctx.region);
    let mut cursor: Option<String> = None;
    loop {
        let page = tx.scan(FUNCTIONS, &scope, cursor.as_deref(), 500).await.map_err(store_error)?;
        let Some((last, _)) = page.last() else { break };
        cursor = Some(last.clone());
        let full = page.len() == 500;
        for (_, value) in page {
            functions.push(serde_json::from_value(value).map_err(|e| ApiError::internal(e.to_string()))?);
        }
        if !full {
            break;
        }
    }
    drop(tx);
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    let listed: Vec<&StoredFunction> = functions.iter().filter(|f| marker.is_none_or(|m| f.name.as_str() > m)).collect();
    let page: Vec<Value> = listed.iter().take(max_items).map(|f| f.configuration()).collect();
    let mut output = json!({ "Functions": page });
    if listed.len() > max_items {
        output["NextMarker"] = json!(listed[max_items - 1].name);
    }
    Ok(Reply::new(output))
}

pub async fn delete_function(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let function = load_named(store, ctx, &input).await?;
    refuse_builtin(&function)?;
    let key = records::function_key(&function.account, &function.region, &function.name);
    let mut tx = store.begin().await.map_err(store_error)?;
    tx.delete(FUNCTIONS, &key).await.map_err(store_error)?;
    tx.delete(CODE, &key).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "StatusCode": 204 })).resource("AWS::Lambda::Function", function.arn()))
}

pub async fn update_function_code(engine: &Engine, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut function = load_named(&engine.store, ctx, &input).await?;
    refuse_builtin(&function)?;
    check_revision(&function, &input)?;
    let zip = zip_of(&input)?;
    function.code_sha256 = records::code_sha256(&zip);
    function.code_size = zip.len() as u64;
    if input.get("DryRun").and_then(Value::as_bool) == Some(true) {
        return Ok(Reply::new(function.configuration()));
    }
    function.last_modified = ctx.time;
    function.revision_id = records::revision_id();
    let mut tx = engine.store.begin().await.map_err(store_error)?;
    records::save(&mut tx, &function).await?;
    records::save_code(&mut tx, &function, &zip).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(function.configuration()).resource("AWS::Lambda::Function", function.arn()))
}

pub async fn update_function_configuration(engine: &Engine, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut function = load_named(&engine.store, ctx, &input).await?;
    refuse_builtin(&function)?;
    check_revision(&function, &input)?;
    if let Some(runtime) = text(&input, "Runtime") {
        check_runtime(runtime)?;
        function.runtime = runtime.to_owned();
    }
    if let Some(handler) = text(&input, "Handler") {
        function.handler = handler.to_owned();
    }
    if let Some(description) = text(&input, "Description") {
        function.description = description.to_owned();
    }
    if let Some(timeout) = input.get("Timeout").and_then(Value::as_u64) {
        check_timeout(timeout)?;
        function.timeout = timeout;
    }
    if let Some(memory) = input.get("MemorySize").and_then(Value::as_u64) {
        check_memory(memory)?;
        function.memory_size = memory;
    }
    if let Some(environment) = environment_of(&input)? {
        function.environment = environment;
    }
    if let Some(role) = text(&input, "Role") {
        function.role = role.to_owned();
        engine.credentials_for(ctx, &function).await?;
    }
    function.last_modified = ctx.time;
    function.revision_id = records::revision_id();
    let mut tx = engine.store.begin().await.map_err(store_error)?;
    records::save(&mut tx, &function).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(function.configuration()).resource("AWS::Lambda::Function", function.arn()))
}
