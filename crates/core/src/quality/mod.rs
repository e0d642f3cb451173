//! Case data quality (办件数据质检, QC-1): the check library — two-level error
//! codes (category → code) with a severity — and the checks themselves, pure
//! functions of one case's facts. The server streams a period's cases through
//! [`check_case`] page by page (QC-2).

pub mod oplog;
pub mod schedule;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record is wrong.
    Error,
    /// The record is suspicious: someone should look.
    Warning,
}

/// One check of the library.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Check {
    /// `category.name`.
    pub code: &'static str,
    pub category: &'static str,
    pub name: &'static str,
    pub severity: Severity,
}

/// The check categories (first level of the codes).
pub const CATEGORIES: &[(&str, &str)] = &[
    ("general", "通用规则"),
    ("item", "事项关联"),
    ("process", "办理过程"),
];

const fn check(
    code: &'static str,
    category: &'static str,
    name: &'static str,
    severity: Severity,
) -> Check {
    Check {
        code,
        category,
        name,
        severity,
    }
}

/// The library, in the order reports list it.
pub const CHECKS: &[Check] = &[
    check(
        "general.handling_mode",
        "general",
        "办理形式代码不在代码表（GB/T 39046 A.5）中",
        Severity::Error,
    ),
    check(
        "general.applicant_name",
        "general",
        "申请人名称为占位值（如“测试”“无”）",
        Severity::Warning,
    ),
    check(
        "item.not_in_force",
        "item",
        "受理时所办事项（所记版本）未生效或已失效",
        Severity::Error,
    ),
    check(
        "item.limit_changed",
        "item",
        "受理时生效的事项版本承诺时限与所记版本不一致",
        Severity::Warning,
    ),
    check(
        "process.before_submission",
        "process",
        "办理环节早于申请时间",
        Severity::Error,
    ),
    check(
        "process.missing_acceptance",
        "process",
        "已办结但无受理环节",
        Severity::Error,
    ),
    check(
        "process.completed_before_accepted",
        "process",
        "办结时间早于受理时间",
        Severity::Error,
    ),
    check(
        "process.after_completion",
        "process",
        "办结后仍有办理环节（送达除外）",
        Severity::Error,
    ),
    check(
        "process.out_of_order",
        "process",
        "环节序号与发生时间顺序不一致",
        Severity::Warning,
    ),
];

/// GB/T 39046—2020 A.5 办理形式代码.
pub const HANDLING_MODES: &[&str] = &["1", "2", "3", "4", "9"];

/// Names sources send when they have none.
const PLACEHOLDER_NAMES: &[&str] = &["无", "测试", "test", "未知", "不详", "空", "-", "/", "null"];

/// A version of the case's item (all its versions are given).
#[derive(Debug, Clone)]
pub struct ItemVersion {
    pub version: i32,
    pub valid_from: i64,
    pub valid_to: Option<i64>,
    pub promised_limit: Option<i32>,
}

impl ItemVersion {
    fn in_force_at(&self, at: i64) -> bool {
        self.valid_from <= at && self.valid_to.is_none_or(|to| at < to)
    }
}

/// A stage event: `(kind, at, seq)`.
pub type Event<'a> = (&'a str, i64, i64);

/// What the checks read of one case.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub submitted_at: i64,
    pub applicant_name: &'a str,
    pub handling_mode: Option<&'a str>,
    /// The version pinned at intake.
    pub item_version: i32,
    pub versions: &'a [ItemVersion],
    pub events: &'a [Event<'a>],
}

/// A failed check and why, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: &'static str,
    pub reason: String,
}

fn fail(code: &'static str, reason: String) -> Failure {
    Failure { code, reason }
}

fn time(ms: i64) -> String {
    crate::time::to_rfc3339(ms)
}

/// Every check of the library on one case, against the built-in code lists.
pub fn check_case(case: &CaseFacts) -> Vec<Failure> {
    check_case_with(case, HANDLING_MODES)
}

/// Every check of the library on one case; `handling_modes` is the current
/// version of the 办理形式 code list (managed centrally, see the server).
pub fn check_case_with(case: &CaseFacts, handling_modes: &[&str]) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(mode) = case.handling_mode.filter(|m| !handling_modes.contains(m)) {
        failures.push(fail(
            "general.handling_mode",
            format!("办理形式代码 {mode} 不在代码表中"),
        ));
    }
    let name = case.applicant_name.trim();
    if PLACEHOLDER_NAMES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(name))
    {
        failures.push(fail(
            "general.applicant_name",
            format!("申请人名称为“{name}”"),
        ));
    }
    check_item(case, &mut failures);
    check_process(case, &mut failures);
    failures
}

fn first(events: &[Event], kinds: &[&str]) -> Option<i64> {
    events
        .iter()
        .filter(|(kind, ..)| kinds.contains(kind))
        .map(|(_, at, _)| *at)
        .min()
}

fn check_item(case: &CaseFacts, failures: &mut Vec<Failure>) {
    let Some(accepted) = first(case.events, &["accepted"]) else {
        return;
    };
    let pinned = case
        .versions
        .iter()
        .find(|v| v.version == case.item_version);
    match pinned {
        Some(v) if v.in_force_at(accepted) => {}
        _ => failures.push(fail(
            "item.not_in_force",
            format!(
                "事项第 {} 版在受理时间 {} 不在有效期内",
                case.item_version,
                time(accepted)
            ),
        )),
    }
    let in_force = case.versions.iter().find(|v| v.in_force_at(accepted));
    if let (Some(pinned), Some(current)) = (pinned, in_force) {
        if pinned.promised_limit != current.promised_limit {
            failures.push(fail(
                "item.limit_changed",
                format!(
                    "所记第 {} 版承诺时限 {:?} 个工作日，受理时生效的第 {} 版为 {:?}",
                    pinned.version, pinned.promised_limit, current.version, current.promised_limit
                ),
            ));
        }
    }
}

fn check_process(case: &CaseFacts, failures: &mut Vec<Failure>) {
    let events = case.events;
    if let Some((kind, at, _)) = events
        .iter()
        .filter(|(_, at, _)| *at < case.submitted_at)
        .min_by_key(|e| e.1)
    {
        failures.push(fail(
            "process.before_submission",
            format!(
                "环节 {kind}（{}）早于申请时间 {}",
                time(*at),
                time(case.submitted_at)
            ),
        ));
    }
    let accepted = first(events, &["accepted"]);
    let completed = first(events, &["completed"]);
    if let Some(done) = completed {
        match accepted {
            None => failures.push(fail(
                "process.missing_acceptance",
                format!("{} 办结，无受理环节", time(done)),
            )),
            Some(acc) if done < acc => failures.push(fail(
                "process.completed_before_accepted",
                format!("办结 {} 早于受理 {}", time(done), time(acc)),
            )),
            Some(_) => {}
        }
        if let Some((kind, at, _)) = events
            .iter()
            .filter(|(kind, at, _)| *at > done && *kind != "delivered" && *kind != "completed")
            .min_by_key(|e| e.1)
        {
            failures.push(fail(
                "process.after_completion",
                format!("办结（{}）后仍有环节 {kind}（{}）", time(done), time(*at)),
            ));
        }
    }
    let mut by_seq: Vec<&Event> = events.iter().collect();
    by_seq.sort_by_key(|e| e.2);
    if let Some(pair) = by_seq.windows(2).find(|w| w[1].1 < w[0].1) {
        failures.push(fail(
            "process.out_of_order",
            format!(
                "第 {} 号环节 {}（{}）晚于第 {} 号环节 {}（{}）",
                pair[0].2,
                pair[0].0,
                time(pair[0].1),
                pair[1].2,
                pair[1].0,
                time(pair[1].1)
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
