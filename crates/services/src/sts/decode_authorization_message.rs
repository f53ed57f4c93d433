//! DecodeAuthorizationMessage: AWS encodes the details of some denials (EC2's, for instance)
//! and this operation decodes them. Palisade's AccessDenied messages are never encoded (they
//! already say who, what and which policy type denied), so no message given here can be one
//! of Palisade's, and every one is refused as AWS refuses a message it did not produce.

use gateway::Reply;
use wire::ApiError;

pub fn decode_authorization_message() -> Result<Reply, ApiError> {
    Err(crate::modeled_error(
        "sts",
        "InvalidAuthorizationMessageException",
        "The error message provided is not valid or was not produced by this service.",
    ))
}
