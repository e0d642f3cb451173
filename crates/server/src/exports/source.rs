//! What a job exports: the list, the file format, and the list's filters —
//! parsed by the very query types and functions the list endpoints use, so a
//! filter means the same in the list, in its download and in a job.

use crate::aggregation::cases::{case_export_cells, CaseQuery, CASE_EXPORT_HEADERS};
use crate::aggregation::consultations::{
    consultation_export_cells, ConsultationQuery, CONSULTATION_EXPORT_HEADERS,
};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::monitoring::warnings::{self, WarningQuery};
use crate::workorders::orders::{filter_for, WorkOrderQuery};
use axum::extract::Query;
use axum::http::{StatusCode, Uri};
use govpulse_store::aggregation::{CaseFilter, ConsultationFilter, CASE_LIST, CONSULTATION_LIST};
use govpulse_store::list::{ListPage, ListRequest, ListSpec};
use govpulse_store::monitoring::{WarningFilter, WARNING_LIST};
use govpulse_store::org::OrgScope;
use govpulse_store::workorders::{WorkOrderFilter, WORK_ORDER_LIST};
use govpulse_store::{Page, Store, StoreResult};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cases,
    Consultations,
    Warnings,
    WorkOrders,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::Cases,
        Source::Consultations,
        Source::Warnings,
        Source::WorkOrders,
    ];

    pub fn parse(text: &str) -> ApiResult<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "source",
                    "导出来源须为 cases、consultations、warnings 或 work_orders",
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Cases => "cases",
            Source::Consultations => "consultations",
            Source::Warnings => "warnings",
            Source::WorkOrders => "work_orders",
        }
    }

    /// The permission of the list itself.
    pub fn permission(self) -> &'static str {
        match self {
            Source::Cases | Source::Consultations => "data:read",
            Source::Warnings => "warning:read",
            Source::WorkOrders => crate::workorders::orders::READ,
        }
    }

    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Source::Cases => &CASE_EXPORT_HEADERS,
            Source::Consultations => &CONSULTATION_EXPORT_HEADERS,
            Source::Warnings => &warnings::EXPORT_HEADERS,
            Source::WorkOrders => &crate::workorders::export::EXPORT_HEADERS,
        }
    }

    /// Worksheet name (the menu's name of the list).
    pub fn sheet_name(self) -> &'static str {
        match self {
            Source::Cases => "办件数据",
            Source::Consultations => "咨询数据",
            Source::Warnings => "预警信息",
            Source::WorkOrders => "工单",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// `xlsx` when absent, like the list downloads.
    pub fn parse(text: Option<&str>) -> ApiResult<Self> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None | Some("xlsx") => Ok(Format::Xlsx),
            Some("csv") => Ok(Format::Csv),
            Some(_) => Err(ApiError::invalid_field("format", "格式须为 xlsx 或 csv")),
        }
    }

    /// Also the file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// Query parameters of the list machinery, not filters.
const NOT_FILTERS: &[&str] = &["page", "size", "format"];

/// Filters as a job keeps them: every value as the text a query string would
/// carry; empty values and paging parameters left out.
pub fn normalise(filters: Map<String, Value>) -> ApiResult<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in filters {
        if NOT_FILTERS.contains(&key.as_str()) {
            continue;
        }
        let text = match value {
            Value::Null => continue,
            Value::String(text) => text,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(_) | Value::Object(_) => {
                return Err(ApiError::invalid_field(
                    &format!("filters.{key}"),
                    "筛选条件的值须为文字、数字或布尔值",
                ))
            }
        };
        if !text.trim().is_empty() {
            out.insert(key, Value::String(text));
        }
    }
    Ok(out)
}

/// Percent-encode everything but RFC 3986 unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Deserialize normalised filters through axum's `Query`, the extractor of
/// the list endpoints: numbers, booleans and unknown keys behave alike.
fn as_query<T: DeserializeOwned>(filters: &Map<String, Value>) -> ApiResult<T> {
    let pairs: Vec<String> = filters
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value.as_str().unwrap_or(""))))
        .collect();
    let uri: Uri = format!("/?{}", pairs.join("&"))
        .parse()
        .map_err(ApiError::internal)?;
    Query::<T>::try_from_uri(&uri)
        .map(|Query(query)| query)
        .map_err(|rejection| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "request.invalid",
                "查询参数不符合要求",
            )
            .with_details(serde_json::json!({ "reason": rejection.body_text() }))
        })
}

/// Whose list a job exports where the list depends on who asks (the
/// workbench's 我的待办 / 我已办 / 我发起): the job's owner, with the
/// permissions and department they hold when the job is created and when it runs.
#[derive(Debug, Clone, Default)]
pub struct Owner {
    pub username: String,
    pub permissions: BTreeSet<String>,
    /// A department-scoped owner's department.
    pub department: Option<String>,
}

impl Owner {
    pub fn of(caller: &Caller) -> Self {
        Self {
            username: caller.username.clone(),
            permissions: caller.permissions.clone(),
            department: crate::workorders::department_of(caller).map(str::to_string),
        }
    }

    /// The owner as stored now (a removed or disabled owner holds nothing).
    pub async fn load(store: &Store, username: &str) -> StoreResult<Self> {
        let mut owner = Self {
            username: username.to_string(),
            ..Self::default()
        };
        if let Some(user) = store.find_user_by_username(username).await? {
            if !user.disabled {
                owner.permissions = store.user_grants(user.id).await?.1;
                owner.department = user
                    .department_code
                    .filter(|_| user.scope_kind == "department");
            }
        }
        Ok(owner)
    }
}

/// A list's store filter.
#[derive(Debug, Clone)]
pub enum ListQuery {
    Cases(CaseFilter),
    Consultations(ConsultationFilter),
    Warnings(WarningFilter),
    WorkOrders(WorkOrderFilter),
}

/// The tighter of a filter's own exclusive upper time bound and `before`.
fn upper(to: Option<i64>, before: Option<i64>) -> Option<i64> {
    match (to, before) {
        (Some(to), Some(before)) => Some(to.min(before)),
        (to, before) => before.or(to),
    }
}

/// A page of rows as (list time, export cells).
/// Rows from `skip` in the list's default order; counted up to `count_up_to`
/// rows, or not at all when it is 0 (the total is known after the first page).
fn window<T>(
    spec: &'static ListSpec<T>,
    skip: i64,
    limit: i64,
    count_up_to: i64,
) -> ListRequest<T> {
    let mut request = ListRequest::window(spec, skip, limit, count_up_to);
    if count_up_to == 0 {
        request.known_total = Some(0);
    }
    request
}

fn keyed<R>(
    page: ListPage<R>,
    at: impl Fn(&R) -> i64,
    cells: impl Fn(R) -> Vec<String>,
) -> Page<(i64, Vec<String>)> {
    Page {
        // A count that stopped at its bound means "more than that".
        total: page.total + i64::from(!page.total_exact),
        items: page.items.into_iter().map(|r| (at(&r), cells(r))).collect(),
    }
}

impl ListQuery {
    /// The filter of `source` from its (normalised) filters; refused exactly
    /// as the list endpoint refuses them.
    pub fn parse(source: Source, filters: &Map<String, Value>, owner: &Owner) -> ApiResult<Self> {
        Ok(match source {
            Source::Cases => Self::Cases(as_query::<CaseQuery>(filters)?.filter()?),
            Source::Consultations => {
                Self::Consultations(as_query::<ConsultationQuery>(filters)?.filter()?)
            }
            Source::Warnings => {
                Self::Warnings(warnings::filter_of(&as_query::<WarningQuery>(filters)?)?)
            }
            Source::WorkOrders => {
                let can = |permission: &str| owner.permissions.contains(permission);
                let actor = govpulse_core::workorders::Actor {
                    permissions: &can,
                    department: owner.department.as_deref(),
                };
                let query = as_query::<WorkOrderQuery>(filters)?;
                Self::WorkOrders(filter_for(&owner.username, &actor, &query)?)
            }
        })
    }

    /// One page in the list's own order (newest first), limited to rows whose
    /// list time is before `before`, skipping the first `skip` of them; the
    /// total counted up to `count_up_to` rows (0: not counted).
    pub async fn page(
        &self,
        store: &Store,
        scope: &OrgScope,
        before: Option<i64>,
        (skip, limit): (i64, i64),
        count_up_to: i64,
    ) -> StoreResult<Page<(i64, Vec<String>)>> {
        Ok(match self {
            Self::Cases(f) => {
                let f = CaseFilter {
                    to_ms: upper(f.to_ms, before),
                    ..f.clone()
                };
                let request = window(&CASE_LIST, skip, limit, count_up_to);
                let page = store.list_cases(scope, &f, &request).await?;
                keyed(page, |r| r.submitted_at, case_export_cells)
            }
            Self::Consultations(f) => {
                let f = ConsultationFilter {
                    to_ms: upper(f.to_ms, before),
                    ..f.clone()
                };
                let request = window(&CONSULTATION_LIST, skip, limit, count_up_to);
                let page = store.list_consultations(scope, &f, &request).await?;
                keyed(page, |r| r.asked_at, consultation_export_cells)
            }
            Self::Warnings(f) => {
                let f = WarningFilter {
                    to: upper(f.to, before),
                    ..f.clone()
                };
                let request = window(&WARNING_LIST, skip, limit, count_up_to);
                let page = store.list_warnings(scope, &f, &request).await?;
                keyed(page, |r| r.raised_at, warnings::export_cells)
            }
            Self::WorkOrders(f) => {
                let f = WorkOrderFilter {
                    created_before: upper(f.created_before, before),
                    ..f.clone()
                };
                let request = window(&WORK_ORDER_LIST, skip, limit, count_up_to);
                let page = store.list_work_orders(scope, &f, &request).await?;
                keyed(
                    page,
                    |r| r.created_at,
                    crate::workorders::export::export_cells,
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(value: Value) -> Map<String, Value> {
        normalise(value.as_object().unwrap().clone()).unwrap()
    }

    #[test]
    fn filters_parse_like_the_list_query_string() {
        let f = filters(serde_json::json!({
            "region": "110105", "from": "2026-11-01", "to": "2026-11-30", "linked": true,
            "page": 3, "size": 50, "format": "csv", "q": "", "item": null
        }));
        assert_eq!(
            Value::Object(f.clone()),
            serde_json::json!({"region": "110105", "from": "2026-11-01", "to": "2026-11-30", "linked": "true"})
        );
        let Ok(ListQuery::Consultations(c)) =
            ListQuery::parse(Source::Consultations, &f, &Owner::default())
        else {
            panic!("consultation filters")
        };
        assert_eq!(c.linked, Some(true));
        assert!(c.region_range.is_some() && c.from_ms.is_some() && c.to_ms.is_some());
        assert_eq!(c.q, None);
    }

    #[test]
    fn bad_filters_are_refused_with_the_list_codes() {
        let bad_date = filters(serde_json::json!({"from": "yesterday"}));
        let err = ListQuery::parse(Source::Cases, &bad_date, &Owner::default()).unwrap_err();
        assert_eq!(
            (err.status, err.body.code.as_str()),
            (StatusCode::BAD_REQUEST, "request.invalid")
        );
        assert!(err.body.details["fields"]["from"].is_string());
        let bad_bool = filters(serde_json::json!({"linked": "maybe"}));
        let err =
            ListQuery::parse(Source::Consultations, &bad_bool, &Owner::default()).unwrap_err();
        assert_eq!(err.body.code, "request.invalid");
        let bad_status = filters(serde_json::json!({"status": "lost"}));
        let err = ListQuery::parse(Source::Warnings, &bad_status, &Owner::default()).unwrap_err();
        assert!(err.body.details["fields"]["status"].is_string());
        let nested = normalise(
            serde_json::json!({"region": ["110105"]})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(nested.unwrap_err().body.code, "request.invalid");
    }

    #[test]
    fn odd_characters_survive_the_query_string() {
        let f = filters(serde_json::json!({"q": "张三 & =1+2%", "region": "110105"}));
        let Ok(ListQuery::Cases(c)) = ListQuery::parse(Source::Cases, &f, &Owner::default()) else {
            panic!("case filters")
        };
        assert_eq!(c.q.as_deref(), Some("张三 & =1+2%"));
    }

    #[test]
    fn the_time_bound_only_tightens() {
        assert_eq!(upper(None, None), None);
        assert_eq!(upper(Some(10), None), Some(10));
        assert_eq!(upper(None, Some(5)), Some(5));
        assert_eq!(upper(Some(10), Some(5)), Some(5));
        assert_eq!(upper(Some(3), Some(5)), Some(3));
    }
}
