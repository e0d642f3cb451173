//! Data generation: helper tables, then cases, consultations, warnings and
//! inbox messages as set-based `INSERT … SELECT` in chunks.

use anyhow::Context;
use govpulse_core::dashboard::cube::STAGES;
use govpulse_core::time::now_ms;
use govpulse_store::dashboard::local_day;
use govpulse_store::org::OrgScope;
use govpulse_store::{Backend, Store};
use std::time::Instant;

use super::direct::Direct;
use super::{
    Report, CHUNK, DAYS, DAY_MS, DEPARTMENTS_PER_DISTRICT, DISTRICTS, DISTRICT_DEPARTMENTS,
    ITEMS_PER_DISTRICT, ITEM_NAMES, PLACES_PER_DISTRICT, QUESTIONS,
};

/// `(WITH clause, FROM item)` producing `n(i)` for `lo..hi`.
pub(super) fn series(backend: Backend, lo: i64, hi: i64) -> (String, String) {
    match backend {
        Backend::Sqlite => (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
                hi - 1
            ),
            "n".to_string(),
        ),
        Backend::Postgres => (
            String::new(),
            format!(
                "generate_series(CAST({lo} AS BIGINT), CAST({} AS BIGINT)) AS n(i)",
                hi - 1
            ),
        ),
    }
}

/// Row `i` of `total` with four independent 16-bit hashes and its local day
/// (rows are spread evenly over the `DAYS` days from `first_day`, in order).
fn hashed(from: &str, total: i64, first_day: i64) -> String {
    format!(
        "SELECT i, i % 16 AS d,
            (i * 2654435761) % 4294967296 / 65536 AS ha,
            (i * 2246822519) % 4294967296 / 65536 AS hb,
            (i * 3266489917) % 4294967296 / 65536 AS hc,
            (i * 1597334677) % 4294967296 / 65536 AS hd,
            {first_day} + (i * {DAYS}) / {total} AS day
         FROM {from}"
    )
}

/// The item (skewed: low item numbers are popular) and region slot of row `g`.
const JOIN_ITEM_PLACE: &str =
    "JOIN bench_dash_items it ON it.k = g.d * 400 + (g.ha % 400) * (g.ha % 400) / 400
     JOIN bench_dash_places pl ON pl.p = g.d * 8 + g.hb % 8";

pub(super) fn choice(expr: &str, options: &[&str]) -> String {
    let mut sql = format!("CASE {expr}");
    for (i, option) in options.iter().enumerate() {
        sql.push_str(&format!(" WHEN {i} THEN '{option}'"));
    }
    sql.push_str(" END");
    sql
}

/// Helper tables: districts, region slots and items by number.
async fn helper_tables(store: &Store, backend: Backend, now: i64) -> anyhow::Result<()> {
    let regions = store.list_regions(&OrgScope::default()).await?;
    let mut districts = Vec::new();
    let mut places = Vec::new();
    for (d, code) in DISTRICTS.iter().enumerate() {
        anyhow::ensure!(
            regions.iter().any(|r| r.code == *code),
            "district {code} is not seeded"
        );
        districts.push(format!("({d}, '{code}')"));
        let streets: Vec<&str> = regions
            .iter()
            .filter(|r| r.parent_code.as_deref() == Some(*code))
            .map(|r| r.code.as_str())
            .collect();
        for slot in 0..PLACES_PER_DISTRICT {
            let region = if slot % 4 == 0 || streets.is_empty() {
                code.to_string()
            } else {
                let index = (slot - 1 - slot / 4) as usize % streets.len();
                streets[index].to_string()
            };
            places.push(format!(
                "({}, '{region}')",
                d as i64 * PLACES_PER_DISTRICT + slot
            ));
        }
    }
    store
        .execute_admin(&format!(
            "CREATE TABLE bench_dash_districts (d INTEGER PRIMARY KEY, code TEXT NOT NULL);
             INSERT INTO bench_dash_districts (d, code) VALUES {};
             CREATE TABLE bench_dash_places (p INTEGER PRIMARY KEY, region_code TEXT NOT NULL);
             INSERT INTO bench_dash_places (p, region_code) VALUES {};
             CREATE TABLE bench_dash_items (k INTEGER PRIMARY KEY, j INTEGER NOT NULL, district_code TEXT NOT NULL,
                department_code TEXT NOT NULL, item_code TEXT NOT NULL)",
            districts.join(", "),
            places.join(", ")
        ))
        .await?;
    let (with, from) = series(backend, 0, DISTRICTS.len() as i64 * ITEMS_PER_DISTRICT);
    store
        .execute_admin(&format!(
            "INSERT INTO bench_dash_items (k, j, district_code, department_code, item_code)
             {with}SELECT n.i, n.i % {ITEMS_PER_DISTRICT}, dd.code,
                CASE WHEN n.i % {DEPARTMENTS_PER_DISTRICT} < {DISTRICT_DEPARTMENTS}
                     THEN dd.code || 'D' || substr(CAST(1001 + n.i % {DEPARTMENTS_PER_DISTRICT} AS TEXT), 2)
                     ELSE '110000D' || substr(CAST({} + n.i % {DEPARTMENTS_PER_DISTRICT} AS TEXT), 2) END,
                'BD' || dd.code || 'I' || substr(CAST(1000 + n.i % {ITEMS_PER_DISTRICT} AS TEXT), 2)
             FROM {from} JOIN bench_dash_districts dd ON dd.d = n.i / {ITEMS_PER_DISTRICT}",
            1001 - DISTRICT_DEPARTMENTS
        ))
        .await?;
    store
        .execute_admin(&format!(
            "INSERT INTO items (item_code, version, is_current, basic_code, name, item_type_code, exercise_level,
                department_code, department_name, region_code, legal_limit, promised_limit, limit_unit, case_type_code,
                handling_modes, materials, elements, content_hash, valid_from, valid_to, created_at)
             SELECT item_code, 1, TRUE, 'BENCH' || CAST(j AS TEXT), {}, '01', NULL, department_code, NULL,
                district_code, 20, 10, 'working', 2, '[]', '[]', '[]', 'bench', 0, NULL, {now}
             FROM bench_dash_items",
            choice(&format!("j % {}", ITEM_NAMES.len()), &ITEM_NAMES)
        ))
        .await?;
    Ok(())
}

/// Cases `lo..hi` of `total`: submitted 8:00–18:00 local on their day, ≈ 90 %
/// completed (fewer among the last two weeks' cases), ≈ 8 % overdue.
fn cases_sql(
    backend: Backend,
    lo: i64,
    hi: i64,
    total: i64,
    first_day: i64,
    today: i64,
    now: i64,
) -> String {
    let (with, from) = series(backend, lo, hi);
    let submitted = "(g.day * 86400000 + (g.hc / 16) % 600 * 60000)";
    let dice = "(g.hb / 8 % 100)";
    let done =
        format!("({dice} < 90 AND ({today} - g.day >= 14 OR {dice} < ({today} - g.day) * 6))");
    let completed_at = format!("({submitted} + (1 + g.hd / 4 % 10) * 86400000)");
    format!(
        "INSERT INTO cases (case_code, district_code, region_code, department_code, item_code, item_version,
            applicant_type, applicant_key, applicant_enc, applicant_masked, applicant_name, channel, submitted_at,
            status, accepted_at, completed_at, last_event_at, source, content_hash, received_at, overdue)
         {with}SELECT 'BC' || CAST(g.i AS TEXT), it.district_code, pl.region_code, it.department_code, it.item_code, 1,
            CASE WHEN g.hc % 10 < 8 THEN 'person' ELSE 'org' END,
            'bk' || CAST(g.i % 3000017 AS TEXT), '', '', '',
            {channel}, {submitted},
            CASE WHEN {done} THEN 'completed' WHEN {dice} >= 98 THEN 'rejected' WHEN {dice} = 97 THEN 'withdrawn'
                 ELSE 'accepted' END,
            CASE WHEN {done} OR {dice} < 97 THEN {submitted} + 7200000 END,
            CASE WHEN {done} THEN (CASE WHEN {completed_at} > {now} THEN {now} - 60000 ELSE {completed_at} END) END,
            NULL, 'bench', 'bench', {now}, (g.hd / 64 % 100 < 8)
         FROM ({hashed}) g
         {JOIN_ITEM_PLACE}",
        channel = choice("g.hd % 4", &["window", "app", "online", "online"]),
        hashed = hashed(&from, total, first_day),
    )
}

/// Consultations `lo..hi` of `total`: 70 % about an item, questions from the list.
fn consultations_sql(
    backend: Backend,
    lo: i64,
    hi: i64,
    total: i64,
    first_day: i64,
    now: i64,
) -> String {
    let (with, from) = series(backend, lo, hi);
    format!(
        "INSERT INTO consultations (code, district_code, region_code, department_code, channel, asked_at,
            applicant_type, applicant_key, applicant_enc, applicant_masked, item_code, question, answer,
            linked_case_code, source, content_hash, received_at)
         {with}SELECT 'BQ' || CAST(g.i AS TEXT), it.district_code, pl.region_code,
            CASE WHEN g.hd % 10 < 7 THEN it.department_code END,
            {channel}, g.day * 86400000 + (g.hc / 16) % 600 * 60000,
            CASE WHEN g.hc % 20 < 17 THEN 'person' ELSE 'org' END,
            'bk' || CAST(g.i % 3000017 AS TEXT), NULL, NULL,
            CASE WHEN g.hd % 10 < 7 THEN it.item_code END,
            {question}, NULL, NULL, 'bench', 'bench', {now}
         FROM ({hashed}) g
         {JOIN_ITEM_PLACE}",
        channel = choice("g.hd / 16 % 3", &["hotline", "wechat", "online"]),
        question = choice(&format!("(g.hb / 8 + g.i) % {}", QUESTIONS.len()), &QUESTIONS),
        hashed = hashed(&from, total, first_day),
    )
}

/// Warnings on ≈ 15 % of the cases, stages spread (approval most), red when
/// the case is overdue or one in seven otherwise; closed once the case completed.
fn warnings_sql(now: i64) -> String {
    let stage_of = |names: &[&str]| {
        format!(
            "CASE WHEN x.hw / 100 % 10 = 0 THEN '{}' WHEN x.hw / 100 % 10 < 4 THEN '{}'
                  WHEN x.hw / 100 % 10 < 8 THEN '{}' WHEN x.hw / 100 % 10 = 8 THEN '{}' ELSE '{}' END",
            names[0], names[1], names[2], names[3], names[4]
        )
    };
    let rules = stage_of(&[
        "consult_repeat",
        "accept_overdue",
        "approval_overdue",
        "special_overdue",
        "immediate_overdue",
    ]);
    let stages = stage_of(STAGES);
    let red = "(x.overdue OR x.hw % 7 = 0)";
    let raised = format!(
        "(CASE WHEN x.submitted_at + (1 + x.hw % 5) * 86400000 > {now} THEN {now} - 60000
               ELSE x.submitted_at + (1 + x.hw % 5) * 86400000 END)"
    );
    format!(
        "INSERT INTO warnings (rule_code, rule_version, subject_key, case_code, stage, district_code, region_code,
            department_code, item_code, level, level_rank, level_name, colour, status, raised_at, updated_at,
            handle_deadline, closed_at, close_reason, note)
         SELECT {rules}, 1, 'c:' || x.case_code, x.case_code, {stages}, x.district_code, x.region_code,
            x.department_code, x.item_code,
            CASE WHEN {red} THEN 'red' ELSE 'yellow' END, CASE WHEN {red} THEN 2 ELSE 1 END,
            CASE WHEN {red} THEN '红色预警' ELSE '黄色预警' END, CASE WHEN {red} THEN '#f56c6c' ELSE '#e6a23c' END,
            CASE WHEN x.status = 'completed' THEN 'closed' ELSE 'open' END,
            {raised}, {raised}, {raised} + 3 * 86400000,
            CASE WHEN x.status = 'completed' THEN x.completed_at END, NULL, NULL
         FROM (SELECT c.case_code, c.district_code, c.region_code, c.department_code, c.item_code, c.status,
                  c.completed_at, c.submitted_at, c.overdue,
                  (CAST(substr(c.case_code, 3) AS BIGINT) * 2860486313) % 4294967296 / 65536 AS hw
               FROM cases c WHERE c.source = 'bench') x
         WHERE x.hw % 100 < 15"
    )
}

/// Inbox messages as the evaluator addresses them by default (the city
/// operator: red; district operators: their district; the department user:
/// its department); read except one in twenty, and half of the last week's.
fn messages_sql(now: i64) -> String {
    format!(
        "INSERT INTO messages (user_id, warning_id, level, colour, title, body, created_at, read_at,
            raised_at, stage, district_code, region_code, department_code, item_code, applicant_type)
         SELECT u.id, w.id, w.level, w.colour, w.level_name, '', w.raised_at,
            CASE WHEN w.id % 20 = 0 OR (w.raised_at > {} AND w.id % 2 = 0) THEN NULL ELSE w.raised_at + 3600000 END,
            w.raised_at, w.stage, w.district_code, w.region_code, w.department_code, w.item_code,
            COALESCE((SELECT c.applicant_type FROM cases c WHERE c.case_code = w.case_code), 'person')
         FROM warnings w JOIN users u ON (u.username = 'city' AND w.level = 'red')
            OR (u.username = 'chaoyang' AND w.district_code = '110105')
            OR (u.username = 'haidian' AND w.district_code = '110108')
            OR (u.username = 'dept' AND w.department_code = '110000D024')",
        now - 7 * DAY_MS
    )
}

pub(super) async fn generate(
    store: &Store,
    direct: &Direct,
    n: i64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let backend = store.backend();
    let now = now_ms();
    let today = local_day(now);
    let first_day = today - DAYS;
    let started = Instant::now();
    helper_tables(store, backend, now).await.context("items")?;
    let mut lo = 0;
    while lo < n {
        let hi = (lo + CHUNK).min(n);
        store
            .execute_admin(&cases_sql(backend, lo, hi, n, first_day, today, now))
            .await
            .context("cases")?;
        eprintln!("cases {hi}/{n} ({:.0} s)", started.elapsed().as_secs_f64());
        lo = hi;
    }
    let total = n * 13 / 10;
    let mut lo = 0;
    while lo < total {
        let hi = (lo + CHUNK).min(total);
        store
            .execute_admin(&consultations_sql(backend, lo, hi, total, first_day, now))
            .await
            .context("consultations")?;
        eprintln!(
            "consultations {hi}/{total} ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
        lo = hi;
    }
    store
        .execute_admin(&warnings_sql(now))
        .await
        .context("warnings")?;
    store
        .execute_admin(&messages_sql(now))
        .await
        .context("messages")?;
    store
        .execute_admin(
            "DROP TABLE bench_dash_items; DROP TABLE bench_dash_places; DROP TABLE bench_dash_districts",
        )
        .await?;
    report.generate_s = started.elapsed().as_secs_f64();
    eprintln!("generated in {:.1} s; ANALYZE", report.generate_s);
    let started = Instant::now();
    store.analyze().await?;
    report.analyze_s = started.elapsed().as_secs_f64();
    report.cases = direct.int("SELECT COUNT(*) FROM cases").await?;
    report.consultations = direct.int("SELECT COUNT(*) FROM consultations").await?;
    report.warnings = direct.int("SELECT COUNT(*) FROM warnings").await?;
    report.unread_city = direct
        .int(
            "SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.user_id
             WHERE u.username = 'city' AND m.read_at IS NULL",
        )
        .await?;
    report.database_mb = direct.size_mb().await?;
    Ok(())
}
