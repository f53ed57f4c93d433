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
    /// The `https://aws.amazon.com/source_identity` claim, which becomes the session's
    /// source identity.
    pub source_identity: Option<String>,
    /// `principal_tags` of the `https://aws.amazon.com/tags` claim: each key with its values
    /// (STS accepts exactly one).
    pub principal_tags: Vec<(String, Vec<String>)>,
    /// `transitive_tag_keys` of the `https://aws.amazon.com/tags` claim.
    pub transitive_tag_keys: Vec<String>,
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
    let session_tags = claims.get("https://aws.amazon.com/tags").cloned().unwrap_or(Value::Null);
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
        source_identity: claims.get("https://aws.amazon.com/source_identity").and_then(Value::as_str).map(str::to_owned),
        principal_tags: session_tags
            .get("principal_tags")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(key, values)| (key.clone(), strings(Some(values))))
            .collect(),
        transitive_tag_keys: strings(session_tags.get("transitive_tag_keys")),
    })
}

/// Whether the token's signature verifies with one of the JWKS's keys: the key its header's
/// `kid` names (any key when it names none), of the type its `alg` needs.
pub fn signature_valid(token: &str, jwks: &Value) -> bool {
    let mut parts = token.rsplitn(2, '.');
    let (Some(signature), Some(signed)) = (parts.next(), parts.next()) else { return false };
    let (Ok(signature), Some(header)) = (URL_SAFE_NO_PAD.decode(signature), signed.split('.').next()) else { return false };
    let Ok(header) = part(header) else { return false };
    let algorithm = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    let kid = header.get("kid").and_then(Value::as_str);
    let keys = jwks.get("keys").and_then(Value::as_array).into_iter().flatten();
    keys.filter(|key| kid.is_none() || key.get("kid").and_then(Value::as_str) == kid)
        .any(|key| key_verifies(key, algorithm, signed.as_bytes(), &signature))
}

fn key_verifies(key: &Value, algorithm: &str, message: &[u8], signature: &[u8]) -> bool {
    use ring::signature as sig;
    let member = |name: &str| key.get(name).and_then(Value::as_str).and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
    match (key.get("kty").and_then(Value::as_str), algorithm) {
        (Some("RSA"), _) => {
            let parameters: &sig::RsaParameters = match algorithm {
                "RS256" => &sig::RSA_PKCS1_2048_8192_SHA256,
                "RS384" => &sig::RSA_PKCS1_2048_8192_SHA384,
                "RS512" => &sig::RSA_PKCS1_2048_8192_SHA512,
                "PS256" => &sig::RSA_PSS_2048_8192_SHA256,
                "PS384" => &sig::RSA_PSS_2048_8192_SHA384,
                "PS512" => &sig::RSA_PSS_2048_8192_SHA512,
                _ => return false,
            };
            let (Some(n), Some(e)) = (member("n"), member("e")) else { return false };
            sig::RsaPublicKeyComponents { n, e }.verify(parameters, message, signature).is_ok()
        }
        (Some("EC"), "ES256" | "ES384") => {
            let parameters = if algorithm == "ES256" { &sig::ECDSA_P256_SHA256_FIXED } else { &sig::ECDSA_P384_SHA384_FIXED };
            let (Some(x), Some(y)) = (member("x"), member("y")) else { return false };
            let point: Vec<u8> = std::iter::once(4u8).chain(x).chain(y).collect();
            sig::UnparsedPublicKey::new(parameters, point).verify(message, signature).is_ok()
        }
        _ => false,
    }
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
        assert!(parsed.principal_tags.is_empty());
    }

    #[test]
    fn session_tags_are_read_from_the_aws_tags_claim() {
        let jwt = token(
            r#"{"alg":"RS256"}"#,
            r#"{"iss":"https://idp.example.com","aud":"app","sub":"u","exp":2000000000,
                "https://aws.amazon.com/tags":{"principal_tags":{"Project":["Automation"],"CostCenter":["987654"]},
                "transitive_tag_keys":["Project"]}}"#,
        );
        let parsed = parse(&jwt).unwrap();
        assert!(parsed.principal_tags.contains(&("Project".to_owned(), vec!["Automation".to_owned()])));
        assert!(parsed.principal_tags.contains(&("CostCenter".to_owned(), vec!["987654".to_owned()])));
        assert_eq!(parsed.transitive_tag_keys, vec!["Project"]);
    }

    #[test]
    fn an_es256_signature_verifies_with_the_jwk_that_kid_names() {
        use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = key.public_key().as_ref();
        let jwks = serde_json::json!({"keys": [{
            "kty": "EC", "crv": "P-256", "kid": "k1",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..]),
        }]});
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","kid":"k1"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"iss":"https://idp.example.com","aud":"a","sub":"s","exp":2000000000}"#)
        );
        let signature = key.sign(&rng, signed.as_bytes()).unwrap();
        let token = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()));
        assert!(signature_valid(&token, &jwks));
        let tampered = token.replacen(".eyJ", ".eyK", 1);
        assert!(!signature_valid(&tampered, &jwks));
        let other_kid = serde_json::json!({"keys": [{"kid": "k2", "kty": "EC", "x": jwks["keys"][0]["x"], "y": jwks["keys"][0]["y"]}]});
        assert!(!signature_valid(&token, &other_kid));
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
