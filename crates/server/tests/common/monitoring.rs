//! Fixtures shared by the monitoring tests.
//!
//! The application's own scheduler evaluates at the real instant. Tests either
//! build cases whose clocks are in a known state *now* (so the scheduler and
//! the test agree), or let the scheduler settle first and then drive the
//! evaluator by hand at chosen instants later than now (which the scheduler
//! never reaches while they lie in the future).
#![allow(dead_code)]

use super::aggregation::item;
use super::{Client, TestApp};
use chrono::{Duration, NaiveDate, TimeZone};
use govpulse_core::monitoring::calendar::{end_of_day, local_date};
use govpulse_core::time::{now_ms, shanghai, to_rfc3339};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// Where a case is handled: its item, region and department.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub item: &'static str,
    pub region: &'static str,
    pub department: &'static str,
}

/// 朝阳区 (district 110105), one of its own departments.
pub const CHAOYANG: Place = Place {
    item: "MON-CY",
    region: "110105",
    department: "110105D007",
};
/// 海淀区 (district 110108).
pub const HAIDIAN: Place = Place {
    item: "MON-HD",
    region: "110108",
    department: "110108D007",
};
/// A case in 朝阳区 handled by the demo city department (the `dept` account's).
pub const DEPARTMENT: Place = Place {
    item: "MON-DEPT",
    region: "110105",
    department: "110000D024",
};

/// Promised limit of every fixture item (working days).
pub const BUDGET: i64 = 10;

/// An acceptance instant long past: 2026-03-02 (Mon) 10:00, approval deadline
/// 2026-03-16 23:59:59, so the case is red for any real "now".
pub const OLD: &str = "2026-03-02T10:00:00+08:00";

/// Items (10 working days, promised cases) for the three places.
pub async fn catalogue(admin: &Client) {
    let items = json!([
        item(
            CHAOYANG.item,
            "110105",
            CHAOYANG.department,
            10,
            "2015-01-01"
        ),
        item(HAIDIAN.item, "110108", HAIDIAN.department, 10, "2015-01-01"),
        item(
            DEPARTMENT.item,
            "110000",
            DEPARTMENT.department,
            10,
            "2015-01-01"
        ),
    ]);
    let (status, report) = admin.post("/api/v1/items", items).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["accepted"], 3, "{report}");
}

static PEOPLE: AtomicU32 = AtomicU32::new(0);

/// A fresh, valid GB 11643 identity number (one applicant per case keeps the
/// repeat-application rule out of the way).
pub fn person() -> String {
    let n = PEOPLE.fetch_add(1, Ordering::Relaxed);
    let birth = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(i64::from(n));
    let body = format!("110105{}{:03}", birth.format("%Y%m%d"), 101 + n % 800);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// RFC 3339 in Beijing time (second precision, as the API stores it).
pub fn at(ms: i64) -> String {
    to_rfc3339(ms)
}

/// Parse an RFC 3339 instant.
pub fn ms(text: &str) -> i64 {
    govpulse_core::time::parse_rfc3339(text).unwrap_or_else(|| panic!("not RFC 3339: {text}"))
}

/// 00:00:00 Beijing time of `date`.
pub fn start_of_day(date: NaiveDate) -> i64 {
    end_of_day(date - Duration::days(1)) + 1000
}

/// 10:00 Beijing time of `date`.
pub fn ten_o_clock(date: NaiveDate) -> i64 {
    shanghai()
        .from_local_datetime(&date.and_hms_opt(10, 0, 0).unwrap())
        .single()
        .unwrap()
        .timestamp_millis()
}

/// The now of the API (whole seconds, not in the future).
pub fn now() -> i64 {
    now_ms() / 1000 * 1000
}

/// The latest date `n` working days before today on the app's calendar: a case
/// accepted that day has used exactly `n` working days today.
pub fn working_days_ago(app: &TestApp, n: i64) -> NaiveDate {
    let calendar = app.state.monitor.calendar();
    let today = local_date(now_ms());
    let mut day = today;
    loop {
        day -= Duration::days(1);
        if calendar.working_days_between(day, today) == n {
            return day;
        }
    }
}

/// Post a promised case at `place`, submitted an hour before `accepted_ms` and
/// accepted then (events 1 and 2).
pub async fn open_case(city: &Client, code: &str, place: Place, accepted_ms: i64) {
    let submitted = accepted_ms - 3_600_000;
    let case = json!({
        "case_code": code, "item_code": place.item, "applicant_type": "person",
        "applicant_id": person(), "applicant_name": "王五", "region_code": place.region,
        "department_code": place.department, "channel": "window", "submitted_at": at(submitted)
    });
    let (status, report) = city.post("/api/v1/intake/cases", json!([case])).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(1)),
        "{report}"
    );
    events(
        city,
        &[
            (code, 1, "submitted", submitted),
            (code, 2, "accepted", accepted_ms),
        ],
    )
    .await;
}

/// The approval clock of a case detail answer.
pub fn approval_clock(case: &Value) -> Value {
    case["clocks"]
        .as_array()
        .and_then(|clocks| clocks.iter().find(|c| c["stage"] == "approval"))
        .unwrap_or_else(|| panic!("no approval clock: {case}"))
        .clone()
}

/// Post stage events `(case, seq, kind, at_ms)`; all must be accepted.
pub async fn events(city: &Client, list: &[(&str, i64, &str, i64)]) {
    let records: Vec<Value> = list
        .iter()
        .map(|(case, seq, kind, at_ms)| {
            json!({"case_code": case, "seq": seq, "kind": kind, "at": at(*at_ms)})
        })
        .collect();
    let (status, report) = city
        .post("/api/v1/intake/case-events", Value::Array(records))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["accepted"], list.len(), "{report}");
}

/// Wait until the application's scheduler has evaluated everything due now.
pub async fn settle(app: &TestApp) {
    let started = std::time::Instant::now();
    loop {
        app.state.monitor.wake();
        let due = app
            .state
            .store
            .due_subjects(now_ms(), 10_000)
            .await
            .expect("deadline index");
        if due.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "{}: the scheduler left {due:?} due",
            app.label()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// GET expecting 200.
pub async fn get_ok(client: &Client, path: &str) -> Value {
    let (status, body) = client.get(path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// Warnings matching `query` (e.g. `case=C-1&rule=approval_overdue`).
pub async fn warnings(client: &Client, query: &str) -> Vec<Value> {
    let list = get_ok(client, &format!("/api/v1/warnings?size=500&{query}")).await;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(list["total"], items.len(), "{list}");
    items
}

/// The single warning of `rule` on `case`.
pub async fn only_warning(client: &Client, case: &str, rule: &str) -> Value {
    let items = warnings(client, &format!("case={case}&rule={rule}")).await;
    assert_eq!(items.len(), 1, "one {rule} warning on {case}: {items:?}");
    items[0].clone()
}

/// A warning with its history.
pub async fn warning_detail(client: &Client, id: i64) -> Value {
    get_ok(client, &format!("/api/v1/warnings/{id}")).await
}

/// The `action`s of a warning's history, in the order the API lists them.
pub fn actions(detail: &Value) -> Vec<String> {
    detail["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["action"].as_str().unwrap().to_string())
        .collect()
}

/// The caller's messages (newest first).
pub async fn messages(client: &Client, query: &str) -> Value {
    get_ok(client, &format!("/api/v1/messages?size=500&{query}")).await
}

/// `(deadline, counted days)` of a working-day budget from `start` per the API.
pub async fn deadline(client: &Client, start: &str, days: i64) -> (String, Vec<NaiveDate>) {
    let body = get_ok(
        client,
        &format!(
            "/api/v1/calendar/deadline?start={}&days={days}",
            start.replace('+', "%2B")
        ),
    )
    .await;
    let days = body["working_days"]
        .as_array()
        .expect("working_days")
        .iter()
        .map(|d| NaiveDate::parse_from_str(d.as_str().unwrap(), "%Y-%m-%d").unwrap())
        .collect();
    (body["deadline"].as_str().unwrap().to_string(), days)
}

/// The subject key of a case in the deadline index.
pub fn key(case: &str) -> String {
    govpulse_store::monitoring::case_subject(case)
}

/// The caller's messages about warnings of `rule` (newest first). A case whose
/// record arrives before its events may briefly look overdue for acceptance;
/// counting one rule's messages keeps such transients out of the count.
pub async fn rule_messages(client: &Client, rule: &str) -> Vec<Value> {
    messages(client, "").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["rule_code"] == rule)
        .cloned()
        .collect()
}

/// The security admin sets the webhook allowlist to `entries` (keeping the
/// rest of the policy).
pub async fn allow_webhooks_to(app: &TestApp, entries: &[&str]) {
    let security = app.login("secadmin", "Sec@123456").await;
    let (status, mut policy) = security.get("/api/v1/security/policy").await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    policy["webhook_allowlist"] = json!(entries);
    let (status, body) = security.put("/api/v1/security/policy", policy).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// What a webhook receiver was sent: each request's headers and body.
pub type Seen = std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>;

/// A webhook receiver on a free local port (`http://127.0.0.1:<port>/hook`):
/// records every request, answers 500 to the first `failures` and 200 afterwards.
pub async fn webhook_receiver(failures: usize) -> (String, Seen) {
    let seen: Seen = std::sync::Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push((headers, body));
                if log.len() <= failures {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/hook"), seen)
}

/// The webhook delivery log of `rule` (newest first).
pub async fn webhook_deliveries(city: &Client, rule: &str) -> Vec<Value> {
    let list = get_ok(city, &format!("/api/v1/warning-rules/{rule}/deliveries")).await;
    list["items"].as_array().unwrap().clone()
}

/// Wait (for the delivery worker) until `check` holds for the rule's log.
pub async fn wait_for_deliveries(
    city: &Client,
    rule: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let started = std::time::Instant::now();
    loop {
        let items = webhook_deliveries(city, rule).await;
        if check(&items) {
            return items;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "deliveries never got there: {items:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
