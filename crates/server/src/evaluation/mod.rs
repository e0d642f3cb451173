//! Quality and efficiency evaluation over HTTP (issue 13): the indicator
//! library and its values, the scheme library, evaluation runs (test or
//! official) with results, traces and comparisons, and the archive of
//! published runs. The rules themselves live in `govpulse_core::evaluation`.
//!
//! Scope: everyone with `evaluation:read` sees every unit's scores and ranks
//! (the ranking is the point of an evaluation); a unit's trace and problem
//! details only when the unit is in the caller's data scope.

pub mod alerts;
pub mod appeals;
pub mod archive;
pub mod demo;
pub mod indicators;
pub mod notices;
pub mod rectification;
pub mod runs;
pub mod schemes;
pub mod trend;
pub mod workbook;

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use govpulse_core::evaluation::indicators::{builtin, IndicatorDef};
use govpulse_core::evaluation::scoring::{IndicatorInfo, UnitLevel};
use govpulse_core::time::now_ms;
use govpulse_store::evaluation::{IndicatorRow, VersionRow};
use govpulse_store::Store;
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const READ: &str = "evaluation:read";
pub const WRITE: &str = "indicator:write";
pub const RUN: &str = "evaluation:run";
pub const PUBLISH: &str = "evaluation:publish";

pub fn routes() -> OpenApiRouter<crate::state::AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            indicators::list_indicators,
            indicators::create_indicator
        ))
        .routes(routes!(
            indicators::get_indicator,
            indicators::put_indicator
        ))
        .routes(routes!(indicators::indicator_values))
        .routes(routes!(trend::indicator_trend))
        .routes(routes!(schemes::list_schemes, schemes::create_scheme))
        .routes(routes!(schemes::get_scheme, schemes::put_scheme))
        .routes(routes!(runs::list_runs, runs::create_run))
        .routes(routes!(runs::run_results))
        .routes(routes!(runs::run_trace))
        .routes(routes!(runs::run_problems))
        .routes(routes!(runs::compare_runs))
        .routes(routes!(archive::publish_run))
        .routes(routes!(archive::get_archive))
        .routes(routes!(appeals::create_appeal))
        .routes(routes!(notices::send_notice))
        .routes(routes!(alerts::list_alert_rules, alerts::create_alert_rule))
        .routes(routes!(alerts::get_alert_rule, alerts::put_alert_rule))
        .routes(routes!(alerts::run_alert_rule))
        .routes(routes!(
            workbook::export_workbook,
            workbook::import_workbook
        ))
}

/// One stored version of a scheme or an indicator warning rule: the whole
/// definition as saved, when and by whom.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DefinitionVersion {
    pub version: i64,
    pub name: String,
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    pub created_at: String,
    pub created_by: String,
}

impl From<VersionRow> for DefinitionVersion {
    fn from(v: VersionRow) -> Self {
        Self {
            version: v.version,
            name: v.name,
            definition: serde_json::from_str(&v.definition).unwrap_or_default(),
            created_at: govpulse_core::time::to_rfc3339(v.created_at),
            created_by: v.created_by,
        }
    }
}

/// The stored definition of an indicator row.
pub fn definition_of(row: &IndicatorRow) -> ApiResult<IndicatorDef> {
    serde_json::from_str(&row.definition)
        .map_err(|e| ApiError::internal(format!("indicator {} definition: {e}", row.code)))
}

/// Every indicator as the engine sees it, and the subset that may be scored
/// (enabled level-3 indicators).
pub async fn indicator_infos(
    store: &Store,
) -> ApiResult<(
    BTreeMap<String, IndicatorDef>,
    BTreeMap<String, IndicatorInfo>,
)> {
    let mut defs = BTreeMap::new();
    let mut infos = BTreeMap::new();
    for row in store.indicators().await? {
        let def = definition_of(&row)?;
        infos.insert(
            def.code.clone(),
            IndicatorInfo {
                code: def.code.clone(),
                name: def.name.clone(),
                level: def.level,
                direction: def.direction,
                parent_code: def.parent_code.clone(),
            },
        );
        defs.insert(def.code.clone(), def);
    }
    Ok((defs, infos))
}

/// A unit level from a query parameter.
pub fn unit_level(field: &str, text: &str) -> ApiResult<UnitLevel> {
    UnitLevel::parse(text).ok_or_else(|| {
        ApiError::invalid_field(
            field,
            "单位层级须为 district、city_department 或 district_department",
        )
    })
}

/// Whether the caller may see a unit's details (trace, problem cases).
pub fn sees_unit(caller: &Caller, level: UnitLevel, unit_code: &str, region_code: &str) -> bool {
    match level {
        UnitLevel::District => caller.scope.allows(region_code, None),
        UnitLevel::CityDepartment | UnitLevel::DistrictDepartment => {
            caller.scope.allows(region_code, Some(unit_code))
        }
    }
}

/// Create the built-in indicators that do not exist yet (an edited built-in
/// indicator keeps its edits).
pub async fn seed_builtin_indicators(store: &Store) -> anyhow::Result<()> {
    let existing: Vec<String> = store
        .indicators()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    for def in builtin() {
        if existing.contains(&def.code) {
            continue;
        }
        let row = indicators::row_of(&def, true, "system", now_ms())
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let audit =
            crate::seed::system_record("indicator.create", serde_json::json!({ "code": def.code }));
        store.save_indicator(&row, None, &audit).await?;
    }
    schemes::seed_standard_scheme(store).await
}
