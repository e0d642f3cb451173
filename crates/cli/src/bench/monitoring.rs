//! `govpulse bench monitoring`: the evaluator's costs on N open cases —
//! the catch-up pass over all of them, one deadline pass at the next threshold
//! instant, an empty pass, event → warning latency through the intake pipeline
//! with the scheduler running, and a simulation over the same history.
//! Prints Markdown rows for BENCHMARKS.md.

use anyhow::Context;
use govpulse_core::monitoring::builtin::builtin_rules;
use govpulse_core::time::now_ms;
use govpulse_server::aggregation::pipeline::Pipeline;
use govpulse_server::aggregation::vault::IdentityVault;
use govpulse_server::monitoring::engine::Monitor;
use govpulse_server::monitoring::simulate::{self, Period};
use govpulse_store::org::OrgScope;
use govpulse_store::Store;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const DAY_MS: i64 = 86_400_000;
const ITEM: &str = "BENCH-ITEM";

/// Peak resident memory of this process (kB), from /proc.
fn peak_rss_kb() -> u64 {
    super::status_kb("VmHWM:")
}

/// `open` accepted, unfinished cases of a 10-working-day item, accepted over the
/// last 20 calendar days (so yellow, red and quiet ones all occur).
async fn synthetic_cases(store: &Store, open: u64, now: i64) -> anyhow::Result<()> {
    store
        .execute_admin(&format!(
            "INSERT INTO items (item_code, version, is_current, basic_code, name, item_type_code, exercise_level,
                department_code, department_name, region_code, legal_limit, promised_limit, limit_unit, case_type_code,
                handling_modes, materials, elements, content_hash, valid_from, valid_to, created_at)
             VALUES ('{ITEM}', 1, TRUE, 'BENCH', '基准测试事项', '01', NULL, '110105D001', NULL, '110105', 20, 10,
                'working', 2, '[]', '[]', '[]', 'bench', 0, NULL, 0)"
        ))
        .await?;
    let spread = 20 * DAY_MS;
    store
        .execute_admin(&format!(
            "INSERT INTO cases (case_code, district_code, region_code, department_code, item_code, item_version,
                applicant_type, applicant_key, applicant_enc, applicant_masked, applicant_name, channel, submitted_at,
                status, accepted_at, source, content_hash, received_at)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {open})
             SELECT 'BM' || i, '110105', '110105', '110105D001', '{ITEM}', 1, 'person', 'k' || i, '', '', '', 'online',
                {now} - 3600000 - (CAST(i AS BIGINT) * 102320233) % {spread}, 'accepted', {now} - (CAST(i AS BIGINT) * 102320233) % {spread}, 'bench', 'bench', {now}
             FROM n"
        ))
        .await?;
    store
        .execute_admin(&format!(
            "INSERT INTO case_events (case_code, seq, district_code, kind, at, special_kind, operator, note,
                out_of_order, source, content_hash, received_at)
             SELECT case_code, 1, district_code, 'accepted', accepted_at, NULL, NULL, NULL, FALSE, 'bench', 'bench', {now}
             FROM cases WHERE source = 'bench'"
        ))
        .await?;
    store.analyze().await?;
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Event → warning: a case already past its acceptance deadline goes in through
/// the pipeline while the scheduler runs; time until its warning is stored.
async fn latency(
    store: &Store,
    vault: &IdentityVault,
    monitor: &Arc<Monitor>,
    trials: usize,
) -> anyhow::Result<Vec<f64>> {
    let pipeline = Pipeline {
        store,
        vault,
        link_window_ms: 30 * DAY_MS,
        audit: None,
    };
    let mut samples = Vec::with_capacity(trials);
    let rules = govpulse_core::aggregation::rules::CollectionRules::default();
    for trial in 0..trials {
        let code = format!("LAT{trial:06}");
        let record = json!({
            "case_code": code, "item_code": ITEM, "applicant_type": "person",
            "applicant_id": "11010519491231002X", "applicant_name": "测试", "region_code": "110105",
            "department_code": "110105D001", "channel": "online",
            "submitted_at": govpulse_core::time::to_rfc3339(now_ms() - 12 * DAY_MS),
        });
        let Some(map) = record.as_object().cloned() else {
            continue;
        };
        let started = Instant::now();
        pipeline
            .run(
                govpulse_core::aggregation::Kind::Cases,
                "bench",
                &rules,
                vec![(1, Ok(map))],
                now_ms(),
            )
            .await?;
        monitor.wake();
        let filter = govpulse_store::monitoring::WarningFilter {
            case_code: Some(code.clone()),
            ..Default::default()
        };
        loop {
            if store
                .list_warnings(
                    &OrgScope::default(),
                    &filter,
                    &govpulse_store::list::ListRequest::first(
                        &govpulse_store::monitoring::WARNING_LIST,
                        1,
                    ),
                )
                .await?
                .total
                > 0
            {
                break;
            }
            anyhow::ensure!(
                started.elapsed().as_secs() < 30,
                "no warning for {code} after 30 s"
            );
            tokio::time::sleep(std::time::Duration::from_micros(200)).await;
        }
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples)
}

pub async fn monitoring(store: &Store, vault: &IdentityVault, open: u64) -> anyhow::Result<()> {
    govpulse_server::seed::builtin_seed(store).await?;
    govpulse_server::seed::organisation_seed(store, &govpulse_server::seed::city::BEIJING).await?;
    anyhow::ensure!(
        store.count_cases().await? == 0,
        "bench monitoring needs an empty database"
    );
    let now = now_ms();
    let started = Instant::now();
    synthetic_cases(store, open, now)
        .await
        .context("synthetic cases")?;
    let load_s = started.elapsed().as_secs_f64();
    let monitor = Arc::new(Monitor::default());
    monitor.reload(store).await?;

    store.mark_open_subjects_due().await?;
    let started = Instant::now();
    let catch_up = monitor.run_due(store, now).await?;
    let catch_up_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let empty = monitor.run_due(store, now).await?;
    let empty_ms = started.elapsed().as_secs_f64() * 1000.0;

    let next = store.next_due_at().await?.unwrap_or(now);
    let started = Instant::now();
    let pass = monitor.run_due(store, next).await?;
    let pass_s = started.elapsed().as_secs_f64();

    let draft = builtin_rules()
        .into_iter()
        .find(|r| r.code == "approval_overdue")
        .context("approval_overdue")?
        .compile(0)
        .map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let draft = Arc::new(draft);
    let started = Instant::now();
    let period = Period {
        from: now - 30 * DAY_MS,
        to: now,
        horizon: now,
    };
    let simulated = simulate::run(
        store,
        monitor.calendar(),
        draft.clone(),
        Some(draft),
        &OrgScope::default(),
        period,
    )
    .await?;
    let simulate_s = started.elapsed().as_secs_f64();

    // Runs until the bench ends (nothing drains it).
    monitor.clone().spawn(store.clone(), Default::default());
    let samples = latency(store, vault, &monitor, 200).await?;

    println!("| open cases | load (SQL) | catch-up pass: subjects, s, subjects/s | warnings raised | empty pass | next deadline pass: due subjects, s | simulation: cases, s, cases/s | event → warning p50 / p99 | peak RSS |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {open} | {load_s:.1} s | {}, {catch_up_s:.1} s, {:.0}/s | {} | {empty_ms:.1} ms ({} due) | {}, {pass_s:.2} s | {}, {simulate_s:.1} s, {:.0}/s | {:.1} ms / {:.1} ms | {} MB |",
        catch_up.subjects,
        catch_up.subjects as f64 / catch_up_s.max(1e-9),
        catch_up.raised,
        empty.subjects,
        pass.subjects,
        simulated.cases,
        simulated.cases as f64 / simulate_s.max(1e-9),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        peak_rss_kb() / 1024,
    );
    Ok(())
}
