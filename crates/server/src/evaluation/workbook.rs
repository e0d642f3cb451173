//! The indicator workbook over HTTP (IND-3): the whole indicator library and
//! its warning rules as one XLSX (a sheet per kind) and back. An import
//! checks every row first — definitions, parents, the rules' indicators —
//! and changes nothing when one is wrong; then it creates what is new,
//! stores a new version of what differs and leaves the rest as it is.

use super::alerts::{row_of as rule_row, rule_of};
use super::indicators::row_of;
use super::{definition_of, READ, WRITE};
use crate::error::{ApiError, ApiResult};
use crate::export::{attachment, XLSX_TYPE};
use crate::extract::ApiBytes;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use calamine::{Data, Reader, Xlsx};
use govpulse_core::evaluation::alerts::AlertRule;
use govpulse_core::evaluation::indicators::IndicatorDef;
use govpulse_core::evaluation::workbook::{from_sheets, to_sheets, Sheet};
use govpulse_core::time::now_ms;
use serde::Serialize;
use std::collections::BTreeMap;

fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let header = rust_xlsxwriter::Format::new().set_bold();
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.name)?;
        for (col, title) in sheet.headers.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *title, &header)?;
            ws.set_column_width(col, 16)?;
        }
        for (row, cells) in sheet.rows.iter().enumerate() {
            let row = u32::try_from(row + 1).unwrap_or(u32::MAX);
            for (col, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    ws.write_string(row, u16::try_from(col).unwrap_or(u16::MAX), text)?;
                }
            }
        }
    }
    workbook.save_to_buffer()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) => f.to_string(),
        other => other.to_string(),
    }
}

/// Every sheet of a workbook as rows of text (a row keeps its position:
/// empty rows stay, so row numbers in errors match the sheet).
fn read_xlsx(bytes: &[u8]) -> ApiResult<BTreeMap<String, Vec<Vec<String>>>> {
    let invalid = |m: String| ApiError::invalid_field("file", m);
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(format!("不是有效的 XLSX 文件：{e}")))?;
    let mut tables = BTreeMap::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| invalid(format!("无法读取工作表 {name}：{e}")))?;
        let offset = range.start().map_or(0, |(row, _)| row as usize);
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); offset];
        rows.extend(range.rows().map(|r| r.iter().map(cell_text).collect()));
        tables.insert(name, rows);
    }
    Ok(tables)
}

/// The library as it is stored (indicators parents first, rules by code).
async fn library(state: &AppState) -> ApiResult<(Vec<IndicatorDef>, Vec<AlertRule>)> {
    let indicators = state
        .store
        .indicators()
        .await?
        .iter()
        .map(definition_of)
        .collect::<ApiResult<Vec<_>>>()?;
    let rules = state
        .store
        .alert_rules()
        .await?
        .iter()
        .map(rule_of)
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((indicators, rules))
}

/// The indicator library and its warning rules as one XLSX: sheets 指标,
/// 预警规则, 预警级别 and 预警条件.
#[utoipa::path(get, path = "/indicator-workbook", tag = "evaluation",
    responses((status = 200, description = "XLSX file"), (status = 403, body = crate::error::ErrorBody)))]
pub async fn export_workbook(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.require(&state, READ).await?;
    let (indicators, rules) = library(&state).await?;
    let bytes = tokio::task::spawn_blocking(move || write_xlsx(&to_sheets(&indicators, &rules)))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(attachment("indicators.xlsx", XLSX_TYPE, Body::from(bytes)))
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(as = IndicatorImportCounts)]
pub struct ImportCounts {
    pub created: u64,
    /// Stored as a new version (the workbook differs).
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct WorkbookImport {
    pub indicators: ImportCounts,
    pub rules: ImportCounts,
}

fn count(counts: &mut ImportCounts, existing: bool) {
    if existing {
        counts.updated += 1;
    } else {
        counts.created += 1;
    }
}

/// Check every indicator of the workbook against the workbook and the library.
fn check_indicators(incoming: &[IndicatorDef], stored: &[IndicatorDef]) -> ApiResult<()> {
    let level_of = |code: &str| {
        incoming
            .iter()
            .chain(stored)
            .find(|d| d.code == code)
            .map(|d| d.level)
    };
    for (i, def) in incoming.iter().enumerate() {
        if incoming[..i].iter().any(|d| d.code == def.code) {
            return Err(ApiError::invalid_field(
                "file",
                format!("指标 第 {} 行：编码「{}」重复", i + 2, def.code),
            ));
        }
        let parent_level = def.parent_code.as_deref().and_then(level_of);
        def.validate(parent_level).map_err(|e| {
            ApiError::invalid_field(
                "file",
                format!("指标 第 {} 行（{}）：{}", i + 2, e.field, e.message),
            )
        })?;
    }
    Ok(())
}

/// Check every rule of the workbook: valid, on a level-3 indicator of the
/// workbook or the library.
fn check_rules(
    rules: &[AlertRule],
    incoming: &[IndicatorDef],
    stored: &[IndicatorDef],
) -> ApiResult<()> {
    for rule in rules {
        let problem =
            |m: String| ApiError::invalid_field("file", format!("预警规则「{}」：{m}", rule.code));
        rule.validate()
            .map_err(|e| problem(format!("{}：{}", e.field, e.message)))?;
        let indicator = incoming
            .iter()
            .chain(stored)
            .find(|d| d.code == rule.indicator);
        if indicator.is_none_or(|d| d.ratio().is_none()) {
            return Err(problem("指标须为指标库中的三级指标".to_string()));
        }
    }
    Ok(())
}

/// Import a workbook exported by `GET /indicator-workbook` (edited or not).
#[utoipa::path(post, path = "/indicator-workbook", tag = "evaluation",
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = WorkbookImport), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn import_workbook(
    State(state): State<AppState>,
    caller: Caller,
    ApiBytes(body): ApiBytes,
) -> ApiResult<Json<WorkbookImport>> {
    caller.require(&state, WRITE).await?;
    let tables = read_xlsx(&body)?;
    let (mut indicators, rules) =
        from_sheets(&tables).map_err(|e| ApiError::invalid_field("file", e.to_string()))?;
    let (stored, stored_rules) = library(&state).await?;
    check_indicators(&indicators, &stored)?;
    check_rules(&rules, &indicators, &stored)?;
    indicators.sort_by_key(|d| d.level);
    let mut report = WorkbookImport::default();
    let now = now_ms();
    let mut pending_rules = Vec::new();
    for rule in &rules {
        let current = stored_rules.iter().find(|r| r.code == rule.code);
        if current == Some(rule) {
            report.rules.unchanged += 1;
        } else {
            pending_rules.push((rule, current.is_some()));
        }
    }
    for def in &indicators {
        let current = stored.iter().find(|d| d.code == def.code);
        if current == Some(def) {
            report.indicators.unchanged += 1;
            continue;
        }
        let row = state.store.indicator(&def.code).await?;
        let audit = caller.audit(
            "indicator.import",
            "indicator",
            &def.code,
            serde_json::json!({ "name": def.name }),
        );
        let builtin = row.as_ref().is_some_and(|r| r.builtin);
        let read = row.as_ref().map(|r| r.version);
        state
            .store
            .save_indicator(&row_of(def, builtin, &caller.username, now)?, read, &audit)
            .await?
            .ok_or_else(|| {
                ApiError::conflict("evaluation.stale", "指标已被他人修改，请重新导入")
            })?;
        count(&mut report.indicators, read.is_some());
    }
    for (rule, existing) in pending_rules {
        let read = match existing {
            true => state.store.alert_rule(&rule.code).await?.map(|r| r.version),
            false => None,
        };
        let audit = caller.audit(
            "indicator_alert.import",
            "indicator_alert_rule",
            &rule.code,
            serde_json::json!({ "name": rule.name }),
        );
        state
            .store
            .save_alert_rule(&rule_row(rule, &caller.username, now)?, read, &audit)
            .await?
            .ok_or_else(|| {
                ApiError::conflict("evaluation.stale", "规则已被他人修改，请重新导入")
            })?;
        count(&mut report.rules, existing);
    }
    Ok(Json(report))
}
