//! Quality and efficiency evaluation over HTTP on every backend: indicator
//! values equal what the case list gives for the unit and period, and the
//! indicator library versions every change (runs, ranks and the archive are
//! in `evaluation_runs.rs`).

mod common;

use common::evaluation::*;
use common::monitoring::DEPARTMENT;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn indicator_values_match_the_case_list_of_the_unit_and_period() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        let evaluator = app.login("evaluator", "Eval@123456").await;
        let values = ok(
            &evaluator,
            "/api/v1/indicators/on_time_rate/values?period=2026-03&unit_level=district",
        )
        .await;
        assert_eq!(
            values.as_array().map(Vec::len),
            Some(17),
            "{label}: every district (16 and the development zone)"
        );
        // 朝阳: 2 completed, 1 on time; 海淀: 2 of 2; others: nothing completed.
        let cy = unit(&values, "110105");
        assert_eq!(
            (
                cy["value"].clone(),
                cy["numerator"].clone(),
                cy["denominator"].clone()
            ),
            (json!(50.0), json!(1.0), json!(2.0)),
            "{label}"
        );
        assert_eq!(cy["unit_name"], "朝阳区");
        assert_eq!(unit(&values, "110108")["value"], json!(100.0), "{label}");
        assert_eq!(
            unit(&values, "110101")["value"],
            Value::Null,
            "{label}: no data is null"
        );
        // The same figures from the case list of 朝阳 for March.
        let list = |query: &str| {
            format!("/api/v1/cases?region=110105&from=2026-03-01&to=2026-03-31&{query}")
        };
        let completed = ok(&city, &list("status=completed")).await["total"].clone();
        let on_time = ok(&city, &list("status=completed&overdue=false")).await["total"].clone();
        assert_eq!((on_time, completed), (json!(1), json!(2)), "{label}");
        let overdue = ok(
            &evaluator,
            "/api/v1/indicators/overdue_cases/values?period=2026-Q1",
        )
        .await;
        let cy_overdue = unit(&overdue, "110105");
        assert_eq!(
            (
                cy_overdue["value"].clone(),
                cy_overdue["denominator"].clone()
            ),
            (json!(3.0), Value::Null),
            "{label}"
        );
        assert_eq!(ok(&city, &list("overdue=true")).await["total"], json!(3));
        let bad = ok(
            &evaluator,
            "/api/v1/indicators/bad_review_rate/values?period=2026",
        )
        .await;
        assert_eq!(unit(&bad, "110105")["value"], json!(50.0), "{label}");
        // A city department: only the demo department had a case (open, overdue).
        let depts = ok(&evaluator, "/api/v1/indicators/overdue_cases/values?period=2026-03-01..2026-03-31&unit_level=city_department").await;
        assert_eq!(
            unit(&depts, DEPARTMENT.department)["value"],
            json!(1.0),
            "{label}"
        );
        // April holds none of them.
        let april = ok(
            &evaluator,
            "/api/v1/indicators/overdue_cases/values?period=2026-04",
        )
        .await;
        assert_eq!(unit(&april, "110105")["value"], json!(0.0), "{label}");
        // The trend drill-down: 朝阳's monthly on-time rate beside the best and average.
        let trend = ok(
            &evaluator,
            "/api/v1/indicators/on_time_rate/trend?unit=110105&to=2026-04&count=3",
        )
        .await;
        let points: Vec<(Value, Value, Value, Value)> = trend["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["period"].clone(),
                    p["value"].clone(),
                    p["best"].clone(),
                    p["average"].clone(),
                )
            })
            .collect();
        assert_eq!(
            points,
            [
                (json!("2026-02"), Value::Null, Value::Null, Value::Null),
                (json!("2026-03"), json!(50.0), json!(100.0), json!(75.0)),
                (json!("2026-04"), Value::Null, Value::Null, Value::Null),
            ],
            "{label}: {trend}"
        );
        assert_eq!(trend["unit_name"], "朝阳区");
        let quarters = ok(
            &evaluator,
            "/api/v1/indicators/overdue_cases/trend?unit=110105&to=2026-Q2&count=2",
        )
        .await;
        assert_eq!(quarters["points"][0]["period"], "2026-Q1");
        assert_eq!(quarters["points"][0]["value"], json!(3.0), "{label}");
        for (path, status) in [
            (
                "/api/v1/indicators/on_time_rate/trend?unit=110105&to=2026-01-01..2026-02-01",
                StatusCode::BAD_REQUEST,
            ),
            (
                "/api/v1/indicators/on_time_rate/trend?unit=110105&to=2026&count=25",
                StatusCode::BAD_REQUEST,
            ),
            (
                "/api/v1/indicators/on_time_rate/trend?unit=999999&to=2026",
                StatusCode::NOT_FOUND,
            ),
            (
                "/api/v1/indicators/timeliness/trend?unit=110105&to=2026",
                StatusCode::CONFLICT,
            ),
            (
                "/api/v1/indicators/on_time_rate/values?period=2026-13",
                StatusCode::BAD_REQUEST,
            ),
            (
                "/api/v1/indicators/on_time_rate/values?period=2026-Q1&unit_level=street",
                StatusCode::BAD_REQUEST,
            ),
            (
                "/api/v1/indicators/timeliness/values?period=2026",
                StatusCode::CONFLICT,
            ),
            (
                "/api/v1/indicators/nope/values?period=2026",
                StatusCode::NOT_FOUND,
            ),
        ] {
            assert_eq!(evaluator.get(path).await.0, status, "{label}: {path}");
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn the_indicator_library_versions_every_change() {
    for app in TestApp::all().await {
        let label = app.label();
        let evaluator = app.login("evaluator", "Eval@123456").await;
        let fuzzy = ok(&evaluator, "/api/v1/indicators?q=按时").await;
        assert_eq!(
            fuzzy["items"][0]["code"], "on_time_rate",
            "{label}: {fuzzy}"
        );
        assert_eq!(
            ok(&evaluator, "/api/v1/indicators?q=按时&exact=true").await["total"],
            0
        );
        assert_eq!(
            ok(&evaluator, "/api/v1/indicators?q=按时办结率&exact=true").await["total"],
            1
        );
        assert_eq!(
            ok(&evaluator, "/api/v1/indicators?level=1").await["total"],
            2
        );
        let body = json!({
            "code": "window_share", "name": "窗口申请占比", "level": 3, "parent_code": "convenience",
            "direction": "lower", "unit": "%",
            "calculation": {"kind": "ratio", "numerator": "online", "denominator": "cases", "scale": 100}
        });
        let (status, created) = evaluator.post("/api/v1/indicators", body.clone()).await;
        assert_eq!(
            (status, created["version"].clone(), created["state"].clone()),
            (StatusCode::CREATED, json!(1), json!("draft")),
            "{label}: {created}"
        );
        assert_eq!(
            evaluator.post("/api/v1/indicators", body.clone()).await.0,
            StatusCode::CONFLICT
        );
        let mut change = body.clone();
        change["state"] = json!("enabled");
        change["version"] = json!(1);
        let (status, changed) = evaluator
            .put("/api/v1/indicators/window_share", change.clone())
            .await;
        assert_eq!(
            (status, changed["version"].clone()),
            (StatusCode::OK, json!(2)),
            "{label}: {changed}"
        );
        // An edit from the old version lost the race.
        let (status, stale) = evaluator
            .put("/api/v1/indicators/window_share", change)
            .await;
        assert_eq!(
            (status, stale["code"].clone()),
            (StatusCode::CONFLICT, json!("evaluation.stale"))
        );
        let detail = ok(&evaluator, "/api/v1/indicators/window_share").await;
        let versions: Vec<i64> = detail["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [2, 1], "{label}");
        assert_eq!(detail["versions"][1]["definition"]["state"], "draft");
        let mut bad = body.clone();
        bad["code"] = json!("orphan");
        bad["parent_code"] = json!("efficiency");
        let (status, refused) = evaluator.post("/api/v1/indicators", bad).await;
        assert_eq!(
            (
                status,
                refused["details"]["fields"]["parent_code"].is_string()
            ),
            (StatusCode::BAD_REQUEST, true),
            "{refused}"
        );
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        assert_eq!(chaoyang.get("/api/v1/indicators").await.0, StatusCode::OK);
        assert_eq!(
            chaoyang.post("/api/v1/indicators", body).await.0,
            StatusCode::FORBIDDEN
        );
        let auditor = app.login("auditor", "Audit@12345").await;
        let audit = ok(&auditor, "/api/v1/audit?action=indicator.update").await;
        assert!(
            audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["object_id"] == "window_share"),
            "{label}: {audit}"
        );
        app.cleanup().await;
    }
}
