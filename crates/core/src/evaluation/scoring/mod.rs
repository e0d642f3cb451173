//! The scoring engine (SCORE-1..3): a scheme weights indicators and scores
//! each with a rule template; units of one level are scored against each
//! other, ranked (ties share a rank) and every step is traced.

mod composite;
mod templates;

pub use composite::{competition_ranks, score};

use super::formula::{self, Variables};
use super::indicators::Direction;
use super::measures::Measured;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which units a scheme compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    District,
    CityDepartment,
    DistrictDepartment,
}

impl UnitLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitLevel::District => "district",
            UnitLevel::CityDepartment => "city_department",
            UnitLevel::DistrictDepartment => "district_department",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            UnitLevel::District,
            UnitLevel::CityDepartment,
            UnitLevel::DistrictDepartment,
        ]
        .into_iter()
        .find(|l| l.as_str() == text)
    }
}

/// Best or average of the peers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benchmark {
    Best,
    Average,
}

/// One score band of a tiered rule: `min ≤ value < max`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    pub score: f64,
}

/// A rule template with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// 按比例扣分: `full − points_per_unit × shortfall from target`, at least 0.
    Proportional {
        full: f64,
        target: f64,
        points_per_unit: f64,
    },
    /// 阶梯: the score of the first band holding the value (none: 0).
    Tiered { tiers: Vec<Tier> },
    /// 相对评价: `full × value / benchmark` (lower is better: `benchmark / value`), at most `full`.
    Relative { against: Benchmark, full: f64 },
    /// 排名赋分: `first − (rank − 1) × step`, at least `floor`.
    Ranking { first: f64, step: f64, floor: f64 },
    /// A formula over 值, 最优, 最差, 平均, 排名, 单位数, 分子, 分母.
    Formula { expression: String },
}

/// One weighted indicator of a scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeItem {
    pub indicator: String,
    pub weight: f64,
    pub rule: Rule,
}

/// 加分/扣分项: `points` (negative: a penalty) when the condition holds. The
/// condition sees every scored indicator's value by code and 得分 (the
/// weighted score before adjustments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub name: String,
    pub when: String,
    pub points: f64,
}

/// A scoring scheme (赋分方案) as stored (a version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub unit_level: UnitLevel,
    pub items: Vec<SchemeItem>,
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
}

/// What the engine needs to know of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorInfo {
    pub code: String,
    pub name: String,
    pub level: u8,
    pub direction: Direction,
    pub parent_code: Option<String>,
}

/// One unit's measured values, by indicator code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitInput {
    pub unit_code: String,
    pub unit_name: String,
    pub values: BTreeMap<String, Measured>,
}

/// One step of a unit's computation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceStep {
    pub step: String,
    pub detail: String,
    pub values: BTreeMap<String, serde_json::Value>,
    pub result: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub level: u8,
    pub value: Option<f64>,
    pub score: f64,
    /// Rank of the value among the peers (none without a value).
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub unit_code: String,
    pub unit_name: String,
    pub score: f64,
    pub rank: u32,
    /// Scored (level-3) indicators, then their level-2 and level-1 groups.
    pub indicators: Vec<IndicatorScore>,
    pub trace: Vec<TraceStep>,
}

/// A problem with a scheme: the field path and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeError {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> SchemeError {
    SchemeError {
        field: field.into(),
        message: message.into(),
    }
}

/// Variables a rule formula sees (all set to 1 when checking a formula).
pub const RULE_VARIABLES: &[&str] = &[
    "值",
    "最优",
    "最差",
    "平均",
    "排名",
    "单位数",
    "分子",
    "分母",
    "value",
    "best",
    "worst",
    "average",
    "rank",
    "units",
];

fn finite(field: String, v: f64) -> Result<(), SchemeError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(problem(field, "须为有限数值"))
    }
}

impl Scheme {
    /// Check the scheme against the scoreable (enabled level-3) indicators.
    pub fn validate(&self, scoreable: &BTreeMap<String, IndicatorInfo>) -> Result<(), SchemeError> {
        if self.items.is_empty() || self.items.len() > 60 {
            return Err(problem("items", "须包含 1–60 个指标"));
        }
        let mut condition_vars = Variables::from([("得分".to_string(), 1.0)]);
        for (i, item) in self.items.iter().enumerate() {
            let at = |f: &str| format!("items[{i}].{f}");
            if !scoreable.contains_key(&item.indicator) {
                return Err(problem(at("indicator"), "须为已启用的三级指标"));
            }
            if self.items[..i]
                .iter()
                .any(|o| o.indicator == item.indicator)
            {
                return Err(problem(at("indicator"), "指标重复"));
            }
            if !item.weight.is_finite() || item.weight <= 0.0 {
                return Err(problem(at("weight"), "权重须为正数"));
            }
            condition_vars.insert(item.indicator.clone(), 1.0);
            match &item.rule {
                Rule::Proportional {
                    full,
                    target,
                    points_per_unit,
                } => {
                    for (name, v) in [
                        ("full", full),
                        ("target", target),
                        ("points_per_unit", points_per_unit),
                    ] {
                        finite(at(&format!("rule.{name}")), *v)?;
                    }
                }
                Rule::Tiered { tiers } => {
                    if tiers.is_empty() || tiers.len() > 20 {
                        return Err(problem(at("rule.tiers"), "须有 1–20 档"));
                    }
                    for (t, tier) in tiers.iter().enumerate() {
                        for v in [tier.min, tier.max, Some(tier.score)].into_iter().flatten() {
                            finite(at(&format!("rule.tiers[{t}]")), v)?;
                        }
                    }
                }
                Rule::Relative { full, .. } => finite(at("rule.full"), *full)?,
                Rule::Ranking { first, step, floor } => {
                    for v in [first, step, floor] {
                        finite(at("rule"), *v)?;
                    }
                }
                Rule::Formula { expression } => {
                    let vars = RULE_VARIABLES
                        .iter()
                        .map(|v| (v.to_string(), 1.0))
                        .collect();
                    formula::number(expression, &vars)
                        .map_err(|e| problem(at("rule.expression"), e.0))?;
                }
            }
        }
        for (i, adj) in self.adjustments.iter().enumerate() {
            if adj.name.trim().is_empty() || adj.name.chars().count() > 50 {
                return Err(problem(
                    format!("adjustments[{i}].name"),
                    "名称须为 1–50 个字符",
                ));
            }
            finite(format!("adjustments[{i}].points"), adj.points)?;
            formula::condition(&adj.when, &condition_vars)
                .map_err(|e| problem(format!("adjustments[{i}].when"), e.0))?;
        }
        Ok(())
    }
}
