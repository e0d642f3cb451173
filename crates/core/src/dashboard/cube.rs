//! The dashboard's in-memory cube: case, consultation and warning counts per
//! (district, local day) partition, broken down by region, department, item and
//! applicant type. The store recomputes a partition from the base tables when
//! it changes; every overview is then one pass over the partitions in the date
//! range, accumulating into arrays indexed by interned codes.

use super::query::{Accumulator, Filter, Overview};
use std::collections::{BTreeMap, HashMap};

/// Codes held once, referred to by index.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    codes: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    pub fn intern(&mut self, code: &str) -> u32 {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(code.to_string());
        self.index.insert(code.to_string(), i);
        i
    }

    pub fn get(&self, code: &str) -> Option<u32> {
        self.index.get(code).copied()
    }

    pub fn code(&self, index: u32) -> &str {
        self.codes.get(index as usize).map_or("", String::as_str)
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        self.codes
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u32, c.as_str()))
    }
}

/// Case counts of one cell.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CaseCounts {
    pub cases: u64,
    pub accepted: u64,
    pub completed: u64,
    pub on_time: u64,
    pub overdue: u64,
}

impl std::ops::AddAssign for CaseCounts {
    fn add_assign(&mut self, other: Self) {
        self.cases += other.cases;
        self.accepted += other.accepted;
        self.completed += other.completed;
        self.on_time += other.on_time;
        self.overdue += other.overdue;
    }
}

/// Where a cell lies inside its partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    pub region: u32,
    pub department: u32,
    pub item: u32,
    pub applicant: u8,
}

/// One partition's cells.
#[derive(Debug, Default, Clone)]
pub struct Partition {
    pub cases: Vec<(Position, CaseCounts)>,
    pub consultations: Vec<(Position, u64)>,
    /// (position, stage index, level index, warnings)
    pub warnings: Vec<(Position, u8, u32, u64)>,
}

/// What a partition refresh holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Cases,
    Consultations,
    Warnings,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cases => "cases",
            Self::Consultations => "consultations",
            Self::Warnings => "warnings",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "cases" => Some(Self::Cases),
            "consultations" => Some(Self::Consultations),
            "warnings" => Some(Self::Warnings),
            _ => None,
        }
    }
}

/// The dimensions of one stored cell, as codes.
#[derive(Debug, Clone, Default)]
pub struct CellCodes {
    pub district: String,
    pub day: i64,
    pub region: String,
    pub department: String,
    pub item: String,
    pub applicant_type: String,
}

/// Applicant types by index (`person` first).
pub const APPLICANT_TYPES: &[&str] = &["person", "org"];

/// Warning stages by index, as the rules name them.
pub const STAGES: &[&str] = &[
    "consultation",
    "acceptance",
    "approval",
    "special_procedure",
    "immediate",
];

fn applicant_index(code: &str) -> u8 {
    APPLICANT_TYPES.iter().position(|t| *t == code).unwrap_or(0) as u8
}

/// The stage index of a rule stage code.
pub fn stage_index(code: &str) -> Option<u8> {
    STAGES.iter().position(|s| *s == code).map(|i| i as u8)
}

#[derive(Debug, Default, Clone)]
pub struct Cube {
    pub districts: Interner,
    pub regions: Interner,
    pub departments: Interner,
    pub items: Interner,
    pub levels: Interner,
    /// Keyed by (day, district index): a date range is one contiguous walk.
    pub partitions: BTreeMap<(i64, u32), Partition>,
    /// Keyed by (first day of the month, district index): the days summed
    /// (see [`super::months`]), kept by [`Cube::rebuild_months`].
    pub months: BTreeMap<(i64, u32), Partition>,
}

impl Cube {
    fn position(&mut self, cell: &CellCodes) -> (u32, Position) {
        let district = self.districts.intern(&cell.district);
        let position = Position {
            region: self.regions.intern(&cell.region),
            department: self.departments.intern(&cell.department),
            item: self.items.intern(&cell.item),
            applicant: applicant_index(&cell.applicant_type),
        };
        (district, position)
    }

    /// Forget `kind` in the district's partitions from `first_day` to
    /// `last_day` (inclusive), before their recomputed cells are added; `None`
    /// for every district.
    pub fn clear(&mut self, kind: Kind, district: Option<&str>, first_day: i64, last_day: i64) {
        let district = match district {
            Some(code) => Some(self.districts.intern(code)),
            None => None,
        };
        for ((_, d), partition) in self
            .partitions
            .range_mut((first_day, 0)..=(last_day, u32::MAX))
        {
            if district.is_some_and(|want| want != *d) {
                continue;
            }
            match kind {
                Kind::Cases => partition.cases.clear(),
                Kind::Consultations => partition.consultations.clear(),
                Kind::Warnings => partition.warnings.clear(),
            }
        }
    }

    pub fn add_cases(&mut self, cell: &CellCodes, counts: CaseCounts) {
        let (district, position) = self.position(cell);
        self.partitions
            .entry((cell.day, district))
            .or_default()
            .cases
            .push((position, counts));
    }

    pub fn add_consultations(&mut self, cell: &CellCodes, count: u64) {
        let (district, position) = self.position(cell);
        self.partitions
            .entry((cell.day, district))
            .or_default()
            .consultations
            .push((position, count));
    }

    /// Warnings of a rule stage at a level; unknown stages are ignored.
    pub fn add_warnings(&mut self, cell: &CellCodes, stage: &str, level: &str, count: u64) {
        let Some(stage) = stage_index(stage) else {
            return;
        };
        let level = self.levels.intern(level);
        let (district, position) = self.position(cell);
        self.partitions
            .entry((cell.day, district))
            .or_default()
            .warnings
            .push((position, stage, level, count));
    }

    /// Add the cells of `kind` a partial cube (loaded for a refresh) holds.
    pub fn absorb(&mut self, kind: Kind, part: &Cube) {
        for (&(day, district), partition) in &part.partitions {
            let mut cell = CellCodes {
                district: part.districts.code(district).to_string(),
                day,
                ..Default::default()
            };
            let mut at = |p: &Position| {
                cell.region = part.regions.code(p.region).to_string();
                cell.department = part.departments.code(p.department).to_string();
                cell.item = part.items.code(p.item).to_string();
                cell.applicant_type = APPLICANT_TYPES[usize::from(p.applicant)].to_string();
                cell.clone()
            };
            match kind {
                Kind::Cases => {
                    for (p, counts) in &partition.cases {
                        let cell = at(p);
                        self.add_cases(&cell, *counts);
                    }
                }
                Kind::Consultations => {
                    for (p, n) in &partition.consultations {
                        let cell = at(p);
                        self.add_consultations(&cell, *n);
                    }
                }
                Kind::Warnings => {
                    for (p, stage, level, n) in &partition.warnings {
                        let cell = at(p);
                        let stage = STAGES[usize::from(*stage)];
                        self.add_warnings(&cell, stage, part.levels.code(*level), *n);
                    }
                }
            }
        }
    }

    /// Cells held (for memory reporting).
    pub fn cells(&self) -> usize {
        self.partitions
            .values()
            .map(|p| p.cases.len() + p.consultations.len() + p.warnings.len())
            .sum()
    }

    /// Every figure of the dashboard for `filter`, in one pass: whole months
    /// from the month level when the trend is monthly anyway, partitions of
    /// districts outside the filter's regions skipped.
    pub fn overview(&self, filter: &Filter) -> Overview {
        let mut acc = Accumulator::new(self, filter);
        let monthly = filter.last_day - filter.first_day + 1 > super::query::DAILY_TREND_DAYS;
        self.walk(
            filter.first_day,
            filter.last_day,
            monthly,
            |day, district, partition| acc.partition(day, district, partition),
        );
        acc.finish(self)
    }

    /// Recompute every month partition (after a full build).
    pub fn rebuild_all_months(&mut self) {
        let first = self.partitions.keys().next().map(|k| k.0);
        let last = self.partitions.keys().next_back().map(|k| k.0);
        self.months.clear();
        if let (Some(first), Some(last)) = (first, last) {
            self.rebuild_months(None, first, last);
        }
    }
}
