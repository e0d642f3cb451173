//! The server stays responsive under overload (issue 17), on every backend: a
//! statement interrupted at its deadline frees its connection; a disconnected
//! client's statement is cancelled; a full queue sheds at once with 503 and
//! `Retry-After` while `/healthz` and `/me` stay fast; a shutdown with
//! requests in flight ends within its grace period and leaves the database
//! consistent. The slow statement is the `testing` feature's endpoint: one
//! recursive count that would run for a minute or more.

mod common;

use common::aggregation::*;
use common::{Client, TestApp};
use govpulse_store::audit::{AuditFilter, AUDIT_LIST};
use govpulse_store::exports::EXPORT_JOB_LIST;
use govpulse_store::list::ListRequest;
use govpulse_store::org::OrgScope;
use govpulse_store::testing::TestDb;
use govpulse_store::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The slow endpoint counting to `n` (about a minute per 10^9); each test
/// counts to its own `n`, to find its statements on the server.
fn slow(n: i64) -> String {
    format!("/api/v1/testing/slow?n={n}")
}

/// Wait until at least `n` connections are in use (a slow statement runs).
async fn connections_in_use(store: &Store, n: usize) {
    let started = Instant::now();
    loop {
        let in_use: usize = store
            .pool_status()
            .iter()
            .map(|p| p.size as usize - p.idle)
            .sum();
        if in_use >= n {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the slow statement never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Audit rows of `action`.
async fn audited(store: &Store, action: &str) -> i64 {
    let filter = AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    let request = ListRequest::first(&AUDIT_LIST, 10);
    store.list_audit(&filter, &request).await.unwrap().total
}

/// A request sent in the background; its status and body.
fn spawn_get(client: &Client, path: &str) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let (http, url) = (client.http.clone(), format!("{}{path}", client.base));
    tokio::spawn(async move {
        let response = http.get(url).send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    })
}

fn spawn_post(
    client: &Client,
    path: &str,
    body: Value,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let http = client.http.clone();
    let url = format!("{}{path}", client.base);
    let csrf = client.csrf.clone().unwrap_or_default();
    tokio::spawn(async move {
        match http
            .post(url)
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            // Cut off by the shutdown: not acknowledged.
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
        }
    })
}

#[tokio::test]
async fn a_statement_interrupted_at_its_deadline_frees_its_connection() {
    for db in TestDb::all().await {
        // Over a second: the abandoned statement also counts as slow.
        let app = TestApp::with(db, |c| c.request_timeout_secs = 2).await;
        let label = app.label();
        let admin = app.admin().await;
        let (read, write) = (1_000_000_011, 1_000_000_012);

        // A read: 504 in JSON at the deadline, the connection back at once.
        let started = Instant::now();
        let (status, body) = admin.get(&slow(read)).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{label}: {body}");
        assert_eq!(body["code"], "server.timeout", "{label}: {body}");
        assert_eq!(body["details"]["class"], "read", "{label}");
        assert!(started.elapsed() < Duration::from_secs(4), "{label}");
        let freed = app
            .state
            .store
            .pools_idle_within(Duration::from_secs(1))
            .await;
        assert!(freed.is_some(), "{label}: read connection back within 1 s");
        assert!(
            app.state
                .store
                .slow_count_stopped_within_a_second(read)
                .await,
            "{label}"
        );

        // A write transaction: rolled back, the writer free again.
        let (status, body) = admin.post(&slow(write), json!({})).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{label}: {body}");
        let freed = app
            .state
            .store
            .pools_idle_within(Duration::from_secs(1))
            .await;
        assert!(freed.is_some(), "{label}: writer back within 1 s");
        assert!(
            app.state
                .store
                .slow_count_stopped_within_a_second(write)
                .await,
            "{label}"
        );
        assert_eq!(
            audited(&app.state.store, "testing.slow").await,
            0,
            "{label}"
        );
        assert!(app.state.store.verify_audit().await.unwrap().ok, "{label}");

        // Everything still works, quick statements are untouched.
        let (status, body) = admin.post("/api/v1/testing/slow?n=1000", json!({})).await;
        assert_eq!((status, body), (StatusCode::OK, json!(1000)), "{label}");
        assert_eq!(
            audited(&app.state.store, "testing.slow").await,
            1,
            "{label}"
        );
        let (status, _) = admin.get("/api/v1/departments?size=5").await;
        assert_eq!(status, StatusCode::OK, "{label}");

        let metrics = app.anonymous().get("/metrics").await.1;
        let metrics = metrics.as_str().unwrap_or_default();
        for counter in [
            "govpulse_requests_timed_out_total{class=\"read\"}",
            "govpulse_requests_timed_out_total{class=\"write\"}",
            "govpulse_db_statements_interrupted_total",
            "govpulse_db_slow_calls_total",
        ] {
            assert!(
                metrics.contains(counter),
                "{label}: {counter} in\n{metrics}"
            );
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_disconnected_clients_statement_is_cancelled() {
    for db in TestDb::all().await {
        let app = TestApp::on(db).await;
        let label = app.label();
        let admin = app.admin().await;
        let cookie = admin.cookie.clone().unwrap_or_default();
        let cookie = cookie.split(';').next().unwrap_or_default().to_string();

        // A raw connection, so that closing it is a real disconnect.
        let addr = app.base.trim_start_matches("http://").to_string();
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let n = 1_000_000_021;
        let path = slow(n);
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        connections_in_use(&app.state.store, 1).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut nothing = [0u8; 1];
        let answered = tokio::time::timeout(Duration::from_millis(10), stream.read(&mut nothing));
        assert!(answered.await.is_err(), "{label}: still running");
        drop(stream);

        let freed = app
            .state
            .store
            .pools_idle_within(Duration::from_secs(1))
            .await;
        assert!(freed.is_some(), "{label}: connection back within 1 s");
        assert!(
            app.state.store.slow_count_stopped_within_a_second(n).await,
            "{label}"
        );
        let metrics = app.anonymous().get("/metrics").await.1;
        let metrics = metrics.as_str().unwrap_or_default();
        assert!(
            metrics.contains("govpulse_requests_abandoned_total{class=\"read\"}"),
            "{label}: {metrics}"
        );
        let (status, _) = admin.get("/api/v1/departments?size=5").await;
        assert_eq!(status, StatusCode::OK, "{label}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn shedding_answers_503_with_retry_after_once_the_queue_is_full() {
    for db in TestDb::all().await {
        let app = TestApp::with(db, |c| {
            c.reads_in_flight = 1;
            c.reads_queue = 1;
        })
        .await;
        let label = app.label();
        let admin = app.admin().await;

        // One slow read runs, a second waits: the queue is full.
        let running = spawn_get(&admin, &slow(1_000_000_031));
        connections_in_use(&app.state.store, 1).await;
        let waiting = spawn_get(&admin, &slow(1_000_000_032));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "{label}: the second read waits");

        let started = Instant::now();
        let response = admin
            .http
            .get(format!("{}/api/v1/departments?size=5", app.base))
            .send()
            .await
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{label}: at once"
        );
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{label}"
        );
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry_after), "{label}: {retry_after}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "server.busy", "{label}: {body}");
        assert_eq!(body["details"]["class"], "read", "{label}: {body}");
        assert_eq!(body["details"]["reason"], "queue_full", "{label}: {body}");

        // Operations endpoints and /me do not wait behind reads.
        let anonymous = app.anonymous();
        for _ in 0..20 {
            let started = Instant::now();
            let (status, _) = anonymous.get("/healthz").await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                started.elapsed() < Duration::from_millis(100),
                "{label}: /healthz fast"
            );
        }
        let started = Instant::now();
        let (status, _) = anonymous.get("/readyz").await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let (status, _) = admin.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{label}: /readyz, /me fast"
        );

        // The refusal is audited (without the request's identity: it was
        // refused before any database work).
        let audit_started = Instant::now();
        while audited(&app.state.store, "server.busy").await == 0 {
            assert!(
                audit_started.elapsed() < Duration::from_secs(3),
                "{label}: audited"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        // The clients give up: their statements stop, the queue empties.
        running.abort();
        waiting.abort();
        let freed = app
            .state
            .store
            .pools_idle_within(Duration::from_secs(2))
            .await;
        assert!(freed.is_some(), "{label}");
        assert!(
            app.state
                .store
                .slow_count_stopped_within_a_second(1_000_000_031)
                .await
        );
        let (status, _) = admin.get("/api/v1/departments?size=5").await;
        assert_eq!(status, StatusCode::OK, "{label}: served again");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_slowly_sent_body_holds_no_place() {
    for db in TestDb::all().await {
        let app = TestApp::with(db, |c| {
            c.logins_in_flight = 1;
            c.logins_queue = 0;
        })
        .await;
        let label = app.label();
        // Anyone may start a login: one announces a body and sends a few
        // bytes of it…
        let addr = app.base.trim_start_matches("http://").to_string();
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"username\""
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // …while the one login place stays free for the others.
        let (status, body) = app.anonymous().login("admin", "Admin@12345").await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        drop(stream);
        app.cleanup().await;
    }
}

/// Cases `CASE-{batch}-{i}` for one intake batch.
fn batch(n: usize, size: usize) -> Value {
    let records = (0..size)
        .map(|i| {
            case(
                &format!("CASE-{n}-{i}"),
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                "2026-03-02T09:00:00+08:00",
            )
        })
        .collect();
    Value::Array(records)
}

#[tokio::test]
async fn shutdown_with_requests_in_flight_ends_within_the_grace_period_consistently() {
    const GRACE: Duration = Duration::from_secs(2);
    const BATCH: usize = 20;
    for db in TestDb::all().await {
        let label = format!("{:?}", db.backend);
        let url = db.url.clone();
        let state = common::state_for(&db, |c| c.shutdown_grace_secs = GRACE.as_secs()).await;
        let export_dir = state.config.export_dir.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(govpulse_server::serve_until(listener, state, async {
            let _ = stopped.await;
        }));
        let base = format!("http://{addr}");
        let mut admin = Client::to(&base);
        assert_eq!(admin.login("admin", "Admin@12345").await.0, StatusCode::OK);
        catalogue(&admin).await;
        let mut city = Client::to(&base);
        assert_eq!(city.login("city", "City@12345").await.0, StatusCode::OK);

        // Acknowledged before the stop…
        for n in 0..3 {
            post(&city, "/api/v1/intake/cases", batch(n, BATCH)).await;
        }
        // …an export job…
        let (status, job) = city
            .post("/api/v1/exports", json!({ "source": "cases" }))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{label}: {job}");
        // …then a slow read and a slow write in flight, intake racing them,
        // and the stop.
        let (read, write) = (1_000_000_041, 1_000_000_042);
        let slow_read = spawn_get(&admin, &slow(read));
        let slow_write = spawn_post(&admin, &slow(write), json!({}));
        tokio::time::sleep(Duration::from_millis(500)).await;
        let racing: Vec<_> = (3..6)
            .map(|n| spawn_post(&city, "/api/v1/intake/cases", batch(n, BATCH)))
            .collect();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let signalled = Instant::now();
        stop.send(()).unwrap();

        // New connections are refused at once.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let refused = tokio::net::TcpStream::connect(addr).await;
        assert!(refused.is_err(), "{label}: still accepting");

        // The slow requests are cancelled when the grace period ends.
        for slow in [slow_read, slow_write] {
            let (status, body) = slow.await.unwrap();
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{label}: {body}");
            if !body.is_null() {
                assert_eq!(body["code"], "server.shutting_down", "{label}: {body}");
            }
        }
        let cancelled_at = signalled.elapsed();
        assert!(
            cancelled_at >= GRACE - Duration::from_millis(100),
            "{label}: {cancelled_at:?}"
        );
        served.await.unwrap().expect("serve_until");
        let exited = signalled.elapsed();
        assert!(
            exited < GRACE + Duration::from_secs(2),
            "{label}: exit after {exited:?}"
        );

        // Every batch is whole or absent, and every acknowledged one whole.
        // (A batch commits before its audit row: one cancelled in between is
        // kept without an answer — intake is idempotent, the client resends.)
        let store = Store::open(&url).await.unwrap();
        for n in [read, write] {
            assert!(
                store.slow_count_stopped_within_a_second(n).await,
                "{label}: left running"
            );
        }
        let answers = std::iter::repeat_with(|| None)
            .take(3)
            .chain(racing.into_iter().map(Some));
        for (n, race) in answers.enumerate() {
            let acknowledged = match race {
                None => true,
                Some(race) => {
                    let (status, body) = race.await.unwrap();
                    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{label}: {body}");
                    status == StatusCode::OK
                }
            };
            let mut kept = 0;
            for i in 0..BATCH {
                let code = format!("CASE-{n}-{i}");
                let case = store.get_case(&OrgScope::default(), &code).await.unwrap();
                kept += usize::from(case.is_some());
            }
            assert!(
                kept == 0 || kept == BATCH,
                "{label}: batch {n}: {kept} of {BATCH}"
            );
            if acknowledged {
                assert_eq!(kept, BATCH, "{label}: acknowledged batch {n} lost");
            }
        }
        // The export runner left its job done or queued again, never running.
        let jobs = store
            .export_jobs_of("city", &ListRequest::first(&EXPORT_JOB_LIST, 10))
            .await
            .unwrap();
        assert_eq!(jobs.items.len(), 1, "{label}");
        let status = jobs.items[0].status.as_str();
        assert!(
            matches!(status, "done" | "queued"),
            "{label}: export {status}"
        );
        assert_eq!(
            audited(&store, "testing.slow").await,
            0,
            "{label}: rolled back"
        );
        assert!(
            store.verify_audit().await.unwrap().ok,
            "{label}: audit chain"
        );
        store.close().await;
        db.cleanup().await;
        let _ = std::fs::remove_dir_all(export_dir);
    }
}
