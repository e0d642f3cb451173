//! A small world: cases in 朝阳, 海淀 and the demo city department, finished
//! on time, late, or still open past their deadline; consultations with real
//! questions.

use crate::common::monitoring::*;
use crate::common::{Client, TestApp};
use govpulse_core::aggregation::consult_code;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Cases accepted 2026-03-02 (see `OLD`): the period that holds them all.
pub const PERIOD: &str = "from=2026-03-01";

/// Days after acceptance: 2026-03-05 is on time, 2026-04-30 is late.
const ON_TIME: &str = "2026-03-05T16:00:00+08:00";
const LATE: &str = "2026-04-30T16:00:00+08:00";

async fn finish(city: &Client, code: &str, at: &str) {
    events(
        city,
        &[
            (code, 3, "decided", ms(at)),
            (code, 4, "completed", ms(at) + 60_000),
        ],
    )
    .await;
}

async fn consultation(city: &Client, serial: u32, place: Place, question: &str) {
    let code = consult_code::compose(place.region, "260301", "hotline", serial).expect("code");
    let record = json!({
        "code": code, "channel": "hotline", "region_code": place.region,
        "asked_at": "2026-03-01T10:00:00+08:00", "applicant_type": "person",
        "applicant_id": person(), "item_code": place.item, "question": question
    });
    let (status, report) = city
        .post("/api/v1/intake/consultations", json!([record]))
        .await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(1)),
        "{report}"
    );
}

/// CY-OPEN (open, overdue), CY-DONE (on time), HD-LATE (finished late),
/// DEPT-OPEN (朝阳, city department, open, overdue); five consultations.
pub async fn world(app: &TestApp) -> Client {
    let admin = app.admin().await;
    catalogue(&admin).await;
    let city = app.login("city", "City@12345").await;
    open_case(&city, "CY-OPEN", CHAOYANG, ms(OLD)).await;
    open_case(&city, "CY-DONE", CHAOYANG, ms(OLD)).await;
    finish(&city, "CY-DONE", ON_TIME).await;
    open_case(&city, "HD-LATE", HAIDIAN, ms(OLD)).await;
    finish(&city, "HD-LATE", LATE).await;
    open_case(&city, "DEPT-OPEN", DEPARTMENT, ms(OLD)).await;
    consultation(&city, 1, CHAOYANG, "营业执照变更需要哪些材料？").await;
    consultation(&city, 2, CHAOYANG, "营业执照可以网上办理吗？").await;
    consultation(
        &city,
        3,
        CHAOYANG,
        "京通办怎么绑定社保卡？京通办能查社保吗？",
    )
    .await;
    consultation(&city, 4, HAIDIAN, "公积金提取需要本人到现场吗？").await;
    consultation(&city, 5, DEPARTMENT, "食品经营许可证延续怎么办理？").await;
    settle(app).await;
    city
}

pub async fn overview(client: &Client, query: &str) -> Value {
    get_ok(client, &format!("/api/v1/dashboard/overview?{query}")).await
}

/// `total` of a list endpoint.
pub async fn list_total(client: &Client, path: &str) -> i64 {
    let (status, body) = client.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body["total"]
        .as_i64()
        .unwrap_or_else(|| panic!("{path}: {body}"))
}

pub async fn hotwords(client: &Client, query: &str) -> Vec<(String, u64)> {
    let body = get_ok(client, &format!("/api/v1/dashboard/hotwords?{query}")).await;
    body.as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|w| {
            (
                w["word"].as_str().unwrap_or_default().to_string(),
                w["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}
