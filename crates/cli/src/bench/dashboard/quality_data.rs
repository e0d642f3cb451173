//! Data for `bench evaluation`: the dashboard's cases, consultations and
//! warnings ([`super::data`]) and the list benchmark's evaluations
//! ([`super::list_data`]), plus what the indicators and the quality checks
//! read beyond them — an `accepted` and a `completed` stage event per case,
//! a second version of one item in fifty — and a few deliberately bad
//! records so a quality run has failures to find. All set-based SQL in
//! chunks by submission time.

use anyhow::Context;
use govpulse_core::time::now_ms;
use govpulse_store::dashboard::local_day;
use govpulse_store::Store;
use std::time::Instant;

use super::data::generate;
use super::direct::Direct;
use super::list_data::{evaluations, hash, submission_chunks};
use super::{Report, DAYS, DAY_MS};

/// The first day of the data generated at `now` (the `DAYS` days before
/// today's): the period's start of a run over an earlier generated database.
pub(crate) fn first_day(now: i64) -> i64 {
    local_day(now) - DAYS
}

/// Bad records, one in `BAD` cases each (by a hash of the case number, each
/// kind on its own residue): a placeholder applicant name, a handling mode
/// outside the code list, an acceptance before submission, a completion
/// before acceptance, a completed case without an acceptance event.
const BAD: i64 = 1_000;
/// Items `j % ITEM_REVISED == 7` get a version 2 (shorter promised limit) in
/// force from the middle of the year; their cases stay pinned to version 1,
/// so those accepted later fail `item.not_in_force` and `item.limit_changed`.
const ITEM_REVISED: i64 = 50;

/// What was generated, for the report.
#[derive(Default)]
pub(crate) struct Generated {
    pub(crate) cases: i64,
    pub(crate) events: i64,
    pub(crate) evaluations: i64,
    pub(crate) warnings: i64,
    pub(crate) revised_items: i64,
    pub(crate) generate_s: f64,
    pub(crate) analyze_s: f64,
    pub(crate) database_mb: f64,
    /// The first local day of the data (it ends yesterday).
    pub(crate) first_day: i64,
}

/// The case number's hash, from its code (`BC{n}`).
fn case_hash(alias: &str) -> String {
    hash(
        &format!("CAST(substr({alias}.case_code, 3) AS BIGINT)"),
        2_246_822_519,
    )
}

/// `kind`'s event (seq 1 accepted, 2 completed) for the cases submitted in `[lo, hi)`.
fn events_sql(kind: &str, lo: i64, hi: i64, now: i64) -> String {
    let h = case_hash("c");
    let (seq, at, only) = match kind {
        "accepted" => (
            1,
            format!(
                "CASE WHEN {h} % {BAD} = 3 THEN c.submitted_at - 3600000 ELSE c.accepted_at END"
            ),
            format!("c.accepted_at IS NOT NULL AND {h} % {BAD} <> 5"),
        ),
        _ => (
            2,
            format!("CASE WHEN {h} % {BAD} = 4 THEN c.accepted_at - 60000 ELSE c.completed_at END"),
            "c.completed_at IS NOT NULL".to_string(),
        ),
    };
    format!(
        "INSERT INTO case_events (case_code, seq, district_code, kind, at, special_kind, operator, note,
            out_of_order, source, content_hash, received_at)
         SELECT c.case_code, {seq}, c.district_code, '{kind}', {at}, NULL, NULL, NULL, FALSE, 'bench', 'bench', {now}
         FROM cases c
         WHERE c.submitted_at >= {lo} AND c.submitted_at < {hi} AND {only}"
    )
}

/// Placeholder names and unknown handling modes among the cases of `[lo, hi)`.
fn bad_cases_sql(lo: i64, hi: i64) -> String {
    let h = case_hash("cases");
    format!(
        "UPDATE cases SET
            applicant_name = CASE WHEN {h} % {BAD} = 1 THEN '测试' ELSE applicant_name END,
            handling_mode = CASE WHEN {h} % {BAD} = 2 THEN 'X9' ELSE handling_mode END
         WHERE submitted_at >= {lo} AND submitted_at < {hi} AND {h} % {BAD} IN (1, 2)"
    )
}

/// Version 2 of one item in `ITEM_REVISED`, in force from `from`.
fn revised_items_sql(from: i64, now: i64) -> String {
    let revised = format!(
        "item_code LIKE 'BD%' AND CAST(substr(item_code, 10) AS INTEGER) % {ITEM_REVISED} = 7"
    );
    format!(
        "UPDATE items SET is_current = FALSE, valid_to = {from} WHERE version = 1 AND {revised};
         INSERT INTO items (item_code, version, is_current, basic_code, name, item_type_code, exercise_level,
            department_code, department_name, region_code, legal_limit, promised_limit, limit_unit, case_type_code,
            handling_modes, materials, elements, content_hash, valid_from, valid_to, created_at)
         SELECT item_code, 2, TRUE, basic_code, name, item_type_code, exercise_level, department_code,
            department_name, region_code, legal_limit, promised_limit - 2, limit_unit, case_type_code,
            handling_modes, materials, elements, 'bench-v2', {from}, NULL, {now}
         FROM items WHERE version = 1 AND {revised}"
    )
}

/// N cases over the 365 days before today with everything above, on an
/// empty database with the organisation and demo accounts seeded.
pub(crate) async fn generate_for_evaluation(
    store: &Store,
    database_url: &str,
    n: i64,
) -> anyhow::Result<Generated> {
    let direct = Direct::connect(database_url).await?;
    let mut report = Report::default();
    generate(store, &direct, n, &mut report).await?;
    let started = Instant::now();
    evaluations(store, &direct, n).await?;
    let now = now_ms();
    let (first, last, step) = submission_chunks(&direct, n).await?;
    let mut lo = first;
    while lo <= last {
        for kind in ["accepted", "completed"] {
            store
                .execute_admin(&events_sql(kind, lo, lo + step, now))
                .await
                .context("case events")?;
        }
        store
            .execute_admin(&bad_cases_sql(lo, lo + step))
            .await
            .context("bad records")?;
        eprintln!(
            "events and bad records: {:.0} % ({:.0} s)",
            ((lo + step - first) as f64 / (last - first + 1) as f64 * 100.0).min(100.0),
            started.elapsed().as_secs_f64()
        );
        lo += step;
    }
    let first_day = first_day(now);
    let middle = (first_day + DAYS / 2) * DAY_MS;
    store
        .execute_admin(&revised_items_sql(middle, now))
        .await
        .context("item versions")?;
    let generate_s = report.generate_s + started.elapsed().as_secs_f64();
    let started = Instant::now();
    store.analyze().await?;
    let generated = Generated {
        cases: direct.int("SELECT COUNT(*) FROM cases").await?,
        events: direct.int("SELECT COUNT(*) FROM case_events").await?,
        evaluations: direct.int("SELECT COUNT(*) FROM evaluations").await?,
        warnings: report.warnings,
        revised_items: direct
            .int("SELECT COUNT(*) FROM items WHERE version = 2")
            .await?,
        generate_s,
        analyze_s: report.analyze_s + started.elapsed().as_secs_f64(),
        database_mb: direct.size_mb().await?,
        first_day,
    };
    direct.close().await;
    Ok(generated)
}
