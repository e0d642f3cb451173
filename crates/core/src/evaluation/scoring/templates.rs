//! The rule templates (按比例扣分, 阶梯, 相对评价, 排名赋分, 公式): one value
//! scored against its peers, with a sentence saying how.

use super::{Benchmark, Rule};
use crate::evaluation::formula::{self, Variables};
use crate::evaluation::indicators::Direction;
use crate::evaluation::measures::{round4 as n, Measured};

/// The peers' figures for one indicator.
#[derive(Debug, Clone, Copy)]
pub(super) struct Peers {
    pub best: f64,
    pub worst: f64,
    pub average: f64,
    pub units: usize,
}

pub(super) fn peers(values: &[f64], direction: Direction) -> Option<Peers> {
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

/// Score one value with one rule; the detail says how.
pub(super) fn apply(
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
