//! The data plane: every load-balancer listener is a real port on the host (HTTP, or HTTPS with
//! the listener's certificate) that answers with a fixed response or forwards to its targets,
//! and the request filter of its load balancer (the associated web ACL) judges each request
//! first.
//!
//! The control plane (the ELBv2 and WAFv2 services) pushes plain configurations here; nothing in
//! this crate reads the store or answers API calls.

mod filter;
mod listener;
mod tls;
mod upstream;

use std::{
    collections::HashMap,
    io,
    net::SocketAddr,
    sync::{Arc, Mutex, RwLock},
};

pub use filter::{Decision, Inbound, RequestFilter};
use listener::RunningListener;
pub use rustls::ServerConfig;
pub use tls::{server_config, TlsError};
use upstream::Upstreams;

/// What a listener does with the requests its filter lets through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerAction {
    /// Forward to the targets, spread by weight; none at all is 503.
    Forward(Vec<Target>),
    /// Answer every request with this response.
    FixedResponse { status: u16, content_type: Option<String>, body: String },
}

/// A registered target: where to forward, and its share of the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub address: SocketAddr,
    pub weight: u32,
}

/// One listener of a load balancer.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    pub listener_arn: String,
    pub load_balancer_arn: String,
    pub port: u16,
    pub action: ListenerAction,
    /// The certificate an HTTPS listener serves; `None` for HTTP.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// The listeners of this node and the filters in their path.
pub struct DataPlane {
    host: String,
    listeners: Mutex<HashMap<String, RunningListener>>,
    filters: Arc<RwLock<HashMap<String, Arc<dyn RequestFilter>>>>,
    upstreams: Arc<Upstreams>,
}

impl DataPlane {
    /// A data plane whose listeners bind on `host` (the server's own listen address).
    pub fn new(host: impl Into<String>) -> DataPlane {
        DataPlane {
            host: host.into(),
            listeners: Mutex::new(HashMap::new()),
            filters: Arc::new(RwLock::new(HashMap::new())),
            upstreams: Arc::new(Upstreams::default()),
        }
    }

    /// Serves `config`: binds its port when the listener is new or moved to another port (the
    /// port is listening when this returns), else takes the new action for the next request.
    pub async fn open(&self, config: ListenerConfig) -> io::Result<()> {
        let existing = self.listeners.lock().unwrap_or_else(|e| e.into_inner()).get(&config.listener_arn).map(|l| l.port());
        if existing == Some(config.port) {
            if let Some(listener) = self.listeners.lock().unwrap_or_else(|e| e.into_inner()).get(&config.listener_arn) {
                listener.reconfigure(config);
            }
            return Ok(());
        }
        self.close(&config.listener_arn);
        let arn = config.listener_arn.clone();
        let running = RunningListener::bind(&self.host, config, self.filters.clone(), self.upstreams.clone()).await?;
        self.listeners.lock().unwrap_or_else(|e| e.into_inner()).insert(arn, running);
        Ok(())
    }

    /// Stops a listener; its port is free when this returns.
    pub fn close(&self, listener_arn: &str) {
        self.listeners.lock().unwrap_or_else(|e| e.into_inner()).remove(listener_arn);
    }

    /// Puts `filter` in the path of every listener of a load balancer (`None` takes it out).
    pub fn set_filter(&self, load_balancer_arn: &str, filter: Option<Arc<dyn RequestFilter>>) {
        let mut filters = self.filters.write().unwrap_or_else(|e| e.into_inner());
        match filter {
            Some(filter) => filters.insert(load_balancer_arn.to_owned(), filter),
            None => filters.remove(load_balancer_arn),
        };
    }

    /// The ARNs of the listeners being served.
    pub fn listener_arns(&self) -> Vec<String> {
        self.listeners.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect()
    }
}
