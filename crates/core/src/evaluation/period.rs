//! Evaluation periods: a month `2026-03`, a quarter `2026-Q1`, a year `2026`
//! or a custom range of local days `2026-01-01..2026-02-15` (both included).
//! Facts belong to a period by their local (Asia/Shanghai) day.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// Longest custom range (a few years of trends, never an unbounded scan).
pub const MAX_RANGE_DAYS: i64 = 366 * 3;

/// An evaluation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year(i32),
    Range { from: NaiveDate, to: NaiveDate },
}

/// Why a period text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PeriodError(pub &'static str);

const FORMAT: &str = "期间格式须为 YYYY-MM、YYYY-Qn、YYYY 或 YYYY-MM-DD..YYYY-MM-DD";

fn year_of(text: &str) -> Result<i32, PeriodError> {
    if text.len() != 4 || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(PeriodError(FORMAT));
    }
    let year: i32 = text.parse().map_err(|_| PeriodError(FORMAT))?;
    if !(2000..=2099).contains(&year) {
        return Err(PeriodError("年份须在 2000–2099 之间"));
    }
    Ok(year)
}

fn day_of(text: &str) -> Result<NaiveDate, PeriodError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| text.len() == 10)
        .ok_or(PeriodError(FORMAT))
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Some((from, to)) = text.split_once("..") {
            let (from, to) = (day_of(from)?, day_of(to)?);
            if from > to {
                return Err(PeriodError("起始日期不能晚于结束日期"));
            }
            if (to - from).num_days() >= MAX_RANGE_DAYS {
                return Err(PeriodError("自定义期间最长三年"));
            }
            year_of(&from.year().to_string())?;
            year_of(&to.year().to_string())?;
            return Ok(Period::Range { from, to });
        }
        match text.split_once('-') {
            None => Ok(Period::Year(year_of(text)?)),
            Some((year, rest)) => {
                let year = year_of(year)?;
                if let Some(q) = rest.strip_prefix('Q') {
                    match q {
                        "1" | "2" | "3" | "4" => Ok(Period::Quarter {
                            year,
                            quarter: q.parse().map_err(|_| PeriodError(FORMAT))?,
                        }),
                        _ => Err(PeriodError("季度须为 Q1–Q4")),
                    }
                } else if rest.len() == 2 && rest.chars().all(|c| c.is_ascii_digit()) {
                    let month: u32 = rest.parse().map_err(|_| PeriodError(FORMAT))?;
                    if !(1..=12).contains(&month) {
                        return Err(PeriodError("月份须为 01–12"));
                    }
                    Ok(Period::Month { year, month })
                } else {
                    Err(PeriodError(FORMAT))
                }
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::Year(year) => write!(f, "{year}"),
            Period::Range { from, to } => write!(f, "{from}..{to}"),
        }
    }
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
}

impl Period {
    /// First and last local day of the period (both included).
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let (first, months) = match *self {
            Period::Month { year, month } => (first_of_month(year, month), 1),
            Period::Quarter { year, quarter } => (first_of_month(year, quarter * 3 - 2), 3),
            Period::Year(year) => (first_of_month(year, 1), 12),
            Period::Range { from, to } => return (from, to),
        };
        let next = first
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or(first);
        (first, next.pred_opt().unwrap_or(first))
    }

    /// `[start, end)` in epoch milliseconds: local midnight of the first day to
    /// local midnight after the last.
    pub fn bounds_ms(&self) -> (i64, i64) {
        let (first, last) = self.days();
        let midnight = |day: NaiveDate| {
            crate::time::parse_bound(&day.format("%Y-%m-%d").to_string()).unwrap_or_default()
        };
        let after_last = last.succ_opt().unwrap_or(last);
        (midnight(first), midnight(after_last))
    }

    /// The period of the same kind just before this one (a range: the same
    /// number of days ending the day before it starts) — for trends.
    pub fn previous(&self) -> Period {
        match *self {
            Period::Month { year, month: 1 } => Period::Month {
                year: year - 1,
                month: 12,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month - 1,
            },
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
            Period::Year(year) => Period::Year(year - 1),
            Period::Range { from, to } => {
                let length = to - from;
                let to = from.pred_opt().unwrap_or(from);
                Period::Range {
                    from: to - length,
                    to,
                }
            }
        }
    }

    /// The same period a year before (同比); a range moves back a year, a
    /// 29 February to the 28th.
    pub fn year_ago(&self) -> Period {
        let back = |day: NaiveDate| {
            day.checked_sub_months(chrono::Months::new(12))
                .unwrap_or(day)
        };
        match *self {
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::Year(year) => Period::Year(year - 1),
            Period::Range { from, to } => Period::Range {
                from: back(from),
                to: back(to),
            },
        }
    }

    /// The last whole quarter ending on or before `day` (the demo's official run).
    pub fn last_complete_quarter(day: NaiveDate) -> Period {
        let current = (day.month() - 1) / 3 + 1;
        let this = Period::Quarter {
            year: day.year(),
            quarter: current,
        };
        if this.days().1 == day {
            this
        } else {
            this.previous()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Period {
        text.parse().unwrap()
    }

    #[test]
    fn every_form_parses_and_prints_back() {
        for text in ["2026-03", "2026-Q1", "2026", "2026-01-01..2026-02-15"] {
            assert_eq!(parse(text).to_string(), text);
        }
    }

    #[test]
    fn days_cover_the_whole_period() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            parse("2024-02").days(),
            (day("2024-02-01"), day("2024-02-29"))
        );
        assert_eq!(
            parse("2026-Q4").days(),
            (day("2026-10-01"), day("2026-12-31"))
        );
        assert_eq!(parse("2026").days(), (day("2026-01-01"), day("2026-12-31")));
    }

    #[test]
    fn bounds_are_local_midnights() {
        let (start, end) = parse("2026-01").bounds_ms();
        assert_eq!(crate::time::to_rfc3339(start), "2026-01-01T00:00:00+08:00");
        assert_eq!(crate::time::to_rfc3339(end), "2026-02-01T00:00:00+08:00");
    }

    #[test]
    fn malformed_periods_are_refused() {
        for text in [
            "",
            "2026-13",
            "2026-Q5",
            "26",
            "2026-1",
            "2026-02-01..2026-01-01",
            "1999",
            "2020-01-01..2026-01-01",
            "2026-Q1x",
        ] {
            assert!(text.parse::<Period>().is_err(), "{text:?} parsed");
        }
    }

    #[test]
    fn previous_and_last_complete_quarter() {
        assert_eq!(parse("2026-Q1").previous(), parse("2025-Q4"));
        assert_eq!(parse("2026-01").previous(), parse("2025-12"));
        assert_eq!(parse("2026-Q1").year_ago(), parse("2025-Q1"));
        assert_eq!(parse("2026-03").year_ago(), parse("2025-03"));
        assert_eq!(
            parse("2024-02-29..2024-03-10").year_ago(),
            parse("2023-02-28..2023-03-10")
        );
        assert_eq!(
            parse("2026-01-11..2026-01-20").previous(),
            parse("2026-01-01..2026-01-10")
        );
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            Period::last_complete_quarter(day("2026-12-04")),
            parse("2026-Q3")
        );
        assert_eq!(
            Period::last_complete_quarter(day("2026-12-31")),
            parse("2026-Q4")
        );
    }
}
