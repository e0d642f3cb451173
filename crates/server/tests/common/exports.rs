//! Fixtures shared by the export tests: queue and await jobs, download and
//! read their files, and the cases they export.
#![allow(dead_code)]

use super::aggregation::{case, post, CY_ITEM, HD_ITEM, PERSON, PERSON2};
use super::{Client, TestApp};
use govpulse_store::exports::{scope_to_json, ExportJobRow, NewExportJob};
use govpulse_store::org::OrgScope;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const EVIL: &str = "=HYPERLINK(\"http://evil.example\",\"点我\")";

/// Queue a job; its id.
pub async fn create(client: &Client, body: Value) -> i64 {
    let (status, job) = client.post("/api/v1/exports", body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["status"], "queued", "{job}");
    job["id"].as_i64().expect("id")
}

/// Poll a job until it is done or failed.
pub async fn finished(client: &Client, id: i64) -> Value {
    let started = Instant::now();
    loop {
        let (status, job) = client.get(&format!("/api/v1/exports/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "job {id} never finished: {job}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn fetch(client: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = client
        .http
        .get(format!("{}{path}", client.base))
        .send()
        .await
        .expect("download");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        status,
        content_type,
        response.bytes().await.expect("body").to_vec(),
    )
}

/// The finished file of a job.
pub async fn download(client: &Client, id: i64) -> Vec<u8> {
    let (status, _, bytes) = fetch(client, &format!("/api/v1/exports/{id}/download")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    bytes
}

/// Rows of a CSV export (after its BOM), header first.
pub fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "CSV starts with a BOM"
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.expect("CSV record").iter().map(String::from).collect())
        .collect()
}

/// Rows of every sheet of an XLSX export, each sheet's header first.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("XLSX");
    let mut rows = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("sheet");
        rows.extend(
            range
                .rows()
                .map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
        );
    }
    rows
}

pub fn column(rows: &[Vec<String>], title: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == title)
        .unwrap_or_else(|| panic!("no column {title}: {:?}", rows[0]))
}

/// A job written straight to the store, as `POST /exports` would for `owner`
/// with `scope`.
pub async fn stored_job(
    store: &govpulse_store::Store,
    owner: &str,
    source: &str,
    format: &str,
    scope: OrgScope,
) -> ExportJobRow {
    let record = govpulse_store::audit::AuditRecord {
        actor: owner.into(),
        ip: "127.0.0.1".into(),
        action: "export.create".into(),
        object_type: "export_job".into(),
        object_id: String::new(),
        result: govpulse_core::audit::Outcome::Success,
        details: json!({}),
    };
    let scope = scope_to_json(&scope);
    let job = NewExportJob {
        owner,
        source,
        format,
        filters: "{}",
        scope: &scope,
    };
    store
        .create_export_job(&job, i64::MAX, &record)
        .await
        .expect("job")
        .expect("no quota here")
}

/// Cases in 朝阳区 (one applicant name shaped like a formula) and 海淀区.
pub async fn cases(app: &TestApp) -> Client {
    let admin = app.admin().await;
    super::aggregation::catalogue(&admin).await;
    let city = app.login("city", "City@12345").await;
    let mut evil = case(
        "EX-CY-1",
        CY_ITEM,
        "110105",
        "110105D007",
        PERSON,
        "2026-03-02T09:00:00+08:00",
    );
    evil["applicant_name"] = json!(EVIL);
    let report = post(
        &city,
        "/api/v1/intake/cases",
        json!([
            evil,
            case(
                "EX-CY-2",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON2,
                "2026-03-03T09:00:00+08:00"
            ),
            case(
                "EX-HD-1",
                HD_ITEM,
                "110108",
                "110108D007",
                PERSON2,
                "2026-03-03T09:00:00+08:00"
            ),
        ]),
    )
    .await;
    assert_eq!(report["accepted"], 3, "{report}");
    city
}
