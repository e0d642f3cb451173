//! Hot words come from the questions, follow the administrators' dictionary
//! at once, and export as real spreadsheets.

use crate::common::monitoring::CHAOYANG;
use crate::common::TestApp;
use crate::fixture::*;
use govpulse_core::aggregation::consult_code;
use reqwest::StatusCode;
use serde_json::json;

const MARCH: &str = "from=2026-03-01&to=2026-03-31";

#[tokio::test]
async fn the_dictionary_takes_effect_without_a_restart() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        let admin = app.admin().await;
        let before = hotwords(&city, MARCH).await;
        assert!(
            before.iter().any(|(w, n)| w == "营业执照" && *n == 2),
            "{label}: {before:?}"
        );
        assert!(
            !before.iter().any(|(w, _)| w == "京通办"),
            "{label}: not a word yet: {before:?}"
        );

        let (status, _) = city
            .put(
                "/api/v1/dashboard/dictionary",
                json!({ "words": ["京通办"] }),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{label}: operators do not edit the dictionary"
        );
        let (status, body) = admin
            .put(
                "/api/v1/dashboard/dictionary",
                json!({ "words": ["京通办", "=1+1"] }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let (_, stored) = admin.get("/api/v1/dashboard/dictionary").await;
        assert_eq!(
            stored["words"],
            json!([]),
            "{label}: a refused dictionary changes nothing"
        );

        let (status, body) = admin
            .put(
                "/api/v1/dashboard/dictionary",
                json!({ "words": ["京通办"] }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let after = hotwords(&city, MARCH).await;
        assert!(
            after.iter().any(|(w, n)| w == "京通办" && *n == 2),
            "{label}: {after:?}"
        );

        let frequency = hotwords(&city, &format!("{MARCH}&method=frequency&limit=1")).await;
        assert_eq!(frequency.len(), 1, "{label}");
        assert!(
            frequency[0].1 >= 2,
            "{label}: the most frequent word first: {frequency:?}"
        );
        app.cleanup().await;
    }
}

/// More questions than one page of the hot-word scan (2,000), ending exactly on
/// a page boundary, over several instants: each is counted once.
#[tokio::test]
async fn every_question_of_a_large_batch_counts_once() {
    const QUESTIONS: u32 = 4_000;
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        let records: Vec<_> = (1..=QUESTIONS)
            .map(|serial| {
                let code = consult_code::compose(CHAOYANG.region, "260506", "hotline", serial)
                    .expect("code");
                json!({
                    "code": code, "channel": "hotline", "region_code": CHAOYANG.region,
                    "asked_at": format!("2026-05-06T10:0{}:00+08:00", serial % 3),
                    "applicant_type": "person", "question": "公积金提取需要本人到现场吗？"
                })
            })
            .collect();
        let (status, report) = city
            .post("/api/v1/intake/consultations", json!(records))
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {report}");
        assert_eq!(report["accepted"], json!(QUESTIONS), "{label}: {report}");
        let words = hotwords(&city, "from=2026-05-06&to=2026-05-06&method=frequency").await;
        let every = u64::from(QUESTIONS);
        assert_eq!(
            words,
            vec![
                ("公积金提取".to_string(), every),
                ("现场".to_string(), every)
            ],
            "{label}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn every_table_exports_as_xlsx_and_csv() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        for table in [
            "by_region",
            "by_department",
            "items",
            "trend",
            "hotwords",
            "warnings_by_stage",
            "warnings_by_level",
            "warnings_by_item",
        ] {
            let url = format!(
                "{}/api/v1/dashboard/export?format=xlsx&table={table}&{MARCH}",
                app.base
            );
            let response = city.http.get(&url).send().await.expect("export");
            assert_eq!(response.status(), StatusCode::OK, "{label}: {table}");
            let bytes = response.bytes().await.expect("body");
            let mut workbook: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
                    .expect("a valid workbook");
            use calamine::Reader;
            let sheet = workbook
                .worksheet_range_at(0)
                .expect("a sheet")
                .expect("readable");
            assert!(sheet.height() >= 1, "{label}: {table} has its header row");
            let (status, csv) = city
                .get(&format!(
                    "/api/v1/dashboard/export?format=csv&table={table}&{MARCH}"
                ))
                .await;
            assert_eq!(status, StatusCode::OK, "{label}: {table}");
            let csv = csv.as_str().unwrap_or_default();
            assert!(
                csv.starts_with('\u{feff}'),
                "{label}: {table} CSV has a BOM"
            );
            assert_eq!(
                csv.lines().count(),
                sheet.height(),
                "{label}: {table}: CSV and XLSX hold the same rows"
            );
        }
        let (_, csv) = city
            .get(&format!(
                "/api/v1/dashboard/export?format=csv&table=by_region&{MARCH}"
            ))
            .await;
        assert!(csv.as_str().unwrap().contains("朝阳区"), "{label}: {csv}");
        app.cleanup().await;
    }
}
