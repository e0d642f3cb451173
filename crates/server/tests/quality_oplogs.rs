//! Operation logs against case data (QC-3) through the API, on every backend:
//! intake of business systems' logs, a sampled check finding each anomaly in
//! the caller's scope, the anomalous cases, a case's log chain, and refusals.

mod common;

use common::monitoring::*;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn at(day: u32, hour: u32) -> String {
    format!("2026-03-{day:02}T{hour:02}:00:00+08:00")
}

fn case(code: &str, place: Place) -> Value {
    json!({
        "case_code": code, "item_code": place.item, "applicant_type": "person",
        "applicant_id": person(), "applicant_name": "王五", "region_code": place.region,
        "department_code": place.department, "channel": "window", "submitted_at": at(2, 9)
    })
}

fn op(code: &str, action: &str, day: u32, hour: u32) -> Value {
    json!({"source": "审批系统", "case_code": code, "action": action, "operator": "张三", "at": at(day, hour)})
}

/// Every case is accepted on the 2nd and completed on the 5th; the logs
/// differ: one clean, one per anomaly in 朝阳, one out of order in 海淀.
async fn planted(city: &common::Client) {
    let codes = ["OL-OK", "OL-ORDER", "OL-MISS", "OL-UNKNOWN", "OL-LATE"];
    let mut cases: Vec<Value> = codes.iter().map(|c| case(c, CHAOYANG)).collect();
    cases.push(case("OL-HD", HAIDIAN));
    let (status, report) = city.post("/api/v1/intake/cases", json!(cases)).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(6)),
        "{report}"
    );
    let mut events = Vec::new();
    for code in codes.iter().chain(["OL-HD"].iter()) {
        events.push(json!({"case_code": code, "seq": 1, "kind": "accepted", "at": at(2, 10)}));
        events.push(json!({"case_code": code, "seq": 2, "kind": "completed", "at": at(5, 10)}));
    }
    let (status, report) = city.post("/api/v1/intake/case-events", json!(events)).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(12)),
        "{report}"
    );
    let logs = json!([
        op("OL-OK", "accepted", 2, 10),
        op("OL-OK", "assigned", 2, 11),
        op("OL-OK", "completed", 5, 10),
        op("OL-ORDER", "completed", 2, 10),
        op("OL-ORDER", "accepted", 5, 10),
        op("OL-MISS", "accepted", 2, 10),
        op("OL-UNKNOWN", "accepted", 2, 10),
        op("OL-UNKNOWN", "盖章", 3, 10),
        op("OL-UNKNOWN", "completed", 5, 10),
        op("OL-LATE", "accepted", 2, 10),
        op("OL-LATE", "completed", 5, 10),
        op("OL-LATE", "transferred", 6, 10),
        op("OL-HD", "completed", 2, 10),
        op("OL-HD", "accepted", 5, 10),
        {"source": "审批系统", "case_code": "OL-OK", "action": "accepted", "operator": "", "at": at(2, 10)},
    ]);
    let (status, answer) = city.post("/api/v1/intake/operation-logs", logs).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (answer["accepted"].as_u64(), answer["duplicates"].as_u64()),
        (Some(14), Some(0)),
        "{answer}"
    );
    assert_eq!(answer["rejected"][0]["line"], 15, "{answer}");
    let (_, again) = city
        .post(
            "/api/v1/intake/operation-logs",
            op("OL-OK", "accepted", 2, 10),
        )
        .await;
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn a_sampled_check_finds_each_anomaly_in_the_callers_scope() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        planted(&city).await;

        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let period = json!({"from": "2026-03-01", "to": "2026-03-31", "sample": 100});
        let (status, check) = chaoyang.post("/api/v1/quality/oplog-checks", period).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {check}");
        assert_eq!(
            check["cases_checked"], 5,
            "{label}: 朝阳's logged cases only: {check}"
        );
        assert_eq!(check["anomalous"], 4, "{check}");
        let counts: Vec<(&str, u64)> = check["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["code"].as_str().unwrap(), c["count"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            counts,
            [
                ("oplog.out_of_order", 1),
                ("oplog.missing_node", 1),
                ("oplog.unknown_step", 1),
                ("oplog.after_completion", 1)
            ],
            "{label}"
        );
        let id = check["id"].as_i64().unwrap();
        for (code, case) in [
            ("oplog.out_of_order", "OL-ORDER"),
            ("oplog.missing_node", "OL-MISS"),
            ("oplog.unknown_step", "OL-UNKNOWN"),
            ("oplog.after_completion", "OL-LATE"),
        ] {
            let list = get_ok(
                &chaoyang,
                &format!("/api/v1/quality/oplog-checks/{id}/anomalies?code={code}"),
            )
            .await;
            assert_eq!(list["total"], 1, "{label} {code}: {list}");
            assert_eq!(list["items"][0]["case_code"], case);
            assert!(!list["items"][0]["reason"].as_str().unwrap().is_empty());
        }
        let checks = get_ok(&chaoyang, "/api/v1/quality/oplog-checks").await;
        assert_eq!(checks[0]["id"], id);

        // The case's full log chain, beside its timeline.
        let chain = get_ok(&chaoyang, "/api/v1/cases/OL-UNKNOWN/operation-logs").await;
        let actions: Vec<(&str, bool)> = chain
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["action"].as_str().unwrap(), o["known"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            actions,
            [("accepted", true), ("盖章", false), ("completed", true)]
        );
        assert_eq!(chain[0]["operator"], "张三");

        // Refusals: another district's case and another user's check are 404.
        let (status, _) = chaoyang.get("/api/v1/cases/OL-HD/operation-logs").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let haidian = app.login("haidian", "Haidian@123").await;
        let (status, _) = haidian
            .get(&format!("/api/v1/quality/oplog-checks/{id}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = haidian
            .get(&format!("/api/v1/quality/oplog-checks/{id}/anomalies"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = chaoyang
            .post(
                "/api/v1/quality/oplog-checks",
                json!({"from": "2026-03-01", "to": "2026-03-31", "sample": 0}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, _) = chaoyang
            .post("/api/v1/intake/operation-logs", op("X", "accepted", 2, 10))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "operators do not feed logs");
        app.cleanup().await;
    }
}
