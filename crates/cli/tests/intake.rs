//! Intake through the binary: file import, the demo data set's determinism, and
//! atomic batches across a killed server.

mod common;

use common::{govpulse, stdout, Server};
use govpulse_core::idnumber::citizen_id_check;
use govpulse_store::testing::TestDb;
use std::time::Duration;

/// A valid citizen ID number for serial `n`.
fn person_id(n: u32) -> String {
    let body = format!("110105198001{:02}{:03}", 1 + n % 28, n % 1000);
    format!("{body}{}", citizen_id_check(&body).unwrap())
}

#[tokio::test]
async fn import_reads_csv_and_reports_bad_rows() {
    let db = TestDb::sqlite().await;
    assert!(govpulse(&["demo", "--cases", "0"], &db.url)
        .status
        .success());
    let dir = tempfile::tempdir().unwrap();
    let items = dir.path().join("items.csv");
    std::fs::write(&items, "item_code,name,item_type_code,department_code,region_code,promised_limit,legal_limit\nIMP-1,导入事项,01,110105D001,110105,5,10\n").unwrap();
    let out = govpulse(
        &["import", "--kind", "items", items.to_str().unwrap()],
        &db.url,
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let cases = dir.path().join("cases.csv");
    std::fs::write(
        &cases,
        format!(
            "case_code,item_code,applicant_type,applicant_id,applicant_name,region_code,department_code,channel,submitted_at\n\
             IMP-C1,IMP-1,person,{},王五,110105,110105D001,window,20260302T090000\n\
             IMP-C2,IMP-1,person,110105198001010011,赵六,110105,110105D001,window,20260302T090000\n",
            person_id(1)
        ),
    )
    .unwrap();
    let out = govpulse(
        &["import", "--kind", "cases", cases.to_str().unwrap()],
        &db.url,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a rejected row makes the exit code 1"
    );
    let text = stdout(&out);
    assert!(
        text.contains("1 accepted") && text.contains("line 3: applicant_id.check_character"),
        "{text}"
    );
    assert_eq!(db.store.count_cases().await.unwrap(), 1);
    db.cleanup().await;
}

#[tokio::test]
async fn the_demo_is_deterministic_per_seed() {
    let mut fingerprints = Vec::new();
    for seed in ["7", "7", "8"] {
        let db = TestDb::sqlite().await;
        let out = govpulse(
            &[
                "demo",
                "--cases",
                "300",
                "--seed",
                seed,
                "--until",
                "2026-10-31",
            ],
            &db.url,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout(&out).contains("(0 rejected)"), "{}", stdout(&out));
        let scope = govpulse_store::org::OrgScope::default();
        let page = db
            .store
            .list_cases(
                &scope,
                &Default::default(),
                &govpulse_store::list::ListRequest::first(
                    &govpulse_store::aggregation::CASE_LIST,
                    500,
                ),
            )
            .await
            .unwrap();
        // 300 random cases plus the showcase that exercises every warning model.
        assert!((300..400).contains(&page.total), "{}", page.total);
        let fingerprint: Vec<String> = page
            .items
            .iter()
            .map(|c| {
                format!(
                    "{}|{}|{}|{}",
                    c.case_code, c.item_code, c.submitted_at, c.status
                )
            })
            .collect();
        fingerprints.push(fingerprint);
        db.cleanup().await;
    }
    assert_eq!(fingerprints[0], fingerprints[1], "same seed, same data");
    assert_ne!(fingerprints[0], fingerprints[2], "another seed, other data");
}

#[tokio::test]
async fn a_killed_server_keeps_acknowledged_batches_and_never_half_a_batch() {
    let db = TestDb::sqlite().await;
    assert!(govpulse(&["demo", "--cases", "0"], &db.url)
        .status
        .success());
    let token = stdout(&govpulse(
        &["token", "create", "--name", "feed", "--scope", "intake"],
        &db.url,
    ))
    .lines()
    .last()
    .unwrap()
    .to_string();
    let mut server = Server::start(&db.url);
    let base = server.base.clone();
    server.wait_ready().await;
    let http = reqwest::Client::new();
    let post = |kind: &str, body: String| {
        http.post(format!("{base}/api/v1/intake/{kind}"))
            .bearer_auth(&token)
            .header("content-type", "application/x-ndjson")
            .body(body)
            .send()
    };
    let item = r#"{"item_code":"K-1","name":"压力测试事项","item_type_code":"01","department_code":"110105D001","region_code":"110105"}"#;
    let response = http
        .post(format!("{base}/api/v1/items"))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(item)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let case = |n: u32| {
        format!(
            r#"{{"case_code":"K-{n}","item_code":"K-1","applicant_type":"person","applicant_id":"{}","applicant_name":"测试","region_code":"110105","department_code":"110105D001","channel":"online","submitted_at":"2026-03-02T09:00:00+08:00"}}"#,
            person_id(n)
        )
    };
    // An acknowledged batch…
    let first: String = (0..200).map(|n| case(n) + "\n").collect();
    let report: serde_json::Value = post("cases", first).await.unwrap().json().await.unwrap();
    assert_eq!(report["accepted"], 200);
    // …then a big one, and the process killed while it is being processed.
    let big: String = (200..40_200).map(|n| case(n) + "\n").collect();
    let in_flight = tokio::spawn(post("cases", big));
    tokio::time::sleep(Duration::from_millis(400)).await;
    server.kill();
    let answered = in_flight
        .await
        .unwrap()
        .is_ok_and(|r| r.status().is_success());

    let reopened = govpulse_store::Store::open(&db.url).await.unwrap();
    let stored = reopened.count_cases().await.unwrap();
    assert!(
        stored == 200 || stored == 40_200,
        "a batch is all or nothing, found {stored}"
    );
    if answered {
        assert_eq!(stored, 40_200, "an acknowledged batch is never lost");
    }
    reopened.close().await;
    server.restart();
    server.wait_ready().await;
    server.kill();
    db.cleanup().await;
}
