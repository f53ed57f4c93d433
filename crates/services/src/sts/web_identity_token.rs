//! OpenID Connect ID tokens (JWTs) as AssumeRoleWithWebIdentity reads them: the header's
//! algorithm and the claims STS checks (issuer, audience, subject, expiry, not-before).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;

/// The signature algorithms an OIDC provider may sign ID tokens with; `none` is never
/// accepted.
const SIGNING_ALGORITHMS: &[&str] = &["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

#[derive(Debug, Clone, PartialEq)]
pub struct IdToken {
    /// `iss` without its `https://` scheme, as IAM names the provider.
    pub issuer: String,
    /// `iss` as the token states it, which STS answers as `Provider`.
    pub issuer_claim: String,
    pub audiences: Vec<String>,
    pub subject: String,
    pub expires_at: f64,
    pub not_before: Option<f64>,
    /// `amr`, when the token carries it.
    pub authentication_methods: Vec<String>,
}

/// Why a token is not a JWT STS can read: not three base64url JSON parts, no signing
/// algorithm, or a required claim missing.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedToken(pub &'static str);

fn part(text: &str) -> Result<Value, MalformedToken> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).map_err(|_| MalformedToken("a part is not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| MalformedToken("a part is not JSON"))
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// Reads a compact-serialized JWT. The signature part must be present; checking it against the
/// provider's keys is the caller's business.
pub fn parse(token: &str) -> Result<IdToken, MalformedToken> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(MalformedToken("not three parts"));
    };
    let header = part(header)?;
    let algorithm = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if !SIGNING_ALGORITHMS.contains(&algorithm) || signature.is_empty() {
        return Err(MalformedToken("not signed"));
    }
    let claims = part(claims)?;
    let issuer = claims.get("iss").and_then(Value::as_str).ok_or(MalformedToken("no iss"))?;
    let subject = claims.get("sub").and_then(Value::as_str).ok_or(MalformedToken("no sub"))?;
    let expires_at = claims.get("exp").and_then(Value::as_f64).ok_or(MalformedToken("no exp"))?;
    let audiences = strings(claims.get("aud"));
    if audiences.is_empty() {
        return Err(MalformedToken("no aud"));
    }
    Ok(IdToken {
        issuer: issuer.strip_prefix("https://").unwrap_or(issuer).trim_end_matches('/').to_owned(),
        issuer_claim: issuer.to_owned(),
        audiences,
        subject: subject.to_owned(),
        expires_at,
        not_before: claims.get("nbf").and_then(Value::as_f64),
        authentication_methods: strings(claims.get("amr")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, claims: &str) -> String {
        format!("{}.{}.c2ln", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims))
    }

    #[test]
    fn claims_are_read_with_the_issuer_as_iam_names_it() {
        let jwt = token(
            r#"{"alg":"RS256","kid":"1"}"#,
            r#"{"iss":"https://idp.example.com/","aud":["app","other"],"sub":"user-1","exp":2000000000,"amr":"mfa"}"#,
        );
        let parsed = parse(&jwt).unwrap();
        assert_eq!(parsed.issuer, "idp.example.com");
        assert_eq!(parsed.audiences, vec!["app", "other"]);
        assert_eq!(parsed.subject, "user-1");
        assert_eq!(parsed.expires_at, 2_000_000_000.0);
        assert_eq!(parsed.authentication_methods, vec!["mfa"]);
    }

    #[test]
    fn unsigned_and_malformed_tokens_are_refused() {
        let claims = r#"{"iss":"https://idp.example.com","aud":"app","sub":"u","exp":2000000000}"#;
        assert!(parse(&token(r#"{"alg":"none"}"#, claims)).is_err());
        assert!(parse(&format!("{}.", token(r#"{"alg":"RS256"}"#, claims))).is_err());
        assert!(parse("not-a-jwt").is_err());
        assert!(parse(&token(r#"{"alg":"RS256"}"#, r#"{"iss":"https://idp.example.com","sub":"u","exp":1}"#)).is_err());
    }
}
