//! Policy documents as IAM stores and returns them: checked by the policy engine on the way in
//! (IAM's MalformedPolicyDocument and size quotas), URL-encoded on the way out (IAM's query API
//! returns documents percent-encoded; SDKs decode them).

use policy::{
    parser::{check_policy_size, policy_size, PolicySizeLimit},
    PolicyError, PolicyType,
};
use wire::ApiError;

use super::error;

fn api_error(e: PolicyError) -> ApiError {
    match e {
        PolicyError::MalformedPolicyDocument(_) => error("MalformedPolicyDocumentException", e.message()),
        PolicyError::LimitExceeded { .. } => error("LimitExceededException", e.message()),
    }
}

/// Refuses a document the policy engine refuses for `kind`, or one over `limit`.
pub fn check(document: &str, kind: PolicyType, limit: PolicySizeLimit) -> Result<(), ApiError> {
    check_policy_size(document, limit).map_err(api_error)?;
    policy::parse_policy(document, kind).map(|_| ()).map_err(api_error)
}

/// Refuses inline policies whose documents together exceed the principal's quota.
pub fn check_aggregate<'d>(documents: impl Iterator<Item = &'d String>, limit: PolicySizeLimit) -> Result<(), ApiError> {
    let total: usize = documents.map(|d| policy_size(d)).sum();
    if total > limit.max_characters() {
        return Err(api_error(PolicyError::LimitExceeded { quota: limit.quota_name(), limit: limit.max_characters() }));
    }
    Ok(())
}

/// RFC 3986 percent-encoding of everything but unreserved characters, as IAM returns documents.
pub fn url_encode(document: &str) -> String {
    let mut out = String::with_capacity(document.len() * 3 / 2);
    for byte in document.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_percent_encoded() {
        assert_eq!(url_encode(r#"{"a": 1}"#), "%7B%22a%22%3A%201%7D");
    }

    #[test]
    fn invalid_json_is_a_syntax_error() {
        let e = check("{not json", PolicyType::Identity, PolicySizeLimit::ManagedPolicy).unwrap_err();
        assert_eq!(e.code, "MalformedPolicyDocument");
        assert_eq!(e.message, "Syntax errors in policy.");
    }

    #[test]
    fn oversized_documents_exceed_the_quota() {
        let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
        let document = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, vec![statement; 200].join(","));
        let e = check(&document, PolicyType::Identity, PolicySizeLimit::ManagedPolicy).unwrap_err();
        assert_eq!(e.code, "LimitExceeded");
    }
}
