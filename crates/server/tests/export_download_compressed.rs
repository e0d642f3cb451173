//! A background export downloads whole when the client accepts gzip, as every
//! browser does (issue 11, High-4), on every backend.

mod common;

use common::aggregation::{case, post, CY_ITEM, PERSON, PERSON2};
use common::exports::{create, finished};
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Read;

/// The download's status, `Content-Encoding` and raw body bytes.
async fn download(
    client: &Client,
    id: i64,
    accept_encoding: &str,
) -> (StatusCode, String, Vec<u8>) {
    let response = client
        .http
        .get(format!("{}/api/v1/exports/{id}/download", client.base))
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .expect("download request");
    let status = response.status();
    let encoding = response
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.bytes().await.expect("whole body").to_vec();
    (status, encoding, body)
}

#[tokio::test]
async fn a_gzip_download_decompresses_to_the_exported_file() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        common::aggregation::catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let records: Vec<_> = (0..200)
            .map(|n| {
                let person = if n % 2 == 0 { PERSON } else { PERSON2 };
                case(
                    &format!("GZ-{n:04}"),
                    CY_ITEM,
                    "110105",
                    "110105D007",
                    person,
                    "2026-03-02T09:00:00+08:00",
                )
            })
            .collect();
        let report = post(&city, "/api/v1/intake/cases", json!(records)).await;
        assert_eq!(report["accepted"], 200, "{report}");
        let id = create(&city, json!({ "source": "cases", "format": "csv" })).await;
        assert_eq!(finished(&city, id).await["status"], "done");

        let (status, encoding, plain) = download(&city, id, "identity").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(encoding, "");
        let (status, encoding, compressed) = download(&city, id, "gzip").await;
        assert_eq!(status, StatusCode::OK, "{}", app.label());
        assert_eq!(encoding, "gzip", "the compression layer served it");
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .read_to_end(&mut unpacked)
            .expect("a complete gzip stream");
        assert_eq!(unpacked, plain, "{}: the same file either way", app.label());
        let text = String::from_utf8_lossy(&unpacked);
        for n in [0, 199] {
            assert!(text.contains(&format!("GZ-{n:04}")), "case {n} in the file");
        }
        app.cleanup().await;
    }
}
