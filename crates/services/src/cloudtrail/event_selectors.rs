//! PutEventSelectors and GetEventSelectors: which events a trail logs.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    error, store_error,
    trails::{default_event_selectors, find_trail, require_home_region, save_trail},
};
use crate::input::from_input;

/// CloudTrail's limits: five basic selectors per trail, 250 data resource values across them.
const MAX_EVENT_SELECTORS: usize = 5;
const MAX_DATA_RESOURCE_VALUES: usize = 250;
const DATA_RESOURCE_TYPES: &[&str] = &["AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table"];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutEventSelectorsRequest {
    trail_name: String,
    event_selectors: Option<Vec<Value>>,
    advanced_event_selectors: Option<Vec<Value>>,
}

fn check_event_selectors(selectors: &[Value]) -> Result<(), ApiError> {
    let invalid = |message: String| Err(error("InvalidEventSelectorsException", message));
    if selectors.is_empty() || selectors.len() > MAX_EVENT_SELECTORS {
        return invalid(format!("A trail can have 1 to {MAX_EVENT_SELECTORS} event selectors; {} were given.", selectors.len()));
    }
    let mut values = 0;
    for selector in selectors {
        for resource in selector["DataResources"].as_array().into_iter().flatten() {
            let kind = resource["Type"].as_str().unwrap_or_default();
            if !DATA_RESOURCE_TYPES.contains(&kind) {
                return invalid(format!("Invalid DataResource type: {kind}. Valid types are {}.", DATA_RESOURCE_TYPES.join(", ")));
            }
            values += resource["Values"].as_array().map_or(0, Vec::len);
        }
    }
    if values > MAX_DATA_RESOURCE_VALUES {
        return invalid(format!("A trail can have at most {MAX_DATA_RESOURCE_VALUES} data resource values; {values} were given."));
    }
    Ok(())
}

pub async fn put_event_selectors(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: PutEventSelectorsRequest = from_input(input)?;
    match (&request.event_selectors, &request.advanced_event_selectors) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(error(
                "InvalidParameterCombinationException",
                "Specify either EventSelectors or AdvancedEventSelectors, but not both.",
            ))
        }
        (Some(selectors), None) => check_event_selectors(selectors)?,
        (None, Some(_)) => {}
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut trail = find_trail(&mut tx, ctx, &request.trail_name).await?;
    require_home_region(ctx, &trail)?;
    trail.event_selectors = request.event_selectors;
    trail.advanced_event_selectors = request.advanced_event_selectors;
    save_trail(&mut tx, &trail).await?;
    tx.commit().await.map_err(store_error)?;
    let mut output = json!({ "TrailARN": trail.trail_arn });
    if let Some(s) = &trail.event_selectors {
        output["EventSelectors"] = json!(s);
    }
    if let Some(s) = &trail.advanced_event_selectors {
        output["AdvancedEventSelectors"] = json!(s);
    }
    Ok(Reply::new(output).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetEventSelectorsRequest {
    trail_name: String,
}

pub async fn get_event_selectors(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: GetEventSelectorsRequest = from_input(input)?;
    let mut tx = store.begin().await.map_err(store_error)?;
    let trail = find_trail(&mut tx, ctx, &request.trail_name).await?;
    let output = match (&trail.event_selectors, &trail.advanced_event_selectors) {
        (_, Some(advanced)) => json!({ "TrailARN": trail.trail_arn, "AdvancedEventSelectors": advanced }),
        (Some(selectors), None) => json!({ "TrailARN": trail.trail_arn, "EventSelectors": selectors }),
        (None, None) => json!({ "TrailARN": trail.trail_arn, "EventSelectors": default_event_selectors() }),
    };
    Ok(Reply::new(output).resource("AWS::CloudTrail::Trail", trail.trail_arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_data_resource_types_are_refused() {
        let selectors = vec![json!({"DataResources": [{"Type": "AWS::EC2::Instance", "Values": []}]})];
        assert_eq!(check_event_selectors(&selectors).unwrap_err().code, "InvalidEventSelectorsException");
    }

    #[test]
    fn more_than_five_selectors_are_refused() {
        let selectors = vec![json!({"ReadWriteType": "All"}); 6];
        assert!(check_event_selectors(&selectors).is_err());
        assert!(check_event_selectors(&selectors[..5]).is_ok());
    }
}
