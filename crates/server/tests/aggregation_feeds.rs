//! Feed health and manifests (issue 14 item 6), on every backend: a source
//! that stops sending raises a `feed_silent` warning (and its resumption
//! closes it), the usual volume is the same weekday's median, and a manifest
//! shows a batch lost on the way in the reconciliation.

mod common;

use chrono::Duration;
use common::monitoring::*;
use common::{Client, TestApp};
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::Kind;
use govpulse_core::monitoring::calendar::local_date;
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

const SOURCE: &str = "ycsl";

/// Register the case feed of [`SOURCE`] (the system admin's duty).
async fn register_source(app: &TestApp) -> Client {
    let admin = app.admin().await;
    catalogue(&admin).await;
    let (status, body) = admin
        .post(
            "/api/v1/sources",
            json!({"code": SOURCE, "name": "一窗受理系统", "kinds": ["cases"],
                   "field_map": {}, "required": [], "dictionaries": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    admin
}

fn case_record(code: &str, submitted_ms: i64) -> Map<String, Value> {
    json!({
        "case_code": code, "item_code": CHAOYANG.item, "applicant_type": "person",
        "applicant_id": person(), "applicant_name": "王五", "region_code": CHAOYANG.region,
        "department_code": CHAOYANG.department, "channel": "window", "submitted_at": at(submitted_ms)
    })
    .as_object()
    .unwrap()
    .clone()
}

/// `n` cases received from [`SOURCE`] at `received_ms` (a past receipt).
async fn received_at(app: &TestApp, prefix: &str, n: usize, received_ms: i64) {
    let records = (0..n)
        .map(|i| {
            (
                i + 1,
                Ok(case_record(&format!("{prefix}-{i}"), received_ms - 60_000)),
            )
        })
        .collect();
    let report = app
        .state
        .pipeline()
        .run(
            Kind::Cases,
            SOURCE,
            &CollectionRules::default(),
            records,
            received_ms,
        )
        .await
        .expect("intake");
    assert_eq!(report.accepted, n as u64, "{report:?}");
}

async fn feed(client: &Client) -> Value {
    let list = get_ok(client, "/api/v1/sources/health").await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|f| f["source"] == SOURCE && f["kind"] == "cases")
        .cloned()
        .unwrap_or_else(|| panic!("no {SOURCE}/cases feed: {list}"))
}

#[tokio::test]
async fn a_feed_that_stops_raises_feed_silent_and_its_return_closes_it() {
    for app in TestApp::all().await {
        let label = app.label();
        register_source(&app).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        // The last batch came three working days ago.
        let last = ten_o_clock(working_days_ago(&app, 3));
        received_at(&app, "OLD", 2, last).await;
        let f = feed(&city).await;
        assert_eq!(
            (
                f["state"].clone(),
                f["last_record_at"].clone(),
                f["today"].clone()
            ),
            (json!("silent"), json!(at(last)), json!(0)),
            "{label}: {f}"
        );

        let (raised, closed) = govpulse_server::aggregation::feeds::sweep(&app.state, now())
            .await
            .expect("sweep");
        assert_eq!((raised, closed), (1, 0), "{label}");
        let warning = only_warning(&city, &format!("{SOURCE}/cases"), "feed_silent").await;
        assert_eq!(
            (warning["level"].clone(), warning["status"].clone()),
            (json!("red"), json!("open")),
            "{label}: {warning}"
        );
        let told = rule_messages(&city, "feed_silent").await;
        assert_eq!(told.len(), 1, "{label}: {told:?}");
        assert_eq!(
            told[0]["title"],
            format!("【红灯】数据接入异常：{SOURCE}/cases")
        );
        // A city-wide matter: a district operator is neither told nor shown it.
        assert!(
            rule_messages(&chaoyang, "feed_silent").await.is_empty(),
            "{label}"
        );
        assert!(
            warnings(&chaoyang, "rule=feed_silent").await.is_empty(),
            "{label}"
        );
        // Sweeping again while nothing changed says nothing new.
        let again = govpulse_server::aggregation::feeds::sweep(&app.state, now())
            .await
            .unwrap();
        assert_eq!(again, (0, 0), "{label}");
        assert_eq!(
            rule_messages(&city, "feed_silent").await.len(),
            1,
            "{label}"
        );

        // The feed sends again.
        let record = Value::Object(case_record("NEW-1", now() - 60_000));
        let (status, report) = city
            .post(
                &format!("/api/v1/intake/cases?source={SOURCE}"),
                json!([record]),
            )
            .await;
        assert_eq!(
            (status, report["accepted"].clone()),
            (StatusCode::OK, json!(1)),
            "{report}"
        );
        let f = feed(&city).await;
        assert_eq!(
            (f["state"].clone(), f["today"].clone()),
            (json!("ok"), json!(1)),
            "{label}: {f}"
        );
        let back = govpulse_server::aggregation::feeds::sweep(&app.state, now())
            .await
            .unwrap();
        assert_eq!(back, (0, 1), "{label}");
        let warning = only_warning(&city, &format!("{SOURCE}/cases"), "feed_silent").await;
        assert_eq!(warning["status"], "closed", "{label}: {warning}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_usual_volume_is_the_median_of_the_same_weekday_since_the_feed_began() {
    for app in TestApp::all().await {
        let label = app.label();
        register_source(&app).await;
        let city = app.login("city", "City@12345").await;
        assert!(
            feed(&city).await["usual"].is_null(),
            "{label}: no history yet"
        );
        let today = local_date(now());
        for (weeks, n) in [(1, 2), (2, 4), (3, 3)] {
            received_at(
                &app,
                &format!("W{weeks}"),
                n,
                ten_o_clock(today - Duration::weeks(weeks)),
            )
            .await;
        }
        // Another weekday does not count.
        received_at(&app, "D1", 9, ten_o_clock(today - Duration::days(8))).await;
        // Weeks 1–3 sent 2, 4, 3; week 4 came before the feed began.
        assert_eq!(feed(&city).await["usual"], 3, "{label}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_manifest_shows_a_batch_lost_on_the_way() {
    for app in TestApp::all().await {
        let label = app.label();
        register_source(&app).await;
        let city = app.login("city", "City@12345").await;
        let today = local_date(now());
        let yesterday = today - Duration::days(1);
        let manifest = |day: chrono::NaiveDate, count: i64| json!({"source": SOURCE, "kind": "cases", "day": day.to_string(), "count": count});
        let (status, body) = city
            .post(
                "/api/v1/intake/manifests",
                json!([manifest(today, 3), manifest(yesterday, 2)]),
            )
            .await;
        assert_eq!(
            (status, body["recorded"].clone()),
            (StatusCode::OK, json!(2)),
            "{body}"
        );
        let record = Value::Object(case_record("M-1", now() - 60_000));
        let (status, _) = city
            .post(
                &format!("/api/v1/intake/cases?source={SOURCE}"),
                json!([record]),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        let rows = get_ok(&city, &format!("/api/v1/reconciliation?source={SOURCE}")).await;
        let row = |day: chrono::NaiveDate| {
            let r = rows["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["day"] == day.to_string())
                .unwrap_or_else(|| panic!("no row for {day}: {rows}"))
                .clone();
            (
                r["declared"].clone(),
                r["received"].clone(),
                r["accepted"].clone(),
                r["missing"].clone(),
            )
        };
        assert_eq!(
            row(today),
            (json!(3), json!(1), json!(1), json!(2)),
            "{label}"
        );
        assert_eq!(
            row(yesterday),
            (json!(2), json!(0), json!(0), json!(2)),
            "{label}: nothing arrived"
        );

        // A corrected manifest replaces the count.
        let (status, _) = city
            .post("/api/v1/intake/manifests", manifest(today, 1))
            .await;
        assert_eq!(status, StatusCode::OK);
        let rows = get_ok(
            &city,
            &format!("/api/v1/reconciliation?source={SOURCE}&from={today}"),
        )
        .await;
        assert_eq!(rows["items"][0]["missing"], 0, "{label}: {rows}");

        // Refusals.
        for (bad, field) in [
            (
                json!({"source": SOURCE, "kind": "cases", "day": "2026-13-01", "count": 1}),
                "[0].day",
            ),
            (manifest(today + Duration::days(1), 1), "[0].day"),
            (
                json!({"source": SOURCE, "kind": "items", "day": today.to_string(), "count": 1}),
                "[0].kind",
            ),
            (manifest(today, -1), "[0].count"),
            (
                json!({"source": "a b", "kind": "cases", "day": today.to_string(), "count": 1}),
                "[0].source",
            ),
        ] {
            let (status, body) = city.post("/api/v1/intake/manifests", bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
            assert!(
                body["details"]["fields"][field].is_string(),
                "{label}: {field}: {body}"
            );
        }
        let (status, _) = city
            .post("/api/v1/intake/manifests", json!({"source": SOURCE, "kind": "cases", "day": today.to_string(), "count": 1, "extra": 1}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}");
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (status, _) = chaoyang
            .post("/api/v1/intake/manifests", manifest(today, 1))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{label}: intake:write is needed"
        );
        app.cleanup().await;
    }
}
