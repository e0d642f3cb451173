//! Tolerance acceptance (容缺受理, GUIDE-3): which missing materials may be
//! accepted, the deadline to hand them in (working days on the MON-1
//! calendar) and the applicant's commitment, rendered from a template.

use crate::monitoring::calendar::WorkCalendar;
use crate::monitoring::clock::{deadline, Unit};
use std::collections::BTreeMap;

/// Deadlines allowed, in working days.
pub const DEADLINE_DAYS: std::ops::RangeInclusive<u32> = 1..=60;

/// The built-in commitment template (容缺受理承诺书).
pub const DEFAULT_TEMPLATE: &str = "容缺受理承诺书\n\n\
本人/本单位 {applicant_name}（证件号码 {applicant_id}）申请办理“{item_name}”（办件编号 {case_code}），\
因以下材料暂缺，申请容缺受理：\n{materials}\n\n\
本人/本单位承诺：在 {deadline_days} 个工作日内（{deadline} 前）补齐上述材料，并对所提交材料的真实性负责。\
逾期未补齐的，自愿承担办件终止办理等相应责任，并同意将履约情况纳入信用记录。\n\n\
承诺人（签字/盖章）：__________    签署时间：{signed_at}";

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "applicant_name",
    "applicant_id",
    "item_name",
    "case_code",
    "materials",
    "deadline_days",
    "deadline",
    "signed_at",
];

/// The placeholders of `template` that are not known (`{name}` spans).
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    placeholders(template)
        .into_iter()
        .filter(|p| !PLACEHOLDERS.contains(&p.as_str()))
        .collect()
}

fn placeholders(template: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        found.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    found
}

/// Fill `template`'s placeholders from `values` (unknown ones stay as written).
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.get(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The instant (23:59:59 of the N-th working day after the signing day) by
/// which missing materials must be handed in.
pub fn due_at(calendar: &WorkCalendar, signed_at_ms: i64, days: u32) -> i64 {
    deadline(calendar, signed_at_ms, days, Unit::Working, &[]).deadline_ms
}

/// Why a tolerance request is refused before the credit check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("no missing material named")]
    NothingMissing,
    #[error("deadline_days must be {}–{}", DEADLINE_DAYS.start(), DEADLINE_DAYS.end())]
    Deadline,
    /// Materials the case's item does not allow to be missing.
    #[error("materials not tolerable: {}", .0.join(", "))]
    NotTolerable(Vec<String>),
}

/// Check `missing` material codes against the codes the item tolerates.
pub fn check_request(
    missing: &[String],
    tolerable: &[String],
    deadline_days: u32,
) -> Result<(), RequestError> {
    if missing.is_empty() {
        return Err(RequestError::NothingMissing);
    }
    if !DEADLINE_DAYS.contains(&deadline_days) {
        return Err(RequestError::Deadline);
    }
    let refused: Vec<String> = missing
        .iter()
        .filter(|m| !tolerable.contains(m))
        .cloned()
        .collect();
    if !refused.is_empty() {
        return Err(RequestError::NotTolerable(refused));
    }
    Ok(())
}
