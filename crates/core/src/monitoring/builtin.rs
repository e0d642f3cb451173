//! The warning models every installation starts with (MON-3), one or more per
//! stage. Thresholds are ordinary rule data: operators edit them like any rule.

use super::rule::RuleDef;
use serde_json::{json, Value};

const YELLOW: &str = "#E6A23C";
const RED: &str = "#F56C6C";

fn level(key: &str, hours: u32, template: &str, condition: Value) -> Value {
    let (name, colour) = if key == "red" {
        ("红灯", RED)
    } else {
        ("黄灯", YELLOW)
    };
    json!({"key": key, "name": name, "colour": colour, "handling_hours": hours,
           "template": template, "condition": condition})
}

fn leaf(field: &str, op: &str, value: Value) -> Value {
    json!({"field": field, "op": op, "value": value})
}

fn window(field: &str, op: &str, value: i64, days: u32) -> Value {
    json!({"field": field, "op": op, "value": value, "window_days": days})
}

/// The stage clock still runs (suspended and finished clocks close warnings).
fn running() -> Value {
    leaf("stage_status", "in", json!(["running", "overdue"]))
}

fn rule(
    code: &str,
    name: &str,
    stage: &str,
    rule_type: &str,
    description: &str,
    condition: Value,
    levels: Vec<Value>,
) -> RuleDef {
    let value = json!({
        "code": code, "name": name, "stage": stage, "type": rule_type,
        "description": description, "enabled": true, "condition": condition, "levels": levels,
    });
    // The definitions are constants checked by the tests below.
    serde_json::from_value(value).unwrap_or_else(|e| panic!("built-in rule {code}: {e}"))
}

const CLOCK_TEXT: &str = "{{区划}}{{部门}}办理的“{{事项名称}}”（{{办件编号}}）{{环节}}环节已用 {{已用工作日}} 个工作日（{{已用比例}}），截止 {{截止时间}}，剩余 {{剩余工作日}} 个工作日。";
const OVERDUE_TEXT: &str = "{{区划}}{{部门}}办理的“{{事项名称}}”（{{办件编号}}）{{环节}}环节已超过截止时间 {{截止时间}}，请立即处置。";

pub fn builtin_rules() -> Vec<RuleDef> {
    let active = json!({"all": [leaf("case_status", "not_in", json!(["completed", "withdrawn", "rejected"]))]});
    vec![
        rule(
            "consult_repeat", "咨询次数预警", "consultation", "count",
            "同一申请人就同一事项在 30 天内多次咨询但未申请，可能存在办事指引不清或办理障碍。",
            json!({"all": []}),
            vec![
                level("yellow", 72, "申请人 {{申请人}} 就“{{事项名称}}”30 天内多次咨询仍未申请，请核实办事指引。",
                      window("consultations_in_window", "ge", 3, 30)),
                level("red", 48, "申请人 {{申请人}} 就“{{事项名称}}”30 天内咨询已达 5 次仍未申请，请主动联系。",
                      window("consultations_in_window", "ge", 5, 30)),
            ],
        ),
        rule(
            "accept_repeat", "受理次数预警", "acceptance", "count",
            "同一申请人就同一事项 30 天内反复申请或多次被不予受理。",
            json!({"all": []}),
            vec![
                level("yellow", 72, "申请人 {{申请人}} 30 天内反复申请“{{事项名称}}”（{{办件编号}}），请核查原因。",
                      json!({"any": [window("applications_in_window", "ge", 3, 30),
                                     window("rejections_in_window", "ge", 2, 30)]})),
                level("red", 48, "申请人 {{申请人}} 30 天内申请“{{事项名称}}”已被不予受理多次（{{办件编号}}），请督办。",
                      json!({"any": [window("applications_in_window", "ge", 5, 30),
                                     window("rejections_in_window", "ge", 3, 30)]})),
            ],
        ),
        rule(
            "accept_overdue", "受理超期预警", "acceptance", "overdue",
            "申请提交后 5 个工作日内未作出受理决定。",
            active.clone(),
            vec![
                level("yellow", 24, CLOCK_TEXT, json!({"all": [running(), leaf("remaining_days", "le", json!(1))]})),
                level("red", 8, OVERDUE_TEXT, leaf("overdue", "eq", json!(true))),
            ],
        ),
        rule(
            "approval_overdue", "审批超期预警", "approval", "overdue",
            "承诺件审批时限已用 80% 亮黄灯，超过承诺时限亮红灯；补齐补正、特别程序期间暂停计时。",
            json!({"all": [leaf("case_type", "eq", json!("promised")),
                           leaf("case_status", "not_in", json!(["completed", "withdrawn", "rejected"]))]}),
            vec![
                level("yellow", 48, CLOCK_TEXT, json!({"all": [running(), leaf("used_percent", "ge", json!(80))]})),
                level("red", 24, OVERDUE_TEXT, leaf("overdue", "eq", json!(true))),
            ],
        ),
        rule(
            "special_overdue", "特殊环节超期预警", "special_procedure", "overdue",
            "特别程序（专家评审、现场勘查、听证等）超过 20 个工作日未结束。",
            active.clone(),
            vec![
                level("yellow", 48, CLOCK_TEXT, json!({"all": [running(), leaf("used_percent", "ge", json!(75))]})),
                level("red", 24, OVERDUE_TEXT, leaf("overdue", "eq", json!(true))),
            ],
        ),
        rule(
            "immediate_overdue", "即办件预警", "immediate", "overdue",
            "即办件未在受理当日办结。",
            active,
            vec![level("red", 8, "即办件“{{事项名称}}”（{{办件编号}}）未在受理当日办结，截止 {{截止时间}}。",
                       leaf("overdue", "eq", json!(true)))],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_has_a_valid_builtin_model() {
        let rules = builtin_rules();
        for rule in &rules {
            assert!(
                rule.compile(1).is_ok(),
                "{} does not compile: {:?}",
                rule.code,
                rule.compile(1).err()
            );
        }
        // UI.md: working days say 工作日; idiomatic 当日, not 当个工作日
        for rule in &rules {
            let texts = rule
                .levels
                .iter()
                .map(|l| l.template.as_str())
                .chain([rule.description.as_str()]);
            for text in texts {
                assert!(!text.contains("当个"), "{}: {text}", rule.code);
                assert!(
                    !text.contains("工作日}} 天"),
                    "{}: working days must say 工作日: {text}",
                    rule.code
                );
            }
        }
        for (stage, _) in super::super::rule::STAGES {
            assert!(
                rules.iter().any(|r| r.stage == *stage),
                "no model for {stage}"
            );
        }
    }
}
