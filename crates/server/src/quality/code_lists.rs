//! Code lists (dictionaries) the checks read, managed centrally (QC-1): each
//! list has a built-in version 0 (GB/T 39046—2020 Annex A); refreshing it from
//! a CSV file (`code,name`) adds a version, the latest is in force and the
//! runs started afterwards use it.

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::time::to_rfc3339;
use govpulse_store::{Store, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most entries a list may hold.
const MAX_ENTRIES: usize = 1000;

/// A managed list: code, name, built-in entries `(code, name)`.
type List = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The managed lists.
const LISTS: &[List] = &[(
    "handling_mode",
    "办理形式代码（GB/T 39046—2020 A.5）",
    &[
        ("1", "窗口办理"),
        ("2", "电脑端网上办理"),
        ("3", "移动端网上申请"),
        ("4", "快递申请"),
        ("9", "其他"),
    ],
)];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_code_lists))
        .routes(routes!(refresh_code_list))
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeListView {
    pub code: String,
    pub name: String,
    /// The version in force (0: built in).
    pub version: i64,
    pub entries: Vec<Entry>,
    /// `builtin` or the file it was refreshed from.
    pub source: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    /// Earlier versions (numbers), newest first.
    pub history: Vec<i64>,
}

async fn view(store: &Store, (code, name, builtin): List) -> StoreResult<CodeListView> {
    let versions = store.code_list_versions(code).await?;
    let history = versions.iter().skip(1).map(|v| v.version).collect();
    Ok(match versions.into_iter().next() {
        Some(latest) => CodeListView {
            code: code.into(),
            name: name.into(),
            version: latest.version,
            entries: serde_json::from_str(&latest.entries).unwrap_or_default(),
            source: latest.source,
            updated_by: Some(latest.created_by),
            updated_at: Some(to_rfc3339(latest.created_at)),
            history,
        },
        None => CodeListView {
            code: code.into(),
            name: name.into(),
            version: 0,
            entries: builtin
                .iter()
                .map(|(c, n)| Entry {
                    code: c.to_string(),
                    name: n.to_string(),
                })
                .collect(),
            source: "builtin".into(),
            updated_by: None,
            updated_at: None,
            history: Vec::new(),
        },
    })
}

/// The codes in force of the 办理形式 list (a run reads them at its start).
pub async fn handling_modes(store: &Store) -> StoreResult<Vec<String>> {
    Ok(view(store, LISTS[0])
        .await?
        .entries
        .into_iter()
        .map(|e| e.code)
        .collect())
}

/// The managed code lists with the version in force.
#[utoipa::path(get, path = "/quality/code-lists", tag = "quality",
    responses((status = 200, body = Vec<CodeListView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_code_lists(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<CodeListView>>> {
    caller.require(&state, "data:read").await?;
    let mut views = Vec::new();
    for list in LISTS {
        views.push(view(&state.store, *list).await?);
    }
    Ok(Json(views))
}

/// Entries of a `code,name` CSV (UTF-8, a header row first).
fn parse_csv(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let mut reader = csv::Reader::from_reader(bytes);
    let mut entries: Vec<Entry> = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("第 {} 行无法读取：{e}", i + 2))?;
        let (code, name) = (
            row.get(0).unwrap_or("").trim(),
            row.get(1).unwrap_or("").trim(),
        );
        let valid =
            !code.is_empty() && code.len() <= 16 && !name.is_empty() && name.chars().count() <= 64;
        if !valid || entries.iter().any(|e| e.code == code) {
            return Err(format!(
                "第 {} 行：代码须为 1–16 位且不重复，名称 1–64 个字符",
                i + 2
            ));
        }
        entries.push(Entry {
            code: code.into(),
            name: name.into(),
        });
    }
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        return Err(format!("代码表须有 1–{MAX_ENTRIES} 项"));
    }
    Ok(entries)
}

/// Refresh a list from a CSV file (`code,name`, body `text/csv`): a new
/// version, in force for the runs started from now on.
#[utoipa::path(post, path = "/quality/code-lists/{code}", tag = "quality",
    request_body(content = String, content_type = "text/csv", description = "code,name rows after a header"),
    responses((status = 201, body = CodeListView), (status = 400, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn refresh_code_list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CodeListView>)> {
    caller.require(&state, "source:write").await?;
    let list = *LISTS
        .iter()
        .find(|l| l.0 == code)
        .ok_or_else(ApiError::not_found)?;
    let entries = parse_csv(&body).map_err(|m| ApiError::invalid_field("file", m))?;
    let json = serde_json::to_string(&entries).unwrap_or_default();
    let audit = caller.audit(
        "quality.code_list.refresh",
        "code_list",
        &code,
        serde_json::json!({ "entries": entries.len() }),
    );
    state
        .store
        .add_code_list_version(&code, &json, "file", &audit)
        .await?;
    Ok((StatusCode::CREATED, Json(view(&state.store, list).await?)))
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_lists_are_read_and_bad_ones_refused() {
        let entries = parse_csv("code,name\n1,窗口办理\n7,自助终端\n".as_bytes()).expect("valid");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].name, "自助终端");
        assert!(parse_csv(b"code,name\n").is_err());
        assert!(parse_csv("code,name\n1,a\n1,b\n".as_bytes()).is_err());
    }
}
