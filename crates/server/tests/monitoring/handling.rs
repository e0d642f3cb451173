//! Handling warnings (MON-7): acknowledge, handle with a note, false positive
//! with a reason, closed warnings refuse further action, bulk actions count
//! what they did, precision per rule, and the audit trail.

use crate::common::monitoring::*;
use crate::common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn act(client: &Client, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    client
        .post(&format!("/api/v1/warnings/{id}/{action}"), body)
        .await
}

async fn precision(city: &Client, rule: &str) -> Value {
    let list = get_ok(city, "/api/v1/warning-rules?size=100").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == rule)
        .unwrap_or_else(|| panic!("{rule} listed: {list}"))
        .clone()
}

#[tokio::test]
async fn handling_moves_warnings_through_their_states_and_is_audited() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let auditor = app.login("auditor", "Audit@12345").await;
        let codes = ["HW-A", "HW-B", "HW-C", "HW-D", "HW-E"];
        for code in codes {
            open_case(&city, code, CHAOYANG, ms(OLD)).await;
        }
        open_case(&city, "HW-HD", HAIDIAN, ms(OLD)).await;
        settle(&app).await;
        let mut ids = Vec::new();
        for code in codes {
            ids.push(
                only_warning(&chaoyang, code, "approval_overdue").await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        let hd = only_warning(&city, "HW-HD", "approval_overdue").await["id"]
            .as_i64()
            .unwrap();
        let [a, b, c, d, e] = ids[..] else {
            unreachable!()
        };
        let rule = precision(&city, "approval_overdue").await;
        assert!(
            rule["precision"].is_null(),
            "{label}: nothing judged: {rule}"
        );
        assert_eq!(
            (rule["volume"].clone(), rule["open"].clone()),
            (json!(6), json!(6))
        );
        // a district user counts its own district's warnings (issue 16 item 15)
        let rule = precision(&chaoyang, "approval_overdue").await;
        assert_eq!(
            (rule["volume"].clone(), rule["open"].clone()),
            (json!(5), json!(5)),
            "{label}: 朝阳区 only: {rule}"
        );

        // Acknowledge, then handle: a note is required.
        let (status, body) = act(&chaoyang, a, "acknowledge", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["status"], "acknowledged");
        let (status, body) = act(&chaoyang, a, "handle", json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        assert_eq!(body["code"], "request.invalid");
        assert!(body["details"]["fields"]["note"].is_string(), "{body}");
        let (status, body) = act(&chaoyang, a, "handle", json!({"note": "   "})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "blank note: {body}");
        let long = "长".repeat(501);
        let (status, _) = act(&chaoyang, a, "handle", json!({"note": long})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "501 characters");
        assert_eq!(warning_detail(&chaoyang, a).await["status"], "acknowledged");
        let (status, body) = act(&chaoyang, a, "handle", json!({"note": "已电话督办"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "handled");
        assert_eq!(body["note"], "已电话督办");
        let history = body["history"].as_array().unwrap();
        assert_eq!(actions(&body), ["raised", "acknowledged", "handled"]);
        assert_eq!(history[2]["actor"], "chaoyang");
        // issue 16 item 6: the actor by name as well
        assert_eq!(history[2]["actor_name"], "朝阳区运营专员");
        assert!(history[0]["actor_name"].is_null(), "the system has no name");
        assert_eq!(history[2]["note"], "已电话督办");

        // False positive needs a reason; afterwards nothing more can be done.
        let (status, body) = act(&chaoyang, b, "false-positive", json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["details"]["fields"]["reason"].is_string(), "{body}");
        let (status, body) = act(
            &chaoyang,
            b,
            "false-positive",
            json!({"reason": "办件已线下办结，数据未同步"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "false_positive");
        for (action, body) in [
            ("acknowledge", json!({})),
            ("handle", json!({"note": "再处置"})),
            ("false-positive", json!({"reason": "再标记"})),
        ] {
            let (status, answer) = act(&chaoyang, b, action, body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{label} {action}: {answer}");
            assert_eq!(answer["code"], "warning.closed");
        }
        assert_eq!(
            actions(&warning_detail(&chaoyang, b).await),
            ["raised", "false_positive"],
            "refused actions leave no history"
        );

        // Bulk: in-scope open warnings are done, the rest skipped.
        let (status, body) = chaoyang
            .post(
                "/api/v1/warnings/bulk",
                json!({"ids": [c, d, b, hd], "action": "acknowledge"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (body["done"].clone(), body["skipped"].clone()),
            (json!(2), json!(2))
        );
        let (status, body) = chaoyang
            .post(
                "/api/v1/warnings/bulk",
                json!({"ids": [c, d], "action": "handle"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "bulk handle needs a note: {body}"
        );
        let (status, body) = chaoyang
            .post(
                "/api/v1/warnings/bulk",
                json!({"ids": [c, e], "action": "handle", "note": "批量督办"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (body["done"].clone(), body["skipped"].clone()),
            (json!(2), json!(0))
        );
        let (status, body) = chaoyang
            .post(
                "/api/v1/warnings/bulk",
                json!({"ids": [], "action": "acknowledge"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = chaoyang
            .post(
                "/api/v1/warnings/bulk",
                json!({"ids": [c], "action": "close"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let mut seen = Vec::new();
        for id in [a, b, c, d, e] {
            seen.push(warning_detail(&chaoyang, id).await["status"].clone());
        }
        assert_eq!(
            seen,
            [
                "handled",
                "false_positive",
                "handled",
                "acknowledged",
                "handled"
            ],
            "{label}"
        );
        assert_eq!(warning_detail(&city, hd).await["status"], "open");
        assert_eq!(warnings(&chaoyang, "status=handled").await.len(), 3);
        let (status, _) = chaoyang.get("/api/v1/warnings?status=done").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Precision: 1 − false positives ÷ (handled + false positives) = 1 − 1/4.
        let rule = precision(&city, "approval_overdue").await;
        assert_eq!(rule["false_positives"], 1, "{label}: {rule}");
        assert_eq!(rule["precision"].as_f64(), Some(0.75), "{label}: {rule}");
        assert_eq!(rule["volume"], 6);
        assert_eq!(rule["open"], 2, "open or acknowledged: D and 海淀's");

        // The audit log has each action, by whom, on what.
        let log = get_ok(&auditor, "/api/v1/audit?action=warning.&size=500").await;
        let entries = log["items"].as_array().unwrap();
        let find = |action: &str, object: &str| -> Vec<&Value> {
            entries
                .iter()
                .filter(|x| x["action"] == action && x["object_id"] == object)
                .collect()
        };
        for (action, object) in [
            ("warning.acknowledged", a.to_string()),
            ("warning.handled", a.to_string()),
            ("warning.false_positive", b.to_string()),
            ("warning.bulk_acknowledged", "bulk".to_string()),
            ("warning.bulk_handled", "bulk".to_string()),
        ] {
            let found = find(action, &object);
            assert!(!found.is_empty(), "{label}: no {action} on {object}: {log}");
            assert!(found.iter().all(|x| x["actor"] == "chaoyang"));
            assert!(
                found.iter().any(|x| x["result"] == "success"),
                "{label}: {action}"
            );
        }
        let handled = find("warning.handled", &a.to_string());
        assert_eq!(handled[0]["details"]["note"], "已电话督办", "{label}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn actions_refused_on_a_closed_warning_are_not_audited_as_successes() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let auditor = app.login("auditor", "Audit@12345").await;
        open_case(&city, "HW-FP", CHAOYANG, ms(OLD)).await;
        settle(&app).await;
        let id = only_warning(&chaoyang, "HW-FP", "approval_overdue").await["id"]
            .as_i64()
            .unwrap();
        let (status, _) = act(&chaoyang, id, "false-positive", json!({"reason": "误报"})).await;
        assert_eq!(status, StatusCode::OK);
        for (action, body) in [
            ("acknowledge", json!({})),
            ("handle", json!({"note": "再处置"})),
        ] {
            let (status, answer) = act(&chaoyang, id, action, body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{label} {action}: {answer}");
        }
        // SPEC/security.md: every write *and refusal* is audited with its
        // result. Nothing was acknowledged or handled, so no entry may say so.
        let log = get_ok(&auditor, "/api/v1/audit?action=warning.&size=500").await;
        let object = id.to_string();
        let claimed: Vec<&Value> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| {
                ["warning.acknowledged", "warning.handled"].contains(&x["action"].as_str().unwrap())
                    && x["object_id"] == object.as_str()
                    && x["result"] == "success"
            })
            .collect();
        assert!(
            claimed.is_empty(),
            "{label}: actions refused with 409 are logged as successful: {claimed:#?}"
        );
        app.cleanup().await;
    }
}
