//! The credential report: one CSV row per user, the root user first, with AWS's columns and
//! value formats.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    entities::{self, EntityKind},
    error, login_profiles, password_policy, store_error,
};

const REPORTS: &str = "iam.credential_report";
/// A report older than four hours is expired, and GenerateCredentialReport makes a new one.
const REPORT_LIFETIME_SECONDS: f64 = 4.0 * 3600.0;

const COLUMNS: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,\
access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,\
cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// The report's time format: `2024-01-02T03:04:05+00:00`.
fn report_time(epoch: f64) -> String {
    let iso = wire::timestamp::format_iso8601(epoch.floor());
    format!("{}+00:00", iso.trim_end_matches('Z'))
}

async fn access_key_cells(tx: &mut Txn, key_ids: &[String]) -> Result<Vec<String>, ApiError> {
    let mut cells = Vec::new();
    for slot in 0..2 {
        let key = match key_ids.get(slot) {
            Some(id) => tx.get("iam.access_key", id).await.map_err(store_error)?,
            None => None,
        };
        match key {
            Some(key) => {
                cells.push((key["status"] == "Active").to_string());
                cells.push(report_time(key["create_date"].as_f64().unwrap_or_default()));
            }
            None => cells.extend(["false".to_owned(), "N/A".to_owned()]),
        }
        cells.extend(["N/A".to_owned(), "N/A".to_owned(), "N/A".to_owned()]);
    }
    Ok(cells)
}

async fn build(tx: &mut Txn, ctx: &RequestContext) -> Result<String, ApiError> {
    let account = ctx.account();
    let mut lines = vec![COLUMNS.to_owned()];
    let root = [
        "<root_account>".to_owned(),
        format!("arn:aws:iam::{account}:root"),
        report_time(ctx.time),
        "not_supported".to_owned(),
        "no_information".to_owned(),
        "not_supported".to_owned(),
        "not_supported".to_owned(),
        "false".to_owned(),
    ];
    let mut root_row = root.to_vec();
    root_row.extend(access_key_cells(tx, &[]).await?);
    root_row.extend(["false", "N/A", "false", "N/A"].map(str::to_owned));
    lines.push(root_row.join(","));
    let password_policy = password_policy::current(tx, account).await?;
    let max_password_age = password_policy.and_then(|p| p.max_password_age);
    for user in entities::all(tx, account, EntityKind::User).await? {
        let mut row = vec![user.name.clone(), user.arn.clone(), report_time(user.create_date)];
        match login_profiles::of_user(tx, account, &user.name).await? {
            // Palisade has no console, so a password is never used to sign in.
            Some(profile) => row.extend([
                "true".to_owned(),
                "no_information".to_owned(),
                report_time(profile.password_last_changed),
                max_password_age.map_or("N/A".to_owned(), |days| report_time(profile.password_last_changed + f64::from(days) * 86_400.0)),
            ]),
            None => row.extend(["false", "N/A", "N/A", "N/A"].map(str::to_owned)),
        }
        row.push("false".to_owned());
        row.extend(access_key_cells(tx, &user.access_keys).await?);
        row.extend(["false", "N/A", "false", "N/A"].map(str::to_owned));
        lines.push(row.join(","));
    }
    Ok(lines.join("\n"))
}

/// Starts a report when none is current, as IAM does: the first call answers `STARTED`, later
/// ones `COMPLETE` until the report expires.
pub async fn generate(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let current = tx.get(REPORTS, ctx.account()).await.map_err(store_error)?;
    let fresh = current.as_ref().and_then(|r| r["generated"].as_f64()).is_some_and(|t| ctx.time - t < REPORT_LIFETIME_SECONDS);
    if fresh {
        return Ok(Reply::new(json!({ "State": "COMPLETE" })));
    }
    let csv = build(&mut tx, ctx).await?;
    tx.put(REPORTS, ctx.account(), &json!({ "generated": ctx.time.floor(), "csv": csv })).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({
        "State": "STARTED",
        "Description": "No report exists. Starting a new report generation task",
    })))
}

pub async fn get(store: &Store, ctx: &RequestContext) -> Result<Reply, ApiError> {
    let report: Value = store.get(REPORTS, ctx.account()).await.map_err(store_error)?.ok_or_else(|| {
        error("CredentialReportNotPresentException", "Unable to find a credential report. Please call GenerateCredentialReport first.")
    })?;
    let generated = report["generated"].as_f64().unwrap_or_default();
    if ctx.time - generated >= REPORT_LIFETIME_SECONDS {
        return Err(error(
            "CredentialReportExpiredException",
            "The credential report is expired. To generate a new credential report, call GenerateCredentialReport.",
        ));
    }
    let csv = report["csv"].as_str().unwrap_or_default();
    Ok(Reply::new(json!({
        "Content": base64::engine::general_purpose::STANDARD.encode(csv),
        "ReportFormat": "text/csv",
        "GeneratedTime": generated,
    })))
}
