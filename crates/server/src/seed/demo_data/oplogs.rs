//! The demo's business-system operation logs (QC-3): the approval system's
//! log of the first showcase district's cases of the last 30 days, mirroring
//! their stage events with a 分办 step, and four deliberately wrong logs — one
//! per anomaly code — so an operation-log check on the demo finds each
//! (docs/api-quality.md).

use super::{DAY_MS, HOUR_MS};
use govpulse_core::region::subtree_range;
use govpulse_store::oplogs::OperationRow;
use govpulse_store::org::OrgScope;
use govpulse_store::Store;
use std::collections::BTreeMap;

/// Cases whose operations the demo logs.
const LOGGED_CASES: i64 = 60;

pub(super) async fn register(store: &Store, district: &str, until: i64) -> anyhow::Result<()> {
    let range = Some(subtree_range(district));
    let period = (until - 30 * DAY_MS, until);
    let page = store
        .quality_page(&OrgScope::default(), &range, period, None, LOGGED_CASES)
        .await?;
    let cases = page.cases()?;
    let codes: Vec<&str> = cases.iter().map(|c| c.case_code.as_ref()).collect();
    let mut events: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for (case, kind, at, _) in store.events_of_cases(&codes).await? {
        events.entry(case).or_default().push((kind, at));
    }
    let mut rows = Vec::new();
    let mut planted = 0;
    for (n, (case, stages)) in events.iter().enumerate() {
        let at_of = |kind: &str| stages.iter().find(|(k, _)| k == kind).map(|(_, at)| *at);
        let mut log: Vec<(String, i64)> = stages
            .iter()
            .filter(|(kind, _)| kind != "submitted")
            .cloned()
            .collect();
        if let Some(accepted) = at_of("accepted") {
            log.push(("assigned".into(), accepted + HOUR_MS));
        }
        if let (Some(accepted), Some(completed)) = (at_of("accepted"), at_of("completed")) {
            let fault = match planted {
                0 => Some(("completed", None)),
                1 => Some(("盖章", Some(accepted + 2 * HOUR_MS))),
                2 => Some(("transferred", Some(completed + DAY_MS))),
                3 => Some(("completed", Some(accepted - HOUR_MS))),
                _ => None,
            };
            if let Some((action, at)) = fault {
                // 0: the completion is missing; 3: logged before the acceptance.
                log.retain(|(kind, _)| !(planted % 3 == 0 && kind == action));
                if let Some(at) = at {
                    log.push((action.into(), at));
                }
                planted += 1;
            }
        }
        rows.extend(log.into_iter().map(|(action, at)| OperationRow {
            source: "审批系统".into(),
            case_code: case.clone(),
            action,
            operator: format!("窗口{:02}", n % 8 + 1),
            at,
            note: None,
        }));
    }
    if !rows.is_empty() {
        let audit = crate::seed::system_record(
            "intake.operation_logs",
            serde_json::json!({ "operations": rows.len(), "demo": true }),
        );
        store
            .record_operations(&rows, govpulse_core::time::now_ms(), &audit)
            .await?;
    }
    Ok(())
}
