//! DeleteParameter and DeleteParameters: a parameter goes with all its versions, labels, tags
//! and pending policy actions.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{error, policies, record, store_error, PARAMETER_RESOURCE};
use crate::input::from_input;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteParameterRequest {
    name: String,
}

pub async fn delete_parameter(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteParameterRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let parameter = record::load(&mut tx, ctx.account(), &ctx.region, &request.name)
        .await?
        .ok_or_else(|| error("ParameterNotFound", format!("Parameter {} not found.", request.name)))?;
    record::delete(&mut tx, ctx.account(), &ctx.region, &request.name).await?;
    tx.commit().await.map_err(store_error)?;
    policies::unschedule(store, &parameter).await?;
    Ok(Reply::new(json!({})).resource(PARAMETER_RESOURCE, parameter.arn()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteParametersRequest {
    names: Vec<String>,
}

pub async fn delete_parameters(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DeleteParametersRequest = from_input(input)?;
    let mut deleted: Vec<record::StoredParameter> = Vec::new();
    let mut invalid: Vec<String> = Vec::new();
    let mut tx = store.begin().await.map_err(store_error)?;
    for name in request.names {
        if deleted.iter().any(|p| p.name == name) || invalid.contains(&name) {
            continue;
        }
        match record::load(&mut tx, ctx.account(), &ctx.region, &name).await? {
            Some(parameter) => {
                record::delete(&mut tx, ctx.account(), &ctx.region, &name).await?;
                deleted.push(parameter);
            }
            None => invalid.push(name),
        }
    }
    tx.commit().await.map_err(store_error)?;
    let mut reply = Reply::new(json!({
        "DeletedParameters": deleted.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        "InvalidParameters": invalid,
    }));
    for parameter in &deleted {
        policies::unschedule(store, parameter).await?;
        reply = reply.resource(PARAMETER_RESOURCE, parameter.arn());
    }
    Ok(reply)
}
