//! Scheduled quality runs: a five-field cron expression (minute hour
//! day-of-month month day-of-week, Asia/Shanghai) with `*`, numbers, lists,
//! ranges and steps, e.g. `0 2 * * *` (02:00 daily) or `30 6 * * 1`
//! (Mondays 06:30).

use chrono::TimeZone;
use std::str::FromStr;

/// A parsed cron expression (croner, like the indicator-warning schedules).
#[derive(Debug, Clone)]
pub struct Cron(croner::Cron);

impl Cron {
    /// Parse `minute hour day month weekday` (exactly five fields).
    pub fn parse(text: &str) -> Option<Self> {
        if text.split_whitespace().count() != 5 {
            return None;
        }
        croner::Cron::from_str(text.trim()).ok().map(Self)
    }

    /// Whether the Asia/Shanghai minute of instant `ms` matches.
    pub fn matches(&self, ms: i64) -> bool {
        let minute = ms - ms.rem_euclid(60_000);
        crate::time::shanghai()
            .timestamp_millis_opt(minute)
            .single()
            .is_some_and(|t| self.0.is_time_matching(&t).unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        crate::time::parse_rfc3339(text).expect("time")
    }

    #[test]
    fn daily_weekly_and_stepped_expressions() {
        let daily = Cron::parse("0 2 * * *").expect("valid");
        assert!(daily.matches(ms("2026-12-05T02:00:30+08:00")));
        assert!(!daily.matches(ms("2026-12-05T02:01:00+08:00")));
        let monday = Cron::parse("30 6 * * 1").expect("valid");
        assert!(monday.matches(ms("2026-12-07T06:30:00+08:00")));
        assert!(!monday.matches(ms("2026-12-08T06:30:00+08:00")));
        let stepped = Cron::parse("*/15 8-18 1,15 * *").expect("valid");
        assert!(stepped.matches(ms("2026-12-15T18:45:00+08:00")));
        assert!(!stepped.matches(ms("2026-12-16T18:45:00+08:00")));
    }

    #[test]
    fn malformed_expressions_are_refused() {
        for bad in [
            "",
            "0 2 * *",
            "60 * * * *",
            "* 24 * * *",
            "0 0 0 * *",
            "*/0 * * * *",
            "5-1 * * * *",
            "a * * * *",
            "0 0 0 * * *  *",
        ] {
            assert!(Cron::parse(bad).is_none(), "{bad}");
        }
    }
}
