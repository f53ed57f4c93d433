//! Timestamps in the three wire formats AWS uses: ISO 8601 (`2019-12-16T23:48:18Z`), RFC 822 /
//! HTTP date (`Mon, 16 Dec 2019 23:48:18 GMT`) and epoch seconds. Canonical values are epoch
//! seconds as f64.

const DAY_NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Calendar fields of a UTC instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
}

// Howard Hinnant's civil-from-days / days-from-civil, valid for the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl DateTime {
    pub fn from_epoch(seconds: f64) -> Self {
        let total_millis = (seconds * 1000.0).round() as i64;
        let secs = total_millis.div_euclid(1000);
        let millis = total_millis.rem_euclid(1000) as u32;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            millis,
        }
    }

    pub fn to_epoch(&self) -> f64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86_400 + i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        secs as f64 + f64::from(self.millis) / 1000.0
    }
}

/// `2019-12-16T23:48:18Z`, with `.mmm` only when the instant has milliseconds.
pub fn format_iso8601(seconds: f64) -> String {
    let t = DateTime::from_epoch(seconds);
    let base = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
    if t.millis == 0 {
        base + "Z"
    } else {
        format!("{base}.{:03}Z", t.millis)
    }
}

/// `2019-12-16T23:48:18.000Z`: the fixed-width form query services answer with.
pub fn format_iso8601_millis(seconds: f64) -> String {
    let t = DateTime::from_epoch(seconds);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
    )
}

/// `Mon, 16 Dec 2019 23:48:18 GMT` (RFC 7231 IMF-fixdate).
pub fn format_http_date(seconds: f64) -> String {
    let t = DateTime::from_epoch(seconds.floor());
    let days = (seconds.floor() as i64).div_euclid(86_400);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAY_NAMES[days.rem_euclid(7) as usize],
        t.day,
        MONTH_NAMES[(t.month - 1) as usize],
        t.year,
        t.hour,
        t.minute,
        t.second
    )
}

/// `20191216T234818Z`, the SigV4 `X-Amz-Date` form.
pub fn format_amz_date(seconds: f64) -> String {
    let t = DateTime::from_epoch(seconds.floor());
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second)
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn checked(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32, millis: u32) -> Option<DateTime> {
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60 && second < 61;
    valid.then_some(DateTime { year, month, day, hour, minute, second: second.min(59), millis })
}

/// Parses ISO 8601 date-times: `2019-12-16T23:48:18Z`, fractions, `+01:00` offsets, and the
/// basic form `20191216T234818Z`.
pub fn parse_iso8601(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, rest) = text.split_once(['T', 't'])?;
    let (year, month, day) = if date.len() == 8 {
        (digits(date.get(0..4)?)? as i64, digits(date.get(4..6)?)?, digits(date.get(6..8)?)?)
    } else {
        let mut parts = date.splitn(3, '-');
        (digits(parts.next()?)? as i64, digits(parts.next()?)?, digits(parts.next()?)?)
    };
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let (clock, fraction) = match clock.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (clock, None),
    };
    let (hour, minute, second) = if clock.contains(':') {
        let mut parts = clock.splitn(3, ':');
        (digits(parts.next()?)?, digits(parts.next()?)?, digits(parts.next().unwrap_or("0"))?)
    } else if clock.len() == 6 {
        (digits(clock.get(0..2)?)?, digits(clock.get(2..4)?)?, digits(clock.get(4..6)?)?)
    } else {
        return None;
    };
    let fraction_seconds = match fraction {
        Some(f) => format!("0.{}", f).parse::<f64>().ok().filter(|_| digits(f).is_some())?,
        None => 0.0,
    };
    let offset_seconds = match zone {
        "" | "Z" | "z" => 0i64,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let body = zone.get(1..)?.replace(':', "");
            if body.len() != 4 {
                return None;
            }
            sign * (i64::from(digits(body.get(0..2)?)?) * 3600 + i64::from(digits(body.get(2..4)?)?) * 60)
        }
    };
    let t = checked(year, month, day, hour, minute, second, 0)?;
    Some(t.to_epoch() + fraction_seconds - offset_seconds as f64)
}

/// Parses RFC 7231 IMF-fixdate (`Mon, 16 Dec 2019 23:48:18 GMT`), fractions allowed.
pub fn parse_http_date(text: &str) -> Option<f64> {
    let text = text.trim();
    let rest = text.split_once(", ").map_or(text, |(_, r)| r);
    let mut parts = rest.split_whitespace();
    let day = digits(parts.next()?)?;
    let month_name = parts.next()?;
    let month = MONTH_NAMES.iter().position(|m| m.eq_ignore_ascii_case(month_name))? as u32 + 1;
    let year = digits(parts.next()?)? as i64;
    let clock = parts.next()?;
    let (clock, fraction) = match clock.split_once('.') {
        Some((c, f)) => (c, format!("0.{f}").parse::<f64>().ok()?),
        None => (clock, 0.0),
    };
    let mut hms = clock.splitn(3, ':');
    let (hour, minute, second) = (digits(hms.next()?)?, digits(hms.next()?)?, digits(hms.next()?)?);
    match parts.next() {
        None | Some("GMT") | Some("UTC") | Some("Z") => {}
        Some(_) => return None,
    }
    Some(checked(year, month, day, hour, minute, second, 0)?.to_epoch() + fraction)
}

/// Any of the three forms, as a server accepts a timestamp it did not pin down.
pub fn parse_any(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .or_else(|| parse_iso8601(text))
        .or_else(|| parse_http_date(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_round_trips() {
        assert_eq!(format_iso8601(1576540098.0), "2019-12-16T23:48:18Z");
        assert_eq!(parse_iso8601("2019-12-16T23:48:18Z"), Some(1576540098.0));
        assert_eq!(format_iso8601(1576540098.5), "2019-12-16T23:48:18.500Z");
    }

    #[test]
    fn iso8601_offsets_are_applied() {
        assert_eq!(parse_iso8601("2019-12-16T22:48:18-01:00"), Some(1576540098.0));
        assert_eq!(parse_iso8601("2019-12-17T00:48:18+01:00"), Some(1576540098.0));
    }

    #[test]
    fn amz_date_is_basic_iso8601() {
        assert_eq!(format_amz_date(1576540098.0), "20191216T234818Z");
        assert_eq!(parse_iso8601("20191216T234818Z"), Some(1576540098.0));
    }

    #[test]
    fn http_dates_round_trip() {
        assert_eq!(format_http_date(1576540098.0), "Mon, 16 Dec 2019 23:48:18 GMT");
        assert_eq!(parse_http_date("Mon, 16 Dec 2019 23:48:18 GMT"), Some(1576540098.0));
    }

    #[test]
    fn dates_before_the_epoch_work() {
        assert_eq!(format_iso8601(-86_400.0), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn multibyte_characters_never_split_a_date() {
        assert_eq!(parse_iso8601("2019121\u{e9}T234818Z"), None);
        assert_eq!(parse_iso8601("20191216T2348\u{e9}Z"), None);
        assert_eq!(parse_iso8601("2019-12-16T23:48:18+0\u{e9}"), None);
    }

    #[test]
    fn malformed_dates_are_refused() {
        assert_eq!(parse_iso8601("2019-13-16T23:48:18Z"), None);
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(parse_http_date("Mon, 16 Foo 2019 23:48:18 GMT"), None);
    }
}
