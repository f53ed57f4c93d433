//! CreateListener, DescribeListeners, ModifyListener, DeleteListener, DescribeRules. A listener
//! is a port on the host: CreateListener answers once the port is bound. HTTPS listeners serve
//! an issued ACM certificate.

use gateway::{Reply, RequestContext};
use serde_json::{json, Value};
use store::{Store, Txn};
use wire::ApiError;

use super::{
    error,
    records::{self, arn_prefix, new_resource_id, ListenerRecord, LoadBalancerRecord},
    routing, store_error, tags, validation_error, Plane,
};
use crate::input::required;

/// AWS's quota of listeners per application load balancer.
const MAX_LISTENERS: usize = 50;
/// The security policy of HTTPS listeners created without one.
const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-2016-08";

/// The ARN prefix of a load balancer's listeners.
pub fn listener_prefix(load_balancer_arn: &str) -> String {
    format!("{}/", load_balancer_arn.replacen(":loadbalancer/", ":listener/", 1))
}

impl ListenerRecord {
    fn view(&self) -> Value {
        let mut view = json!({
            "ListenerArn": self.arn,
            "LoadBalancerArn": self.load_balancer_arn,
            "Port": self.port,
            "Protocol": self.protocol,
            "DefaultActions": self.default_actions,
        });
        if let Some(certificate_arn) = &self.certificate_arn {
            view["Certificates"] = json!([{ "CertificateArn": certificate_arn }]);
        }
        if let Some(policy) = &self.ssl_policy {
            view["SslPolicy"] = json!(policy);
        }
        view
    }
}

fn listener_not_found() -> ApiError {
    error("ListenerNotFoundException", "One or more listeners not found")
}

async fn load_listener(tx: &mut Txn, ctx: &RequestContext, arn: &str) -> Result<ListenerRecord, ApiError> {
    let record = if arn.starts_with(&arn_prefix(ctx, "listener/")) { records::load(tx, arn).await? } else { None };
    record.ok_or_else(listener_not_found)
}

/// The protocol and certificate of a listener: HTTP without one, HTTPS with exactly one.
fn check_protocol(protocol: &str, certificate_arn: Option<&str>) -> Result<(), ApiError> {
    match (protocol, certificate_arn) {
        ("HTTP", _) => Ok(()),
        ("HTTPS", Some(_)) => Ok(()),
        ("HTTPS", None) => Err(validation_error("A certificate must be specified for HTTPS listeners")),
        (other, _) => Err(error("UnsupportedProtocolException", format!("Protocol '{other}' is not supported by application load balancers"))),
    }
}

fn certificate_of(input: &Value) -> Option<String> {
    input.get("Certificates")?.as_array()?.first()?.get("CertificateArn")?.as_str().map(str::to_owned)
}

fn check_port(port: u64) -> Result<u16, ApiError> {
    u16::try_from(port).ok().filter(|p| *p > 0).ok_or_else(|| validation_error(format!("Port '{port}' must be between 1 and 65535")))
}

/// Serves a listener: its certificate and targets are read, then its port is bound (or its
/// configuration replaced).
async fn serve(plane: Plane<'_>, record: &ListenerRecord) -> Result<(), ApiError> {
    for config in routing::configs(plane.store, plane.sealer, std::slice::from_ref(record)).await? {
        plane.dataplane.open(config).await.map_err(|e| routing::port_unavailable(record.port, &e))?;
    }
    Ok(())
}

/// Records which load balancer uses an ACM certificate (DescribeCertificate's `InUseBy`).
async fn mark_certificate(plane: Plane<'_>, record: &ListenerRecord, in_use: bool) -> Result<(), ApiError> {
    match &record.certificate_arn {
        Some(certificate_arn) => crate::acm::set_in_use(plane.store, certificate_arn, &record.load_balancer_arn, in_use).await,
        None => Ok(()),
    }
}

pub async fn create_listener(plane: Plane<'_>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let load_balancer_arn = required(&input, "LoadBalancerArn")?.to_owned();
    let protocol = input.get("Protocol").and_then(Value::as_str).unwrap_or("HTTP").to_owned();
    let certificate_arn = certificate_of(&input);
    check_protocol(&protocol, certificate_arn.as_deref())?;
    let port = check_port(input.get("Port").and_then(Value::as_u64).unwrap_or(if protocol == "HTTPS" { 443 } else { 80 }))?;
    let default_actions: Vec<Value> = input.get("DefaultActions").and_then(Value::as_array).cloned().unwrap_or_default();
    let tags = tags::tag_map(input.get("Tags"))?;
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    let load_balancer = if load_balancer_arn.starts_with(&arn_prefix(ctx, "loadbalancer/")) {
        records::load::<LoadBalancerRecord>(&mut tx, &load_balancer_arn).await?
    } else {
        None
    };
    if load_balancer.is_none() {
        return Err(error("LoadBalancerNotFoundException", "One or more load balancers not found"));
    }
    routing::check_actions(&mut tx, ctx, &default_actions).await?;
    let siblings: Vec<ListenerRecord> = records::scan(&mut tx, &listener_prefix(&load_balancer_arn)).await?;
    drop(tx);
    if let Some(same) = siblings.iter().find(|l| l.port == port) {
        if same.protocol == protocol && same.default_actions == default_actions && same.certificate_arn == certificate_arn {
            return Ok(Reply::new(json!({ "Listeners": [same.view()] })));
        }
        return Err(error("DuplicateListenerException", "A listener already exists on this port for this load balancer"));
    }
    if siblings.len() >= MAX_LISTENERS {
        return Err(error("TooManyListenersException", format!("You've reached the limit on the number of listeners per load balancer ({MAX_LISTENERS})")));
    }
    let ssl_policy = certificate_arn.as_ref().map(|_| input.get("SslPolicy").and_then(Value::as_str).unwrap_or(DEFAULT_SSL_POLICY).to_owned());
    let record = ListenerRecord {
        arn: format!("{}{}", listener_prefix(&load_balancer_arn), new_resource_id()),
        load_balancer_arn,
        port,
        protocol,
        default_actions,
        certificate_arn,
        ssl_policy,
        tags,
    };
    serve(plane, &record).await?;
    let saved = async {
        let mut tx = plane.store.begin().await.map_err(store_error)?;
        records::save(&mut tx, &record.arn, &record).await?;
        tx.commit().await.map_err(store_error)
    };
    if let Err(e) = saved.await {
        plane.dataplane.close(&record.arn);
        return Err(e);
    }
    mark_certificate(plane, &record, true).await?;
    Ok(Reply::new(json!({ "Listeners": [record.view()] })).resource("AWS::ElasticLoadBalancingV2::Listener", record.arn))
}

pub async fn describe_listeners(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arns: Vec<String> =
        input.get("ListenerArns").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
    let mut tx = store.begin().await.map_err(store_error)?;
    let listeners: Vec<ListenerRecord> = match input.get("LoadBalancerArn").and_then(Value::as_str) {
        Some(load_balancer_arn) => {
            let exists = load_balancer_arn.starts_with(&arn_prefix(ctx, "loadbalancer/"))
                && records::load::<LoadBalancerRecord>(&mut tx, load_balancer_arn).await?.is_some();
            if !exists {
                return Err(error("LoadBalancerNotFoundException", "One or more load balancers not found"));
            }
            records::scan(&mut tx, &listener_prefix(load_balancer_arn)).await?
        }
        None if arns.is_empty() => return Err(validation_error("You must specify either listener ARNs or a load balancer ARN")),
        None => {
            let mut found = Vec::new();
            for arn in &arns {
                found.push(load_listener(&mut tx, ctx, arn).await?);
            }
            found
        }
    };
    let chosen: Vec<Value> = listeners.iter().filter(|l| arns.is_empty() || arns.contains(&l.arn)).map(ListenerRecord::view).collect();
    Ok(Reply::new(json!({ "Listeners": chosen })))
}

/// A new port rebinds the listener; new actions and certificates take effect with the next
/// request or connection.
pub async fn modify_listener(plane: Plane<'_>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ListenerArn")?.to_owned();
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    let before = load_listener(&mut tx, ctx, &arn).await?;
    let mut record = before.clone();
    if let Some(protocol) = input.get("Protocol").and_then(Value::as_str) {
        record.protocol = protocol.to_owned();
    }
    if let Some(certificate_arn) = certificate_of(&input) {
        record.certificate_arn = Some(certificate_arn);
    }
    if record.protocol == "HTTP" {
        record.certificate_arn = None;
        record.ssl_policy = None;
    } else if let Some(policy) = input.get("SslPolicy").and_then(Value::as_str) {
        record.ssl_policy = Some(policy.to_owned());
    } else if record.ssl_policy.is_none() {
        record.ssl_policy = Some(DEFAULT_SSL_POLICY.to_owned());
    }
    check_protocol(&record.protocol, record.certificate_arn.as_deref())?;
    if let Some(port) = input.get("Port").and_then(Value::as_u64) {
        let port = check_port(port)?;
        let siblings: Vec<ListenerRecord> = records::scan(&mut tx, &listener_prefix(&record.load_balancer_arn)).await?;
        if siblings.iter().any(|l| l.port == port && l.arn != arn) {
            return Err(error("DuplicateListenerException", "A listener already exists on this port for this load balancer"));
        }
        record.port = port;
    }
    if let Some(actions) = input.get("DefaultActions").and_then(Value::as_array) {
        routing::check_actions(&mut tx, ctx, actions).await?;
        record.default_actions = actions.clone();
    }
    drop(tx);
    serve(plane, &record).await?;
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    records::save(&mut tx, &arn, &record).await?;
    tx.commit().await.map_err(store_error)?;
    if before.certificate_arn != record.certificate_arn {
        mark_certificate(plane, &before, false).await?;
        mark_certificate(plane, &record, true).await?;
    }
    Ok(Reply::new(json!({ "Listeners": [record.view()] })).resource("AWS::ElasticLoadBalancingV2::Listener", arn))
}

pub async fn delete_listener(plane: Plane<'_>, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let arn = required(&input, "ListenerArn")?.to_owned();
    let mut tx = plane.store.begin().await.map_err(store_error)?;
    let record = load_listener(&mut tx, ctx, &arn).await?;
    records::remove(&mut tx, &arn).await?;
    tx.commit().await.map_err(store_error)?;
    plane.dataplane.close(&arn);
    mark_certificate(plane, &record, false).await?;
    Ok(Reply::new(json!({})).resource("AWS::ElasticLoadBalancingV2::Listener", arn))
}

/// Each listener has its default rule; Palisade does not add conditional rules.
pub async fn describe_rules(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let Some(arn) = input.get("ListenerArn").and_then(Value::as_str) else {
        return Err(validation_error("A listener ARN must be specified"));
    };
    let mut tx = store.begin().await.map_err(store_error)?;
    let listener = load_listener(&mut tx, ctx, arn).await?;
    let rule_arn = listener.arn.replacen(":listener/", ":listener-rule/", 1);
    let rule = json!({
        "RuleArn": format!("{rule_arn}/default"),
        "Priority": "default",
        "Conditions": [],
        "Actions": listener.default_actions,
        "IsDefault": true,
    });
    Ok(Reply::new(json!({ "Rules": [rule] })))
}
