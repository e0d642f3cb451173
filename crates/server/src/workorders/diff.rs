//! The element diff of two stored versions of an item (CHG-2).

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::workorders::diff::{diff, Op};
use govpulse_store::aggregation::ItemRow;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version.
    #[param(minimum = 1)]
    pub from: i32,
    /// The newer version.
    #[param(minimum = 1)]
    pub to: i32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    /// `materials[M001].name`, `elements.fee`, `promised_limit` …
    pub path: String,
    /// added | removed | changed
    pub op: String,
    #[schema(value_type = Option<serde_json::Value>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<serde_json::Value>)]
    pub after: Option<Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DiffView {
    pub item_code: String,
    pub from: i32,
    pub to: i32,
    pub changes: Vec<ChangeView>,
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// The elements of a version as one document.
pub fn version_document(row: &ItemRow) -> Value {
    json!({
        "name": row.name, "basic_code": row.basic_code, "item_type_code": row.item_type_code,
        "exercise_level": row.exercise_level, "department_code": row.department_code,
        "region_code": row.region_code, "legal_limit": row.legal_limit, "promised_limit": row.promised_limit,
        "limit_unit": row.limit_unit, "case_type_code": row.case_type_code,
        "handling_modes": parsed(&row.handling_modes), "materials": parsed(&row.materials),
        "elements": parsed(&row.elements),
    })
}

/// What changed from version `from` to version `to` of an item, element by element.
#[utoipa::path(get, path = "/items/{code}/diff", tag = "workorders",
    params(("code" = String, Path, description = "Item code"), DiffQuery),
    responses((status = 200, body = DiffView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn item_diff(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<DiffView>> {
    caller.require(&state, "item:read").await?;
    let versions = state
        .store
        .item_versions(&caller.org_scope(), &code)
        .await?;
    let find = |v: i32| {
        versions
            .iter()
            .find(|row| row.version == v)
            .ok_or_else(ApiError::not_found)
    };
    let (before, after) = (find(q.from)?, find(q.to)?);
    let changes = diff(&version_document(before), &version_document(after))
        .into_iter()
        .map(|c| ChangeView {
            path: c.path_text(),
            op: match c.op {
                Op::Added => "added",
                Op::Removed => "removed",
                Op::Changed => "changed",
            }
            .to_string(),
            before: c.before,
            after: c.after,
        })
        .collect();
    Ok(Json(DiffView {
        item_code: code,
        from: q.from,
        to: q.to,
        changes,
    }))
}
