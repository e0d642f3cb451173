//! Exactly one warning per (case, rule), whoever evaluates and however often:
//! concurrent evaluations and event batches, and a restarted evaluator
//! catching up with thresholds that passed while it was away.

use crate::common::monitoring::*;
use crate::common::TestApp;
use govpulse_server::monitoring::engine::Monitor;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_evaluations_and_event_batches_keep_one_warning_per_case_and_rule() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        // Long overdue: red at every instant anyone evaluates.
        open_case(&city, "CC-1", CHAOYANG, ms(OLD)).await;

        // A second evaluator, as another server process would run.
        let other = Arc::new(Monitor::default());
        other.reload(&app.state.store).await.unwrap();
        let mut tasks = JoinSet::new();
        for i in 0..24_i64 {
            let state = app.state.clone();
            let other = other.clone();
            let http = city.http.clone();
            let base = city.base.clone();
            let csrf = city.csrf.clone().unwrap_or_default();
            tasks.spawn(async move {
                let keys = [key("CC-1")];
                match i % 4 {
                    0 => state
                        .monitor
                        .evaluate(&state.store, &keys, now())
                        .await
                        .map(|s| format!("{s:?}"))
                        .map_err(|e| e.to_string()),
                    1 => other
                        .evaluate(&state.store, &keys, now() + i * 60_000)
                        .await
                        .map(|s| format!("{s:?}"))
                        .map_err(|e| e.to_string()),
                    2 => state
                        .monitor
                        .run_due(&state.store, now())
                        .await
                        .map(|s| format!("{s:?}"))
                        .map_err(|e| e.to_string()),
                    _ => {
                        // A batch of harmless events (extra `submitted` marks)
                        // that marks the case due again.
                        let batch = json!([{
                            "case_code": "CC-1", "seq": 10 + i, "kind": "submitted",
                            "at": "2026-03-02T09:30:00+08:00"
                        }]);
                        let response = http
                            .post(format!("{base}/api/v1/intake/case-events"))
                            .header("x-csrf-token", csrf)
                            .json(&batch)
                            .send()
                            .await
                            .map_err(|e| e.to_string())?;
                        let status = response.status();
                        let body = response.text().await.unwrap_or_default();
                        if status == StatusCode::OK && body.contains("\"accepted\":1") {
                            Ok(body)
                        } else {
                            Err(format!("{status}: {body}"))
                        }
                    }
                }
            });
        }
        let mut failures = Vec::new();
        while let Some(result) = tasks.join_next().await {
            if let Err(err) = result.expect("task") {
                failures.push(err);
            }
        }
        assert!(failures.is_empty(), "{label}: {failures:#?}");
        settle(&app).await;

        let all = warnings(&city, "case=CC-1").await;
        assert_eq!(all.len(), 1, "{label}: exactly one warning: {all:#?}");
        assert_eq!(all[0]["rule_code"], "approval_overdue");
        assert_eq!(all[0]["level"], "red");
        assert_eq!(all[0]["status"], "open");
        let id = all[0]["id"].as_i64().unwrap();
        let detail = warning_detail(&city, id).await;
        assert_eq!(actions(&detail), ["raised"], "{label}: {detail}");
        // One notice per recipient, not one per evaluation.
        for client in [&city, &chaoyang] {
            let inbox = messages(client, "").await;
            assert_eq!(inbox["total"], 1, "{label}: {inbox}");
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_restarted_evaluator_catches_up_once() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let accepted = now() - 3_600_000;
        let codes = ["RS-1", "RS-2", "RS-3"];
        for (code, place) in codes.iter().zip([CHAOYANG, HAIDIAN, DEPARTMENT]) {
            open_case(&city, code, place, accepted).await;
        }
        settle(&app).await;
        assert!(warnings(&city, "").await.is_empty(), "{label}");
        let (due, _) = deadline(&city, &at(accepted), BUDGET).await;
        // The server was down from now until past every deadline; a new process
        // starts with an empty evaluator and loads the rules and calendar.
        let later = ms(&due) + 3 * 86_400_000;
        let restarted = Monitor::default();
        restarted.reload(&app.state.store).await.unwrap();
        let stats = restarted.run_due(&app.state.store, later).await.unwrap();
        assert_eq!(
            (stats.subjects, stats.raised, stats.escalated),
            (3, 3, 0),
            "{label}: {stats:?}"
        );
        let raised = warnings(&city, "").await;
        assert_eq!(raised.len(), 3, "{label}: {raised:#?}");
        for warning in &raised {
            assert_eq!(warning["level"], "red", "straight to the current level");
            assert_eq!(warning["raised_at"], at(later));
            let detail = warning_detail(&city, warning["id"].as_i64().unwrap()).await;
            assert_eq!(actions(&detail), ["raised"], "{label}");
        }
        // Running again — by the same evaluator, the old one, or for the same
        // subjects explicitly — changes nothing.
        let again = restarted.run_due(&app.state.store, later).await.unwrap();
        assert_eq!(
            (again.subjects, again.raised),
            (0, 0),
            "{label}: {again:?}"
        );
        let old = app.state.monitor.run_due(&app.state.store, later).await;
        assert_eq!(old.unwrap().raised, 0);
        let keys: Vec<String> = codes.iter().map(|c| key(c)).collect();
        let explicit = restarted
            .evaluate(&app.state.store, &keys, later + 86_400_000)
            .await
            .unwrap();
        assert_eq!(
            (explicit.raised, explicit.escalated, explicit.closed, explicit.messages),
            (0, 0, 0, 0),
            "{label}: {explicit:?}"
        );
        assert_eq!(warnings(&city, "").await.len(), 3);
        // The city heard of each red warning once.
        assert_eq!(messages(&city, "").await["total"], 3, "{label}");
        app.cleanup().await;
    }
}
