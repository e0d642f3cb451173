//! Background exports of large lists (DASH-4) through the API, on every
//! backend: scope frozen at creation, owner-only access, the list's own
//! filter validation, formula neutralisation, paging across equal times,
//! identity with the synchronous warning download, restart.

mod common;

use common::aggregation::{case, post, CY_ITEM, PERSON};
use common::exports::*;
use common::TestApp;
use govpulse_server::aggregation::cases::CASE_EXPORT_HEADERS;
use govpulse_store::org::OrgScope;
use govpulse_store::testing::TestDb;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[tokio::test]
async fn a_district_job_holds_its_district_only_with_formulas_neutralised() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = cases(&app).await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;

        let id = create(&chaoyang, json!({ "source": "cases", "format": "xlsx" })).await;
        let job = finished(&chaoyang, id).await;
        assert_eq!(job["status"], "done", "{label}: {job}");
        assert_eq!(
            (
                job["progress"].as_f64(),
                job["rows"].clone(),
                job["total"].clone()
            ),
            (Some(1.0), json!(2), json!(2)),
            "{label}: {job}"
        );
        assert!(job["file_name"].as_str().unwrap().ends_with(".xlsx"));
        assert!(job["finished_at"].is_string() && job["error"].is_null());
        let (_, content_type, _) =
            fetch(&chaoyang, &format!("/api/v1/exports/{id}/download")).await;
        assert!(content_type.contains("spreadsheetml"), "{content_type}");
        let rows = xlsx_rows(&download(&chaoyang, id).await);
        assert_eq!(rows[0], CASE_EXPORT_HEADERS, "{label}");
        let code = column(&rows, "办件编号");
        let region = column(&rows, "区划");
        let applicant = column(&rows, "申请人");
        let codes: Vec<&str> = rows[1..].iter().map(|r| r[code].as_str()).collect();
        assert_eq!(
            codes,
            ["EX-CY-2", "EX-CY-1"],
            "{label}: newest first, 朝阳 only"
        );
        assert!(rows[1..].iter().all(|r| r[region] == "朝阳区"), "{rows:?}");
        // A string cell is never evaluated: the text stays as sent, without
        // the guard prefix CSV needs.
        assert_eq!(rows[2][applicant], EVIL, "{label}: a string cell");

        // CSV with the list's filters, for a city-wide caller.
        let id = create(
            &city,
            json!({ "source": "cases", "format": "csv",
                    "filters": { "region": "110105", "q": "EX-CY-1", "from": "2026-03-01", "page": 2 } }),
        )
        .await;
        let job = finished(&city, id).await;
        assert_eq!(
            (job["status"].clone(), job["rows"].clone()),
            (json!("done"), json!(1)),
            "{job}"
        );
        assert_eq!(
            job["filters"],
            json!({ "region": "110105", "q": "EX-CY-1", "from": "2026-03-01" })
        );
        let (_, content_type, bytes) =
            fetch(&city, &format!("/api/v1/exports/{id}/download")).await;
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let rows = csv_rows(&bytes);
        assert_eq!(rows.len(), 2, "{label}: {rows:?}");
        assert_eq!(rows[1][column(&rows, "办件编号")], "EX-CY-1");
        assert_eq!(rows[1][column(&rows, "申请人")], format!("'{EVIL}"));
        assert_eq!(rows[1][column(&rows, "状态")], "已申请");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn only_the_owner_sees_a_job_and_bad_requests_create_nothing() {
    for app in TestApp::all().await {
        let label = app.label();
        cases(&app).await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let id = create(&chaoyang, json!({ "source": "cases", "format": "csv" })).await;
        assert_eq!(finished(&chaoyang, id).await["status"], "done");

        for (user, password) in [("haidian", "Haidian@123"), ("city", "City@12345")] {
            let other = app.login(user, password).await;
            for path in [
                format!("/api/v1/exports/{id}"),
                format!("/api/v1/exports/{id}/download"),
            ] {
                let (status, body) = other.get(&path).await;
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{label} {user} {path}: {body}"
                );
                assert_eq!(body["code"], "not_found");
            }
            let (status, list) = other.get("/api/v1/exports").await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                list["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|j| j["id"] != id),
                "{label} {user}: {list}"
            );
        }

        // The list's permission: admin reads data but not warnings; secadmin neither.
        let admin = app.admin().await;
        let (status, body) = admin
            .post("/api/v1/exports", json!({ "source": "warnings" }))
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::FORBIDDEN, json!("auth.forbidden")),
            "{body}"
        );
        let sec = app.login("secadmin", "Sec@123456").await;
        let (status, _) = sec.get("/api/v1/exports").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let refused: Vec<(Value, Option<&str>)> = vec![
            (json!({ "source": "evaluations" }), Some("source")),
            (
                json!({ "source": "cases", "format": "pdf" }),
                Some("format"),
            ),
            (
                json!({ "source": "cases", "filters": { "from": "yesterday" } }),
                Some("from"),
            ),
            (
                json!({ "source": "cases", "filters": { "to": "2026-13-45" } }),
                Some("to"),
            ),
            (
                json!({ "source": "consultations", "filters": { "linked": "maybe" } }),
                None,
            ),
            (
                json!({ "source": "warnings", "filters": { "status": "lost" } }),
                Some("status"),
            ),
            (
                json!({ "source": "cases", "filters": { "region": ["110105"] } }),
                Some("filters.region"),
            ),
            (
                json!({ "source": "cases", "filters": "region=110105" }),
                None,
            ),
            (json!({ "source": "cases", "sheet": "x" }), None),
            (json!({ "format": "csv" }), None),
        ];
        for (body, field) in refused {
            let (status, answer) = chaoyang.post("/api/v1/exports", body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label} {body}: {answer}");
            assert_eq!(answer["code"], "request.invalid", "{body}: {answer}");
            if let Some(field) = field {
                assert!(
                    answer["details"]["fields"][field].is_string(),
                    "{body}: {answer}"
                );
            }
        }
        let (_, list) = chaoyang.get("/api/v1/exports").await;
        let ids: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [id], "{label}: refused requests created no job");

        // Creation and download are audited.
        let _ = download(&chaoyang, id).await;
        let auditor = app.login("auditor", "Audit@12345").await;
        let (_, audit) = auditor.get("/api/v1/audit?action=export.&size=100").await;
        let entries: BTreeSet<(String, String, String)> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["actor"].as_str().unwrap().to_string(),
                    e["object_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for action in ["export.create", "export.download"] {
            assert!(
                entries.contains(&(action.into(), "chaoyang".into(), id.to_string())),
                "{label}: {action} audited: {entries:?}"
            );
        }
        let results = |audit: &Value| -> Vec<String> {
            audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["action"] == "export.download")
                .map(|e| e["result"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(results(&audit), ["success"], "{label}: {audit}");

        // A download that fails (the file is gone) is audited as a failure (issue 16 item 7).
        for entry in std::fs::read_dir(&app.state.config.export_dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        let (status, _) = chaoyang
            .get(&format!("/api/v1/exports/{id}/download"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let (_, audit) = auditor
            .get("/api/v1/audit?action=export.download&size=100&sort=seq")
            .await;
        assert_eq!(results(&audit), ["success", "failure"], "{label}: {audit}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_warning_job_writes_what_the_warning_download_writes() {
    use common::monitoring::{catalogue, ms, open_case, settle, CHAOYANG, HAIDIAN, OLD};
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        open_case(&city, "EXW-CY", CHAOYANG, ms(OLD)).await;
        open_case(&city, "EXW-HD", HAIDIAN, ms(OLD)).await;
        settle(&app).await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        for filters in [json!({}), json!({ "case": "EXW-CY", "stage": "approval" })] {
            let query: String = filters
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| format!("&{k}={}", v.as_str().unwrap()))
                .collect();
            let (status, _, direct) = fetch(
                &chaoyang,
                &format!("/api/v1/warnings/export?format=csv{query}"),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            let id = create(
                &chaoyang,
                json!({ "source": "warnings", "format": "csv", "filters": filters }),
            )
            .await;
            let job = finished(&chaoyang, id).await;
            assert_eq!(job["status"], "done", "{label}: {job}");
            let file = download(&chaoyang, id).await;
            assert_eq!(
                String::from_utf8_lossy(&file),
                String::from_utf8_lossy(&direct),
                "{label} {filters}: the same file as the download"
            );
            let rows = csv_rows(&file);
            assert!(rows.len() > 1, "{label}: warnings exported");
            assert_eq!(job["rows"], rows.len() - 1);
            let cases = column(&rows, "办件编号");
            assert!(rows[1..].iter().all(|r| r[cases] == "EXW-CY"), "{rows:?}");
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn pages_follow_the_list_order_across_rows_of_equal_time() {
    // More rows than one page, most sharing one submission instant, so pages
    // split inside a run of equal times.
    const N: usize = 12_000;
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        common::aggregation::catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let all: Vec<Value> = (0..N)
            .map(|i| {
                let submitted = match i % 6 {
                    0 => "2026-03-02T09:00:00+08:00",
                    _ => "2026-03-03T09:00:00+08:00",
                };
                case(
                    &format!("PG-{i:05}"),
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    PERSON,
                    submitted,
                )
            })
            .collect();
        for chunk in all.chunks(4_000) {
            let report = post(&city, "/api/v1/intake/cases", Value::Array(chunk.to_vec())).await;
            assert_eq!(report["accepted"], chunk.len(), "{report}");
        }
        let id = create(
            &city,
            json!({ "source": "cases", "format": "csv", "filters": { "q": "PG-" } }),
        )
        .await;
        // One job at a time: a job queued behind it has no file yet.
        let next = create(&city, json!({ "source": "consultations" })).await;
        let (status, body) = city.get(&format!("/api/v1/exports/{next}/download")).await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::CONFLICT, json!("export.not_ready")),
            "{label}: {body}"
        );
        let job = finished(&city, id).await;
        assert_eq!(
            (
                job["status"].clone(),
                job["rows"].clone(),
                job["total"].clone()
            ),
            (json!("done"), json!(N), json!(N)),
            "{label}: {job}"
        );
        let rows = csv_rows(&download(&city, id).await);
        let code = column(&rows, "办件编号");
        let got: Vec<&str> = rows[1..].iter().map(|r| r[code].as_str()).collect();
        // The list's order: newest first, ties by code in the same direction.
        let mut want: Vec<(usize, String)> = (0..N)
            .map(|i| (usize::from(i % 6 == 0), format!("PG-{i:05}")))
            .collect();
        want.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let want: Vec<&str> = want.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(got.len(), N, "{label}");
        assert!(got == want, "{label}: every row once, in the list's order");
        assert_eq!(finished(&city, next).await["status"], "done");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_a_stopped_process_left_running_is_run_again() {
    for db in TestDb::all().await {
        let job = stored_job(
            &db.store,
            "city",
            "consultations",
            "xlsx",
            OrgScope::default(),
        )
        .await;
        let claimed = db
            .store
            .claim_export_job(govpulse_core::time::now_ms())
            .await
            .expect("claim")
            .expect("a queued job");
        assert_eq!((claimed.id, claimed.status.as_str()), (job.id, "running"));
        // The process dies here; a new one starts on the same database.
        let app = TestApp::on(db).await;
        let city = app.login("city", "City@12345").await;
        let done = finished(&city, job.id).await;
        assert_eq!(
            (
                done["status"].clone(),
                done["rows"].clone(),
                done["progress"].as_f64()
            ),
            (json!("done"), json!(0), Some(1.0)),
            "{}: {done}",
            app.label()
        );
        let rows = xlsx_rows(&download(&city, job.id).await);
        assert_eq!(rows.len(), 1, "only the header: {rows:?}");
        assert_eq!(rows[0][0], "咨询编码");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_runs_with_the_scope_frozen_at_its_creation() {
    for app in TestApp::all().await {
        let label = app.label();
        cases(&app).await;
        // Created while its owner, now of 海淀, still had 朝阳's scope.
        let scope = OrgScope {
            region_range: Some(govpulse_core::region::subtree_range("110105")),
            department: None,
        };
        let job = stored_job(&app.state.store, "haidian", "cases", "csv", scope).await;
        govpulse_server::exports::runner::wake();
        let haidian = app.login("haidian", "Haidian@123").await;
        assert_eq!(finished(&haidian, job.id).await["status"], "done");
        let rows = csv_rows(&download(&haidian, job.id).await);
        let code = column(&rows, "办件编号");
        let codes: BTreeSet<&str> = rows[1..].iter().map(|r| r[code].as_str()).collect();
        assert_eq!(
            codes,
            BTreeSet::from(["EX-CY-1", "EX-CY-2"]),
            "{label}: the stored scope, not the owner's current one"
        );
        app.cleanup().await;
    }
}

#[test]
fn the_routes_are_documented() {
    let spec = serde_json::to_value(govpulse_server::openapi()).expect("spec");
    for (path, method) in [
        ("/api/v1/exports", "post"),
        ("/api/v1/exports", "get"),
        ("/api/v1/exports/{id}", "get"),
        ("/api/v1/exports/{id}/download", "get"),
    ] {
        assert!(
            spec["paths"][path][method].is_object(),
            "{method} {path} documented"
        );
    }
}

#[tokio::test]
async fn one_user_cannot_fill_the_export_queue() {
    for db in TestDb::all().await {
        let app = TestApp::with(db, |config| config.export_jobs_per_user = 2).await;
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        // Two jobs held running (as a long export would be).
        for _ in 0..2 {
            let job = stored_job(
                &app.state.store,
                "city",
                "cases",
                "csv",
                OrgScope::default(),
            )
            .await;
            app.state
                .store
                .execute_admin(&format!(
                    "UPDATE export_jobs SET status = 'running' WHERE id = {}",
                    job.id
                ))
                .await
                .unwrap();
        }
        let (status, body) = city
            .post(
                "/api/v1/exports",
                json!({ "source": "cases", "format": "csv" }),
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{label}: {body}");
        assert_eq!(body["code"], "export.quota");
        let (_, list) = city.get("/api/v1/exports").await;
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            2,
            "{label}: nothing queued"
        );
        // Another user is not held up by city's jobs.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        create(&chaoyang, json!({ "source": "cases", "format": "csv" })).await;
        // Once one finishes, city may queue again.
        app.state
            .store
            .execute_admin("UPDATE export_jobs SET status = 'done' WHERE owner = 'city' AND id = (SELECT MIN(id) FROM export_jobs WHERE owner = 'city')")
            .await
            .unwrap();
        create(&city, json!({ "source": "cases", "format": "csv" })).await;
        app.cleanup().await;
    }
}
