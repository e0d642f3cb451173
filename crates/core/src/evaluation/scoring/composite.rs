//! The composite: every unit of a level scored item by item, weighted,
//! adjusted, grouped into level-1/2 scores, ranked, and traced step by step.

use super::templates::{apply, peers};
use super::{IndicatorInfo, IndicatorScore, Scheme, TraceStep, UnitInput, UnitResult};
use crate::evaluation::formula::{self, Variables};
use crate::evaluation::indicators::Direction;
use crate::evaluation::measures::{round2, round4 as n, Measured};
use serde_json::json;
use std::collections::BTreeMap;

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

fn values_map(pairs: &[(&str, f64)]) -> BTreeMap<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect()
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
