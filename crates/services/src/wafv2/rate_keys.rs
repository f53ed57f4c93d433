//! GetRateBasedStatementManagedKeys: the clients a rate-based rule is blocking now.

use std::{
    net::IpAddr,
    time::{SystemTime, UNIX_EPOCH},
};

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::Store;
use wire::ApiError;

use super::{
    entities::{self, check_scope, Kind},
    errors::{invalid_parameter, nonexistent, store_error},
    protection::Protection,
};
use crate::input::required;

pub async fn get_rate_based_statement_managed_keys(
    store: &Store,
    protection: &Protection,
    ctx: &RequestContext,
    input: Value,
) -> Result<Reply, ApiError> {
    let scope = required(&input, "Scope")?;
    check_scope(ctx, scope)?;
    let (name, id, rule_name) = (required(&input, "WebACLName")?, required(&input, "WebACLId")?, required(&input, "RuleName")?);
    let mut tx = store.begin().await.map_err(store_error)?;
    let web_acl = entities::load(&mut tx, ctx.account(), &ctx.region, scope, Kind::WebAcl, id).await?.filter(|e| e.name == name);
    let web_acl = web_acl.ok_or_else(nonexistent)?;
    drop(tx);
    if input.get("RuleGroupRuleName").is_some() {
        return Err(invalid_parameter("RULE", rule_name, "Palisade reports the keys of a web ACL's own rate-based rules, not of rules inside rule groups."));
    }
    let rule = web_acl
        .definition
        .get("Rules")
        .and_then(Value::as_array)
        .and_then(|rules| rules.iter().find(|r| r.get("Name").and_then(Value::as_str) == Some(rule_name)))
        .ok_or_else(nonexistent)?;
    let statement = rule.pointer("/Statement/RateBasedStatement").ok_or_else(|| {
        invalid_parameter("RATE_BASED_STATEMENT", rule_name, "The rule isn't a rate-based rule.")
    })?;
    let limit = statement.get("Limit").and_then(Value::as_u64).unwrap_or(u64::MAX);
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    // The engine names a web ACL rule's counters after the rule.
    let keys = protection.rate_keys_over_limit(&web_acl.arn, &format!("{rule_name}/"), limit, now_ms);
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for key in keys {
        match String::from_utf8_lossy(&key).parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => v4.push(format!("{ip}/32")),
            Ok(IpAddr::V6(ip)) => v6.push(format!("{ip}/128")),
            Err(_) => {}
        }
    }
    v4.sort();
    v6.sort();
    Ok(Reply::new(json!({
        "ManagedKeysIPV4": { "IPAddressVersion": "IPV4", "Addresses": v4 },
        "ManagedKeysIPV6": { "IPAddressVersion": "IPV6", "Addresses": v6 },
    })))
}
