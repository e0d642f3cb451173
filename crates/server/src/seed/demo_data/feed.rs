//! The demo's intake feed as a registered source (issue 14 item 6): 数据接入
//! 健康度 shows it on 对账统计, and its manifest for the load day declares a
//! batch of cases more than arrived, so the reconciliation shows one lost on
//! the way (缺 12).

use super::SOURCE;
use govpulse_store::aggregation::{Manifest, ReconciliationFilter, SourceRow};
use govpulse_store::Store;

/// Cases the demo's manifest declares beyond those received.
const LOST: i64 = 12;

pub(super) async fn register(store: &Store, now: i64) -> anyhow::Result<()> {
    if store.get_source(SOURCE).await?.is_none() {
        let row = SourceRow {
            code: SOURCE.to_string(),
            name: "演示数据接口".to_string(),
            kinds: r#"["consultations","cases","case-events","evaluations"]"#.to_string(),
            rules: r#"{"field_map":{},"required":[],"dictionaries":{}}"#.to_string(),
            enabled: true,
            updated_at: now,
        };
        let audit =
            crate::seed::system_record("source.create", serde_json::json!({ "code": SOURCE }));
        store.save_source(&row, true, &audit).await?;
    }
    let day = govpulse_core::time::to_rfc3339(now)[..10].to_string();
    let filter = ReconciliationFilter {
        from_day: Some(day.clone()),
        to_day: Some(day.clone()),
        source: Some(SOURCE.to_string()),
        kind: Some("cases".to_string()),
    };
    let received: i64 = store
        .reconciliation(&filter)
        .await?
        .iter()
        .map(|r| r.received)
        .sum();
    let manifest = Manifest {
        source: SOURCE.to_string(),
        kind: "cases".to_string(),
        day,
        count: received + LOST,
    };
    let audit =
        crate::seed::system_record("intake.manifests", serde_json::json!({ "source": SOURCE }));
    store.record_manifests(&[manifest], now, &audit).await?;
    Ok(())
}
