//! `palisade serve`: assembles the store, the gateway and the services, and listens.

use std::{sync::Arc, time::Instant};

use gateway::{tls::InstallationCa, AuthMode, Gateway, GatewayConfig, IamMode, Peers};
use store::{Clock, JobWorker, Sealer};
use tokio::net::TcpListener;

use crate::{cli::ServeOptions, storage};

fn init_logging(level: &str) {
    let level: tracing::Level = level.parse().unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt().with_max_level(level).with_target(false).init();
}

pub fn run(options: ServeOptions) -> Result<(), String> {
    let started = Instant::now();
    init_logging(&options.log_level);
    if options.default_account.len() != 12 || !options.default_account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("--default-account must be 12 digits, not {}", options.default_account));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(serve(options, started))
}

async fn serve(options: ServeOptions, started: Instant) -> Result<(), String> {
    let (store, root_key) = storage::open(&options.storage).await?;
    let sealer = Arc::new(Sealer::new(&root_key));
    let clock = Clock::open(&store).await.map_err(|e| format!("cannot read the server clock: {e}"))?;
    let ca = InstallationCa::load_or_create(&store, &sealer).await.map_err(|e| e.to_string())?;
    let tls = ca.server_config().map_err(|e| e.to_string())?;
    let config = GatewayConfig {
        auth: if options.auth == "lenient" { AuthMode::Lenient } else { AuthMode::Strict },
        iam: match options.iam.as_str() {
            "audit" => IamMode::Audit,
            "off" => IamMode::Off,
            _ => IamMode::Enforce,
        },
        default_account: options.default_account.clone(),
        test_clock: options.test_clock,
        version: env!("CARGO_PKG_VERSION"),
    };
    let peers = Peers::default();
    let functions = services::lambda::FunctionSettings::new(&options.host, options.port, options.lambda_python.clone());
    let dataplane = Arc::new(dataplane::DataPlane::new(options.host.clone()));
    let mut services = services::all(&store, &sealer, &peers, &functions);
    let protection = services::wafv2::protection(
        &store,
        &dataplane,
        options.waf_ip_lists.as_deref(),
        options.geoip_country_db.as_deref(),
        options.geoip_asn_db.as_deref(),
    )?;
    services.extend(services::load_balancing(&store, &sealer, &dataplane, &protection));
    let credentials = Arc::new(services::credentials::StoredCredentials::new(store.clone(), sealer.clone()));
    let gateway = Arc::new(
        Gateway::new(config, store.clone(), clock.clone(), ca, services, Arc::new(services::iam::PolicyAuthorizer::new(store.clone()))).with_credentials(credentials),
    );
    peers.connect(&gateway);
    let listeners = services::restore_load_balancing(&store, &sealer, &dataplane, &protection).await?;

    let listener = TcpListener::bind((options.host.as_str(), options.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", options.host, options.port))?;
    let edge = tokio::spawn(gateway::edge::serve(gateway.clone(), listener, tls));

    let worker_gateway = gateway.clone();
    let worker_sealer = sealer.clone();
    let worker_peers = peers.clone();
    let worker = JobWorker::spawn(
        store.clone(),
        clock.clone(),
        node_id(),
        Arc::new(move |job| {
            let gateway = worker_gateway.clone();
            let sealer = worker_sealer.clone();
            let peers = worker_peers.clone();
            Box::pin(async move {
                let kind = job.kind.clone();
                let outcome = services::jobs::run(&gateway.store, &gateway.clock, &sealer, &peers, job).await;
                gateway.metrics.record_job(&kind, outcome.is_ok());
                outcome
            })
        }),
    );
    services::jobs::schedule_recurring(&store, &clock).await.map_err(|e| e.to_string())?;

    tracing::info!(listeners, "load-balancer listeners bound");
    tracing::info!(
        "Palisade {} ready on {}:{} (http and https) in {} ms",
        env!("CARGO_PKG_VERSION"),
        options.host,
        options.port,
        started.elapsed().as_millis()
    );
    shutdown_signal().await;
    tracing::info!("shutting down");
    edge.abort();
    worker.shutdown().await;
    if let Err(e) = gateway.audit_writer().flush().await {
        tracing::error!(error = %e, "audit events could not be written at shutdown");
    }
    Ok(())
}

/// Identifies this process among the nodes sharing a store (job leases name their holder).
fn node_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    format!("{}-{}", host.trim(), std::process::id())
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
    }
}
