//! The wire layer: the vendored AWS service models and the protocol codecs that turn HTTP
//! requests into operation inputs and operation outputs into HTTP responses.
//!
//! Every service's input and output travel through Palisade as one canonical JSON value,
//! whatever protocol the client spoke: structure members under their model member names, blobs
//! as base64 text, timestamps as epoch seconds (a JSON number, fraction allowed). That is the
//! awsJson form, so JSON services decode almost for free and services deserialize with serde.

pub mod error;
pub mod model;
pub mod protocol;
pub mod registry;
pub mod timestamp;
pub mod validate;

pub use error::ApiError;
pub use model::{Operation, ServiceModel, Shape, ShapeRef, ShapeType};
pub use protocol::{HttpRequest, HttpResponse, Protocol};
pub use registry::{service_by_id, service_by_signing_name, service_by_target_prefix, ServiceInfo, SERVICES};
