//! Direct SQL: a connection of its own to the database, the cube vs
//! `GROUP BY` comparison, the parts of one overview request, and the
//! change → figures refresh.

use anyhow::{ensure, Context};
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::Kind;
use govpulse_core::dashboard::cube::{CaseCounts, Cube, Position};
use govpulse_core::dashboard::query::Filter;
use govpulse_core::region::subtree_range;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_server::AppState;
use govpulse_store::org::OrgScope;
use govpulse_store::Backend;
use serde_json::json;
use sqlx::Row;
use std::str::FromStr;
use std::time::Instant;

use super::http::Combo;
use super::{
    median, percentile, Comparison, Refresh, Report, Rng, DAY_MS, EVENTS_PER_BATCH, EVENT_BATCHES,
    FOCUS_DISTRICT, PERIODS,
};

/// A connection of its own to the same database, for the GROUP BY comparison
/// and bookkeeping queries.
pub(super) enum Direct {
    Sqlite(sqlx::SqlitePool, String),
    Postgres(sqlx::PgPool),
}

impl Direct {
    pub(super) async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .to_string();
            // As the store's readers: read-only, memory-mapped.
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .read_only(true)
                .pragma("mmap_size", "4294967296")
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory");
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool, path))
        } else {
            let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
            Ok(Self::Postgres(pool))
        }
    }

    fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(..) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The first column of the first row.
    pub(super) async fn int(&self, sql: &str) -> anyhow::Result<i64> {
        Ok(self.first_row(sql).await?.first().copied().unwrap_or(0))
    }

    /// The integer columns of the first row (NULL = 0).
    async fn first_row(&self, sql: &str) -> anyhow::Result<Vec<i64>> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        Ok(match self {
            Self::Sqlite(pool, _) => {
                let row = sqlx::query(sql).fetch_one(pool).await?;
                (0..row.len())
                    .map(|i| row.try_get::<Option<i64>, _>(i).ok().flatten().unwrap_or(0))
                    .collect()
            }
            Self::Postgres(pool) => {
                let row = sqlx::query(sql).fetch_one(pool).await?;
                (0..row.len())
                    .map(|i| row.try_get::<Option<i64>, _>(i).ok().flatten().unwrap_or(0))
                    .collect()
            }
        })
    }

    /// Run a query to the end; the number of rows.
    async fn rows(&self, sql: &str) -> anyhow::Result<usize> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        Ok(match self {
            Self::Sqlite(pool, _) => sqlx::query(sql).fetch_all(pool).await?.len(),
            Self::Postgres(pool) => sqlx::query(sql).fetch_all(pool).await?.len(),
        })
    }

    async fn code_and_int(&self, sql: &str) -> anyhow::Result<Vec<(String, i64)>> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        Ok(match self {
            Self::Sqlite(pool, _) => sqlx::query_as(sql).fetch_all(pool).await?,
            Self::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        })
    }

    /// Database size: the SQLite file and its WAL, or this schema's tables.
    pub(super) async fn size_mb(&self) -> anyhow::Result<f64> {
        let bytes = match self {
            Self::Sqlite(_, path) => [path.clone(), format!("{path}-wal")]
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len() as i64)
                .sum(),
            Self::Postgres(_) => {
                self.int(
                    "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) FROM pg_class c
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = current_schema() AND c.relkind = 'r'",
                )
                .await?
            }
        };
        Ok(bytes as f64 / 1_048_576.0)
    }

    pub(super) async fn close(&self) {
        match self {
            Self::Sqlite(pool, _) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// The overview's case figures as SQL on the base table: totals, by district
/// (or by region inside one district), top 20 departments, top 10 items, the
/// trend (daily up to 62 days, else monthly).
fn overview_sql(
    backend: Backend,
    first_day: i64,
    last_day: i64,
    district: Option<&str>,
) -> Vec<String> {
    let from = first_day * DAY_MS - 8 * 3_600_000;
    let to = (last_day + 1) * DAY_MS - 8 * 3_600_000;
    let mut filter = format!("submitted_at >= {from} AND submitted_at < {to}");
    if let Some(code) = district {
        filter.push_str(&format!(" AND district_code = '{code}'"));
    }
    let sums = "COUNT(*), SUM(CASE WHEN accepted_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END),
        SUM(CASE WHEN status = 'completed' AND NOT overdue THEN 1 ELSE 0 END),
        SUM(CASE WHEN overdue THEN 1 ELSE 0 END)";
    let group = if district.is_some() {
        "region_code"
    } else {
        "district_code"
    };
    let bucket = if last_day - first_day < 62 {
        "(submitted_at + 28800000) / 86400000".to_string()
    } else {
        match backend {
            Backend::Sqlite => "strftime('%Y-%m', (submitted_at + 28800000) / 1000, 'unixepoch')".to_string(),
            Backend::Postgres => {
                "to_char(to_timestamp((submitted_at + 28800000) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM')".to_string()
            }
        }
    };
    vec![
        format!("SELECT {sums} FROM cases WHERE {filter}"),
        format!("SELECT {group}, {sums} FROM cases WHERE {filter} GROUP BY {group}"),
        format!("SELECT department_code, {sums} FROM cases WHERE {filter} GROUP BY department_code ORDER BY 2 DESC LIMIT 20"),
        format!("SELECT item_code, {sums} FROM cases WHERE {filter} GROUP BY item_code ORDER BY 2 DESC LIMIT 10"),
        format!("SELECT {bucket} AS bucket, {sums} FROM cases WHERE {filter} GROUP BY bucket"),
    ]
}

/// The cube's overview filter as the API resolves it for the city user
/// (optionally filtered to one district).
pub(super) fn city_filter(first_day: i64, last_day: i64, district: Option<&str>) -> Filter {
    Filter {
        first_day,
        last_day,
        region_ranges: district.map(subtree_range).into_iter().collect(),
        group_by_district: district.is_none(),
        warnings: true,
        ..Filter::default()
    }
}

/// Estimated heap of the cube's cells and partition map.
pub(super) fn cube_bytes(cube: &Cube) -> usize {
    let cells: usize = cube
        .partitions
        .values()
        .map(|p| {
            p.cases.capacity() * std::mem::size_of::<(Position, CaseCounts)>()
                + p.consultations.capacity() * std::mem::size_of::<(Position, u64)>()
                + p.warnings.capacity() * std::mem::size_of::<(Position, u8, u32, u64)>()
        })
        .sum();
    // B-tree entries: key + partition header, plus node overhead (~1/3).
    let entries = cube.partitions.len()
        * (std::mem::size_of::<(i64, u32)>()
            + std::mem::size_of::<govpulse_core::dashboard::cube::Partition>())
        * 4
        / 3;
    let codes = (cube.regions.len() + cube.departments.len() + cube.items.len()) * 64;
    cells + entries + codes
}

pub(super) async fn compare(
    state: &AppState,
    direct: &Direct,
    today: i64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let combos: [(&'static str, i64, Option<&str>); 4] = [
        ("30 d, city", 30, None),
        ("365 d, city", 365, None),
        ("30 d, one district", 30, Some(FOCUS_DISTRICT)),
        ("365 d, one district", 365, Some(FOCUS_DISTRICT)),
    ];
    for (label, days, district) in combos {
        let first_day = today - days + 1;
        let filter = city_filter(first_day, today, district);
        let (cube_ms, cases) = {
            let fresh = state.dashboard.fresh(&state.store).await?;
            let mut samples = Vec::new();
            let mut cases = 0;
            for run in 0..18 {
                let started = Instant::now();
                let overview = fresh.cube.overview(&filter);
                if run >= 3 {
                    samples.push(started.elapsed().as_secs_f64() * 1000.0);
                }
                cases = overview.cases.cases;
            }
            (median(samples), cases)
        };
        let queries = overview_sql(direct.backend(), first_day, today, district);
        let started = Instant::now();
        let totals = direct.first_row(&queries[0]).await?;
        for query in &queries[1..] {
            direct.rows(query).await?;
        }
        let sql_ms = started.elapsed().as_secs_f64() * 1000.0;
        eprintln!("{label}: cube {cube_ms:.2} ms, SQL {sql_ms:.0} ms");
        report.in_process.push(Comparison {
            label,
            cube_ms,
            sql_ms,
            cases,
            sql_cases: totals.first().copied().unwrap_or(-1),
        });
    }
    // The cube's share of an overview request: the HTTP load's filter mix.
    let mut rng = Rng(7);
    let combos: Vec<Combo> = (0..2000)
        .map(|_| Combo::random(&mut rng, &[], false))
        .collect();
    let fresh = state.dashboard.fresh(&state.store).await?;
    let mut by_period = vec![Vec::new(); PERIODS.len()];
    for combo in &combos {
        let filter = combo.city_filter(today);
        let started = Instant::now();
        std::hint::black_box(fresh.cube.overview(&filter));
        by_period[combo.period].push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut all: Vec<f64> = by_period.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    report.mix = (
        all.iter().sum::<f64>() / all.len().max(1) as f64,
        percentile(&all, 0.99),
        PERIODS
            .iter()
            .zip(&by_period)
            .map(|(days, ms)| {
                format!(
                    "{days} d {:.1}",
                    ms.iter().sum::<f64>() / ms.len().max(1) as f64
                )
            })
            .collect::<Vec<_>>()
            .join(" / "),
    );
    Ok(())
}

/// The parts of one overview request for the city user, each timed alone
/// (median of 5): the cube pass, the caller's unread warning messages, the
/// names of the top rows, the visible regions.
pub(super) async fn parts(state: &AppState, today: i64, report: &mut Report) -> anyhow::Result<()> {
    use govpulse_store::dashboard::{day_start, Named, UnreadFilter};
    let user = state
        .store
        .find_user_by_username("city")
        .await?
        .context("city user")?
        .id;
    let scope = OrgScope::default();
    async fn timed<F, T>(mut run: impl FnMut() -> F) -> anyhow::Result<f64>
    where
        F: std::future::Future<Output = anyhow::Result<T>>,
    {
        let mut samples = Vec::new();
        for _ in 0..6 {
            let started = Instant::now();
            run().await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(median(samples[1..].to_vec()))
    }
    for days in [7, 365] {
        let first_day = today - days + 1;
        let filter = city_filter(first_day, today, None);
        let overview = state
            .dashboard
            .fresh(&state.store)
            .await?
            .cube
            .overview(&filter);
        let cube_ms = timed(|| async {
            let fresh = state.dashboard.fresh(&state.store).await?;
            Ok(std::hint::black_box(fresh.cube.overview(&filter)))
        })
        .await?;
        report
            .parts
            .push((format!("{days} d: cube pass (all figures)"), cube_ms));
        for applicant_type in [None, Some("person")] {
            let unread = UnreadFilter {
                from_ms: day_start(first_day),
                to_ms: day_start(today + 1),
                applicant_type: applicant_type.map(String::from),
                ..UnreadFilter::default()
            };
            let ms =
                timed(|| async { Ok(state.store.unread_by_stage(user, &scope, &unread).await?) })
                    .await?;
            let label = match applicant_type {
                None => format!("{days} d: caller's unread warning messages by stage"),
                Some(t) => format!(
                    "{days} d: caller's unread warning messages by stage, applicant_type={t}"
                ),
            };
            report.parts.push((label, ms));
        }
        let departments: Vec<&str> = overview
            .by_department
            .iter()
            .take(20)
            .map(|r| r.code.as_str())
            .collect();
        let items: Vec<&str> = overview
            .by_item
            .iter()
            .take(10)
            .map(|r| r.code.as_str())
            .collect();
        let regions: Vec<&str> = overview.by_region.iter().map(|r| r.code.as_str()).collect();
        let ms = timed(|| async {
            state.store.names_of(Named::Region, &regions).await?;
            state
                .store
                .names_of(Named::Department, &departments)
                .await?;
            state.store.names_of(Named::Item, &items).await?;
            Ok(state.store.names_of(Named::ItemDepartment, &items).await?)
        })
        .await?;
        report
            .parts
            .push((format!("{days} d: names of the top rows (4 queries)"), ms));
    }
    let ms = timed(|| async { Ok(state.store.list_regions(&scope).await?) }).await?;
    report.parts.push((
        "visible regions (by_region's empty children)".to_string(),
        ms,
    ));
    Ok(())
}

/// 2,500 open cases of the last 30 days get `accepted` and `completed` through
/// the intake pipeline (5,000 events, one batch); then the cube is refreshed
/// as the next overview would. Repeated `EVENT_BATCHES` times (smaller batches
/// when a small data set has fewer open cases).
pub(super) async fn refresh(
    state: &AppState,
    direct: &Direct,
    today: i64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let since = (today - 29) * DAY_MS - 8 * 3_600_000;
    let open = direct
        .code_and_int(&format!(
            "SELECT case_code, accepted_at FROM cases
             WHERE submitted_at >= {since} AND status = 'accepted' AND source = 'bench'
             ORDER BY case_code LIMIT {}",
            EVENTS_PER_BATCH / 2 * EVENT_BATCHES
        ))
        .await?;
    let per_batch = open.len() / EVENT_BATCHES;
    ensure!(per_batch > 0, "no open cases in the last 30 days");
    let month = city_filter(today - 29, today, None);
    for batch in open.chunks(per_batch).take(EVENT_BATCHES) {
        let before = state
            .dashboard
            .fresh(&state.store)
            .await?
            .cube
            .overview(&month)
            .cases
            .completed;
        let logged_before = direct.int("SELECT COUNT(*) FROM dashboard_changes").await?;
        let now = now_ms();
        let mut records = Vec::with_capacity(batch.len() * 2);
        for (code, accepted_at) in batch {
            for (seq, kind, at) in [
                (1, "accepted", *accepted_at),
                (2, "completed", now - 60_000),
            ] {
                let record =
                    json!({"case_code": code, "seq": seq, "kind": kind, "at": to_rfc3339(at)});
                if let Some(map) = record.as_object().cloned() {
                    records.push((records.len() + 1, Ok(map)));
                }
            }
        }
        let events = records.len();
        let started = Instant::now();
        let intake = state
            .pipeline()
            .run(
                Kind::CaseEvents,
                "bench",
                &CollectionRules::default(),
                records,
                now,
            )
            .await?;
        let intake_ms = started.elapsed().as_secs_f64() * 1000.0;
        ensure!(
            intake.accepted as usize == events,
            "intake accepted {} of {events} events: {:?}",
            intake.accepted,
            intake.rejected.first()
        );
        let refresh_started = Instant::now();
        let after = state
            .dashboard
            .fresh(&state.store)
            .await?
            .cube
            .overview(&month)
            .cases
            .completed;
        let refresh_ms = refresh_started.elapsed().as_secs_f64() * 1000.0;
        let partitions =
            direct.int("SELECT COUNT(*) FROM dashboard_changes").await? - logged_before;
        eprintln!("intake {intake_ms:.0} ms, refresh {refresh_ms:.0} ms ({partitions} partitions)");
        report.refresh.push(Refresh {
            events,
            intake_ms,
            refresh_ms,
            partitions,
            completed_delta: after as i64 - before as i64,
        });
    }
    Ok(())
}
