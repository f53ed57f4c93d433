//! The gateway: the edge listener, SigV4 authentication, the request pipeline, CloudTrail
//! auditing, shared by every service.

pub mod admin;
pub mod audit;
pub mod authorize;
pub mod edge;
pub mod metrics;
pub mod peers;
pub mod pipeline;
pub mod principal;
pub mod routing;
pub mod service;
pub mod sigv4;
pub mod tls;

pub use pipeline::{AuthMode, Gateway, GatewayConfig, IamMode};
pub use peers::Peers;
pub use service::{Reply, RequestContext, Service, ServiceFuture};
