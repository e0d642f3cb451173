//! Work orders over HTTP on every backend: the item-change flow from notice
//! to close across two roles with every transition and refusal (403 wrong
//! role, 404 other district, 409 invalid transition, 409 stale and the
//! racing double step), the element diff, complaints from intake to close,
//! 差评 orders opened with the evaluation (非常不满意 = 5), attachments and overdue warnings.

mod common;

use common::aggregation::{case, post, CY_ITEM, PERSON};
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const UNIT: &str = "110000D024";

fn notice(id: &str, change_type: &str, code: &str, materials: Value) -> Value {
    json!({
        "notice_id": id, "change_type": change_type, "changed_at": "2026-03-02T09:00:00+08:00",
        "item": {
            "item_code": code, "name": "食品经营许可", "item_type_code": "01", "department_code": UNIT,
            "region_code": "110000", "legal_limit": 20, "promised_limit": 10, "limit_unit": "working",
            "case_type_code": 2, "valid_from": "2026-03-02", "materials": materials,
            "elements": {"fee": "不收费", "window": {"address": "一层"}}
        }
    })
}

async fn act(client: &Client, code: &str, body: Value) -> (StatusCode, Value) {
    client
        .post(&format!("/api/v1/work-orders/{code}/actions"), body)
        .await
}

/// Take an action that must succeed and move the order to `state`; the order.
async fn step(client: &Client, code: &str, action: Value, state: &str) -> Value {
    let (status, body) = act(client, code, action).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some(state)),
        "{body}"
    );
    body
}

async fn codes(client: &Client, query: &str) -> Vec<String> {
    let (status, page) = client.get(&format!("/api/v1/work-orders?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

/// Opens two item-change orders (a new item, then a change of it); returns their codes.
async fn item_changes(city: &Client) -> (String, String) {
    let first = notice(
        "N-1",
        "new",
        "I-CHG-001",
        json!([
            {"material_code": "M1", "name": "申请书"}, {"name": "营业执照"}, {"name": "场所证明"}
        ]),
    );
    let report = post(city, "/api/v1/intake/item-changes", json!([first])).await;
    assert_eq!(report["accepted"], 1, "{report}");
    // A case in flight pins version 1; the change notice must not move it.
    let pinned = case(
        "C-PIN",
        "I-CHG-001",
        "110105",
        "110105D007",
        PERSON,
        "2026-03-02T12:00:00+08:00",
    );
    let report = post(city, "/api/v1/intake/cases", json!([pinned])).await;
    assert_eq!(report["accepted"], 1, "{report}");
    let mut second = notice(
        "N-2",
        "change",
        "I-CHG-001",
        json!([
            {"name": "场所证明"}, {"name": "营业执照"}, {"material_code": "M1", "name": "经营许可申请书"}
        ]),
    );
    second["item"]["valid_from"] = json!("2026-03-03");
    let report = post(
        city,
        "/api/v1/intake/item-changes",
        json!([second, first.clone()]),
    )
    .await;
    assert_eq!(
        (report["accepted"].as_i64(), report["duplicates"].as_i64()),
        (Some(1), Some(1)),
        "{report}"
    );
    let listed = codes(city, "type=item_change&sort=code").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    (listed[0].clone(), listed[1].clone())
}

#[tokio::test]
async fn item_change_orders_walk_from_notice_to_close() {
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let dept = app.login("dept", "Dept@123456").await;
        let haidian = app.login("haidian", "Haidian@123").await;
        let (first, second) = item_changes(&city).await;

        // The diff: reordered materials are no change; the coded one renamed is one change.
        let (status, diff) = city.get("/api/v1/items/I-CHG-001/diff?from=1&to=2").await;
        assert_eq!(status, StatusCode::OK, "{diff}");
        assert_eq!(
            diff["changes"],
            json!([{"path": "materials[M1].name", "op": "changed",
            "before": "申请书", "after": "经营许可申请书"}]),
            "{}",
            app.label()
        );
        let (_, pinned) = city.get("/api/v1/cases/C-PIN").await;
        assert_eq!(
            pinned["item_version"], 1,
            "the case keeps its pinned version: {pinned}"
        );
        let (status, detail) = city.get(&format!("/api/v1/work-orders/{second}")).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        assert_eq!(
            (
                detail["data"]["from_version"].as_i64(),
                detail["data"]["to_version"].as_i64()
            ),
            (Some(1), Some(2))
        );
        assert_eq!(
            detail["actions"],
            json!([{"action": "review", "name": "初审", "to": "confirming", "required": []}])
        );
        assert!(detail["due_at"].is_string() && detail["overdue"] == json!(false));

        // Workbench views per role.
        assert_eq!(codes(&city, "view=todo").await.len(), 2);
        assert!(codes(&dept, "view=todo").await.is_empty());
        assert_eq!(codes(&dept, "view=all").await.len(), 2);
        assert!(codes(&haidian, "view=all").await.is_empty());

        // Refusals: other district 404, wrong role 403, wrong state 409, missing reason 400.
        assert_eq!(
            haidian
                .get(&format!("/api/v1/work-orders/{second}"))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            act(&haidian, &second, json!({"action": "review"})).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            act(&dept, &second, json!({"action": "review"})).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, body) = act(&city, &second, json!({"action": "close"})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("workorder.invalid_transition"))
        );
        assert_eq!(
            act(&city, &second, json!({"action": "fly"})).await.0,
            StatusCode::BAD_REQUEST
        );

        // Every transition: 初审 → 确认 → 退回 (with a reason) → 确认 → 核验关闭.
        step(
            &city,
            &second,
            json!({"action": "review", "comment": "要素齐全"}),
            "confirming",
        )
        .await;
        assert_eq!(codes(&dept, "view=todo").await, vec![second.clone()]);
        assert_eq!(
            act(&city, &second, json!({"action": "confirm"})).await.0,
            StatusCode::FORBIDDEN,
            "only the unit confirms"
        );
        step(&dept, &second, json!({"action": "confirm"}), "verifying").await;
        let (status, body) = act(&city, &second, json!({"action": "return"})).await;
        assert_eq!(
            (status, body["details"]["fields"]["comment"].is_string()),
            (StatusCode::BAD_REQUEST, true),
            "{body}"
        );
        step(
            &city,
            &second,
            json!({"action": "return", "comment": "材料名称需与清单一致"}),
            "confirming",
        )
        .await;
        assert_eq!(
            act(&dept, &second, json!({"action": "confirm"})).await.0,
            StatusCode::OK
        );
        let body = step(&city, &second, json!({"action": "close"}), "closed").await;
        assert!(body["due_at"].is_null() && body["closed_at"].is_string());
        let steps: Vec<&str> = body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["create", "review", "confirm", "return", "confirm", "close"]
        );
        assert_eq!(body["timeline"][3]["comment"], "材料名称需与清单一致");
        assert_eq!(codes(&dept, "view=done").await, vec![second.clone()]);
        assert_eq!(codes(&city, "view=created").await.len(), 2);

        // Stale: a version the caller saw before someone else acted.
        let (status, body) = act(&city, &first, json!({"action": "review", "version": 0})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("workorder.stale"))
        );
        // Racing: two operators review at once — one step, the other 409.
        let other = app.login("city", "City@12345").await;
        let (a, b) = tokio::join!(
            act(&city, &first, json!({"action": "review"})),
            act(&other, &first, json!({"action": "review"}))
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{a:?} {b:?}"
        );
        let (_, detail) = city.get(&format!("/api/v1/work-orders/{first}")).await;
        assert_eq!(
            detail["timeline"].as_array().unwrap().len(),
            2,
            "never a double step: {detail}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn complaints_are_dispatched_handled_and_closed() {
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let dept = app.login("dept", "Dept@123456").await;
        let complaint = json!({"complaint_id": "TS-1", "title": "窗口办理超时", "content": "营业执照变更等了三周",
            "complainant": "张先生", "source": "12345", "received_at": "2026-03-02T10:00:00+08:00",
            "region_code": "110105", "promised_days": 3});
        let report = post(
            &city,
            "/api/v1/intake/complaints",
            json!([complaint, complaint]),
        )
        .await;
        assert_eq!(
            (report["accepted"].as_i64(), report["duplicates"].as_i64()),
            (Some(1), Some(1)),
            "{report}"
        );
        let code = codes(&chaoyang, "type=complaint")
            .await
            .pop()
            .expect("complaint order");
        assert!(codes(&dept, "type=complaint").await.is_empty());

        let (status, body) = act(&chaoyang, &code, json!({"action": "dispatch"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = act(
            &chaoyang,
            &code,
            json!({"action": "dispatch",
            "fields": {"class_code": "NOPE", "unit_code": UNIT}}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = act(
            &chaoyang,
            &code,
            json!({"action": "dispatch",
            "fields": {"class_code": "A0101", "unit_code": UNIT}}),
        )
        .await;
        assert_eq!(
            (status, body["state"].as_str(), body["unit_code"].as_str()),
            (StatusCode::OK, Some("handling"), Some(UNIT)),
            "{body}"
        );
        assert_eq!(
            codes(&city, "type=complaint&class=A01").await,
            vec![code.clone()]
        );
        assert_eq!(codes(&dept, "view=todo").await, vec![code.clone()]);
        let body = step(
            &dept,
            &code,
            json!({"action": "request_info", "comment": "请补充受理回执"}),
            "waiting",
        )
        .await;
        assert!(body["due_at"].is_null(), "the clock pauses");
        let body = step(&dept, &code, json!({"action": "resume"}), "handling").await;
        assert!(body["due_at"].is_string());
        assert_eq!(
            act(
                &dept,
                &code,
                json!({"action": "reply", "comment": "已加派人手并致歉"})
            )
            .await
            .0,
            StatusCode::OK
        );
        let (status, body) = act(
            &chaoyang,
            &code,
            json!({"action": "close", "fields": {"satisfaction": 9}}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let body = step(
            &chaoyang,
            &code,
            json!({"action": "close", "fields": {"satisfaction": 5}}),
            "closed",
        )
        .await;
        assert_eq!(body["data"]["satisfaction"], 5);

        // Statistics by class and district, in scope.
        let (status, stats) = city
            .get("/api/v1/work-orders/stats?by=class&type=complaint")
            .await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        assert_eq!(
            (
                stats[0]["key"].as_str(),
                stats[0]["name"].as_str(),
                stats[0]["total"].as_i64(),
                stats[0]["open"].as_i64()
            ),
            (Some("A0101"), Some("办理超时"), Some(1), Some(0)),
            "{stats}"
        );
        let (_, stats) = chaoyang.get("/api/v1/work-orders/stats?by=district").await;
        assert_eq!(
            (stats[0]["key"].as_str(), stats[0]["total"].as_i64()),
            (Some("110105"), Some(1)),
            "{stats}"
        );
        assert_eq!(
            city.get("/api/v1/work-orders/stats?by=moon").await.0,
            StatusCode::BAD_REQUEST
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_review_opens_an_order_and_overdue_orders_warn() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        common::aggregation::catalogue(&admin).await;
        let cases = json!([case(
            "C-BAD",
            CY_ITEM,
            "110105",
            "110105D007",
            PERSON,
            "2026-03-02T09:00:00+08:00"
        )]);
        post(&city, "/api/v1/intake/cases", cases).await;
        let evaluations = json!([
            {"evaluation_id": "E-BAD", "case_code": "C-BAD", "channel": "app", "rated_at": "2026-03-05T09:00:00+08:00", "satisfaction": 5},
            {"evaluation_id": "E-OK", "case_code": "C-BAD", "channel": "app", "rated_at": "2026-03-05T10:00:00+08:00", "satisfaction": 1}
        ]);
        post(&city, "/api/v1/intake/evaluations", evaluations.clone()).await;
        post(&city, "/api/v1/intake/evaluations", evaluations).await;
        let (status, page) = chaoyang.get("/api/v1/work-orders?type=bad_review").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["total"], 1, "one order for the one bad review: {page}");
        let order = &page["items"][0];
        assert_eq!(
            (order["state"].as_str(), order["unit_code"].as_str()),
            (Some("verifying"), Some("110105D007"))
        );

        // Attachments: a PDF is kept with its hash; HTML is refused.
        let code = order["code"].as_str().unwrap();
        let upload = |name: &str, content: &[u8]| {
            let mut body = format!("--B0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").into_bytes();
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n--B0--\r\n");
            chaoyang
                .http
                .post(format!(
                    "{}/api/v1/work-orders/{code}/attachments",
                    chaoyang.base
                ))
                .header("x-csrf-token", chaoyang.csrf.clone().unwrap_or_default())
                .header("content-type", "multipart/form-data; boundary=B0")
                .body(body)
                .send()
        };
        let response = upload("整改报告.pdf", b"%PDF-1.7 report").await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let attachment: Value = response.json().await.unwrap();
        assert_eq!(
            attachment["sha256"].as_str().map(str::len),
            Some(64),
            "{attachment}"
        );
        let response = upload("page.html", b"<html><script></script>")
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // Overdue: the sweep raises a warning in the same inbox, once.
        let later = govpulse_core::time::now_ms() + 60 * 86_400_000;
        assert_eq!(
            app.state
                .store
                .sweep_overdue_work_orders(later, 100)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            app.state
                .store
                .sweep_overdue_work_orders(later, 100)
                .await
                .unwrap(),
            0
        );
        let (status, warnings) = chaoyang
            .get("/api/v1/warnings?rule=workorder_overdue")
            .await;
        assert_eq!(
            (status, warnings["total"].as_i64()),
            (StatusCode::OK, Some(1)),
            "{warnings}"
        );
        assert_eq!(warnings["items"][0]["case_code"].as_str(), Some(code));
        // Its inbox message is titled like every warning message: 【level】what.
        let (_, inbox) = chaoyang.get("/api/v1/messages?size=100").await;
        let titles: Vec<&str> = inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["title"].as_str())
            .collect();
        assert!(
            titles.contains(&format!("【红灯】工单超期：{code}").as_str()),
            "{titles:?}"
        );
        app.cleanup().await;
    }
}
