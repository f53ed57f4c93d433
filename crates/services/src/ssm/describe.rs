//! DescribeParameters: the account's parameters' metadata (never their values), filtered by
//! ParameterFilters or the older Filters.

use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    error,
    filters::{self, FilterUse, LegacyFilter, RequestFilter},
    paging, record, store_error,
};
use crate::input::from_input;

const DEFAULT_RESULTS: usize = 50;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeParametersRequest {
    filters: Option<Vec<LegacyFilter>>,
    parameter_filters: Option<Vec<RequestFilter>>,
    max_results: Option<usize>,
    next_token: Option<String>,
    shared: Option<bool>,
}

pub async fn describe_parameters(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: DescribeParametersRequest = from_input(input)?;
    let filters = match (request.filters, request.parameter_filters) {
        (Some(_), Some(_)) => {
            return Err(error("ValidationException", "You can use either Filters or ParameterFilters in a single request, but not both."));
        }
        (Some(legacy), None) => filters::from_legacy(legacy)?,
        (None, Some(filters)) => filters::validate(filters, FilterUse::DescribeParameters)?,
        (None, None) => Vec::new(),
    };
    let after = paging::read_token(request.next_token.as_deref())?;
    // Parameters shared with this account through AWS RAM: Palisade shares none.
    if request.shared.unwrap_or(false) {
        return Ok(Reply::new(json!({ "Parameters": [] })));
    }
    let stored = {
        let mut tx = store.begin().await.map_err(store_error)?;
        record::scan(&mut tx, ctx.account(), &ctx.region, "").await?
    };
    let matching: Vec<record::StoredParameter> =
        stored.into_iter().filter(|p| filters.iter().all(|f| f.matches(p, p.current()))).collect();
    let (page, token) = paging::page(matching, |p| p.name.clone(), after.as_deref(), request.max_results.unwrap_or(DEFAULT_RESULTS));
    let mut out = json!({ "Parameters": page.iter().map(record::StoredParameter::metadata).collect::<Vec<_>>() });
    if let Some(token) = token {
        out["NextToken"] = json!(token);
    }
    Ok(Reply::new(out))
}
