//! Indicator warning rules (IND-2) on every backend: the rule library with
//! search by name / state / level and refusals, a run raising its warnings
//! through the monitoring machinery (same list, handling, false positives),
//! raised once per period and level, closed when the unit is well, and each
//! district seeing only its own warnings.

mod common;

use common::evaluation::*;
use common::Client;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// 朝阳's on-time rate in March is 50 %, 海淀's 100 %; the other districts
/// have no completed case (no value: nothing holds).
fn rule() -> Value {
    json!({
        "code": "on_time_low", "name": "按时办结率偏低", "indicator": "on_time_rate",
        "unit_level": "district", "period": "month", "schedule": "0 8 1 * *",
        "levels": [
            {"level": "red", "name": "红色预警", "colour": "#F56C6C", "combine": "all",
             "conditions": [{"measure": "value", "op": "lt", "threshold": 60}]},
            {"level": "yellow", "name": "黄色预警", "colour": "#E6A23C", "combine": "any",
             "conditions": [{"measure": "value", "op": "lt", "threshold": 90},
                            {"measure": "pop", "op": "le", "threshold": -10}]}
        ]
    })
}

async fn run(client: &Client, period: &str) -> Value {
    let (status, body) = client
        .post(
            "/api/v1/indicator-alerts/on_time_low/run",
            json!({ "period": period }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn warnings(client: &Client) -> Value {
    ok(client, "/api/v1/warnings?rule=ind:on_time_low").await["items"].clone()
}

fn count(list: &Value) -> usize {
    list.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn rules_raise_warnings_through_monitoring_within_scope() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        let evaluator = app.login("evaluator", "Eval@123456").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let haidian = app.login("haidian", "Haidian@123").await;

        let (status, created) = evaluator.post("/api/v1/indicator-alerts", rule()).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {created}");
        assert_eq!(created["version"], 1);
        assert_eq!(created["state"], "enabled");
        assert!(created["next_run_at"].is_string(), "{created}");

        // Refusals: a schedule that is not cron, a group indicator, a repeated level, another editor.
        for (patch, field) in [
            (json!({"schedule": "每天"}), "schedule"),
            (json!({"indicator": "timeliness"}), "indicator"),
            (
                json!({"levels": [rule()["levels"][0], rule()["levels"][0]]}),
                "levels[1].level",
            ),
        ] {
            let mut body = rule();
            body["code"] = json!("other");
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let (status, answer) = evaluator.post("/api/v1/indicator-alerts", body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label} {field}: {answer}");
            assert!(
                answer["details"]["fields"][field].is_string(),
                "{label} {field}: {answer}"
            );
        }
        let (status, _) = chaoyang.post("/api/v1/indicator-alerts", rule()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}");
        let (status, _) = evaluator.post("/api/v1/indicator-alerts", rule()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{label}");

        // Search by name, state and level.
        for (query, expected) in [
            ("q=偏低", 1),
            ("q=满意", 0),
            ("state=enabled", 1),
            ("state=disabled", 0),
            ("level=yellow", 1),
            ("level=blue", 0),
        ] {
            let list = ok(&evaluator, &format!("/api/v1/indicator-alerts?{query}")).await;
            assert_eq!(count(&list["items"]), expected, "{label} {query}: {list}");
            assert_eq!(list["total"], json!(expected), "{label} {query}");
        }

        // March: 朝阳 (50 %) red; 海淀 (100 %) well; no one else has a value.
        let march = run(&evaluator, "2026-03").await;
        assert_eq!(
            (
                march["raised"].clone(),
                march["closed"].clone(),
                count(&march["hits"])
            ),
            (json!(1), json!(0), 1),
            "{label}: {march}"
        );
        assert_eq!(march["hits"][0]["unit_code"], "110105");
        assert_eq!(march["hits"][0]["level"], "red");
        assert_eq!(march["hits"][0]["value"], json!(50.0));
        let list = warnings(&city).await;
        assert_eq!(count(&list), 1, "{label}: {list}");
        let warning = &list[0];
        assert_eq!(warning["rule_name"], "按时办结率偏低", "{warning}");
        assert_eq!(
            (
                warning["level"].clone(),
                warning["level_name"].clone(),
                warning["colour"].clone()
            ),
            (json!("red"), json!("红色预警"), json!("#F56C6C"))
        );
        assert_eq!(warning["case_code"], "on_time_low/2026-03");
        let id = warning["id"].as_i64().unwrap();

        // Scope: 朝阳 sees it, 海淀 neither in its list nor by id.
        assert_eq!(count(&warnings(&chaoyang).await), 1, "{label}");
        assert_eq!(count(&warnings(&haidian).await), 0, "{label}");
        assert_eq!(
            haidian.get(&format!("/api/v1/warnings/{id}")).await.0,
            StatusCode::NOT_FOUND,
            "{label}"
        );

        // The same period again: nothing new. April has no value: closed.
        assert_eq!(run(&evaluator, "2026-03").await["raised"], 0, "{label}");
        let april = run(&evaluator, "2026-04").await;
        assert_eq!(
            (april["raised"].clone(), april["closed"].clone()),
            (json!(0), json!(1)),
            "{label}: {april}"
        );
        assert_eq!(warnings(&city).await[0]["status"], "closed", "{label}");

        // March again raises it again; marked a false positive it stays dismissed.
        assert_eq!(run(&evaluator, "2026-03").await["raised"], 1, "{label}");
        let (status, body) = chaoyang
            .post(
                &format!("/api/v1/warnings/{id}/false-positive"),
                json!({"reason": "三月数据口径调整"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(run(&evaluator, "2026-03").await["raised"], 0, "{label}");
        assert_eq!(
            warnings(&city).await[0]["status"],
            "false_positive",
            "{label}"
        );

        // A disabled rule keeps its definition and is found by state; the version moves on.
        let mut body = rule();
        body["state"] = json!("disabled");
        body["version"] = json!(1);
        let (status, updated) = evaluator
            .put("/api/v1/indicator-alerts/on_time_low", body.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {updated}");
        assert_eq!(
            (updated["version"].clone(), updated["next_run_at"].clone()),
            (json!(2), Value::Null)
        );
        let (status, _) = evaluator
            .put("/api/v1/indicator-alerts/on_time_low", body)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{label}: a stale version");
        let list = ok(&evaluator, "/api/v1/indicator-alerts?state=disabled").await;
        assert_eq!(count(&list["items"]), 1, "{label}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_rule_runs_when_its_schedule_fires() {
    use govpulse_server::evaluation::alerts::sweep_now;
    let at = |text: &str| govpulse_core::time::parse_rfc3339(text).unwrap();
    for app in TestApp::all().await {
        let label = app.label();
        world(&app).await;
        let evaluator = app.login("evaluator", "Eval@123456").await;
        let mut body = rule();
        body["schedule"] = json!("0 8 1 * *");
        let (status, created) = evaluator.post("/api/v1/indicator-alerts", body).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {created}");
        let next = at(created["next_run_at"].as_str().unwrap());
        let store = &app.state.store;
        assert_eq!(sweep_now(store, next - 1).await, 0, "{label}: not due yet");
        // Due: it assesses the last whole month before the run and moves on a month.
        assert_eq!(sweep_now(store, next).await, 1, "{label}");
        let after = ok(&evaluator, "/api/v1/indicator-alerts/on_time_low").await;
        let ran_at = govpulse_core::time::to_rfc3339(next);
        assert_eq!(after["last_run_at"], json!(ran_at), "{label}");
        let month =
            chrono::DateTime::parse_from_rfc3339(&ran_at).unwrap() - chrono::Duration::days(1);
        assert_eq!(
            after["last_period"],
            json!(month.format("%Y-%m").to_string()),
            "{label}"
        );
        assert!(
            at(after["next_run_at"].as_str().unwrap()) > next,
            "{label}: {after}"
        );
        assert_eq!(sweep_now(store, next).await, 0, "{label}: once per slot");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn every_save_of_a_rule_is_a_version_with_its_whole_definition() {
    for app in TestApp::all().await {
        let label = app.label();
        world(&app).await;
        let evaluator = app.login("evaluator", "Eval@123456").await;
        let (status, created) = evaluator.post("/api/v1/indicator-alerts", rule()).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {created}");

        let mut changed = rule();
        changed["name"] = json!("按时办结率过低");
        changed["schedule"] = json!("0 9 1 * *");
        changed["levels"][0]["conditions"][0]["threshold"] = json!(50);
        changed["version"] = json!(1);
        let (status, saved) = evaluator
            .put("/api/v1/indicator-alerts/on_time_low", changed.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {saved}");
        assert_eq!(saved["version"], 2);
        // A save that started from version 1 again is refused, not a lost change.
        let (status, stale) = evaluator
            .put("/api/v1/indicator-alerts/on_time_low", changed)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{label}: {stale}");

        let detail = ok(&evaluator, "/api/v1/indicator-alerts/on_time_low").await;
        assert_eq!(detail["version"], 2, "{label}: {detail}");
        let versions = detail["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{label}: {detail}");
        let (new, old) = (&versions[0], &versions[1]);
        assert_eq!(
            (new["version"].clone(), old["version"].clone()),
            (json!(2), json!(1))
        );
        assert_eq!(new["name"], "按时办结率过低");
        assert_eq!(new["definition"]["schedule"], "0 9 1 * *");
        assert_eq!(
            new["definition"]["levels"][0]["conditions"][0]["threshold"],
            json!(50.0)
        );
        // The first version is kept whole.
        assert_eq!(old["name"], "按时办结率偏低", "{label}: {old}");
        assert_eq!(old["definition"]["schedule"], "0 8 1 * *");
        assert_eq!(
            old["definition"]["levels"][0]["conditions"][0]["threshold"],
            json!(60.0)
        );
        assert_eq!(old["definition"]["levels"][1]["name"], "黄色预警");
        for v in versions {
            assert_eq!(v["created_by"], "evaluator", "{label}: {v}");
            assert!(v["created_at"]
                .as_str()
                .is_some_and(|t| t.ends_with("+08:00")));
        }

        // Rules are not scoped: whoever reads the rule list reads their
        // history (a district operator too); without evaluation:read, no one.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let seen = ok(&chaoyang, "/api/v1/indicator-alerts/on_time_low").await;
        assert_eq!(seen["versions"], detail["versions"], "{label}");
        let admin = app.admin().await;
        let (status, body) = admin.get("/api/v1/indicator-alerts/on_time_low").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {body}");
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "{body}"
        );

        // Each save is audited as before.
        let auditor = app.login("auditor", "Audit@12345").await;
        let audit = ok(&auditor, "/api/v1/audit?action=indicator_alert.").await;
        let actions: Vec<&str> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(
            actions.contains(&"indicator_alert.create")
                && actions.contains(&"indicator_alert.update"),
            "{label}: {actions:?}"
        );
        app.cleanup().await;
    }
}
