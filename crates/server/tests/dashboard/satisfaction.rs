//! Satisfaction and 差评 figures (issue 12): evaluations rated 不满意 or
//! 非常不满意 (4, 5) counted per district, department and day, with the
//! dashboard's filters, inside the caller's scope, and exported as tables.

use crate::common::aggregation::{case, catalogue, post, CY_ITEM, HD_ITEM, PERSON, PERSON2};
use crate::common::exports::{csv_rows, fetch};
use crate::common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PERIOD: &str = "from=2026-11-01&to=2026-11-30";

async fn figures(client: &Client, filters: &str) -> Value {
    let (status, body) = client
        .get(&format!("/api/v1/dashboard/satisfaction?{PERIOD}{filters}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn rated(id: &str, case: &str, day: &str, satisfaction: i64) -> Value {
    json!({"evaluation_id": id, "case_code": case, "channel": "app",
        "rated_at": format!("2026-11-{day}T10:00:00+08:00"), "satisfaction": satisfaction})
}

#[tokio::test]
async fn satisfaction_and_bad_review_rates_by_district_department_and_day() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let cases = json!([
            case(
                "C-S1",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                "2026-11-20T09:00:00+08:00"
            ),
            case(
                "C-S2",
                HD_ITEM,
                "110108",
                "110108D007",
                PERSON2,
                "2026-11-20T09:00:00+08:00"
            ),
        ]);
        post(&city, "/api/v1/intake/cases", cases).await;
        let evaluations = json!([
            rated("E-S1", "C-S1", "21", 1),
            rated("E-S2", "C-S1", "22", 5),
            rated("E-S3", "C-S2", "22", 4),
            rated("E-S4", "C-S2", "23", 2),
            rated("E-S5", "C-S2", "23", 3),
        ]);
        let report = post(&city, "/api/v1/intake/evaluations", evaluations).await;
        assert_eq!(report["accepted"], 5, "{report}");

        let all = figures(&city, "").await;
        assert_eq!(
            (
                all["total"].as_u64(),
                all["bad"].as_u64(),
                all["bad_rate"].as_f64()
            ),
            (Some(5), Some(2), Some(0.4)),
            "{label}: {all}"
        );
        assert_eq!(all["satisfaction_rate"].as_f64(), Some(0.6));
        let districts: Vec<(&str, u64, u64)> = all["by_district"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["code"].as_str().unwrap(),
                    g["total"].as_u64().unwrap(),
                    g["bad"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(districts, [("110105", 2, 1), ("110108", 3, 1)], "{label}");
        assert_eq!(all["by_district"][0]["name"], "朝阳区");
        assert_eq!(all["by_district"][0]["bad_rate"].as_f64(), Some(0.5));
        assert_eq!(all["by_department"].as_array().unwrap().len(), 2);
        let trend = all["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 30, "every day of the period");
        assert_eq!(
            (
                trend[21]["date"].as_str(),
                trend[21]["total"].as_u64(),
                trend[21]["bad"].as_u64()
            ),
            (Some("2026-11-22"), Some(2), Some(2)),
            "{label}"
        );

        // Filters and scope as for every dashboard figure.
        let haidian_dept = figures(&city, "&department=110108D007").await;
        assert_eq!(haidian_dept["total"], 3, "{label}");
        let by_item = figures(&city, &format!("&item={CY_ITEM}")).await;
        assert_eq!(
            (by_item["total"].as_u64(), by_item["bad"].as_u64()),
            (Some(2), Some(1))
        );
        let own = figures(&chaoyang, "").await;
        assert_eq!(own["total"], 2, "{label}: {own}");
        assert_eq!(own["by_district"].as_array().unwrap().len(), 1);
        let elsewhere = figures(&chaoyang, "&region=110108").await;
        assert_eq!(
            elsewhere["total"], 0,
            "{label}: another district stays invisible"
        );
        let (status, _) = city
            .get("/api/v1/dashboard/satisfaction?from=2026-11-30&to=2026-11-01")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // The tables, for the same filters and scope.
        let (status, _, bytes) = fetch(
            &chaoyang,
            &format!(
                "/api/v1/dashboard/export?table=satisfaction_by_department&format=csv&{PERIOD}"
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let rows = csv_rows(&bytes);
        assert_eq!(
            rows[0],
            ["编码", "名称", "评价数", "差评数", "满意率", "差评率"]
        );
        assert_eq!(rows.len(), 2, "{label}: {rows:?}");
        assert_eq!(rows[1][0], "110105D007");
        assert_eq!(&rows[1][2..], ["2", "1", "50.0%", "50.0%"]);
        app.cleanup().await;
    }
}
