//! What a LookupEvents query asks of the log, and its opaque next token.

use super::AuditAttribute;
use crate::error::StoreError;

/// How a lookup narrows the log.
pub(crate) enum AuditFilter {
    All,
    /// Events whose `attribute` is exactly `value` (`"true"` or `"false"` for `ReadOnly`).
    Attribute {
        attribute: AuditAttribute,
        value: String,
    },
}

/// A position in the log: events are ordered by (event_time, seq), newest first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AuditCursor {
    pub(crate) time: f64,
    pub(crate) seq: i64,
}

impl AuditCursor {
    pub(super) const START: AuditCursor = AuditCursor {
        time: f64::MAX,
        seq: i64::MAX,
    };

    /// A next token names the last event returned, so appends never shift later pages.
    pub(super) fn token(self) -> String {
        format!("{:016x}{:016x}", self.time.to_bits(), self.seq as u64)
    }

    pub(super) fn from_token(token: &str) -> Result<AuditCursor, StoreError> {
        let invalid =
            || StoreError::InvalidToken(format!("{token:?} was not issued by this store"));
        let parse = |hex: Option<&str>| {
            hex.and_then(|hex| u64::from_str_radix(hex, 16).ok())
                .ok_or_else(invalid)
        };
        if token.len() != 32 || !token.is_ascii() {
            return Err(invalid());
        }
        let time = f64::from_bits(parse(token.get(..16))?);
        let seq = parse(token.get(16..))? as i64;
        Ok(AuditCursor { time, seq })
    }
}

/// One event a lookup found.
pub(crate) struct AuditRow {
    pub(crate) event_json: String,
    pub(crate) cursor: AuditCursor,
}

/// The filter of a query, or `None` when it can match no event: CloudTrail matches
/// `ReadOnly` exactly, so any value but `"true"` and `"false"` matches nothing.
pub(super) fn filter_for(attribute: Option<(AuditAttribute, String)>) -> Option<AuditFilter> {
    let filter = match attribute {
        None => AuditFilter::All,
        Some((AuditAttribute::ReadOnly, value)) if value != "true" && value != "false" => {
            return None
        }
        Some((attribute, value)) => AuditFilter::Attribute { attribute, value },
    };
    Some(filter)
}

#[cfg(test)]
mod tests {
    use super::AuditCursor;

    #[test]
    fn next_token_round_trips_the_cursor() {
        let cursor = AuditCursor {
            time: 1_700_000_000.123,
            seq: 42,
        };
        assert_eq!(AuditCursor::from_token(&cursor.token()).unwrap(), cursor);
    }

    #[test]
    fn next_token_of_the_wrong_shape_is_refused() {
        assert!(AuditCursor::from_token("").is_err());
        assert!(AuditCursor::from_token(&"g".repeat(32)).is_err());
        assert!(AuditCursor::from_token(&"é".repeat(16)).is_err());
    }
}
