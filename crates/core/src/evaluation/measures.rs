//! Built-in measures: what the platform can compute for a unit and period
//! from the facts it already holds (cases, warnings, evaluations). Each is a
//! numerator over a denominator so that a person can recompute it from the
//! case (or evaluation, or warning) list export of that unit and period.

use serde::{Deserialize, Serialize};

/// Counts of one unit in one period, summed by SQL aggregates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitFacts {
    /// Cases submitted in the period.
    pub cases: f64,
    /// … of which completed (办结).
    pub completed: f64,
    /// … completed with no stage clock past its deadline.
    pub completed_on_time: f64,
    /// … with any stage clock past its deadline (finished late or still running).
    pub overdue: f64,
    /// … submitted online (channels online, app, wechat).
    pub online: f64,
    /// … not accepted (不予受理).
    pub rejected: f64,
    /// Completed cases with an acceptance time and a promised limit.
    pub timed: f64,
    /// Their days from acceptance to completion, summed (calendar days).
    pub handling_days: f64,
    /// Their items' promised limits, summed (days).
    pub promised_days: f64,
    /// Warnings raised in the period on the unit's subjects.
    pub warnings: f64,
    /// Evaluations rated in the period.
    pub evaluations: f64,
    /// … rated 不满意 or 非常不满意 (4, 5).
    pub bad_reviews: f64,
    /// … rated 非常满意 or 满意 (1, 2).
    pub good_reviews: f64,
}

/// The fact a ratio may name.
pub const FACTS: &[(&str, &str)] = &[
    ("cases", "申请件数"),
    ("completed", "办结件数"),
    ("completed_on_time", "按时办结件数"),
    ("overdue", "超期件数"),
    ("online", "网上申请件数"),
    ("rejected", "不予受理件数"),
    ("timed", "计时办结件数"),
    ("handling_days", "办理天数合计"),
    ("promised_days", "承诺时限合计"),
    ("warnings", "预警次数"),
    ("evaluations", "评价条数"),
    ("bad_reviews", "差评条数"),
    ("good_reviews", "好评条数"),
];

impl UnitFacts {
    /// A fact by its code (see [`FACTS`]).
    pub fn get(&self, fact: &str) -> Option<f64> {
        Some(match fact {
            "cases" => self.cases,
            "completed" => self.completed,
            "completed_on_time" => self.completed_on_time,
            "overdue" => self.overdue,
            "online" => self.online,
            "rejected" => self.rejected,
            "timed" => self.timed,
            "handling_days" => self.handling_days,
            "promised_days" => self.promised_days,
            "warnings" => self.warnings,
            "evaluations" => self.evaluations,
            "bad_reviews" => self.bad_reviews,
            "good_reviews" => self.good_reviews,
            _ => return None,
        })
    }
}

/// A measured value: `numerator / denominator × scale` (no denominator: the
/// numerator itself). `value` is `None` when the denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub value: Option<f64>,
    pub numerator: f64,
    pub denominator: Option<f64>,
}

/// How a level-3 indicator is computed from [`UnitFacts`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ratio {
    /// A fact code of [`FACTS`].
    pub numerator: String,
    /// A fact code, or none for a plain count.
    #[serde(default)]
    pub denominator: Option<String>,
    /// 100 for a percentage, 1000 for "per thousand", 1 for a plain ratio.
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

impl Ratio {
    /// The unknown fact it names, if any.
    pub fn unknown_fact(&self) -> Option<&str> {
        std::iter::once(self.numerator.as_str())
            .chain(self.denominator.as_deref())
            .find(|f| !FACTS.iter().any(|(code, _)| code == f))
    }

    /// Its value for a unit's facts, rounded to 4 decimals (what a person
    /// recomputing it from an export would round to).
    pub fn measure(&self, facts: &UnitFacts) -> Measured {
        let numerator = facts.get(&self.numerator).unwrap_or(0.0);
        let denominator = self
            .denominator
            .as_deref()
            .map(|d| facts.get(d).unwrap_or(0.0));
        self.of(numerator, denominator)
    }

    /// The value of given counts (a corrected appeal's figures).
    pub fn of(&self, numerator: f64, denominator: Option<f64>) -> Measured {
        let value = match denominator {
            None => Some(numerator * self.scale),
            Some(0.0) => None,
            Some(d) => Some(numerator / d * self.scale),
        };
        Measured {
            value: value.map(round4),
            numerator,
            denominator,
        }
    }
}

/// Round to 4 decimals.
pub fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Round to 2 decimals (scores).
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
