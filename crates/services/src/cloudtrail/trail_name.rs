//! CloudTrail's rules for trail names, and resolving a name or ARN to a trail's key.

use gateway::RequestContext;

use super::error;
use wire::ApiError;

/// Checks a new trail's name as CloudTrail does: 3–128 characters of letters, digits, periods,
/// underscores and dashes; starting and ending with a letter or digit; no two of `._-` side by
/// side; not shaped like an IP address.
pub fn check_trail_name(name: &str) -> Result<(), ApiError> {
    let invalid = |why: &str| Err(error("InvalidTrailNameException", format!("Trail name {name} is invalid: {why}")));
    if name.len() < 3 {
        return invalid("trail names must be at least 3 characters long");
    }
    if name.len() > 128 {
        return invalid("trail names must be at most 128 characters long");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return invalid("trail names may contain only letters, numbers, periods, underscores and dashes");
    }
    let bytes = name.as_bytes();
    if !bytes[0].is_ascii_alphanumeric() || !bytes[bytes.len() - 1].is_ascii_alphanumeric() {
        return invalid("trail names must start and end with a letter or number");
    }
    if bytes.windows(2).any(|w| !w[0].is_ascii_alphanumeric() && !w[1].is_ascii_alphanumeric()) {
        return invalid("trail names must not have adjacent periods, underscores or dashes");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return invalid("trail names must not be formatted as an IP address");
    }
    Ok(())
}

/// A trail named by name or ARN, as CloudTrail's operations accept either.
pub struct TrailRef {
    pub account: String,
    /// The home region when the caller gave an ARN.
    pub region: Option<String>,
    pub name: String,
}

impl TrailRef {
    pub fn parse(ctx: &RequestContext, name_or_arn: &str) -> Result<Self, ApiError> {
        if let Some(rest) = name_or_arn.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            let [_partition, "cloudtrail", region, account, resource] = parts[..] else {
                return Err(error("CloudTrailARNInvalidException", format!("{name_or_arn} is not a valid trail ARN.")));
            };
            let Some(name) = resource.strip_prefix("trail/") else {
                return Err(error("CloudTrailARNInvalidException", format!("{name_or_arn} is not a valid trail ARN.")));
            };
            return Ok(TrailRef { account: account.to_owned(), region: Some(region.to_owned()), name: name.to_owned() });
        }
        Ok(TrailRef { account: ctx.account().to_owned(), region: None, name: name_or_arn.to_owned() })
    }
}

pub fn trail_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_trail_names_pass() {
        assert!(check_trail_name("my-trail_1.prod").is_ok());
        assert!(check_trail_name("abc").is_ok());
    }

    #[test]
    fn trail_names_that_break_a_rule_are_refused() {
        for name in ["ab", "-trail", "trail-", "my--trail", "my._trail", "has space", "10.0.0.1", &"a".repeat(129)] {
            let e = check_trail_name(name).unwrap_err();
            assert_eq!(e.code, "InvalidTrailNameException", "{name}");
        }
    }
}
