//! Policy documents as IAM stores and returns them: checked on the way in, URL-encoded on the
//! way out (IAM's query API returns documents percent-encoded; SDKs decode them).

use serde_json::Value;
use wire::ApiError;

use super::error;

/// IAM's document size quotas, in characters not counting whitespace.
pub const MANAGED_POLICY_MAX: usize = 6144;
pub const USER_INLINE_MAX: usize = 2048;
pub const ROLE_INLINE_MAX: usize = 10240;
pub const GROUP_INLINE_MAX: usize = 5120;
pub const TRUST_POLICY_MAX: usize = 2048;

/// Refuses a document that is not a JSON policy object or is over `max_chars`.
pub fn check(document: &str, max_chars: usize) -> Result<(), ApiError> {
    let size = document.chars().filter(|c| !c.is_whitespace()).count();
    if size > max_chars {
        return Err(error(
            "LimitExceededException",
            format!("Cannot exceed quota for PolicySize: {max_chars}"),
        ));
    }
    let parsed: Value =
        serde_json::from_str(document).map_err(|_| error("MalformedPolicyDocumentException", "Syntax errors in policy."))?;
    let Some(policy) = parsed.as_object() else {
        return Err(error("MalformedPolicyDocumentException", "Syntax errors in policy."));
    };
    if !policy.contains_key("Statement") {
        return Err(error("MalformedPolicyDocumentException", "Syntax errors in policy."));
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
        let e = check("{not json", MANAGED_POLICY_MAX).unwrap_err();
        assert_eq!(e.code, "MalformedPolicyDocument");
        assert_eq!(e.message, "Syntax errors in policy.");
    }

    #[test]
    fn oversized_documents_exceed_the_quota() {
        let document = format!(r#"{{"Statement":[],"Id":"{}"}}"#, "x".repeat(3000));
        assert_eq!(check(&document, USER_INLINE_MAX).unwrap_err().code, "LimitExceeded");
    }
}
