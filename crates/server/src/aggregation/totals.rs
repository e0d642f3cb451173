//! Exact totals of the case and consultation lists from the dashboard's cube,
//! whenever every filter is a cube dimension (period in whole local days,
//! region, department, item, applicant type; for cases, completion and the
//! overdue flag). Otherwise, or while the cube is first being built, the list
//! counts its rows up to the bound (`govpulse_store::list`) — also while any
//! record in scope is marked erroneous (listed, but not in the cube). Like counts, a
//! cube total is remembered until this process writes (see `Totals`).

use crate::error::ApiResult;
use crate::state::AppState;
use govpulse_core::dashboard::query::Filter;
use govpulse_core::dashboard::totals::CaseMeasure;
use govpulse_store::aggregation::{CaseFilter, ConsultationFilter, RecordKind};
use govpulse_store::dashboard::{day_start, local_day};
use govpulse_store::org::OrgScope;

/// The cube filter of a scope and list filters; `None` when a time bound is
/// not a local midnight.
fn cube_filter(
    scope: &OrgScope,
    region_range: &Option<(String, String)>,
    department: &Option<String>,
    item: &Option<String>,
    applicant_type: &Option<String>,
    (from_ms, to_ms): (Option<i64>, Option<i64>),
) -> Option<Filter> {
    let first_day = match from_ms {
        None => i64::MIN / 2,
        Some(ms) if day_start(local_day(ms)) == ms => local_day(ms),
        Some(_) => return None,
    };
    let last_day = match to_ms {
        None => i64::MAX / 2,
        Some(ms) if day_start(local_day(ms)) == ms => local_day(ms) - 1,
        Some(_) => return None,
    };
    Some(Filter {
        first_day,
        last_day,
        region_ranges: scope
            .region_range
            .iter()
            .chain(region_range)
            .cloned()
            .collect(),
        departments: scope.department.iter().chain(department).cloned().collect(),
        item: item.clone(),
        applicant_type: applicant_type.clone(),
        ..Default::default()
    })
}

/// The exact number of cases the list filter admits, when the cube knows it.
pub async fn cases(state: &AppState, scope: &OrgScope, f: &CaseFilter) -> ApiResult<Option<i64>> {
    let Some(measure) = CaseMeasure::of(f.status.as_deref(), f.overdue) else {
        return Ok(None);
    };
    let filter = cube_filter(
        scope,
        &f.region_range,
        &f.department,
        &f.item,
        &f.applicant_type,
        (f.from_ms, f.to_ms),
    );
    let (Some(filter), None) = (filter, &f.q) else {
        return Ok(None);
    };
    if state.store.any_erroneous(RecordKind::Cases, scope).await? {
        return Ok(None);
    }
    let key = format!("cube cases {measure:?} {filter:?}");
    state
        .store
        .remembered_total(key, async {
            let Some(cube) = state.dashboard.fresh_if_built(&state.store).await? else {
                return Ok(None);
            };
            Ok(i64::try_from(cube.cube.case_total(&filter, measure)).ok())
        })
        .await
}

/// The exact number of consultations the list filter admits, when the cube knows it.
pub async fn consultations(
    state: &AppState,
    scope: &OrgScope,
    f: &ConsultationFilter,
) -> ApiResult<Option<i64>> {
    if f.q.is_some() || f.channel.is_some() || f.linked.is_some() {
        return Ok(None);
    }
    let Some(filter) = cube_filter(
        scope,
        &f.region_range,
        &None,
        &f.item,
        &None,
        (f.from_ms, f.to_ms),
    ) else {
        return Ok(None);
    };
    if state
        .store
        .any_erroneous(RecordKind::Consultations, scope)
        .await?
    {
        return Ok(None);
    }
    let key = format!("cube consultations {filter:?}");
    state
        .store
        .remembered_total(key, async {
            let Some(cube) = state.dashboard.fresh_if_built(&state.store).await? else {
                return Ok(None);
            };
            Ok(i64::try_from(cube.cube.consultation_total(&filter)).ok())
        })
        .await
}
