//! The archive (EVAL-3): publishing an official run snapshots its scheme,
//! scores, ranks, traces and problem details with the archive time and the
//! data version, checksummed with SHA-256 over the canonical serialisation.
//! A snapshot is never updated; `verify` recomputes every checksum.

use super::runs::{load, problems};
use super::{PUBLISH, READ};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::evaluation::archive::checksum;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::audit::AuditRecord;
use govpulse_store::evaluation::{ArchiveRow, NewArchive};
use govpulse_store::Store;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Published {
    pub archive_id: i64,
    pub sha256: String,
    /// Rectification orders the preset rule opened (units with an indicator below 60).
    pub rectifications: Vec<String>,
}

/// Publish an official run: write its archive (once).
pub async fn publish(
    store: &Store,
    run_id: i64,
    by: &str,
    audit: &AuditRecord,
) -> ApiResult<Published> {
    let run = load(store, run_id).await?;
    if run.row.mode != "official" {
        return Err(ApiError::conflict(
            "evaluation.test_run",
            "试算结果不能发布，请以正式模式评价",
        ));
    }
    if run.row.archive_id.is_some() {
        return Err(ApiError::conflict(
            "evaluation.already_published",
            "该评价结果已发布归档",
        ));
    }
    let scheme = store
        .scheme_versions(&run.row.scheme_code)
        .await?
        .into_iter()
        .find(|v| v.version == run.row.scheme_version)
        .ok_or_else(|| ApiError::internal("the run's scheme version is missing"))?;
    let mut problem_details = serde_json::Map::new();
    for result in &run.results {
        let cases = problems(store, &run, &result.unit_code).await?;
        problem_details.insert(
            result.unit_code.clone(),
            serde_json::to_value(cases).map_err(ApiError::internal)?,
        );
    }
    let archived_at = now_ms();
    let snapshot = serde_json::json!({
        "run_id": run_id,
        "period": run.row.period,
        "unit_level": run.row.unit_level,
        "scheme": {
            "code": run.row.scheme_code,
            "version": run.row.scheme_version,
            "name": scheme.name,
            "definition": serde_json::from_str::<serde_json::Value>(&scheme.definition).map_err(ApiError::internal)?,
        },
        "data_version": run.row.data_version,
        "result_version": run.version,
        "archived_at": to_rfc3339(archived_at),
        "archived_by": by,
        "results": run.results,
        "problems": problem_details,
    });
    let sha256 = checksum(&snapshot);
    let archive = NewArchive {
        run_id,
        period: run.row.period.clone(),
        scheme_code: run.row.scheme_code.clone(),
        archived_at,
        archived_by: by.to_string(),
        data_version: run.row.data_version.clone(),
        snapshot: snapshot.to_string(),
        sha256: sha256.clone(),
    };
    let archive_id = store
        .insert_archive(&archive, audit)
        .await?
        .ok_or_else(|| {
            ApiError::conflict("evaluation.already_published", "该评价结果已发布归档")
        })?;
    let rectifications = super::rectification::open_for(store, &run, archive_id)
        .await
        .map_err(ApiError::internal)?;
    Ok(Published {
        archive_id,
        sha256,
        rectifications,
    })
}

/// Publish an official run to the archive.
#[utoipa::path(post, path = "/evaluation/runs/{id}/publish", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = Published), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn publish_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Published>> {
    caller.require(&state, PUBLISH).await?;
    let audit = caller.audit(
        "evaluation.publish",
        "evaluation_run",
        &id.to_string(),
        serde_json::json!({ "run_id": id }),
    );
    Ok(Json(
        publish(&state.store, id, &caller.username, &audit).await?,
    ))
}

/// Whether an archive still matches its checksum.
pub fn intact(row: &ArchiveRow) -> bool {
    serde_json::from_str::<serde_json::Value>(&row.snapshot)
        .is_ok_and(|s| checksum(&s) == row.sha256)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ArchiveView {
    pub archive_id: i64,
    pub run_id: i64,
    pub period: String,
    pub scheme: String,
    pub archived_at: String,
    pub archived_by: String,
    pub data_version: String,
    pub sha256: String,
    /// The snapshot's checksum recomputed now equals the stored one.
    pub intact: bool,
}

/// An archive's record and a fresh verification of its checksum (the
/// snapshot itself holds every unit's problem details, so it is not served).
#[utoipa::path(get, path = "/evaluation/archives/{id}", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = ArchiveView), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ArchiveView>> {
    caller.require(&state, READ).await?;
    let row = state
        .store
        .archive(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(ArchiveView {
        intact: intact(&row),
        archive_id: row.id,
        run_id: row.run_id,
        period: row.period,
        scheme: row.scheme_code,
        archived_at: to_rfc3339(row.archived_at),
        archived_by: row.archived_by,
        data_version: row.data_version,
        sha256: row.sha256,
    }))
}

/// Every archive that no longer matches its checksum: (id, period).
pub async fn changed_archives(store: &Store) -> anyhow::Result<(usize, Vec<(i64, String)>)> {
    let rows = store.archives().await?;
    let changed = rows
        .iter()
        .filter(|r| !intact(r))
        .map(|r| (r.id, r.period.clone()))
        .collect();
    Ok((rows.len(), changed))
}
