//! The indicator workbook (IND-3) on every backend: the library and its
//! warning rules exported as one XLSX import into an empty database and
//! export again as the same workbook; importing it again changes nothing.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn export(client: &Client) -> Vec<u8> {
    let response = client
        .http
        .get(format!("{}/api/v1/indicator-workbook", client.base))
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.expect("body").to_vec()
}

async fn import(client: &Client, bytes: Vec<u8>) -> (StatusCode, Value) {
    let response = client
        .http
        .post(format!("{}/api/v1/indicator-workbook", client.base))
        .header("x-csrf-token", client.csrf.clone().unwrap_or_default())
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(bytes)
        .send()
        .await
        .expect("import");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Every sheet's cells, by sheet name.
fn cells(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

async fn library(evaluator: &Client) {
    let (status, body) = evaluator
        .post(
            "/api/v1/indicators",
            json!({"code": "night_cases", "name": "夜间办件数", "level": 3, "parent_code": "timeliness",
                   "state": "enabled", "direction": "lower", "unit": "件", "description": "说明，含逗号",
                   "calculation": {"kind": "ratio", "numerator": "overdue", "denominator": null, "scale": 1}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = evaluator
        .post(
            "/api/v1/indicator-alerts",
            json!({"code": "night", "name": "夜间办件增多", "indicator": "night_cases",
                   "unit_level": "city_department", "period": "quarter", "schedule": "30 7 * * 1",
                   "state": "disabled", "description": "季度环比",
                   "levels": [
                       {"level": "orange", "name": "橙色", "colour": "#FF9900", "combine": "any",
                        "conditions": [{"measure": "pop", "op": "ge", "threshold": 20.5},
                                       {"measure": "yoy", "op": "gt", "threshold": 30}]},
                       {"level": "blue", "name": "蓝色", "colour": "#409EFF",
                        "conditions": [{"measure": "value", "op": "ge", "threshold": 3}]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn the_workbook_imports_into_an_empty_database_unchanged() {
    let sources = TestApp::all().await;
    let targets = TestApp::all().await;
    for (source, target) in sources.into_iter().zip(targets) {
        let label = source.label();
        let evaluator = source.login("evaluator", "Eval@123456").await;
        library(&evaluator).await;
        let first = export(&evaluator).await;
        let sheets = cells(&first);
        assert_eq!(
            sheets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["指标", "预警规则", "预警级别", "预警条件"],
            "{label}"
        );
        assert_eq!(sheets[3].1.len(), 4, "{label}: header and three conditions");

        let other = target.login("evaluator", "Eval@123456").await;
        let (status, report) = import(&other, first.clone()).await;
        assert_eq!(status, StatusCode::OK, "{label}: {report}");
        // The built-in indicators are there already; the new ones are created.
        assert_eq!(
            (
                report["indicators"]["created"].clone(),
                report["indicators"]["updated"].clone(),
                report["rules"]["created"].clone()
            ),
            (json!(1), json!(0), json!(1)),
            "{label}: {report}"
        );
        let second = export(&other).await;
        assert_eq!(cells(&second), sheets, "{label}: export → import → export");
        let rule = other.get("/api/v1/indicator-alerts/night").await.1;
        assert_eq!(rule["levels"][0]["conditions"][0]["threshold"], 20.5);
        assert_eq!(rule["state"], "disabled");

        // Again: nothing changes, no new versions.
        let (_, report) = import(&other, second).await;
        assert_eq!(report["indicators"]["updated"], 0, "{label}: {report}");
        assert_eq!(report["rules"]["unchanged"], 1, "{label}: {report}");
        let indicator = other.get("/api/v1/indicators/night_cases").await.1;
        assert_eq!(indicator["version"], 1, "{label}");

        // Not a workbook, and a district that may not write: refused.
        let (status, body) = import(&other, b"not a workbook".to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let chaoyang = target.login("chaoyang", "Chaoyang@123").await;
        assert_eq!(import(&chaoyang, first).await.0, StatusCode::FORBIDDEN);
        source.cleanup().await;
        target.cleanup().await;
    }
}
