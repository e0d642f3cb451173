//! The working-day calendar (MON-1): statutory holidays and adjusted working
//! weekends (调休) as data. The bundled default is the State Council notices
//! 2007–2027 as compiled by NateScarlet/holiday-cn (MIT, `data/holidays-cn/LICENSE`);
//! administrators replace or extend a year with the same JSON format.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The bundled holiday-cn files, one per year.
const BUNDLED: &[&str] = &[
    include_str!("../../data/holidays-cn/2007.json"),
    include_str!("../../data/holidays-cn/2008.json"),
    include_str!("../../data/holidays-cn/2009.json"),
    include_str!("../../data/holidays-cn/2010.json"),
    include_str!("../../data/holidays-cn/2011.json"),
    include_str!("../../data/holidays-cn/2012.json"),
    include_str!("../../data/holidays-cn/2013.json"),
    include_str!("../../data/holidays-cn/2014.json"),
    include_str!("../../data/holidays-cn/2015.json"),
    include_str!("../../data/holidays-cn/2016.json"),
    include_str!("../../data/holidays-cn/2017.json"),
    include_str!("../../data/holidays-cn/2018.json"),
    include_str!("../../data/holidays-cn/2019.json"),
    include_str!("../../data/holidays-cn/2020.json"),
    include_str!("../../data/holidays-cn/2021.json"),
    include_str!("../../data/holidays-cn/2022.json"),
    include_str!("../../data/holidays-cn/2023.json"),
    include_str!("../../data/holidays-cn/2024.json"),
    include_str!("../../data/holidays-cn/2025.json"),
    include_str!("../../data/holidays-cn/2026.json"),
    include_str!("../../data/holidays-cn/2027.json"),
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkCalendar {
    /// Dates that differ from the Monday–Friday rule: `true` = working.
    overrides: BTreeMap<NaiveDate, bool>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalendarError {
    #[error("not a holiday-cn calendar file: {0}")]
    Format(String),
    #[error("invalid date {0}")]
    Date(String),
}

#[derive(Deserialize)]
struct HolidayFile {
    days: Vec<HolidayDay>,
}

#[derive(Deserialize)]
struct HolidayDay {
    #[serde(default)]
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl WorkCalendar {
    /// First and last year of the bundled data.
    pub const BUNDLED_FIRST: i32 = 2007;
    pub const BUNDLED_LAST: i32 = 2027;

    /// The bundled exceptions of `year` as `(date, name, is_off_day)`.
    pub fn bundled_year(year: i32) -> Vec<(String, String, bool)> {
        let index = year.checked_sub(Self::BUNDLED_FIRST);
        let Some(file) = index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| BUNDLED.get(i))
        else {
            return Vec::new();
        };
        serde_json::from_str::<HolidayFile>(file)
            .map(|f| {
                f.days
                    .into_iter()
                    .map(|d| (d.date, d.name, d.is_off_day))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replace the exceptions of `year` with `days` (`(date, working)`).
    pub fn replace_year(&mut self, year: i32, days: impl IntoIterator<Item = (NaiveDate, bool)>) {
        self.overrides.retain(|d, _| d.year() != year);
        for (date, working) in days {
            if date.year() == year {
                self.set(date, working);
            }
        }
    }

    /// Monday to Friday, no holidays.
    pub fn weekdays_only() -> Self {
        Self::default()
    }

    /// The bundled Chinese calendar, 2007–2027.
    pub fn bundled() -> Self {
        let mut calendar = Self::default();
        for file in BUNDLED {
            // The bundled files are checked by the tests below.
            let _ = calendar.load_holiday_cn(file);
        }
        calendar
    }

    /// Merge a holiday-cn JSON file (`{"days": [{"date", "isOffDay"}]}`);
    /// returns the number of dates it sets.
    pub fn load_holiday_cn(&mut self, json: &str) -> Result<usize, CalendarError> {
        let file: HolidayFile =
            serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
        for day in &file.days {
            let date = NaiveDate::parse_from_str(&day.date, "%Y-%m-%d")
                .map_err(|_| CalendarError::Date(day.date.clone()))?;
            self.set(date, !day.is_off_day);
        }
        Ok(file.days.len())
    }

    /// Mark one date as working or not (dropping overrides equal to the weekday rule).
    pub fn set(&mut self, date: NaiveDate, working: bool) {
        if working == is_weekday(date) {
            self.overrides.remove(&date);
        } else {
            self.overrides.insert(date, working);
        }
    }

    pub fn is_working(&self, date: NaiveDate) -> bool {
        self.overrides
            .get(&date)
            .copied()
            .unwrap_or_else(|| is_weekday(date))
    }

    /// The `n`-th working day after `date` (`n` ≥ 1; `date` itself never counts).
    pub fn nth_working_day_after(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        let mut counted = 0;
        while counted < n {
            day += Duration::days(1);
            if self.is_working(day) {
                counted += 1;
            }
        }
        day
    }

    /// Working days whose date is after `after` and not after `through`.
    pub fn working_days_between(&self, after: NaiveDate, through: NaiveDate) -> i64 {
        let mut count = 0;
        let mut day = after + Duration::days(1);
        while day <= through {
            if self.is_working(day) {
                count += 1;
            }
            day += Duration::days(1);
        }
        count
    }

    /// Overrides within a year (for editing and export).
    pub fn year(&self, year: i32) -> Vec<(NaiveDate, bool)> {
        self.overrides
            .iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, w)| (*d, *w))
            .collect()
    }
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The Asia/Shanghai date of an instant.
pub fn local_date(ms: i64) -> NaiveDate {
    crate::time::shanghai()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// 23:59:59 (Asia/Shanghai) of `date`, as epoch milliseconds.
pub fn end_of_day(date: NaiveDate) -> i64 {
    let next = date + Duration::days(1);
    let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
    crate::time::shanghai()
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.timestamp_millis() - 1000)
        .unwrap_or_default()
}

/// Days before 1 January from which a next year without holiday data is
/// warned about (the console's 工作日历 says the same).
pub const MISSING_YEAR_NOTICE_DAYS: i64 = 60;

/// The years deadlines are about to run into that have no holiday data: this
/// year, and next year once its 1 January is at most
/// [`MISSING_YEAR_NOTICE_DAYS`] away, as `(year, days until its 1 January)`
/// (0 for this year). Such a year counts Monday–Friday only (no 春节).
pub fn years_without_data(calendar: &WorkCalendar, today: NaiveDate) -> Vec<(i32, i64)> {
    let mut missing = Vec::new();
    if calendar.year(today.year()).is_empty() {
        missing.push((today.year(), 0));
    }
    let next = today.year() + 1;
    let days_left =
        NaiveDate::from_ymd_opt(next, 1, 1).map_or(i64::MAX, |d| (d - today).num_days());
    if days_left <= MISSING_YEAR_NOTICE_DAYS && calendar.year(next).is_empty() {
        missing.push((next, days_left));
    }
    missing
}
