//! `govpulse demo`: the demo organisation of a city, its accounts and a
//! generated year of data, fed through the intake pipeline.

use super::{cli_record, load_config, open, open_vault, DatabaseArg};
use anyhow::Context;
use govpulse_server::aggregation::vault::IdentityVault;
use govpulse_server::seed::demo_data::{self, DemoOptions};
use govpulse_server::seed::{self, city::DemoCity};
use govpulse_store::Store;

/// What `govpulse demo` was asked for.
pub struct DemoArgs {
    pub cases: u64,
    pub seed: u64,
    pub until: Option<String>,
    pub items_sample: Option<std::path::PathBuf>,
    pub city: String,
}

pub async fn run(db: &DatabaseArg, args: DemoArgs) -> anyhow::Result<()> {
    let city = seed::city::city(&args.city).with_context(|| {
        let known: Vec<String> = seed::city::CITIES
            .iter()
            .map(|c| format!("{} {}", c.code, c.name))
            .collect();
        format!(
            "unknown --city {}: use one of {}",
            args.city,
            known.join(", ")
        )
    })?;
    let store = open(db).await?;
    let departments = seed::organisation_seed(&store, city).await?;
    let accounts = seed::demo_accounts(&store, city).await?;
    println!(
        "organisation: {} {} districts, {departments} departments; {accounts} demo accounts created",
        city.name,
        city.districts.len()
    );
    if args.cases > 0 && store.count_cases().await? > 0 {
        println!("the database already holds cases: demo data not generated again");
    } else if args.cases > 0 {
        let vault = open_vault(&load_config(None)?, db)?;
        demo_data(&store, &vault, city, args).await?;
    }
    store.close().await;
    Ok(())
}

async fn demo_data(
    store: &Store,
    vault: &IdentityVault,
    city: &'static DemoCity,
    args: DemoArgs,
) -> anyhow::Result<()> {
    let DemoArgs {
        cases,
        seed,
        until,
        items_sample,
        ..
    } = args;
    let sample = match items_sample {
        None => govpulse_server::seed::catalogue::builtin_sample(),
        Some(path) => {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("reading --items-sample {}", path.display()))?;
            govpulse_server::seed::catalogue::parse_sample(&bytes)
                .with_context(|| format!("{} holds no item rows", path.display()))?
        }
    };
    let until_ms = match until {
        Some(day) => govpulse_core::time::parse_bound(&day)
            .map(|ms| ms + 86_400_000 - 1)
            .context("--until must be YYYY-MM-DD")?,
        // Midnight today (Asia/Shanghai): the same seed gives the same data all day.
        None => {
            let today = govpulse_core::time::to_rfc3339(govpulse_core::time::now_ms());
            govpulse_core::time::parse_bound(&today[..10]).context("today")?
        }
    };
    let options = DemoOptions {
        cases,
        seed,
        until_ms,
        sample,
        city,
    };
    let bar = indicatif::ProgressBar::new(cases);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "demo cases {bar:40} {pos}/{len} ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let pipeline = govpulse_server::aggregation::pipeline::Pipeline {
        store,
        vault,
        link_window_ms: load_config(None)?.link_window_days * 86_400_000,
        audit: None,
    };
    let summary = demo_data::load(&pipeline, &options, |done| bar.set_position(done)).await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    use govpulse_core::aggregation::Kind;
    println!(
        "intake pipeline rates (records/s): events {:.0}, cases {:.0}, consultations {:.0}, evaluations {:.0}; events first tenth {:.0}, last tenth {:.0}",
        summary.rate(Kind::CaseEvents),
        summary.rate(Kind::Cases),
        summary.rate(Kind::Consultations),
        summary.rate(Kind::Evaluations),
        summary.event_rate_first_tenth,
        summary.event_rate_last_tenth
    );
    println!(
        "demo data: {} items, {} consultations, {} cases, {} events, {} evaluations in {seconds:.1} s ({} rejected)",
        summary.items,
        summary.consultations,
        summary.cases,
        summary.events,
        summary.evaluations,
        summary.rejected
    );
    // Evaluate every case now, so the demo opens with its warnings in place.
    let started = std::time::Instant::now();
    let monitor = govpulse_server::monitoring::engine::Monitor::default();
    monitor.reload(store).await?;
    let stats = monitor
        .run_due(store, govpulse_core::time::now_ms())
        .await?;
    println!(
        "warnings: {} raised over {} subjects ({} messages) in {:.1} s",
        stats.raised,
        stats.subjects,
        stats.messages,
        started.elapsed().as_secs_f64()
    );
    // Score and publish the last complete quarter, so 质效评价 opens on real rankings.
    let (period, run_id, archive_id) =
        govpulse_server::evaluation::demo::publish_demo(store, until_ms).await?;
    println!("evaluation: {period} scored (run {run_id}) and published (archive {archive_id})");
    store
        .audit(&cli_record(
            "demo.load",
            serde_json::json!({ "cases": summary.cases, "seed": seed }),
        ))
        .await?;
    Ok(())
}
