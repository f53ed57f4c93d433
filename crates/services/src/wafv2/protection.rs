//! Web ACLs in the data plane's path: each load balancer with an associated web ACL gets a filter
//! that evaluates the compiled web ACL per request and reports what it saw to [`Traffic`].

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{SystemTime, UNIX_EPOCH},
};

use dataplane::{DataPlane, Decision, Inbound, RequestFilter};
use serde_json::{json, Value};
use store::Store;
use waf::{Action, ActionKind, IpLookup, RateState, Request, RuleMatch, Verdict, WebAcl};
use wire::ApiError;

use super::{
    associations, definitions,
    entities::{self, Entity},
    errors::store_error,
    geo::GeoDatabases,
    log_policy::LogPolicy,
    logging,
    traffic::{LogDelivery, MetricKey, Sample, Traffic},
};
use crate::logs::LogEvent;

/// What a web ACL's rules are, for logs, samples and metrics.
#[derive(Debug, Clone)]
struct RuleSight {
    metric_name: String,
    sampled: bool,
    metrics: bool,
    /// `REGULAR`, `RATE_BASED`, `GROUP` or `MANAGED_RULE_GROUP`, as WAF logs type rules.
    rule_type: &'static str,
    /// The rule group's id in logs: `AWS#<name>` for a managed group, the ARN for one's own.
    group_id: Option<String>,
    /// A rate-based rule's limit, window and key type.
    rate: Option<(u64, u64, String)>,
}

/// What one web ACL needs to report what it did.
struct AclSight {
    account: String,
    region: String,
    web_acl_arn: String,
    metric_name: String,
    sampled: bool,
    metrics: bool,
    rules: HashMap<String, RuleSight>,
    /// The log group of the web ACL's logging configuration, `(account, region, group)`.
    log_group: Option<(String, String, String)>,
    /// What the logging configuration keeps and redacts.
    log_policy: LogPolicy,
    log_stream: String,
}

impl AclSight {
    fn of(entity: &Entity, logging_configuration: Option<&Value>) -> AclSight {
        let visibility = |v: &Value| {
            let flag = |name: &str| v.get(name).and_then(Value::as_bool).unwrap_or(false);
            (v.get("MetricName").and_then(Value::as_str).unwrap_or_default().to_owned(), flag("SampledRequestsEnabled"), flag("CloudWatchMetricsEnabled"))
        };
        let mut rules = HashMap::new();
        for rule in entity.definition.get("Rules").and_then(Value::as_array).into_iter().flatten() {
            let Some(name) = rule.get("Name").and_then(Value::as_str) else { continue };
            let (metric_name, sampled, metrics) = visibility(rule.get("VisibilityConfig").unwrap_or(&Value::Null));
            let statement = rule.get("Statement").cloned().unwrap_or_default();
            let (rule_type, group_id, rate) = if let Some(managed) = statement.get("ManagedRuleGroupStatement") {
                let vendor = managed.get("VendorName").and_then(Value::as_str).unwrap_or("AWS");
                let group = managed.get("Name").and_then(Value::as_str).unwrap_or_default();
                ("MANAGED_RULE_GROUP", Some(format!("{vendor}#{group}")), None)
            } else if let Some(reference) = statement.get("RuleGroupReferenceStatement") {
                ("GROUP", reference.get("ARN").and_then(Value::as_str).map(str::to_owned), None)
            } else if let Some(rate) = statement.get("RateBasedStatement") {
                let limit = rate.get("Limit").and_then(Value::as_u64).unwrap_or_default();
                let window = rate.get("EvaluationWindowSec").and_then(Value::as_u64).unwrap_or(300);
                let key = rate.get("AggregateKeyType").and_then(Value::as_str).unwrap_or("IP").to_owned();
                ("RATE_BASED", None, Some((limit, window, key)))
            } else {
                ("REGULAR", None, None)
            };
            rules.insert(name.to_owned(), RuleSight { metric_name, sampled, metrics, rule_type, group_id, rate });
        }
        let (metric_name, sampled, metrics) = visibility(entity.definition.get("VisibilityConfig").unwrap_or(&Value::Null));
        let log_group = logging_configuration
            .and_then(|c| c.get("LogDestinationConfigs")?.as_array()?.first()?.as_str().map(str::to_owned))
            .and_then(|destination| logging::log_group_of(&destination).map(|(a, r, g)| (a.to_owned(), r.to_owned(), g.to_owned())));
        AclSight {
            account: entity.account.clone(),
            region: entity.region.clone(),
            web_acl_arn: entity.arn.clone(),
            log_stream: format!("{}_{}_0", entity.region, entity.name),
            metric_name,
            sampled,
            metrics,
            rules,
            log_group,
            log_policy: logging_configuration.map(LogPolicy::of).unwrap_or_default(),
        }
    }

    /// The web ACL rule a match belongs to (the referencing rule for a rule group's rule).
    fn web_acl_rule<'a>(&'a self, matched: &'a RuleMatch) -> (&'a str, Option<&'a RuleSight>) {
        let name = matched.via_rule.as_deref().unwrap_or(&matched.name);
        (name, self.rules.get(name))
    }
}

/// A load balancer's web ACL as the data plane runs it.
struct WebAclFilter {
    acl: WebAcl,
    rate: Arc<RateState>,
    sight: AclSight,
    traffic: Arc<Traffic>,
    geo: Arc<GeoDatabases>,
}

impl RequestFilter for WebAclFilter {
    fn decide(&self, inbound: &Inbound<'_>) -> Decision {
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let country = self.geo.country(inbound.client_ip);
        let request = Request {
            body_len: Some(inbound.body.len() as u64),
            country: country.as_deref(),
            asn: self.geo.asn(inbound.client_ip),
            ip_lookup: Some(&*self.geo),
            ..Request::new(inbound.method, inbound.path, inbound.query, inbound.client_ip).with_headers(inbound.headers).with_body(inbound.body)
        };
        let verdict = self.acl.evaluate(&request, &self.rate, now_ms);
        let decision = match &verdict.action {
            Action::Allow => Decision::Forward { inserted_headers: verdict.inserted_headers.clone() },
            Action::Block { custom_response: None } => Decision::Block,
            Action::Block { custom_response: Some(custom) } => {
                let mut headers = custom.headers.clone();
                let body = match &custom.body {
                    Some(body) => {
                        headers.push(("content-type".to_owned(), body.content_type.to_owned()));
                        body.content.clone()
                    }
                    None => String::new(),
                };
                Decision::Respond { status: custom.status, headers, body }
            }
            Action::Captcha => Decision::Respond { status: 405, headers: vec![], body: "CAPTCHA required".to_owned() },
            Action::Challenge => Decision::Respond { status: 202, headers: vec![], body: "Challenge required".to_owned() },
        };
        let response_code = match &decision {
            Decision::Respond { status, .. } => Some(*status),
            _ => None,
        };
        self.observe(inbound, &verdict, response_code, now_ms);
        decision
    }
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Allow => "ALLOW",
        Action::Block { .. } => "BLOCK",
        Action::Captcha => "CAPTCHA",
        Action::Challenge => "CHALLENGE",
    }
}

fn metric_for(action: ActionKind) -> &'static str {
    match action {
        ActionKind::Allow => "AllowedRequests",
        ActionKind::Block => "BlockedRequests",
        ActionKind::Count => "CountedRequests",
        ActionKind::Captcha => "CaptchaRequests",
        ActionKind::Challenge => "ChallengeRequests",
    }
}

impl WebAclFilter {
    fn observe(&self, inbound: &Inbound<'_>, verdict: &Verdict, response_code: Option<u16>, now_ms: u64) {
        let sight = &self.sight;
        let action = action_name(&verdict.action);
        let terminating = verdict.terminating_rule.as_ref();
        let terminating_rule = terminating.map(|m| sight.web_acl_rule(m));
        let headers = || -> Vec<(String, String)> {
            inbound.headers.iter().map(|(n, v)| ((*n).to_owned(), String::from_utf8_lossy(v).into_owned())).collect()
        };

        if sight.metrics {
            let action_kind = match &verdict.action {
                Action::Allow => ActionKind::Allow,
                Action::Block { .. } => ActionKind::Block,
                Action::Captcha => ActionKind::Captcha,
                Action::Challenge => ActionKind::Challenge,
            };
            let count = |rule_metric: &str, metric_name: &'static str| {
                let key = MetricKey {
                    account: sight.account.clone(),
                    region: sight.region.clone(),
                    web_acl_metric: sight.metric_name.clone(),
                    rule_metric: rule_metric.to_owned(),
                    metric_name,
                };
                self.traffic.count(key, now_ms);
            };
            count("ALL", metric_for(action_kind));
            if let Some((_, Some(rule))) = terminating_rule {
                if rule.metrics {
                    count(&rule.metric_name, metric_for(action_kind));
                }
            }
            for matched in &verdict.non_terminating_matches {
                if let (_, Some(rule)) = sight.web_acl_rule(matched) {
                    if rule.metrics {
                        count(&rule.metric_name, metric_for(matched.action));
                    }
                }
            }
        }

        let mut metric_names: Vec<String> = Vec::new();
        let mut sampled = match terminating_rule {
            Some((_, Some(rule))) => {
                metric_names.push(rule.metric_name.clone());
                rule.sampled
            }
            _ => sight.sampled,
        };
        for matched in &verdict.non_terminating_matches {
            if let (_, Some(rule)) = sight.web_acl_rule(matched) {
                metric_names.push(rule.metric_name.clone());
                sampled |= rule.sampled;
            }
        }
        if sampled && self.traffic.takes_sample(&sight.web_acl_arn, now_ms) {
            let headers = headers();
            let mut shape = json!({
                "Request": {
                    "ClientIP": inbound.client_ip.to_string(),
                    "URI": inbound.path,
                    "Method": inbound.method,
                    "HTTPVersion": inbound.http_version,
                    "Headers": headers.iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect::<Vec<_>>(),
                },
                "Action": action,
                "Labels": verdict.labels.iter().map(|l| json!({ "Name": l })).collect::<Vec<_>>(),
            });
            if let Some(matched) = terminating.filter(|m| m.via_rule.is_some()) {
                shape["RuleNameWithinRuleGroup"] = json!(matched.name);
            }
            if let Some(code) = response_code {
                shape["ResponseCodeSent"] = json!(code);
            }
            if !verdict.inserted_headers.is_empty() {
                shape["RequestHeadersInserted"] =
                    json!(verdict.inserted_headers.iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect::<Vec<_>>());
            }
            self.traffic.sample(&sight.web_acl_arn, Sample { time_ms: now_ms, metric_names, shape });
        }

        let logged_actions: Vec<&str> =
            std::iter::once(action).chain(verdict.non_terminating_matches.iter().map(|m| m.action.as_str())).collect();
        let log_group = sight.log_group.as_ref().filter(|_| sight.log_policy.keeps(&logged_actions, &verdict.labels));
        if let Some((account, region, group)) = log_group {
            let mut record = self.log_record(inbound, verdict, &headers(), response_code, now_ms);
            sight.log_policy.redact(&mut record);
            self.traffic.log(LogDelivery {
                account: account.clone(),
                region: region.clone(),
                group: group.clone(),
                stream: sight.log_stream.clone(),
                event: LogEvent { timestamp: now_ms as i64, message: record.to_string() },
            });
        }
    }

    /// A log record in AWS WAF's format.
    fn log_record(&self, inbound: &Inbound<'_>, verdict: &Verdict, headers: &[(String, String)], response_code: Option<u16>, now_ms: u64) -> Value {
        let sight = &self.sight;
        let terminating = verdict.terminating_rule.as_ref();
        let (terminating_id, terminating_type) = match terminating.map(|m| sight.web_acl_rule(m)) {
            Some((name, rule)) => (name.to_owned(), rule.map_or("REGULAR", |r| r.rule_type)),
            None => ("Default_Action".to_owned(), "REGULAR"),
        };
        let mut rule_groups: Vec<Value> = Vec::new();
        if let Some(matched) = terminating.filter(|m| m.via_rule.is_some()) {
            let group_id = sight.web_acl_rule(matched).1.and_then(|r| r.group_id.clone());
            rule_groups.push(json!({
                "ruleGroupId": group_id,
                "terminatingRule": { "ruleId": matched.name, "action": matched.action.as_str(), "ruleMatchDetails": null },
                "nonTerminatingMatchingRules": [],
                "excludedRules": null,
                "customerConfig": null,
            }));
        }
        let rate_based: Vec<Value> = sight
            .rules
            .iter()
            .filter_map(|(name, rule)| {
                let (limit, window, key) = rule.rate.as_ref()?;
                Some(json!({ "rateBasedRuleId": name, "rateBasedRuleName": name, "limitKey": key, "maxRateAllowed": limit, "evaluationWindowSec": window }))
            })
            .filter(|r| r["rateBasedRuleId"] == terminating_id.as_str())
            .collect();
        let non_terminating: Vec<Value> = verdict
            .non_terminating_matches
            .iter()
            .map(|m| json!({ "ruleId": sight.web_acl_rule(m).0, "action": m.action.as_str(), "ruleMatchDetails": [] }))
            .collect();
        let load_balancer = inbound.load_balancer_arn.split(":loadbalancer/").nth(1).unwrap_or_default();
        json!({
            "timestamp": now_ms,
            "formatVersion": 1,
            "webaclId": sight.web_acl_arn,
            "terminatingRuleId": terminating_id,
            "terminatingRuleType": terminating_type,
            "action": action_name(&verdict.action),
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "ALB",
            "httpSourceId": format!("{}-{load_balancer}", sight.account),
            "ruleGroupList": rule_groups,
            "rateBasedRuleList": rate_based,
            "nonTerminatingMatchingRules": non_terminating,
            "requestHeadersInserted": if verdict.inserted_headers.is_empty() { Value::Null } else {
                json!(verdict.inserted_headers.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect::<Vec<_>>())
            },
            "responseCodeSent": response_code,
            "httpRequest": {
                "clientIp": inbound.client_ip.to_string(),
                "country": self.geo.country(inbound.client_ip).unwrap_or_else(|| "-".to_owned()),
                "headers": headers.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect::<Vec<_>>(),
                "uri": inbound.path,
                "args": inbound.query,
                "httpVersion": inbound.http_version,
                "httpMethod": inbound.method,
                "requestId": null,
            },
            "labels": verdict.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
        })
    }
}

/// Keeps the data plane's filters in step with the stored associations and web ACLs.
pub struct Protection {
    store: Store,
    dataplane: Arc<DataPlane>,
    traffic: Arc<Traffic>,
    /// Rate counters by web ACL ARN, kept across updates of the web ACL.
    rate_states: Mutex<HashMap<String, Arc<RateState>>>,
    /// The load balancers given a filter, by ARN, with their `account/region` and web ACL ARN.
    protected: Mutex<HashMap<String, (String, String)>>,
    /// The address lists of the IP reputation, anonymous IP and Bot Control groups.
    ip_lists: HashMap<String, Vec<String>>,
    geo: Arc<GeoDatabases>,
}

impl Protection {
    pub fn new(
        store: Store,
        dataplane: Arc<DataPlane>,
        traffic: Arc<Traffic>,
        ip_lists: HashMap<String, Vec<String>>,
        geo: GeoDatabases,
    ) -> Protection {
        let geo = Arc::new(geo);
        Protection { store, dataplane, traffic, rate_states: Mutex::default(), protected: Mutex::default(), ip_lists, geo }
    }

    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// The aggregation keys a rate-based rule of a web ACL is over its limit for now.
    pub fn rate_keys_over_limit(&self, web_acl_arn: &str, counter_id: &str, limit: u64, now_ms: u64) -> Vec<Vec<u8>> {
        let state = self.rate_states.lock().unwrap_or_else(|e| e.into_inner()).get(web_acl_arn).cloned();
        state.map(|s| s.keys_over_limit(counter_id, limit, now_ms)).unwrap_or_default()
    }

    /// Compiles the web ACLs associated in an account and region and puts them in place; load
    /// balancers no longer associated lose theirs.
    pub async fn refresh(&self, account: &str, region: &str) -> Result<(), ApiError> {
        let mut tx = self.store.begin().await.map_err(store_error)?;
        let mut compiled = Vec::new();
        let mut unchanged = Vec::new();
        for (resource_arn, web_acl_arn) in associations::all(&mut tx, account, region).await? {
            let Some(entity) = entities::load_by_arn(&mut tx, &web_acl_arn).await? else { continue };
            let namespace = definitions::label_namespace(account, entity.kind, &entity.name);
            let mut ctx = definitions::acl_context(&mut tx, account, region, &entity.scope, namespace, &entity.definition).await?;
            ctx.managed_ip_lists = self.ip_lists.clone();
            let rules = entity.definition.get("Rules").cloned().unwrap_or(json!([]));
            let default_action = entity.definition.get("DefaultAction").cloned().unwrap_or(Value::Null);
            // A web ACL that no longer compiles (a managed group's version gone) keeps the load
            // balancer's filter as it was rather than failing every WAF call of the account.
            let acl = match WebAcl::from_json(&default_action, &rules, &ctx) {
                Ok(acl) => acl,
                Err(e) => {
                    tracing::error!(web_acl = %web_acl_arn, error = %e, "an associated web ACL does not compile");
                    unchanged.push(resource_arn);
                    continue;
                }
            };
            let logging_configuration = logging::load(&mut tx, &web_acl_arn).await?;
            compiled.push((resource_arn, acl, AclSight::of(&entity, logging_configuration.as_ref())));
        }
        drop(tx);
        let scope_key = format!("{account}/{region}");
        let mut protected = self.protected.lock().unwrap_or_else(|e| e.into_inner());
        let stale: Vec<String> = protected.iter().filter(|(_, (k, _))| *k == scope_key).map(|(arn, _)| arn.clone()).collect();
        for arn in stale {
            if !compiled.iter().any(|(resource, _, _)| *resource == arn) && !unchanged.contains(&arn) {
                self.dataplane.set_filter(&arn, None);
                protected.remove(&arn);
            }
        }
        let mut rate_states = self.rate_states.lock().unwrap_or_else(|e| e.into_inner());
        for (resource_arn, acl, sight) in compiled {
            let rate = rate_states.entry(sight.web_acl_arn.clone()).or_default().clone();
            let web_acl_arn = sight.web_acl_arn.clone();
            let filter = WebAclFilter { acl, rate, sight, traffic: self.traffic.clone(), geo: self.geo.clone() };
            self.dataplane.set_filter(&resource_arn, Some(Arc::new(filter)));
            protected.insert(resource_arn, (scope_key.clone(), web_acl_arn));
        }
        // Counters live as long as their web ACL stands in front of a load balancer.
        rate_states.retain(|web_acl_arn, _| protected.values().any(|(_, acl)| acl == web_acl_arn));
        Ok(())
    }

    /// Puts every stored association back in place (at start-up).
    pub async fn restore(&self) -> Result<(), ApiError> {
        let mut tx = self.store.begin().await.map_err(store_error)?;
        let mut scopes: Vec<(String, String)> = Vec::new();
        for (resource_arn, _) in associations::everywhere(&mut tx).await? {
            let parts: Vec<&str> = resource_arn.splitn(6, ':').collect();
            if let [_, _, _, region, account, _] = parts[..] {
                let scope = (account.to_owned(), region.to_owned());
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
        drop(tx);
        for (account, region) in scopes {
            self.refresh(&account, &region).await?;
        }
        Ok(())
    }
}
