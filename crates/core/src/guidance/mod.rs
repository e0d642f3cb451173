//! Situational guidance (一件事情形引导, SPEC GUIDE-1..3): situation trees,
//! answering, the coverage check, answer tokens and tolerance rules.
//!
//! A [`Tree`] is data: a catalogue of materials and items, questions with
//! options, and what each option brings (items, materials, notices, waived
//! materials). Questions may depend on an earlier question's answer (shown
//! only when one of the named options was chosen); options may exclude each
//! other ([`Exclusion`]). Answering ([`answer::evaluate`]) merges the
//! materials of every chosen option by material code, keeping the strictest
//! copies / original / required; [`coverage::check`] walks every answer
//! combination before a tree is published.

pub mod answer;
pub mod coverage;
pub mod credit;
pub mod token;
pub mod tolerance;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A material as the catalogue of a tree defines it (the defaults an option may tighten).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = TreeMaterial)]
pub struct MaterialDef {
    pub code: String,
    pub name: String,
    /// Copies to hand in (at least 1).
    #[serde(default = "one")]
    pub copies: u32,
    /// The original must be shown (else a copy is enough).
    #[serde(default)]
    pub original: bool,
    #[serde(default = "yes")]
    pub required: bool,
    /// The item the material belongs to (tolerance acceptance is per item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    /// May be missing at acceptance against a signed commitment (容缺).
    #[serde(default)]
    pub tolerable: bool,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

/// An item (事项) a situation involves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = TreeItemDef)]
pub struct ItemDef {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Promised time limit in working days (0: on the spot).
    #[serde(default)]
    pub promised_days: u32,
}

/// An option's use of a material: its code and, optionally, stricter terms
/// than the catalogue's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaterialUse {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copies: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// What choosing an option brings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = OptionEffects)]
pub struct Effects {
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub materials: Vec<MaterialUse>,
    #[serde(default)]
    pub notices: Vec<String>,
    /// Materials this answer makes unnecessary (e.g. shared electronic
    /// licences). A path that both requires and waives a material is
    /// contradictory and blocks publishing.
    #[serde(default)]
    pub waives: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = GuidanceOption)]
pub struct OptionDef {
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub effects: Effects,
}

/// A question is shown only when `question` was answered with one of `options`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = QuestionDependency)]
pub struct Dependency {
    pub question: String,
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = GuidanceQuestion)]
pub struct Question {
    pub code: String,
    pub title: String,
    /// Several options may be chosen (at least one).
    #[serde(default)]
    pub multiple: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Dependency>,
    pub options: Vec<OptionDef>,
}

/// One option of one question.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct OptionRef {
    pub question: String,
    pub option: String,
}

impl std::fmt::Display for OptionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.question, self.option)
    }
}

/// Options that cannot be chosen together (any two of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Exclusion {
    pub options: Vec<OptionRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Whether a tree guides one item or a 一件事 bundle of items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TreeKind {
    Item,
    Theme,
}

/// The content of a tree version (code, name and state live beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TreeBody {
    pub kind: TreeKind,
    #[serde(default)]
    pub description: String,
    /// Notices shown on every path.
    #[serde(default)]
    pub notices: Vec<String>,
    #[serde(default)]
    pub items: Vec<ItemDef>,
    #[serde(default)]
    pub materials: Vec<MaterialDef>,
    pub questions: Vec<Question>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

/// Bounds that keep a tree (and its coverage check) small.
pub const MAX_QUESTIONS: usize = 30;
pub const MAX_OPTIONS: usize = 12;
pub const MAX_MATERIALS: usize = 200;
pub const MAX_TEXT: usize = 500;

/// One structural problem, with where it is (`questions[2].options[0].code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

/// Codes of trees, questions, options, materials and items: 1–64 letters, digits, `-`, `_`.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_text(problems: &mut Vec<Problem>, path: String, text: &str) {
    if text.trim().is_empty() {
        problems.push(problem(path, "不能为空"));
    } else if text.chars().count() > MAX_TEXT {
        problems.push(problem(path, format!("不能超过 {MAX_TEXT} 字")));
    }
}

/// Codes of `list` that repeat or are malformed, reported under `path`.
fn check_codes<'a>(
    problems: &mut Vec<Problem>,
    path: &str,
    codes: impl Iterator<Item = &'a str>,
) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for (i, code) in codes.enumerate() {
        if !valid_code(code) {
            problems.push(problem(
                format!("{path}[{i}].code"),
                "编码须为 1–64 位字母、数字、- 或 _",
            ));
        } else if !seen.insert(code) {
            problems.push(problem(format!("{path}[{i}].code"), "编码重复"));
        }
    }
    seen
}

impl TreeBody {
    pub fn question(&self, code: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.code == code)
    }

    pub fn material(&self, code: &str) -> Option<&MaterialDef> {
        self.materials.iter().find(|m| m.code == code)
    }

    pub fn item(&self, code: &str) -> Option<&ItemDef> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Every structural problem: codes, texts, references to the catalogue,
    /// dependencies on an earlier question's existing options, exclusions of
    /// existing options. An empty list means the tree can be answered.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.questions.is_empty() {
            problems.push(problem("questions", "至少需要一个问题"));
        }
        if self.questions.len() > MAX_QUESTIONS {
            problems.push(problem("questions", format!("最多 {MAX_QUESTIONS} 个问题")));
        }
        if self.materials.len() > MAX_MATERIALS {
            problems.push(problem("materials", format!("最多 {MAX_MATERIALS} 种材料")));
        }
        for (i, notice) in self.notices.iter().enumerate() {
            check_text(&mut problems, format!("notices[{i}]"), notice);
        }
        let items = check_codes(
            &mut problems,
            "items",
            self.items.iter().map(|i| i.code.as_str()),
        );
        for (i, item) in self.items.iter().enumerate() {
            check_text(&mut problems, format!("items[{i}].name"), &item.name);
        }
        let materials = check_codes(
            &mut problems,
            "materials",
            self.materials.iter().map(|m| m.code.as_str()),
        );
        for (i, m) in self.materials.iter().enumerate() {
            check_text(&mut problems, format!("materials[{i}].name"), &m.name);
            if m.copies == 0 || m.copies > 99 {
                problems.push(problem(format!("materials[{i}].copies"), "份数须为 1–99"));
            }
            if let Some(item) = &m.item_code {
                if !items.contains(item.as_str()) {
                    problems.push(problem(
                        format!("materials[{i}].item_code"),
                        "事项不在本情形的事项列表中",
                    ));
                }
            }
        }
        check_codes(
            &mut problems,
            "questions",
            self.questions.iter().map(|q| q.code.as_str()),
        );
        for (qi, q) in self.questions.iter().enumerate() {
            let path = format!("questions[{qi}]");
            check_text(&mut problems, format!("{path}.title"), &q.title);
            if q.options.is_empty() || q.options.len() > MAX_OPTIONS {
                problems.push(problem(
                    format!("{path}.options"),
                    format!("选项须为 1–{MAX_OPTIONS} 个"),
                ));
            }
            check_codes(
                &mut problems,
                &format!("{path}.options"),
                q.options.iter().map(|o| o.code.as_str()),
            );
            if let Some(dep) = &q.depends_on {
                match self.questions[..qi].iter().find(|p| p.code == dep.question) {
                    None => problems.push(problem(
                        format!("{path}.depends_on.question"),
                        "只能依赖排在前面的问题",
                    )),
                    Some(parent) => {
                        if dep.options.is_empty() {
                            problems.push(problem(
                                format!("{path}.depends_on.options"),
                                "至少选择一个前置选项",
                            ));
                        }
                        for (k, o) in dep.options.iter().enumerate() {
                            if !parent.options.iter().any(|p| &p.code == o) {
                                problems.push(problem(
                                    format!("{path}.depends_on.options[{k}]"),
                                    "前置问题没有该选项",
                                ));
                            }
                        }
                    }
                }
            }
            for (oi, o) in q.options.iter().enumerate() {
                let path = format!("{path}.options[{oi}]");
                check_text(&mut problems, format!("{path}.label"), &o.label);
                for (k, item) in o.effects.items.iter().enumerate() {
                    if !items.contains(item.as_str()) {
                        problems.push(problem(
                            format!("{path}.effects.items[{k}]"),
                            "事项不在本情形的事项列表中",
                        ));
                    }
                }
                for (k, m) in o.effects.materials.iter().enumerate() {
                    if !materials.contains(m.code.as_str()) {
                        problems.push(problem(
                            format!("{path}.effects.materials[{k}]"),
                            "材料不在本情形的材料目录中",
                        ));
                    }
                    if m.copies.is_some_and(|c| c == 0 || c > 99) {
                        problems.push(problem(
                            format!("{path}.effects.materials[{k}].copies"),
                            "份数须为 1–99",
                        ));
                    }
                }
                for (k, m) in o.effects.waives.iter().enumerate() {
                    if !materials.contains(m.as_str()) {
                        problems.push(problem(
                            format!("{path}.effects.waives[{k}]"),
                            "材料不在本情形的材料目录中",
                        ));
                    }
                }
                for (k, n) in o.effects.notices.iter().enumerate() {
                    check_text(&mut problems, format!("{path}.effects.notices[{k}]"), n);
                }
            }
        }
        for (ei, e) in self.exclusions.iter().enumerate() {
            if e.options.len() < 2 {
                problems.push(problem(
                    format!("exclusions[{ei}].options"),
                    "互斥关系至少包含两个选项",
                ));
            }
            for (k, r) in e.options.iter().enumerate() {
                let exists = self
                    .question(&r.question)
                    .is_some_and(|q| q.options.iter().any(|o| o.code == r.option));
                if !exists {
                    problems.push(problem(
                        format!("exclusions[{ei}].options[{k}]"),
                        "选项不存在",
                    ));
                }
            }
        }
        problems
    }

    /// The exclusion that forbids choosing `a` together with `b`, if any.
    pub fn excludes(&self, a: &OptionRef, b: &OptionRef) -> bool {
        a != b
            && self
                .exclusions
                .iter()
                .any(|e| e.options.contains(a) && e.options.contains(b))
    }
}
