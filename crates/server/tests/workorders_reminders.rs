//! Work-order reminders and webhooks on every backend: an order falling due
//! within the lead time raises the yellow level of its overdue warning once
//! per order and state, in the inbox of the users whose scope covers it; the
//! overdue sweep escalates the same warning to red; and these warnings, raised
//! outside rules, reach the system webhook like rule warnings reach theirs.
//! The workbench exports through the background export jobs with its own
//! filters, 我的待办 being the job owner's.

mod common;

use common::aggregation::post;
use common::exports::{create, csv_rows, download, finished};
use common::monitoring::{allow_webhooks_to, wait_for_deliveries, webhook_receiver};
use common::{Client, TestApp};
use govpulse_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};

const UNIT: &str = "110000D024";
const SECRET: &str = "whsec-workorders";

async fn titles(client: &Client) -> Vec<String> {
    let (status, inbox) = client.get("/api/v1/messages?size=100").await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["title"].as_str().map(str::to_string))
        .collect()
}

async fn order_warnings(client: &Client) -> Vec<Value> {
    let (status, page) = client
        .get("/api/v1/warnings?rule=workorder_overdue&status=open")
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// Dispatch complaint `code` to the demo department (分类派发).
async fn dispatch(operator: &Client, code: &str) {
    let (status, body) = operator
        .post(
            &format!("/api/v1/work-orders/{code}/actions"),
            json!({"action": "dispatch", "fields": {"class_code": "A0101", "unit_code": UNIT}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn orders_due_soon_are_reminded_once_per_state_and_reach_the_webhook() {
    for db in TestDb::all().await {
        let (url, seen) = webhook_receiver(0).await;
        let app = TestApp::with(db, |c| {
            c.system_webhook_url = Some(url.clone());
            c.system_webhook_secret = Some(SECRET.to_string());
        })
        .await;
        let label = app.label();
        allow_webhooks_to(&app, &["127.0.0.1"]).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let dept = app.login("dept", "Dept@123456").await;
        let complaint = json!({"complaint_id": "TS-R1", "title": "窗口排队过久", "content": "排队两小时",
            "source": "12345", "received_at": "2026-03-02T10:00:00+08:00",
            "region_code": "110105", "promised_days": 10});
        let report = post(&city, "/api/v1/intake/complaints", json!([complaint])).await;
        assert_eq!(report["accepted"], 1, "{report}");
        let (_, page) = chaoyang.get("/api/v1/work-orders?type=complaint").await;
        let code = page["items"][0]["code"].as_str().unwrap().to_string();

        // 待派发 is due by the end of the next working day: within the
        // default lead of one working day, reminded once.
        let state = &app.state;
        assert_eq!(govpulse_server::workorders::remind_now(state).await, 1);
        assert_eq!(govpulse_server::workorders::remind_now(state).await, 0);
        let reminder = format!("【黄灯】工单即将到期：{code}");
        assert!(
            titles(&chaoyang).await.contains(&reminder),
            "{label}: the district is reminded"
        );
        assert!(
            !titles(&city).await.contains(&reminder),
            "{label}: the city hears of red only"
        );
        let warnings = order_warnings(&chaoyang).await;
        assert_eq!(warnings.len(), 1, "{label}: {warnings:#?}");
        assert_eq!(
            (
                warnings[0]["level"].as_str(),
                warnings[0]["case_code"].as_str()
            ),
            (Some("yellow"), Some(code.as_str()))
        );

        // Dispatched: the reminder's warning closes; 办理中 has ten working
        // days, outside the lead time.
        dispatch(&chaoyang, &code).await;
        assert!(order_warnings(&chaoyang).await.is_empty(), "{label}");
        assert_eq!(govpulse_server::workorders::remind_now(state).await, 0);

        // A later instant within the lead time of the new due time: the new
        // state is reminded once more, now to the responsible unit too.
        let now = govpulse_core::time::now_ms();
        let due = now + 30 * 86_400_000;
        for once in [1, 0] {
            let sent = state.store.sweep_work_order_reminders(now, due, 100);
            assert_eq!(sent.await.unwrap(), once, "{label}");
        }
        assert!(
            titles(&dept).await.contains(&reminder),
            "{label}: the responsible unit is reminded"
        );

        // Overdue: the same warning escalates to red.
        assert_eq!(
            state
                .store
                .sweep_overdue_work_orders(due, 100)
                .await
                .unwrap(),
            1
        );
        let warnings = order_warnings(&chaoyang).await;
        assert_eq!(warnings.len(), 1, "{label}: {warnings:#?}");
        assert_eq!(warnings[0]["level"], "red");
        assert!(titles(&city)
            .await
            .contains(&format!("【红灯】工单超期：{code}")));

        // Each raise went to the system webhook, signed with its secret (the
        // overdue one was queued at the later instant: bring it forward).
        state
            .store
            .execute_admin(
                "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'",
            )
            .await
            .unwrap();
        let log = wait_for_deliveries(&city, "workorder_overdue", |d| {
            d.len() == 3 && d.iter().all(|d| d["status"] == "delivered")
        })
        .await;
        assert!(
            log.iter().all(|d| d["warning_id"] == warnings[0]["id"]),
            "{label}: {log:#?}"
        );
        let requests = seen.lock().unwrap().clone();
        assert_eq!(requests.len(), 3, "{label}");
        let levels: Vec<String> = requests
            .iter()
            .map(|(headers, body)| {
                assert_eq!(
                    headers["x-govpulse-signature"].to_str().unwrap(),
                    govpulse_server::monitoring::webhooks::signature(SECRET, body)
                );
                let payload: Value = serde_json::from_str(body).unwrap();
                assert_eq!(
                    (payload["rule_code"].as_str(), payload["case_code"].as_str()),
                    (Some("workorder_overdue"), Some(code.as_str()))
                );
                format!(
                    "{}@{}",
                    payload["level"].as_str().unwrap(),
                    payload["department_code"].as_str().unwrap()
                )
            })
            .collect();
        let mut levels = levels;
        levels.sort();
        assert_eq!(
            levels,
            [
                format!("red@{UNIT}"),
                "yellow@".to_string(),
                format!("yellow@{UNIT}")
            ],
            "{label}: the reminder before dispatch, after it, and the overdue"
        );
        app.cleanup().await;
    }
}

/// The codes (first column) of a work-order export of `filters` by `client`.
async fn exported(client: &Client, filters: Value) -> Vec<String> {
    let id = create(
        client,
        json!({"source": "work_orders", "format": "csv", "filters": filters}),
    )
    .await;
    let job = finished(client, id).await;
    assert_eq!(job["status"], "done", "{job}");
    let rows = csv_rows(&download(client, id).await);
    assert_eq!(rows[0][0], "工单编号");
    rows[1..].iter().map(|r| r[0].clone()).collect()
}

#[tokio::test]
async fn the_workbench_exports_with_its_own_filters() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let haidian = app.login("haidian", "Haidian@123").await;
        let dept = app.login("dept", "Dept@123456").await;
        let complaint = |id: &str, region: &str| {
            json!({"complaint_id": id, "title": format!("投诉 {id}"), "content": "排队过久",
                "source": "12345", "received_at": "2026-03-02T10:00:00+08:00", "region_code": region})
        };
        let report = post(
            &city,
            "/api/v1/intake/complaints",
            json!([complaint("TS-E1", "110105"), complaint("TS-E2", "110108")]),
        )
        .await;
        assert_eq!(report["accepted"], 2, "{report}");
        let (_, page) = chaoyang.get("/api/v1/work-orders?type=complaint").await;
        let code = page["items"][0]["code"].as_str().unwrap().to_string();

        // The district's to-do: its own complaint only, as the list shows it.
        let todo = json!({"view": "todo", "type": "complaint"});
        assert_eq!(
            exported(&chaoyang, todo.clone()).await,
            vec![code.clone()],
            "{label}"
        );
        assert_eq!(exported(&city, todo.clone()).await.len(), 2, "{label}");
        assert!(!exported(&haidian, todo.clone()).await.contains(&code));
        // The department has nothing to do until the complaint is dispatched to it.
        assert!(exported(&dept, todo.clone()).await.is_empty(), "{label}");
        dispatch(&chaoyang, &code).await;
        assert_eq!(exported(&dept, todo).await, vec![code.clone()], "{label}");
        assert_eq!(
            exported(&chaoyang, json!({"view": "done"})).await,
            vec![code.clone()]
        );
        // Filters are refused as the list refuses them.
        let (status, body) = chaoyang
            .post(
                "/api/v1/exports",
                json!({"source": "work_orders", "filters": {"view": "mine"}}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("request.invalid")),
            "{body}"
        );
        app.cleanup().await;
    }
}
