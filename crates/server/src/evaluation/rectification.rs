//! Rectification orders (APL-3): the preset rule run when a result is
//! published — every unit with a scored indicator below
//! [`RECTIFY_BELOW`] gets one 整改工单 naming those indicators, pushed to the
//! unit (a department as its responsible unit, a district to its operators).
//! One order per (archive, unit): publishing cannot repeat, and the order's
//! source key refuses a second one anyway.

use super::runs::LoadedRun;
use crate::workorders::{order_type, Opening};
use govpulse_core::evaluation::scoring::UnitLevel;
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::time::now_ms;
use govpulse_core::workorders::types::RECTIFICATION;
use govpulse_store::Store;
use serde_json::{json, Map, Value};

/// An indicator score below this opens a rectification order.
pub const RECTIFY_BELOW: f64 = 60.0;

/// Open the rectification orders of a published run; returns their codes.
pub async fn open_for(
    store: &Store,
    run: &LoadedRun,
    archive_id: i64,
) -> anyhow::Result<Vec<String>> {
    let order_type = order_type(RECTIFICATION).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let calendar = crate::monitoring::calendar::effective_calendar(store)
        .await
        .unwrap_or_else(|_| WorkCalendar::bundled());
    let now = now_ms();
    let mut orders = Vec::new();
    for result in &run.results {
        let low: Vec<Value> = result
            .indicators
            .iter()
            .filter(|s| s.level == 3 && s.value.is_some() && s.score < RECTIFY_BELOW)
            .map(|s| json!({ "code": s.code, "name": s.name, "value": s.value, "score": s.score }))
            .collect();
        if low.is_empty() {
            continue;
        }
        let region = run
            .regions
            .get(&result.unit_code)
            .cloned()
            .unwrap_or_default();
        let department = match run.level {
            UnitLevel::District => String::new(),
            UnitLevel::CityDepartment | UnitLevel::DistrictDepartment => result.unit_code.clone(),
        };
        let names: Vec<&str> = low.iter().filter_map(|l| l["name"].as_str()).collect();
        let mut data = Map::new();
        data.insert("archive_id".into(), json!(archive_id));
        data.insert("run_id".into(), json!(run.row.id));
        data.insert("period".into(), json!(run.row.period));
        data.insert("unit_code".into(), json!(result.unit_code));
        data.insert("indicators".into(), Value::Array(low.clone()));
        let opening = Opening {
            order_type,
            code_prefix: "ZG",
            title: format!(
                "整改：{} {} {}",
                result.unit_name,
                run.row.period,
                names.join("、")
            ),
            subject: ("evaluation_archive", archive_id.to_string()),
            source_key: format!("evaluation:{archive_id}:{}", result.unit_code),
            region_code: region,
            department_code: department,
            data,
            created_by: ("system", "系统"),
            comment: Some(format!(
                "评价指标得分低于 {RECTIFY_BELOW} 分：{}",
                names.join("、")
            )),
        };
        orders.push(opening.into_new(&calendar, now));
    }
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let audit = crate::seed::system_record(
        "rectification.open",
        json!({ "archive_id": archive_id, "orders": orders.len() }),
    );
    Ok(store
        .create_work_orders(&orders, &audit, now)
        .await?
        .into_iter()
        .flatten()
        .collect())
}
