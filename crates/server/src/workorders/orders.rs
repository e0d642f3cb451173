//! Order types, the workbench list, an order's detail and taking an action.

use super::steps::{perform, StepBy, StepInput};
use super::{actionable, department_of, order_type, with_actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::list::ListResponse;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_core::workorders::sla::is_overdue;
use govpulse_core::workorders::{types, Actor, Refusal};
use govpulse_store::workorders::{
    AttachmentRow, StatsBy, TimelineRow, View, WorkOrderFilter, WorkOrderRow, WORK_ORDER_LIST,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const READ: &str = "workorder:read";

/// An order type as data (states, transitions).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderTypeView {
    #[serde(rename = "type")]
    pub order_type: String,
    pub name: String,
    pub initial: String,
    #[schema(value_type = Vec<govpulse_core::workorders::StateDef>)]
    pub states: Vec<Value>,
    #[schema(value_type = Vec<govpulse_core::workorders::Transition>)]
    pub transitions: Vec<Value>,
}

/// The order types (states, transitions with permission, unit rule and required inputs).
#[utoipa::path(get, path = "/work-order-types", tag = "workorders",
    responses((status = 200, body = Vec<OrderTypeView>), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn order_types(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<OrderTypeView>>> {
    caller.require(&state, READ).await?;
    let views = types::builtin()
        .iter()
        .map(|t| {
            let as_values = |items: Vec<Value>| items;
            OrderTypeView {
                order_type: t.code.clone(),
                name: t.name.clone(),
                initial: t.initial.clone(),
                states: as_values(
                    t.states
                        .iter()
                        .filter_map(|s| serde_json::to_value(s).ok())
                        .collect(),
                ),
                transitions: t
                    .transitions
                    .iter()
                    .filter_map(|s| serde_json::to_value(s).ok())
                    .collect(),
            }
        })
        .collect();
    Ok(Json(views))
}

/// One row of the workbench.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrderItem {
    pub code: String,
    #[serde(rename = "type")]
    pub order_type: String,
    pub type_name: String,
    pub state: String,
    pub state_name: String,
    pub title: String,
    pub subject_kind: String,
    pub subject_ref: String,
    pub unit_code: String,
    pub unit_name: Option<String>,
    pub region_code: String,
    pub class_code: Option<String>,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
}

impl From<WorkOrderRow> for WorkOrderItem {
    fn from(row: WorkOrderRow) -> Self {
        let order_type = types::by_code(&row.order_type);
        Self {
            type_name: order_type.map_or_else(|| row.order_type.clone(), |t| t.name.clone()),
            state_name: order_type.map_or_else(
                || row.state.clone(),
                |t| t.state_name(&row.state).to_string(),
            ),
            overdue: is_overdue(row.due_at, now_ms()),
            code: row.code,
            order_type: row.order_type,
            state: row.state,
            title: row.title,
            subject_kind: row.subject_kind,
            subject_ref: row.subject_ref,
            unit_code: row.department_code,
            unit_name: row.department_name,
            region_code: row.region_code,
            class_code: row.class_code,
            due_at: row.due_at.map(to_rfc3339),
            created_by: row.created_by,
            created_at: to_rfc3339(row.created_at),
            updated_at: to_rfc3339(row.updated_at),
            closed_at: row.closed_at.map(to_rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkOrderQuery {
    /// item_change | complaint | bad_review
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub order_type: Option<String>,
    pub state: Option<String>,
    /// Responsible unit (department code).
    pub unit: Option<String>,
    /// Complaint class (a class code matches its sub-classes too).
    pub class: Option<String>,
    /// true: past due; false: not past due.
    pub overdue: Option<bool>,
    /// todo (我的待办) | done (我已办) | created (我发起) | all (default)
    #[param(pattern = "^(todo|done|created|all)?$")]
    pub view: Option<String>,
    /// Code or title contains.
    pub q: Option<String>,
    /// 1-based page.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field`: created_at (default, newest first), updated_at, due_at, code.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`.
    pub after: Option<String>,
}

/// The store filter a caller's query asks for.
pub fn filter_of(caller: &Caller, q: &WorkOrderQuery) -> ApiResult<WorkOrderFilter> {
    with_actor(caller, |actor| filter_for(&caller.username, actor, q))
}

/// The store filter `q` asks for on the workbench of `username` acting as `actor`.
pub fn filter_for(username: &str, actor: &Actor, q: &WorkOrderQuery) -> ApiResult<WorkOrderFilter> {
    let view = match non_empty(&q.view).as_deref() {
        None | Some("all") => View::All,
        Some("todo") => View::Todo(actionable(actor)),
        Some("done") => View::Done(username.to_string()),
        Some("created") => View::Created(username.to_string()),
        Some(_) => {
            return Err(ApiError::invalid_field(
                "view",
                "视图须为 todo、done、created 或 all",
            ))
        }
    };
    let order_type = non_empty(&q.order_type);
    if let Some(code) = &order_type {
        if types::by_code(code).is_none() {
            return Err(ApiError::invalid_field("type", "工单类型不存在"));
        }
    }
    Ok(WorkOrderFilter {
        view,
        order_type,
        state: non_empty(&q.state),
        unit: non_empty(&q.unit),
        class_prefix: non_empty(&q.class),
        overdue: q.overdue,
        q: non_empty(&q.q),
        created_before: None,
        now_ms: now_ms(),
    })
}

/// The workbench: orders in the caller's scope (我的待办 / 我已办 / 我发起 / 全部).
#[utoipa::path(get, path = "/work-orders", tag = "workorders", params(WorkOrderQuery),
    responses((status = 200, body = ListResponse<WorkOrderItem>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_work_orders(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<WorkOrderQuery>,
) -> ApiResult<Json<ListResponse<WorkOrderItem>>> {
    caller.require(&state, READ).await?;
    let filter = filter_of(&caller, &q)?;
    let request = crate::list_params!(q).request(&WORK_ORDER_LIST)?;
    let page = state
        .store
        .list_work_orders(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(ListResponse::from_page(page)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(row: AttachmentRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            size: row.size,
            sha256: row.sha256,
            content_type: row.content_type,
            uploaded_by: row.uploaded_by,
            uploaded_at: to_rfc3339(row.uploaded_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = WorkOrderTimelineEntry)]
pub struct TimelineEntry {
    pub at: String,
    pub actor: String,
    pub actor_name: String,
    pub unit: Option<String>,
    pub action: String,
    pub action_name: String,
    pub from: Option<String>,
    pub to: String,
    pub comment: Option<String>,
    #[schema(value_type = Object)]
    pub fields: Value,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub action: String,
    pub name: String,
    pub to: String,
    pub required: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOrderDetail {
    #[serde(flatten)]
    pub order: WorkOrderItem,
    /// Optimistic-concurrency version (send it back with an action).
    pub version: i64,
    /// Type-specific fields (item versions, complaint fields, evaluation …).
    #[schema(value_type = Object)]
    pub data: Value,
    pub timeline: Vec<TimelineEntry>,
    /// Actions the caller may take now.
    pub actions: Vec<ActionView>,
    pub attachments: Vec<AttachmentView>,
}

async fn load_detail(state: &AppState, caller: &Caller, code: &str) -> ApiResult<WorkOrderDetail> {
    let row = state
        .store
        .work_order(&caller.org_scope(), code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let order_type = order_type(&row.order_type)?;
    let actions = with_actor(caller, |actor| {
        order_type
            .actions_for(&row.state, actor, &row.department_code)
            .into_iter()
            .map(|t| ActionView {
                action: t.action.clone(),
                name: t.name.clone(),
                to: t.to.clone(),
                required: t.required.clone(),
            })
            .collect()
    });
    let attachments = state.store.work_order_attachments(code).await?;
    let timeline = state
        .store
        .work_order_timeline(code)
        .await?
        .into_iter()
        .map(|entry| timeline_entry(order_type, entry, &attachments))
        .collect();
    Ok(WorkOrderDetail {
        version: row.version,
        data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
        order: row.into(),
        timeline,
        actions,
        attachments: attachments.into_iter().map(AttachmentView::from).collect(),
    })
}

fn timeline_entry(
    order_type: &govpulse_core::workorders::OrderType,
    entry: TimelineRow,
    attachments: &[AttachmentRow],
) -> TimelineEntry {
    let ids: Vec<i64> = serde_json::from_str(&entry.attachments).unwrap_or_default();
    let action_name = match entry.action.as_str() {
        "create" => "创建".to_string(),
        action => order_type
            .transitions
            .iter()
            .find(|t| t.action == action)
            .map_or_else(|| action.to_string(), |t| t.name.clone()),
    };
    TimelineEntry {
        at: to_rfc3339(entry.at),
        actor: entry.actor,
        actor_name: entry.actor_name,
        unit: entry.unit_code,
        action: entry.action,
        action_name,
        from: entry.from_state,
        to: entry.to_state,
        comment: entry.comment,
        fields: serde_json::from_str(&entry.fields).unwrap_or(Value::Null),
        attachments: attachments
            .iter()
            .filter(|a| ids.contains(&a.id))
            .cloned()
            .map(AttachmentView::from)
            .collect(),
    }
}

/// An order with its timeline and the actions the caller may take now.
#[utoipa::path(get, path = "/work-orders/{code}", tag = "workorders",
    params(("code" = String, Path, description = "Work-order code")),
    responses((status = 200, body = WorkOrderDetail), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_work_order(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<WorkOrderDetail>> {
    caller.require(&state, READ).await?;
    Ok(Json(load_detail(&state, &caller, &code).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// One of the order type's actions.
    pub action: String,
    pub comment: Option<String>,
    /// Inputs the action requires (e.g. `class_code`, `unit_code`, `satisfaction`).
    #[schema(value_type = Option<Object>)]
    pub fields: Option<Map<String, Value>>,
    /// Ids of attachments uploaded to this order for this step.
    pub attachments: Option<Vec<i64>>,
    /// The version the caller saw; a different current version is 409 `workorder.stale`.
    pub version: Option<i64>,
}

fn stale() -> ApiError {
    ApiError::conflict("workorder.stale", "工单已被他人处理，请刷新后重试")
}

async fn refuse(state: &AppState, caller: &Caller, refusal: Refusal) -> ApiError {
    match refusal {
        // Another type's action is as impossible here as one this state
        // lacks; a name no type knows is bad input.
        Refusal::UnknownAction(action) if types::is_known_action(&action) => {
            ApiError::conflict("workorder.invalid_transition", "该工单类型没有此操作")
        }
        Refusal::UnknownAction(_) => ApiError::invalid_field("action", "没有此工单操作"),
        Refusal::InvalidTransition { .. } => {
            ApiError::conflict("workorder.invalid_transition", "工单当前状态不允许此操作")
        }
        Refusal::NotAllowed { permission, .. } => {
            // Audits the refusal when the permission itself is missing.
            match caller.require(state, &permission).await {
                Err(err) => err,
                Ok(()) => ApiError::new(
                    StatusCode::FORBIDDEN,
                    "auth.forbidden",
                    "仅责任单位可执行此操作",
                ),
            }
        }
        Refusal::Missing(field) => ApiError::invalid_field(&field, "此项为必填项"),
    }
}

/// Take an action: 200 with the order; 403 not the caller's; 409
/// `workorder.invalid_transition` in this state; 409 `workorder.stale` when
/// someone else acted first (nothing changes).
#[utoipa::path(post, path = "/work-orders/{code}/actions", tag = "workorders",
    params(("code" = String, Path, description = "Work-order code")), request_body = ActionRequest,
    responses((status = 200, body = WorkOrderDetail), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn take_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<ActionRequest>,
) -> ApiResult<Json<WorkOrderDetail>> {
    caller.require(&state, READ).await?;
    let row = state
        .store
        .work_order(&caller.org_scope(), &code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let order_type = order_type(&row.order_type)?;
    let fields = req.fields.clone().unwrap_or_default();
    let comment = non_empty(&req.comment);
    let decided = with_actor(&caller, |actor| {
        order_type
            .decide(
                &row.state,
                &req.action,
                actor,
                &row.department_code,
                comment.as_deref(),
                &fields,
            )
            .cloned()
    });
    let transition = match decided {
        Ok(t) => t,
        Err(refusal) => return Err(refuse(&state, &caller, refusal).await),
    };
    if req.version.is_some_and(|v| v != row.version) {
        return Err(stale());
    }
    let attachments = req.attachments.clone().unwrap_or_default();
    let audit = caller.audit(
        &format!("workorder.{}", transition.action),
        "work_order",
        &code,
        serde_json::json!({ "from": row.state, "to": transition.to, "comment": comment }),
    );
    let by = StepBy {
        username: &caller.username,
        display_name: &caller.display_name,
        unit: department_of(&caller),
    };
    let input = StepInput {
        comment: comment.as_deref(),
        fields: &fields,
        attachments: &attachments,
    };
    let calendar = state.monitor.calendar();
    if !perform(
        &state.store,
        &calendar,
        &row,
        &transition,
        by,
        input,
        &audit,
    )
    .await?
    {
        return Err(stale());
    }
    Ok(Json(load_detail(&state, &caller, &code).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// class (complaint class) | unit (responsible unit) | district
    #[param(pattern = "^(class|unit|district)$")]
    pub by: String,
    /// item_change | complaint | bad_review
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub order_type: Option<String>,
    pub state: Option<String>,
    pub unit: Option<String>,
    pub class: Option<String>,
    pub overdue: Option<bool>,
    pub q: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsRow {
    /// Class code, unit code or district code ('' for orders without a class).
    pub key: String,
    pub name: Option<String>,
    pub total: i64,
    pub open: i64,
    pub overdue: i64,
}

/// Orders in scope per complaint class, responsible unit or district (the
/// workbench's filters apply; `view` is always all).
#[utoipa::path(get, path = "/work-orders/stats", tag = "workorders", params(StatsQuery),
    responses((status = 200, body = Vec<StatsRow>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn work_order_stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Vec<StatsRow>>> {
    caller.require(&state, READ).await?;
    let by = match q.by.as_str() {
        "class" => StatsBy::Class,
        "unit" => StatsBy::Unit,
        "district" => StatsBy::District,
        _ => {
            return Err(ApiError::invalid_field(
                "by",
                "统计维度须为 class、unit 或 district",
            ))
        }
    };
    let list_query = WorkOrderQuery {
        order_type: q.order_type,
        state: q.state,
        unit: q.unit,
        class: q.class,
        overdue: q.overdue,
        view: None,
        q: q.q,
        page: None,
        size: None,
        sort: None,
        after: None,
    };
    let filter = filter_of(&caller, &list_query)?;
    let rows = state
        .store
        .work_order_stats(&caller.org_scope(), &filter, by)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| StatsRow {
                key: r.key,
                name: r.name,
                total: r.total,
                open: r.open,
                overdue: r.overdue,
            })
            .collect(),
    ))
}
