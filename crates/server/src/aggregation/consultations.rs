//! Reading consultations (AGG-4): the list, its filter and its export cells.

use super::time_window;
use crate::error::ApiResult;
use crate::extract::{non_empty, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::monitoring::condition::Field;
use govpulse_core::region::subtree_range;
use govpulse_core::time::to_rfc3339;
use govpulse_store::aggregation::{ConsultationFilter, ConsultationRow};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsultationView {
    pub code: String,
    pub channel: String,
    pub region_code: String,
    pub region_name: Option<String>,
    pub asked_at: String,
    pub applicant_type: String,
    pub applicant_masked: Option<String>,
    /// Opaque applicant key for the timeline.
    pub applicant_key: Option<String>,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    pub question: String,
    pub answer: Option<String>,
    pub linked_case_code: Option<String>,
    /// The source's revision of the stored content (0 unless numbered).
    pub revision: i64,
    /// Set when an operator marked the record erroneous: shown, but left out of figures.
    pub erroneous_reason: Option<String>,
}

impl From<ConsultationRow> for ConsultationView {
    fn from(r: ConsultationRow) -> Self {
        Self {
            code: r.code,
            channel: r.channel,
            region_code: r.region_code,
            region_name: r.region_name,
            asked_at: to_rfc3339(r.asked_at),
            applicant_type: r.applicant_type,
            applicant_masked: r.applicant_masked,
            applicant_key: r.applicant_key,
            item_code: r.item_code,
            item_name: r.item_name,
            question: r.question,
            answer: r.answer,
            linked_case_code: r.linked_case_code,
            revision: r.revision,
            erroneous_reason: r.erroneous_reason,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultationQuery {
    pub q: Option<String>,
    pub channel: Option<String>,
    pub region: Option<String>,
    pub item: Option<String>,
    pub linked: Option<bool>,
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

impl ConsultationQuery {
    /// The store filter these parameters ask for (the list and background exports).
    pub fn filter(&self) -> ApiResult<ConsultationFilter> {
        let (from_ms, to_ms) = time_window(&self.from, &self.to)?;
        Ok(ConsultationFilter {
            q: non_empty(&self.q),
            channel: non_empty(&self.channel),
            region_range: non_empty(&self.region).map(|r| subtree_range(&r)),
            item: non_empty(&self.item),
            linked: self.linked,
            from_ms,
            to_ms,
        })
    }
}

/// Column titles of a consultation export.
pub const CONSULTATION_EXPORT_HEADERS: [&str; 11] = [
    "咨询编码",
    "渠道",
    "区划",
    "咨询时间",
    "申请人类型",
    "证件号码（脱敏）",
    "事项编码",
    "事项名称",
    "咨询内容",
    "答复内容",
    "关联办件",
];

/// One consultation as export cells (in [`CONSULTATION_EXPORT_HEADERS`] order).
pub fn consultation_export_cells(r: ConsultationRow) -> Vec<String> {
    vec![
        r.code,
        option_label(&CHANNELS, &r.channel),
        r.region_name.unwrap_or(r.region_code),
        to_rfc3339(r.asked_at),
        option_label(&APPLICANT_TYPES, &r.applicant_type),
        r.applicant_masked.unwrap_or_default(),
        r.item_code.unwrap_or_default(),
        r.item_name.unwrap_or_default(),
        r.question,
        r.answer.unwrap_or_default(),
        r.linked_case_code.unwrap_or_default(),
    ]
}

/// Chinese labels of channels and applicant types, as the rule editor shows them.
pub(super) static CHANNELS: LazyLock<Vec<(&str, &str)>> =
    LazyLock::new(|| Field::Channel.info().options);
pub(super) static APPLICANT_TYPES: LazyLock<Vec<(&str, &str)>> =
    LazyLock::new(|| Field::ApplicantType.info().options);

/// The label of `code` among `options`; the code itself when unknown.
pub(super) fn option_label(options: &[(&str, &str)], code: &str) -> String {
    options
        .iter()
        .find(|(key, _)| *key == code)
        .map_or(code, |(_, label)| label)
        .to_string()
}

#[utoipa::path(get, path = "/consultations", tag = "aggregation", params(ConsultationQuery), responses((status = 200, body = crate::list::ListResponse<ConsultationView>)))]
pub async fn list_consultations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ConsultationQuery>,
) -> ApiResult<Json<crate::list::ListResponse<ConsultationView>>> {
    caller.require(&state, "data:read").await?;
    let filter = q.filter()?;
    let mut request =
        crate::list_params!(q).request(&govpulse_store::aggregation::CONSULTATION_LIST)?;
    let scope = caller.org_scope();
    request.known_total = super::totals::consultations(&state, &scope, &filter).await?;
    let page = state
        .store
        .list_consultations(&scope, &filter, &request)
        .await?;
    Ok(Json(crate::list::ListResponse::from_page(page)))
}
