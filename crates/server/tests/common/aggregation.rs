//! Fixtures shared by the aggregation tests.
#![allow(dead_code)]

use super::Client;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const CY_ITEM: &str = "I-CY-001";
pub const HD_ITEM: &str = "I-HD-001";
/// GB 11643 example number and a second valid one.
pub const PERSON: &str = "11010519491231002X";
pub const PERSON2: &str = "110108199003074519";

pub fn item(code: &str, region: &str, dept: &str, promised: i64, valid_from: &str) -> Value {
    json!({
        "item_code": code, "name": format!("测试事项{code}"), "item_type_code": "01",
        "department_code": dept, "region_code": region, "legal_limit": 20, "promised_limit": promised,
        "limit_unit": "working", "case_type_code": 2, "valid_from": valid_from,
        "materials": [{"name": "申请表"}], "elements": {"fee": "不收费"}
    })
}

pub fn case(
    code: &str,
    item: &str,
    region: &str,
    dept: &str,
    applicant: &str,
    submitted: &str,
) -> Value {
    json!({
        "case_code": code, "item_code": item, "applicant_type": "person", "applicant_id": applicant,
        "applicant_name": "张三", "region_code": region, "department_code": dept, "channel": "window",
        "submitted_at": submitted
    })
}

pub fn event(case: &str, seq: i64, kind: &str, at: &str) -> Value {
    json!({ "case_code": case, "seq": seq, "kind": kind, "at": at })
}

pub async fn post(client: &Client, path: &str, records: Value) -> Value {
    let (status, body) = client.post(path, records).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

pub async fn ndjson(client: &Client, path: &str, body: String) -> (StatusCode, Value) {
    let response = client
        .http
        .post(format!("{}{path}", client.base))
        .header("x-csrf-token", client.csrf.clone().unwrap_or_default())
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Items in 朝阳区 and 海淀区 (the first changes its promised limit on 2026-06-01).
pub async fn catalogue(admin: &Client) {
    let report = post(
        admin,
        "/api/v1/items",
        json!([
            item(CY_ITEM, "110105", "110105D007", 10, "2015-01-01"),
            item(HD_ITEM, "110108", "110108D007", 10, "2015-01-01"),
            item("I-LATE", "110105", "110105D007", 10, "2026-06-01"),
        ]),
    )
    .await;
    assert_eq!(report["accepted"], 3, "{report}");
    let report = post(
        admin,
        "/api/v1/items",
        json!([item(CY_ITEM, "110105", "110105D007", 8, "2026-06-01")]),
    )
    .await;
    assert_eq!(report["accepted"], 1, "a changed item is a new version");
}
