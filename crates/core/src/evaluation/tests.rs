//! A hand-computed fixture: 5 units × 6 indicators × 2 periods, every rule
//! template, a relative rule against the best and one against the average,
//! a bonus and a penalty. The expected scores and ranks below were worked out
//! on paper (the arithmetic is in the comments), not produced by the engine.

use super::indicators::Direction::{self, Higher, Lower};
use super::measures::Measured;
use super::scoring::*;
use std::collections::BTreeMap;

const CODES: [&str; 6] = ["on_time", "overdue", "good", "bad", "online", "handling"];
const DIRECTIONS: [Direction; 6] = [Higher, Lower, Higher, Lower, Higher, Lower];

fn indicators() -> BTreeMap<String, IndicatorInfo> {
    let mut map = BTreeMap::new();
    let mut add = |code: &str, level: u8, direction: Direction, parent: Option<&str>| {
        map.insert(
            code.to_string(),
            IndicatorInfo {
                code: code.to_string(),
                name: code.to_string(),
                level,
                direction,
                parent_code: parent.map(String::from),
            },
        );
    };
    add("top", 1, Higher, None);
    add("g_a", 2, Higher, Some("top"));
    add("g_b", 2, Higher, Some("top"));
    for (i, code) in CODES.iter().enumerate() {
        add(
            code,
            3,
            DIRECTIONS[i],
            Some(if i < 3 { "g_a" } else { "g_b" }),
        );
    }
    map
}

fn scheme() -> Scheme {
    let json = serde_json::json!({
        "unit_level": "district",
        "items": [
            {"indicator": "on_time", "weight": 30,
             "rule": {"template": "proportional", "full": 100, "target": 100, "points_per_unit": 2}},
            {"indicator": "overdue", "weight": 20,
             "rule": {"template": "tiered", "tiers": [
                 {"max": 1, "score": 100}, {"min": 1, "max": 5, "score": 80}, {"min": 5, "score": 50}]}},
            {"indicator": "good", "weight": 15, "rule": {"template": "relative", "against": "best", "full": 100}},
            {"indicator": "bad", "weight": 15, "rule": {"template": "relative", "against": "average", "full": 100}},
            {"indicator": "online", "weight": 10,
             "rule": {"template": "ranking", "first": 100, "step": 10, "floor": 60}},
            {"indicator": "handling", "weight": 10,
             "rule": {"template": "formula", "expression": "最大(0, 100 - (值 - 最优) * 5)"}}
        ],
        "adjustments": [
            {"name": "网办领先", "when": "online >= 90", "points": 2},
            {"name": "超期较多", "when": "overdue >= 10", "points": -3}
        ]
    });
    serde_json::from_value(json).unwrap()
}

/// Units A–E with their six values (in [`CODES`] order).
fn units(rows: [(&str, [f64; 6]); 5]) -> Vec<UnitInput> {
    rows.iter()
        .map(|(unit, values)| UnitInput {
            unit_code: unit.to_string(),
            unit_name: format!("单位{unit}"),
            values: CODES
                .iter()
                .zip(values)
                .map(|(code, v)| {
                    let m = Measured {
                        value: Some(*v),
                        numerator: *v,
                        denominator: None,
                    };
                    (code.to_string(), m)
                })
                .collect(),
        })
        .collect()
}

fn scores_and_ranks(results: &[UnitResult]) -> Vec<(&str, f64, u32)> {
    results
        .iter()
        .map(|r| (r.unit_code.as_str(), r.score, r.rank))
        .collect()
}

fn indicator_scores(results: &[UnitResult], unit: &str) -> Vec<f64> {
    let r = results.iter().find(|r| r.unit_code == unit).unwrap();
    CODES
        .iter()
        .map(|c| r.indicators.iter().find(|s| s.code == *c).unwrap().score)
        .collect()
}

#[test]
fn the_scheme_is_valid() {
    let scoreable = indicators()
        .into_iter()
        .filter(|(_, i)| i.level == 3)
        .collect();
    scheme().validate(&scoreable).unwrap();
}

#[test]
fn first_period_by_hand() {
    // good: best 100; bad: average (2+4+1+8+5)/5 = 4; online ranks A1 B2 C2 E4 D5; handling best 4.
    let results = score(
        &scheme(),
        &indicators(),
        &units([
            ("A", [98.0, 0.0, 90.0, 2.0, 95.0, 5.0]),
            ("B", [95.0, 3.0, 80.0, 4.0, 80.0, 6.0]),
            ("C", [100.0, 5.0, 100.0, 1.0, 80.0, 4.0]),
            ("D", [90.0, 12.0, 50.0, 8.0, 60.0, 10.0]),
            ("E", [95.0, 1.0, 100.0, 5.0, 70.0, 4.0]),
        ]),
    );
    // A: 100−2×2=96, tier 1 100, 90/100×100=90, 4/2 capped 100, rank 1 100, 100−1×5=95
    //    (2880+2000+1350+1500+1000+950)/100 = 96.80, online ≥ 90 +2 → 98.80
    assert_eq!(
        indicator_scores(&results, "A"),
        [96.0, 100.0, 90.0, 100.0, 100.0, 95.0]
    );
    // B: 90, 80, 80, 100, 90, 90 → (2700+1600+1200+1500+900+900)/100 = 88.00
    assert_eq!(
        indicator_scores(&results, "B"),
        [90.0, 80.0, 80.0, 100.0, 90.0, 90.0]
    );
    // C: 100, 50 (5 is in the third band), 100, 100, 90, 100 → 89.00
    // D: 80, 50, 50, 4/8×100=50, floor 60, 70 → 62.00, overdue ≥ 10 −3 → 59.00
    assert_eq!(
        indicator_scores(&results, "D"),
        [80.0, 50.0, 50.0, 50.0, 60.0, 70.0]
    );
    // E: 90, 80 (1 is in the second band), 100, 4/5×100=80, rank 4 70, 100 → 87.00
    assert_eq!(
        indicator_scores(&results, "E"),
        [90.0, 80.0, 100.0, 80.0, 70.0, 100.0]
    );
    assert_eq!(
        scores_and_ranks(&results),
        [
            ("A", 98.8, 1),
            ("C", 89.0, 2),
            ("B", 88.0, 3),
            ("E", 87.0, 4),
            ("D", 59.0, 5)
        ]
    );
    // Group g_a of A: (96×30 + 100×20 + 90×15) / 65 = 6230/65 = 95.846… → 95.85;
    // the level-1 group is the weighted score before adjustments.
    let a = &results[0];
    let group = |code: &str| a.indicators.iter().find(|s| s.code == code).unwrap().score;
    assert_eq!((group("g_a"), group("top")), (95.85, 96.8));
}

#[test]
fn second_period_by_hand_with_a_tie() {
    // good: best 100; bad: all 3 (average 3); online ranks A1 C2 D2 B4 E4; handling best 3.
    let results = score(
        &scheme(),
        &indicators(),
        &units([
            ("A", [90.0, 10.0, 60.0, 3.0, 90.0, 8.0]),
            ("B", [100.0, 0.0, 75.0, 3.0, 50.0, 3.0]),
            ("C", [96.0, 2.0, 50.0, 3.0, 85.0, 5.0]),
            ("D", [100.0, 0.0, 100.0, 3.0, 85.0, 3.0]),
            ("E", [100.0, 0.0, 75.0, 3.0, 50.0, 3.0]),
        ]),
    );
    // A: 80, 50, 60, 100, 100, 75 → 75.50, +2 (online 90) −3 (overdue 10) → 74.50
    // B = E: 100, 100, 75, 100, 70, 100 → 93.25 — they share rank 2, C is 4th
    // C: 92, 80, 50, 100, 90, 90 → 84.10;  D: 100, 100, 100, 100, 90, 100 → 99.00
    assert_eq!(
        indicator_scores(&results, "C"),
        [92.0, 80.0, 50.0, 100.0, 90.0, 90.0]
    );
    assert_eq!(
        scores_and_ranks(&results),
        [
            ("D", 99.0, 1),
            ("B", 93.25, 2),
            ("E", 93.25, 2),
            ("C", 84.1, 4),
            ("A", 74.5, 5)
        ]
    );
}

#[test]
fn the_trace_shows_inputs_each_rule_and_the_result() {
    let results = score(
        &scheme(),
        &indicators(),
        &units([
            ("A", [98.0, 0.0, 90.0, 2.0, 95.0, 5.0]),
            ("B", [95.0, 3.0, 80.0, 4.0, 80.0, 6.0]),
            ("C", [100.0, 5.0, 100.0, 1.0, 80.0, 4.0]),
            ("D", [90.0, 12.0, 50.0, 8.0, 60.0, 10.0]),
            ("E", [95.0, 1.0, 100.0, 5.0, 70.0, 4.0]),
        ]),
    );
    let trace = &results.iter().find(|r| r.unit_code == "D").unwrap().trace;
    let steps: Vec<&str> = trace.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps.first(), Some(&"输入"));
    assert_eq!(steps.last(), Some(&"结果"));
    let handling = trace.iter().find(|s| s.step.contains("handling")).unwrap();
    assert_eq!(handling.result, Some(70.0));
    assert!(
        handling.detail.contains("最大(0, 100 - (值 - 最优) * 5)"),
        "{}",
        handling.detail
    );
    let penalty = trace.iter().find(|s| s.step.contains("超期较多")).unwrap();
    assert_eq!(penalty.result, Some(59.0));
}

#[test]
fn a_unit_without_data_scores_zero_for_that_indicator_and_is_not_ranked_on_it() {
    let mut input = units([
        ("A", [98.0, 0.0, 90.0, 2.0, 95.0, 5.0]),
        ("B", [95.0, 3.0, 80.0, 4.0, 80.0, 6.0]),
        ("C", [100.0, 5.0, 100.0, 1.0, 80.0, 4.0]),
        ("D", [90.0, 12.0, 50.0, 8.0, 60.0, 10.0]),
        ("E", [95.0, 1.0, 100.0, 5.0, 70.0, 4.0]),
    ]);
    input[0].values.insert(
        "good".into(),
        Measured {
            value: None,
            numerator: 0.0,
            denominator: Some(0.0),
        },
    );
    let results = score(&scheme(), &indicators(), &input);
    let a = results.iter().find(|r| r.unit_code == "A").unwrap();
    let good = a.indicators.iter().find(|s| s.code == "good").unwrap();
    assert_eq!((good.score, good.rank), (0.0, None));
    // 98.80 − 15 × 90 / 100
    assert_eq!(a.score, 85.3);
}

#[test]
fn invalid_schemes_name_the_field() {
    let scoreable: BTreeMap<_, _> = indicators()
        .into_iter()
        .filter(|(_, i)| i.level == 3)
        .collect();
    let mut s = scheme();
    s.items[5].rule = Rule::Formula {
        expression: "值 +* 2".into(),
    };
    assert_eq!(
        s.validate(&scoreable).unwrap_err().field,
        "items[5].rule.expression"
    );
    let mut s = scheme();
    s.items[1].indicator = "g_a".into();
    assert_eq!(
        s.validate(&scoreable).unwrap_err().field,
        "items[1].indicator"
    );
    let mut s = scheme();
    s.items[0].weight = 0.0;
    assert_eq!(s.validate(&scoreable).unwrap_err().field, "items[0].weight");
    let mut s = scheme();
    s.adjustments[0].when = "unknown_code > 1".into();
    assert_eq!(
        s.validate(&scoreable).unwrap_err().field,
        "adjustments[0].when"
    );
    assert!(serde_json::from_value::<Scheme>(serde_json::json!({
        "unit_level": "district", "items": [{"indicator": "x", "weight": 1, "rule": {"template": "nope"}}]
    })).is_err());
}

#[test]
fn ranks_are_shared_by_equal_keys_and_skip_after_them() {
    assert_eq!(
        competition_ranks(&[70.0, 90.0, 70.0, 50.0, 90.0], true),
        [3, 1, 3, 5, 1]
    );
    assert_eq!(
        competition_ranks(&[3.0, 1.0, 1.0, 2.0], false),
        [4, 1, 1, 3]
    );
    assert_eq!(competition_ranks(&[], true), Vec::<u32>::new());
}
