//! Data aggregation reading, linking, identity protection and scope (AGG-1, AGG-4, AGG-5), on every backend.

mod common;

use common::aggregation::*;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn consultations_link_to_cases_and_identity_numbers_stay_protected() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let code = |request: &str| json!({ "channel": "hotline", "region_code": "110105", "request_id": request });
        let (_, first) = city.post("/api/v1/consultations/codes", code("r-1")).await;
        let (_, again) = city.post("/api/v1/consultations/codes", code("r-1")).await;
        let (_, second) = city.post("/api/v1/consultations/codes", code("r-2")).await;
        assert_eq!(first["code"], again["code"], "{}", app.label());
        assert_eq!(
            (first["created"].clone(), again["created"].clone()),
            (json!(true), json!(false))
        );
        assert_ne!(first["code"], second["code"]);
        let consult = |code: &Value, at: &str, applicant: &str| {
            json!({
                "code": code, "channel": "hotline", "region_code": "110105", "asked_at": at,
                "applicant_type": "person", "applicant_id": applicant, "item_code": CY_ITEM,
                "question": "办理需要哪些材料？"
            })
        };
        let report = post(
            &city,
            "/api/v1/intake/consultations",
            json!([
                consult(&first["code"], "2026-02-20T10:00:00+08:00", PERSON),
                consult(&second["code"], "2026-02-25T10:00:00+08:00", PERSON),
                consult(
                    &json!("ZX110105260220H0000019"),
                    "2026-02-25T10:00:00+08:00",
                    PERSON2
                ),
            ]),
        )
        .await;
        assert_eq!(report["accepted"], 2, "{report}");
        assert_eq!(
            report["rejected"][0]["code"], "field.invalid",
            "a code with a wrong check character"
        );
        post(
            &city,
            "/api/v1/intake/cases",
            json!([
                case(
                    "C-L",
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
                case(
                    "C-N",
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON2,
                    "2026-03-02T09:00:00+08:00"
                ),
            ]),
        )
        .await;
        let (_, detail) = city.get("/api/v1/cases/C-L").await;
        assert_eq!(detail["consultations"].as_array().unwrap().len(), 2);
        assert_eq!(detail["applicant_masked"], "110105********002X");
        assert!(
            !detail.to_string().contains(PERSON),
            "the full number never leaves unasked"
        );
        let (_, stats) = city.get("/api/v1/linking/stats?group=region").await;
        let chaoyang = stats["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == "110105")
            .unwrap()
            .clone();
        assert_eq!(chaoyang["applications"], 2);
        assert_eq!(chaoyang["applied_without_consulting"], 1);
        assert_eq!(chaoyang["consultations_per_application"], 2.0);
        let key = detail["applicant_key"].as_str().unwrap();
        let (_, timeline) = city
            .get(&format!("/api/v1/applicants/{key}/timeline"))
            .await;
        let kinds: Vec<&str> = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["consultation", "consultation", "case"]);

        // Reveal: allowed for the city operator and audited; refused for a district operator.
        let (status, revealed) = city.post("/api/v1/cases/C-L/reveal", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(revealed["applicant_id"], PERSON);
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (status, _) = chaoyang.post("/api/v1/cases/C-L/reveal", json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let auditor = app.login("auditor", "Audit@12345").await;
        let (_, log) = auditor.get("/api/v1/audit?action=identity.reveal").await;
        assert_eq!(log["items"][0]["actor"], "city");
        assert_eq!(log["items"][0]["object_id"], "C-L");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn another_districts_data_stays_invisible() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        post(
            &city,
            "/api/v1/intake/cases",
            json!([
                case(
                    "C-CY",
                    CY_ITEM,
                    "110105001",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
                case(
                    "C-HD",
                    HD_ITEM,
                    "110108",
                    "110108D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
            ]),
        )
        .await;
        post(&city, "/api/v1/intake/evaluations", json!([
            {"evaluation_id": "E-CY", "case_code": "C-CY", "channel": "app", "rated_at": "2026-03-09T09:00:00+08:00", "satisfaction": 1},
            {"evaluation_id": "E-HD", "channel": "app", "region_code": "110108", "rated_at": "2026-03-09T09:00:00+08:00", "satisfaction": 4},
        ])).await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (_, cases) = chaoyang.get("/api/v1/cases").await;
        assert_eq!(cases["total"], 1, "{}", app.label());
        assert_eq!(cases["items"][0]["case_code"], "C-CY");
        assert_eq!(
            chaoyang.get("/api/v1/cases/C-HD").await.0,
            StatusCode::NOT_FOUND
        );
        let (_, other) = chaoyang.get("/api/v1/cases?region=110108").await;
        assert_eq!(other["total"], 0);
        let (_, items) = chaoyang.get("/api/v1/items").await;
        assert!(items["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["region_code"] == "110105"));
        assert_eq!(
            chaoyang.get(&format!("/api/v1/items/{HD_ITEM}")).await.0,
            StatusCode::NOT_FOUND
        );
        let (_, evaluations) = chaoyang.get("/api/v1/evaluations").await;
        assert_eq!(evaluations["total"], 1);
        let (_, hd_case) = city.get("/api/v1/cases/C-HD").await;
        let key = hd_case["applicant_key"].as_str().unwrap();
        let (_, timeline) = chaoyang
            .get(&format!("/api/v1/applicants/{key}/timeline"))
            .await;
        assert!(
            timeline["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["code"] != "C-HD"),
            "{timeline}"
        );
        let dept = app.login("dept", "Dept@123456").await;
        assert_eq!(dept.get("/api/v1/cases").await.1["total"], 0);
        // Districts cannot feed data: intake needs the intake permission.
        let (status, _) = chaoyang.post("/api/v1/intake/cases", json!([])).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn parallel_code_requests_never_collide() {
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let city = std::sync::Arc::new(city);
        let mut tasks = Vec::new();
        for i in 0..200 {
            let city = city.clone();
            tasks.push(tokio::spawn(async move {
                let request = json!({ "channel": "wechat", "region_code": "110108", "request_id": format!("p-{}", i % 150) });
                city.post("/api/v1/consultations/codes", request).await
            }));
        }
        let mut by_request = std::collections::HashMap::new();
        for (i, task) in tasks.into_iter().enumerate() {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, StatusCode::OK, "{body}");
            let code = body["code"].as_str().unwrap().to_string();
            assert!(govpulse_core::aggregation::consult_code::is_valid(&code));
            let previous = by_request.insert(i % 150, code.clone());
            assert!(
                previous.is_none_or(|p| p == code),
                "same request id, same code"
            );
        }
        let distinct: std::collections::HashSet<_> = by_request.values().collect();
        assert_eq!(distinct.len(), 150, "{}", app.label());
        app.cleanup().await;
    }
}
