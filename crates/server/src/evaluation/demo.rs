//! The demo's evaluation: an official run of the standard scheme for the
//! last complete quarter of the demo year, published, so 质效评价 opens on
//! real rankings, and a quarterly indicator warning rule in 指标预警.

use super::schemes::STANDARD_SCHEME;
use govpulse_core::evaluation::alerts::AlertRule;
use govpulse_core::evaluation::period::Period;

/// Run and publish the demo evaluation for the quarter before `until_ms`.
/// Returns (period, run id, archive id).
pub async fn publish_demo(
    store: &govpulse_store::Store,
    until_ms: i64,
) -> anyhow::Result<(Period, i64, i64)> {
    let day = chrono::DateTime::from_timestamp_millis(until_ms)
        .map(|t| {
            t.with_timezone(&govpulse_core::time::shanghai())
                .date_naive()
        })
        .ok_or_else(|| anyhow::anyhow!("demo end out of range"))?;
    let period = Period::last_complete_quarter(day);
    let record = |action: &str| {
        crate::seed::system_record(action, serde_json::json!({ "period": period.to_string() }))
    };
    let run_id = super::runs::execute(
        store,
        STANDARD_SCHEME,
        period,
        true,
        &record("evaluation.run"),
        "system",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let published = super::archive::publish(store, run_id, "system", &record("evaluation.publish"))
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    save_demo_alert_rule(store).await?;
    Ok((period, run_id, published.archive_id))
}

/// 按时办结率预警: each quarter, red below 85 %, yellow below 95 % or down
/// 5 % on the year. Its first run is the next quarter's start from now (not
/// from the demo's end, which may be past).
async fn save_demo_alert_rule(store: &govpulse_store::Store) -> anyhow::Result<()> {
    let rule: AlertRule = serde_json::from_value(serde_json::json!({
        "code": "on_time_quarterly", "name": "按时办结率季度预警", "indicator": "on_time_rate",
        "unit_level": "district", "period": "quarter", "schedule": "0 8 1 1,4,7,10 *", "state": "enabled",
        "description": "每季度首日 8:00 评估上一季度各区按时办结率",
        "levels": [
            {"level": "red", "name": "红色预警", "colour": "#F56C6C",
             "conditions": [{"measure": "value", "op": "lt", "threshold": 85}]},
            {"level": "yellow", "name": "黄色预警", "colour": "#E6A23C", "combine": "any",
             "conditions": [{"measure": "value", "op": "lt", "threshold": 95},
                            {"measure": "yoy", "op": "le", "threshold": -5}]}
        ]
    }))?;
    rule.validate()
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    let row = super::alerts::row_of(&rule, "system", govpulse_core::time::now_ms())
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let audit = crate::seed::system_record(
        "indicator_alert.create",
        serde_json::json!({ "code": rule.code }),
    );
    store.save_alert_rule(&row, None, &audit).await?;
    Ok(())
}
