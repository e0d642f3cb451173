//! Code lists (dictionaries) managed centrally (QC-1): each list has a
//! built-in version 0; uploading a CSV file (`code,name`) or refreshing from
//! the list's source URL adds a version, the latest is in force and the runs
//! started afterwards use it. The lists whose codes intake itself validates
//! (申请人类型, 渠道) are shown but fixed: changing them here would not change
//! what intake accepts.

use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::monitoring::condition::Field;
use govpulse_core::monitoring::destinations::Refusal;
use govpulse_core::quality::schedule::Cron;
use govpulse_core::time::to_rfc3339;
use govpulse_store::code_lists::{CodeListRow, CodeListSourceRow, NewCodeListVersion};
use govpulse_store::{Store, StoreResult};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most entries a list may hold.
const MAX_ENTRIES: usize = 1000;
pub(super) const READ: &str = "data:read";
pub(super) const WRITE: &str = "source:write";

/// A managed list.
#[derive(Clone, Copy)]
pub(super) struct List {
    pub code: &'static str,
    pub name: &'static str,
    builtin: fn() -> Vec<(&'static str, &'static str)>,
    /// False for the lists intake validates with its own fixed set.
    pub editable: bool,
}

/// The managed lists.
const LISTS: &[List] = &[
    List {
        code: "handling_mode",
        name: "办理形式代码（GB/T 39046—2020 A.5）",
        builtin: || {
            vec![
                ("1", "窗口办理"),
                ("2", "电脑端网上办理"),
                ("3", "移动端网上申请"),
                ("4", "快递申请"),
                ("9", "其他"),
            ]
        },
        editable: true,
    },
    List {
        code: "applicant_type",
        name: "申请人类型",
        builtin: || Field::ApplicantType.info().options,
        editable: false,
    },
    List {
        code: "channel",
        name: "渠道",
        builtin: || Field::Channel.info().options,
        editable: false,
    },
];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_code_lists))
        .routes(routes!(get_code_list, upload_code_list))
        .routes(routes!(set_code_list_source))
        .routes(routes!(super::code_list_refresh::refresh_code_list))
}

/// A list by code (404 for an unknown one).
pub(super) fn list_of(code: &str) -> ApiResult<List> {
    LISTS
        .iter()
        .find(|l| l.code == code)
        .copied()
        .ok_or_else(ApiError::not_found)
}

/// A list that may be changed (409 for one intake fixes).
pub(super) fn editable(code: &str) -> ApiResult<List> {
    let list = list_of(code)?;
    if !list.editable {
        return Err(ApiError::conflict(
            "quality.code_list_fixed",
            "该代码表由数据接入校验固定，不可在此修改",
        ));
    }
    Ok(list)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    pub code: String,
    pub name: String,
}

/// How the last refresh from the source URL went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefreshOutcome {
    pub at: String,
    /// ok (a new version) | unchanged | error
    pub outcome: String,
    pub message: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeListView {
    pub code: String,
    pub name: String,
    /// The version in force (0: built in).
    pub version: i64,
    pub entries: Vec<Entry>,
    pub entry_count: usize,
    /// `builtin`, `file` or the URL it was refreshed from.
    pub source: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    /// Earlier versions (numbers), newest first.
    pub history: Vec<i64>,
    /// False: intake validates these codes itself; the list cannot be changed.
    pub editable: bool,
    /// The http(s) URL it refreshes from (a `code,name` CSV).
    pub source_url: Option<String>,
    /// When it refreshes from the URL (cron, Asia/Shanghai); none: on demand only.
    pub schedule: Option<String>,
    pub last_refresh: Option<RefreshOutcome>,
}

fn entries_of(json: &str) -> Vec<Entry> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The built-in entries of a list.
pub(super) fn builtin_entries(list: List) -> Vec<Entry> {
    (list.builtin)()
        .into_iter()
        .map(|(code, name)| Entry {
            code: code.into(),
            name: name.into(),
        })
        .collect()
}

/// The text a list's entries are stored as (the same for equal entries).
pub(super) fn entries_text(entries: &[Entry]) -> String {
    serde_json::to_string(entries).unwrap_or_default()
}

fn view_of(
    list: List,
    versions: &[CodeListRow],
    source: Option<&CodeListSourceRow>,
) -> CodeListView {
    let latest = versions.first();
    let entries = latest.map_or_else(|| builtin_entries(list), |v| entries_of(&v.entries));
    CodeListView {
        code: list.code.into(),
        name: list.name.into(),
        version: latest.map_or(0, |v| v.version),
        entry_count: entries.len(),
        entries,
        source: latest.map_or_else(|| "builtin".into(), |v| v.source.clone()),
        updated_by: latest.map(|v| v.created_by.clone()),
        updated_at: latest.map(|v| to_rfc3339(v.created_at)),
        history: versions.iter().skip(1).map(|v| v.version).collect(),
        editable: list.editable,
        source_url: source.and_then(|s| s.source_url.clone()),
        schedule: source.and_then(|s| s.schedule.clone()),
        last_refresh: source.and_then(|s| {
            Some(RefreshOutcome {
                at: to_rfc3339(s.last_refresh_at?),
                outcome: s.last_outcome.clone()?,
                message: s.last_message.clone(),
            })
        }),
    }
}

/// A list as it stands: the version in force and its refresh settings.
pub(super) async fn view(store: &Store, list: List) -> StoreResult<CodeListView> {
    let versions = store.code_list_versions(list.code).await?;
    let sources = store.code_list_sources().await?;
    let source = sources.iter().find(|s| s.code == list.code);
    Ok(view_of(list, &versions, source))
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
    caller.require(&state, READ).await?;
    let sources = state.store.code_list_sources().await?;
    let mut views = Vec::new();
    for list in LISTS {
        let versions = state.store.code_list_versions(list.code).await?;
        let source = sources.iter().find(|s| s.code == list.code);
        views.push(view_of(*list, &versions, source));
    }
    Ok(Json(views))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeListVersionView {
    pub version: i64,
    pub entries: Vec<Entry>,
    /// `builtin`, `file` or the URL it was refreshed from.
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeListDetail {
    #[serde(flatten)]
    pub list: CodeListView,
    /// Every version with its entries, newest first, ending with the built-in version 0.
    pub versions: Vec<CodeListVersionView>,
}

/// One code list with every version's entries.
#[utoipa::path(get, path = "/quality/code-lists/{code}", tag = "quality", params(("code" = String, Path)),
    responses((status = 200, body = CodeListDetail), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_code_list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<CodeListDetail>> {
    caller.require(&state, READ).await?;
    let list = list_of(&code)?;
    let rows = state.store.code_list_versions(list.code).await?;
    let sources = state.store.code_list_sources().await?;
    let view = view_of(list, &rows, sources.iter().find(|s| s.code == list.code));
    let mut versions: Vec<CodeListVersionView> = rows
        .into_iter()
        .map(|v| CodeListVersionView {
            version: v.version,
            entries: entries_of(&v.entries),
            source: v.source,
            created_by: Some(v.created_by),
            created_at: Some(to_rfc3339(v.created_at)),
        })
        .collect();
    versions.push(CodeListVersionView {
        version: 0,
        entries: builtin_entries(list),
        source: "builtin".into(),
        created_by: None,
        created_at: None,
    });
    Ok(Json(CodeListDetail {
        list: view,
        versions,
    }))
}

/// Entries of a `code,name` CSV (UTF-8, a header row first).
pub(super) fn parse_csv(bytes: &[u8]) -> Result<Vec<Entry>, String> {
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

/// Replace a list from a CSV file (`code,name`, body `text/csv`): a new
/// version, in force for the runs started from now on.
#[utoipa::path(post, path = "/quality/code-lists/{code}", tag = "quality", params(("code" = String, Path)),
    request_body(content = String, content_type = "text/csv", description = "code,name rows after a header"),
    responses((status = 201, body = CodeListView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn upload_code_list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<CodeListView>)> {
    caller.require(&state, WRITE).await?;
    let list = editable(&code)?;
    let entries = parse_csv(&body).map_err(|m| ApiError::invalid_field("file", m))?;
    let audit = caller.audit(
        "quality.code_list.refresh",
        "code_list",
        list.code,
        serde_json::json!({ "entries": entries.len(), "source": "file" }),
    );
    let new = NewCodeListVersion {
        code: list.code,
        entries: &entries_text(&entries),
        source: "file",
        unless_same_as_builtin: None,
    };
    state.store.add_code_list_version(&new, &audit).await?;
    Ok((StatusCode::CREATED, Json(view(&state.store, list).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeListSourceRequest {
    /// An http(s) URL answering a `code,name` CSV; its host must be on the
    /// security admin's outbound allowlist. Empty or absent: no source.
    pub source_url: Option<String>,
    /// Cron (`minute hour day month weekday`, Asia/Shanghai), e.g. `0 3 * * *`;
    /// needs a source URL. Empty or absent: refresh on demand only.
    pub schedule: Option<String>,
}

/// A source URL the allowlist admits by its host (its addresses are
/// checked again before each refresh).
async fn admitted_url(state: &AppState, url: &str) -> ApiResult<String> {
    let parsed = reqwest::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && url.len() <= 500);
    let Some(parsed) = parsed else {
        return Err(ApiError::invalid_field(
            "source_url",
            "来源地址须为 http 或 https 地址（不超过 500 个字符）",
        ));
    };
    let allowlist = state.policy().await?.webhook_destinations();
    if !parsed
        .host_str()
        .is_some_and(|host| allowlist.admits_host(host))
    {
        return Err(ApiError::invalid_field(
            "source_url",
            format!("来源地址被拒绝：{}", Refusal::NotListed),
        ));
    }
    Ok(url.to_string())
}

/// Set where and when a list refreshes from (the URL's host must be on the
/// outbound allowlist).
#[utoipa::path(put, path = "/quality/code-lists/{code}/source", tag = "quality", params(("code" = String, Path)),
    request_body = CodeListSourceRequest,
    responses((status = 200, body = CodeListView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn set_code_list_source(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<CodeListSourceRequest>,
) -> ApiResult<Json<CodeListView>> {
    caller.require(&state, WRITE).await?;
    let list = editable(&code)?;
    let url = match non_empty(&req.source_url) {
        Some(url) => Some(admitted_url(&state, &url).await?),
        None => None,
    };
    let schedule =
        non_empty(&req.schedule).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    if let Some(schedule) = &schedule {
        if Cron::parse(schedule).is_none() {
            return Err(ApiError::invalid_field(
                "schedule",
                "须为 5 段 cron 表达式：分 时 日 月 周（如 0 3 * * *）",
            ));
        }
        if url.is_none() {
            return Err(ApiError::invalid_field(
                "schedule",
                "定时刷新须先填写来源地址",
            ));
        }
    }
    let audit = caller.audit(
        "quality.code_list.source",
        "code_list",
        list.code,
        serde_json::json!({ "source_url": url, "schedule": schedule }),
    );
    state
        .store
        .set_code_list_source(list.code, url.as_deref(), schedule.as_deref(), &audit)
        .await?;
    Ok(Json(view(&state.store, list).await?))
}

#[cfg(test)]
mod tests {
    use super::{builtin_entries, parse_csv, LISTS};

    #[test]
    fn csv_lists_are_read_and_bad_ones_refused() {
        let entries = parse_csv("code,name\n1,窗口办理\n7,自助终端\n".as_bytes()).expect("valid");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].name, "自助终端");
        assert!(parse_csv(b"code,name\n").is_err());
        assert!(parse_csv("code,name\n1,a\n1,b\n".as_bytes()).is_err());
    }

    #[test]
    fn the_fixed_lists_hold_what_intake_accepts() {
        let codes = |i: usize| -> Vec<String> {
            builtin_entries(LISTS[i])
                .into_iter()
                .map(|e| e.code)
                .collect()
        };
        assert_eq!(codes(1), ["person", "org"]);
        assert_eq!(codes(2), govpulse_core::aggregation::records::CHANNELS);
    }
}
