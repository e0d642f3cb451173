//! Feed health (issue 14 item 6): is a source still sending, and about as
//! much as usual? Pure: the store supplies the receipt counts, the server the
//! calendar and the instant.
//!
//! - **usual** volume of a (source, kind) today is the median of what it sent
//!   on the same weekday of the previous [`USUAL_WEEKS`] weeks (weeks before
//!   it first sent anything do not count; a week it sent nothing counts 0).
//! - **silent**: nothing received for more than the configured number of
//!   office hours (09:00–18:00 of working days on the working calendar), so a
//!   quiet weekend or holiday never counts against a source.
//! - **late**: today's volume so far is below [`LATE_SHARE`] of what the usual
//!   volume would have brought by now (the usual volume spread evenly over
//!   today's office hours), once at least [`LATE_MIN_EXPECTED`] were expected.

use crate::monitoring::calendar::{local_date, WorkCalendar};
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};

/// Weeks of history the usual volume looks back on.
pub const USUAL_WEEKS: i64 = 4;
/// Office hours of a working day, Asia/Shanghai.
pub const OFFICE_START_HOUR: u32 = 9;
pub const OFFICE_END_HOUR: u32 = 18;
/// Below this share of the expected volume so far a feed is late.
pub const LATE_SHARE: f64 = 0.5;
/// Fewer expected records than this are too few to call a feed late.
pub const LATE_MIN_EXPECTED: f64 = 20.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedState {
    Ok,
    Late,
    Silent,
}

impl FeedState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Late => "late",
            Self::Silent => "silent",
        }
    }
}

/// The days whose volumes make today's usual volume: the same weekday of the
/// previous weeks, newest first.
pub fn usual_days(today: NaiveDate) -> Vec<NaiveDate> {
    (1..=USUAL_WEEKS)
        .map(|w| today - Duration::weeks(w))
        .collect()
}

/// Median of the volumes on [`usual_days`], given what was received per day
/// (`volume(day)`, `None` = no row) and the first day the feed sent anything.
/// `None` while the feed has no such day behind it.
pub fn usual_volume(
    today: NaiveDate,
    first_day: Option<NaiveDate>,
    volume: impl Fn(NaiveDate) -> Option<u64>,
) -> Option<u64> {
    let first = first_day?;
    let mut volumes: Vec<u64> = usual_days(today)
        .into_iter()
        .filter(|day| *day >= first)
        .map(|day| volume(day).unwrap_or(0))
        .collect();
    if volumes.is_empty() {
        return None;
    }
    volumes.sort_unstable();
    let n = volumes.len();
    // The lower middle of an even count: a single busy week does not lift it.
    Some(volumes[(n - 1) / 2])
}

fn at(date: NaiveDate, hour: u32) -> i64 {
    let time = NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    crate::time::shanghai()
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}

/// Office time of `date` as `[start, end)` epoch milliseconds, if it is a working day.
fn office_of(calendar: &WorkCalendar, date: NaiveDate) -> Option<(i64, i64)> {
    calendar
        .is_working(date)
        .then(|| (at(date, OFFICE_START_HOUR), at(date, OFFICE_END_HOUR)))
}

/// Office hours (fractional) between two instants on the working calendar.
pub fn office_hours_between(calendar: &WorkCalendar, from_ms: i64, to_ms: i64) -> f64 {
    if to_ms <= from_ms {
        return 0.0;
    }
    let (first, last) = (local_date(from_ms), local_date(to_ms));
    // A feed silent for longer than a year is silent; no need to count further.
    let first = first.max(last - Duration::days(366));
    let mut millis = 0_i64;
    let mut day = first;
    while day <= last {
        if let Some((start, end)) = office_of(calendar, day) {
            millis += (end.min(to_ms) - start.max(from_ms)).max(0);
        }
        day += Duration::days(1);
    }
    millis as f64 / 3_600_000.0
}

/// How one feed stands at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedFigures {
    pub last_record_at: Option<i64>,
    /// Received today so far.
    pub today: u64,
    pub usual: Option<u64>,
}

/// The state of a feed: silent past `silent_after_hours` office hours since
/// its last record (or never heard from), late when far below its usual
/// volume so far today, else ok.
pub fn feed_state(
    calendar: &WorkCalendar,
    figures: &FeedFigures,
    silent_after_hours: f64,
    now_ms: i64,
) -> FeedState {
    let Some(last) = figures.last_record_at else {
        return FeedState::Silent;
    };
    if office_hours_between(calendar, last, now_ms) > silent_after_hours {
        return FeedState::Silent;
    }
    let today = local_date(now_ms);
    let (Some(usual), Some((start, end))) = (figures.usual, office_of(calendar, today)) else {
        return FeedState::Ok;
    };
    let elapsed = (now_ms.clamp(start, end) - start) as f64 / (end - start) as f64;
    let expected = usual as f64 * elapsed;
    if expected >= LATE_MIN_EXPECTED && (figures.today as f64) < LATE_SHARE * expected {
        FeedState::Late
    } else {
        FeedState::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn instant(text: &str) -> i64 {
        crate::time::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn the_usual_volume_is_the_median_of_the_same_weekday() {
        // Friday 2026-11-27: Fridays 11-20, 11-13, 11-06, 10-30.
        let today = date("2026-11-27");
        let volumes = |d: NaiveDate| match d.to_string().as_str() {
            "2026-11-20" => Some(120),
            "2026-11-13" => Some(100),
            "2026-11-06" => Some(900),
            "2026-11-19" => Some(5000), // a Thursday: not counted
            _ => None,
        };
        // 10-30 sent nothing (0): 0, 100, 120, 900 → lower middle 100.
        assert_eq!(
            usual_volume(today, Some(date("2026-10-01")), volumes),
            Some(100)
        );
        // Started on 11-10: only 11-13 and 11-20 count → 100.
        assert_eq!(
            usual_volume(today, Some(date("2026-11-10")), volumes),
            Some(100)
        );
        assert_eq!(usual_volume(today, Some(date("2026-11-25")), volumes), None);
        assert_eq!(usual_volume(today, None, volumes), None);
    }

    #[test]
    fn office_hours_skip_nights_weekends_and_holidays() {
        let calendar = WorkCalendar::bundled();
        // Friday 17:00 → Monday 10:00: 1 h Friday + 1 h Monday.
        let hours = office_hours_between(
            &calendar,
            instant("2026-11-27T17:00:00+08:00"),
            instant("2026-11-30T10:00:00+08:00"),
        );
        assert!((hours - 2.0).abs() < 1e-9, "{hours}");
        // 国庆 2026: 10-01 … 10-07 off; 09-30 18:00 → 10-08 09:30 is half an hour.
        let hours = office_hours_between(
            &calendar,
            instant("2026-09-30T18:00:00+08:00"),
            instant("2026-10-08T09:30:00+08:00"),
        );
        assert!((hours - 0.5).abs() < 1e-9, "{hours}");
    }

    #[test]
    fn silent_late_and_ok() {
        let calendar = WorkCalendar::bundled();
        let now = instant("2026-11-27T13:30:00+08:00"); // Friday: half the office day gone
        let figures = |last: &str, today: u64, usual: Option<u64>| FeedFigures {
            last_record_at: Some(instant(last)),
            today,
            usual,
        };
        let state = |f: FeedFigures| feed_state(&calendar, &f, 4.0, now);
        assert_eq!(
            state(figures("2026-11-27T13:00:00+08:00", 300, Some(600))),
            FeedState::Ok
        );
        // 200 expected by now, 99 received: late.
        assert_eq!(
            state(figures("2026-11-27T13:00:00+08:00", 99, Some(400))),
            FeedState::Late
        );
        assert_eq!(
            state(figures("2026-11-27T13:00:00+08:00", 100, Some(400))),
            FeedState::Ok
        );
        // Too few expected to judge.
        assert_eq!(
            state(figures("2026-11-27T13:00:00+08:00", 0, Some(30))),
            FeedState::Ok
        );
        // Last record Thursday 16:00: 2 h Thursday + 4.5 h Friday > 4 h.
        assert_eq!(
            state(figures("2026-11-26T16:00:00+08:00", 0, None)),
            FeedState::Silent
        );
        // Friday 10:00: 3.5 office hours ago, not yet silent.
        assert_eq!(
            state(figures("2026-11-27T10:00:00+08:00", 40, None)),
            FeedState::Ok
        );
        let never = FeedFigures {
            last_record_at: None,
            today: 0,
            usual: None,
        };
        assert_eq!(state(never), FeedState::Silent);
        // A Saturday: no office hours pass, no volume is expected.
        let saturday = instant("2026-11-28T15:00:00+08:00");
        let f = figures("2026-11-27T17:00:00+08:00", 0, Some(1000));
        assert_eq!(feed_state(&calendar, &f, 4.0, saturday), FeedState::Ok);
    }
}
