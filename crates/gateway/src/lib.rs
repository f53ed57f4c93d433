//! The gateway: the edge listener, SigV4 authentication, the request pipeline, CloudTrail
//! auditing and event emission, shared by every service.

pub mod sigv4;
