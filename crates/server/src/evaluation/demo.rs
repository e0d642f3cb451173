//! The demo's evaluation: an official run of the standard scheme for the
//! last complete quarter of the demo year, published, so 质效评价 opens on
//! real rankings.

use super::schemes::STANDARD_SCHEME;
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
    Ok((period, run_id, published.archive_id))
}
