//! Issue 10: every list endpoint under wrk at `LIST_CONNECTIONS` connections,
//! in one run with `GET /api/v1/me` as the ceiling, and each list's pages one
//! request at a time.
//!
//! - One wrk row per list and reader, `LIST_SECONDS` each (`BENCH_LIST_SECONDS`
//!   overrides, for smoke runs), `--timeout 2s`. The request mix: random
//!   first pages (filters and sorts of the list), `page=2..10` offset pages,
//!   and `after=` pages that a plain client walked before the load by
//!   following `next` up to page `DEEP_PAGE` — half of the walked queries
//!   unfiltered, so deep pages exist whatever the filters match.
//! - Single requests (one client): the plain first page (default sort, 20
//!   rows) cold (its total counted) and warm, the `after=` pages 2..50 and
//!   `page=10`.
//! - `BENCH_LISTS_SLOWEST=N` prints each row's N slowest URLs, timed alone.

use anyhow::ensure;
use govpulse_server::AppState;
use govpulse_store::org::OrgScope;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::direct::Direct;
use super::http::{http_client, login};
use super::list_data::{self, ListRows};
use super::list_queries::{Ctx, List, Who, LISTS};
use super::wrk::{wrk, wrk_installed, WrkStats};
use super::{median, Rng, DISTRICTS, LIST_CONNECTIONS};

/// Seconds per wrk row (issue 10: at least 30).
const LIST_SECONDS: u64 = 30;
/// wrk's `--timeout`: a slower answer counts as a timeout, not as a latency.
const TIMEOUT_S: u64 = 2;
/// Distinct URLs per row: random first pages, offset pages, walked queries.
const FIRST_PAGES: usize = 64;
const OFFSET_PAGES: usize = 32;
const CHAINS: usize = 8;
/// Cursor walks stop at this page (or after `WALK_BUDGET`).
const DEEP_PAGE: usize = 50;
const WALK_BUDGET: Duration = Duration::from_secs(60);
/// Shares of the wrk requests: first pages, `page=2..10`, `after=` pages.
const SHARES: [f64; 3] = [0.5, 0.2, 0.3];
/// Warm repeats of a single request.
const REPEATS: usize = 5;
/// A 503 answer before the load is retried this many times, this far apart.
const BUSY_RETRIES: u32 = 60;
const BUSY_PAUSE: Duration = Duration::from_millis(500);

/// What the lists phase measured.
#[derive(Default)]
pub(super) struct ListsReport {
    pub(super) rows: ListRows,
    pub(super) seconds: u64,
    /// `GET /api/v1/me` under the same load: the ceiling.
    pub(super) me: Option<WrkStats>,
    pub(super) loads: Vec<ListLoad>,
    pub(super) singles: Vec<ListSingle>,
}

pub(super) struct ListLoad {
    pub(super) list: &'static str,
    pub(super) user: &'static str,
    /// Distinct URLs in the mix: first pages, `page=2..10`, `after=` pages.
    pub(super) urls: [usize; 3],
    /// Deepest page a cursor walk reached.
    pub(super) deepest: usize,
    pub(super) stats: WrkStats,
}

pub(super) struct ListSingle {
    pub(super) list: &'static str,
    pub(super) user: &'static str,
    pub(super) total: i64,
    pub(super) exact: bool,
    /// The first request (its total is counted), then the median of `REPEATS`.
    pub(super) cold_ms: f64,
    pub(super) warm_ms: f64,
    /// Median of the `after=` pages from 2 on, and the deepest page reached.
    pub(super) cursor: Option<(f64, usize)>,
    /// `page=10`, median of 3.
    pub(super) offset_ms: f64,
}

/// The lists to measure: those whose path contains one of the comma-separated
/// words of `BENCH_LISTS` (e.g. `work-orders`), or every list.
fn selected_lists() -> Vec<List> {
    let words: Vec<String> = std::env::var("BENCH_LISTS")
        .unwrap_or_default()
        .split(',')
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect();
    LISTS
        .into_iter()
        .filter(|list| words.is_empty() || words.iter().any(|w| list.path().contains(w.as_str())))
        .collect()
}

/// `BENCH_LIST_SECONDS` or `LIST_SECONDS`.
fn list_seconds() -> u64 {
    std::env::var("BENCH_LIST_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|s| *s > 0)
        .unwrap_or(LIST_SECONDS)
}

/// `BENCH_LISTS_SLOWEST=N`: before each row's load, time every URL of its mix
/// once (one client) and print the N slowest, to find what a row's p99 is made of.
fn slowest_wanted() -> Option<usize> {
    std::env::var("BENCH_LISTS_SLOWEST")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
}

async fn print_slowest(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    groups: [&Vec<String>; 3],
    count: usize,
) -> anyhow::Result<()> {
    let mut timed = Vec::new();
    for path in groups.into_iter().flatten() {
        timed.push((get(http, base, cookie, path).await?.1, path.as_str()));
    }
    timed.sort_by(|a, b| b.0.total_cmp(&a.0));
    let all: f64 = timed.iter().map(|t| t.0).sum();
    eprintln!("  {} URLs, {all:.0} ms in all; the slowest:", timed.len());
    for (ms, path) in timed.into_iter().take(count) {
        eprintln!("  {ms:8.1} ms  {path}");
    }
    Ok(())
}

/// GET `path`: its JSON and milliseconds; a non-2xx answer is an error.
///
/// A 503 `server.busy` (the overload guard, still draining the previous
/// row's abandoned requests) is retried after a pause, up to `BUSY_RETRIES`
/// times: the walks and single requests measure pages, not the guard.
async fn get(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
) -> anyhow::Result<(serde_json::Value, f64)> {
    let mut attempt = 0;
    loop {
        let started = Instant::now();
        let response = http
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status == reqwest::StatusCode::SERVICE_UNAVAILABLE && attempt < BUSY_RETRIES {
            attempt += 1;
            tokio::time::sleep(BUSY_PAUSE).await;
            continue;
        }
        ensure!(
            status.is_success(),
            "GET {path}: {status} {}",
            body.chars().take(300).collect::<String>()
        );
        return Ok((serde_json::from_str(&body)?, ms));
    }
}

/// Follow `next` from the first page of `path` up to `DEEP_PAGE` (or for
/// `WALK_BUDGET`): the `after=` path of each page from 2 on, with its time.
async fn walk(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
) -> anyhow::Result<Vec<(String, f64)>> {
    let started = Instant::now();
    let (mut body, _) = get(http, base, cookie, path).await?;
    let mut pages = Vec::new();
    while pages.len() + 1 < DEEP_PAGE && started.elapsed() < WALK_BUDGET {
        let Some(next) = body["next"].as_str() else {
            break;
        };
        // Cursors are URL-safe base64.
        let after = format!("{path}&after={next}");
        let (page, ms) = get(http, base, cookie, &after).await?;
        pages.push((after, ms));
        body = page;
    }
    Ok(pages)
}

/// The plain first page alone: cold, warm, by cursor to page 50, `page=10`.
async fn single(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    list: List,
    who: Who,
) -> anyhow::Result<ListSingle> {
    let path = list.plain();
    let (body, cold_ms) = get(http, base, cookie, &path).await?;
    let mut warm = Vec::new();
    for _ in 0..REPEATS {
        warm.push(get(http, base, cookie, &path).await?.1);
    }
    let pages = walk(http, base, cookie, &path).await?;
    let cursor =
        (!pages.is_empty()).then(|| (median(pages.iter().map(|p| p.1).collect()), pages.len() + 1));
    let mut offset = Vec::new();
    for _ in 0..3 {
        offset.push(get(http, base, cookie, &format!("{path}&page=10")).await?.1);
    }
    Ok(ListSingle {
        list: list.path(),
        user: who.username(),
        total: body["total"].as_i64().unwrap_or(0),
        exact: body["total_exact"].as_bool().unwrap_or(true),
        cold_ms,
        warm_ms: median(warm),
        cursor,
        offset_ms: median(offset),
    })
}

/// One wrk row: the list as `who` over a random mix of first, offset and
/// cursor pages.
async fn load(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    (list, who): (List, Who),
    ctx: &Ctx,
    seed: u64,
    seconds: u64,
) -> anyhow::Result<ListLoad> {
    let mut rng = Rng(seed);
    let first: Vec<String> = (0..FIRST_PAGES)
        .map(|_| list.random(&mut rng, ctx, who))
        .collect();
    let offset: Vec<String> = (0..OFFSET_PAGES)
        .map(|_| {
            let page = 2 + rng.below(9);
            format!("{}&page={page}", list.random(&mut rng, ctx, who))
        })
        .collect();
    let mut walks = tokio::task::JoinSet::new();
    for chain in 0..CHAINS {
        let path = if chain % 2 == 0 {
            list.unfiltered(&mut rng)
        } else {
            list.random(&mut rng, ctx, who)
        };
        let (http, base, cookie) = (http.clone(), base.to_string(), cookie.to_string());
        walks.spawn(async move { walk(&http, &base, &cookie, &path).await });
    }
    let started = Instant::now();
    let mut cursor = Vec::new();
    let mut deepest = 1;
    while let Some(pages) = walks.join_next().await {
        // A walk that failed still leaves the row its first and offset pages.
        let pages = match pages? {
            Ok(pages) => pages,
            Err(e) => {
                eprintln!(
                    "{} as {}: a cursor walk stopped: {e:#}",
                    list.path(),
                    who.username()
                );
                continue;
            }
        };
        deepest = deepest.max(pages.len() + 1);
        cursor.extend(pages.into_iter().map(|(path, _)| path));
    }
    let walked = started.elapsed().as_secs_f64();
    let urls = [first.len(), offset.len(), cursor.len()];
    if let Some(count) = slowest_wanted() {
        print_slowest(http, base, cookie, [&first, &offset, &cursor], count).await?;
    }
    let with_cookie = |paths: Vec<String>| -> Vec<(String, String)> {
        paths.into_iter().map(|p| (p, cookie.to_string())).collect()
    };
    let groups = vec![
        (SHARES[0], with_cookie(first)),
        (SHARES[1], with_cookie(offset)),
        (SHARES[2], with_cookie(cursor)),
    ];
    let stats = wrk(base, groups, LIST_CONNECTIONS, seconds as f64, TIMEOUT_S).await?;
    eprintln!(
        "{} as {}: {:.0} requests/s, p99 {:.0} ms, {} timeouts, {} non-2xx (walked {} cursor pages to page {deepest} in {walked:.1} s)",
        list.path(),
        who.username(),
        stats.rps,
        stats.p99,
        stats.timeouts,
        stats.non_2xx,
        urls[2],
    );
    Ok(ListLoad {
        list: list.path(),
        user: who.username(),
        urls,
        deepest,
        stats,
    })
}

pub(super) async fn lists_phase(
    state: &AppState,
    direct: &Direct,
    base: &str,
    today: i64,
    cases: i64,
    report: &mut ListsReport,
) -> anyhow::Result<()> {
    // After the dashboard's phases, so their figures do not change.
    report.rows = list_data::generate(&state.store, direct, cases).await?;
    let mut streets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for region in state.store.list_regions(&OrgScope::default()).await? {
        if let Some(parent) = region
            .parent_code
            .filter(|p| DISTRICTS.contains(&p.as_str()))
        {
            streets.entry(parent).or_default().push(region.code);
        }
    }
    let ctx = Ctx { today, streets };
    let mut cookies = BTreeMap::new();
    for who in [Who::City, Who::District, Who::Auditor, Who::Admin] {
        cookies.insert(
            who.username(),
            login(base, who.username(), who.password()).await?,
        );
    }
    let cookie = |who: Who| cookies[who.username()].as_str();
    let http = http_client(CHAINS)?;

    for list in selected_lists() {
        for &who in list.readers() {
            report
                .singles
                .push(single(&http, base, cookie(who), list, who).await?);
        }
    }
    eprintln!("lists: single requests done");
    if !wrk_installed() {
        eprintln!("lists: wrk is not installed, no rows at {LIST_CONNECTIONS} connections");
        return Ok(());
    }
    let seconds = list_seconds();
    report.seconds = seconds;
    let me = vec![("/api/v1/me".to_string(), cookie(Who::City).to_string())];
    let me = wrk(
        base,
        vec![(1.0, me)],
        LIST_CONNECTIONS,
        seconds as f64,
        TIMEOUT_S,
    )
    .await?;
    eprintln!("GET /api/v1/me: {:.0} requests/s", me.rps);
    report.me = Some(me);
    let mut seed = 20_261_210;
    for list in selected_lists() {
        for &who in list.readers() {
            seed += 1;
            let row = load(&http, base, cookie(who), (list, who), &ctx, seed, seconds).await?;
            report.loads.push(row);
        }
    }
    Ok(())
}
