//! Fixtures of the evaluation tests: a small world of cases in 朝阳区, 海淀区
//! and a city department, completed on time or late.

use super::monitoring::{
    catalogue, events, ms, open_case, settle, CHAOYANG, DEPARTMENT, HAIDIAN, OLD,
};
use super::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Completed 3 days after acceptance: on time. 2026-04-30: late (overdue).
pub const ON_TIME: &str = "2026-03-05T16:00:00+08:00";
pub const LATE: &str = "2026-04-30T16:00:00+08:00";

pub async fn finish(city: &Client, code: &str, at: &str) {
    events(
        city,
        &[
            (code, 3, "decided", ms(at)),
            (code, 4, "completed", ms(at) + 60_000),
        ],
    )
    .await;
}

/// All submitted 2026-03-02: 朝阳 CY-DONE (on time), CY-LATE (late), CY-OPEN
/// (open past its deadline); 海淀 HD-1, HD-2 (on time); DEPT-OPEN in 朝阳,
/// handled by the city department (open, overdue). Evaluations: CY-DONE 非常满意 (1), CY-LATE 非常不满意 (5).
pub async fn world(app: &TestApp) -> Client {
    let admin = app.admin().await;
    catalogue(&admin).await;
    let city = app.login("city", "City@12345").await;
    for (code, place) in [
        ("CY-DONE", CHAOYANG),
        ("CY-LATE", CHAOYANG),
        ("CY-OPEN", CHAOYANG),
        ("HD-1", HAIDIAN),
        ("HD-2", HAIDIAN),
        ("DEPT-OPEN", DEPARTMENT),
    ] {
        open_case(&city, code, place, ms(OLD)).await;
    }
    finish(&city, "CY-DONE", ON_TIME).await;
    finish(&city, "CY-LATE", LATE).await;
    finish(&city, "HD-1", ON_TIME).await;
    finish(&city, "HD-2", ON_TIME).await;
    let (status, report) = city
        .post(
            "/api/v1/intake/evaluations",
            json!([
                {"evaluation_id": "E-1", "case_code": "CY-DONE", "channel": "app", "rated_at": "2026-03-09T09:00:00+08:00", "satisfaction": 1},
                {"evaluation_id": "E-2", "case_code": "CY-LATE", "channel": "app", "rated_at": "2026-03-09T09:00:00+08:00", "satisfaction": 5},
            ]),
        )
        .await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(2)),
        "{report}"
    );
    settle(app).await;
    city
}

pub async fn ok(client: &Client, path: &str) -> Value {
    let (status, body) = client.get(path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

pub fn unit<'a>(rows: &'a Value, code: &str) -> &'a Value {
    rows.as_array()
        .and_then(|r| r.iter().find(|u| u["unit_code"] == code))
        .unwrap_or_else(|| panic!("{code} missing: {rows}"))
}
