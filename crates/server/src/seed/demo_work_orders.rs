//! Demo work orders (deterministic): item-change orders from change notices
//! in every state (one returned to the department), complaints from intake to
//! close across the three-level classification, some of them overdue. 差评
//! orders come on their own from the demo's evaluations rated 不满意 or 非常不满意.
//! Everything goes through the same intake and step functions as the API.

use super::beijing::DEMO_DEPARTMENT;
use crate::aggregation::pipeline::Pipeline;
use crate::workorders::intake::{complaint_opening, open_item_change};
use crate::workorders::steps::{perform, StepBy, StepInput};
use crate::workorders::{audit_as, order_type};
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::workorders::intake::{change_notice, complaint};
use govpulse_store::org::OrgScope;
use serde_json::{json, Map, Value};

const DAY_MS: i64 = 86_400_000;
const OPERATOR: StepBy = StepBy {
    username: "city",
    display_name: "市级运营专员",
    unit: None,
};
const UNIT: StepBy = StepBy {
    username: "dept",
    display_name: "市场监管局业务员",
    unit: Some(DEMO_DEPARTMENT),
};

/// Items whose notices open orders: (code, name, steps taken after the change notice).
const ITEMS: &[(&str, &str, &[&str])] = &[
    ("110000-SCJG-BG-001", "食品经营许可", &[]),
    ("110000-SCJG-BG-002", "药品零售企业许可", &["review"]),
    (
        "110000-SCJG-BG-003",
        "个体工商户设立登记",
        &["review", "confirm"],
    ),
    (
        "110000-SCJG-BG-004",
        "特种设备使用登记",
        &["review", "confirm", "close"],
    ),
    (
        "110000-SCJG-BG-005",
        "广告发布登记",
        &["review", "confirm", "return"],
    ),
];

/// A demo complaint: (id, title, region, days ago, class, steps).
type DemoComplaint = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static [&'static str],
);

const COMPLAINTS: &[DemoComplaint] = &[
    ("DEMO-TS-001", "窗口排队时间过长", "110105", 1, "A0101", &[]),
    (
        "DEMO-TS-002",
        "营业执照变更多次跑动",
        "110108",
        12,
        "A0102",
        &[],
    ),
    (
        "DEMO-TS-003",
        "工作人员态度生硬",
        "110101",
        2,
        "A0201",
        &["dispatch"],
    ),
    (
        "DEMO-TS-004",
        "许可审批材料反复要求补充",
        "110105",
        3,
        "B0102",
        &["dispatch", "request_info"],
    ),
    (
        "DEMO-TS-005",
        "同一事项一月内重复检查",
        "110106",
        4,
        "B0201",
        &["dispatch", "reply"],
    ),
    (
        "DEMO-TS-006",
        "社保缴费基数调整咨询无人答复",
        "110108",
        9,
        "C0101",
        &["dispatch", "reply", "close"],
    ),
];

fn materials(changed: bool) -> Value {
    let first = if changed {
        "经营许可申请书（2026版）"
    } else {
        "经营许可申请书"
    };
    let mut list = vec![
        json!({"material_code": "M01", "name": first, "copies": 1}),
        json!({"name": "营业执照", "form": "原件"}),
        json!({"name": "经营场所证明"}),
    ];
    if changed {
        list.reverse();
        list.push(json!({"name": "食品安全管理制度"}));
    }
    Value::Array(list)
}

fn notice(id: &str, change_type: &str, code: &str, name: &str, at: i64) -> Value {
    let changed = change_type == "change";
    json!({
        "notice_id": id, "change_type": change_type, "changed_at": govpulse_core::time::to_rfc3339(at),
        "item": {
            "item_code": code, "name": name, "item_type_code": "01", "department_code": DEMO_DEPARTMENT,
            "region_code": "110000", "legal_limit": 20, "promised_limit": if changed { 8 } else { 10 },
            "limit_unit": "working", "case_type_code": 2, "handling_modes": ["online", "window"],
            "materials": materials(changed),
            "elements": {"fee": "不收费", "window": {"address": "市政务服务中心一层", "hours": if changed { "9:00-17:30" } else { "9:00-17:00" }}}
        }
    })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Take `actions` in turn on order `code` (operator or unit per transition).
async fn walk(
    pipeline: &Pipeline<'_>,
    calendar: &WorkCalendar,
    code: &str,
    actions: &[&str],
) -> anyhow::Result<()> {
    for action in actions {
        let Some(row) = pipeline
            .store
            .work_order(&OrgScope::default(), code)
            .await?
        else {
            return Ok(());
        };
        let order_type = order_type(&row.order_type).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let Some(transition) = order_type
            .transitions
            .iter()
            .find(|t| t.action == *action && t.from.contains(&row.state))
        else {
            anyhow::bail!("demo step {action} impossible in {}", row.state);
        };
        let by = if transition.permission == govpulse_core::workorders::types::HANDLE {
            UNIT
        } else {
            OPERATOR
        };
        let fields = match *action {
            "dispatch" => {
                object(json!({"class_code": row.data_class(), "unit_code": DEMO_DEPARTMENT}))
            }
            "close" if row.order_type == "complaint" => object(json!({"satisfaction": 2})),
            _ => Map::new(),
        };
        let comment = match *action {
            "return" => Some("材料名称与实施清单不一致，请核对后重新确认"),
            "request_info" => Some("请投诉人补充受理回执编号"),
            "reply" => Some("已核实情况并向投诉人说明，整改措施已落实"),
            _ => Some("已处理"),
        };
        let audit = audit_as(
            by.username,
            "demo",
            &format!("workorder.{action}"),
            code,
            json!({ "demo": true }),
        );
        let input = StepInput {
            comment,
            fields: &fields,
            attachments: &[],
        };
        perform(
            pipeline.store,
            calendar,
            &row,
            transition,
            by,
            input,
            &audit,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    Ok(())
}

trait DemoClass {
    fn data_class(&self) -> String;
}

impl DemoClass for govpulse_store::workorders::WorkOrderRow {
    /// The class a demo complaint is dispatched under (kept in its data).
    fn data_class(&self) -> String {
        serde_json::from_str::<Value>(&self.data)
            .ok()
            .and_then(|d| d["demo_class"].as_str().map(String::from))
            .unwrap_or_else(|| "A0101".to_string())
    }
}

/// Load the demo orders; returns how many were opened (0 when loaded before).
pub async fn load(pipeline: &Pipeline<'_>, now: i64) -> anyhow::Result<usize> {
    let calendar = crate::monitoring::calendar::effective_calendar(pipeline.store).await?;
    let creator = ("city", "市级运营专员");
    let mut opened = 0;
    for (i, (code, name, steps)) in ITEMS.iter().enumerate() {
        let days_ago = 20 - 3 * i as i64;
        for (kind, at) in [
            ("new", now - (days_ago + 30) * DAY_MS),
            ("change", now - days_ago * DAY_MS),
        ] {
            let record = object(notice(&format!("DEMO-{code}-{kind}"), kind, code, name, at));
            let notice = change_notice(&record, now)
                .map_err(|r| anyhow::anyhow!("demo notice: {}", r.message))?;
            let created = open_item_change(pipeline, &calendar, 1, &notice, creator, at)
                .await?
                .map_err(|r| anyhow::anyhow!("demo notice: {}", r.message))?;
            if let (Some(order), "change") = (&created, kind) {
                walk(pipeline, &calendar, order, steps).await?;
            }
            opened += usize::from(created.is_some());
        }
    }
    for (id, title, region, days_ago, class, steps) in COMPLAINTS {
        let at = now - days_ago * DAY_MS;
        let record = object(json!({
            "complaint_id": id, "title": title, "content": format!("{title}，请尽快核实处理。"),
            "complainant": "市民", "source": "12345", "received_at": govpulse_core::time::to_rfc3339(at),
            "region_code": region, "promised_days": 5
        }));
        let input = complaint(&record, now)
            .map_err(|r| anyhow::anyhow!("demo complaint: {}", r.message))?;
        let mut opening = complaint_opening(&input, creator);
        opening
            .data
            .insert("demo_class".into(), Value::String(class.to_string()));
        let audit = audit_as(
            creator.0,
            "demo",
            "workorder.create",
            "",
            json!({ "demo": true }),
        );
        let created = pipeline
            .store
            .create_work_orders(&[opening.into_new(&calendar, at)], &audit, at)
            .await?;
        if let Some(Some(code)) = created.first() {
            walk(pipeline, &calendar, code, steps).await?;
            opened += 1;
        }
    }
    Ok(opened)
}
