//! AWS Secrets Manager: secrets with versions and staging labels, their values sealed by
//! envelope encryption under the secret's KMS key (KMS is called through the pipeline with the
//! caller's identity, as AWS does), resource policies, scheduled deletion, replicas in other
//! Regions and rotation by a Lambda function.

mod conditions;
mod deletion;
mod envelope;
mod list;
mod random_password;
mod replication;
mod resource_policies;
mod rotation;
mod schedule;
mod secret_record;
mod secret_ref;
mod secrets;
mod stages;
mod tags;
mod values;

pub use conditions::condition_keys;
pub use deletion::DELETE_JOB;
pub use replication::SYNC_JOB;
pub use resource_policies::policy_target;
pub use rotation::ROTATE_JOB;

use std::sync::Arc;

use gateway::{Peers, RequestContext, Service, ServiceFuture};
use serde_json::Value;
use store::{Clock, Job, Sealer, Store};
use wire::ApiError;

/// The service principal Secrets Manager acts as, and names in CloudTrail's `invokedBy`.
const SERVICE_PRINCIPAL: &str = "secretsmanager.amazonaws.com";

pub struct SecretsManager {
    store: Store,
    sealer: Arc<Sealer>,
    peers: Peers,
    secrets: secret_record::SecretCache,
}

impl SecretsManager {
    pub fn new(store: Store, sealer: Arc<Sealer>, peers: Peers) -> Self {
        SecretsManager { secrets: secret_record::SecretCache::new(store.clone()), store, sealer, peers }
    }
}

impl Service for SecretsManager {
    fn id(&self) -> &'static str {
        "secretsmanager"
    }

    fn call<'a>(&'a self, ctx: &'a RequestContext, input: Value) -> Option<ServiceFuture<'a>> {
        Some(match ctx.operation {
            "CreateSecret" => Box::pin(secrets::create_secret(self, ctx, input)),
            "UpdateSecret" => Box::pin(secrets::update_secret(self, ctx, input)),
            "DescribeSecret" => Box::pin(secrets::describe_secret(self, ctx, input)),
            "GetSecretValue" => Box::pin(values::get_secret_value(self, ctx, input)),
            "BatchGetSecretValue" => Box::pin(values::batch_get_secret_value(self, ctx, input)),
            "PutSecretValue" => Box::pin(values::put_secret_value(self, ctx, input)),
            "ListSecretVersionIds" => Box::pin(values::list_secret_version_ids(self, ctx, input)),
            "UpdateSecretVersionStage" => Box::pin(values::update_secret_version_stage(self, ctx, input)),
            "ListSecrets" => Box::pin(list::list_secrets(self, ctx, input)),
            "DeleteSecret" => Box::pin(deletion::delete_secret(self, ctx, input)),
            "RestoreSecret" => Box::pin(deletion::restore_secret(self, ctx, input)),
            "TagResource" => Box::pin(tags::tag_resource(self, ctx, input)),
            "UntagResource" => Box::pin(tags::untag_resource(self, ctx, input)),
            "GetRandomPassword" => Box::pin(random_password::get_random_password(input)),
            "PutResourcePolicy" => Box::pin(resource_policies::put_resource_policy(self, ctx, input)),
            "GetResourcePolicy" => Box::pin(resource_policies::get_resource_policy(self, ctx, input)),
            "DeleteResourcePolicy" => Box::pin(resource_policies::delete_resource_policy(self, ctx, input)),
            "ValidateResourcePolicy" => Box::pin(resource_policies::validate_resource_policy(self, ctx, input)),
            "ReplicateSecretToRegions" => Box::pin(replication::replicate_secret_to_regions(self, ctx, input)),
            "RemoveRegionsFromReplication" => Box::pin(replication::remove_regions_from_replication(self, ctx, input)),
            "StopReplicationToReplica" => Box::pin(replication::stop_replication_to_replica(self, ctx, input)),
            "RotateSecret" => Box::pin(rotation::rotate_secret(self, ctx, input)),
            "CancelRotateSecret" => Box::pin(rotation::cancel_rotate_secret(self, ctx, input)),
            _ => return None,
        })
    }

    /// The secret a request names, as an ARN: a full ARN as given, a name (or partial ARN) as
    /// `...:secret:<name>`, which the authorizer resolves to the secret's real ARN with
    /// [`policy_target`]. CreateSecret names the secret it would create, whose random suffix is
    /// not drawn yet: `<name>-??????` matches the patterns policies write for it (`<name>-*`,
    /// `<name>-??????`, `prod/*`).
    fn resources(&self, ctx: &RequestContext, input: &Value) -> Vec<String> {
        let text = |name: &str| input.get(name).and_then(Value::as_str);
        if ctx.operation == "CreateSecret" {
            return match text("Name") {
                Some(name) => vec![ctx.arn("secretsmanager", &format!("secret:{name}-??????"))],
                None => vec!["*".to_owned()],
            };
        }
        match text("SecretId") {
            Some(id) => vec![secret_ref::policy_arn(ctx, id)],
            None => vec!["*".to_owned()],
        }
    }
}

/// Runs one of Secrets Manager's jobs: deletions at the end of their recovery window, replica
/// synchronisation and rotations (which invoke Lambda through `peers`).
pub async fn run_job(store: &Store, clock: &Clock, sealer: &Arc<Sealer>, peers: &Peers, job: &Job) -> Result<(), String> {
    let service = SecretsManager::new(store.clone(), sealer.clone(), peers.clone());
    match job.kind.as_str() {
        DELETE_JOB => deletion::run_job(&service, clock.now(), &job.payload).await,
        SYNC_JOB => replication::run_job(&service, clock.now(), &job.payload).await,
        ROTATE_JOB => rotation::run_job(&service, clock.now(), &job.payload).await,
        other => Err(format!("Secrets Manager runs no jobs of kind {other}")),
    }
}

/// Secrets Manager's modeled error `shape` with `message`.
fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("secretsmanager", shape, message)
}

fn invalid_request(message: impl Into<String>) -> ApiError {
    error("InvalidRequestException", message)
}

fn invalid_parameter(message: impl Into<String>) -> ApiError {
    error("InvalidParameterException", message)
}

/// A store failure (with PostgreSQL, also a serialization conflict with a concurrent change) is
/// Secrets Manager's InternalServiceError, which SDKs retry.
fn store_error(e: store::StoreError) -> ApiError {
    error("InternalServiceError", format!("Secrets Manager could not reach its store: {e}"))
}

/// A random version id, a UUID as AWS's are.
fn new_uuid() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}
