//! The built-in order types: item-change orders (CHG-3), complaints
//! (接诉即办) and 差评 follow-up. Each is plain data; a new type (the
//! evaluation issue's appeals and rectifications) is one more definition.

use super::{OrderType, StateDef, Transition, UnitRule};
use std::sync::OnceLock;

/// Operators: receive, review, dispatch, verify and close.
pub const OPERATE: &str = "workorder:operate";
/// The responsible unit: confirm, handle, reply.
pub const HANDLE: &str = "workorder:handle";

pub const ITEM_CHANGE: &str = "item_change";
pub const COMPLAINT: &str = "complaint";
pub const BAD_REVIEW: &str = "bad_review";
pub const RECTIFICATION: &str = "rectification";
pub const APPEAL: &str = "appeal";
pub const NOTICE: &str = "notice";
/// Evaluators verify rectifications (质效评价).
pub const EVALUATE: &str = "evaluation:run";

fn state(key: &str, name: &str, sla_days: Option<u32>) -> StateDef {
    StateDef {
        key: key.to_string(),
        name: name.to_string(),
        sla_days,
        sla_field: None,
        paused: false,
        terminal: false,
    }
}

fn paused(key: &str, name: &str) -> StateDef {
    StateDef {
        paused: true,
        ..state(key, name, None)
    }
}

fn terminal(key: &str, name: &str) -> StateDef {
    StateDef {
        terminal: true,
        ..state(key, name, None)
    }
}

fn step(
    action: &str,
    name: &str,
    from: &[&str],
    to: &str,
    permission: &str,
    required: &[&str],
) -> Transition {
    Transition {
        action: action.to_string(),
        name: name.to_string(),
        from: from.iter().map(|s| s.to_string()).collect(),
        to: to.to_string(),
        permission: permission.to_string(),
        unit: if permission == HANDLE {
            UnitRule::ResponsibleUnit
        } else {
            UnitRule::InScope
        },
        required: required.iter().map(|s| s.to_string()).collect(),
    }
}

/// 事项变更工单: 初审 → 部门确认 → 核验关闭, with 退回 to the department.
fn item_change() -> OrderType {
    OrderType {
        code: ITEM_CHANGE.to_string(),
        name: "事项变更".to_string(),
        initial: "received".to_string(),
        states: vec![
            state("received", "待初审", Some(2)),
            state("confirming", "待部门确认", Some(3)),
            state("verifying", "待核验", Some(2)),
            terminal("closed", "已关闭"),
        ],
        transitions: vec![
            step("review", "初审", &["received"], "confirming", OPERATE, &[]),
            step("confirm", "确认", &["confirming"], "verifying", HANDLE, &[]),
            step(
                "return",
                "退回",
                &["verifying"],
                "confirming",
                OPERATE,
                &["comment"],
            ),
            step("close", "核验关闭", &["verifying"], "closed", OPERATE, &[]),
        ],
    }
}

/// 投诉 (接诉即办): 分类派发 → 办理答复 (补充材料 pauses the clock) → 回访 → 办结.
fn complaint() -> OrderType {
    OrderType {
        code: COMPLAINT.to_string(),
        name: "投诉".to_string(),
        initial: "received".to_string(),
        states: vec![
            state("received", "待派发", Some(1)),
            StateDef {
                sla_field: Some("promised_days".to_string()),
                ..state("handling", "办理中", Some(5))
            },
            paused("waiting", "待补充材料"),
            state("visiting", "待回访", Some(3)),
            terminal("closed", "已办结"),
        ],
        transitions: vec![
            step(
                "dispatch",
                "分类派发",
                &["received"],
                "handling",
                OPERATE,
                &["class_code", "unit_code"],
            ),
            step(
                "request_info",
                "补充材料",
                &["handling"],
                "waiting",
                HANDLE,
                &["comment"],
            ),
            step("resume", "恢复办理", &["waiting"], "handling", HANDLE, &[]),
            step(
                "reply",
                "办理答复",
                &["handling"],
                "visiting",
                HANDLE,
                &["comment"],
            ),
            step(
                "return",
                "退回重办",
                &["visiting"],
                "handling",
                OPERATE,
                &["comment"],
            ),
            step(
                "close",
                "回访办结",
                &["visiting"],
                "closed",
                OPERATE,
                &["satisfaction"],
            ),
        ],
    }
}

/// 差评整改: 核实 → 整改 → 回复申请人 → 审核办结 (15 working days in all).
fn bad_review() -> OrderType {
    OrderType {
        code: BAD_REVIEW.to_string(),
        name: "差评整改".to_string(),
        initial: "verifying".to_string(),
        states: vec![
            state("verifying", "待核实", Some(3)),
            state("rectifying", "整改中", Some(8)),
            state("replying", "待回复", Some(2)),
            state("reviewing", "待审核", Some(2)),
            terminal("closed", "已办结"),
        ],
        transitions: vec![
            step(
                "verify",
                "核实",
                &["verifying"],
                "rectifying",
                HANDLE,
                &["comment"],
            ),
            step(
                "rectify",
                "完成整改",
                &["rectifying"],
                "replying",
                HANDLE,
                &["comment"],
            ),
            step(
                "reply",
                "回复申请人",
                &["replying"],
                "reviewing",
                HANDLE,
                &["comment"],
            ),
            step(
                "return",
                "退回整改",
                &["reviewing"],
                "rectifying",
                OPERATE,
                &["comment"],
            ),
            step("close", "审核办结", &["reviewing"], "closed", OPERATE, &[]),
        ],
    }
}

/// 整改工单 (APL-3): opened by the evaluation's preset rule for a unit with
/// an indicator below the threshold; the unit (a department itself, a
/// district through its operators) reports what it changed, the evaluator
/// verifies or returns it.
fn rectification() -> OrderType {
    OrderType {
        code: RECTIFICATION.to_string(),
        name: "整改工单".to_string(),
        initial: "rectifying".to_string(),
        states: vec![
            state("rectifying", "整改中", Some(10)),
            state("verifying", "待核验", Some(3)),
            terminal("closed", "已办结"),
        ],
        transitions: vec![
            step(
                "submit",
                "提交整改结果",
                &["rectifying"],
                "verifying",
                HANDLE,
                &["comment"],
            ),
            step(
                "report",
                "报送整改结果",
                &["rectifying"],
                "verifying",
                OPERATE,
                &["comment"],
            ),
            step(
                "return",
                "退回整改",
                &["verifying"],
                "rectifying",
                EVALUATE,
                &["comment"],
            ),
            step(
                "verify",
                "核验通过",
                &["verifying"],
                "closed",
                EVALUATE,
                &[],
            ),
        ],
    }
}

/// 申诉 (APL-1/2): a unit disputes an indicator's figures of an evaluation;
/// the evaluator accepts (the unit is re-scored with the corrected figures as
/// a new result version; an archive keeps its snapshot) or rejects, with reasons.
fn appeal() -> OrderType {
    OrderType {
        code: APPEAL.to_string(),
        name: "申诉".to_string(),
        initial: "reviewing".to_string(),
        states: vec![
            state("reviewing", "待审核", Some(5)),
            terminal("accepted", "申诉成立"),
            terminal("rejected", "已驳回"),
        ],
        transitions: vec![
            step(
                "accept",
                "受理并更正",
                &["reviewing"],
                "accepted",
                EVALUATE,
                &["comment"],
            ),
            step(
                "reject",
                "驳回",
                &["reviewing"],
                "rejected",
                EVALUATE,
                &["comment"],
            ),
        ],
    }
}

/// 结果通报 (EVAL-2): one order per receiving unit, so its state is the read
/// receipt; the unit (a department itself, a district through its operators)
/// acknowledges it.
fn notice() -> OrderType {
    OrderType {
        code: NOTICE.to_string(),
        name: "结果通报".to_string(),
        initial: "sent".to_string(),
        states: vec![state("sent", "待签收", Some(3)), terminal("read", "已签收")],
        transitions: vec![
            step("sign", "签收", &["sent"], "read", HANDLE, &[]),
            step("acknowledge", "签收（区）", &["sent"], "read", OPERATE, &[]),
        ],
    }
}

/// Every built-in order type.
pub fn builtin() -> &'static [OrderType] {
    static TYPES: OnceLock<Vec<OrderType>> = OnceLock::new();
    TYPES.get_or_init(|| {
        vec![
            item_change(),
            complaint(),
            bad_review(),
            rectification(),
            appeal(),
            notice(),
        ]
    })
}

/// Every action name of the built-in types, sorted, without repeats.
pub fn known_actions() -> Vec<&'static str> {
    let mut actions: Vec<&str> = builtin()
        .iter()
        .flat_map(|t| t.transitions.iter().map(|tr| tr.action.as_str()))
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// Whether some built-in type has this action.
pub fn is_known_action(action: &str) -> bool {
    builtin()
        .iter()
        .any(|t| t.transitions.iter().any(|tr| tr.action == action))
}

/// A built-in type by code.
pub fn by_code(code: &str) -> Option<&'static OrderType> {
    builtin().iter().find(|t| t.code == code)
}
