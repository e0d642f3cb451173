//! `govpulse bench evaluation --cases N`: evaluation (issue 13) and the data
//! quality run (QC-2, issue 14) over a year of N synthetic cases, on an empty
//! database — the server's own functions called in process, no HTTP:
//!
//! - data: the dashboard benchmark's generator (`dashboard::generate_for_evaluation`:
//!   cases, warnings, evaluations, stage events, item versions, bad records);
//! - indicator values: per unit level, the facts pass (`Store::unit_facts`,
//!   what `GET /indicators/{code}/values` and an evaluation run compute) and
//!   every built-in level-3 indicator measured over it;
//! - scoring: the standard scheme's test run as `POST /evaluation/runs`
//!   executes it (`runs::execute`: facts, scoring, storing the run), and the
//!   scoring alone (`scoring::score`) for every unit of each level;
//! - a quality run over the year as `POST /quality/runs` starts it
//!   (`quality::run_now`), with the failures it found.
//!
//! Prints Markdown tables (`#### title` + header + one row each) for
//! BENCHMARKS.md; scripts/bench-evaluation.sh merges runs. Progress goes to stderr.

use anyhow::{ensure, Context};
use govpulse_core::dashboard::query::date_of_day;
use govpulse_core::evaluation::period::Period;
use govpulse_core::evaluation::scoring::{self, Scheme, UnitLevel};
use govpulse_server::aggregation::vault::IdentityVault;
use govpulse_server::evaluation::schemes::STANDARD_SCHEME;
use govpulse_server::evaluation::{indicator_infos, runs};
use govpulse_server::{AppState, ServerConfig};
use govpulse_store::org::OrgScope;
use govpulse_store::{Backend, Store};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::dashboard::{first_day, generate_for_evaluation, Generated};

const LEVELS: [UnitLevel; 3] = [
    UnitLevel::District,
    UnitLevel::CityDepartment,
    UnitLevel::DistrictDepartment,
];
/// Repetitions of the in-memory steps (their median is reported).
const REPEAT: usize = 5;
/// The owner of the bench's quality run.
const OWNER: &str = "city";

/// One unit level's indicator values and scores.
struct LevelRow {
    level: UnitLevel,
    units: usize,
    facts_s: f64,
    measure_ms: f64,
    values: usize,
    score_ms: f64,
}

struct QualityRow {
    state: String,
    checked: i64,
    seconds: f64,
    failures: BTreeMap<String, u64>,
    peak: String,
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(0.0)
}

/// Peak anonymous memory (heap, SQLite caches) since the last [`reset_peak`],
/// sampled (kB): VmHWM also counts the database pages SQLite maps.
static PEAK_ANON_KB: AtomicU64 = AtomicU64::new(0);

/// Sample RssAnon into [`PEAK_ANON_KB`] every 20 ms.
fn sample_anon() {
    std::thread::spawn(|| loop {
        PEAK_ANON_KB.fetch_max(super::status_kb("RssAnon:"), Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(20));
    });
}

/// Peak memory since the last [`reset_peak`]: "anonymous / with the mapped database".
fn peak() -> String {
    format!(
        "{} / {} MB",
        PEAK_ANON_KB.load(Ordering::Relaxed) / 1024,
        super::status_kb("VmHWM:") / 1024
    )
}

/// Reset both peaks to the current figures (VmHWM: Linux ≥ 4.0), so a phase's peak is its own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    PEAK_ANON_KB.store(super::status_kb("RssAnon:"), Ordering::Relaxed);
}

pub async fn evaluation(
    store: &Store,
    database_url: &str,
    cases: u64,
    quality_only: bool,
) -> anyhow::Result<()> {
    govpulse_server::seed::organisation_seed(store, &govpulse_server::seed::city::BEIJING).await?;
    govpulse_server::seed::demo_accounts(store, &govpulse_server::seed::city::BEIJING).await?;
    let backend = match store.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    if quality_only {
        return quality_again(store, backend).await;
    }
    ensure!(
        store.count_cases().await? == 0,
        "bench evaluation needs an empty database"
    );
    ensure!(cases >= 2_000, "--cases must be at least 2000");
    let data = generate_for_evaluation(store, database_url, cases as i64).await?;
    let period = year_from(data.first_day)?;
    let (start, end) = period.bounds_ms();

    sample_anon();
    reset_peak();
    let (levels, run_s) = indicators_and_scoring(store, period, (start, end)).await?;
    let evaluation_peak = peak();
    reset_peak();
    let quality = quality_run(store, (start, end)).await?;
    print(backend, &data, &levels, run_s, &evaluation_peak, &period);
    print_quality(backend, data.cases, &quality);
    Ok(())
}

/// The data's days, first to today: every case of the year.
fn year_from(first_day: i64) -> anyhow::Result<Period> {
    format!(
        "{}..{}",
        date_of_day(first_day).format("%Y-%m-%d"),
        date_of_day(first_day + 365).format("%Y-%m-%d")
    )
    .parse()
    .map_err(|e: govpulse_core::evaluation::period::PeriodError| anyhow::anyhow!(e.0))
}

/// `--quality-only`: another quality run over a database an earlier run of
/// this benchmark filled on the same day (regenerating takes longer than the run).
async fn quality_again(store: &Store, backend: &str) -> anyhow::Result<()> {
    let cases = store.count_cases().await?;
    ensure!(
        cases > 0,
        "--quality-only needs a database this benchmark filled"
    );
    let period = year_from(first_day(govpulse_core::time::now_ms()))?;
    sample_anon();
    reset_peak();
    let quality = quality_run(store, period.bounds_ms()).await?;
    print_quality(backend, cases, &quality);
    Ok(())
}

/// Facts, every indicator's values and the scheme's scores for each level;
/// then the standard scheme's test run. Returns the levels and the run's seconds.
async fn indicators_and_scoring(
    store: &Store,
    period: Period,
    (start, end): (i64, i64),
) -> anyhow::Result<(Vec<LevelRow>, f64)> {
    let (defs, infos) = indicator_infos(store)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let ratios: BTreeMap<String, _> = defs
        .iter()
        .filter_map(|(code, def)| def.ratio().map(|r| (code.clone(), r.clone())))
        .collect();
    let scheme_row = store
        .schemes()
        .await?
        .into_iter()
        .find(|s| s.code == STANDARD_SCHEME)
        .context("the standard scheme is not seeded")?;
    let scheme: Scheme = serde_json::from_str(&scheme_row.definition)?;
    let mut levels = Vec::new();
    for level in LEVELS {
        let started = Instant::now();
        let facts = store.unit_facts(level, start, end).await?;
        let facts_s = started.elapsed().as_secs_f64();
        let mut measure_ms = Vec::new();
        let mut inputs = Vec::new();
        for _ in 0..REPEAT {
            let started = Instant::now();
            inputs = runs::unit_inputs(&facts, &ratios);
            measure_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        // The standard scheme's items at this level (its own is districts).
        let scheme = Scheme {
            unit_level: level,
            ..scheme.clone()
        };
        let mut score_ms = Vec::new();
        for _ in 0..REPEAT {
            let started = Instant::now();
            let results = scoring::score(&scheme, &infos, &inputs);
            score_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            ensure!(results.len() == inputs.len(), "a unit was not scored");
        }
        eprintln!(
            "{}: {} units, facts {facts_s:.2} s",
            level.as_str(),
            facts.len()
        );
        levels.push(LevelRow {
            level,
            units: facts.len(),
            facts_s,
            measure_ms: median(measure_ms),
            values: inputs
                .iter()
                .flat_map(|u| u.values.values())
                .filter(|m| m.value.is_some())
                .count(),
            score_ms: median(score_ms),
        });
    }
    let audit = crate::cli_record(
        "evaluation.run",
        serde_json::json!({ "scheme": STANDARD_SCHEME, "period": period.to_string(), "mode": "test" }),
    );
    let started = Instant::now();
    runs::execute(store, STANDARD_SCHEME, period, false, &audit, "bench")
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok((levels, started.elapsed().as_secs_f64()))
}

/// One quality run over the period, city-wide, as `POST /quality/runs` starts it.
async fn quality_run(store: &Store, period: (i64, i64)) -> anyhow::Result<QualityRow> {
    let state = AppState::new(
        store.clone(),
        ServerConfig::default(),
        IdentityVault::from_secret(&[7; 64]),
    );
    let scope = OrgScope::default();
    let audit = crate::cli_record("quality.run", serde_json::json!({ "bench": true }));
    let id = store
        .create_quality_run(
            OWNER,
            period,
            None,
            &govpulse_store::exports::scope_to_json(&scope),
            &audit,
        )
        .await?;
    let job = govpulse_server::quality::Job {
        id,
        scope,
        region_range: None,
        period,
    };
    eprintln!("quality run");
    let started = Instant::now();
    govpulse_server::quality::run_now(&state, job).await;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak();
    let row = store
        .quality_run(OWNER, id)
        .await?
        .context("the quality run vanished")?;
    Ok(QualityRow {
        failures: serde_json::from_str(&row.failures).unwrap_or_default(),
        state: row.state,
        checked: row.cases_checked,
        seconds,
        peak,
    })
}

fn print(
    backend: &str,
    data: &Generated,
    levels: &[LevelRow],
    run_s: f64,
    evaluation_peak: &str,
    period: &Period,
) {
    let n = data.cases;
    println!("#### Evaluation and quality: data");
    println!();
    println!("| backend | cases | stage events | evaluations | warnings | items with a version 2 | generate (SQL) | ANALYZE | database |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {backend} | {n} | {} | {} | {} | {} | {:.1} s | {:.1} s | {:.0} MB |",
        data.events,
        data.evaluations,
        data.warnings,
        data.revised_items,
        data.generate_s,
        data.analyze_s,
        data.database_mb
    );
    println!();
    println!("#### Evaluation: indicator values and scores for the year");
    println!();
    println!("| backend | cases | period | unit level | units | facts pass (3 GROUP BY) | values of every built-in indicator (in memory) | non-null values | scoring, standard scheme (median of {REPEAT}) | test run (POST /evaluation/runs) | peak RSS: anonymous / with the mapped database |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for l in levels {
        let run = if l.level == UnitLevel::District {
            format!("{run_s:.2} s")
        } else {
            "–".to_string()
        };
        println!(
            "| {backend} | {n} | {period} | {} | {} | {:.2} s | {:.2} ms | {} | {:.2} ms | {run} | {evaluation_peak} |",
            l.level.as_str(),
            l.units,
            l.facts_s,
            l.measure_ms,
            l.values,
            l.score_ms
        );
    }
    println!();
}

fn print_quality(backend: &str, n: i64, quality: &QualityRow) {
    println!("#### Quality run (QC-2) over the year");
    println!();
    println!("| backend | cases | state | cases checked | run | cases/s | failures | failing checks | peak RSS: anonymous / with the mapped database |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let failures: u64 = quality.failures.values().sum();
    let by_code: Vec<String> = quality
        .failures
        .iter()
        .map(|(code, count)| format!("{code} {count}"))
        .collect();
    println!(
        "| {backend} | {n} | {} | {} | {:.1} s | {:.0} | {failures} | {} | {} |",
        quality.state,
        quality.checked,
        quality.seconds,
        quality.checked as f64 / quality.seconds.max(1e-9),
        by_code.join(", "),
        quality.peak
    );
    println!();
}
