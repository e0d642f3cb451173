//! The coverage check run before a tree is published (GUIDE-1): every answer
//! combination a user can give — questions in order, each shown only when its
//! dependency is met, single-choice questions one option, multiple-choice
//! questions any non-empty set, never two excluding options — is merged, and
//! the check lists the combinations that yield no material, that both
//! require and waive a material, or that leave a shown question without any
//! option still allowed; and the catalogue materials no combination reaches.

use super::answer::{first_conflict, merge, path_of, shown, Answers};
use super::{OptionRef, TreeBody};
use serde::Serialize;
use std::collections::BTreeSet;

/// Combinations walked at most; a larger tree is refused as too large to check.
pub const MAX_COMBINATIONS: usize = 200_000;
/// Offending combinations listed per kind (the counts are complete).
pub const MAX_LISTED: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Contradiction {
    pub path: String,
    pub materials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeadEnd {
    /// The answers given so far.
    pub path: String,
    /// The shown question no option of which is still allowed.
    pub question: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    /// Complete combinations walked.
    pub combinations: usize,
    pub empty_count: usize,
    /// Combinations yielding no material.
    pub empty: Vec<String>,
    pub contradictory_count: usize,
    pub contradictory: Vec<Contradiction>,
    pub dead_end_count: usize,
    pub dead_ends: Vec<DeadEnd>,
    /// Catalogue materials on no combination's list.
    pub unreachable_materials: Vec<String>,
    /// The walk stopped at [`MAX_COMBINATIONS`].
    pub truncated: bool,
}

impl Coverage {
    /// Nothing blocks publishing.
    pub fn passes(&self) -> bool {
        self.empty_count == 0
            && self.contradictory_count == 0
            && self.dead_end_count == 0
            && self.unreachable_materials.is_empty()
            && !self.truncated
    }
}

/// The non-empty subsets of `0..n` (`n` ≤ [`super::MAX_OPTIONS`]), smallest first.
fn subsets(n: usize) -> Vec<Vec<usize>> {
    let mut all: Vec<Vec<usize>> = (1u32..(1 << n))
        .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).collect())
        .collect();
    all.sort_by_key(Vec::len);
    all
}

/// What the walk meets: a complete combination, or a shown question none of
/// whose options is allowed after the answers so far.
pub enum Visit<'a> {
    Complete(&'a Answers, &'a [OptionRef]),
    DeadEnd(&'a [OptionRef], &'a str),
}

/// Walk every answer combination of a structurally valid tree in tree order;
/// `visit` returns false to stop the walk.
pub fn walk(tree: &TreeBody, visit: &mut dyn FnMut(Visit) -> bool) {
    fn go(
        tree: &TreeBody,
        index: usize,
        answers: &mut Answers,
        chosen: &mut Vec<OptionRef>,
        visit: &mut dyn FnMut(Visit) -> bool,
    ) -> bool {
        let Some(question) = tree.questions.get(index) else {
            return visit(Visit::Complete(answers, chosen));
        };
        if !shown(tree, &question.code, answers) {
            return go(tree, index + 1, answers, chosen, visit);
        }
        let choices: Vec<Vec<usize>> = if question.multiple {
            subsets(question.options.len())
        } else {
            (0..question.options.len()).map(|i| vec![i]).collect()
        };
        let mut any_allowed = false;
        for choice in choices {
            let depth = chosen.len();
            chosen.extend(choice.iter().map(|&i| OptionRef {
                question: question.code.clone(),
                option: question.options[i].code.clone(),
            }));
            let mut more = true;
            if first_conflict(tree, chosen).is_none() {
                any_allowed = true;
                answers.insert(
                    question.code.clone(),
                    choice
                        .iter()
                        .map(|&i| question.options[i].code.clone())
                        .collect(),
                );
                more = go(tree, index + 1, answers, chosen, visit);
                answers.remove(&question.code);
            }
            chosen.truncate(depth);
            if !more {
                return false;
            }
        }
        any_allowed || visit(Visit::DeadEnd(chosen, &question.code))
    }
    go(tree, 0, &mut Answers::new(), &mut Vec::new(), visit);
}

/// The coverage of a structurally valid tree.
pub fn check(tree: &TreeBody) -> Coverage {
    let mut coverage = Coverage::default();
    let mut reached: BTreeSet<String> = BTreeSet::new();
    walk(tree, &mut |visit| match visit {
        Visit::Complete(_, chosen) => {
            if coverage.combinations >= MAX_COMBINATIONS {
                coverage.truncated = true;
                return false;
            }
            coverage.combinations += 1;
            let outcome = merge(tree, chosen);
            reached.extend(outcome.materials.iter().map(|m| m.code.clone()));
            if outcome.materials.is_empty() {
                coverage.empty_count += 1;
                if coverage.empty.len() < MAX_LISTED {
                    coverage.empty.push(outcome.path.clone());
                }
            }
            if !outcome.contradictions.is_empty() {
                coverage.contradictory_count += 1;
                if coverage.contradictory.len() < MAX_LISTED {
                    coverage.contradictory.push(Contradiction {
                        path: outcome.path,
                        materials: outcome.contradictions,
                    });
                }
            }
            true
        }
        Visit::DeadEnd(chosen, question) => {
            coverage.dead_end_count += 1;
            if coverage.dead_ends.len() < MAX_LISTED {
                coverage.dead_ends.push(DeadEnd {
                    path: path_of(chosen),
                    question: question.to_string(),
                });
            }
            true
        }
    });
    coverage.unreachable_materials = tree
        .materials
        .iter()
        .filter(|m| !reached.contains(&m.code))
        .map(|m| m.code.clone())
        .collect();
    coverage
}

/// Every complete combination as answers (exhaustive tests, the statistics'
/// path names); `None` beyond `limit` combinations.
pub fn combinations(tree: &TreeBody, limit: usize) -> Option<Vec<Answers>> {
    let mut out = Vec::new();
    let mut over = false;
    walk(tree, &mut |visit| {
        if let Visit::Complete(answers, _) = visit {
            if out.len() >= limit {
                over = true;
                return false;
            }
            out.push(answers.clone());
        }
        true
    });
    (!over).then_some(out)
}
