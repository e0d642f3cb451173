//! The scoring engine (SCORE-1..3): a scheme weights indicators and scores
//! each with a rule template; units of one level are scored against each
//! other, ranked (ties share a rank) and every step is traced.

use super::formula::{self, Variables};
use super::indicators::Direction;
use super::measures::{round2, round4 as n, Measured};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

/// Competition ranks ("1224"): equal keys share a rank, the next rank skips.
/// Ranks come back in the order of `keys`.
pub fn competition_ranks(keys: &[f64], higher_is_better: bool) -> Vec<u32> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    let better_first = |a: &usize, b: &usize| {
        let (x, y) = (keys[*a], keys[*b]);
        if higher_is_better {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        }
    };
    order.sort_by(better_first);
    let mut ranks = vec![0; keys.len()];
    for (position, &i) in order.iter().enumerate() {
        ranks[i] = match position {
            0 => 1,
            _ if keys[order[position - 1]] == keys[i] => ranks[order[position - 1]],
            _ => u32::try_from(position + 1).unwrap_or(u32::MAX),
        };
    }
    ranks
}

/// The peers' figures for one indicator.
#[derive(Debug, Clone, Copy)]
struct Peers {
    best: f64,
    worst: f64,
    average: f64,
    units: usize,
}

fn peers(values: &[f64], direction: Direction) -> Option<Peers> {
    if values.is_empty() {
        return None;
    }
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    let (best, worst) = match direction {
        Direction::Higher => (max, min),
        Direction::Lower => (min, max),
    };
    Some(Peers {
        best,
        worst,
        average: values.iter().sum::<f64>() / values.len() as f64,
        units: values.len(),
    })
}

fn values_map(pairs: &[(&str, f64)]) -> BTreeMap<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect()
}

/// Score one value with one rule; the detail says how.
fn apply(
    rule: &Rule,
    value: f64,
    measured: &Measured,
    direction: Direction,
    peers: Peers,
    rank: u32,
) -> (f64, String) {
    let higher = direction == Direction::Higher;
    match rule {
        Rule::Proportional {
            full,
            target,
            points_per_unit,
        } => {
            let shortfall = if higher {
                target - value
            } else {
                value - target
            }
            .max(0.0);
            let score = (full - points_per_unit * shortfall).clamp(0.0, full.max(0.0));
            (
                score,
                format!(
                    "按比例扣分：{full} − {points_per_unit} × 差距 {} = {}",
                    n(shortfall),
                    n(score)
                ),
            )
        }
        Rule::Tiered { tiers } => {
            let hit = tiers
                .iter()
                .position(|t| t.min.is_none_or(|m| value >= m) && t.max.is_none_or(|m| value < m));
            match hit {
                Some(i) => (
                    tiers[i].score,
                    format!("阶梯：落在第 {} 档，得 {}", i + 1, tiers[i].score),
                ),
                None => (0.0, "阶梯：不在任何一档，得 0".to_string()),
            }
        }
        Rule::Relative { against, full } => {
            let (benchmark, label) = match against {
                Benchmark::Best => (peers.best, "最优值"),
                Benchmark::Average => (peers.average, "平均值"),
            };
            let ratio = match (higher, benchmark == 0.0, value == 0.0) {
                (true, true, _) => 1.0,
                (true, false, _) => value / benchmark,
                (false, _, true) => 1.0,
                (false, _, false) => benchmark / value,
            };
            let score = (full * ratio).clamp(0.0, full.max(0.0));
            (
                score,
                format!(
                    "相对评价：{full} × 比值 {:.4}（{label} {benchmark:.4}），上限 {full}",
                    ratio
                ),
            )
        }
        Rule::Ranking { first, step, floor } => {
            let score = (first - f64::from(rank - 1) * step).max(*floor);
            (
                score,
                format!("排名赋分：第 {rank} 名，{first} − ({rank} − 1) × {step}，不低于 {floor}"),
            )
        }
        Rule::Formula { expression } => {
            let mut vars = Variables::new();
            for (names, v) in [
                (["值", "value"], value),
                (["最优", "best"], peers.best),
                (["最差", "worst"], peers.worst),
                (["平均", "average"], peers.average),
                (["排名", "rank"], f64::from(rank)),
                (["单位数", "units"], peers.units as f64),
            ] {
                for name in names {
                    vars.insert(name.to_string(), v);
                }
            }
            vars.insert("分子".to_string(), measured.numerator);
            vars.insert("分母".to_string(), measured.denominator.unwrap_or(0.0));
            match formula::number(expression, &vars) {
                Ok(score) => (score, format!("公式：{expression} = {}", n(score))),
                Err(e) => (0.0, format!("公式：{expression}；{e}，得 0")),
            }
        }
    }
}

/// Score every unit of one level with a scheme. `indicators` holds every
/// scored indicator and its ancestors (for the level-1/2 group scores).
pub fn score(
    scheme: &Scheme,
    indicators: &BTreeMap<String, IndicatorInfo>,
    units: &[UnitInput],
) -> Vec<UnitResult> {
    let mut results: Vec<UnitResult> = units
        .iter()
        .map(|u| UnitResult {
            unit_code: u.unit_code.clone(),
            unit_name: u.unit_name.clone(),
            score: 0.0,
            rank: 0,
            indicators: Vec::new(),
            trace: vec![TraceStep {
                step: "输入".to_string(),
                detail: "本期各指标的值（分子 / 分母）".to_string(),
                values: u
                    .values
                    .iter()
                    .map(|(code, m)| (code.clone(), json!({"value": m.value, "numerator": m.numerator, "denominator": m.denominator})))
                    .collect(),
                result: None,
            }],
        })
        .collect();
    let mut weighted: Vec<BTreeMap<String, (f64, f64)>> = vec![BTreeMap::new(); units.len()];
    let mut sums = vec![0.0; units.len()];
    let mut total_weight = 0.0;
    for item in &scheme.items {
        let Some(info) = indicators.get(&item.indicator) else {
            continue;
        };
        total_weight += item.weight;
        let values: Vec<Option<f64>> = units
            .iter()
            .map(|u| u.values.get(&item.indicator).and_then(|m| m.value))
            .collect();
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let ranks_present = competition_ranks(&present, info.direction == Direction::Higher);
        let mut ranks = ranks_present.into_iter();
        let peer = peers(&present, info.direction);
        for (i, value) in values.iter().enumerate() {
            let rank = value.map(|_| ranks.next().unwrap_or(0));
            let (score, detail) = match (value, peer, rank) {
                (Some(v), Some(p), Some(r)) => {
                    let measured =
                        units[i]
                            .values
                            .get(&item.indicator)
                            .copied()
                            .unwrap_or(Measured {
                                value: Some(*v),
                                numerator: 0.0,
                                denominator: None,
                            });
                    let (s, d) = apply(&item.rule, *v, &measured, info.direction, p, r);
                    (round2(s), d)
                }
                _ => (0.0, "本期无数据（分母为 0），得 0".to_string()),
            };
            sums[i] += item.weight * score;
            let result = &mut results[i];
            let mut step_values = values_map(&[("权重", item.weight), ("得分", score)]);
            step_values.insert("值".to_string(), json!(value));
            step_values.insert("排名".to_string(), json!(rank));
            if let Some(p) = peer {
                step_values.extend(values_map(&[
                    ("最优", p.best),
                    ("最差", p.worst),
                    ("平均", n(p.average)),
                ]));
            }
            result.trace.push(TraceStep {
                step: format!("{}（{}）", info.name, info.code),
                detail,
                values: step_values,
                result: Some(score),
            });
            result.indicators.push(IndicatorScore {
                code: info.code.clone(),
                name: info.name.clone(),
                level: info.level,
                value: *value,
                score,
                rank,
            });
            let mut ancestor = info.parent_code.clone();
            while let Some(code) = ancestor {
                let entry = weighted[i].entry(code.clone()).or_insert((0.0, 0.0));
                entry.0 += item.weight * score;
                entry.1 += item.weight;
                ancestor = indicators.get(&code).and_then(|p| p.parent_code.clone());
            }
        }
    }
    for (i, result) in results.iter_mut().enumerate() {
        let sum = sums[i];
        let base = if total_weight > 0.0 {
            round2(sum / total_weight)
        } else {
            0.0
        };
        result.trace.push(TraceStep {
            step: "加权汇总".to_string(),
            detail: format!(
                "Σ(权重 × 得分) / Σ权重 = {} / {total_weight} = {base}",
                n(sum)
            ),
            values: values_map(&[("Σ权重×得分", sum), ("Σ权重", total_weight)]),
            result: Some(base),
        });
        let mut vars: Variables = result
            .indicators
            .iter()
            .map(|s| (s.code.clone(), s.value.unwrap_or(0.0)))
            .collect();
        vars.insert("得分".to_string(), base);
        let mut total = base;
        for adj in &scheme.adjustments {
            let applies = formula::condition(&adj.when, &vars).unwrap_or(false);
            if applies {
                total += adj.points;
            }
            result.trace.push(TraceStep {
                step: format!("加减分：{}", adj.name),
                detail: format!(
                    "条件 {}：{}",
                    adj.when,
                    if applies { "成立" } else { "不成立" }
                ),
                values: values_map(&[("分值", if applies { adj.points } else { 0.0 })]),
                result: Some(round2(total)),
            });
        }
        result.score = round2(total);
        for (code, (sum, weight)) in &weighted[i] {
            if let Some(info) = indicators.get(code) {
                result.indicators.push(IndicatorScore {
                    code: code.clone(),
                    name: info.name.clone(),
                    level: info.level,
                    value: None,
                    score: round2(sum / weight),
                    rank: None,
                });
            }
        }
    }
    rank_groups(&mut results);
    let composite: Vec<f64> = results.iter().map(|r| r.score).collect();
    for (result, rank) in results.iter_mut().zip(competition_ranks(&composite, true)) {
        result.rank = rank;
        result.trace.push(TraceStep {
            step: "结果".to_string(),
            detail: format!("综合得分 {}，排名第 {rank}", result.score),
            values: BTreeMap::new(),
            result: Some(result.score),
        });
    }
    results.sort_by(|a, b| {
        a.rank
            .cmp(&b.rank)
            .then_with(|| a.unit_code.cmp(&b.unit_code))
    });
    results
}

/// Rank the level-1/2 group scores among the units.
fn rank_groups(results: &mut [UnitResult]) {
    let codes: Vec<String> = results
        .first()
        .map(|r| {
            r.indicators
                .iter()
                .filter(|s| s.level < 3)
                .map(|s| s.code.clone())
                .collect()
        })
        .unwrap_or_default();
    for code in codes {
        let scores: Vec<f64> = results
            .iter()
            .map(|r| {
                r.indicators
                    .iter()
                    .find(|s| s.code == code)
                    .map_or(0.0, |s| s.score)
            })
            .collect();
        for (result, rank) in results.iter_mut().zip(competition_ranks(&scores, true)) {
            if let Some(s) = result.indicators.iter_mut().find(|s| s.code == code) {
                s.rank = Some(rank);
            }
        }
    }
}
