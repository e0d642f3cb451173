//! Every warning list, object and message is limited to the caller's scope:
//! a district sees its district, a department its department.

use crate::common::monitoring::*;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;

fn codes(items: &[serde_json::Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|w| w["case_code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn districts_and_departments_see_only_their_own_warnings() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let haidian = app.login("haidian", "Haidian@123").await;
        let dept = app.login("dept", "Dept@123456").await;
        open_case(&city, "SC-CY", CHAOYANG, ms(OLD)).await;
        open_case(&city, "SC-HD", HAIDIAN, ms(OLD)).await;
        open_case(&city, "SC-DEPT", DEPARTMENT, ms(OLD)).await;
        settle(&app).await;

        let everything = warnings(&city, "").await;
        assert_eq!(
            codes(&everything),
            BTreeSet::from(["SC-CY".into(), "SC-HD".into(), "SC-DEPT".into()]),
            "{label}: {everything:#?}"
        );
        let cy = warnings(&chaoyang, "").await;
        assert_eq!(
            codes(&cy),
            BTreeSet::from(["SC-CY".into(), "SC-DEPT".into()]),
            "{label}: 朝阳 sees the cases in 朝阳 only"
        );
        assert!(cy.iter().all(|w| w["region_code"] == "110105"));
        // Filters cannot widen the scope.
        assert!(warnings(&chaoyang, "region=110108").await.is_empty());
        assert!(warnings(&chaoyang, "case=SC-HD").await.is_empty());
        let hd = warnings(&haidian, "").await;
        assert_eq!(codes(&hd), BTreeSet::from(["SC-HD".into()]), "{label}");
        let hd = warnings(&haidian, "rule=approval_overdue").await;
        let own = warnings(&dept, "").await;
        assert_eq!(
            codes(&own),
            BTreeSet::from(["SC-DEPT".into()]),
            "{label}: the department sees its own department's case only"
        );
        assert_eq!(own[0]["department_code"], DEPARTMENT.department);

        // Another district's warning does not exist for 朝阳.
        let hd_id = hd[0]["id"].as_i64().unwrap();
        let (status, body) = chaoyang.get(&format!("/api/v1/warnings/{hd_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}: {body}");
        for (action, body) in [
            ("acknowledge", json!({})),
            ("handle", json!({"note": "越权处置"})),
            ("false-positive", json!({"reason": "越权处置"})),
        ] {
            let (status, body) = chaoyang
                .post(&format!("/api/v1/warnings/{hd_id}/{action}"), body)
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{label} {action}: {body}");
        }
        let cy_case = only_warning(&chaoyang, "SC-CY", "approval_overdue").await;
        let (status, body) = dept
            .get(&format!("/api/v1/warnings/{}", cy_case["id"]))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}: {body}");
        let (status, bulk) = chaoyang
            .post(
                "/api/v1/warnings/bulk",
                json!({"ids": [hd_id], "action": "acknowledge"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{bulk}");
        assert_eq!(
            (bulk["done"].clone(), bulk["skipped"].clone()),
            (json!(0), json!(1))
        );
        let detail = warning_detail(&haidian, hd_id).await;
        assert_eq!(detail["status"], "open", "{label}: untouched");
        assert_eq!(actions(&detail), ["raised"]);

        // Inboxes follow the same lines.
        let cy_ids: BTreeSet<i64> = cy.iter().map(|w| w["id"].as_i64().unwrap()).collect();
        let inbox = messages(&chaoyang, "").await;
        let approval = rule_messages(&chaoyang, "approval_overdue").await;
        assert_eq!(approval.len(), 2, "{label}: {inbox}");
        for message in inbox["items"].as_array().unwrap() {
            assert!(
                cy_ids.contains(&message["warning_id"].as_i64().unwrap()),
                "{label}: 朝阳 told about {message}"
            );
            assert_ne!(message["case_code"], "SC-HD");
        }
        let inbox = messages(&haidian, "").await;
        assert!(inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["case_code"] == "SC-HD"));
        assert_eq!(
            rule_messages(&haidian, "approval_overdue").await.len(),
            1,
            "{label}: {inbox}"
        );
        let inbox = messages(&dept, "").await;
        assert!(inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["case_code"] == "SC-DEPT"));
        assert_eq!(
            rule_messages(&dept, "approval_overdue").await.len(),
            1,
            "{label}: {inbox}"
        );
        // Exports follow the scope too.
        let response = chaoyang
            .http
            .get(format!(
                "{}/api/v1/warnings/export?format=csv",
                chaoyang.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let csv = response.text().await.unwrap();
        assert!(
            csv.contains("SC-CY") && csv.contains("SC-DEPT"),
            "{label}: {csv}"
        );
        assert!(
            !csv.contains("SC-HD"),
            "{label}: 海淀 in 朝阳's export: {csv}"
        );
        // The case detail of another district is out of reach, warnings included.
        let (status, _) = chaoyang.get("/api/v1/cases/SC-HD").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.cleanup().await;
    }
}
