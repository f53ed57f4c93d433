//! What a listener's actions mean to the data plane: the targets a forward action reaches, the
//! response a fixed-response action gives.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use dataplane::{DataPlane, ListenerAction, ListenerConfig, Target};
use gateway::RequestContext;
use serde_json::Value;
use store::{Sealer, Store, Txn};
use wire::ApiError;

use super::{
    error,
    records::{self, arn_prefix, ListenerRecord, TargetGroupRecord},
    store_error, validation_error,
};

/// The target groups an action list forwards to, with their weights.
fn weighted_target_groups(actions: &[Value]) -> Vec<(String, u32)> {
    let mut groups = Vec::new();
    for action in actions.iter().filter(|a| a.get("Type").and_then(Value::as_str) == Some("forward")) {
        let tuples = action.get("ForwardConfig").and_then(|c| c.get("TargetGroups")).and_then(Value::as_array);
        match tuples {
            Some(tuples) => groups.extend(tuples.iter().filter_map(|t| {
                let weight = t.get("Weight").and_then(Value::as_u64).map_or(1, |w| w as u32);
                Some((t.get("TargetGroupArn")?.as_str()?.to_owned(), weight))
            })),
            None => groups.extend(action.get("TargetGroupArn").and_then(Value::as_str).map(|arn| (arn.to_owned(), 1))),
        }
    }
    groups
}

pub fn target_group_arns(actions: &[Value]) -> Vec<String> {
    weighted_target_groups(actions).into_iter().map(|(arn, _)| arn).collect()
}

/// Checks a listener's default actions: forward to existing target groups of this account and
/// region, or a fixed response.
pub async fn check_actions(tx: &mut Txn, ctx: &RequestContext, actions: &[Value]) -> Result<(), ApiError> {
    if actions.is_empty() {
        return Err(validation_error("A listener must have at least one default action"));
    }
    for action in actions {
        match action.get("Type").and_then(Value::as_str).unwrap_or_default() {
            "forward" => {}
            "fixed-response" => {
                let status = action.get("FixedResponseConfig").and_then(|c| c.get("StatusCode")).and_then(Value::as_str);
                if !status.is_some_and(|s| s.len() == 3 && matches!(s.as_bytes()[0], b'2' | b'4' | b'5')) {
                    return Err(validation_error("A fixed-response action needs a StatusCode of 2XX, 4XX or 5XX"));
                }
            }
            other => {
                return Err(error(
                    "InvalidLoadBalancerActionException",
                    format!("Palisade's listeners support the forward and fixed-response actions, not '{other}'"),
                ))
            }
        }
    }
    for arn in target_group_arns(actions) {
        let exists = arn.starts_with(&arn_prefix(ctx, "targetgroup/")) && records::load::<TargetGroupRecord>(tx, &arn).await?.is_some();
        if !exists {
            return Err(error("TargetGroupNotFoundException", format!("Target groups '{arn}' not found")));
        }
    }
    Ok(())
}

/// The data plane's view of a listener, with its target groups' current targets (the
/// certificate of an HTTPS listener comes from [`configs`]).
async fn config_of(tx: &mut Txn, listener: &ListenerRecord) -> Result<ListenerConfig, ApiError> {
    let fixed = listener.default_actions.iter().find(|a| a.get("Type").and_then(Value::as_str) == Some("fixed-response"));
    let action = match fixed {
        Some(action) => {
            let config = action.get("FixedResponseConfig").cloned().unwrap_or_default();
            let text = |name: &str| config.get(name).and_then(Value::as_str).map(str::to_owned);
            ListenerAction::FixedResponse {
                status: text("StatusCode").and_then(|s| s.parse().ok()).unwrap_or(200),
                content_type: text("ContentType"),
                body: text("MessageBody").unwrap_or_default(),
            }
        }
        None => {
            let mut targets = Vec::new();
            for (arn, weight) in weighted_target_groups(&listener.default_actions) {
                let Some(group) = records::load::<TargetGroupRecord>(tx, &arn).await? else { continue };
                for target in &group.targets {
                    if let Ok(ip) = target.id.parse::<IpAddr>() {
                        targets.push(Target { address: SocketAddr::new(ip, target.port), weight });
                    }
                }
            }
            ListenerAction::Forward(targets)
        }
    };
    Ok(ListenerConfig {
        listener_arn: listener.arn.clone(),
        load_balancer_arn: listener.load_balancer_arn.clone(),
        port: listener.port,
        action,
        tls: None,
    })
}

/// The TLS configuration serving an ACM certificate: it must be issued and the caller's.
pub async fn certificate_tls(store: &Store, sealer: &Sealer, certificate_arn: &str) -> Result<Arc<dataplane::ServerConfig>, ApiError> {
    let not_found = || error("CertificateNotFoundException", format!("Certificate '{certificate_arn}' not found"));
    let certificate = crate::acm::listener_certificate(store, sealer, certificate_arn).await?.ok_or_else(not_found)?;
    dataplane::server_config(&certificate.certificate_pem, &certificate.chain_pem, &certificate.private_key_pem)
        .map_err(|e| error("InvalidConfigurationRequestException", format!("Certificate '{certificate_arn}' cannot be served: {e}")))
}

/// The data plane's view of listeners: their targets now, and the certificates of HTTPS ones.
pub async fn configs(store: &Store, sealer: &Sealer, listeners: &[ListenerRecord]) -> Result<Vec<ListenerConfig>, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut configs = Vec::new();
    for listener in listeners {
        configs.push(config_of(&mut tx, listener).await?);
    }
    drop(tx);
    for (config, listener) in configs.iter_mut().zip(listeners) {
        if let Some(certificate_arn) = &listener.certificate_arn {
            config.tls = Some(certificate_tls(store, sealer, certificate_arn).await?);
        }
    }
    Ok(configs)
}

/// The listeners (of the request's account and region) whose actions reach a target group.
pub async fn listeners_using_target_group(tx: &mut Txn, ctx: &RequestContext, target_group_arn: &str) -> Result<Vec<ListenerRecord>, ApiError> {
    let listeners: Vec<ListenerRecord> = records::scan(tx, &arn_prefix(ctx, "listener/")).await?;
    Ok(listeners.into_iter().filter(|l| target_group_arns(&l.default_actions).iter().any(|a| a == target_group_arn)).collect())
}

/// Hands configurations to the data plane, binding ports as needed.
pub async fn apply(dataplane: &DataPlane, configs: Vec<ListenerConfig>) -> Result<(), ApiError> {
    for config in configs {
        let port = config.port;
        dataplane.open(config).await.map_err(|e| port_unavailable(port, &e))?;
    }
    Ok(())
}

pub fn port_unavailable(port: u16, e: &std::io::Error) -> ApiError {
    error(
        "InvalidConfigurationRequestException",
        format!("Port {port} cannot be opened on this host ({e}); Palisade binds each listener's port on the host"),
    )
}

/// Binds every stored listener again (at start-up); a listener that cannot be served (its port
/// taken, its certificate gone) is logged and skipped so one conflict does not keep the server
/// down.
pub async fn restore_listeners(store: &Store, sealer: &Sealer, dataplane: &DataPlane) -> Result<usize, String> {
    let listeners = records::all_listeners(store).await.map_err(|e| e.to_string())?;
    let mut bound = 0;
    for listener in listeners {
        let served = match configs(store, sealer, std::slice::from_ref(&listener)).await {
            Ok(mut configs) => match configs.pop() {
                Some(config) => dataplane.open(config).await.map_err(|e| e.to_string()),
                None => Ok(()),
            },
            Err(e) => Err(e.to_string()),
        };
        match served {
            Ok(()) => bound += 1,
            Err(e) => tracing::error!(listener = %listener.arn, port = listener.port, error = %e, "a stored listener cannot be served"),
        }
    }
    Ok(bound)
}
