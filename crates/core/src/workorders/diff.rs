//! The element diff of two item versions (CHG-2), keyed and recursive.
//!
//! - Objects are compared field by field (recursively).
//! - List elements are matched by **identity**, not position: an object's
//!   `material_code` when it has one, else its `name`, else its whole value;
//!   a scalar is its own identity. A reordered list therefore shows no
//!   change, and a material whose code stayed but whose fields changed shows
//!   as changes inside that one element, not as a removal plus an addition.
//!   Repeated identities are told apart by occurrence (`X`, `X#2`, …).
//! - Order is not content: [`apply`] keeps the kept elements in their old
//!   order and appends added ones in the new order, so
//!   `apply(a, diff(a, b))` equals `b` up to the order of list elements
//!   ([`normalise`]).

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One step of a change's path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object field.
    Field(String),
    /// A list element by identity.
    Element(Identity),
}

/// How a list element is recognised across versions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    /// `c` (material code), `n` (name) or `v` (whole value): codes never
    /// match names.
    kind: char,
    text: String,
    /// 1 for the first element with this identity, 2 for the second, …
    occurrence: usize,
}

impl Identity {
    fn display(&self) -> String {
        if self.occurrence > 1 {
            format!("{}#{}", self.text, self.occurrence)
        } else {
            self.text.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Added,
    Removed,
    Changed,
}

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: Vec<Segment>,
    pub op: Op,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    /// The path as the API shows it: `materials[M001].name`, `elements.fee`.
    pub fn path_text(&self) -> String {
        let mut text = String::new();
        for segment in &self.path {
            match segment {
                Segment::Field(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(name);
                }
                Segment::Element(id) => {
                    text.push('[');
                    text.push_str(&id.display());
                    text.push(']');
                }
            }
        }
        text
    }
}

fn non_empty_str(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn base_identity(value: &Value) -> (char, String) {
    if let Value::Object(map) = value {
        if let Some(code) = non_empty_str(map.get("material_code")) {
            return ('c', code.to_string());
        }
        if let Some(name) = non_empty_str(map.get("name")) {
            return ('n', name.to_string());
        }
    }
    match value {
        Value::String(s) => ('v', s.clone()),
        other => ('v', other.to_string()),
    }
}

/// The identities of a list's elements, in order.
fn identities(list: &[Value]) -> Vec<Identity> {
    let mut seen: BTreeMap<(char, String), usize> = BTreeMap::new();
    list.iter()
        .map(|value| {
            let (kind, text) = base_identity(value);
            let count = seen.entry((kind, text.clone())).or_insert(0);
            *count += 1;
            Identity {
                kind,
                text,
                occurrence: *count,
            }
        })
        .collect()
}

/// Every difference from `before` to `after`.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_into(&mut Vec::new(), before, after, &mut changes);
    changes
}

fn push(
    changes: &mut Vec<Change>,
    path: &[Segment],
    op: Op,
    before: Option<&Value>,
    after: Option<&Value>,
) {
    changes.push(Change {
        path: path.to_vec(),
        op,
        before: before.cloned(),
        after: after.cloned(),
    });
}

fn diff_into(path: &mut Vec<Segment>, before: &Value, after: &Value, changes: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                path.push(Segment::Field(key.clone()));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff_into(path, x, y, changes),
                    (Some(x), None) => push(changes, path, Op::Removed, Some(x), None),
                    (None, Some(y)) => push(changes, path, Op::Added, None, Some(y)),
                    (None, None) => {}
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let old: BTreeMap<Identity, &Value> = identities(a).into_iter().zip(a).collect();
            let new_ids = identities(b);
            for (id, x) in &old {
                path.push(Segment::Element(id.clone()));
                match new_ids.iter().position(|n| n == id) {
                    Some(i) => diff_into(path, x, &b[i], changes),
                    None => push(changes, path, Op::Removed, Some(x), None),
                }
                path.pop();
            }
            for (id, y) in new_ids.iter().zip(b) {
                if !old.contains_key(id) {
                    path.push(Segment::Element(id.clone()));
                    push(changes, path, Op::Added, None, Some(y));
                    path.pop();
                }
            }
        }
        (x, y) if x != y => push(changes, path, Op::Changed, Some(x), Some(y)),
        _ => {}
    }
}

/// Why a diff does not fit the value it is applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("change at {0} does not fit the value")]
pub struct ApplyError(pub String);

/// Apply `changes` (a [`diff`] from `value`) to `value`.
pub fn apply(value: &Value, changes: &[Change]) -> Result<Value, ApplyError> {
    let refs: Vec<(&[Segment], &Change)> = changes.iter().map(|c| (c.path.as_slice(), c)).collect();
    apply_at(value, &refs)
}

/// A change with the rest of its path below the value it is applied to.
type Pending<'a> = (&'a [Segment], &'a Change);

/// Group changes by their first path segment.
fn by_first<'a>(
    changes: &[Pending<'a>],
) -> Result<BTreeMap<&'a Segment, Vec<Pending<'a>>>, ApplyError> {
    let mut groups: BTreeMap<&Segment, Vec<Pending>> = BTreeMap::new();
    for (path, change) in changes {
        let (first, rest) = path
            .split_first()
            .ok_or_else(|| ApplyError(change.path_text()))?;
        groups.entry(first).or_default().push((rest, change));
    }
    Ok(groups)
}

/// What one group of changes does to the child it addresses.
enum Outcome {
    Remove,
    Set(Value),
}

fn outcome(
    current: Option<&Value>,
    group: &[(&[Segment], &Change)],
) -> Result<Outcome, ApplyError> {
    if let Some((_, change)) = group.iter().find(|(rest, _)| rest.is_empty()) {
        return match change.op {
            Op::Removed => Ok(Outcome::Remove),
            Op::Added | Op::Changed => change
                .after
                .clone()
                .map(Outcome::Set)
                .ok_or_else(|| ApplyError(change.path_text())),
        };
    }
    let current = current.ok_or_else(|| ApplyError(group[0].1.path_text()))?;
    apply_at(current, group).map(Outcome::Set)
}

fn apply_at(value: &Value, changes: &[(&[Segment], &Change)]) -> Result<Value, ApplyError> {
    if changes.is_empty() {
        return Ok(value.clone());
    }
    if let Some((_, change)) = changes.iter().find(|(path, _)| path.is_empty()) {
        return change
            .after
            .clone()
            .ok_or_else(|| ApplyError(change.path_text()));
    }
    let groups = by_first(changes)?;
    match value {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map.clone();
            for (segment, group) in groups {
                let Segment::Field(key) = segment else {
                    return Err(ApplyError(group[0].1.path_text()));
                };
                match outcome(map.get(key), &group)? {
                    Outcome::Remove => {
                        out.remove(key);
                    }
                    Outcome::Set(v) => {
                        out.insert(key.clone(), v);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(list) => {
            let ids = identities(list);
            let mut kept: Vec<Option<Value>> = list.iter().cloned().map(Some).collect();
            let mut added: Vec<(usize, Value)> = Vec::new();
            for (segment, group) in groups {
                let Segment::Element(id) = segment else {
                    return Err(ApplyError(group[0].1.path_text()));
                };
                let at = ids.iter().position(|i| i == id);
                match (at, outcome(at.map(|i| &list[i]), &group)?) {
                    (Some(i), Outcome::Remove) => kept[i] = None,
                    (Some(i), Outcome::Set(v)) => kept[i] = Some(v),
                    (None, Outcome::Set(v)) => {
                        let order = changes
                            .iter()
                            .position(|(_, c)| std::ptr::eq(*c, group[0].1))
                            .unwrap_or(usize::MAX);
                        added.push((order, v));
                    }
                    (None, Outcome::Remove) => return Err(ApplyError(group[0].1.path_text())),
                }
            }
            added.sort_by_key(|(order, _)| *order);
            Ok(Value::Array(
                kept.into_iter()
                    .flatten()
                    .chain(added.into_iter().map(|(_, v)| v))
                    .collect(),
            ))
        }
        _ => Err(ApplyError(changes[0].1.path_text())),
    }
}

/// `value` with every list sorted by element identity (order is not content).
pub fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        Value::Array(list) => {
            let mut pairs: Vec<(Identity, Value)> = identities(list)
                .into_iter()
                .zip(list.iter().map(normalise))
                .collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Array(pairs.into_iter().map(|(_, v)| v).collect())
        }
        other => other.clone(),
    }
}
