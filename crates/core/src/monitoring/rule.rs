//! Warning definitions (MON-2/4): a rule names its stage, the cases it looks
//! at (scope condition) and its levels in ascending severity, each with its own
//! condition, colour, handling deadline and message template. [`RuleDef::compile`]
//! validates everything and yields the form the evaluator runs.

use super::condition::{compile, Compiled, Field, Node, Op, Operand, Problems};
use super::template;
use serde::{Deserialize, Serialize};

/// Stages with the names messages use (“{{环节}}环节”).
pub const STAGES: &[(&str, &str)] = &[
    ("consultation", "咨询"),
    ("acceptance", "受理"),
    ("approval", "审批"),
    ("special_procedure", "特别程序"),
    ("immediate", "即办"),
];
pub const RULE_TYPES: &[&str] = &["overdue", "count", "custom"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RuleLevel)]
pub struct LevelDef {
    pub key: String,
    pub name: String,
    pub colour: String,
    pub handling_hours: u32,
    pub template: String,
    pub condition: Node,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RuleWebhook)]
pub struct Webhook {
    pub url: String,
    /// Write-only: a rule read back shows `******` (null when none).
    #[serde(default)]
    pub secret: Option<String>,
    /// The data scope of whoever saved the rule, set by the server (a value
    /// sent by a client is replaced): deliveries carry only warnings inside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<crate::identity::Scope>,
}

impl Webhook {
    /// Whether a warning on a fact at `region_code` / `department_code` may
    /// be delivered (rules saved before scopes were recorded: everywhere).
    pub fn carries(&self, region_code: &str, department_code: &str) -> bool {
        self.scope.as_ref().is_none_or(|scope| {
            scope.allows(region_code, Some(department_code).filter(|d| !d.is_empty()))
        })
    }
}

/// A rule as edited and stored (one version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WarningRuleInput)]
pub struct RuleDef {
    pub code: String,
    pub name: String,
    #[schema(schema_with = stage_schema)]
    pub stage: String,
    #[serde(rename = "type")]
    #[schema(schema_with = rule_type_schema)]
    pub rule_type: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "enabled_default")]
    pub enabled: bool,
    #[serde(default)]
    pub condition: Node,
    pub levels: Vec<LevelDef>,
    #[serde(default)]
    pub webhook: Option<Webhook>,
}

fn stage_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(STAGES.iter().map(|(code, _)| *code)))
        .build()
}

fn rule_type_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(RULE_TYPES.iter().copied()))
        .build()
}

fn enabled_default() -> bool {
    true
}

/// A validated rule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub def: RuleDef,
    pub version: i64,
    pub scope: Compiled,
    pub levels: Vec<Compiled>,
    /// Windowed counts the rule reads: (field, days).
    pub windows: Vec<(Field, u32)>,
    /// Tests on time-driven metrics (for the next threshold instant).
    pub time_tests: Vec<(Field, Op, Operand)>,
}

fn is_code(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_len(problems: &mut Problems, path: &str, text: &str, min: usize, max: usize, what: &str) {
    let n = text.trim().chars().count();
    if n < min || n > max {
        problems.insert(path.to_string(), format!("{what}须为 {min}–{max} 个字符"));
    }
}

impl RuleDef {
    /// Validate and compile; the map names every problem by its JSON path.
    pub fn compile(&self, version: i64) -> Result<CompiledRule, Problems> {
        let mut problems = Problems::new();
        if self.code.len() < 2 || !is_code(&self.code, 40) {
            problems.insert(
                "code".into(),
                "编码须为 2–40 位小写字母、数字或下划线".into(),
            );
        }
        check_len(&mut problems, "name", &self.name, 1, 60, "名称");
        check_len(
            &mut problems,
            "description",
            &self.description,
            0,
            500,
            "说明",
        );
        if !STAGES.iter().any(|(s, _)| *s == self.stage) {
            problems.insert(
                "stage".into(),
                "环节须为咨询、受理、审批、特殊环节或即办件".into(),
            );
        }
        if !RULE_TYPES.contains(&self.rule_type.as_str()) {
            problems.insert("type".into(), "类型须为 overdue、count 或 custom".into());
        }
        let scope = compile(&self.condition, &self.stage, "condition", &mut problems);
        if self.levels.is_empty() || self.levels.len() > 5 {
            problems.insert("levels".into(), "须有 1–5 个预警级别".into());
        }
        let mut levels = Vec::new();
        for (i, level) in self.levels.iter().enumerate() {
            let path = format!("levels[{i}]");
            if !is_code(&level.key, 20) {
                problems.insert(
                    format!("{path}.key"),
                    "级别标识须为小写字母、数字或下划线".into(),
                );
            } else if self.levels[..i].iter().any(|l| l.key == level.key) {
                problems.insert(format!("{path}.key"), "级别标识重复".into());
            }
            check_len(
                &mut problems,
                &format!("{path}.name"),
                &level.name,
                1,
                20,
                "级别名称",
            );
            if !is_colour(&level.colour) {
                problems.insert(format!("{path}.colour"), "颜色须为 #RRGGBB".into());
            }
            if !(1..=720).contains(&level.handling_hours) {
                problems.insert(
                    format!("{path}.handling_hours"),
                    "处置时限须为 1–720 小时".into(),
                );
            }
            check_len(
                &mut problems,
                &format!("{path}.template"),
                &level.template,
                1,
                500,
                "消息模板",
            );
            if let Err(unknown) = template::check(&level.template) {
                problems.insert(
                    format!("{path}.template"),
                    format!("未知占位符 {{{{{unknown}}}}}"),
                );
            }
            let condition = compile(
                &level.condition,
                &self.stage,
                &format!("{path}.condition"),
                &mut problems,
            );
            levels.push(condition);
        }
        if let Some(hook) = &self.webhook {
            let url = hook.url.trim();
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 500 {
                problems.insert(
                    "webhook.url".into(),
                    "回调地址须为 http(s) 地址，不超过 500 字符".into(),
                );
            }
            if hook.secret.as_deref().is_some_and(|s| s.len() > 200) {
                problems.insert("webhook.secret".into(), "签名密钥不超过 200 字符".into());
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let scope = scope.unwrap_or(Compiled::All(Vec::new()));
        let levels: Vec<Compiled> = levels.into_iter().flatten().collect();
        let mut tests = Vec::new();
        scope.tests(&mut tests);
        levels.iter().for_each(|l| l.tests(&mut tests));
        let mut windows: Vec<(Field, u32)> = tests
            .iter()
            .filter(|(f, ..)| f.info().window)
            .map(|(f, _, _, w)| (*f, *w))
            .collect();
        windows.sort();
        windows.dedup();
        let time_tests = tests
            .into_iter()
            .filter(|(f, ..)| f.is_time_driven())
            .map(|(f, op, operand, _)| (f, op, operand))
            .collect();
        Ok(CompiledRule {
            def: self.clone(),
            version,
            scope,
            levels,
            windows,
            time_tests,
        })
    }
}

impl CompiledRule {
    pub fn code(&self) -> &str {
        &self.def.code
    }

    /// The index of the most severe level whose condition holds, if any.
    pub fn level_of(&self, facts: &dyn super::condition::Facts) -> Option<usize> {
        if !self.def.enabled || !self.scope.holds(facts) {
            return None;
        }
        self.levels.iter().rposition(|l| l.holds(facts))
    }
}
