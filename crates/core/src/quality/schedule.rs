//! Scheduled quality runs: a five-field cron expression (minute hour
//! day-of-month month day-of-week, Asia/Shanghai) with `*`, numbers, lists,
//! ranges and steps, e.g. `0 2 * * *` (02:00 daily) or `30 6 * * 1`
//! (Mondays 06:30).

use chrono::{Datelike, TimeZone, Timelike};

/// A parsed cron expression: the allowed values of each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    fields: [Vec<u32>; 5],
}

const BOUNDS: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];

fn field(text: &str, (lo, hi): (u32, u32)) -> Option<Vec<u32>> {
    let mut values = Vec::new();
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (from, to) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (a.parse().ok()?, b.parse().ok()?)
        } else {
            let v: u32 = range.parse().ok()?;
            (v, if part.contains('/') { hi } else { v })
        };
        if from < lo || to > hi || from > to {
            return None;
        }
        values.extend((from..=to).step_by(step as usize));
    }
    values.sort_unstable();
    values.dedup();
    Some(values)
}

impl Cron {
    /// Parse `minute hour day month weekday` (weekday 0 = Sunday; 7 is not accepted).
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return None;
        }
        let mut fields: [Vec<u32>; 5] = Default::default();
        for (i, part) in parts.iter().enumerate() {
            fields[i] = field(part, BOUNDS[i])?;
        }
        Some(Self { fields })
    }

    /// Whether the Asia/Shanghai minute of instant `ms` matches.
    pub fn matches(&self, ms: i64) -> bool {
        let Some(t) = crate::time::shanghai().timestamp_millis_opt(ms).single() else {
            return false;
        };
        let values = [
            t.minute(),
            t.hour(),
            t.day(),
            t.month(),
            t.weekday().num_days_from_sunday(),
        ];
        self.fields
            .iter()
            .zip(values)
            .all(|(allowed, v)| allowed.contains(&v))
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
            "0 0 * * 7",
        ] {
            assert!(Cron::parse(bad).is_none(), "{bad}");
        }
    }
}
