//! The cube's month level: every (month, district) partition holds the cells of
//! its days summed by position, so a long period walks whole months once and
//! only its ragged ends day by day. At 10M cases a district-day holds ~900
//! cells and a district-month a few times fewer than its thirty days together.

use super::cube::{CaseCounts, Cube, Partition, Position};
use super::query::{date_of_day, day_of_date};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// The first day of the month holding `day`.
pub fn month_start(day: i64) -> i64 {
    let date = date_of_day(day);
    NaiveDate::from_ymd_opt(date.year(), date.month(), 1).map_or(day, day_of_date)
}

/// The first day of the month after the one holding `day`.
pub fn next_month_start(day: i64) -> i64 {
    let date = date_of_day(day);
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).map_or(day + 31, day_of_date)
}

/// The days of one month and district, summed by position.
fn merge<'p>(days: impl Iterator<Item = &'p Partition>) -> Partition {
    let mut cases: HashMap<Position, CaseCounts> = HashMap::new();
    let mut consultations: HashMap<Position, u64> = HashMap::new();
    let mut warnings: HashMap<(Position, u8, u32), u64> = HashMap::new();
    for day in days {
        for (p, counts) in &day.cases {
            *cases.entry(*p).or_default() += *counts;
        }
        for (p, n) in &day.consultations {
            *consultations.entry(*p).or_default() += n;
        }
        for (p, stage, level, n) in &day.warnings {
            *warnings.entry((*p, *stage, *level)).or_default() += n;
        }
    }
    Partition {
        cases: cases.into_iter().collect(),
        consultations: consultations.into_iter().collect(),
        warnings: warnings
            .into_iter()
            .map(|((p, stage, level), n)| (p, stage, level, n))
            .collect(),
    }
}

impl Cube {
    /// Recompute the month partitions of `district` (`None`: every district)
    /// for the months overlapping `first_day..=last_day`, after their days changed.
    pub fn rebuild_months(&mut self, district: Option<&str>, first_day: i64, last_day: i64) {
        let district = district.map(|code| self.districts.intern(code));
        let mut month = month_start(first_day);
        while month <= last_day {
            let next = next_month_start(month);
            let districts: Vec<u32> = match district {
                Some(d) => vec![d],
                None => (0..self.districts.len() as u32).collect(),
            };
            for d in districts {
                let merged = merge(
                    self.partitions
                        .range((month, 0)..(next, 0))
                        .filter(|((_, pd), _)| *pd == d)
                        .map(|(_, p)| p),
                );
                if merged.cases.is_empty()
                    && merged.consultations.is_empty()
                    && merged.warnings.is_empty()
                {
                    self.months.remove(&(month, d));
                } else {
                    self.months.insert((month, d), merged);
                }
            }
            month = next;
        }
    }

    /// The partitions a pass over `first_day..=last_day` visits, with the day
    /// each counts on: whole months from the month level when `by_month`, the
    /// days of partial months (and of every month otherwise) from the day level.
    pub fn walk(
        &self,
        first_day: i64,
        last_day: i64,
        by_month: bool,
        mut visit: impl FnMut(i64, u32, &Partition),
    ) {
        let mut day_range = |from: i64, to: i64| {
            for (&(day, district), partition) in self.partitions.range((from, 0)..=(to, u32::MAX)) {
                visit(day, district, partition);
            }
        };
        if !by_month {
            day_range(first_day, last_day);
            return;
        }
        let mut month = month_start(first_day);
        let mut whole = Vec::new();
        while month <= last_day {
            let next = next_month_start(month);
            if month >= first_day && next - 1 <= last_day {
                whole.push(month);
            } else {
                day_range(month.max(first_day), (next - 1).min(last_day));
            }
            month = next;
        }
        for month in whole {
            for (&(start, district), partition) in self.months.range((month, 0)..=(month, u32::MAX))
            {
                visit(start, district, partition);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_bounds() {
        let jan31 = day_of_date(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
        let jan1 = day_of_date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        let feb1 = day_of_date(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        assert_eq!(month_start(jan31), jan1);
        assert_eq!(next_month_start(jan31), feb1);
        let dec5 = day_of_date(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        let next_jan = day_of_date(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(next_month_start(dec5), next_jan);
    }
}
