//! How a LookupEvents query maps onto the audit tables, and its opaque next token.

use super::{AuditAttribute, RESOURCE_NAME, RESOURCE_TYPE};
use crate::error::StoreError;

/// How a lookup narrows the log, in terms of the tables.
pub(crate) enum AuditFilter {
    All,
    Column { column: &'static str, value: String },
    ReadOnly(bool),
    Resource { kind: i16, value: String },
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

/// The lookup statement for a filter. Parameters: ?1 account, ?2 region, ?3 start time,
/// ?4 end time, ?5 and ?6 the cursor, ?7 the limit, then the filter's values.
pub(crate) fn lookup_sql(filter: &AuditFilter) -> String {
    let window = |table: &str| {
        format!(
            "{table}.account = ?1 AND {table}.region = ?2
             AND {table}.event_time >= ?3 AND {table}.event_time <= ?4
             AND ({table}.event_time, {table}.seq) < (?5, ?6)"
        )
    };
    let events = |condition: &str| {
        format!(
            "SELECT e.event_json, e.event_time, e.seq FROM audit_events e
             WHERE {} {condition}
             ORDER BY e.event_time DESC, e.seq DESC LIMIT ?7",
            window("e")
        )
    };
    match filter {
        AuditFilter::All => events(""),
        AuditFilter::Column { column, .. } => events(&format!("AND e.{column} = ?8")),
        AuditFilter::ReadOnly(_) => events("AND e.read_only = ?8"),
        AuditFilter::Resource { .. } => format!(
            "SELECT e.event_json, r.event_time, r.seq
             FROM audit_resources r JOIN audit_events e ON e.seq = r.seq
             WHERE {} AND r.kind = ?8 AND r.value = ?9
             ORDER BY r.event_time DESC, r.seq DESC LIMIT ?7",
            window("r")
        ),
    }
}

pub(super) fn filter_for(attribute: Option<(AuditAttribute, String)>) -> Option<AuditFilter> {
    let column = |column, value| AuditFilter::Column { column, value };
    let filter = match attribute {
        None => AuditFilter::All,
        Some((attribute, value)) => match attribute {
            AuditAttribute::EventId => column("event_id", value),
            AuditAttribute::EventName => column("event_name", value),
            AuditAttribute::EventSource => column("event_source", value),
            AuditAttribute::Username => column("username", value),
            AuditAttribute::AccessKeyId => column("access_key_id", value),
            AuditAttribute::ReadOnly => match value.as_str() {
                "true" => AuditFilter::ReadOnly(true),
                "false" => AuditFilter::ReadOnly(false),
                // CloudTrail matches exactly: any other value matches no event.
                _ => return None,
            },
            AuditAttribute::ResourceType => AuditFilter::Resource {
                kind: RESOURCE_TYPE,
                value,
            },
            AuditAttribute::ResourceName => AuditFilter::Resource {
                kind: RESOURCE_NAME,
                value,
            },
        },
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
