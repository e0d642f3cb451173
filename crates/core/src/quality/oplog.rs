//! Operation logs against case data (操作日志核验, QC-3): business systems
//! send who did what to which case and when; a sample of cases is compared
//! with the stage events the case data holds. Pure functions of one case.

use crate::aggregation::records::EVENT_KINDS;

/// The anomaly codes, in the order reports list them, with their names.
pub const OPLOG_CHECKS: &[(&str, &str)] = &[
    (
        "oplog.out_of_order",
        "操作日志的时间顺序与办理环节顺序不一致",
    ),
    ("oplog.missing_node", "办件数据中的环节在操作日志中没有记录"),
    ("oplog.unknown_step", "操作日志含未知步骤"),
    ("oplog.after_completion", "办结后仍有操作"),
];

/// Operations that are not stage events but belong to handling a case.
pub const AUXILIARY_ACTIONS: &[&str] = &["assigned", "transferred", "signed", "viewed", "printed"];

/// Operations allowed after completion (delivery and looking at the file).
const AFTER_COMPLETION_ALLOWED: &[&str] = &["delivered", "viewed", "printed"];

/// One operation of a log: `(action, at)`.
pub type Operation<'a> = (&'a str, i64);

/// One finding: an anomaly code and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    pub code: &'static str,
    pub reason: String,
}

/// Where a stage sits in the handling order; `None` for steps without a place
/// (suspensions happen between acceptance and decision, auxiliary actions anywhere).
fn rank(action: &str) -> Option<u8> {
    match action {
        "submitted" => Some(0),
        "accepted" => Some(1),
        "decided" => Some(3),
        "completed" | "rejected" | "withdrawn" => Some(4),
        "delivered" => Some(5),
        _ => None,
    }
}

/// Whether a log action is a known step.
pub fn known_action(action: &str) -> bool {
    EVENT_KINDS.contains(&action) || AUXILIARY_ACTIONS.contains(&action)
}

/// Compare a case's stage events (`(kind, at)`) with its operation log.
pub fn compare(events: &[Operation<'_>], log: &[Operation<'_>]) -> Vec<Anomaly> {
    let mut found = Vec::new();
    let mut ordered: Vec<Operation<'_>> = log.to_vec();
    ordered.sort_by_key(|(_, at)| *at);
    let mut highest: Option<(&str, u8)> = None;
    for (action, _) in &ordered {
        if let Some(r) = rank(action) {
            match highest {
                Some((before, h)) if r < h => {
                    found.push(Anomaly {
                        code: "oplog.out_of_order",
                        reason: format!("操作日志中“{action}”记在“{before}”之后"),
                    });
                    break;
                }
                _ => highest = Some((action, r)),
            }
        }
    }
    let mut missing: Vec<&str> = events
        .iter()
        .map(|(kind, _)| *kind)
        .filter(|kind| *kind != "submitted" && !log.iter().any(|(a, _)| a == kind))
        .collect();
    missing.dedup();
    if !missing.is_empty() {
        found.push(Anomaly {
            code: "oplog.missing_node",
            reason: format!("操作日志缺少环节：{}", missing.join("、")),
        });
    }
    let unknown: Vec<&str> = ordered
        .iter()
        .map(|(a, _)| *a)
        .filter(|a| !known_action(a))
        .collect();
    if !unknown.is_empty() {
        found.push(Anomaly {
            code: "oplog.unknown_step",
            reason: format!("未知步骤：{}", unknown.join("、")),
        });
    }
    let completed = events
        .iter()
        .filter(|(kind, _)| matches!(*kind, "completed" | "rejected" | "withdrawn"))
        .map(|(_, at)| *at)
        .min();
    if let Some(done) = completed {
        let late: Vec<&str> = ordered
            .iter()
            .filter(|(a, at)| *at > done && !AFTER_COMPLETION_ALLOWED.contains(a))
            .map(|(a, _)| *a)
            .collect();
        if !late.is_empty() {
            found.push(Anomaly {
                code: "oplog.after_completion",
                reason: format!("办结后仍有操作：{}", late.join("、")),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn codes(found: &[Anomaly]) -> Vec<&str> {
        found.iter().map(|a| a.code).collect()
    }

    #[test]
    fn a_matching_log_is_clean() {
        let events = [("submitted", 0), ("accepted", H), ("completed", 5 * H)];
        let log = [
            ("accepted", H),
            ("assigned", 2 * H),
            ("completed", 5 * H),
            ("delivered", 6 * H),
            ("viewed", 9 * H),
        ];
        assert!(compare(&events, &log).is_empty());
    }

    #[test]
    fn each_anomaly_is_found_with_its_reason() {
        let events = [("accepted", H), ("decided", 3 * H), ("completed", 5 * H)];
        let log = [
            ("completed", H),
            ("accepted", 2 * H),
            ("stamp", 3 * H),
            ("decided", 9 * H),
        ];
        let found = compare(&events, &log);
        assert_eq!(
            codes(&found),
            [
                "oplog.out_of_order",
                "oplog.unknown_step",
                "oplog.after_completion"
            ]
        );
        assert!(found[2].reason.contains("decided"), "{found:?}");
        let found = compare(&events, &[("accepted", H)]);
        assert_eq!(codes(&found), ["oplog.missing_node"]);
        assert!(found[0].reason.contains("decided、completed"), "{found:?}");
    }
}
