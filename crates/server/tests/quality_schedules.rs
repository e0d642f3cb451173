//! Scheduled quality runs, the trend across runs (QC-2) and the centrally
//! managed, versioned code lists (QC-1), on every backend:
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
        mode_seven_case(&city, "SCH-1").await;

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
        let run = finished(&chaoyang, id).await;
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

/// A 朝阳 case of March with 办理形式 7 (outside the built-in code list).
async fn mode_seven_case(city: &common::Client, code: &str) {
    let case = json!({
        "case_code": code, "item_code": CHAOYANG.item, "applicant_type": "person",
        "applicant_id": person(), "applicant_name": "王五", "region_code": CHAOYANG.region,
        "department_code": CHAOYANG.department, "channel": "window",
        "submitted_at": "2026-03-02T09:00:00+08:00", "handling_mode": "7"
    });
    let (status, _) = city.post("/api/v1/intake/cases", json!([case])).await;
    assert_eq!(status, StatusCode::OK);
}

/// A run over March as `client`, once finished.
async fn run_march(client: &common::Client) -> serde_json::Value {
    let (status, body) = client
        .post(
            "/api/v1/quality/runs",
            json!({"from": "2026-03-01", "to": "2026-03-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    finished(client, body["run_id"].as_i64().unwrap()).await
}

/// Run `id` once it is over.
async fn finished(client: &common::Client, id: i64) -> serde_json::Value {
    loop {
        let run = get_ok(client, &format!("/api/v1/quality/runs/{id}")).await;
        if run["state"] == "done" || run["state"] == "failed" {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_refreshed_code_list_is_versioned_and_used_by_later_runs() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        mode_seven_case(&city, "CL-7").await;
        let lists = get_ok(&city, "/api/v1/quality/code-lists").await;
        assert_eq!(
            (lists[0]["code"].as_str(), lists[0]["version"].as_i64()),
            (Some("handling_mode"), Some(0))
        );
        assert_eq!(lists[0]["entries"][0]["name"], "窗口办理");

        let before = run_march(&city).await;
        assert_eq!(
            before["failures"][0]["code"], "general.handling_mode",
            "{label}: {before}"
        );

        // Only administrators with source:write refresh lists; a bad file is refused.
        let (status, _) = city
            .post_csv(
                "/api/v1/quality/code-lists/handling_mode",
                "code,name\n7,自助终端\n",
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = admin
            .post_csv(
                "/api/v1/quality/code-lists/handling_mode",
                "code,name\n1,a\n1,b\n",
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, _) = admin
            .post_csv("/api/v1/quality/code-lists/nope", "code,name\n1,a\n")
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let csv = "code,name\n1,窗口办理\n2,电脑端网上办理\n3,移动端网上申请\n4,快递申请\n7,自助终端\n9,其他\n";
        let (status, list) = admin
            .post_csv("/api/v1/quality/code-lists/handling_mode", csv)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {list}");
        assert_eq!(list["version"], 1);
        let (_, list) = admin
            .post_csv("/api/v1/quality/code-lists/handling_mode", csv)
            .await;
        assert_eq!(
            (list["version"].as_i64(), list["history"].clone()),
            (Some(2), json!([1]))
        );

        let after = run_march(&city).await;
        assert_eq!(
            after["failures"],
            json!([]),
            "{label}: mode 7 is in the list now: {after}"
        );
        app.cleanup().await;
    }
}
