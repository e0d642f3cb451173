//! `govpulse` — the one binary: server, migrations, demo data, audit checks,
//! API tokens.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use govpulse_core::audit::Outcome;
use govpulse_server::aggregation::vault::{default_key_path, IdentityVault};
use govpulse_server::{seed, AppState, ServerConfig};
use govpulse_store::audit::AuditRecord;
use govpulse_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

mod audit;
mod backup;
mod bench;
mod demo;
mod import;
mod org;

#[derive(Parser)]
#[command(
    name = "govpulse",
    version,
    about = "政务服务数字化运营管理系统 — government-service operations platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DatabaseArg {
    /// Database URL: sqlite://PATH (default) or postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "GOVPULSE_DATABASE_URL",
        default_value = "sqlite://data/govpulse.db"
    )]
    database: String,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve the API and web UI.
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        /// Listen address (overrides the config file and GOVPULSE_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// TOML configuration file (default: ./govpulse.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Load the demo organisation, demo accounts and demo data.
    Demo {
        #[command(flatten)]
        db: DatabaseArg,
        /// Number of random demo cases (a year's worth, ending today); a few dozen
        /// recent showcase cases that exercise every warning model come on top.
        #[arg(long, default_value_t = 20_000)]
        cases: u64,
        /// Random seed (the same seed and end day give the same data).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last day of the demo year, YYYY-MM-DD (default: up to midnight today).
        #[arg(long)]
        until: Option<String>,
        /// A CSV in the built-in item sample's columns whose item names the
        /// demo uses instead of the built-in sample's.
        #[arg(long)]
        items_sample: Option<std::path::PathBuf>,
        /// The city whose organisation the demo uses (GB/T 2260 code): 110000
        /// 北京市 or 320400 常州市.
        #[arg(long, default_value = "110000")]
        city: String,
    },
    /// Organisation master data.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Import a file of records (CSV, XLSX, JSON array or NDJSON).
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// items, consultations, cases, case-events or evaluations.
        #[arg(long)]
        kind: String,
        /// Source system whose collection rules apply.
        #[arg(long, default_value = "import")]
        source: String,
        /// The file to import.
        file: PathBuf,
    },
    /// Benchmarks that need no server (figures for BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Audit-log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Copy the database (while it serves) into FILE plus FILE.manifest.json
    /// (SHA-256, the audit chain's signed head). PostgreSQL uses pg_dump.
    Backup {
        #[command(flatten)]
        db: DatabaseArg,
        /// The backup file to create (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup made by `govpulse backup` into --database (a new
    /// SQLite file or an empty PostgreSQL database), prove its audit chain
    /// and certify it; exit 1 when the restored chain does not prove.
    Restore {
        #[command(flatten)]
        db: DatabaseArg,
        /// The backup file (its manifest must lie beside it).
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing SQLite file (stop the server first).
        #[arg(long)]
        force: bool,
    },
    /// API tokens for systems.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Evaluation archive tools.
    Evaluation {
        #[command(subcommand)]
        command: EvaluationCommand,
    },
    /// Print the OpenAPI document (as served at /api/openapi.json) without a
    /// server or database: the web client's types and the Python client are
    /// generated from it.
    Openapi,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Set up any city: import its regions (GB/T 2260 codes; levels
    /// 市/区县/街道乡镇/社区村) and departments from CSV or XLSX files; rows
    /// whose code exists are updated. Exit 1, storing nothing, when a row is wrong.
    Import {
        #[command(flatten)]
        db: DatabaseArg,
        /// Regions: code, name, optional level and parent_code, other columns
        /// as attributes.
        #[arg(long)]
        regions: Option<PathBuf>,
        /// Departments: code, name, region_code.
        #[arg(long)]
        departments: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum EvaluationCommand {
    /// Recompute the SHA-256 of every published evaluation archive; exit 0
    /// when all are intact, 1 naming each changed archive.
    Verify {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The crash harness: kill -9 a serving govpulse at random moments while
    /// it takes intake batches, rule saves and exports, then check nothing
    /// acknowledged was lost (needs `govpulse demo --cases 0` first); exit 1
    /// if anything was.
    Crash {
        #[command(flatten)]
        db: DatabaseArg,
        /// Kill-and-check rounds.
        #[arg(long, default_value_t = 100)]
        rounds: u32,
        /// Seed of the kill moments.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The evaluator on N synthetic open cases: catch-up pass, deadline pass,
    /// simulation, event → warning latency (needs an empty database).
    Monitoring {
        #[command(flatten)]
        db: DatabaseArg,
        /// Open cases to create.
        #[arg(long, default_value_t = 100_000)]
        open: u64,
    },
    /// The dashboard on N synthetic cases: data generation, cube build and
    /// refresh, overview/hot words at 50 and the case list at 500 concurrent
    /// clients over HTTP, GROUP BY comparison (needs an empty database).
    Dashboard {
        #[command(flatten)]
        db: DatabaseArg,
        /// Cases to create (with ≈ 1.3 consultations each and warnings on ≈ 15 %).
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        /// Seconds per HTTP load phase.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Evaluation (issue 13) and the data quality run (QC-2) over a year of N
    /// synthetic cases: every indicator's values per unit level, scoring,
    /// a test run, one quality run (needs an empty database).
    Evaluation {
        #[command(flatten)]
        db: DatabaseArg,
        /// Cases to create (the dashboard benchmark's, with stage events,
        /// evaluations, item versions and ≈ 0.5 % bad records).
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        /// Only another quality run, on a database this benchmark filled
        /// earlier the same day (prints its table only).
        #[arg(long)]
        quality_only: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-hash the keyed audit chain and compare it with the signed checkpoint;
    /// exit 0 when intact, 1 naming the first broken entry or the cut.
    Verify {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Print the current signed checkpoint (sequence number, hash, time, MAC)
    /// of an intact log, to lodge with an outside notary or ledger.
    Anchor {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; prints it alone on the last line (shown only once).
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        name: String,
        /// What the token may do, e.g. `intake`.
        #[arg(long)]
        scope: String,
    },
}

fn load_config(path: Option<&PathBuf>) -> anyhow::Result<ServerConfig> {
    let mut figment = Figment::from(Serialized::defaults(ServerConfig::default()));
    match path {
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None => figment = figment.merge(Toml::file("govpulse.toml")),
    }
    figment
        .merge(Env::prefixed("GOVPULSE_").ignore(&["database_url"]))
        .extract()
        .context("invalid configuration")
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Open the database with the default configuration (see [`open_with`]).
async fn open(db: &DatabaseArg) -> anyhow::Result<Store> {
    open_with(db, &load_config(None)?).await
}

/// Load the audit chain key from the key file first (every audit row this
/// process writes is keyed with it), then open and migrate the database.
async fn open_with(db: &DatabaseArg, config: &ServerConfig) -> anyhow::Result<Store> {
    govpulse_store::audit::use_chain_key(open_vault(config, db)?.audit_chain_key());
    let store = Store::open(&db.database)
        .await
        .with_context(|| format!("cannot open database {}", db.database))?;
    seed::builtin_seed(&store).await?;
    Ok(store)
}

/// The key file: `key_file` from the configuration, or beside the database.
fn key_path(config: &ServerConfig, db: &DatabaseArg) -> PathBuf {
    config
        .key_file
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or_else(|| default_key_path(&db.database))
}

/// The identity-number (and audit chain) key.
fn open_vault(config: &ServerConfig, db: &DatabaseArg) -> anyhow::Result<IdentityVault> {
    IdentityVault::open(&key_path(config, db))
}

/// The audit checkpoint file: configured, or beside the key file.
fn checkpoint_path(config: &ServerConfig, db: &DatabaseArg) -> PathBuf {
    config
        .audit_checkpoint_file
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            govpulse_server::audit_checkpoint::default_checkpoint_path(
                &key_path(config, db),
                &db.database,
            )
        })
}

fn cli_record(action: &str, details: serde_json::Value) -> AuditRecord {
    AuditRecord {
        actor: "cli".to_string(),
        ip: "local".to_string(),
        action: action.to_string(),
        object_type: "system".to_string(),
        object_id: String::new(),
        result: Outcome::Success,
        details,
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Openapi => {
            println!("{}", govpulse_server::openapi().to_pretty_json()?);
        }
        Command::Serve { db, bind, config } => {
            let mut config = load_config(config.as_ref())?;
            if let Some(bind) = bind {
                config.bind = bind;
            }
            init_logging(config.json_logs);
            let checkpoint = checkpoint_path(&config, &db);
            config.audit_checkpoint_file = Some(checkpoint.to_string_lossy().into_owned());
            let store = open_with(&db, &config).await?;
            if let Some(password) = seed::first_admin(&store).await? {
                println!(
                    "Created the first administrator: username `admin`, password `{password}`"
                );
                println!("It is shown only this once and must be changed at first login.");
            }
            let vault = open_vault(&config, &db)?;
            println!("govpulse listening on http://{}", config.bind);
            govpulse_server::serve(AppState::new(store, config, vault)).await?;
        }
        Command::Migrate { db } => {
            open(&db).await?.close().await;
            println!("database is up to date");
        }
        Command::Demo {
            db,
            cases,
            seed,
            until,
            items_sample,
            city,
        } => {
            let args = demo::DemoArgs {
                cases,
                seed,
                until,
                items_sample,
                city,
            };
            demo::run(&db, args).await?;
        }
        Command::Org {
            command:
                OrgCommand::Import {
                    db,
                    regions,
                    departments,
                },
        } => {
            let store = open(&db).await?;
            let clean = org::import(&store, regions, departments).await;
            store.close().await;
            if !clean? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Import {
            db,
            kind,
            source,
            file,
        } => {
            let store = open(&db).await?;
            let vault = open_vault(&load_config(None)?, &db)?;
            let clean = import::run(&store, &vault, &kind, &source, &file).await?;
            // A bulk load changes the data's shape: refresh planner statistics.
            store.optimize().await?;
            store.close().await;
            if !clean {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Bench {
            command: BenchCommand::Monitoring { db, open },
        } => {
            let store = self::open(&db).await?;
            let vault = open_vault(&load_config(None)?, &db)?;
            bench::monitoring(&store, &vault, open).await?;
            store.close().await;
        }
        Command::Bench {
            command: BenchCommand::Crash { db, rounds, seed },
        } => {
            let store = self::open(&db).await?;
            let findings = bench::crash::crash(&store, &db.database, rounds, seed).await;
            store.close().await;
            let findings = findings?;
            let backend = db.database.split(':').next().unwrap_or("?").to_string();
            bench::crash::print(&backend, &findings);
            if !findings.clean() {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Bench {
            command: BenchCommand::Dashboard { db, cases, seconds },
        } => {
            let store = self::open(&db).await?;
            bench::dashboard::run(&store, &db.database, cases, seconds).await?;
            store.close().await;
        }
        Command::Bench {
            command:
                BenchCommand::Evaluation {
                    db,
                    cases,
                    quality_only,
                },
        } => {
            let store = self::open(&db).await?;
            bench::evaluation(&store, &db.database, cases, quality_only).await?;
            store.close().await;
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            let config = load_config(None)?;
            let store = open_with(&db, &config).await?;
            let intact = audit::verify(&store, &checkpoint_path(&config, &db)).await;
            store.close().await;
            if !intact? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Audit {
            command: AuditCommand::Anchor { db },
        } => {
            let config = load_config(None)?;
            let store = open_with(&db, &config).await?;
            let anchored = audit::anchor(&store, &checkpoint_path(&config, &db)).await;
            store.close().await;
            if !anchored? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Backup { db, out } => {
            let store = open(&db).await?;
            store
                .audit(&cli_record(
                    "system.backup",
                    serde_json::json!({ "file": out.display().to_string() }),
                ))
                .await?;
            let manifest = backup::backup(&store, &db.database, &out).await;
            store.close().await;
            let manifest = manifest?;
            println!(
                "backup {} ({} bytes, sha256 {}) holds the audit log up to entry {}; manifest {}",
                out.display(),
                manifest.bytes,
                manifest.sha256,
                manifest.audit_head.seq,
                backup::manifest_path(&out).display()
            );
        }
        Command::Restore { db, from, force } => {
            let config = load_config(None)?;
            let manifest = backup::restore(&db.database, &from, force).await?;
            let store = open_with(&db, &config).await?;
            let record = cli_record(
                "system.restore",
                serde_json::json!({
                    "file": from.display().to_string(),
                    "backup_created_at": manifest.created_at,
                    "audit_head": manifest.audit_head.seq,
                }),
            );
            let certified =
                backup::certify(&store, &manifest, &checkpoint_path(&config, &db), &record).await;
            let counts = store.table_row_counts().await;
            store.close().await;
            if !certified? {
                return Ok(ExitCode::from(1));
            }
            let counts = counts?;
            let rows: i64 = counts.iter().map(|(_, n)| n).sum();
            println!(
                "restored {}: {} tables, {rows} rows; audit log proved up to entry {} of the backup",
                from.display(),
                counts.len(),
                manifest.audit_head.seq
            );
        }
        Command::Evaluation {
            command: EvaluationCommand::Verify { db },
        } => {
            let store = open(&db).await?;
            let checked = govpulse_server::evaluation::archive::changed_archives(&store).await;
            store.close().await;
            let (total, changed) = checked?;
            for (id, period) in &changed {
                println!("archive {id} (period {period}) changed: its checksum no longer matches");
            }
            if !changed.is_empty() {
                return Ok(ExitCode::from(1));
            }
            println!("{total} evaluation archives intact");
        }
        Command::Token {
            command: TokenCommand::Create { db, name, scope },
        } => {
            if let Err((_, message)) =
                govpulse_server::identity::tokens::check_token_request(&name, &scope)
            {
                anyhow::bail!("{message}");
            }
            let store = open(&db).await?;
            let record = cli_record(
                "token.create",
                serde_json::json!({ "name": name, "scope": scope }),
            );
            let (id, token) =
                govpulse_server::identity::tokens::issue_token(&store, &name, &scope, &record)
                    .await?;
            store.close().await;
            println!(
                "created API token #{id} `{name}` with scope `{scope}`; it is shown only once:"
            );
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
