//! When a secret rotates next, from its RotationRules: AutomaticallyAfterDays, or a
//! ScheduleExpression `rate(N hours|days)` or `cron(minutes hours day-of-month month day-of-week
//! year)` in AWS's six-field cron dialect (`?`, `L` and `#` included), all in UTC.

use wire::timestamp::DateTime;
use wire::ApiError;

use super::{invalid_parameter, secret_record::RotationRules};

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
/// A cron expression that matches nothing within this many days is refused.
const CRON_SEARCH_DAYS: i64 = 366 * 5;
const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Every so many seconds after the last rotation.
    Every(f64),
    Cron(Cron),
}

fn bad_expression(text: &str) -> ApiError {
    invalid_parameter(format!("Invalid ScheduleExpression: {text}"))
}

/// Checks the rules AWS checks and reads the schedule they describe.
pub fn parse_rules(rules: &RotationRules) -> Result<Schedule, ApiError> {
    if let Some(duration) = &rules.duration {
        let hours: u32 = duration.trim_end_matches('h').parse().map_err(|_| invalid_parameter("Invalid Duration."))?;
        if !(1..=24).contains(&hours) {
            return Err(invalid_parameter("The rotation window Duration must be between 1h and 24h."));
        }
    }
    match (&rules.automatically_after_days, &rules.schedule_expression) {
        (Some(_), Some(_)) => Err(invalid_parameter(
            "You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.",
        )),
        (Some(days), None) => Ok(Schedule::Every(*days as f64 * DAY)),
        (None, Some(expression)) => parse_expression(expression),
        (None, None) => Err(invalid_parameter("RotationRules must have AutomaticallyAfterDays or ScheduleExpression.")),
    }
}

fn parse_expression(text: &str) -> Result<Schedule, ApiError> {
    let trimmed = text.trim();
    if let Some(body) = trimmed.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let (count, unit) = body.trim().split_once(' ').ok_or_else(|| bad_expression(text))?;
        let count: u32 = count.parse().map_err(|_| bad_expression(text))?;
        let seconds = match unit.trim() {
            "hour" | "hours" => f64::from(count) * HOUR,
            "day" | "days" => f64::from(count) * DAY,
            _ => return Err(bad_expression(text)),
        };
        // Secrets Manager rotates at most every four hours and at least every thousand days.
        if !(4.0 * HOUR..=1000.0 * DAY).contains(&seconds) {
            return Err(invalid_parameter("The rotation interval must be between 4 hours and 1000 days."));
        }
        return Ok(Schedule::Every(seconds));
    }
    if let Some(body) = trimmed.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        return Cron::parse(body).ok_or_else(|| bad_expression(text)).map(Schedule::Cron);
    }
    Err(bad_expression(text))
}

impl Schedule {
    /// The first rotation time after `after` (the last rotation, or now).
    pub fn next_after(&self, after: f64) -> Option<f64> {
        match self {
            Schedule::Every(seconds) => Some(after + seconds),
            Schedule::Cron(cron) => cron.next_after(after),
        }
    }
}

/// One cron field: the values it allows.
#[derive(Debug, Clone, PartialEq)]
struct Field(Vec<u32>);

impl Field {
    fn parse(text: &str, min: u32, max: u32, names: &[&str], name_base: u32) -> Option<Field> {
        let value = |t: &str| -> Option<u32> {
            let upper = t.to_ascii_uppercase();
            match names.iter().position(|n| *n == upper) {
                Some(i) => Some(i as u32 + name_base),
                None => t.parse().ok().filter(|v| (min..=max).contains(v)),
            }
        };
        let mut values = Vec::new();
        for part in text.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((range, step)) => (range, step.parse::<u32>().ok().filter(|s| *s > 0)?),
                None => (part, 1),
            };
            let (low, high) = match range {
                "*" | "?" => (min, max),
                _ => match range.split_once('-') {
                    Some((a, b)) => (value(a)?, value(b)?),
                    None if step > 1 => (value(range)?, max),
                    None => (value(range)?, value(range)?),
                },
            };
            if low > high {
                return None;
            }
            values.extend((low..=high).step_by(step as usize));
        }
        Some(Field(values))
    }

    fn allows(&self, value: u32) -> bool {
        self.0.contains(&value)
    }
}

/// How the day-of-month and day-of-week fields pick days.
#[derive(Debug, Clone, PartialEq)]
enum DayRule {
    Any,
    MonthDays(Field),
    LastDayOfMonth,
    WeekDays(Field),
    /// `d#n`: the n-th weekday d of the month.
    NthWeekday { weekday: u32, nth: u32 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    minutes: Field,
    hours: Field,
    days: DayRule,
    months: Field,
    years: Option<Field>,
}

impl Cron {
    fn parse(body: &str) -> Option<Cron> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, day_of_month, month, day_of_week, year] = fields.as_slice() else { return None };
        let days = match (*day_of_month, *day_of_week) {
            // Exactly one of the two day fields is `?`.
            ("?", "?") => return None,
            ("*", "?") | ("?", "*") => DayRule::Any,
            ("L", "?") => DayRule::LastDayOfMonth,
            (dom, "?") => DayRule::MonthDays(Field::parse(dom, 1, 31, &[], 0)?),
            ("?", dow) if dow.contains('#') => {
                let (weekday, nth) = dow.split_once('#')?;
                let weekday = Field::parse(weekday, 1, 7, &WEEKDAYS, 1)?.0.first().copied()?;
                let nth = nth.parse().ok().filter(|n| (1..=5).contains(n))?;
                DayRule::NthWeekday { weekday, nth }
            }
            ("?", dow) => DayRule::WeekDays(Field::parse(dow, 1, 7, &WEEKDAYS, 1)?),
            // AWS requires `?` in one of the two day fields.
            _ => return None,
        };
        Some(Cron {
            minutes: Field::parse(minutes, 0, 59, &[], 0)?,
            hours: Field::parse(hours, 0, 23, &[], 0)?,
            days,
            months: Field::parse(month, 1, 12, &MONTHS, 1)?,
            years: match *year {
                "*" | "?" => None,
                year => Some(Field::parse(year, 1970, 2199, &[], 0)?),
            },
        })
    }

    fn day_matches(&self, date: &DateTime, epoch_day: i64) -> bool {
        // 1970-01-01 was a Thursday; AWS numbers Sunday 1 to Saturday 7.
        let weekday = ((epoch_day + 4).rem_euclid(7) + 1) as u32;
        let last_day = days_in_month(date.year, date.month);
        let day_ok = match &self.days {
            DayRule::Any => true,
            DayRule::MonthDays(field) => field.allows(date.day),
            DayRule::LastDayOfMonth => date.day == last_day,
            DayRule::WeekDays(field) => field.allows(weekday),
            DayRule::NthWeekday { weekday: wanted, nth } => weekday == *wanted && (date.day - 1) / 7 + 1 == *nth,
        };
        day_ok
            && self.months.allows(date.month)
            && self.years.as_ref().is_none_or(|years| u32::try_from(date.year).is_ok_and(|y| years.allows(y)))
    }

    /// The first whole minute after `after` that the expression matches.
    fn next_after(&self, after: f64) -> Option<f64> {
        let start_minute = (after / 60.0).floor() as i64 + 1;
        let first_day = start_minute.div_euclid(1440);
        for epoch_day in first_day..first_day + CRON_SEARCH_DAYS {
            let date = DateTime::from_epoch(epoch_day as f64 * DAY);
            if !self.day_matches(&date, epoch_day) {
                continue;
            }
            for &hour in &self.hours.0 {
                for &minute in &self.minutes.0 {
                    let at = epoch_day * 1440 + i64::from(hour) * 60 + i64::from(minute);
                    if at >= start_minute {
                        return Some(at as f64 * 60.0);
                    }
                }
            }
        }
        None
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let first_of_next = DateTime { year: next.0, month: next.1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 };
    DateTime::from_epoch(first_of_next.to_epoch() - DAY).day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(text: &str) -> f64 {
        wire::timestamp::parse_iso8601(text).unwrap()
    }

    fn schedule(expression: &str) -> Schedule {
        parse_rules(&RotationRules { schedule_expression: Some(expression.into()), ..RotationRules::default() }).unwrap()
    }

    #[test]
    fn automatically_after_days_counts_from_the_last_rotation() {
        let rules = RotationRules { automatically_after_days: Some(30), ..RotationRules::default() };
        assert_eq!(parse_rules(&rules).unwrap().next_after(0.0), Some(30.0 * DAY));
    }

    #[test]
    fn a_rate_in_hours_or_days() {
        assert_eq!(schedule("rate(10 days)").next_after(0.0), Some(10.0 * DAY));
        assert_eq!(schedule("rate(4 hours)").next_after(0.0), Some(4.0 * HOUR));
        assert!(parse_expression("rate(1 hours)").is_err());
        assert!(parse_expression("rate(5 weeks)").is_err());
    }

    #[test]
    fn cron_on_given_days_of_the_month() {
        let cron = schedule("cron(0 16 1,15 * ? *)");
        assert_eq!(cron.next_after(epoch("2026-03-02T00:00:00Z")), Some(epoch("2026-03-15T16:00:00Z")));
        assert_eq!(cron.next_after(epoch("2026-03-15T16:00:00Z")), Some(epoch("2026-04-01T16:00:00Z")));
    }

    #[test]
    fn cron_on_weekdays_by_name() {
        // 2026-03-02 is a Monday.
        let cron = schedule("cron(30 8 ? * SAT,SUN *)");
        assert_eq!(cron.next_after(epoch("2026-03-02T00:00:00Z")), Some(epoch("2026-03-07T08:30:00Z")));
    }

    #[test]
    fn cron_on_the_last_day_and_the_first_sunday() {
        assert_eq!(schedule("cron(0 0 L * ? *)").next_after(epoch("2026-02-10T00:00:00Z")), Some(epoch("2026-02-28T00:00:00Z")));
        assert_eq!(schedule("cron(0 4 ? * 1#1 *)").next_after(epoch("2026-03-02T00:00:00Z")), Some(epoch("2026-04-05T04:00:00Z")));
    }

    #[test]
    fn cron_needs_a_question_mark_in_a_day_field() {
        assert!(parse_expression("cron(0 0 1 * MON *)").is_err());
        assert!(parse_expression("cron(0 0 * * * *)").is_err());
        assert!(parse_expression("cron(0 0 ? * ? *)").is_err());
        assert!(parse_expression("cron(0 0 1 *)").is_err());
    }

    #[test]
    fn the_window_is_one_to_24_hours() {
        let rules = |d: &str| RotationRules { automatically_after_days: Some(1), duration: Some(d.into()), ..RotationRules::default() };
        assert!(parse_rules(&rules("3h")).is_ok());
        assert!(parse_rules(&rules("25h")).is_err());
    }
}
