//! HTTP on the real router: overview and hot words under closed-loop load,
//! the case list under wrk (or the tokio client loop), single requests.

use anyhow::{ensure, Context};
use govpulse_core::dashboard::cube::STAGES;
use govpulse_core::dashboard::query::Filter;
use govpulse_server::AppState;
use govpulse_store::org::OrgScope;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::direct::{city_filter, Direct};
use super::wrk::{wrk, wrk_installed};
use super::{
    date, department_code, item_code, median, percentile, LoadRow, Report, Rng,
    DEPARTMENTS_PER_DISTRICT, DISTRICTS, FOCUS_DISTRICT, LIST_CONNECTIONS, OVERVIEW_CLIENTS,
    PERIODS,
};

#[derive(Clone)]
struct Req {
    class: usize,
    path: String,
    cookie: usize,
}

struct Sample {
    class: usize,
    ms: f64,
    ok: bool,
}

pub(super) fn http_client(connections: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(120))
        .build()?)
}

/// Log in; the session cookie (`gp_session=…`).
pub(super) async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<String> {
    let response = http_client(1)?
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    ensure!(
        response.status().is_success(),
        "login {username}: {}",
        response.status()
    );
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gp_session="))
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?;
    Ok(cookie.to_string())
}

/// `clients` closed loops (each sends its next request when the previous
/// answered) over `reqs` for `seconds`, on a thread and runtime of their own so
/// the server's workers are not shared with the clients.
async fn closed_loop(
    base: &str,
    cookies: &[String],
    reqs: Vec<Req>,
    clients: usize,
    seconds: f64,
) -> anyhow::Result<(Vec<Sample>, f64)> {
    let base = base.to_string();
    let cookies = Arc::new(cookies.to_vec());
    let reqs = Arc::new(reqs);
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let result = (|| -> anyhow::Result<(Vec<Sample>, f64)> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let http = http_client(clients)?;
                let started = Instant::now();
                let deadline = started + Duration::from_secs_f64(seconds);
                let mut tasks = tokio::task::JoinSet::new();
                for client in 0..clients {
                    let (http, base, cookies, reqs) =
                        (http.clone(), base.clone(), cookies.clone(), reqs.clone());
                    tasks.spawn(async move {
                        let mut samples = Vec::new();
                        let mut next = client * 7919;
                        while Instant::now() < deadline {
                            let req = &reqs[next % reqs.len()];
                            next += clients;
                            let sent = Instant::now();
                            let ok = match http
                                .get(format!("{base}{}", req.path))
                                .header("cookie", &cookies[req.cookie])
                                .send()
                                .await
                            {
                                Ok(response) => {
                                    let success = response.status().is_success();
                                    response.bytes().await.is_ok() && success
                                }
                                Err(_) => false,
                            };
                            samples.push(Sample {
                                class: req.class,
                                ms: sent.elapsed().as_secs_f64() * 1000.0,
                                ok,
                            });
                        }
                        samples
                    });
                }
                let mut all = Vec::new();
                while let Some(samples) = tasks.join_next().await {
                    all.extend(samples?);
                }
                Ok((all, started.elapsed().as_secs_f64()))
            })
        })();
        let _ = tx.send(result);
    });
    rx.await.context("load thread")?
}

fn load_row(
    name: &str,
    concurrency: usize,
    samples: &[Sample],
    seconds: f64,
    classes: &[&str],
) -> LoadRow {
    let mut all: Vec<f64> = samples.iter().map(|s| s.ms).collect();
    all.sort_by(f64::total_cmp);
    let by_class = classes
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut ms: Vec<f64> = samples
                .iter()
                .filter(|s| s.class == i)
                .map(|s| s.ms)
                .collect();
            ms.sort_by(f64::total_cmp);
            format!("{label} {:.0}", percentile(&ms, 0.99))
        })
        .collect::<Vec<_>>()
        .join(" / ");
    LoadRow {
        name: name.to_string(),
        concurrency,
        requests: samples.len(),
        seconds,
        errors: samples.iter().filter(|s| !s.ok).count(),
        p50: percentile(&all, 0.5),
        p95: percentile(&all, 0.95),
        p99: percentile(&all, 0.99),
        max: all.last().copied().unwrap_or(0.0),
        by_class,
    }
}

/// One random overview query: period, region, department, item, stage and
/// applicant type each drawn independently (half the time left out).
pub(super) struct Combo {
    /// Index into `PERIODS`.
    pub(super) period: usize,
    region: Option<String>,
    department: Option<String>,
    item: Option<String>,
    stage: Option<&'static str>,
    applicant_type: Option<&'static str>,
}

impl Combo {
    /// For the city user (any district) or the district user (its streets).
    pub(super) fn random(rng: &mut Rng, streets: &[String], district_user: bool) -> Self {
        let period = rng.below(PERIODS.len());
        let (district, region) = if district_user {
            let street = (rng.coin() && !streets.is_empty())
                .then(|| streets[rng.below(streets.len())].clone());
            (FOCUS_DISTRICT, street)
        } else {
            let district = DISTRICTS[rng.below(DISTRICTS.len())];
            (district, rng.coin().then(|| district.to_string()))
        };
        let j = ((rng.below(400) * rng.below(400)) / 400) as i64;
        let department = rng
            .coin()
            .then(|| department_code(district, j % DEPARTMENTS_PER_DISTRICT));
        let item = rng.coin().then(|| item_code(district, j));
        let stage = rng.coin().then(|| STAGES[rng.below(STAGES.len())]);
        let applicant_type = match rng.below(3) {
            0 => Some("person"),
            1 => Some("org"),
            _ => None,
        };
        Self {
            period,
            region,
            department,
            item,
            stage,
            applicant_type,
        }
    }

    fn path(&self, today: i64) -> String {
        let days = PERIODS[self.period];
        let mut path = format!(
            "/api/v1/dashboard/overview?from={}&to={}",
            date(today - days + 1),
            date(today)
        );
        for (name, value) in [
            ("region", self.region.as_deref()),
            ("department", self.department.as_deref()),
            ("item", self.item.as_deref()),
            ("stage", self.stage),
            ("applicant_type", self.applicant_type),
        ] {
            if let Some(value) = value {
                path.push_str(&format!("&{name}={value}"));
            }
        }
        path
    }

    /// The cube filter the API resolves this to for the city user.
    pub(super) fn city_filter(&self, today: i64) -> Filter {
        let mut filter = city_filter(
            today - PERIODS[self.period] + 1,
            today,
            self.region.as_deref(),
        );
        filter.departments = self.department.iter().cloned().collect();
        filter.item = self.item.clone();
        filter.stage = self.stage.map(String::from);
        filter.applicant_type = self.applicant_type.map(String::from);
        filter
    }
}

fn overview_requests(
    rng: &mut Rng,
    today: i64,
    streets: &[String],
    district_user: bool,
) -> Vec<Req> {
    (0..4000)
        .map(|_| {
            let combo = Combo::random(rng, streets, district_user);
            Req {
                class: combo.period,
                path: combo.path(today),
                cookie: usize::from(district_user),
            }
        })
        .collect()
}

/// The case list queries: (label, path, cookie index: 0 city, 1 chaoyang).
fn list_queries(today: i64, page: usize) -> Vec<(&'static str, String, usize)> {
    let month = format!("&from={}&to={}", date(today - 29), date(today));
    let base = format!("/api/v1/cases?page={page}&size=20");
    vec![
        ("city, no filter", base.clone(), 0),
        ("city, one district", format!("{base}&region=110108"), 0),
        ("city, last 30 days", format!("{base}{month}"), 0),
        (
            "city, district + department + status",
            format!("{base}&region=110108&department=110108D003&status=accepted"),
            0,
        ),
        (
            "city, one item",
            format!("{base}&item={}", item_code("110106", 5)),
            0,
        ),
        ("chaoyang, no filter", base.clone(), 1),
        (
            "chaoyang, accepted, last 30 days",
            format!("{base}&status=accepted{month}"),
            1,
        ),
    ]
}

/// Case list at `LIST_CONNECTIONS` connections: wrk when installed (random
/// query of the list per request), else the tokio client loop.
async fn list_load(
    base: &str,
    cookies: &[String],
    today: i64,
    seconds: f64,
) -> anyhow::Result<LoadRow> {
    let mut entries = Vec::new();
    for page in 1..=5 {
        for (_, path, cookie) in list_queries(today, page) {
            entries.push(Req {
                class: 0,
                path,
                cookie,
            });
        }
    }
    if !wrk_installed() {
        let (samples, elapsed) =
            closed_loop(base, cookies, entries, LIST_CONNECTIONS, seconds).await?;
        return Ok(load_row(
            "GET /api/v1/cases (tokio client loop)",
            LIST_CONNECTIONS,
            &samples,
            elapsed,
            &[],
        ));
    }
    let requests = entries
        .iter()
        .map(|e| (e.path.clone(), cookies[e.cookie].clone()))
        .collect();
    let w = wrk(base, vec![(1.0, requests)], LIST_CONNECTIONS, seconds, 60).await?;
    Ok(LoadRow {
        name: "GET /api/v1/cases?page=&size=20 (wrk, 7 queries × 5 pages, city + chaoyang)"
            .to_string(),
        concurrency: LIST_CONNECTIONS,
        requests: w.requests,
        seconds,
        errors: w.non_2xx + w.socket + w.timeouts,
        p50: w.p50,
        p95: 0.0,
        p99: w.p99,
        max: w.max,
        by_class: format!("p75 {:.0} / p90 {:.0}", w.p75, w.p90),
    })
}

/// Each list query alone (one client, median of 5): where the list time goes.
async fn list_single(
    base: &str,
    cookies: &[String],
    today: i64,
) -> anyhow::Result<Vec<(String, i64, f64)>> {
    let http = http_client(1)?;
    let mut out = Vec::new();
    for (label, path, cookie) in list_queries(today, 1) {
        let mut samples = Vec::new();
        let mut total = 0;
        for _ in 0..6 {
            let started = Instant::now();
            let response = http
                .get(format!("{base}{path}"))
                .header("cookie", &cookies[cookie])
                .send()
                .await?;
            ensure!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let body: serde_json::Value = response.json().await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            total = body["total"].as_i64().unwrap_or(0);
        }
        out.push((label.to_string(), total, median(samples[1..].to_vec())));
    }
    Ok(out)
}

pub(super) async fn http_phase(
    state: &AppState,
    direct: &Direct,
    today: i64,
    seconds: f64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = govpulse_server::router(state.clone());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let cookies = vec![
        login(&base, "city", "City@12345").await?,
        login(&base, "chaoyang", "Chaoyang@123").await?,
    ];
    if !super::lists_only() {
        dashboard_http(state, &base, &cookies, today, seconds, report).await?;
    }
    if !super::dashboard_only() {
        super::lists::lists_phase(
            state,
            direct,
            &base,
            today,
            report.cases,
            &mut report.list_report,
        )
        .await?;
    }
    server.abort();
    Ok(())
}

/// Overview and hot words under closed-loop load, the issue-5 case list rows.
async fn dashboard_http(
    state: &AppState,
    base: &str,
    cookies: &[String],
    today: i64,
    seconds: f64,
    report: &mut Report,
) -> anyhow::Result<()> {
    let streets: Vec<String> = state
        .store
        .list_regions(&OrgScope::default())
        .await?
        .into_iter()
        .filter(|r| r.parent_code.as_deref() == Some(FOCUS_DISTRICT))
        .map(|r| r.code)
        .collect();
    let mut rng = Rng(20_261_121);
    let periods = ["7 d", "30 d", "90 d", "365 d"];

    let reqs = overview_requests(&mut rng, today, &streets, false);
    let (samples, elapsed) = closed_loop(base, cookies, reqs.clone(), 1, seconds / 2.0).await?;
    report.loads.push(load_row(
        "GET /dashboard/overview, city user, random filters",
        1,
        &samples,
        elapsed,
        &periods,
    ));
    for clients in [OVERVIEW_CLIENTS, LIST_CONNECTIONS] {
        let (samples, elapsed) = closed_loop(base, cookies, reqs.clone(), clients, seconds).await?;
        report.loads.push(load_row(
            "GET /dashboard/overview, city user, random filters",
            clients,
            &samples,
            elapsed,
            &periods,
        ));
        eprintln!(
            "overview city, {clients} clients: {} requests",
            samples.len()
        );
    }

    let reqs = overview_requests(&mut rng, today, &streets, true);
    let (samples, elapsed) = closed_loop(base, cookies, reqs, OVERVIEW_CLIENTS, seconds).await?;
    report.loads.push(load_row(
        "GET /dashboard/overview, chaoyang user, random filters",
        OVERVIEW_CLIENTS,
        &samples,
        elapsed,
        &periods,
    ));
    eprintln!("overview chaoyang: {} requests", samples.len());

    // Hot words over the last 30 days: the first call segments every question.
    let month = format!("from={}&to={}", date(today - 29), date(today));
    let started = Instant::now();
    let response = http_client(1)?
        .get(format!("{base}/api/v1/dashboard/hotwords?{month}"))
        .header("cookie", &cookies[0])
        .send()
        .await?;
    ensure!(
        response.status().is_success(),
        "hot words: {}",
        response.status()
    );
    response.bytes().await?;
    report.hotwords_cold_ms = started.elapsed().as_secs_f64() * 1000.0;
    let reqs: Vec<Req> = (0..400)
        .map(|i| {
            let mut path = format!("/api/v1/dashboard/hotwords?{month}");
            if i % 2 == 1 {
                path.push_str(&format!(
                    "&region={}",
                    DISTRICTS[rng.below(DISTRICTS.len())]
                ));
            }
            Req {
                class: 0,
                path,
                cookie: 0,
            }
        })
        .collect();
    let (samples, elapsed) =
        closed_loop(base, cookies, reqs, OVERVIEW_CLIENTS, seconds / 2.0).await?;
    report.loads.push(load_row(
        "GET /dashboard/hotwords, 30 d, warm",
        OVERVIEW_CLIENTS,
        &samples,
        elapsed,
        &[],
    ));
    eprintln!("hot words: cold {:.0} ms", report.hotwords_cold_ms);

    report
        .loads
        .push(list_load(base, cookies, today, seconds).await?);
    report.lists = list_single(base, cookies, today).await?;
    Ok(())
}
