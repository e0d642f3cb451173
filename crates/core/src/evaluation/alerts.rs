//! Indicator warning rules (指标预警, IND-2): levels (most severe first),
//! each with a name, a colour and conditions on a level-3 indicator's value,
//! its year-on-year (同比) or period-on-period (环比) change, combined with
//! all / any; a cron schedule says when the rule runs, and each run assesses
//! the last whole period of the rule's kind for every unit of its level.

use super::indicators::valid_code;
use super::measures::round4;
use super::period::Period;
use super::scoring::UnitLevel;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The level keys a rule may use (they are the warning levels of the inbox:
/// the city is told of red by default, the units of every level).
pub const LEVEL_KEYS: &[&str] = &["red", "orange", "yellow", "blue"];

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AlertMeasure)]
pub enum Measure {
    /// The value itself (a static threshold).
    Value,
    /// Percentage change against the same period a year before (同比).
    Yoy,
    /// Percentage change against the period just before (环比).
    Pop,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Value => "值",
            Measure::Yoy => "同比变化%",
            Measure::Pop => "环比变化%",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AlertOp)]
pub enum Comparison {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Comparison {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Gt => left > right,
            Comparison::Ge => left >= right,
            Comparison::Lt => left < right,
            Comparison::Le => left <= right,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Gt => ">",
            Comparison::Ge => "≥",
            Comparison::Lt => "<",
            Comparison::Le => "≤",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AlertCondition)]
pub struct Condition {
    pub measure: Measure,
    pub op: Comparison,
    pub threshold: f64,
}

/// How a level's conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AlertCombine)]
pub enum Combine {
    #[default]
    All,
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertLevel {
    /// One of [`LEVEL_KEYS`].
    pub level: String,
    pub name: String,
    /// `#RRGGBB`.
    pub colour: String,
    #[serde(default)]
    pub combine: Combine,
    pub conditions: Vec<Condition>,
}

/// Which whole period a run assesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    /// The last whole period of this kind before the one holding `day`.
    pub fn last_complete(self, day: NaiveDate) -> Period {
        match self {
            PeriodKind::Month => Period::Month {
                year: day.year(),
                month: day.month(),
            },
            PeriodKind::Quarter => Period::Quarter {
                year: day.year(),
                quarter: (day.month() - 1) / 3 + 1,
            },
            PeriodKind::Year => Period::Year(day.year()),
        }
        .previous()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleState {
    Enabled,
    Disabled,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Enabled => "enabled",
            RuleState::Disabled => "disabled",
        }
    }
}

/// One indicator warning rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    pub code: String,
    pub name: String,
    /// A level-3 indicator's code.
    pub indicator: String,
    pub unit_level: UnitLevel,
    pub period: PeriodKind,
    /// Cron (`min hour day month weekday`, Asia/Shanghai), e.g. `0 8 1 * *`.
    pub schedule: String,
    pub state: RuleState,
    /// Most severe first; a unit gets the first level whose conditions hold.
    pub levels: Vec<AlertLevel>,
    #[serde(default)]
    pub description: String,
}

/// A problem with a rule: the field path and a message for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: String,
    pub message: String,
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> RuleError {
    RuleError {
        field: field.into(),
        message: message.into(),
    }
}

fn schedule_of(text: &str) -> Option<croner::Cron> {
    croner::Cron::from_str(text.trim()).ok()
}

/// The first time after `after_ms` that `schedule` fires (Asia/Shanghai);
/// none for a malformed schedule.
pub fn next_run(schedule: &str, after_ms: i64) -> Option<i64> {
    let cron = schedule_of(schedule)?;
    let after: DateTime<_> = crate::time::shanghai()
        .timestamp_millis_opt(after_ms)
        .single()?;
    cron.find_next_occurrence(&after, false)
        .ok()
        .map(|t| t.timestamp_millis())
}

fn colour_ok(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// One unit's figures for a period.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Observation {
    pub value: Option<f64>,
    /// Percentage change against the same period a year before.
    pub yoy: Option<f64>,
    /// Percentage change against the previous period.
    pub pop: Option<f64>,
}

/// Percentage change from `base` to `current`; none without both or when
/// `base` is 0.
pub fn change(current: Option<f64>, base: Option<f64>) -> Option<f64> {
    match (current, base) {
        (Some(c), Some(b)) if b != 0.0 => Some(round4((c - b) / b.abs() * 100.0)),
        _ => None,
    }
}

impl Observation {
    pub fn new(value: Option<f64>, previous: Option<f64>, year_ago: Option<f64>) -> Self {
        Self {
            value,
            yoy: change(value, year_ago),
            pop: change(value, previous),
        }
    }

    fn get(&self, measure: Measure) -> Option<f64> {
        match measure {
            Measure::Value => self.value,
            Measure::Yoy => self.yoy,
            Measure::Pop => self.pop,
        }
    }
}

impl Condition {
    /// Whether it holds (a figure that cannot be computed never holds).
    pub fn holds(&self, observed: &Observation) -> bool {
        observed
            .get(self.measure)
            .is_some_and(|v| self.op.holds(v, self.threshold))
    }

    pub fn describe(&self) -> String {
        format!(
            "{} {} {}",
            self.measure.label(),
            self.op.symbol(),
            self.threshold
        )
    }
}

impl AlertLevel {
    pub fn holds(&self, observed: &Observation) -> bool {
        match self.combine {
            Combine::All => self.conditions.iter().all(|c| c.holds(observed)),
            Combine::Any => self.conditions.iter().any(|c| c.holds(observed)),
        }
    }

    /// The conditions as a person reads them.
    pub fn describe(&self) -> String {
        let joiner = match self.combine {
            Combine::All => " 且 ",
            Combine::Any => " 或 ",
        };
        self.conditions
            .iter()
            .map(Condition::describe)
            .collect::<Vec<_>>()
            .join(joiner)
    }
}

impl AlertRule {
    /// Check the rule on its own (the indicator's existence is the caller's).
    pub fn validate(&self) -> Result<(), RuleError> {
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
        if self.description.chars().count() > 500 {
            return Err(problem("description", "说明最多 500 个字符"));
        }
        if schedule_of(&self.schedule).is_none() {
            return Err(problem(
                "schedule",
                "执行频率须为 cron 表达式（分 时 日 月 周），如 0 8 1 * *",
            ));
        }
        if self.levels.is_empty() || self.levels.len() > LEVEL_KEYS.len() {
            return Err(problem("levels", "须有 1–4 个预警级别"));
        }
        for (i, level) in self.levels.iter().enumerate() {
            let at = |f: &str| format!("levels[{i}].{f}");
            if !LEVEL_KEYS.contains(&level.level.as_str()) {
                return Err(problem(at("level"), "级别须为 red、orange、yellow 或 blue"));
            }
            if self.levels[..i].iter().any(|o| o.level == level.level) {
                return Err(problem(at("level"), "级别重复"));
            }
            let len = level.name.trim().chars().count();
            if len == 0 || len > 20 {
                return Err(problem(at("name"), "级别名称须为 1–20 个字符"));
            }
            if !colour_ok(&level.colour) {
                return Err(problem(at("colour"), "颜色须为 #RRGGBB"));
            }
            if level.conditions.is_empty() || level.conditions.len() > 10 {
                return Err(problem(at("conditions"), "须有 1–10 个条件"));
            }
            for (c, condition) in level.conditions.iter().enumerate() {
                if !condition.threshold.is_finite() {
                    return Err(problem(
                        format!("levels[{i}].conditions[{c}].threshold"),
                        "阈值须为有限数值",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The index of the first (most severe) level that holds, if any.
    pub fn assess(&self, observed: &Observation) -> Option<usize> {
        self.levels.iter().position(|l| l.holds(observed))
    }

    /// A level's rank among the rule's levels (the most severe highest).
    pub fn rank_of(&self, index: usize) -> i64 {
        i64::try_from(self.levels.len() - index).unwrap_or(1)
    }

    /// The level keys it uses, as the list searches them (`,red,yellow,`).
    pub fn level_keys(&self) -> String {
        let keys: Vec<&str> = self.levels.iter().map(|l| l.level.as_str()).collect();
        format!(",{},", keys.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(measure: Measure, op: Comparison, threshold: f64) -> Condition {
        Condition {
            measure,
            op,
            threshold,
        }
    }

    fn rule() -> AlertRule {
        AlertRule {
            code: "on_time_low".into(),
            name: "按时办结率偏低".into(),
            indicator: "on_time_rate".into(),
            unit_level: UnitLevel::District,
            period: PeriodKind::Month,
            schedule: "0 8 1 * *".into(),
            state: RuleState::Enabled,
            levels: vec![
                AlertLevel {
                    level: "red".into(),
                    name: "红灯".into(),
                    colour: "#F56C6C".into(),
                    combine: Combine::All,
                    conditions: vec![
                        cond(Measure::Value, Comparison::Lt, 90.0),
                        cond(Measure::Pop, Comparison::Le, -5.0),
                    ],
                },
                AlertLevel {
                    level: "yellow".into(),
                    name: "黄灯".into(),
                    colour: "#E6A23C".into(),
                    combine: Combine::Any,
                    conditions: vec![
                        cond(Measure::Value, Comparison::Lt, 95.0),
                        cond(Measure::Yoy, Comparison::Lt, -10.0),
                    ],
                },
            ],
            description: String::new(),
        }
    }

    #[test]
    fn the_most_severe_level_that_holds_wins() {
        let r = rule();
        r.validate().unwrap();
        // 85 after 100: −15 % on the previous period, below 90: red.
        assert_eq!(
            r.assess(&Observation::new(Some(85.0), Some(100.0), None)),
            Some(0)
        );
        // 85 after 86: only −1.16 %: not red, but below 95: yellow.
        assert_eq!(
            r.assess(&Observation::new(Some(85.0), Some(86.0), None)),
            Some(1)
        );
        // 97, a year ago 110: −11.8 % year on year: yellow (any).
        assert_eq!(
            r.assess(&Observation::new(Some(97.0), Some(96.0), Some(110.0))),
            Some(1)
        );
        assert_eq!(
            r.assess(&Observation::new(Some(97.0), None, Some(100.0))),
            None
        );
        // No value: no change either, nothing holds.
        assert_eq!(r.assess(&Observation::new(None, Some(90.0), None)), None);
        assert_eq!(r.rank_of(0), 2);
        assert_eq!(r.level_keys(), ",red,yellow,");
    }

    #[test]
    fn change_is_a_percentage_of_the_base() {
        assert_eq!(change(Some(110.0), Some(100.0)), Some(10.0));
        assert_eq!(change(Some(-1.0), Some(-2.0)), Some(50.0));
        assert_eq!(change(Some(1.0), Some(0.0)), None);
        assert_eq!(change(None, Some(1.0)), None);
    }

    #[test]
    fn malformed_rules_are_refused_with_the_field() {
        let mut r = rule();
        r.schedule = "every day".into();
        assert_eq!(r.validate().unwrap_err().field, "schedule");
        let mut r = rule();
        r.levels[1].level = "red".into();
        assert_eq!(r.validate().unwrap_err().field, "levels[1].level");
        let mut r = rule();
        r.levels[0].colour = "red".into();
        assert_eq!(r.validate().unwrap_err().field, "levels[0].colour");
        let mut r = rule();
        r.levels[0].conditions[1].threshold = f64::NAN;
        assert_eq!(
            r.validate().unwrap_err().field,
            "levels[0].conditions[1].threshold"
        );
    }

    #[test]
    fn schedules_fire_in_shanghai_time_and_periods_are_whole() {
        // 2026-03-15T00:00+08:00 → next "0 8 1 * *" is 2026-04-01T08:00+08:00.
        let start = crate::time::parse_rfc3339("2026-03-15T00:00:00+08:00").unwrap();
        let next = next_run("0 8 1 * *", start).unwrap();
        assert_eq!(crate::time::to_rfc3339(next), "2026-04-01T08:00:00+08:00");
        assert_eq!(next_run("nonsense", start), None);
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(PeriodKind::Month.last_complete(day).to_string(), "2026-03");
        assert_eq!(
            PeriodKind::Quarter.last_complete(day).to_string(),
            "2026-Q1"
        );
        assert_eq!(PeriodKind::Year.last_complete(day).to_string(), "2025");
    }
}
