//! Answering a tree (GUIDE-2): check the answers against the questions shown,
//! the options offered and the exclusions, then merge what the chosen
//! options bring into one de-duplicated materials list.

use super::{ItemDef, OptionRef, TreeBody};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Chosen option codes per question code (one for a single-choice question).
pub type Answers = BTreeMap<String, Vec<String>>;

/// Why answers are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("unknown question {0}")]
    UnknownQuestion(String),
    #[error("question {} has no option {}", .0.question, .0.option)]
    UnknownOption(OptionRef),
    /// Answered although its parent answer was not given (the question is not shown).
    #[error("question {0} does not apply to the answers given")]
    NotApplicable(String),
    /// Questions shown but not answered.
    #[error("unanswered questions: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    /// Several options for a single-choice question, or none.
    #[error("question {0} takes exactly one option")]
    OneOption(String),
    #[error("question {0} needs at least one option")]
    NoOption(String),
    /// Options that exclude each other were chosen together.
    #[error("options {} cannot be chosen together", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))]
    Exclusive(Vec<OptionRef>),
}

/// One line of the merged materials list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialLine {
    pub code: String,
    pub name: String,
    pub copies: u32,
    pub original: bool,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    #[serde(default)]
    pub tolerable: bool,
}

/// What a set of chosen options yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub materials: Vec<MaterialLine>,
    pub items: Vec<ItemDef>,
    pub notices: Vec<String>,
    /// Codes of materials the answers waived.
    pub waived: Vec<String>,
    /// Materials one answer requires and another waives.
    pub contradictions: Vec<String>,
    /// The canonical answer path (`q1=a;q2=b+c`, tree order).
    pub path: String,
}

/// Whether `question`'s dependency is met by `chosen`.
pub fn shown(tree: &TreeBody, question: &str, chosen: &Answers) -> bool {
    let Some(q) = tree.question(question) else {
        return false;
    };
    match &q.depends_on {
        None => true,
        Some(dep) => chosen
            .get(&dep.question)
            .is_some_and(|picked| picked.iter().any(|o| dep.options.contains(o))),
    }
}

/// The first pair of `chosen` options that exclude each other (with every
/// other option of the same exclusion that was chosen too).
pub fn first_conflict(tree: &TreeBody, chosen: &[OptionRef]) -> Option<Vec<OptionRef>> {
    for exclusion in &tree.exclusions {
        let hit: Vec<OptionRef> = chosen
            .iter()
            .filter(|r| exclusion.options.contains(r))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if hit.len() >= 2 {
            return Some(hit);
        }
    }
    None
}

/// Check `answers` and merge them. Checks, in order: unknown questions and
/// options, the number of options per question, questions answered but not
/// shown, questions shown but unanswered, exclusions.
pub fn evaluate(tree: &TreeBody, answers: &Answers) -> Result<Outcome, AnswerError> {
    for (question, options) in answers {
        let q = tree
            .question(question)
            .ok_or_else(|| AnswerError::UnknownQuestion(question.clone()))?;
        for option in options {
            if !q.options.iter().any(|o| &o.code == option) {
                return Err(AnswerError::UnknownOption(OptionRef {
                    question: question.clone(),
                    option: option.clone(),
                }));
            }
        }
        if options.is_empty() {
            return Err(AnswerError::NoOption(question.clone()));
        }
        if !q.multiple && options.len() > 1 {
            return Err(AnswerError::OneOption(question.clone()));
        }
    }
    for question in answers.keys() {
        if !shown(tree, question, answers) {
            return Err(AnswerError::NotApplicable(question.clone()));
        }
    }
    let missing: Vec<String> = tree
        .questions
        .iter()
        .filter(|q| shown(tree, &q.code, answers) && !answers.contains_key(&q.code))
        .map(|q| q.code.clone())
        .collect();
    if !missing.is_empty() {
        return Err(AnswerError::Incomplete(missing));
    }
    let chosen = chosen_refs(tree, answers);
    if let Some(conflict) = first_conflict(tree, &chosen) {
        return Err(AnswerError::Exclusive(conflict));
    }
    Ok(merge(tree, &chosen))
}

/// The chosen options in tree order (questions, then options), without repeats.
pub fn chosen_refs(tree: &TreeBody, answers: &Answers) -> Vec<OptionRef> {
    let mut refs = Vec::new();
    for q in &tree.questions {
        if let Some(picked) = answers.get(&q.code) {
            for o in &q.options {
                if picked.contains(&o.code) {
                    refs.push(OptionRef {
                        question: q.code.clone(),
                        option: o.code.clone(),
                    });
                }
            }
        }
    }
    refs
}

/// The canonical path of chosen options (tree order).
pub fn path_of(chosen: &[OptionRef]) -> String {
    let mut path = String::new();
    let mut last: Option<&str> = None;
    for r in chosen {
        if last == Some(r.question.as_str()) {
            path.push('+');
        } else {
            if last.is_some() {
                path.push(';');
            }
            path.push_str(&r.question);
            path.push('=');
        }
        path.push_str(&r.option);
        last = Some(&r.question);
    }
    path
}

/// Merge what `chosen` options bring: materials by code (largest copies;
/// original if any use asks for it; required if any use requires it),
/// minus waived ones; items and notices once each. Materials and items keep
/// the catalogue's order; notices the tree's common ones first.
pub fn merge(tree: &TreeBody, chosen: &[OptionRef]) -> Outcome {
    let mut lines: BTreeMap<&str, MaterialLine> = BTreeMap::new();
    let mut item_codes: BTreeSet<&str> = BTreeSet::new();
    let mut waived: BTreeSet<&str> = BTreeSet::new();
    let mut notices: Vec<String> = Vec::new();
    let mut add_notice = |n: &str| {
        if !notices.iter().any(|x| x == n) {
            notices.push(n.to_string());
        }
    };
    for n in &tree.notices {
        add_notice(n);
    }
    for r in chosen {
        let Some(option) = tree
            .question(&r.question)
            .and_then(|q| q.options.iter().find(|o| o.code == r.option))
        else {
            continue;
        };
        let effects = &option.effects;
        item_codes.extend(effects.items.iter().map(String::as_str));
        waived.extend(effects.waives.iter().map(String::as_str));
        for n in &effects.notices {
            add_notice(n);
        }
        for used in &effects.materials {
            let Some(def) = tree.material(&used.code) else {
                continue;
            };
            let copies = used.copies.unwrap_or(def.copies);
            let original = used.original.unwrap_or(def.original);
            let required = used.required.unwrap_or(def.required);
            lines
                .entry(def.code.as_str())
                .and_modify(|line| {
                    line.copies = line.copies.max(copies);
                    line.original |= original;
                    line.required |= required;
                })
                .or_insert_with(|| MaterialLine {
                    code: def.code.clone(),
                    name: def.name.clone(),
                    copies,
                    original,
                    required,
                    item_code: def.item_code.clone(),
                    tolerable: def.tolerable,
                });
        }
    }
    let contradictions: Vec<String> = lines
        .values()
        .filter(|l| l.required && waived.contains(l.code.as_str()))
        .map(|l| l.code.clone())
        .collect();
    let materials = tree
        .materials
        .iter()
        .filter(|m| !waived.contains(m.code.as_str()))
        .filter_map(|m| lines.remove(m.code.as_str()))
        .collect();
    let items = tree
        .items
        .iter()
        .filter(|i| item_codes.contains(i.code.as_str()))
        .cloned()
        .collect();
    Outcome {
        materials,
        items,
        notices,
        waived: tree
            .materials
            .iter()
            .filter(|m| waived.contains(m.code.as_str()))
            .map(|m| m.code.clone())
            .collect(),
        contradictions,
        path: path_of(chosen),
    }
}
