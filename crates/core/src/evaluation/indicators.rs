//! The indicator library (IND-1): three levels, a direction, a unit and a
//! calculation. Level-1 and level-2 indicators group their children; a
//! level-3 indicator is a ratio of facts the platform holds.

use super::measures::Ratio;
use serde::{Deserialize, Serialize};

/// Whether a larger value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

/// draft → enabled ↔ disabled. Only enabled indicators may be scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorState {
    Draft,
    Enabled,
    Disabled,
}

impl IndicatorState {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorState::Draft => "draft",
            IndicatorState::Enabled => "enabled",
            IndicatorState::Disabled => "disabled",
        }
    }
}

/// How an indicator's value is obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Calculation {
    /// Level 1 and 2: the weighted score of its children.
    Group,
    /// Level 3: `numerator / denominator × scale` over the unit's facts.
    Ratio(Ratio),
}

/// One indicator as stored (a version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndicatorDef {
    pub code: String,
    pub name: String,
    /// 1, 2 or 3.
    pub level: u8,
    pub parent_code: Option<String>,
    pub state: IndicatorState,
    pub direction: Direction,
    /// Display unit: %, 件, 天, ‰ …
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub description: String,
    /// Where its facts come from (办件库, 评价库, 预警库 …).
    #[serde(default)]
    pub data_source: String,
    pub calculation: Calculation,
}

/// A problem with a definition: the field and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> DefinitionError {
    DefinitionError {
        field,
        message: message.into(),
    }
}

/// Whether `code` may name an indicator (lower-case letters, digits, `_`).
pub fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl IndicatorDef {
    /// Check the definition on its own; `parent_level` is the stored level of
    /// `parent_code` (None when it does not exist).
    pub fn validate(&self, parent_level: Option<u8>) -> Result<(), DefinitionError> {
        if !valid_code(&self.code) {
            return Err(problem(
                "code",
                "编码须为 1–40 位小写字母、数字或下划线，以字母开头",
            ));
        }
        let name_len = self.name.trim().chars().count();
        if name_len == 0 || name_len > 50 {
            return Err(problem("name", "名称须为 1–50 个字符"));
        }
        if !(1..=3).contains(&self.level) {
            return Err(problem("level", "层级须为 1、2 或 3"));
        }
        match (&self.parent_code, self.level) {
            (Some(_), 1) => return Err(problem("parent_code", "一级指标没有上级")),
            (None, 2 | 3) => return Err(problem("parent_code", "二、三级指标须有上级指标")),
            (Some(parent), _) if parent == &self.code => {
                return Err(problem("parent_code", "上级不能是自身"))
            }
            (Some(_), level) if parent_level != Some(level - 1) => {
                return Err(problem("parent_code", "上级指标须存在且比本指标高一级"))
            }
            _ => {}
        }
        match (&self.calculation, self.level) {
            (Calculation::Group, 3) => Err(problem(
                "calculation",
                "三级指标须给出计算方式（分子/分母）",
            )),
            (Calculation::Ratio(_), 1 | 2) => Err(problem(
                "calculation",
                "一、二级指标由下级指标汇总，计算方式须为 group",
            )),
            (Calculation::Ratio(ratio), _) => {
                if let Some(fact) = ratio.unknown_fact() {
                    return Err(problem("calculation", format!("未知的数据项 {fact}")));
                }
                if !ratio.scale.is_finite() || ratio.scale <= 0.0 {
                    return Err(problem("calculation", "倍数须为正数"));
                }
                Ok(())
            }
            (Calculation::Group, _) => Ok(()),
        }
    }

    /// The ratio of a level-3 indicator.
    pub fn ratio(&self) -> Option<&Ratio> {
        match &self.calculation {
            Calculation::Ratio(r) => Some(r),
            Calculation::Group => None,
        }
    }
}

/// Code of the on-time completion rate (the contract names it).
pub const ON_TIME_RATE: &str = "on_time_rate";

fn group(code: &str, name: &str, parent: Option<&str>, description: &str) -> IndicatorDef {
    IndicatorDef {
        code: code.to_string(),
        name: name.to_string(),
        level: if parent.is_some() { 2 } else { 1 },
        parent_code: parent.map(String::from),
        state: IndicatorState::Enabled,
        direction: Direction::Higher,
        unit: "分".to_string(),
        description: description.to_string(),
        data_source: String::new(),
        calculation: Calculation::Group,
    }
}

#[allow(clippy::too_many_arguments)]
fn ratio(
    code: &str,
    name: &str,
    parent: &str,
    direction: Direction,
    unit: &str,
    (numerator, denominator, scale): (&str, Option<&str>, f64),
    source: &str,
    description: &str,
) -> IndicatorDef {
    IndicatorDef {
        code: code.to_string(),
        name: name.to_string(),
        level: 3,
        parent_code: Some(parent.to_string()),
        state: IndicatorState::Enabled,
        direction,
        unit: unit.to_string(),
        description: description.to_string(),
        data_source: source.to_string(),
        calculation: Calculation::Ratio(Ratio {
            numerator: numerator.to_string(),
            denominator: denominator.map(String::from),
            scale,
        }),
    }
}

/// The indicators every installation starts with, parents first.
pub fn builtin() -> Vec<IndicatorDef> {
    use Direction::{Higher, Lower};
    const CASES: &str = "办件库";
    vec![
        group("efficiency", "办理效率", None, "办件时效与预警监督"),
        group("service", "服务质量", None, "群众满意与办事便利"),
        group("timeliness", "办理时效", Some("efficiency"), ""),
        group("supervision", "预警监督", Some("efficiency"), ""),
        group("satisfaction", "群众满意", Some("service"), ""),
        group("convenience", "办事便利", Some("service"), ""),
        ratio(ON_TIME_RATE, "按时办结率", "timeliness", Higher, "%",
            ("completed_on_time", Some("completed"), 100.0), CASES,
            "期间内申请且已办结的办件中，未超期办结的比例（办件列表：状态=已办结 且 超期=否 ÷ 状态=已办结）"),
        ratio("overdue_cases", "超期办件数", "timeliness", Lower, "件",
            ("overdue", None, 1.0), CASES,
            "期间内申请、任一环节超过时限的办件数（办件列表：超期=是）"),
        ratio("avg_handling_days", "平均办理天数", "timeliness", Lower, "天",
            ("handling_days", Some("timed"), 1.0), CASES,
            "已办结办件从受理到办结的平均自然日数"),
        ratio("handling_time_ratio", "办理用时占承诺时限比", "timeliness", Lower, "%",
            ("handling_days", Some("promised_days"), 100.0), CASES,
            "已办结办件的办理天数合计 ÷ 其事项承诺时限合计"),
        ratio("warnings_per_1000", "千件预警数", "supervision", Lower, "‰",
            ("warnings", Some("cases"), 1000.0), "预警库",
            "期间内产生的预警次数 ÷ 期间内申请件数 × 1000"),
        ratio("good_review_rate", "好评率", "satisfaction", Higher, "%",
            ("good_reviews", Some("evaluations"), 100.0), "评价库",
            "评价为非常满意或满意的比例"),
        ratio("bad_review_rate", "差评率", "satisfaction", Lower, "%",
            ("bad_reviews", Some("evaluations"), 100.0), "评价库",
            "评价为不满意或非常不满意的比例"),
        ratio("online_share", "网上申请占比", "convenience", Higher, "%",
            ("online", Some("cases"), 100.0), CASES,
            "通过网站、APP、微信申请的办件占比"),
        ratio("rejection_rate", "不予受理率", "convenience", Lower, "%",
            ("rejected", Some("cases"), 100.0), CASES,
            "状态为不予受理的办件占比"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::measures::UnitFacts;

    #[test]
    fn builtin_indicators_are_valid_and_parents_come_first() {
        let all = builtin();
        for (i, def) in all.iter().enumerate() {
            let parent_level = def
                .parent_code
                .as_ref()
                .and_then(|p| all[..i].iter().find(|d| &d.code == p))
                .map(|d| d.level);
            def.validate(parent_level).unwrap();
        }
        assert!(all.iter().any(|d| d.code == ON_TIME_RATE));
    }

    #[test]
    fn on_time_rate_is_on_time_over_completed() {
        let def = builtin()
            .into_iter()
            .find(|d| d.code == ON_TIME_RATE)
            .unwrap();
        let facts = UnitFacts {
            completed: 8.0,
            completed_on_time: 6.0,
            cases: 20.0,
            ..Default::default()
        };
        let m = def.ratio().unwrap().measure(&facts);
        assert_eq!(
            (m.value, m.numerator, m.denominator),
            (Some(75.0), 6.0, Some(8.0))
        );
        let none = def.ratio().unwrap().measure(&UnitFacts::default());
        assert_eq!(none.value, None);
    }

    #[test]
    fn definitions_that_do_not_fit_the_hierarchy_are_refused() {
        let mut def = builtin()
            .into_iter()
            .find(|d| d.code == ON_TIME_RATE)
            .unwrap();
        assert_eq!(def.validate(Some(1)).unwrap_err().field, "parent_code");
        assert_eq!(def.validate(None).unwrap_err().field, "parent_code");
        def.calculation = Calculation::Group;
        assert_eq!(def.validate(Some(2)).unwrap_err().field, "calculation");
        def.calculation = Calculation::Ratio(Ratio {
            numerator: "nonsense".into(),
            denominator: None,
            scale: 1.0,
        });
        assert_eq!(def.validate(Some(2)).unwrap_err().field, "calculation");
        def.code = "Bad Code".into();
        assert_eq!(def.validate(Some(2)).unwrap_err().field, "code");
    }
}
