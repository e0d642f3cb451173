//! Data aggregation intake through the API (AGG-1..3), on every backend.

mod common;

use common::aggregation::*;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn items_are_versioned_and_cases_pin_the_version_in_force() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        catalogue(&admin).await;
        let again = post(
            &admin,
            "/api/v1/items",
            json!([item(HD_ITEM, "110108", "110108D007", 10, "2015-01-01")]),
        )
        .await;
        assert_eq!(
            (again["accepted"].clone(), again["duplicates"].clone()),
            (json!(0), json!(1))
        );

        let city = app.login("city", "City@12345").await;
        let (_, detail) = city.get(&format!("/api/v1/items/{CY_ITEM}")).await;
        assert_eq!(detail["version"], 2, "{}", app.label());
        assert_eq!(detail["promised_limit"], 8);
        assert_eq!(detail["versions"].as_array().unwrap().len(), 2);
        assert_eq!(
            detail["versions"][1]["valid_to"],
            "2026-06-01T00:00:00+08:00"
        );
        assert_eq!(detail["materials"][0]["name"], "申请表");
        let (_, list) = city.get("/api/v1/items?q=测试事项I-CY").await;
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["limit_unit"], "working");

        let report = post(
            &city,
            "/api/v1/intake/cases",
            json!([
                case(
                    "C-OLD",
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
                case(
                    "C-NEW",
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-07-01T09:00:00+08:00"
                ),
                case(
                    "C-EARLY",
                    "I-LATE",
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
                case(
                    "C-NONE",
                    "I-NOPE",
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
            ]),
        )
        .await;
        assert_eq!(report["accepted"], 2);
        let codes: Vec<(i64, &str)> = report["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["line"].as_i64().unwrap(), r["code"].as_str().unwrap()))
            .collect();
        assert_eq!(codes, [(3, "item.not_in_force"), (4, "item.unknown")]);
        let (_, old) = city.get("/api/v1/cases/C-OLD").await;
        let (_, new) = city.get("/api/v1/cases/C-NEW").await;
        assert_eq!(
            (old["item_version"].clone(), new["item_version"].clone()),
            (json!(1), json!(2))
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn bad_records_are_refused_line_by_line_and_good_ones_kept() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let lines = [
            case(
                "C-1",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                "2026-03-02T09:00:00+08:00",
            )
            .to_string(),
            case(
                "C-2",
                CY_ITEM,
                "110105",
                "110105D007",
                "110105194912310021",
                "2026-03-02T09:00:00+08:00",
            )
            .to_string(),
            case(
                "C-3",
                CY_ITEM,
                "110105",
                "110105D007",
                "110105194902300027",
                "2026-03-02T09:00:00+08:00",
            )
            .to_string(),
            "{\"case_code\": \"C-4\", broken".to_string(),
            case(
                "C-5",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                "2099-01-01T09:00:00+08:00",
            )
            .to_string(),
            {
                let mut wrong_type = case(
                    "C-6",
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00",
                );
                wrong_type["case_code"] = json!(["C-6"]);
                wrong_type.to_string()
            },
            case(
                "C-7",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                "20260303T100000",
            )
            .to_string(),
            case(
                "C-8",
                CY_ITEM,
                "999999",
                "110105D007",
                PERSON,
                "2026-03-02T09:00:00+08:00",
            )
            .to_string(),
        ];
        let (status, report) = ndjson(&city, "/api/v1/intake/cases", lines.join("\n")).await;
        assert_eq!(status, StatusCode::OK, "{}: {report}", app.label());
        assert_eq!(report["accepted"], 2, "{report}");
        let codes: Vec<(i64, &str)> = report["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["line"].as_i64().unwrap(), r["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                (2, "applicant_id.check_character"),
                (3, "applicant_id.birth_date"),
                (4, "record.invalid_json"),
                (5, "time.future"),
                (6, "field.invalid"),
                (8, "region.unknown"),
            ]
        );
        let (_, cases) = city.get("/api/v1/cases").await;
        assert_eq!(cases["total"], 2, "only the good lines were stored");

        // Re-sending is harmless; the same key with other content is a conflict.
        let mut changed = case(
            "C-1",
            CY_ITEM,
            "110105",
            "110105D007",
            PERSON,
            "2026-03-02T09:00:00+08:00",
        );
        changed["applicant_name"] = json!("李四");
        let report = post(
            &city,
            "/api/v1/intake/cases",
            json!([
                case(
                    "C-1",
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON,
                    "2026-03-02T09:00:00+08:00"
                ),
                changed,
            ]),
        )
        .await;
        assert_eq!(report["duplicates"], 1);
        assert_eq!(report["rejected"][0]["code"], "record.conflict");

        // Events: unknown case, conflicting seq, out-of-order arrival.
        let report = post(
            &city,
            "/api/v1/intake/case-events",
            json!([
                event("C-1", 1, "submitted", "2026-03-02T09:00:00+08:00"),
                event("C-1", 3, "completed", "2026-03-05T16:00:00+08:00"),
                event("C-1", 2, "accepted", "2026-03-06T10:00:00+08:00"),
                event("C-404", 1, "submitted", "2026-03-02T09:00:00+08:00"),
                event("C-1", 1, "accepted", "2026-03-02T09:00:00+08:00"),
                event("C-1", 1, "submitted", "2026-03-02T09:00:00+08:00"),
            ]),
        )
        .await;
        assert_eq!(report["accepted"], 3, "{report}");
        assert_eq!(report["duplicates"], 1);
        let codes: Vec<&str> = report["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["case.unknown", "record.conflict"]);
        let (_, detail) = city.get("/api/v1/cases/C-1").await;
        let flags: Vec<(i64, bool)> = detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["seq"].as_i64().unwrap(),
                    e["out_of_order"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            flags,
            [(1, false), (3, false), (2, true)],
            "events listed in time order, late one flagged"
        );
        assert_eq!(detail["status"], "completed");
        // Stage clocks on the working-day calendar: accepted Friday 2026-03-06 with the 10 working
        // days of the item version in force at submission → day 1 is Monday 03-09, day 10 Friday 03-20.
        let clocks = detail["clocks"].as_array().unwrap();
        assert_eq!(clocks[0]["stage"], "acceptance");
        assert_eq!(clocks[0]["status"], "completed");
        let approval = clocks.iter().find(|c| c["stage"] == "approval").unwrap();
        assert_eq!(approval["budget"], 10);
        assert_eq!(approval["deadline"], "2026-03-20T23:59:59+08:00");

        // The reconciliation counts what happened.
        let (_, recon) = city.get("/api/v1/reconciliation?kind=cases").await;
        let row = &recon["items"][0];
        assert_eq!(
            (
                row["received"].clone(),
                row["accepted"].clone(),
                row["duplicates"].clone(),
                row["rejected"].clone()
            ),
            (json!(10), json!(2), json!(1), json!(7))
        );
        assert_eq!(row["rejected_by_code"]["time.future"], 1);
        app.cleanup().await;
    }
}

/// A large NDJSON body — more records than one INSERT statement takes, each
/// with a long question, like the 64 MiB bodies of the memory benchmark — is
/// stored whole in one transaction (records are checked as their lines arrive
/// and stored a statement at a time); every line is answered: bad lines by
/// number among good ones, a repeat as a duplicate, the body resent as
/// duplicates only.
#[tokio::test]
async fn a_large_ndjson_body_is_stored_whole_with_answers_per_line() {
    use govpulse_core::aggregation::consult_code::compose;
    let question = "请问办理营业执照需要哪些材料，线上能否全程网办，".repeat(16);
    let record = |serial: u32| {
        json!({
            "code": compose("110105", "260105", "online", serial).unwrap(),
            "channel": "online", "region_code": "110105", "asked_at": "2026-01-05T09:00:00+08:00",
            "applicant_type": "person", "question": question, "answer": "可以",
        })
        .to_string()
    };
    let mut lines: Vec<String> = (1..=1_600).map(record).collect();
    lines[699] = "{not json".to_string();
    lines[1_200] = json!({ "code": "ZX1", "channel": "online" }).to_string();
    lines.push(record(1));
    let body = lines.join("\n");
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let (status, report) = ndjson(&city, "/api/v1/intake/consultations", body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["accepted"], 1_598, "{report}");
        assert_eq!(report["duplicates"], 1, "line 1601 repeats line 1");
        let rejected: Vec<(u64, &str)> = report["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap()))
            .collect();
        assert_eq!(rejected[0], (700, "record.invalid_json"));
        assert_eq!(
            rejected.iter().map(|r| r.0).collect::<Vec<_>>(),
            [700, 1_201]
        );
        let (_, list) = city.get("/api/v1/consultations?size=1").await;
        assert_eq!(list["total"], 1_598, "every accepted record is stored");
        assert_eq!(list["items"][0]["question"], question.as_str());
        let (status, again) = ndjson(&city, "/api/v1/intake/consultations", body.clone()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["accepted"], 0);
        assert_eq!(again["duplicates"], 1_599);
        assert_eq!(again["rejected"].as_array().unwrap().len(), 2);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn oversized_requests_are_refused_whole() {
    let app = TestApp::on(govpulse_store::testing::TestDb::sqlite().await).await;
    let city = app.login("city", "City@12345").await;
    let many: String = (0..50_001)
        .map(|i| format!("{{\"case_code\":\"X{i}\"}}\n"))
        .collect();
    let (status, body) = ndjson(&city, "/api/v1/intake/cases", many).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "request.too_large");
    let huge = "x".repeat(65 * 1024 * 1024);
    let (status, body) = ndjson(&city, "/api/v1/intake/cases", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["code"], "request.too_large");
    let (_, recon) = city.get("/api/v1/reconciliation").await;
    assert_eq!(
        recon["items"].as_array().unwrap().len(),
        0,
        "nothing was recorded"
    );
    app.cleanup().await;
}

#[tokio::test]
async fn tokens_feed_intake_and_files_import_with_collection_rules() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        catalogue(&admin).await;
        let (_, token) = admin
            .post(
                "/api/v1/tokens",
                json!({ "name": "综窗系统", "scope": "intake" }),
            )
            .await;
        let token = token["token"].as_str().unwrap().to_string();
        let http = reqwest::Client::new();
        // A source whose records use its own field names and channel codes.
        let (status, body) = admin
            .post(
                "/api/v1/sources",
                json!({
                    "code": "zongchuang", "name": "综窗系统", "kinds": ["cases"],
                    "field_map": {"BJBH": "case_code", "SXBM": "item_code", "QD": "channel"},
                    "required": ["remark"],
                    "dictionaries": {"channel": {"1": "window", "2": "online"}}
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let mut record = case(
            "",
            CY_ITEM,
            "110105",
            "110105D007",
            PERSON,
            "2026-03-02T09:00:00+08:00",
        );
        let object = record.as_object_mut().unwrap();
        object.remove("case_code");
        object.remove("item_code");
        object.remove("channel");
        object.insert("BJBH".into(), json!("ZC-1"));
        object.insert("SXBM".into(), json!(CY_ITEM));
        object.insert("QD".into(), json!(2));
        let mut without_remark = Value::Object(object.clone());
        object.insert("remark".into(), json!("综窗"));
        without_remark["BJBH"] = json!("ZC-2");
        let response = http
            .post(format!(
                "{}/api/v1/intake/cases?source=zongchuang",
                app.base
            ))
            .bearer_auth(&token)
            .json(&json!([record, without_remark]))
            .send()
            .await
            .unwrap();
        let report: Value = response.json().await.unwrap();
        assert_eq!(report["accepted"], 1, "{}: {report}", app.label());
        assert_eq!(report["rejected"][0]["code"], "field.missing");
        let city = app.login("city", "City@12345").await;
        let (_, zc) = city.get("/api/v1/cases/ZC-1").await;
        assert_eq!(zc["channel"], "online");
        // The token cannot read.
        let status = http
            .get(format!("{}/api/v1/cases", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The built-in item sample imports through the built-in item-catalogue rules.
        let sample = govpulse_server::seed::catalogue::SAMPLE_CSV.to_vec();
        let response = city
            .http
            .post(format!(
                "{}/api/v1/import/items?source=item-catalogue",
                app.base
            ))
            .header("x-csrf-token", city.csrf.clone().unwrap())
            .header("content-type", "text/csv")
            .body(sample)
            .send()
            .await
            .unwrap();
        let report: Value = response.json().await.unwrap();
        assert!(report["accepted"].as_u64().unwrap() > 1000, "{report}");
        assert_eq!(report["rejected"].as_array().unwrap().len(), 0, "{report}");
        // They belong to a Sichuan district: outside every Beijing user's scope, but stored.
        assert!(app.db.store.count_items().await.unwrap() > 1000);
        let (_, visible) = city.get("/api/v1/items?region=511602").await;
        assert_eq!(visible["total"], 0);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn intake_over_the_callers_rate_is_refused_with_retry_after() {
    for db in govpulse_store::testing::TestDb::all().await {
        let app = TestApp::with(db, |c| c.intake_rate_per_minute = 2).await;
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        for _ in 0..2 {
            let (status, body) = city.post("/api/v1/intake/cases", json!([])).await;
            assert_eq!(status, StatusCode::OK, "{label}: {body}");
        }
        let response = city
            .http
            .post(format!("{}/api/v1/intake/cases", app.base))
            .header("x-csrf-token", city.csrf.clone().unwrap_or_default())
            .json(&json!([]))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{label}");
        let wait: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((1..=60).contains(&wait), "{label}: {wait}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["code"], "intake.rate_limited", "{label}: {body}");
        assert_eq!(body["details"]["retry_after_secs"], wait);
        // File imports count toward the same budget; another caller has its own.
        let (status, _) = city.post("/api/v1/import/cases", json!([])).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{label}");
        let admin = app.admin().await;
        let (status, body) = admin.post("/api/v1/intake/cases", json!([])).await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{label}: {body}");
        app.cleanup().await;
    }
}
