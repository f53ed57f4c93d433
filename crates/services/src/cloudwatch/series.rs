//! Metrics as series of data points: a series is a namespace, a metric name and a set of
//! dimensions; each data point is a statistic set (count, sum, minimum, maximum) at a time.

use std::collections::{BTreeMap, HashMap};

use gateway::{Reply, RequestContext};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::{Store, Txn};
use wire::ApiError;

use super::{error, store_error};
use crate::wafv2::MetricKey;

const SERIES: &str = "cloudwatch.series";
const POINTS: &str = "cloudwatch.point";
/// AWS's limits: 30 dimensions per metric, 1,000 data per PutMetricData.
const MAX_DIMENSIONS: usize = 30;
/// Data points older than two weeks or more than two hours ahead are refused, as AWS does.
const MAX_AGE_SECONDS: f64 = 14.0 * 86_400.0;
const MAX_AHEAD_SECONDS: f64 = 2.0 * 3_600.0;

/// One series: what ListMetrics shows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub namespace: String,
    pub metric_name: String,
    /// Dimensions by name (a metric's dimensions are a set).
    pub dimensions: BTreeMap<String, String>,
    pub last_seen: f64,
}

impl Series {
    pub fn id(&self) -> String {
        series_id(&self.namespace, &self.metric_name, &self.dimensions)
    }

    pub fn view(&self) -> Value {
        let dimensions: Vec<Value> = self.dimensions.iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect();
        json!({ "Namespace": self.namespace, "MetricName": self.metric_name, "Dimensions": dimensions })
    }
}

/// A statistic set at a time (epoch seconds).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Point {
    pub time: f64,
    pub count: f64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

pub fn series_id(namespace: &str, metric_name: &str, dimensions: &BTreeMap<String, String>) -> String {
    let canonical = serde_json::to_string(&(namespace, metric_name, dimensions)).unwrap_or_default();
    let digest = Sha256::digest(canonical.as_bytes());
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn series_key(account: &str, region: &str, id: &str) -> String {
    format!("{account}/{region}/{id}")
}

/// Points sort by time within a series: fixed-width milliseconds, then a sequence.
fn point_key(account: &str, region: &str, id: &str, time: f64, sequence: usize) -> String {
    format!("{account}/{region}/{id}/{:016}/{sequence:06}", (time * 1000.0).max(0.0) as u64)
}

pub fn dimensions_of(value: Option<&Value>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut dimensions = BTreeMap::new();
    for dimension in value.and_then(Value::as_array).into_iter().flatten() {
        let name = dimension.get("Name").and_then(Value::as_str).unwrap_or_default();
        let value = dimension.get("Value").and_then(Value::as_str).unwrap_or_default();
        if dimensions.insert(name.to_owned(), value.to_owned()).is_some() {
            return Err(error("InvalidParameterValueException", format!("No metric may have duplicate dimension names: {name}")));
        }
    }
    if dimensions.len() > MAX_DIMENSIONS {
        return Err(error("InvalidParameterValueException", format!("The collection Dimensions must not have a size greater than {MAX_DIMENSIONS}.")));
    }
    Ok(dimensions)
}

/// Adds points to a series, creating it if new.
async fn add_points(tx: &mut Txn, account: &str, region: &str, series: Series, points: &[Point]) -> Result<(), ApiError> {
    let id = series.id();
    let key = series_key(account, region, &id);
    let last_seen = points.iter().map(|p| p.time).fold(series.last_seen, f64::max);
    let stored: Option<Series> = tx.get(SERIES, &key).await.map_err(store_error)?.and_then(|v| serde_json::from_value(v).ok());
    let last_seen = stored.map_or(last_seen, |s| s.last_seen.max(last_seen));
    let series = Series { last_seen, ..series };
    tx.put(SERIES, &key, &serde_json::to_value(&series).map_err(|e| ApiError::internal(e.to_string()))?).await.map_err(store_error)?;
    for point in points {
        // The sequence keeps points of the same millisecond apart.
        let existing = tx.scan(POINTS, &point_key(account, region, &id, point.time, 0)[..key.len() + 18], None, usize::MAX).await.map_err(store_error)?;
        let value = serde_json::to_value(point).map_err(|e| ApiError::internal(e.to_string()))?;
        tx.put(POINTS, &point_key(account, region, &id, point.time, existing.len()), &value).await.map_err(store_error)?;
    }
    Ok(())
}

/// The points of a series in `[start, end)`.
pub async fn points_between(tx: &mut Txn, account: &str, region: &str, id: &str, start: f64, end: f64) -> Result<Vec<Point>, ApiError> {
    let prefix = format!("{}/", series_key(account, region, id));
    let from = point_key(account, region, id, start, 0);
    let rows = tx.scan(POINTS, &prefix, Some(&from), usize::MAX).await.map_err(store_error)?;
    Ok(rows.into_iter().filter_map(|(_, v)| serde_json::from_value::<Point>(v).ok()).filter(|p| p.time >= start && p.time < end).collect())
}

/// The statistic set a datum describes: a value, values with counts, or a statistic set.
fn datum_point(datum: &Value, time: f64) -> Result<Vec<Point>, ApiError> {
    if let Some(set) = datum.get("StatisticValues") {
        let number = |name: &str| set.get(name).and_then(Value::as_f64).unwrap_or(0.0);
        return Ok(vec![Point { time, count: number("SampleCount"), sum: number("Sum"), min: number("Minimum"), max: number("Maximum") }]);
    }
    if let Some(value) = datum.get("Value").and_then(Value::as_f64) {
        return Ok(vec![Point { time, count: 1.0, sum: value, min: value, max: value }]);
    }
    let values: Vec<f64> = datum.get("Values").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_f64).collect();
    let counts: Vec<f64> = datum.get("Counts").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_f64).collect();
    if !counts.is_empty() && counts.len() != values.len() {
        return Err(error("InvalidParameterValueException", "The Values and Counts arrays must be of the same size."));
    }
    if values.is_empty() {
        return Err(error("MissingRequiredParameterException", "A metric datum needs Value, Values or StatisticValues."));
    }
    Ok(values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let count = counts.get(i).copied().unwrap_or(1.0);
            Point { time, count, sum: v * count, min: *v, max: *v }
        })
        .collect())
}

pub async fn put_metric_data(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let namespace = input.get("Namespace").and_then(Value::as_str).unwrap_or_default().to_owned();
    if namespace.starts_with("AWS/") {
        return Err(error("InvalidParameterValueException", "The value AWS/ for parameter Namespace is invalid."));
    }
    let mut batch = Vec::new();
    for datum in input.get("MetricData").and_then(Value::as_array).into_iter().flatten() {
        let time = datum.get("Timestamp").and_then(Value::as_f64).unwrap_or(ctx.time);
        if time < ctx.time - MAX_AGE_SECONDS || time > ctx.time + MAX_AHEAD_SECONDS {
            return Err(error("InvalidParameterValueException", "The parameter MetricData.member.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future."));
        }
        let series = Series {
            namespace: namespace.clone(),
            metric_name: datum.get("MetricName").and_then(Value::as_str).unwrap_or_default().to_owned(),
            dimensions: dimensions_of(datum.get("Dimensions"))?,
            last_seen: time,
        };
        batch.push((series, datum_point(datum, time)?));
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    for (series, points) in batch {
        add_points(&mut tx, ctx.account(), &ctx.region, series, &points).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

/// Records WAF's request counts per minute as `AWS/WAFV2` metrics with the `WebACL`, `Rule` and
/// `Region` dimensions.
pub async fn record_waf_counts(store: &Store, tallies: HashMap<(MetricKey, u64), u64>) -> Result<(), ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    for ((key, minute), count) in tallies {
        let time = (minute * 60) as f64;
        let dimensions = BTreeMap::from([
            ("Region".to_owned(), key.region.clone()),
            ("Rule".to_owned(), key.rule_metric.clone()),
            ("WebACL".to_owned(), key.web_acl_metric.clone()),
        ]);
        let series = Series { namespace: "AWS/WAFV2".into(), metric_name: key.metric_name.into(), dimensions, last_seen: time };
        let count = count as f64;
        add_points(&mut tx, &key.account, &key.region, series, &[Point { time, count, sum: count, min: count, max: count }]).await?;
    }
    tx.commit().await.map_err(store_error)
}

/// Metrics with data in the last three hours count as recently active.
const RECENTLY_ACTIVE_SECONDS: f64 = 3.0 * 3_600.0;
const LIST_PAGE: usize = 500;

pub async fn list_metrics(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let namespace = input.get("Namespace").and_then(Value::as_str);
    let metric_name = input.get("MetricName").and_then(Value::as_str);
    let filters: Vec<(String, Option<String>)> = input
        .get("Dimensions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|f| (f.get("Name").and_then(Value::as_str).unwrap_or_default().to_owned(), f.get("Value").and_then(Value::as_str).map(str::to_owned)))
        .collect();
    let recent_only = input.get("RecentlyActive").and_then(Value::as_str) == Some("PT3H");
    let offset: usize = input.get("NextToken").and_then(Value::as_str).and_then(|t| t.parse().ok()).unwrap_or(0);
    let mut tx = store.begin().await.map_err(store_error)?;
    let rows = tx.scan(SERIES, &format!("{}/{}/", ctx.account(), ctx.region), None, usize::MAX).await.map_err(store_error)?;
    let mut matching: Vec<Series> = rows
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_value::<Series>(v).ok())
        .filter(|s| namespace.is_none_or(|n| s.namespace == n) && metric_name.is_none_or(|m| s.metric_name == m))
        .filter(|s| filters.iter().all(|(name, value)| s.dimensions.get(name).is_some_and(|v| value.as_ref().is_none_or(|want| v == want))))
        .filter(|s| !recent_only || s.last_seen >= ctx.time - RECENTLY_ACTIVE_SECONDS)
        .collect();
    matching.sort_by(|a, b| (&a.namespace, &a.metric_name).cmp(&(&b.namespace, &b.metric_name)));
    let page: Vec<Value> = matching.iter().skip(offset).take(LIST_PAGE).map(Series::view).collect();
    let mut out = json!({ "Metrics": page });
    if matching.len() > offset + LIST_PAGE {
        out["NextToken"] = json!((offset + LIST_PAGE).to_string());
    }
    Ok(Reply::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_named_by_namespace_metric_and_dimension_set() {
        let a = BTreeMap::from([("A".to_owned(), "1".to_owned()), ("B".to_owned(), "2".to_owned())]);
        assert_eq!(series_id("N", "M", &a), series_id("N", "M", &a.clone()));
        assert_ne!(series_id("N", "M", &a), series_id("N", "Other", &a));
    }

    #[test]
    fn values_with_counts_become_statistic_sets() {
        let points = datum_point(&json!({ "Values": [2.0, 5.0], "Counts": [3.0, 1.0] }), 60.0).unwrap();
        assert_eq!(points[0], Point { time: 60.0, count: 3.0, sum: 6.0, min: 2.0, max: 2.0 });
        assert!(datum_point(&json!({ "Values": [1.0], "Counts": [1.0, 2.0] }), 0.0).is_err());
    }
}
