//! WAF's modeled errors with the messages AWS WAF answers.

use wire::ApiError;

pub fn error(shape: &str, message: impl Into<String>) -> ApiError {
    crate::modeled_error("wafv2", shape, message)
}

pub fn nonexistent() -> ApiError {
    error("WAFNonexistentItemException", "AWS WAF couldn’t perform the operation because your resource doesn’t exist.")
}

pub fn duplicate() -> ApiError {
    error(
        "WAFDuplicateItemException",
        "AWS WAF couldn’t perform the operation because some resource in your request is a duplicate of an existing one.",
    )
}

pub fn optimistic_lock() -> ApiError {
    error(
        "WAFOptimisticLockException",
        "AWS WAF couldn’t save your changes because someone changed the resource after you started to edit it. Reapply your changes.",
    )
}

pub fn associated_item() -> ApiError {
    error(
        "WAFAssociatedItemException",
        "AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.",
    )
}

/// `WAFInvalidParameterException` as AWS words it: the reason, the field (one of the model's
/// `ParameterExceptionField` values) and the offending parameter, also as members.
pub fn invalid_parameter(field: &str, parameter: &str, reason: &str) -> ApiError {
    error("WAFInvalidParameterException", format!("Error reason: {reason}, field: {field}, parameter: {parameter}"))
        .with_field("Field", field)
        .with_field("Parameter", parameter)
        .with_field("Reason", reason)
}

pub fn store_error(e: store::StoreError) -> ApiError {
    error("WAFInternalErrorException", format!("AWS WAF couldn’t perform the operation because of a store failure: {e}"))
}
