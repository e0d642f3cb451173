//! `govpulse bench crash`: the crash harness (issue 11, item 12). A real
//! `govpulse serve` takes intake batches, rule saves and export requests —
//! and the evaluator works through the new cases — until it is killed with
//! SIGKILL at a random moment; then, round after round:
//! - every acknowledged batch is whole, and no batch is half there;
//! - the rule's version is at least the last one acknowledged;
//! - every acknowledged export job exists;
//! - the audit chain re-hashes intact.
//!
//! It prints one Markdown row of counts (every "lost" or "half" must be 0).

use anyhow::{bail, Context};
use govpulse_core::idnumber::citizen_id_check;
use govpulse_store::Store;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BATCH: u32 = 200;

/// What the rounds found.
#[derive(Debug, Default)]
pub struct CrashFindings {
    pub rounds: u32,
    pub batches_acknowledged: usize,
    pub batches_lost: usize,
    pub batches_half: usize,
    pub rule_saves_acknowledged: usize,
    pub rule_versions_lost: usize,
    pub exports_acknowledged: usize,
    pub exports_lost: usize,
    pub audit_broken: usize,
    pub restart_ms: Vec<u64>,
}

impl CrashFindings {
    /// Whether nothing acknowledged was lost and nothing was left half-done.
    pub fn clean(&self) -> bool {
        self.batches_lost
            + self.batches_half
            + self.rule_versions_lost
            + self.exports_lost
            + self.audit_broken
            == 0
    }
}

/// A small deterministic generator for the kill moments (xorshift).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + self.0 % (high - low)
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database: &str, port: u16) -> anyhow::Result<Self> {
        let child = Command::new(std::env::current_exe()?)
            .args([
                "serve",
                "--database",
                database,
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .env("GOVPULSE_LOGIN_RATE_PER_MINUTE", "100000")
            .env("GOVPULSE_INTAKE_RATE_PER_MINUTE", "100000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start govpulse serve")?;
        Ok(Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        })
    }

    /// Wait for `/readyz`; how long it took.
    async fn ready(&self, http: &reqwest::Client) -> anyhow::Result<Duration> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = http.get(format!("{}/readyz", self.base)).send().await {
                if r.status().is_success() {
                    return Ok(started.elapsed());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server never became ready")
    }

    fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

fn person_id(n: u32) -> String {
    let body = format!("110105198001{:02}{:03}", 1 + n % 28, n % 1000);
    let check = citizen_id_check(&body).unwrap_or('0');
    format!("{body}{check}")
}

fn batch_body(round: u32, batch: u32) -> String {
    (0..BATCH)
        .map(|i| {
            json!({
                "case_code": format!("CRASH-{round}-{batch}-{i}"), "item_code": "CRASH-ITEM",
                "applicant_type": "person", "applicant_id": person_id(i), "applicant_name": "测试",
                "region_code": "110105", "department_code": "110105D001", "channel": "online",
                "submitted_at": "2026-03-02T09:00:00+08:00"
            })
            .to_string()
                + "\n"
        })
        .collect()
}

/// A signed-in session of the demo city operator: (cookie, CSRF token).
async fn sign_in(http: &reqwest::Client, base: &str) -> anyhow::Result<(String, String)> {
    let response = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "city", "password": "City@12345"}))
        .send()
        .await?;
    let cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .context("no session cookie: run `govpulse demo --cases 0` first")?;
    let body: Value = response.json().await?;
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    Ok((cookie, csrf))
}

fn watch_rule(step: u64) -> Value {
    json!({
        "code": "crash_watch", "name": "崩溃测试关注", "stage": "acceptance", "type": "custom",
        "description": format!("step {step}"),
        "condition": {"all": [{"field": "item", "op": "eq", "value": "CRASH-ITEM"}]},
        "levels": [{"key": "blue", "name": "蓝灯", "colour": "#409EFF", "handling_hours": 72,
                    "template": "{{办件编号}}", "condition": {"all": []}}]
    })
}

/// What one round's writers were told had succeeded.
#[derive(Default)]
struct Acknowledged {
    batches: Vec<u32>,
    attempted_batches: u32,
    rule_version: i64,
    rule_saves: usize,
    exports: Vec<i64>,
}

/// Write until killed: batches, rule saves and export requests in parallel.
async fn load(
    base: String,
    token: String,
    session: (String, String),
    round: u32,
    acks: Arc<Mutex<Acknowledged>>,
) {
    let http = reqwest::Client::new();
    let intake = {
        let (http, base, acks) = (http.clone(), base.clone(), acks.clone());
        async move {
            for batch in 0.. {
                acks.lock()
                    .map(|mut a| a.attempted_batches = batch + 1)
                    .ok();
                let sent = http
                    .post(format!("{base}/api/v1/intake/cases"))
                    .bearer_auth(&token)
                    .header("content-type", "application/x-ndjson")
                    .body(batch_body(round, batch))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        acks.lock().map(|mut a| a.batches.push(batch)).ok();
                    }
                    _ => return,
                }
            }
        }
    };
    let rules = {
        let (http, base, acks, (cookie, csrf)) =
            (http.clone(), base.clone(), acks.clone(), session.clone());
        async move {
            for step in 0.. {
                let sent = http
                    .put(format!("{base}/api/v1/warning-rules/crash_watch"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .json(&watch_rule(step))
                    .send()
                    .await;
                let Ok(response) = sent else { return };
                if !response.status().is_success() {
                    return;
                }
                let Ok(body) = response.json::<Value>().await else {
                    return;
                };
                if let Ok(mut a) = acks.lock() {
                    a.rule_version = a.rule_version.max(body["version"].as_i64().unwrap_or(0));
                    a.rule_saves += 1;
                }
            }
        }
    };
    let export = {
        let (cookie, csrf) = session;
        async move {
            let sent = http
                .post(format!("{base}/api/v1/exports"))
                .header("cookie", &cookie)
                .header("x-csrf-token", &csrf)
                .json(&json!({"source": "cases", "format": "csv"}))
                .send()
                .await;
            if let Ok(response) = sent {
                if response.status().is_success() {
                    if let Ok(body) = response.json::<Value>().await {
                        acks.lock()
                            .map(|mut a| a.exports.extend(body["id"].as_i64()))
                            .ok();
                    }
                }
            }
        }
    };
    tokio::join!(intake, rules, export);
}

/// Run `rounds` kill-and-check rounds against `database` (prepared by
/// `govpulse demo --cases 0`); `store` is the same database, for the checks.
pub async fn crash(
    store: &Store,
    database: &str,
    rounds: u32,
    seed: u64,
) -> anyhow::Result<CrashFindings> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let record = crate::cli_record("token.create", json!({"name": "crash-harness"}));
    let (_, token) =
        govpulse_server::identity::tokens::issue_token(store, "crash-harness", "intake", &record)
            .await?;
    let http = reqwest::Client::new();
    let mut server = Server::start(database, port)?;
    server.ready(&http).await?;
    let item = json!({"item_code": "CRASH-ITEM", "name": "崩溃测试事项", "item_type_code": "01",
        "department_code": "110105D001", "region_code": "110105"});
    let created = http
        .post(format!("{}/api/v1/items", server.base))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(item.to_string())
        .send()
        .await?;
    anyhow::ensure!(
        created.status().is_success(),
        "item intake refused: {}",
        created.status()
    );
    let session = sign_in(&http, &server.base).await?;
    let saved = http
        .post(format!("{}/api/v1/warning-rules", server.base))
        .header("cookie", &session.0)
        .header("x-csrf-token", &session.1)
        .json(&watch_rule(0))
        .send()
        .await?;
    anyhow::ensure!(
        saved.status().is_success(),
        "rule refused: {}",
        saved.status()
    );

    let mut moments = Moments(seed.max(1));
    let mut findings = CrashFindings::default();
    let mut version_floor = 0;
    for round in 0..rounds {
        let session = sign_in(&http, &server.base).await?;
        let acks = Arc::new(Mutex::new(Acknowledged::default()));
        let writers = tokio::spawn(load(
            server.base.clone(),
            token.clone(),
            session,
            round,
            acks.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(moments.next_ms(100, 1500))).await;
        server.kill()?;
        writers.abort();
        let _ = writers.await;
        let acks = std::mem::take(&mut *acks.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);

        for batch in 0..acks.attempted_batches {
            let stored = store
                .count_with_prefix("cases", "case_code", &format!("CRASH-{round}-{batch}-"))
                .await?;
            let acknowledged = acks.batches.contains(&batch);
            if stored != 0 && stored != i64::from(BATCH) {
                findings.batches_half += 1;
            } else if acknowledged && stored == 0 {
                findings.batches_lost += 1;
            }
        }
        findings.batches_acknowledged += acks.batches.len();
        if store.verify_audit().await?.first_broken.is_some() {
            findings.audit_broken += 1;
        }

        server = Server::start(database, port)?;
        let took = server.ready(&http).await?;
        findings
            .restart_ms
            .push(u64::try_from(took.as_millis()).unwrap_or(u64::MAX));
        let (cookie, csrf) = sign_in(&http, &server.base).await?;
        version_floor = version_floor.max(acks.rule_version);
        let rule: Value = http
            .get(format!("{}/api/v1/warning-rules/crash_watch", server.base))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .send()
            .await?
            .json()
            .await?;
        if rule["version"].as_i64().unwrap_or(0) < version_floor {
            findings.rule_versions_lost += 1;
        }
        findings.rule_saves_acknowledged += acks.rule_saves;
        for id in &acks.exports {
            let found = http
                .get(format!("{}/api/v1/exports/{id}", server.base))
                .header("cookie", &cookie)
                .send()
                .await?;
            if !found.status().is_success() {
                findings.exports_lost += 1;
            }
        }
        findings.exports_acknowledged += acks.exports.len();
        findings.rounds += 1;
    }
    server.kill()?;
    Ok(findings)
}

/// The findings as one Markdown table row (after the header of `print`).
pub fn print(backend: &str, findings: &CrashFindings) {
    let mut restart = findings.restart_ms.clone();
    restart.sort_unstable();
    let percentile = |p: usize| {
        restart
            .get((restart.len().saturating_sub(1)) * p / 100)
            .copied()
            .unwrap_or(0)
    };
    println!("| backend | kills | batches acknowledged | lost | half | rule saves acknowledged | versions lost | exports acknowledged | lost | audit broken | restart to ready p50 / p99 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {backend} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} ms / {} ms |",
        findings.rounds,
        findings.batches_acknowledged,
        findings.batches_lost,
        findings.batches_half,
        findings.rule_saves_acknowledged,
        findings.rule_versions_lost,
        findings.exports_acknowledged,
        findings.exports_lost,
        findings.audit_broken,
        percentile(50),
        percentile(99),
    );
}
