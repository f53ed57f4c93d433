//! SAML's times: `xs:dateTime` in UTC (SAML core §1.3.3), read as seconds since the epoch.

/// Seconds since 1970-01-01T00:00:00Z of `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`.
pub fn parse(text: &str) -> Option<f64> {
    let (date, time) = text.split_once('T')?;
    let mut date_parts = date.splitn(3, '-');
    let year: i64 = number(date_parts.next()?, 4)?;
    let month: i64 = number(date_parts.next()?, 2)?;
    let day: i64 = number(date_parts.next()?, 2)?;
    let (clock, offset_seconds) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, 0)
    } else {
        let sign_at = time.rfind(['+', '-'])?;
        let (clock, offset) = time.split_at(sign_at);
        let (hours, minutes) = offset[1..].split_once(':')?;
        let magnitude = number(hours, 2)? * 3600 + number(minutes, 2)? * 60;
        (clock, if offset.starts_with('-') { -magnitude } else { magnitude })
    };
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut clock_parts = whole.splitn(3, ':');
    let hour = number(clock_parts.next()?, 2)?;
    let minute = number(clock_parts.next()?, 2)?;
    let second = number(clock_parts.next()?, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let fraction = if fraction.is_empty() {
        0.0
    } else if fraction.bytes().all(|b| b.is_ascii_digit()) {
        format!("0.{fraction}").parse().ok()?
    } else {
        return None;
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds as f64 + fraction)
}

fn number(text: &str, digits: usize) -> Option<i64> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn utc_times_with_and_without_fractions() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse("2013-11-05T02:06:42.876Z"), Some(1_383_617_202.876));
        assert_eq!(parse("2000-03-01T00:00:00Z"), Some(951_868_800.0));
    }

    #[test]
    fn offsets_are_taken_off() {
        assert_eq!(parse("2013-11-05T04:06:42+02:00"), parse("2013-11-05T02:06:42Z"));
        assert_eq!(parse("2013-11-04T21:06:42-05:00"), parse("2013-11-05T02:06:42Z"));
    }

    #[test]
    fn anything_else_is_no_time() {
        for text in ["2013-11-05", "2013-13-05T00:00:00Z", "2013-11-05T00:00:00", "yesterday", "2013-11-05T00:00:00.x1Z"] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
