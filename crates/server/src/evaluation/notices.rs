//! Result notices (EVAL-2): the evaluator sends a notice — title, content,
//! rectification instructions, contact — to all or selected units of a
//! level. Each receiving unit gets one work order of type `notice`, so the
//! order's state is its read receipt (待签收 → 已签收) and attachments ride on
//! the orders.

use super::{unit_level, RUN};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::workorders::{order_type, Opening};
use axum::extract::State;
use axum::Json;
use govpulse_core::evaluation::scoring::UnitLevel;
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::time::now_ms;
use govpulse_core::workorders::types::NOTICE;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// district | city_department | district_department
    pub unit_level: String,
    /// Receiving units; empty: every unit of the level.
    #[serde(default)]
    pub units: Vec<String>,
    pub title: String,
    pub content: String,
    #[serde(default)]
    pub instructions: String,
    #[serde(default)]
    pub contact: String,
    /// The evaluation run the notice is about, if any.
    pub run_id: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeSent {
    /// One work order (type `notice`) per receiving unit.
    pub orders: Vec<String>,
}

fn text(field: &str, value: &str, max: usize, required: bool) -> ApiResult<String> {
    let value = value.trim();
    let len = value.chars().count();
    if (required && len == 0) || len > max {
        return Err(ApiError::invalid_field(
            field,
            format!("须为{}–{max} 个字符", if required { 1 } else { 0 }),
        ));
    }
    Ok(value.to_string())
}

/// Send a notice to all or selected units of a level.
#[utoipa::path(post, path = "/evaluation/notices", tag = "evaluation", request_body = NoticeRequest,
    responses((status = 201, body = NoticeSent), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn send_notice(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<NoticeRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<NoticeSent>)> {
    caller.require(&state, RUN).await?;
    let level = unit_level("unit_level", &req.unit_level)?;
    let title = text("title", &req.title, 100, true)?;
    let content = text("content", &req.content, 5000, true)?;
    let instructions = text("instructions", &req.instructions, 2000, false)?;
    let contact = text("contact", &req.contact, 100, false)?;
    let all = state.store.evaluation_units(level).await?;
    if let Some(unknown) = req
        .units
        .iter()
        .find(|u| !all.iter().any(|(code, _, _)| code == *u))
    {
        return Err(ApiError::invalid_field(
            "units",
            format!("单位 {unknown} 不属于该层级"),
        ));
    }
    let receivers: Vec<_> = all
        .into_iter()
        .filter(|(code, _, _)| req.units.is_empty() || req.units.contains(code))
        .collect();
    let calendar = crate::monitoring::calendar::effective_calendar(&state.store)
        .await
        .unwrap_or_else(|_| WorkCalendar::bundled());
    let now = now_ms();
    let order_type = order_type(NOTICE)?;
    let orders: Vec<_> = receivers
        .iter()
        .map(|(code, name, region)| {
            let mut data = Map::new();
            data.insert("content".into(), json!(content));
            data.insert("instructions".into(), json!(instructions));
            data.insert("contact".into(), json!(contact));
            data.insert("run_id".into(), json!(req.run_id));
            data.insert("unit_code".into(), json!(code));
            Opening {
                order_type,
                code_prefix: "TB",
                title: format!("{title}（{name}）"),
                subject: ("evaluation_notice", format!("{now}")),
                source_key: format!("notice:{now}:{}:{code}", caller.username),
                region_code: region.clone(),
                department_code: match level {
                    UnitLevel::District => String::new(),
                    _ => code.clone(),
                },
                data,
                created_by: (&caller.username, &caller.display_name),
                comment: Some(content.clone()),
            }
            .into_new(&calendar, now)
        })
        .collect();
    let audit = caller.audit(
        "notice.send",
        "evaluation_notice",
        &now.to_string(),
        json!({ "title": title, "units": receivers.len() }),
    );
    let orders = state
        .store
        .create_work_orders(&orders, &audit, now)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok((axum::http::StatusCode::CREATED, Json(NoticeSent { orders })))
}
