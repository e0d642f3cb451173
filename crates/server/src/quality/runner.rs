//! One quality run: the period cut into time slices that readers take in
//! turn, each slice read a keyset page at a time (each case with its stage
//! events, the page as one row), each case through the check library; the
//! failures go to one writer that records them in batches.
//!
//! Memory is constant in the number of cases: a page per reader, the pages
//! waiting for the writer (a bounded channel), one batch of failures, the
//! item versions seen and the counts per code and district.

use crate::state::AppState;
use govpulse_core::quality::{check_case_with, CaseFacts, Event, ItemVersion};
use govpulse_store::org::OrgScope;
use govpulse_store::quality::{FailureRow, QualityCase, DONE, FAILED, RUNNING};
use govpulse_store::{Store, StoreResult};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Cases per page: one statement each.
const PAGE: i64 = 5000;
/// Most readers at once: half of SQLite's read connections, so requests
/// still find one while a run goes on.
const MAX_READERS: usize = 4;
/// Time slices per reader: a reader done with its slice takes the next, so
/// a busy stretch of the period does not leave the other readers idle.
const SLICES_PER_READER: usize = 8;
/// The writer commits once this many cases were checked since its last
/// commit (each commit an fsync on SQLite) …
const WRITE_EVERY_CASES: i64 = 50_000;
/// … or this many failures wait (bounds the batch whatever the failure rate).
const WRITE_EVERY_FAILURES: usize = 5_000;

/// What a run checks.
pub struct Job {
    pub id: i64,
    pub scope: OrgScope,
    pub region_range: Option<(String, String)>,
    pub period: (i64, i64),
}

/// Run `job` to its end, recording the outcome on the run.
pub async fn run_now(state: &AppState, job: Job) {
    let id = job.id;
    let outcome = async {
        state
            .store
            .update_quality_run(id, RUNNING, None, None)
            .await?;
        check_all(state, id, Arc::new(job.into())).await
    }
    .await;
    let finished = match outcome {
        Ok(counts) => {
            let by_region: Vec<(String, String, u64)> = counts
                .by_region
                .into_iter()
                .map(|((region, code), n)| (region, code, n))
                .collect();
            let totals = (
                serde_json::to_string(&counts.by_code).unwrap_or_default(),
                serde_json::to_string(&by_region).unwrap_or_default(),
            );
            state
                .store
                .update_quality_run(id, DONE, Some((&totals.0, &totals.1)), None)
                .await
        }
        Err(err) => {
            tracing::warn!(run = id, error = %err, "quality run failed");
            state
                .store
                .update_quality_run(id, FAILED, None, Some(&err.to_string()))
                .await
        }
    };
    if let Err(err) = finished {
        tracing::warn!(run = id, error = %err, "quality run state not saved");
    }
}

/// Failing cases per code, and per (district, code).
#[derive(Default)]
struct Counts {
    by_code: BTreeMap<String, u64>,
    by_region: BTreeMap<(String, String), u64>,
}

/// The part of a job its readers share: the slices and which is next.
struct Slices {
    scope: OrgScope,
    region_range: Option<(String, String)>,
    period: (i64, i64),
    count: usize,
    next: AtomicUsize,
}

impl From<Job> for Slices {
    fn from(job: Job) -> Self {
        let (from, to) = job.period;
        let span = usize::try_from(to.saturating_sub(from)).unwrap_or(usize::MAX);
        Self {
            scope: job.scope,
            region_range: job.region_range,
            period: job.period,
            count: (readers() * SLICES_PER_READER).clamp(1, span.max(1)),
            next: AtomicUsize::new(0),
        }
    }
}

impl Slices {
    /// The next slice `[from, to)` nobody has taken, if any: equal spans of
    /// the period, so every case falls in exactly one.
    fn take(&self) -> Option<(i64, i64)> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.count {
            return None;
        }
        let (from, to) = (i128::from(self.period.0), i128::from(self.period.1));
        let bound = |i: usize| from + (to - from) * i as i128 / self.count as i128;
        // Within [from, to], so the conversions cannot fail.
        let (start, end) = (bound(i), bound(i + 1));
        Some((
            i64::try_from(start).unwrap_or(self.period.0),
            i64::try_from(end).unwrap_or(self.period.1),
        ))
    }
}

/// Readers at once: one per core and one more, at most [`MAX_READERS`].
/// Each SQLite connection runs its statements on a thread of its own, and
/// a reader leaves its thread idle while it checks a page: the extra reader
/// keeps the cores busy meanwhile (2 cores: 5.1–5.5 s for 1,000,000 cases
/// with 3 readers, 5.5–6.6 s with 2).
fn readers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get() + 1)
        .clamp(1, MAX_READERS)
}

/// One page checked: how many cases, and their failures.
struct Checked {
    cases: i64,
    failures: Vec<FailureRow>,
}

async fn check_all(state: &AppState, run: i64, slices: Arc<Slices>) -> anyhow::Result<Counts> {
    let store = &state.store;
    // The code list in force when the run starts.
    let modes = Arc::new(super::code_lists::handling_modes(store).await?);
    let readers = readers();
    let (sender, mut pages) = mpsc::channel(2 * readers);
    // Dropping the set (the run stopped, or failed here) aborts the readers.
    let mut tasks = JoinSet::new();
    for _ in 0..readers {
        let (store, slices, modes, sender) =
            (store.clone(), slices.clone(), modes.clone(), sender.clone());
        tasks.spawn(async move {
            if let Err(err) = read_slices(&store, &slices, &modes, &sender).await {
                let _ = sender.send(Err(err)).await;
            }
        });
    }
    drop(sender);
    let mut counts = Counts::default();
    let mut batch = Checked {
        cases: 0,
        failures: Vec::new(),
    };
    // Ends when every reader has finished (and dropped its sender).
    while let Some(page) = pages.recv().await {
        let page = page?;
        for f in &page.failures {
            *counts.by_code.entry(f.code.clone()).or_default() += 1;
            *counts
                .by_region
                .entry((f.district_code.clone(), f.code.clone()))
                .or_default() += 1;
        }
        batch.cases += page.cases;
        batch.failures.extend(page.failures);
        if batch.cases >= WRITE_EVERY_CASES || batch.failures.len() >= WRITE_EVERY_FAILURES {
            store
                .record_quality_page(run, batch.cases, &batch.failures)
                .await?;
            batch.cases = 0;
            batch.failures.clear();
        }
    }
    // A reader that panicked sent nothing more: its cases were not checked.
    while let Some(reader) = tasks.join_next().await {
        reader.map_err(|err| anyhow::anyhow!("a reader of the run stopped: {err}"))?;
    }
    if batch.cases > 0 {
        store
            .record_quality_page(run, batch.cases, &batch.failures)
            .await?;
    }
    Ok(counts)
}

/// Check the slices this reader takes, a page at a time, handing each
/// page's outcome to the writer.
async fn read_slices(
    store: &Store,
    slices: &Slices,
    modes: &[String],
    pages: &mpsc::Sender<StoreResult<Checked>>,
) -> StoreResult<()> {
    let modes: Vec<&str> = modes.iter().map(String::as_str).collect();
    let mut versions: HashMap<String, Vec<ItemVersion>> = HashMap::new();
    while let Some(slice) = slices.take() {
        let mut after: Option<(i64, String)> = None;
        loop {
            let page = store
                .quality_page(
                    &slices.scope,
                    &slices.region_range,
                    slice,
                    after.as_ref(),
                    PAGE,
                )
                .await?;
            let cases = page.cases()?;
            let Some(last) = cases.last() else { break };
            after = Some((last.submitted_at, last.case_code.to_string()));
            load_versions(store, &cases, &mut versions).await?;
            let checked = Checked {
                cases: cases.len() as i64,
                failures: check_page(&cases, &versions, &modes),
            };
            if pages.send(Ok(checked)).await.is_err() {
                // The writer has stopped: the run failed.
                return Ok(());
            }
            if (cases.len() as i64) < PAGE {
                break;
            }
        }
    }
    Ok(())
}

/// Add the versions of the page's items not seen yet.
async fn load_versions(
    store: &Store,
    cases: &[QualityCase<'_>],
    versions: &mut HashMap<String, Vec<ItemVersion>>,
) -> StoreResult<()> {
    let mut unseen: Vec<&str> = cases
        .iter()
        .map(|c| c.item_code.as_ref())
        .filter(|code| !versions.contains_key(*code))
        .collect();
    if unseen.is_empty() {
        return Ok(());
    }
    unseen.sort_unstable();
    unseen.dedup();
    for v in store.versions_of_items(&unseen).await? {
        versions.entry(v.item_code).or_default().push(ItemVersion {
            version: v.version,
            valid_from: v.valid_from,
            valid_to: v.valid_to,
            promised_limit: v.promised_limit,
        });
    }
    Ok(())
}

/// The failures of a page's cases.
fn check_page(
    cases: &[QualityCase<'_>],
    versions: &HashMap<String, Vec<ItemVersion>>,
    modes: &[&str],
) -> Vec<FailureRow> {
    let mut failures = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for case in cases {
        events.clear();
        events.extend(case.events());
        let facts = CaseFacts {
            submitted_at: case.submitted_at,
            applicant_name: &case.applicant_name,
            handling_mode: case.handling_mode.as_deref(),
            item_version: case.item_version,
            versions: versions
                .get(case.item_code.as_ref())
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            events: &events,
        };
        failures.extend(
            check_case_with(&facts, modes)
                .into_iter()
                .map(|failure| FailureRow {
                    case_code: case.case_code.to_string(),
                    code: failure.code.to_string(),
                    district_code: case.district_code.to_string(),
                    region_code: case.region_code.to_string(),
                    department_code: case.department_code.to_string(),
                    submitted_at: case.submitted_at,
                    reason: failure.reason,
                }),
        );
    }
    failures
}
