//! Organisation master data for any city (issue 14, item 7), on every
//! backend: importing a city's regions and departments from files, region
//! management (rename, attributes, merge with history, delete refused while
//! referenced), and a 常州 demo as its 天宁区 operator sees it.

mod common;

use common::monitoring::{at, get_ok, now};
use common::TestApp;
use govpulse_server::org_import::{self, OrgFile};
use govpulse_server::seed::{self, catalogue, city::CHANGZHOU, demo_data};
use reqwest::StatusCode;
use serde_json::{json, Value};

const REGIONS: &[u8] = include_bytes!("../../../docs/examples/changzhou-regions.csv");
const DEPARTMENTS: &[u8] = include_bytes!("../../../docs/examples/changzhou-departments.csv");

fn import_record() -> govpulse_store::audit::AuditRecord {
    govpulse_store::audit::AuditRecord {
        actor: "cli".into(),
        ip: "local".into(),
        action: "org.import".into(),
        object_type: "system".into(),
        object_id: String::new(),
        result: govpulse_core::audit::Outcome::Success,
        details: json!({}),
    }
}

#[tokio::test]
async fn a_city_is_imported_from_files_and_a_bad_file_stores_nothing() {
    for app in TestApp::all().await {
        let store = &app.state.store;
        let bad = b"code,name\n320402,\xe5\xa4\xa9\xe5\xae\x81\xe5\x8c\xba\n3204,x\n";
        let problems = org_import::import(
            store,
            Some(OrgFile {
                name: "bad.csv",
                bytes: bad,
            }),
            None,
            &import_record(),
        )
        .await
        .expect("import")
        .expect_err("a wrong row");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(store.get_region("320402").await.unwrap().is_none());

        let counts = org_import::import(
            store,
            Some(OrgFile {
                name: "regions.csv",
                bytes: REGIONS,
            }),
            Some(OrgFile {
                name: "departments.csv",
                bytes: DEPARTMENTS,
            }),
            &import_record(),
        )
        .await
        .expect("import")
        .expect("clean files");
        assert_eq!(counts, (15, 5), "{}", app.label());
        let tianning = store.get_region("320402").await.unwrap().expect("imported");
        assert_eq!((tianning.name.as_str(), tianning.level), ("天宁区", 2));
        assert_eq!(tianning.parent_code.as_deref(), Some("320400"));

        // The imported city is visible to a caller scoped to it, not to Beijing's.
        let admin = app.admin().await;
        let (status, _) = admin.get("/api/v1/regions/320402").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let detail = get_ok(&admin, "/api/v1/regions/110105").await;
        assert_eq!(detail["name"], "朝阳区");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn regions_are_renamed_merged_and_deleted_only_when_unreferenced() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let (status, body) = admin
            .put(
                "/api/v1/regions/110105001",
                json!({"name": "建外街道办事处", "attributes": {"面积": "4.2平方公里"}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["attributes"]["面积"], "4.2平方公里");
        let actions: Vec<&str> = body["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["rename", "attributes"], "{body}");
        assert_eq!(body["history"][0]["before"], "建外街道");
        let (status, body) = admin
            .put("/api/v1/regions/110105001", json!({"name": " "}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        // Merge 朝外街道 into 建外街道: the old code stays, pointing at its successor.
        let (status, body) = admin
            .post(
                "/api/v1/regions/110105002/merge",
                json!({"into": "110105001"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["merged_into"], "110105001");
        assert_eq!(body["history"][0]["action"], "merge");
        let regions = get_ok(&admin, "/api/v1/regions").await;
        let old = regions
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "110105002")
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(old["merged_into"], "110105001", "old codes still resolve");
        let (status, body) = admin
            .post(
                "/api/v1/regions/110105002/merge",
                json!({"into": "110105003"}),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("region.merged"))
        );
        let (status, body) = admin
            .post("/api/v1/regions/110105/merge", json!({"into": "110108"}))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("region.has_children")),
            "{body}"
        );
        let (status, _) = admin
            .post("/api/v1/regions/110105003/merge", json!({"into": "110108"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "another level is refused");

        // Delete: refused while referenced (the merged street points at 建外),
        // allowed for an unreferenced street.
        let (status, body) = admin.delete("/api/v1/regions/110105001").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "region.in_use");
        assert!(body["details"]["references"]
            .as_array()
            .unwrap()
            .contains(&json!("regions")));
        let district = get_ok(&admin, "/api/v1/regions/110105").await;
        for table in ["regions", "departments", "users"] {
            assert!(
                district["references"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(table)),
                "{district}"
            );
        }
        let (status, _) = admin.delete("/api/v1/regions/110105003").await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = admin.get("/api/v1/regions/110105003").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // A district operator sees its own district only and cannot change it.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (status, _) = chaoyang.get("/api/v1/regions/110108").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        get_ok(&chaoyang, "/api/v1/regions/110105").await;
        let (status, _) = chaoyang
            .put("/api/v1/regions/110105", json!({"name": "x"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        app.cleanup().await;
    }
}

/// Issue 14's Done-when: a 常州 demo opens with 常州's districts for a
/// district operator of 天宁区, and a quality run there finds the planted records.
#[tokio::test]
async fn a_changzhou_demo_opens_for_the_tianning_operator() {
    for app in TestApp::all().await {
        let label = app.label();
        let store = &app.state.store;
        seed::organisation_seed(store, &CHANGZHOU)
            .await
            .expect("org");
        seed::demo_accounts(store, &CHANGZHOU)
            .await
            .expect("accounts");
        let options = demo_data::DemoOptions {
            cases: 200,
            seed: 1,
            until_ms: now(),
            sample: catalogue::builtin_sample(),
            city: &CHANGZHOU,
        };
        demo_data::load(&app.state.pipeline(), &options, |_| {})
            .await
            .expect("demo");
        let tianning = app.login("tianning", "Tianning@123").await;
        let regions = get_ok(&tianning, "/api/v1/regions").await;
        let regions = regions.as_array().unwrap();
        assert_eq!(regions[0]["name"], "天宁区", "{label}");
        assert!(regions
            .iter()
            .all(|r| r["code"].as_str().unwrap().starts_with("320402")));
        let cases = get_ok(&tianning, "/api/v1/cases?size=500").await;
        let items = cases["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{label}: {cases}");
        assert!(items
            .iter()
            .all(|c| c["region_code"].as_str().unwrap().starts_with("320402")));

        let today = &at(now())[..10];
        let (status, body) = tianning
            .post(
                "/api/v1/quality/runs",
                json!({"from": "2020-01-01", "to": today}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let id = body["run_id"].as_i64().unwrap();
        let run = loop {
            let run = get_ok(&tianning, &format!("/api/v1/quality/runs/{id}")).await;
            if run["state"] == "done" || run["state"] == "failed" {
                break run;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert_eq!(run["state"], "done", "{run}");
        let codes: Vec<&str> = run["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"process.out_of_order"), "{label}: {run}");
        app.cleanup().await;
    }
}
