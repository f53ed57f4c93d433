//! The hook through which a load balancer's web ACL judges its traffic.

use std::net::IpAddr;

/// A request as it arrived at a listener, before anything was forwarded.
pub struct Inbound<'a> {
    pub method: &'a str,
    /// The path as sent (still percent-encoded).
    pub path: &'a str,
    /// The query string without `?`, as sent.
    pub query: &'a str,
    /// `HTTP/1.1`, `HTTP/1.0`.
    pub http_version: &'static str,
    /// The headers in the order received.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The whole body (a listener buffers it before forwarding).
    pub body: &'a [u8],
    pub client_ip: IpAddr,
    /// The listener's port and the load balancer it belongs to.
    pub listener_port: u16,
    pub load_balancer_arn: &'a str,
}

/// What the filter says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Pass it on, with these headers added.
    Forward { inserted_headers: Vec<(String, String)> },
    /// Refuse it with the load balancer's own 403 page.
    Block,
    /// Answer it with this response instead of forwarding it.
    Respond { status: u16, headers: Vec<(String, String)>, body: String },
}

/// Judges each request of the listeners it is attached to. Called on the request's task: it
/// must not block for long (record what it observed and hand heavy work elsewhere).
pub trait RequestFilter: Send + Sync {
    fn decide(&self, request: &Inbound<'_>) -> Decision;
}
