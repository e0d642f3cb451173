//! One overview query over the cube: the filter, and the accumulator that walks
//! the partitions in range once, adding each matching cell to the totals, its
//! region or district, department, item and trend bucket.

use super::cube::{CaseCounts, Cube, Partition, Position, APPLICANT_TYPES, STAGES};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// Longest span a daily trend covers; longer periods trend by month.
pub const DAILY_TREND_DAYS: i64 = 62;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Local day numbers (days since 1970-01-01 in UTC+8), inclusive.
    pub first_day: i64,
    pub last_day: i64,
    /// Half-open region code ranges a cell's region must lie in (scope and filter).
    pub region_ranges: Vec<(String, String)>,
    /// Departments a cell must equal (scope and filter; two different = nothing).
    pub departments: Vec<String>,
    pub item: Option<String>,
    /// Restricts the warning figures to one stage.
    pub stage: Option<String>,
    pub applicant_type: Option<String>,
    /// Break regions down by district (city view) rather than by region code.
    pub group_by_district: bool,
    /// Whether the caller may see warnings (zero otherwise).
    pub warnings: bool,
}

impl Filter {
    /// Whether a region code lies in every region range.
    pub fn admits_region(&self, code: &str) -> bool {
        self.region_ranges
            .iter()
            .all(|(lo, hi)| code >= lo.as_str() && code < hi.as_str())
    }

    /// Whether cells of the district `code` (six digits) may lie in every region range.
    pub fn admits_district(&self, code: &str) -> bool {
        self.region_ranges.iter().all(|(lo, _)| {
            let prefix = lo.get(..6).unwrap_or(lo);
            if prefix.len() == 6 {
                code == prefix
            } else {
                code.starts_with(prefix)
            }
        })
    }

    /// Whether a department code equals every department asked for.
    pub fn admits_department(&self, code: &str) -> bool {
        self.departments.iter().all(|d| d == code)
    }
}

/// The figures of one region, department or item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupRow {
    pub code: String,
    pub cases: CaseCounts,
    pub consultations: u64,
    pub warnings: u64,
    pub red: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrendPoint {
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub date: String,
    pub cases: CaseCounts,
    pub consultations: u64,
    pub warnings: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overview {
    pub cases: CaseCounts,
    pub consultations: u64,
    pub warnings: u64,
    /// Per stage (all of `STAGES`, in order): warnings per level key.
    pub by_stage: Vec<(&'static str, BTreeMap<String, u64>)>,
    pub by_level: BTreeMap<String, u64>,
    /// Non-empty groups, most cases first.
    pub by_region: Vec<GroupRow>,
    pub by_department: Vec<GroupRow>,
    pub by_item: Vec<GroupRow>,
    pub trend: Vec<TrendPoint>,
    pub monthly: bool,
}

/// The local date of a day number.
pub fn date_of_day(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(day)))
        .unwrap_or_default()
}

/// The day number of a local date.
pub fn day_of_date(date: NaiveDate) -> i64 {
    NaiveDate::from_ymd_opt(1970, 1, 1).map_or(0, |epoch| (date - epoch).num_days())
}

/// A wanted code as an index: `None` = no restriction, `Some(None)` = nothing matches.
fn wanted(codes: &[&String], lookup: impl Fn(&str) -> Option<u32>) -> Option<Option<u32>> {
    let first = codes.first()?;
    if codes.iter().any(|c| c != first) {
        return Some(None);
    }
    Some(lookup(first))
}

fn matches(want: Option<Option<u32>>, value: u32) -> bool {
    match want {
        None => true,
        Some(w) => w == Some(value),
    }
}

/// Which partitions and cells of a cube a filter admits.
pub(super) struct Matcher {
    district_ok: Vec<bool>,
    region_ok: Vec<bool>,
    department: Option<Option<u32>>,
    item: Option<Option<u32>>,
    applicant: Option<u8>,
}

impl Matcher {
    pub(super) fn new(cube: &Cube, filter: &Filter) -> Self {
        let departments: Vec<&String> = filter.departments.iter().collect();
        let items: Vec<&String> = filter.item.iter().collect();
        Self {
            district_ok: cube
                .districts
                .iter()
                .map(|(_, code)| filter.admits_district(code))
                .collect(),
            region_ok: cube
                .regions
                .iter()
                .map(|(_, code)| filter.admits_region(code))
                .collect(),
            department: wanted(&departments, |c| cube.departments.get(c)),
            item: wanted(&items, |c| cube.items.get(c)),
            applicant: filter.applicant_type.as_ref().map(|t| {
                APPLICANT_TYPES
                    .iter()
                    .position(|a| a == t)
                    .map_or(u8::MAX, |i| i as u8)
            }),
        }
    }

    /// Whether a partition of this district can hold admitted cells.
    pub(super) fn district(&self, district: u32) -> bool {
        self.district_ok[district as usize]
    }

    pub(super) fn cell(&self, p: &Position) -> bool {
        self.region_ok[p.region as usize]
            && matches(self.department, p.department)
            && matches(self.item, p.item)
            && self.applicant.is_none_or(|a| a == p.applicant)
    }
}

pub(super) struct Accumulator<'f> {
    filter: &'f Filter,
    matcher: Matcher,
    stage: Option<u8>,
    red: Option<u32>,
    bucket_of_day: Vec<usize>,
    out: Overview,
    stage_levels: Vec<Vec<u64>>,
    levels: Vec<u64>,
    groups: Vec<GroupRow>,
    departments: Vec<GroupRow>,
    items: Vec<GroupRow>,
}

impl<'f> Accumulator<'f> {
    pub(super) fn new(cube: &Cube, filter: &'f Filter) -> Self {
        let stage = filter.stage.as_ref().map(|s| {
            STAGES
                .iter()
                .position(|x| x == s)
                .map_or(u8::MAX, |i| i as u8)
        });
        let (bucket_of_day, trend, monthly) = buckets(filter.first_day, filter.last_day);
        let group_count = if filter.group_by_district {
            cube.districts.len()
        } else {
            cube.regions.len()
        };
        Self {
            filter,
            matcher: Matcher::new(cube, filter),
            stage,
            red: cube.levels.get("red"),
            bucket_of_day,
            out: Overview {
                trend,
                monthly,
                ..Default::default()
            },
            stage_levels: vec![vec![0; cube.levels.len()]; STAGES.len()],
            levels: vec![0; cube.levels.len()],
            groups: vec![GroupRow::default(); group_count],
            departments: vec![GroupRow::default(); cube.departments.len()],
            items: vec![GroupRow::default(); cube.items.len()],
        }
    }

    fn visible(&self, p: &Position) -> bool {
        self.matcher.cell(p)
    }

    pub(super) fn partition(&mut self, day: i64, district: u32, partition: &Partition) {
        if !self.matcher.district(district) {
            return;
        }
        let bucket = self.bucket_of_day[(day - self.filter.first_day) as usize];
        let by_district = self.filter.group_by_district;
        let group = move |p: &Position| {
            if by_district {
                district as usize
            } else {
                p.region as usize
            }
        };
        for (p, counts) in &partition.cases {
            if !self.visible(p) {
                continue;
            }
            self.out.cases += *counts;
            self.groups[group(p)].cases += *counts;
            self.departments[p.department as usize].cases += *counts;
            self.items[p.item as usize].cases += *counts;
            self.out.trend[bucket].cases += *counts;
        }
        for (p, count) in &partition.consultations {
            if !self.visible(p) {
                continue;
            }
            self.out.consultations += count;
            self.groups[group(p)].consultations += count;
            self.departments[p.department as usize].consultations += count;
            self.items[p.item as usize].consultations += count;
            self.out.trend[bucket].consultations += count;
        }
        if !self.filter.warnings {
            return;
        }
        for (p, stage, level, count) in &partition.warnings {
            if !self.visible(p) || self.stage.is_some_and(|s| s != *stage) {
                continue;
            }
            let red = if Some(*level) == self.red { *count } else { 0 };
            self.out.warnings += count;
            self.stage_levels[*stage as usize][*level as usize] += count;
            self.levels[*level as usize] += count;
            for row in [
                &mut self.groups[group(p)],
                &mut self.departments[p.department as usize],
                &mut self.items[p.item as usize],
            ] {
                row.warnings += count;
                row.red += red;
            }
            self.out.trend[bucket].warnings += count;
        }
    }

    pub(super) fn finish(mut self, cube: &Cube) -> Overview {
        let level_map = |counts: &[u64]| -> BTreeMap<String, u64> {
            counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (cube.levels.code(i as u32).to_string(), *n))
                .collect()
        };
        self.out.by_stage = STAGES
            .iter()
            .zip(&self.stage_levels)
            .map(|(stage, counts)| (*stage, level_map(counts)))
            .collect();
        self.out.by_level = level_map(&self.levels);
        let groups = if self.filter.group_by_district {
            &cube.districts
        } else {
            &cube.regions
        };
        self.out.by_region = ranked(self.groups, |i| groups.code(i));
        self.out.by_department = ranked(self.departments, |i| cube.departments.code(i));
        self.out.by_item = ranked(self.items, |i| cube.items.code(i));
        self.out
    }
}

/// Non-empty rows with their codes, most cases first (then most warnings, then code).
fn ranked<'c>(rows: Vec<GroupRow>, code: impl Fn(u32) -> &'c str) -> Vec<GroupRow> {
    let mut rows: Vec<GroupRow> = rows
        .into_iter()
        .enumerate()
        .filter(|(_, r)| r.cases.cases + r.consultations + r.warnings > 0)
        .map(|(i, mut r)| {
            r.code = code(i as u32).to_string();
            r
        })
        .filter(|r| !r.code.is_empty())
        .collect();
    rows.sort_by(|a, b| {
        b.cases
            .cases
            .cmp(&a.cases.cases)
            .then(b.warnings.cmp(&a.warnings))
            .then(a.code.cmp(&b.code))
    });
    rows
}

/// The trend bucket of every day in range, the empty points, and whether they are months.
fn buckets(first_day: i64, last_day: i64) -> (Vec<usize>, Vec<TrendPoint>, bool) {
    let monthly = last_day - first_day + 1 > DAILY_TREND_DAYS;
    let mut of_day = Vec::new();
    let mut points: Vec<TrendPoint> = Vec::new();
    for day in first_day..=last_day {
        let date = date_of_day(day);
        let label = if monthly {
            format!("{:04}-{:02}", date.year(), date.month())
        } else {
            date.format("%Y-%m-%d").to_string()
        };
        if points.last().is_none_or(|p| p.date != label) {
            points.push(TrendPoint {
                date: label,
                ..Default::default()
            });
        }
        of_day.push(points.len() - 1);
    }
    (of_day, points, monthly)
}
