//! One quality run: the period's cases a keyset page at a time, each with its
//! stage events in the same row (constant memory: a page, the item versions
//! seen, the counts per code and district), each through the check library,
//! failures written per page.

use crate::state::AppState;
use govpulse_core::quality::{check_case_with, CaseFacts, ItemVersion};
use govpulse_store::org::OrgScope;
use govpulse_store::quality::{FailureRow, DONE, FAILED, RUNNING};
use govpulse_store::StoreResult;
use std::collections::{BTreeMap, HashMap};

/// Cases per page: one read, one write transaction (and its fsync) each.
const PAGE: i64 = 5000;

/// What a run checks.
pub struct Job {
    pub id: i64,
    pub scope: OrgScope,
    pub region_range: Option<(String, String)>,
    pub period: (i64, i64),
}

/// Run `job` to its end, recording the outcome on the run.
pub async fn run_now(state: &AppState, job: Job) {
    let outcome = async {
        state
            .store
            .update_quality_run(job.id, RUNNING, None, None)
            .await?;
        check_all(state, &job).await
    }
    .await;
    let finished = match outcome {
        Ok((by_code, by_region)) => {
            let by_region: Vec<(String, String, u64)> = by_region
                .into_iter()
                .map(|((region, code), n)| (region, code.to_string(), n))
                .collect();
            let totals = (
                serde_json::to_string(&by_code).unwrap_or_default(),
                serde_json::to_string(&by_region).unwrap_or_default(),
            );
            state
                .store
                .update_quality_run(job.id, DONE, Some((&totals.0, &totals.1)), None)
                .await
        }
        Err(err) => {
            tracing::warn!(run = job.id, error = %err, "quality run failed");
            state
                .store
                .update_quality_run(job.id, FAILED, None, Some(&err.to_string()))
                .await
        }
    };
    if let Err(err) = finished {
        tracing::warn!(run = job.id, error = %err, "quality run state not saved");
    }
}

type Counts = (
    BTreeMap<&'static str, u64>,
    BTreeMap<(String, &'static str), u64>,
);

async fn check_all(state: &AppState, job: &Job) -> StoreResult<Counts> {
    let store = &state.store;
    let mut by_code: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut by_region: BTreeMap<(String, &'static str), u64> = BTreeMap::new();
    let mut versions: HashMap<String, Vec<ItemVersion>> = HashMap::new();
    let mut after: Option<(i64, String)> = None;
    // The code list in force when the run starts.
    let modes = super::code_lists::handling_modes(store).await?;
    let modes: Vec<&str> = modes.iter().map(String::as_str).collect();
    loop {
        let cases = store
            .quality_cases(
                &job.scope,
                &job.region_range,
                job.period,
                after.as_ref(),
                PAGE,
            )
            .await?;
        let Some(last) = cases.last() else { break };
        after = Some((last.submitted_at, last.case_code.clone()));
        let unseen: Vec<&str> = {
            let mut codes: Vec<&str> = cases
                .iter()
                .map(|c| c.item_code.as_str())
                .filter(|code| !versions.contains_key(*code))
                .collect();
            codes.sort_unstable();
            codes.dedup();
            codes
        };
        for v in store.versions_of_items(&unseen).await? {
            versions.entry(v.item_code).or_default().push(ItemVersion {
                version: v.version,
                valid_from: v.valid_from,
                valid_to: v.valid_to,
                promised_limit: v.promised_limit,
            });
        }
        let mut failures = Vec::new();
        for case in &cases {
            let case_events = case.events();
            let facts = CaseFacts {
                submitted_at: case.submitted_at,
                applicant_name: &case.applicant_name,
                handling_mode: case.handling_mode.as_deref(),
                item_version: case.item_version,
                versions: versions
                    .get(&case.item_code)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                events: &case_events,
            };
            for failure in check_case_with(&facts, &modes) {
                *by_code.entry(failure.code).or_default() += 1;
                *by_region
                    .entry((case.district_code.clone(), failure.code))
                    .or_default() += 1;
                failures.push(FailureRow {
                    case_code: case.case_code.clone(),
                    code: failure.code.to_string(),
                    district_code: case.district_code.clone(),
                    region_code: case.region_code.clone(),
                    department_code: case.department_code.clone(),
                    submitted_at: case.submitted_at,
                    reason: failure.reason,
                });
            }
        }
        store
            .record_quality_page(job.id, cases.len() as i64, &failures)
            .await?;
        if (cases.len() as i64) < PAGE {
            break;
        }
    }
    Ok((by_code, by_region))
}
