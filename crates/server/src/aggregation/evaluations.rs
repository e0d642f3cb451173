//! Reading evaluations (好差评, AGG-4).

use super::time_window;
use crate::error::ApiResult;
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::region::subtree_range;
use govpulse_core::time::to_rfc3339;
use govpulse_store::aggregation::{EvaluationFilter, EvaluationRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluationView {
    pub evaluation_id: String,
    pub case_code: Option<String>,
    pub channel: String,
    pub rated_at: String,
    /// GB/T 39046 A.8: 1 非常满意 … 5 非常不满意.
    pub satisfaction: i32,
    pub comment: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    /// The source's revision of the stored content (0 unless numbered).
    pub revision: i64,
    /// Set when an operator marked the record erroneous: shown, but left out of figures.
    pub erroneous_reason: Option<String>,
}

impl From<EvaluationRow> for EvaluationView {
    fn from(r: EvaluationRow) -> Self {
        Self {
            evaluation_id: r.evaluation_id,
            case_code: r.case_code,
            channel: r.channel,
            rated_at: to_rfc3339(r.rated_at),
            satisfaction: r.satisfaction,
            comment: r.comment,
            region_code: r.region_code,
            region_name: r.region_name,
            revision: r.revision,
            erroneous_reason: r.erroneous_reason,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    pub region: Option<String>,
    pub satisfaction: Option<i64>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

#[utoipa::path(get, path = "/evaluations", tag = "aggregation", params(EvaluationQuery), responses((status = 200, body = crate::list::ListResponse<EvaluationView>)))]
pub async fn list_evaluations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<EvaluationQuery>,
) -> ApiResult<Json<crate::list::ListResponse<EvaluationView>>> {
    caller.require(&state, "data:read").await?;
    let (from_ms, to_ms) = time_window(&q.from, &q.to)?;
    let filter = EvaluationFilter {
        region_range: non_empty(&q.region).map(|r| subtree_range(&r)),
        satisfaction: q.satisfaction,
        case_code: None,
        from_ms,
        to_ms,
    };
    let request = crate::list_params!(q).request(&govpulse_store::aggregation::EVALUATION_LIST)?;
    let page = state
        .store
        .list_evaluations(&caller.org_scope(), &filter, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}
