//! The two request-time formats SigV4 accepts (ISO 8601 basic in X-Amz-Date, IMF-fixdate in
//! Date), converted to and from epoch seconds without a date library.

/// Epoch seconds of `YYYYMMDDTHHMMSSZ`, or `None` when it is not exactly that.
pub(crate) fn parse_amz_date(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[4..6])?;
    let day = digits(&b[6..8])?;
    let hour = digits(&b[9..11])?;
    let minute = digits(&b[11..13])?;
    let second = digits(&b[13..15])?;
    epoch_seconds(year, month, day, hour, minute, second)
}

/// Epoch seconds of an HTTP date such as `Mon, 01 Jan 2024 00:00:00 GMT`, the form clients
/// that sign with the Date header send (botocore writes the zone as `-0000`).
pub(crate) fn parse_http_date(text: &str) -> Option<f64> {
    let b = text.trim().as_bytes();
    if b.len() < 27 || &b[3..5] != b", " {
        return None;
    }
    if b[7] != b' '
        || b[11] != b' '
        || b[16] != b' '
        || b[19] != b':'
        || b[22] != b':'
        || b[25] != b' '
    {
        return None;
    }
    let day = digits(&b[5..7])?;
    let month = MONTHS.iter().position(|m| m.as_bytes() == &b[8..11])? as u32 + 1;
    let year = digits(&b[12..16])?;
    let hour = digits(&b[17..19])?;
    let minute = digits(&b[20..22])?;
    let second = digits(&b[23..25])?;
    let offset = zone_offset_seconds(&b[26..])?;
    Some(epoch_seconds(year, month, day, hour, minute, second)? - offset)
}

/// `GMT`, `UTC`, `UT`, `Z` or a numeric `+hhmm` / `-hhmm` zone.
fn zone_offset_seconds(zone: &[u8]) -> Option<f64> {
    match zone {
        b"GMT" | b"UTC" | b"UT" | b"Z" => Some(0.0),
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 4 => {
            let hours = digits(&rest[..2])?;
            let minutes = digits(&rest[2..])?;
            let seconds = f64::from(hours * 3600 + minutes * 60);
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => None,
    }
}

/// `YYYYMMDDTHHMMSSZ` for epoch seconds, as AWS prints times in signature messages.
pub(crate) fn format_amz_date(seconds: f64) -> String {
    let whole = if seconds.is_finite() {
        seconds.floor().clamp(0.0, 253_402_300_799.0)
    } else {
        0.0
    };
    wire::timestamp::format_amz_date(whole)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

fn epoch_seconds(
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Option<f64> {
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => ((civil(year, 3, 1) - civil(year, 2, 1)) / 86_400.0) as i64,
        _ => return None,
    };
    if day == 0 || i64::from(day) > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(civil(year, month, day) + f64::from(hour * 3600 + minute * 60 + second))
}

/// Midnight of a proleptic Gregorian date, in epoch seconds (the calendar is wire's).
fn civil(year: u32, month: u32, day: u32) -> f64 {
    let date = wire::timestamp::DateTime { year: i64::from(year), month, day, hour: 0, minute: 0, second: 0, millis: 0 };
    date.to_epoch()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_of_new_year_2024_is_its_epoch_second() {
        assert_eq!(parse_amz_date("20240101T000000Z"), Some(1_704_067_200.0));
    }

    #[test]
    fn http_date_reads_like_amz_date() {
        assert_eq!(
            parse_http_date("Mon, 01 Jan 2024 00:00:00 GMT"),
            Some(1_704_067_200.0)
        );
    }

    #[test]
    fn http_date_applies_its_zone_offset() {
        assert_eq!(
            parse_http_date("Mon, 01 Jan 2024 01:00:00 +0100"),
            Some(1_704_067_200.0)
        );
        assert_eq!(
            parse_http_date("Mon, 01 Jan 2024 00:00:00 -0000"),
            Some(1_704_067_200.0)
        );
    }

    #[test]
    fn amz_date_rejects_impossible_days() {
        assert_eq!(parse_amz_date("20230229T000000Z"), None);
        assert_eq!(parse_amz_date("20240229T000000Z"), Some(1_709_164_800.0));
    }

    #[test]
    fn amz_date_rejects_other_formats() {
        assert_eq!(parse_amz_date("2024-01-01T00:00:00Z"), None);
        assert_eq!(parse_amz_date("20240101T0000００Z"), None);
    }

    #[test]
    fn formatting_inverts_parsing() {
        for text in ["20240101T000000Z", "19991231T235959Z", "20240229T120304Z"] {
            assert_eq!(format_amz_date(parse_amz_date(text).unwrap()), text);
        }
    }
}
