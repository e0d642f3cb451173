//! Taking a step on an order: inputs checked, the clock moved, the step
//! stored with compare-and-set (shared by the action endpoint and the demo).

use super::order_type;
use crate::error::{ApiError, ApiResult};
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::time::now_ms;
use govpulse_core::workorders::sla::{enter, Clock};
use govpulse_core::workorders::Transition;
use govpulse_store::audit::AuditRecord;
use govpulse_store::workorders::{Step, WorkOrderRow};
use govpulse_store::Store;
use serde_json::{Map, Value};

/// Who takes a step.
#[derive(Clone, Copy)]
pub struct StepBy<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit: Option<&'a str>,
}

/// What a step carries.
#[derive(Clone, Copy)]
pub struct StepInput<'a> {
    pub comment: Option<&'a str>,
    pub fields: &'a Map<String, Value>,
    pub attachments: &'a [i64],
}

/// Take `transition` on `row` (already decided as allowed): check the
/// inputs, move the clock, store the step. `false` when someone else
/// stepped first (nothing changed).
pub async fn perform(
    store: &Store,
    calendar: &WorkCalendar,
    row: &WorkOrderRow,
    transition: &Transition,
    by: StepBy<'_>,
    input: StepInput<'_>,
    audit: &AuditRecord,
) -> ApiResult<bool> {
    let new_unit = check_inputs(store, input.fields).await?;
    if !input.attachments.is_empty() {
        let known: Vec<i64> = store
            .work_order_attachments(&row.code)
            .await?
            .iter()
            .map(|a| a.id)
            .collect();
        if input.attachments.iter().any(|id| !known.contains(id)) {
            return Err(ApiError::invalid_field("attachments", "附件不属于该工单"));
        }
    }
    let order_type = order_type(&row.order_type)?;
    let mut data: Map<String, Value> = serde_json::from_str(&row.data).unwrap_or_default();
    data.extend(input.fields.clone());
    let to = order_type
        .state(&transition.to)
        .ok_or_else(|| ApiError::internal("transition to an unknown state"))?;
    let now = now_ms();
    let clock = Clock {
        started_at: row.clock_started_at,
        suspended_days: row.suspended_days,
        paused_at: row.paused_at,
    };
    let entered = enter(calendar, to, &data, &clock, now);
    let fields_text = Value::Object(input.fields.clone()).to_string();
    let data_text = Value::Object(data).to_string();
    let step = Step {
        code: &row.code,
        expected_version: row.version,
        action: &transition.action,
        from_state: &row.state,
        to_state: &transition.to,
        due_at: entered.due_at,
        clock_started_at: entered.clock.started_at,
        suspended_days: entered.clock.suspended_days,
        paused_at: entered.clock.paused_at,
        closed: to.terminal,
        department_code: new_unit.as_deref(),
        class_code: input.fields.get("class_code").and_then(Value::as_str),
        data: &data_text,
        actor: by.username,
        actor_name: by.display_name,
        actor_unit: by.unit,
        comment: input.comment,
        fields: &fields_text,
        attachments: input.attachments,
        now_ms: now,
    };
    Ok(store.step_work_order(&step, audit).await?.is_some())
}

/// Check the inputs the engine gives meaning to: a new responsible unit
/// (`unit_code`, which must exist), a complaint class, a satisfaction 1–5.
async fn check_inputs(store: &Store, fields: &Map<String, Value>) -> ApiResult<Option<String>> {
    if let Some(value) = fields.get("satisfaction") {
        if !value.as_i64().is_some_and(|s| (1..=5).contains(&s)) {
            return Err(ApiError::invalid_field("satisfaction", "满意度须为 1 到 5"));
        }
    }
    if let Some(value) = fields.get("class_code") {
        let code = value.as_str().unwrap_or_default();
        let known = store.complaint_classes().await?;
        if !known.iter().any(|c| c.code == code) {
            return Err(ApiError::invalid_field("class_code", "投诉分类不存在"));
        }
    }
    let Some(value) = fields.get("unit_code") else {
        return Ok(None);
    };
    let unit = value.as_str().unwrap_or_default();
    store
        .get_department(&Default::default(), unit)
        .await?
        .ok_or_else(|| ApiError::invalid_field("unit_code", "责任单位不存在"))?;
    Ok(Some(unit.to_string()))
}
