//! Rows for the lists the dashboard data leaves empty or tiny, so every list
//! of issue 10 is read over data: evaluations of half the completed cases,
//! N/4 audit entries over the year, ≈ 2,000 department users, 1,200 export
//! jobs for each of `city` and `chaoyang` (the last 6 days; jobs are kept 7)
//! a year of reconciliation counts for four sources, and one work order per
//! case (the workbench, issue 12). Set-based SQL after the dashboard phases,
//! so their figures do not change.

use anyhow::Context;
use govpulse_core::time::now_ms;
use govpulse_store::dashboard::local_day;
use govpulse_store::{exports, Store};
use std::time::Instant;

use super::data::{choice, series};
use super::direct::Direct;
use super::{date, CHUNK, DAYS, DAY_MS};

pub(super) const AUDIT_ACTORS: [&str; 8] = [
    "admin", "secadmin", "auditor", "city", "chaoyang", "haidian", "dept", "system",
];
/// Actions (auth.login four times as often) and the object type of each.
pub(super) const AUDIT_ACTIONS: [&str; 10] = [
    "auth.login",
    "auth.login",
    "auth.login",
    "auth.login",
    "auth.logout",
    "identity.reveal",
    "export.create",
    "export.download",
    "user.update",
    "warning.handle",
];
pub(super) const AUDIT_OBJECTS: [&str; 10] = [
    "user",
    "user",
    "user",
    "user",
    "user",
    "case",
    "export_job",
    "export_job",
    "user",
    "warning",
];
/// Reconciliation sources (not registered sources: only their counts exist).
pub(super) const SOURCES: [&str; 4] =
    ["bench-hall", "bench-app", "bench-hotline", "bench-province"];
const KINDS: [&str; 5] = [
    "items",
    "consultations",
    "cases",
    "case-events",
    "evaluations",
];
const USERS_PER_DEPARTMENT: i64 = 8;
const EXPORT_JOBS_PER_USER: i64 = 1_200;

/// Rows of each list's table, for the report.
#[derive(Default)]
pub(super) struct ListRows {
    pub(super) evaluations: i64,
    pub(super) messages: (i64, i64),
    pub(super) items: i64,
    pub(super) users: i64,
    pub(super) departments: i64,
    pub(super) audit: i64,
    pub(super) exports: i64,
    pub(super) reconciliation: i64,
    pub(super) work_orders: i64,
    pub(super) seconds: f64,
}

/// A 16-bit hash of integer expression `expr`.
pub(super) fn hash(expr: &str, multiplier: i64) -> String {
    format!("(({expr}) * {multiplier}) % 4294967296 / 65536")
}

fn evaluations_sql(lo: i64, hi: i64, now: i64) -> String {
    format!(
        "INSERT INTO evaluations (evaluation_id, district_code, region_code, department_code, case_code, channel,
            rated_at, satisfaction, comment, source, content_hash, received_at)
         SELECT 'BE' || substr(x.case_code, 3), x.district_code, x.region_code, x.department_code, x.case_code,
            {channel},
            CASE WHEN x.completed_at + 3600000 > {now} THEN {now} - 60000 ELSE x.completed_at + 3600000 END,
            CASE WHEN x.h % 100 < 70 THEN 1 WHEN x.h % 100 < 85 THEN 2 WHEN x.h % 100 < 93 THEN 3
                 WHEN x.h % 100 < 97 THEN 4 ELSE 5 END,
            NULL, 'bench', 'bench', {now}
         FROM (SELECT c.case_code, c.district_code, c.region_code, c.department_code, c.completed_at,
                  {h} AS h
               FROM cases c
               WHERE c.source = 'bench' AND c.status = 'completed' AND c.completed_at IS NOT NULL
                 AND c.submitted_at >= {lo} AND c.submitted_at < {hi}) x
         WHERE x.h % 2 = 0",
        channel = choice("x.h / 2 % 3", &["window", "app", "online"]),
        h = hash("CAST(substr(c.case_code, 3) AS BIGINT)", 2_654_435_761),
    )
}

/// One work order per case submitted in `[lo, hi)`: a complaint, 差评 or
/// item-change order (by hash), six in ten closed, the rest open in the
/// type's middle state and due 0–19 days after submission (so some overdue).
/// Their warnings count as raised and their reminders as sent: the sweeps
/// have nothing to do.
fn work_orders_sql(lo: i64, hi: i64) -> String {
    format!(
        "INSERT INTO work_orders (code, order_type, state, title, subject_kind, subject_ref, source_key,
            district_code, region_code, department_code, class_code, data, due_at, clock_started_at,
            suspended_days, paused_at, overdue_warned, reminded, version, created_by, created_at, updated_at,
            closed_at)
         SELECT 'BW' || substr(x.case_code, 3), {order_type},
            CASE WHEN x.h / 3 % 10 < 6 THEN 'closed' ELSE {open_state} END,
            '基准工单 ' || x.case_code, 'case', x.case_code, 'bench:' || x.case_code, x.district_code,
            x.region_code, x.department_code, NULL, '{{}}',
            CASE WHEN x.h / 3 % 10 < 6 THEN NULL ELSE x.submitted_at + (x.h % 20) * {DAY_MS} END,
            x.submitted_at, 0, NULL, TRUE, TRUE, 1, 'system', x.submitted_at, x.submitted_at,
            CASE WHEN x.h / 3 % 10 < 6 THEN x.submitted_at + {DAY_MS} END
         FROM (SELECT c.case_code, c.district_code, c.region_code, c.department_code, c.submitted_at, {h} AS h
               FROM cases c
               WHERE c.source = 'bench' AND c.submitted_at >= {lo} AND c.submitted_at < {hi}) x",
        order_type = choice("x.h % 3", &["complaint", "bad_review", "item_change"]),
        open_state = choice("x.h % 3", &["handling", "rectifying", "confirming"]),
        h = hash("CAST(substr(c.case_code, 3) AS BIGINT)", 2_246_822_519),
    )
}

/// Audit entries `lo..hi` (1-based) of `total`, with negative sequence numbers
/// (`-total..-1`) so the live chain's tail is untouched, spread over the year.
fn audit_sql(store: &Store, lo: i64, hi: i64, total: i64, now: i64) -> String {
    let (with, from) = series(store.backend(), lo, hi);
    let step = DAYS * DAY_MS / total;
    format!(
        "INSERT INTO audit_log (seq, at_ms, actor, ip, action, object_type, object_id, result, details, hash)
         {with}SELECT g.i - {total} - 1, {now} - ({total} + 1 - g.i) * {step}, {actor},
            '10.0.' || CAST(g.ha % 256 AS TEXT) || '.' || CAST(g.hb % 256 AS TEXT),
            {action}, {object}, CAST(g.hc AS TEXT),
            CASE WHEN g.hc % 100 < 90 THEN 'success' WHEN g.hc % 100 < 98 THEN 'failure' ELSE 'denied' END,
            '{{}}', 'bench'
         FROM (SELECT n.i, {ha} AS ha, {hb} AS hb, {hc} AS hc FROM {from}) g",
        actor = choice("g.ha % 8", &AUDIT_ACTORS),
        action = choice("g.hb % 10", &AUDIT_ACTIONS),
        object = choice("g.hb % 10", &AUDIT_OBJECTS),
        ha = hash("n.i", 2_654_435_761),
        hb = hash("n.i", 2_246_822_519),
        hc = hash("n.i", 3_266_489_917),
    )
}

/// `USERS_PER_DEPARTMENT` users in every department: one in twenty disabled,
/// one in twenty-five locked.
fn users_sql(store: &Store, now: i64) -> String {
    let (with, from) = series(store.backend(), 0, USERS_PER_DEPARTMENT);
    format!(
        "INSERT INTO users (username, display_name, password_hash, scope_kind, region_code, department_code,
            must_change_password, disabled, failed_attempts, locked_until, totp_enabled, password_changed_at,
            created_at)
         {with}SELECT 'bench_u' || d.code || '_' || CAST(n.i AS TEXT), '基准用户' || CAST(n.i AS TEXT),
            '!bench: no login', 'department', d.region_code, d.code, FALSE, (n.i % 20 = 7), 0,
            CASE WHEN n.i % 25 = 3 THEN {locked} END, FALSE, {now}, {now} - n.i * 3600000
         FROM departments d, {from};
         INSERT INTO user_roles (user_id, role_code)
         SELECT id, CASE WHEN id % 3 = 0 THEN 'district_operator' ELSE 'dept_user' END
         FROM users WHERE username LIKE 'bench_u%'",
        locked = now + DAY_MS,
    )
}

/// `EXPORT_JOBS_PER_USER` finished jobs (one in ten failed) for `city` and
/// `chaoyang` over the last 6 days.
fn exports_sql(store: &Store, now: i64) -> String {
    let (with, from) = series(store.backend(), 0, EXPORT_JOBS_PER_USER);
    let step = 6 * DAY_MS / EXPORT_JOBS_PER_USER;
    format!(
        "INSERT INTO export_jobs (owner, source, format, filters, scope, status, rows_done, rows_total, file_name,
            file_path, error, created_at, started_at, finished_at)
         {with}SELECT o.name, {source}, CASE WHEN n.i % 3 = 0 THEN 'csv' ELSE 'xlsx' END, '{{}}', '{{}}',
            CASE WHEN n.i % 10 = 0 THEN '{failed}' ELSE '{done}' END, 1000, 1000, NULL, NULL,
            CASE WHEN n.i % 10 = 0 THEN 'bench' END,
            {now} - ({EXPORT_JOBS_PER_USER} - n.i) * {step}, {now} - ({EXPORT_JOBS_PER_USER} - n.i) * {step} + 1000,
            {now} - ({EXPORT_JOBS_PER_USER} - n.i) * {step} + 5000
         FROM (SELECT 'city' AS name UNION ALL SELECT 'chaoyang') o, {from}",
        source = choice("n.i % 3", &["cases", "consultations", "warnings"]),
        failed = exports::FAILED,
        done = exports::DONE,
    )
}

/// A year of daily intake counts per source and kind, as VALUES rows.
fn reconciliation_rows(today: i64) -> Vec<String> {
    let mut rows = Vec::new();
    for day in today - DAYS..today {
        for (s, source) in SOURCES.iter().enumerate() {
            for (k, kind) in KINDS.iter().enumerate() {
                let seed = (day * 31 + s as i64 * 7 + k as i64).rem_euclid(997);
                let received = 500 + seed * 3;
                let rejected = seed % 7;
                let duplicates = seed % 5;
                rows.push(format!(
                    "('{}', '{source}', '{kind}', {received}, {}, {duplicates}, {rejected}, '{}')",
                    date(day),
                    received - rejected - duplicates,
                    if rejected > 0 {
                        format!("{{\"E001\": {rejected}}}")
                    } else {
                        "{}".to_string()
                    }
                ));
            }
        }
    }
    rows
}

/// `(first, last, step)`: submission times cut into chunks of about `CHUNK` cases.
pub(super) async fn submission_chunks(
    direct: &Direct,
    cases: i64,
) -> anyhow::Result<(i64, i64, i64)> {
    let first = direct.int("SELECT MIN(submitted_at) FROM cases").await?;
    let last = direct.int("SELECT MAX(submitted_at) FROM cases").await?;
    Ok((first, last, (last - first) / (cases / CHUNK + 1) + 1))
}

/// Evaluations of half the completed cases, in chunks by submission time.
pub(super) async fn evaluations(store: &Store, direct: &Direct, cases: i64) -> anyhow::Result<()> {
    let now = now_ms();
    let (first, last, step) = submission_chunks(direct, cases).await?;
    let mut lo = first;
    while lo <= last {
        store
            .execute_admin(&evaluations_sql(lo, lo + step, now))
            .await
            .context("evaluations")?;
        lo += step;
    }
    Ok(())
}

pub(super) async fn generate(
    store: &Store,
    direct: &Direct,
    cases: i64,
) -> anyhow::Result<ListRows> {
    let started = Instant::now();
    let now = now_ms();
    evaluations(store, direct, cases).await?;
    let (first, last, step) = submission_chunks(direct, cases).await?;
    let mut lo = first;
    while lo <= last {
        store
            .execute_admin(&work_orders_sql(lo, lo + step))
            .await
            .context("work orders")?;
        lo += step;
    }
    let audit = (cases / 4).max(1);
    let mut lo = 1;
    while lo <= audit {
        let hi = (lo + CHUNK).min(audit + 1);
        store
            .execute_admin(&audit_sql(store, lo, hi, audit, now))
            .await
            .context("audit")?;
        lo = hi;
    }
    store
        .execute_admin(&users_sql(store, now))
        .await
        .context("users")?;
    store
        .execute_admin(&exports_sql(store, now))
        .await
        .context("export jobs")?;
    for chunk in reconciliation_rows(local_day(now)).chunks(1000) {
        store
            .execute_admin(&format!(
                "INSERT INTO intake_stats (day, source, kind, received, accepted, duplicates, rejected,
                    rejected_by_code) VALUES {}",
                chunk.join(", ")
            ))
            .await
            .context("reconciliation")?;
    }
    // What the server does at start and after an import.
    store.optimize().await?;
    let count = |table: &str| format!("SELECT COUNT(*) FROM {table}");
    let messages = |user: &str| {
        format!(
            "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.user_id WHERE u.username = '{user}'"
        )
    };
    let rows = ListRows {
        evaluations: direct.int(&count("evaluations")).await?,
        messages: (
            direct.int(&messages("city")).await?,
            direct.int(&messages("chaoyang")).await?,
        ),
        items: direct.int(&count("items")).await?,
        users: direct.int(&count("users")).await?,
        departments: direct.int(&count("departments")).await?,
        audit: direct.int(&count("audit_log")).await?,
        exports: direct.int(&count("export_jobs")).await?,
        reconciliation: direct.int(&count("intake_stats")).await?,
        work_orders: direct.int(&count("work_orders")).await?,
        seconds: started.elapsed().as_secs_f64(),
    };
    eprintln!(
        "list rows: {} evaluations, {} audit, {} users in {:.1} s",
        rows.evaluations, rows.audit, rows.users, rows.seconds
    );
    Ok(rows)
}
