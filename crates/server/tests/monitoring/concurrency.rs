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

        // One row per (case, rule), whatever else fired on the way.
        let all = warnings(&city, "case=CC-1").await;
        let mut rules: Vec<&str> = all
            .iter()
            .map(|w| w["rule_code"].as_str().unwrap())
            .collect();
        rules.sort();
        let before = rules.len();
        rules.dedup();
        assert_eq!(rules.len(), before, "{label}: duplicates: {all:#?}");
        let warning = only_warning(&city, "CC-1", "approval_overdue").await;
        assert_eq!(warning["level"], "red");
        assert_eq!(warning["status"], "open");
        let id = warning["id"].as_i64().unwrap();
        let detail = warning_detail(&city, id).await;
        assert_eq!(actions(&detail), ["raised"], "{label}: {detail}");
        // One notice per recipient, not one per evaluation.
        for client in [&city, &chaoyang] {
            let inbox = rule_messages(client, "approval_overdue").await;
            assert_eq!(inbox.len(), 1, "{label}: {inbox:#?}");
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
        assert_eq!((again.subjects, again.raised), (0, 0), "{label}: {again:?}");
        let old = app.state.monitor.run_due(&app.state.store, later).await;
        assert_eq!(old.unwrap().raised, 0);
        let keys: Vec<String> = codes.iter().map(|c| key(c)).collect();
        let explicit = restarted
            .evaluate(&app.state.store, &keys, later + 86_400_000)
            .await
            .unwrap();
        assert_eq!(
            (
                explicit.raised,
                explicit.escalated,
                explicit.closed,
                explicit.messages
            ),
            (0, 0, 0, 0),
            "{label}: {explicit:?}"
        );
        assert_eq!(warnings(&city, "").await.len(), 3);
        // The city heard of each red warning once.
        assert_eq!(messages(&city, "").await["total"], 3, "{label}");
        app.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_and_evaluations_over_several_cases_do_not_fail_each_other() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        // Received in reverse code order, so the rows' storage order differs
        // from the code order evaluations lock them in.
        let codes = ["MC-5", "MC-4", "MC-3", "MC-2", "MC-1"];
        for code in codes {
            open_case(&city, code, CHAOYANG, ms(OLD)).await;
        }
        let mut tasks = JoinSet::new();
        for i in 0..32_i64 {
            let state = app.state.clone();
            let http = city.http.clone();
            let base = city.base.clone();
            let csrf = city.csrf.clone().unwrap_or_default();
            tasks.spawn(async move {
                if i % 2 == 0 {
                    let keys: Vec<String> = codes.iter().rev().map(|c| key(c)).collect();
                    return state
                        .monitor
                        .evaluate(&state.store, &keys, now())
                        .await
                        .map(|_| ())
                        .map_err(|e| format!("evaluate: {e}"));
                }
                let batch: Vec<_> = codes
                    .iter()
                    .map(|c| {
                        json!({"case_code": c, "seq": 10 + i, "kind": "submitted",
                               "at": "2026-03-02T09:30:00+08:00"})
                    })
                    .collect();
                let response = http
                    .post(format!("{base}/api/v1/intake/case-events"))
                    .header("x-csrf-token", csrf)
                    .json(&batch)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                if status == StatusCode::OK && body.contains("\"accepted\":5") {
                    Ok(())
                } else {
                    Err(format!("intake: {status}: {body}"))
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
        let all = warnings(&city, "rule=approval_overdue").await;
        assert_eq!(all.len(), codes.len(), "{label}: one per case: {all:#?}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn an_incoming_event_is_evaluated_at_once() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        // Let the scheduler finish a pass over an empty index and go to sleep.
        app.state.monitor.wake();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        // MON-5: "an incoming event re-evaluates its case at once". A long
        // overdue case arrives: its red warning must not wait for a timer.
        let posted = std::time::Instant::now();
        open_case(&city, "AO-1", CHAOYANG, ms(OLD)).await;
        let mut found = Vec::new();
        while posted.elapsed() < std::time::Duration::from_secs(5) && found.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            found = warnings(&city, "case=AO-1&rule=approval_overdue").await;
        }
        assert_eq!(
            found.len(),
            1,
            "{label}: no warning {:?} after the events were accepted",
            posted.elapsed()
        );
        app.cleanup().await;
    }
}
