//! Intake that opens work orders: change notices from the item management
//! system (CHG-1) and complaints (接诉即办). Same Bearer intake tokens, body
//! formats (JSON array or NDJSON) and per-line answer as the other intake.
//! Each is idempotent on its id: a notice or complaint seen before is a
//! duplicate and opens no second order.

use super::Opening;
use crate::aggregation::intake::{is_ndjson, IntakeReportView};
use crate::aggregation::pipeline::Pipeline;
use crate::aggregation::pipeline::{parse_body, RawRecord};
use crate::error::ApiResult;
use crate::extract::ApiBytes;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::{IntakeReport, Kind, Rejection};
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::time::now_ms;
use govpulse_core::workorders::intake::ComplaintInput;
use govpulse_core::workorders::intake::{change_notice, change_type_name, complaint, ChangeNotice};
use govpulse_core::workorders::types;
use govpulse_core::workorders::types::{COMPLAINT, ITEM_CHANGE};
use govpulse_store::StoreResult;
use serde_json::{Map, Value};

async fn audit_batch(
    state: &AppState,
    caller: &Caller,
    what: &str,
    report: &IntakeReport,
) -> ApiResult<()> {
    let audit = caller.audit(
        &format!("intake.{what}"),
        "source",
        &caller.display_name,
        serde_json::json!({ "accepted": report.accepted, "duplicates": report.duplicates, "rejected": report.rejected.len() }),
    );
    state.store.audit(&audit).await?;
    Ok(())
}

/// The item version a notice leaves in force: a new or changed item goes
/// through the item intake (a new version when its content changed); a
/// suspended or cancelled one has its current version end at `changed_at`.
async fn apply_notice(
    pipeline: &Pipeline<'_>,
    source: &str,
    line: usize,
    notice: &ChangeNotice,
    now: i64,
) -> StoreResult<Result<(Option<i32>, Option<i32>), Rejection>> {
    let store = pipeline.store;
    let code = &notice.item.item_code;
    let before = store.current_item_version(code).await?;
    if notice.change_type == "suspend" || notice.change_type == "cancel" {
        return Ok(
            match store.end_item_validity(code, notice.changed_at).await? {
                Some(version) => Ok((Some(version), Some(version))),
                None => Err(Rejection::new(
                    "item.unknown",
                    format!("item {code} is not in the catalogue"),
                )),
            },
        );
    }
    let report = pipeline
        .run(
            Kind::Items,
            source,
            &CollectionRules::default(),
            vec![(line, Ok(notice.item_record.clone()))],
            now,
        )
        .await?;
    if let Some(rejected) = report.rejected.into_iter().next() {
        return Ok(Err(Rejection::new(&rejected.code, rejected.message)));
    }
    Ok(Ok((before, store.current_item_version(code).await?)))
}

/// Record one change notice and open its `item_change` order: `Ok(Some(code))`
/// when opened, `Ok(None)` for a notice seen before, `Err` for a refused one.
pub async fn open_item_change(
    pipeline: &Pipeline<'_>,
    calendar: &WorkCalendar,
    line: usize,
    notice: &ChangeNotice,
    creator: (&str, &str),
    now: i64,
) -> StoreResult<Result<Option<String>, Rejection>> {
    let source_key = format!("notice:{}", notice.notice_id);
    if pipeline
        .store
        .work_order_by_source(&source_key)
        .await?
        .is_some()
    {
        return Ok(Ok(None));
    }
    let (from_version, to_version) =
        match apply_notice(pipeline, creator.1, line, notice, now).await? {
            Ok(versions) => versions,
            Err(rejection) => return Ok(Err(rejection)),
        };
    let item = &notice.item;
    let mut data = Map::new();
    data.insert("notice_id".into(), Value::String(notice.notice_id.clone()));
    data.insert(
        "change_type".into(),
        Value::String(notice.change_type.clone()),
    );
    data.insert(
        "changed_at".into(),
        Value::String(govpulse_core::time::to_rfc3339(notice.changed_at)),
    );
    data.insert("item_code".into(), Value::String(item.item_code.clone()));
    data.insert("item_name".into(), Value::String(item.name.clone()));
    data.insert(
        "from_version".into(),
        from_version.map_or(Value::Null, Value::from),
    );
    data.insert(
        "to_version".into(),
        to_version.map_or(Value::Null, Value::from),
    );
    let opening = Opening {
        order_type: types::by_code(ITEM_CHANGE).ok_or(govpulse_store::StoreError::NotFound)?,
        code_prefix: "BG",
        title: format!(
            "事项{}：{}",
            change_type_name(&notice.change_type),
            item.name
        ),
        subject: ("item", item.item_code.clone()),
        source_key,
        region_code: item.region_code.clone(),
        department_code: item.department_code.clone(),
        data,
        created_by: creator,
        comment: None,
    };
    let audit = super::audit_as(
        creator.0,
        "intake",
        "workorder.create",
        "",
        serde_json::json!({ "notice": notice.notice_id }),
    );
    let created = pipeline
        .store
        .create_work_orders(&[opening.into_new(calendar, now)], &audit, now)
        .await?;
    Ok(Ok(created.into_iter().flatten().next()))
}

/// The order a complaint opens.
pub fn complaint_opening<'a>(input: &ComplaintInput, creator: (&'a str, &'a str)) -> Opening<'a> {
    let mut data = match serde_json::to_value(input) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    data.insert(
        "received_at".into(),
        Value::String(govpulse_core::time::to_rfc3339(input.received_at)),
    );
    Opening {
        order_type: types::by_code(COMPLAINT).unwrap_or(&types::builtin()[0]),
        code_prefix: "TS",
        title: input.title.clone(),
        subject: ("complaint", input.complaint_id.clone()),
        source_key: format!("complaint:{}", input.complaint_id),
        region_code: input.region_code.clone(),
        department_code: input.target_unit.clone().unwrap_or_default(),
        data,
        created_by: creator,
        comment: None,
    }
}

/// Receive change notices; each accepted notice opens one `item_change` order.
#[utoipa::path(post, path = "/intake/item-changes", tag = "workorders",
    request_body(content = Vec<Object>, description = "JSON array, or NDJSON with Content-Type application/x-ndjson, of \
        {notice_id, change_type: new|change|suspend|cancel, changed_at, item: {item record + materials[{material_code?, name, …}]}}"),
    responses((status = 200, body = IntakeReportView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody)))]
pub async fn intake_item_changes(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<IntakeReportView>> {
    caller.require(&state, "intake:write").await?;
    let records = parse_body(&body, is_ndjson(&headers))?;
    let calendar = state.monitor.calendar();
    let pipeline = state.pipeline();
    let mut report = IntakeReport::default();
    for (line, record) in records {
        let now = now_ms();
        let notice = match record.and_then(|r| change_notice(&r, now)) {
            Ok(notice) => notice,
            Err(rejection) => {
                report.reject(line, rejection);
                continue;
            }
        };
        let creator = (caller.username.as_str(), caller.display_name.as_str());
        match open_item_change(&pipeline, &calendar, line, &notice, creator, now).await? {
            Ok(Some(_)) => report.accepted += 1,
            Ok(None) => report.duplicates += 1,
            Err(rejection) => report.reject(line, rejection),
        }
    }
    audit_batch(&state, &caller, "item_changes", &report).await?;
    Ok(Json(report.into()))
}

/// Receive complaints; each opens one `complaint` order (idempotent on `complaint_id`).
#[utoipa::path(post, path = "/intake/complaints", tag = "workorders",
    request_body(content = Vec<Object>, description = "JSON array, or NDJSON with Content-Type application/x-ndjson, of \
        {complaint_id, title, content, complainant?, target_unit?, source, received_at, region_code, promised_days?}"),
    responses((status = 200, body = IntakeReportView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 413, body = crate::error::ErrorBody)))]
pub async fn intake_complaints(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<IntakeReportView>> {
    caller.require(&state, "intake:write").await?;
    let records: Vec<RawRecord> = parse_body(&body, is_ndjson(&headers))?;
    let calendar = state.monitor.calendar();
    let now = now_ms();
    let mut report = IntakeReport::default();
    let mut openings = Vec::new();
    for (line, record) in records {
        let input = match record.and_then(|r| complaint(&r, now)) {
            Ok(input) => input,
            Err(rejection) => {
                report.reject(line, rejection);
                continue;
            }
        };
        if state.store.get_region(&input.region_code).await?.is_none() {
            report.reject(
                line,
                Rejection::new(
                    "region.unknown",
                    format!("region {} is not in the region tree", input.region_code),
                ),
            );
            continue;
        }
        let creator = (caller.username.as_str(), caller.display_name.as_str());
        let opening = complaint_opening(&input, creator);
        openings.push(opening.into_new(&calendar, now));
    }
    let created = state
        .store
        .create_work_orders(
            &openings,
            &caller.audit(
                "workorder.create",
                "work_order",
                "",
                serde_json::json!({ "source": "complaints" }),
            ),
            now,
        )
        .await?;
    for code in created {
        match code {
            Some(_) => report.accepted += 1,
            None => report.duplicates += 1,
        }
    }
    audit_batch(&state, &caller, "complaints", &report).await?;
    Ok(Json(report.into()))
}
