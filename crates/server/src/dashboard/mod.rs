//! The dashboard (数据看板, SPEC DASH-1..5): key indicators, breakdowns by
//! region, department and item, trends and the funnel from one in-memory cube
//! kept current from the change log; hot words from consultation questions;
//! exports of every table. Everything is limited to the caller's data scope.

pub mod engine;
pub mod export;
pub mod hotwords;
pub mod overview;
pub mod satisfaction;

use crate::error::{ApiError, ApiResult};
use crate::extract::non_empty;
use crate::identity::caller::Caller;
use crate::state::AppState;
use govpulse_core::dashboard::cube::STAGES;
use govpulse_core::dashboard::query::{date_of_day, Filter};
use govpulse_core::identity::ScopeKind;
use govpulse_core::region::{scope_prefix, subtree_range};
use govpulse_store::dashboard::{day_start, local_day, UnreadFilter};
use serde::Deserialize;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Longest period one overview covers.
const MAX_DAYS: i64 = 3 * 366;
/// Days the default period covers (ending today).
const DEFAULT_DAYS: i64 = 30;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview::overview))
        .routes(routes!(satisfaction::satisfaction))
        .routes(routes!(hotwords::hotwords))
        .routes(routes!(hotwords::get_dictionary, hotwords::put_dictionary))
        .routes(routes!(export::export))
}

/// Keep the cube and hot words warm, and the change log short (until the
/// server drains: the cube is rebuilt from the database at start anyway).
pub fn start(state: &AppState) {
    let state = state.clone();
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = keep_warm(state) => {}
            () = shutdown.draining() => {}
        }
    });
}

async fn keep_warm(state: AppState) {
    let mut ticks: u64 = 0;
    loop {
        if let Err(err) = state.dashboard.fresh(&state.store).await {
            tracing::warn!(error = %err, "dashboard refresh failed");
        } else if let Err(err) = hotwords::warm(&state).await {
            tracing::warn!(error = ?err, "counting hot words ahead failed");
        }
        if ticks.is_multiple_of(30) {
            let hour_ago = govpulse_core::time::now_ms() - 3_600_000;
            if let Err(err) = state.store.prune_dashboard_changes(hour_ago).await {
                tracing::warn!(error = %err, "dashboard log prune failed");
            }
        }
        ticks += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The filters every dashboard endpoint takes.
#[derive(Debug, Default, Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// First day `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day `YYYY-MM-DD`, inclusive (default: today).
    pub to: Option<String>,
    /// Region code: its whole subtree.
    #[param(pattern = "^[A-Za-z0-9-]*$")]
    pub region: Option<String>,
    #[param(pattern = "^[A-Za-z0-9-]*$")]
    pub department: Option<String>,
    #[param(pattern = "^[A-Za-z0-9-]*$")]
    pub item: Option<String>,
    /// consultation | acceptance | approval | special_procedure | immediate (warning figures)
    #[param(pattern = "^(consultation|acceptance|approval|special_procedure|immediate)?$")]
    pub stage: Option<String>,
    /// person | org
    #[param(pattern = "^(person|org)?$")]
    pub applicant_type: Option<String>,
}

/// A dashboard query checked and resolved against the caller's scope.
pub struct Resolved {
    pub first_day: i64,
    pub last_day: i64,
    pub filter: Filter,
    pub unread: UnreadFilter,
    /// The region the breakdown is one level below.
    pub focus_region: Option<String>,
}

/// The local day of `YYYY-MM-DD` or of an RFC 3339 instant.
fn parse_day(field: &str, text: &str) -> ApiResult<i64> {
    govpulse_core::time::parse_bound(text)
        .map(local_day)
        .ok_or_else(|| ApiError::invalid_field(field, "日期格式须为 YYYY-MM-DD"))
}

/// `YYYY-MM-DD` of a day number.
pub fn day_label(day: i64) -> String {
    date_of_day(day).format("%Y-%m-%d").to_string()
}

fn code_field(field: &str, value: &Option<String>) -> ApiResult<Option<String>> {
    match non_empty(value) {
        Some(code)
            if code.len() > 64 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Err(ApiError::invalid_field(
                field,
                "编码只能包含字母、数字和连字符",
            ))
        }
        other => Ok(other),
    }
}

impl DashboardQuery {
    /// Check the filters and combine them with the caller's scope.
    pub fn resolve(&self, caller: &Caller, max_days: i64) -> ApiResult<Resolved> {
        let today = local_day(govpulse_core::time::now_ms());
        let last_day = match non_empty(&self.to) {
            Some(text) => parse_day("to", &text)?,
            None => today,
        };
        let first_day = match non_empty(&self.from) {
            Some(text) => parse_day("from", &text)?,
            None => last_day - (DEFAULT_DAYS - 1),
        };
        if first_day > last_day {
            return Err(ApiError::invalid_field("from", "开始日期不能晚于结束日期"));
        }
        if last_day - first_day + 1 > max_days {
            return Err(ApiError::invalid_field(
                "from",
                format!("统计区间最长 {max_days} 天"),
            ));
        }
        let stage = non_empty(&self.stage);
        if let Some(stage) = &stage {
            if !STAGES.contains(&stage.as_str()) {
                return Err(ApiError::invalid_field(
                    "stage",
                    "环节须为 consultation、acceptance、approval、special_procedure 或 immediate",
                ));
            }
        }
        let applicant_type = non_empty(&self.applicant_type);
        if let Some(kind) = &applicant_type {
            if kind != "person" && kind != "org" {
                return Err(ApiError::invalid_field(
                    "applicant_type",
                    "申请人类型须为 person 或 org",
                ));
            }
        }
        let region = code_field("region", &self.region)?;
        let department = code_field("department", &self.department)?;
        let item = code_field("item", &self.item)?;
        let scope = caller.org_scope();
        let region_range = region.as_deref().map(subtree_range);
        let mut filter = Filter {
            first_day,
            last_day,
            region_ranges: scope
                .region_range
                .iter()
                .chain(region_range.iter())
                .cloned()
                .collect(),
            departments: scope
                .department
                .iter()
                .chain(department.iter())
                .cloned()
                .collect(),
            item: item.clone(),
            stage: stage.clone(),
            applicant_type: applicant_type.clone(),
            group_by_district: true,
            warnings: caller.can("warning:read"),
        };
        let focus_region = region.clone().or_else(|| match caller.scope.kind {
            ScopeKind::Department => None,
            _ => Some(caller.scope.region_code.clone()),
        });
        filter.group_by_district = focus_region
            .as_deref()
            .is_none_or(|code| scope_prefix(code).len() < 6);
        Ok(Resolved {
            first_day,
            last_day,
            filter,
            unread: UnreadFilter {
                from_ms: day_start(first_day),
                to_ms: day_start(last_day + 1),
                region_range,
                department,
                item,
                stage,
                applicant_type,
            },
            focus_region,
        })
    }
}
