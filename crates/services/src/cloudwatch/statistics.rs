//! GetMetricStatistics and GetMetricData: a series' points summed into periods.

use std::collections::BTreeMap;

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    series::{dimensions_of, points_between, series_id, Point},
    store_error,
};

/// A period's statistic set.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Aggregate {
    count: f64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Aggregate {
    fn statistic(&self, name: &str) -> Option<f64> {
        Some(match name {
            "SampleCount" => self.count,
            "Sum" => self.sum,
            "Minimum" => self.min,
            "Maximum" => self.max,
            "Average" => {
                if self.count == 0.0 {
                    0.0
                } else {
                    self.sum / self.count
                }
            }
            _ => return None,
        })
    }
}

/// Points summed per period. Periods are aligned to multiples of their length since the epoch,
/// as CloudWatch rounds a start time down to the period; keys are the periods' start times.
fn aggregate(points: &[Point], period: f64) -> BTreeMap<u64, Aggregate> {
    let mut periods: BTreeMap<u64, Aggregate> = BTreeMap::new();
    for point in points {
        let period_start = (point.time / period).floor().max(0.0) as u64 * period as u64;
        let entry = periods.entry(period_start).or_insert(Aggregate { count: 0.0, sum: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY });
        entry.count += point.count;
        entry.sum += point.sum;
        entry.min = entry.min.min(point.min);
        entry.max = entry.max.max(point.max);
    }
    periods
}

/// The start of the period that holds `time`.
fn aligned(time: f64, period: f64) -> f64 {
    (time / period).floor() * period
}

fn check_period(period: f64) -> Result<(), ApiError> {
    if period < 1.0 || (period >= 60.0 && period % 60.0 != 0.0) || (period < 60.0 && ![1.0, 5.0, 10.0, 30.0].contains(&period)) {
        return Err(error("InvalidParameterValueException", "The parameter Period must be 1, 5, 10, 30 or a multiple of 60."));
    }
    Ok(())
}

async fn series_points(tx: &mut Txn, ctx: &RequestContext, metric: &Value, start: f64, end: f64) -> Result<Vec<Point>, ApiError> {
    let namespace = metric.get("Namespace").and_then(Value::as_str).unwrap_or_default();
    let name = metric.get("MetricName").and_then(Value::as_str).unwrap_or_default();
    let id = series_id(namespace, name, &dimensions_of(metric.get("Dimensions"))?);
    points_between(tx, ctx.account(), &ctx.region, &id, start, end).await
}

pub async fn get_metric_statistics(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let number = |name: &str| input.get(name).and_then(Value::as_f64).unwrap_or(0.0);
    let (start, end, period) = (number("StartTime"), number("EndTime"), number("Period"));
    check_period(period)?;
    if end <= start {
        return Err(error("InvalidParameterValueException", "The parameter StartTime must be less than the parameter EndTime."));
    }
    let statistics: Vec<String> =
        input.get("Statistics").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
    if statistics.is_empty() && input.get("ExtendedStatistics").is_none() {
        return Err(error("MissingRequiredParameterException", "Must specify either Statistics or ExtendedStatistics"));
    }
    let unit = input.get("Unit").and_then(Value::as_str).unwrap_or("None");
    let mut tx = store.begin().await.map_err(store_error)?;
    let points = series_points(&mut tx, ctx, &input, aligned(start, period), end).await?;
    drop(tx);
    let datapoints: Vec<Value> = aggregate(&points, period)
        .into_iter()
        .map(|(period_start, period_aggregate)| {
            let mut datapoint = json!({ "Timestamp": period_start as f64, "Unit": unit });
            for statistic in &statistics {
                if let Some(value) = period_aggregate.statistic(statistic) {
                    datapoint[statistic.as_str()] = json!(value);
                }
            }
            datapoint
        })
        .collect();
    let label = input.get("MetricName").cloned().unwrap_or_default();
    Ok(Reply::new(json!({ "Label": label, "Datapoints": datapoints })))
}

pub async fn get_metric_data(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let number = |name: &str| input.get(name).and_then(Value::as_f64).unwrap_or(0.0);
    let (start, end) = (number("StartTime"), number("EndTime"));
    if end <= start {
        return Err(error("InvalidParameterValueException", "The parameter StartTime must be less than the parameter EndTime."));
    }
    let newest_first = input.get("ScanBy").and_then(Value::as_str) != Some("TimestampAscending");
    let queries = input.get("MetricDataQueries").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut results = Vec::new();
    let mut tx = store.begin().await.map_err(store_error)?;
    for query in &queries {
        let id = query.get("Id").and_then(Value::as_str).unwrap_or_default();
        if query.get("ReturnData").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let Some(stat) = query.get("MetricStat") else {
            return Err(error("InvalidParameterValueException", format!("Palisade evaluates MetricStat queries; the query {id} has a metric math expression.")));
        };
        let period = stat.get("Period").and_then(Value::as_f64).unwrap_or(60.0);
        check_period(period)?;
        let statistic = stat.get("Stat").and_then(Value::as_str).unwrap_or("Average");
        let metric = stat.get("Metric").cloned().unwrap_or_default();
        let points = series_points(&mut tx, ctx, &metric, aligned(start, period), end).await?;
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        for (period_start, period_aggregate) in aggregate(&points, period) {
            let value = period_aggregate.statistic(statistic).ok_or_else(|| {
                error("InvalidParameterValueException", format!("The statistic {statistic} is not one of SampleCount, Average, Sum, Minimum, Maximum."))
            })?;
            pairs.push((period_start as f64, value));
        }
        if newest_first {
            pairs.reverse();
        }
        let label = query.get("Label").cloned().unwrap_or_else(|| metric.get("MetricName").cloned().unwrap_or_default());
        results.push(json!({
            "Id": id,
            "Label": label,
            "Timestamps": pairs.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            "Values": pairs.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
            "StatusCode": "Complete",
        }));
    }
    Ok(Reply::new(json!({ "MetricDataResults": results, "Messages": [] })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_summed_per_period_aligned_to_the_epoch() {
        let point = |time, value| Point { time, count: 1.0, sum: value, min: value, max: value };
        let periods = aggregate(&[point(0.0, 1.0), point(59.0, 3.0), point(60.0, 10.0)], 60.0);
        assert_eq!(periods[&0].statistic("Sum"), Some(4.0));
        assert_eq!(periods[&0].statistic("Average"), Some(2.0));
        assert_eq!(periods[&60].statistic("Maximum"), Some(10.0));
        assert_eq!(periods[&0].statistic("p99"), None);
        assert_eq!(aligned(125.0, 60.0), 120.0);
    }
}
