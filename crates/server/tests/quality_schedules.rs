//! Scheduled quality runs and the trend across runs (QC-2), on every backend:
//! a schedule's cron minute starts one run as its owner's (never two in the
//! same minute), the run shows in the owner's trend, and refusals.

mod common;

use common::monitoring::*;
use common::TestApp;
use govpulse_server::quality::schedules::run_due;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_schedule_starts_runs_on_its_minute_and_feeds_the_trend() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let case = json!({
            "case_code": "SCH-1", "item_code": CHAOYANG.item, "applicant_type": "person",
            "applicant_id": person(), "applicant_name": "王五", "region_code": CHAOYANG.region,
            "department_code": CHAOYANG.department, "channel": "window",
            "submitted_at": "2026-03-02T09:00:00+08:00", "handling_mode": "7"
        });
        let (status, _) = city.post("/api/v1/intake/cases", json!([case])).await;
        assert_eq!(status, StatusCode::OK);

        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        for bad in [
            json!({"cron": "0 25 * * *", "days": 30}),
            json!({"cron": "0 2 * * *", "days": 0}),
        ] {
            let (status, body) = chaoyang.post("/api/v1/quality/schedules", bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        }
        let (status, schedule) = chaoyang
            .post(
                "/api/v1/quality/schedules",
                json!({"cron": "0 2 * * *", "days": 366}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {schedule}");
        assert_eq!(schedule["cron"], "0 2 * * *");

        let two_am = govpulse_core::time::parse_rfc3339("2026-12-05T02:00:20+08:00").unwrap();
        assert!(
            run_due(&app.state, two_am - 3_600_000)
                .await
                .unwrap()
                .is_empty(),
            "not its minute"
        );
        let started = run_due(&app.state, two_am).await.unwrap();
        assert_eq!(started.len(), 1, "{label}");
        assert!(
            run_due(&app.state, two_am + 20_000)
                .await
                .unwrap()
                .is_empty(),
            "once a minute"
        );
        let id = started[0];
        let run = loop {
            let run = get_ok(&chaoyang, &format!("/api/v1/quality/runs/{id}")).await;
            if run["state"] == "done" || run["state"] == "failed" {
                break run;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(run["state"], "done", "{run}");
        assert_eq!(
            run["cases_checked"], 1,
            "朝阳's case of the 366 days: {run}"
        );
        assert_eq!(run["from"], "2025-12-04T00:00:00+08:00");

        let trend = get_ok(&chaoyang, "/api/v1/quality/trend").await;
        assert_eq!(trend[0]["run_id"], id, "{trend}");
        assert!(trend[0]["failures"].as_u64().unwrap() >= 1, "{trend}");
        assert!(
            trend[0]["per_hundred"].as_f64().unwrap() >= 100.0,
            "{trend}"
        );
        let listed = get_ok(&chaoyang, "/api/v1/quality/schedules").await;
        assert!(listed[0]["last_run_at"].is_string(), "{listed}");

        let sid = schedule["id"].as_i64().unwrap();
        let haidian = app.login("haidian", "Haidian@123").await;
        let (status, _) = haidian
            .delete(&format!("/api/v1/quality/schedules/{sid}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(get_ok(&haidian, "/api/v1/quality/trend").await, json!([]));
        let (status, _) = chaoyang
            .delete(&format!("/api/v1/quality/schedules/{sid}"))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        app.cleanup().await;
    }
}
