//! Data aggregation (数据汇聚, SPEC AGG-1..5): item catalogue, consultation
//! codes, intake and file import, reading and linking, collection rules and
//! reconciliation.

pub mod body;
pub mod cases;
pub mod checked;
pub mod consultations;
pub mod corrections;
pub mod evaluations;
pub mod feeds;
pub mod files;
pub mod intake;
pub mod items;
pub mod linking;
pub mod pipeline;
pub mod sources;
pub mod templates;
pub mod totals;
pub mod vault;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Intake requests may carry up to 50,000 records or 64 MiB.
pub const INTAKE_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    let bulk = OpenApiRouter::new()
        .routes(routes!(intake::intake))
        .routes(routes!(intake::import_file))
        .routes(routes!(items::post_items))
        .layer(DefaultBodyLimit::max(INTAKE_BODY_LIMIT));
    OpenApiRouter::new()
        .merge(bulk)
        .routes(routes!(templates::import_template))
        .routes(routes!(intake::issue_code))
        .routes(routes!(items::list_items))
        .routes(routes!(items::get_item))
        .routes(routes!(consultations::list_consultations))
        .routes(routes!(cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::reveal_applicant))
        .routes(routes!(
            corrections::mark_erroneous,
            corrections::unmark_erroneous
        ))
        .routes(routes!(evaluations::list_evaluations))
        .routes(routes!(linking::applicant_timeline))
        .routes(routes!(linking::linking_stats))
        .routes(routes!(sources::list_sources, sources::create_source))
        .routes(routes!(sources::update_source, sources::delete_source))
        .routes(routes!(sources::reconciliation))
        .routes(routes!(feeds::sources_health))
        .routes(routes!(feeds::post_manifests))
        .routes(routes!(sources::export_reconciliation))
}

/// Parse an optional `from`/`to` query pair (a bare end date includes its day).
pub fn time_window(
    from: &Option<String>,
    to: &Option<String>,
) -> crate::error::ApiResult<(Option<i64>, Option<i64>)> {
    use crate::error::ApiError;
    use crate::extract::non_empty;
    let parse =
        |field: &str, value: &Option<String>| -> crate::error::ApiResult<Option<(i64, bool)>> {
            match non_empty(value) {
                None => Ok(None),
                Some(text) => govpulse_core::time::parse_bound(&text)
                    .map(|ms| Some((ms, text.len() == 10)))
                    .ok_or_else(|| {
                        ApiError::invalid_field(field, "时间格式须为 YYYY-MM-DD 或 RFC 3339")
                    }),
            }
        };
    let from = parse("from", from)?.map(|(ms, _)| ms);
    let to = parse("to", to)?.map(|(ms, bare)| if bare { ms + 86_400_000 } else { ms });
    Ok((from, to))
}
