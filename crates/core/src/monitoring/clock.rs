//! Stage clocks (MON-1): deadline, suspensions, used share — exactly as the
//! SPEC's clock rules state (all dates in Asia/Shanghai):
//!
//! * **working-day budget N** starting at instant t: day 1 is the first working
//!   day after the date of t; the deadline is 23:59:59 of day N;
//! * **natural-day budget N**: day 1 is the calendar day after t; if day N is not
//!   a working day the deadline moves to the end of the next working day;
//! * a **suspension** from s to e extends the deadline by the working days whose
//!   date is after the date of s and not after the date of e (same day: 0);
//!   suspensions add up;
//! * **used share** = elapsed ÷ N, **remaining** = N − elapsed, elapsed counted
//!   the same way as the budget, suspended working days excluded.

use super::calendar::{end_of_day, local_date, WorkCalendar};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Working,
    Natural,
}

impl Unit {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "working" => Some(Self::Working),
            "natural" => Some(Self::Natural),
            _ => None,
        }
    }
}

/// A pause of the clock (补齐补正 or 特别程序); `end_ms` is `None` while open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Suspension {
    pub start_ms: i64,
    pub end_ms: Option<i64>,
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub deadline_ms: i64,
    /// The days counted as day 1 … N (working or natural per the unit).
    pub counted_days: Vec<NaiveDate>,
    /// Working days added by closed suspensions.
    pub suspended_days: i64,
}

/// Working days a suspension covers up to `until` (its end, or now while open).
fn suspended_working_days(calendar: &WorkCalendar, s: &Suspension, until_ms: i64) -> i64 {
    let end = s.end_ms.unwrap_or(until_ms).min(until_ms.max(s.start_ms));
    calendar.working_days_between(local_date(s.start_ms), local_date(end))
}

/// The deadline of a budget of `budget` days from `start_ms`, extended by the
/// closed suspensions (an open one has no known length yet: see [`progress`]).
pub fn deadline(
    calendar: &WorkCalendar,
    start_ms: i64,
    budget: u32,
    unit: Unit,
    suspensions: &[Suspension],
) -> Deadline {
    let start = local_date(start_ms);
    let (counted_days, mut last) = match unit {
        Unit::Working => {
            let mut days = Vec::with_capacity(budget as usize);
            let mut day = start;
            for _ in 0..budget {
                day = calendar.nth_working_day_after(day, 1);
                days.push(day);
            }
            (days, day)
        }
        Unit::Natural => {
            let days: Vec<NaiveDate> = (1..=i64::from(budget))
                .map(|n| start + Duration::days(n))
                .collect();
            let mut last = days.last().copied().unwrap_or(start);
            if !calendar.is_working(last) {
                last = calendar.nth_working_day_after(last, 1);
            }
            (days, last)
        }
    };
    let suspended_days: i64 = suspensions
        .iter()
        .filter_map(|s| {
            s.end_ms
                .map(|end| calendar.working_days_between(local_date(s.start_ms), local_date(end)))
        })
        .sum();
    if suspended_days > 0 {
        last =
            calendar.nth_working_day_after(last, u32::try_from(suspended_days).unwrap_or(u32::MAX));
    }
    Deadline {
        deadline_ms: end_of_day(last),
        counted_days,
        suspended_days,
    }
}

/// How much of a budget is used at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub elapsed: i64,
    pub used_share: f64,
    pub remaining: i64,
}

pub fn progress(
    calendar: &WorkCalendar,
    start_ms: i64,
    budget: u32,
    unit: Unit,
    suspensions: &[Suspension],
    now_ms: i64,
) -> Progress {
    let start = local_date(start_ms);
    let today = local_date(now_ms);
    let raw = match unit {
        Unit::Working => calendar.working_days_between(start, today),
        Unit::Natural => (today - start).num_days().max(0),
    };
    let paused: i64 = suspensions
        .iter()
        .filter(|s| s.start_ms <= now_ms)
        .map(|s| suspended_working_days(calendar, s, now_ms))
        .sum();
    let elapsed = (raw - paused).max(0);
    let budget = i64::from(budget);
    Progress {
        elapsed,
        used_share: if budget == 0 {
            1.0
        } else {
            elapsed as f64 / budget as f64
        },
        remaining: budget - elapsed,
    }
}
