//! AWS Lambda, the part rotation and automation need: functions from zip packages run as local
//! processes (the `functions` crate) with their execution role's temporary credentials,
//! synchronous and asynchronous invocation, resource policies, and the output in CloudWatch
//! Logs. Palisade's built-in Secrets Manager rotation functions exist in every account.

pub mod builtin;
mod execution_role;
mod functions;
mod invoke;
mod permissions;
mod records;

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, Mutex},
};

use ::functions::{RunAs, Runner, RunnerSettings};
use gateway::{Peers, RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::Store;
use wire::ApiError;

use execution_role::RoleCredentials;
use records::FunctionRef;

/// This process's directory for unpacked code and invocations is this prefix and its pid.
const WORK_ROOT_PREFIX: &str = "palisade-functions-";

/// How this server runs functions.
#[derive(Debug, Clone)]
pub struct FunctionSettings {
    /// The interpreter of `python3.x` functions; it must be able to import boto3.
    pub python: PathBuf,
    /// Where functions reach Palisade: their `AWS_ENDPOINT_URL`.
    pub endpoint: String,
}

impl FunctionSettings {
    /// Settings for a server listening on `host:port`; a wildcard address is reached on loopback.
    pub fn new(host: &str, port: u16, python: PathBuf) -> FunctionSettings {
        let host = match host {
            "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
            other => other,
        };
        let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_owned() };
        FunctionSettings { python, endpoint: format!("http://{host}:{port}") }
    }
}

/// What the operations share: the store, the pipeline for calls to STS and IAM, the runner and
/// the execution roles' sessions.
pub struct Engine {
    store: Store,
    peers: Peers,
    runner: Runner,
    endpoint: String,
    sessions: Mutex<HashMap<String, RoleCredentials>>,
}

pub struct Lambda {
    engine: Arc<Engine>,
}

impl Lambda {
    pub fn new(store: Store, peers: Peers, settings: &FunctionSettings) -> Self {
        ::functions::remove_abandoned_work_roots(&std::env::temp_dir(), WORK_ROOT_PREFIX);
        let runner = Runner::new(RunnerSettings {
            python: settings.python.clone(),
            work_root: std::env::temp_dir().join(format!("{WORK_ROOT_PREFIX}{}", std::process::id())),
            run_as: RunAs::nobody_if_root(),
        });
        Lambda {
            engine: Arc::new(Engine { store, peers, runner, endpoint: settings.endpoint.clone(), sessions: Mutex::default() }),
        }
    }
}

impl Service for Lambda {
    fn id(&self) -> &'static str {
        "lambda"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        let engine = &self.engine;
        let store = &engine.store;
        Some(match ctx.operation {
            "CreateFunction" => Box::pin(functions::create_function(engine, ctx, input)),
            "GetFunction" => Box::pin(functions::get_function(store, ctx, input)),
            "GetFunctionConfiguration" => Box::pin(functions::get_function_configuration(store, ctx, input)),
            "ListFunctions" => Box::pin(functions::list_functions(store, ctx, input)),
            "DeleteFunction" => Box::pin(functions::delete_function(store, ctx, input)),
            "UpdateFunctionCode" => Box::pin(functions::update_function_code(engine, ctx, input)),
            "UpdateFunctionConfiguration" => Box::pin(functions::update_function_configuration(engine, ctx, input)),
            "AddPermission" => Box::pin(permissions::add_permission(store, ctx, input)),
            "RemovePermission" => Box::pin(permissions::remove_permission(store, ctx, input)),
            "GetPolicy" => Box::pin(permissions::get_policy(store, ctx, input)),
            "Invoke" => Box::pin(invoke::invoke(engine, ctx, input)),
            _ => return None,
        })
    }

    /// The function a request names, by its unqualified ARN; `*` for ListFunctions.
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let named = input.get("FunctionName").and_then(Value::as_str);
        let arn = named.and_then(|name| FunctionRef::parse(name, ctx.account(), &ctx.region).ok()).map(|r| r.arn());
        vec![arn.unwrap_or_else(|| "*".to_owned())]
    }
}

/// The resource-based policy of the function `arn` names (its AddPermission statements), for
/// the authorizer to judge calls on the function with; `None` when it has none.
pub async fn function_policy(store: &Store, arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    let region = arn.split(':').nth(3)?;
    let reference = FunctionRef::parse(arn, account, region).ok()?;
    let mut tx = store.begin().await.ok()?;
    records::load(&mut tx, &reference).await.ok()?.policy
}

/// Lambda's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("lambda", shape, message)
}

fn store_error(e: store::StoreError) -> ApiError {
    ApiError::internal(format!("Lambda could not reach its store: {e}"))
}
