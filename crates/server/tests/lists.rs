//! The one list mechanism over HTTP, on every backend: keyset cursors walk
//! every row once in the requested order, offset pages agree with them, sort
//! and paging parameters are validated, the overdue filter, and a cursor never
//! carries a caller outside its scope.

mod common;

use common::aggregation::*;
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// `n` cases in 朝阳区 and `n` in 海淀区, several sharing each instant.
async fn cases(city: &common::Client, n: usize) {
    let mut records = Vec::new();
    for i in 0..n {
        let at = format!("2026-03-{:02}T09:00:00+08:00", 1 + i / 3);
        records.push(case(
            &format!("CY-{i:03}"),
            CY_ITEM,
            "110105",
            "110105D007",
            PERSON,
            &at,
        ));
        records.push(case(
            &format!("HD-{i:03}"),
            HD_ITEM,
            "110108",
            "110108D007",
            PERSON2,
            &at,
        ));
    }
    let report = post(city, "/api/v1/intake/cases", Value::Array(records)).await;
    assert_eq!(report["accepted"], 2 * n, "{report}");
}

/// Every case code of a list and its submission time, following `next` cursors from `first`.
async fn walk(client: &common::Client, first: &str) -> (Vec<String>, Vec<String>) {
    let rows: Vec<Value> = pages(client, first)
        .await
        .iter()
        .flat_map(|page| page["items"].as_array().unwrap().clone())
        .collect();
    let field = |name: &str| -> Vec<String> {
        rows.iter()
            .map(|row| row[name].as_str().unwrap().to_string())
            .collect()
    };
    (field("case_code"), field("submitted_at"))
}

/// Every page of a walk: `first`, then `after=` each page's `next` until none.
async fn pages(client: &common::Client, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut path = first.to_string();
    for _ in 0..100 {
        let (status, page) = client.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
        let next = page["next"].as_str().map(str::to_string);
        pages.push(page);
        match next {
            Some(next) => path = format!("{first}&after={next}"),
            None => return pages,
        }
    }
    panic!("the cursor never ended");
}

#[tokio::test]
async fn cursors_walk_every_row_once_in_order_and_stay_in_scope() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        cases(&city, 25).await;

        // Newest first (default) and oldest first, 7 rows a page.
        let (desc, desc_times) = walk(&city, "/api/v1/cases?size=7&from=2026-03-01").await;
        assert_eq!(desc.len(), 50, "{label}: every row once");
        let mut unique = desc.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 50, "{label}: no row twice");
        assert!(
            desc_times.windows(2).all(|w| w[0] >= w[1]),
            "{label}: newest first"
        );
        let (asc, asc_times) = walk(
            &city,
            "/api/v1/cases?size=7&sort=submitted_at&from=2026-03-01",
        )
        .await;
        assert!(
            asc_times.windows(2).all(|w| w[0] <= w[1]),
            "{label}: oldest first"
        );
        let reversed: Vec<String> = desc.iter().rev().cloned().collect();
        assert_eq!(asc, reversed, "{label}: ascending is the exact reverse");

        // Offset pages agree with the cursor walk.
        let (_, page3) = city
            .get("/api/v1/cases?size=7&page=3&from=2026-03-01")
            .await;
        let offset: Vec<&str> = page3["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["case_code"].as_str().unwrap())
            .collect();
        assert_eq!(
            offset,
            desc[14..21].iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(
            (page3["total"].clone(), page3["total_exact"].clone()),
            (json!(50), json!(true)),
            "{label}"
        );

        // A district user walks its own district only, also from the city's cursor.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (mine, _) = walk(&chaoyang, "/api/v1/cases?size=7&from=2026-03-01").await;
        assert_eq!(mine.len(), 25, "{label}");
        assert!(
            mine.iter().all(|c| c.starts_with("CY-")),
            "{label}: {mine:?}"
        );
        let (_, first) = city.get("/api/v1/cases?size=1&from=2026-03-01").await;
        let foreign = first["next"].as_str().unwrap();
        let (status, page) = chaoyang
            .get(&format!("/api/v1/cases?size=50&after={foreign}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["region_code"] == "110105"),
            "{label}: {page}"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn list_parameters_are_validated_and_the_overdue_filter_applies() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        cases(&city, 3).await;
        let auditor = app.login("auditor", "Audit@12345").await;
        for path in [
            "/api/v1/cases?sort=applicant_enc",
            "/api/v1/cases?sort=-secret",
            "/api/v1/cases?size=501",
            "/api/v1/cases?size=0",
            "/api/v1/cases?page=0",
            "/api/v1/cases?after=not-a-cursor",
            "/api/v1/warnings?sort=level",
            "/api/v1/audit?sort=hash",
            "/api/v1/users?size=100000",
        ] {
            let client = if path.contains("audit") {
                &auditor
            } else if path.contains("users") {
                &admin
            } else {
                &city
            };
            let (status, body) = client.get(path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label} {path}: {body}");
            assert_eq!(body["code"], "request.invalid", "{label} {path}");
        }
        // A cursor made for one sort is refused for another.
        let (_, page) = city.get("/api/v1/cases?size=1").await;
        let next = page["next"].as_str().unwrap();
        let (status, _) = city
            .get(&format!("/api/v1/cases?sort=submitted_at&after={next}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}");

        // March cases never accepted ran past the 5-working-day acceptance
        // clock: the filter splits the list exactly along the row flag.
        // The monitoring sweep flags them in the background: read the three
        // lists again until no flag changed between them (a few tries).
        let total = |page: &Value| page["total"].as_i64().unwrap();
        let mut tries = 0;
        let (all, late, on_time) = loop {
            let (_, all) = city.get("/api/v1/cases").await;
            let (_, late) = city.get("/api/v1/cases?overdue=true").await;
            let (_, on_time) = city.get("/api/v1/cases?overdue=false").await;
            let (_, again) = city.get("/api/v1/cases?overdue=true").await;
            tries += 1;
            if (total(&late) > 0 && total(&late) == total(&again)) || tries == 50 {
                break (all, late, on_time);
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        assert!(total(&late) > 0, "{label}: {late}");
        assert_eq!(total(&late) + total(&on_time), total(&all), "{label}");
        let flags = |page: &Value| -> Vec<bool> {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["overdue"].as_bool().unwrap())
                .collect()
        };
        assert!(flags(&late).iter().all(|f| *f), "{label}");
        assert!(flags(&on_time).iter().all(|f| !*f), "{label}");

        // A case arriving now shows in the totals at once (remembered counts
        // are dropped by every write).
        let now = govpulse_core::time::to_rfc3339(govpulse_core::time::now_ms());
        post(
            &city,
            "/api/v1/intake/cases",
            json!([case(
                "CY-NEW",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                &now
            )]),
        )
        .await;
        let (_, again) = city.get("/api/v1/cases").await;
        assert_eq!(total(&again), total(&all) + 1, "{label}");
        let (_, on_time_now) = city.get("/api/v1/cases?overdue=false").await;
        assert_eq!(total(&on_time_now), total(&on_time) + 1, "{label}");
        app.cleanup().await;
    }
}

/// 10,050 cases in 朝阳区 on 2026-03-02 (local), `GEN-1` … `GEN-10050` one
/// millisecond apart, every tenth an organisation's, with the status
/// `status_sql` gives for `i`; written in one statement.
async fn generate_cases(app: &TestApp, status_sql: &str) {
    app.db
        .store
        .execute_admin(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050)
             INSERT INTO cases (case_code, district_code, region_code, department_code, item_code,
                item_version, applicant_type, applicant_key, applicant_enc, applicant_masked,
                applicant_name, channel, submitted_at, status, source, content_hash, received_at)
             SELECT 'GEN-' || i, '110105', '110105', '110105D007', 'I-CY-001', 1,
                CASE WHEN i % 10 = 0 THEN 'org' ELSE 'person' END, 'k', 'e', 'm', '张三', 'window',
                1772380800000 + i, {status_sql}, 'test', 'h', 1772380800000
             FROM n"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn totals_above_the_count_bound_are_exact_once_the_cube_covers_the_filter() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        // 10,050 cases in 朝阳区 on 2026-03-02 (local), written in one statement.
        generate_cases(
            &app,
            "CASE WHEN i % 4 = 0 THEN 'completed' ELSE 'accepted' END",
        )
        .await;
        let city = app.login("city", "City@12345").await;
        let total = |page: &Value| (page["total"].clone(), page["total_exact"].clone());
        // Before the cube exists the count stops at its bound.
        let (_, page) = city.get("/api/v1/cases").await;
        assert_eq!(total(&page), (json!(10_000), json!(false)), "{label}");
        let (status, _) = city.get("/api/v1/dashboard/overview").await;
        assert_eq!(status, StatusCode::OK);
        for (query, want) in [
            ("", 10_050),
            ("?status=completed", 2_512),
            ("?applicant_type=org", 1_005),
            ("?region=110105&from=2026-03-02&to=2026-03-02", 10_050),
            ("?from=2026-03-03", 0),
            ("?item=I-CY-001&department=110105D007", 10_050),
        ] {
            let (_, page) = city.get(&format!("/api/v1/cases{query}")).await;
            assert_eq!(total(&page), (json!(want), json!(true)), "{label} {query}");
        }
        // A filter the cube does not hold (a status it does not count, a
        // search) is counted inside the first page's scan window only: the
        // newest 2,001 cases, GEN-8050 … GEN-10050; a lower bound.
        let (_, page) = city.get("/api/v1/cases?status=accepted").await;
        assert_eq!(total(&page), (json!(1_501), json!(false)), "{label}");
        let (_, page) = city.get("/api/v1/cases?q=GEN-1").await;
        assert_eq!(total(&page), (json!(51), json!(false)), "{label}");
        // A district with fewer cases than the window counts them all.
        let haidian = app.login("haidian", "Haidian@123").await;
        let (_, page) = haidian.get("/api/v1/cases?status=accepted").await;
        assert_eq!(total(&page), (json!(0), json!(true)), "{label}");
        // Another district's user sees none of them, exactly.
        let (_, page) = haidian.get("/api/v1/cases").await;
        assert_eq!(total(&page), (json!(0), json!(true)), "{label}");
        app.cleanup().await;
    }
}

/// Every case code of a walk of `first` and how many of its pages were
/// partial (stopped at the scan window before they were full).
async fn walk_counting_partial_pages(client: &common::Client, first: &str) -> (Vec<String>, usize) {
    let (mut codes, mut partial) = (Vec::new(), 0);
    for page in pages(client, first).await {
        codes.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["case_code"].as_str().unwrap().to_string()),
        );
        if page["partial"] == json!(true) {
            partial += 1;
            assert!(page["next"].is_string(), "a partial page goes on: {page}");
        }
    }
    (codes, partial)
}

#[tokio::test]
async fn a_rare_filter_reads_a_window_at_a_time_and_its_walk_finds_every_row_once() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        // Eleven withdrawn cases among 10,050, one every 1,000.
        generate_cases(
            &app,
            "CASE WHEN i % 1000 = 7 THEN 'withdrawn' ELSE 'accepted' END",
        )
        .await;
        let want_desc: Vec<String> = (0..=10)
            .rev()
            .map(|k| format!("GEN-{}", k * 1000 + 7))
            .collect();
        let mut want_asc = want_desc.clone();
        want_asc.reverse();
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        for (who, client) in [("city", &city), ("chaoyang", &chaoyang)] {
            // Newest first: the windows hold 2,001 cases each, so the first
            // page stops at its window with the two newest and goes on.
            let (_, first) = client.get("/api/v1/cases?status=withdrawn&size=20").await;
            assert_eq!(first["partial"], json!(true), "{label} {who}: {first}");
            assert_eq!(first["items"].as_array().unwrap().len(), 2, "{label} {who}");
            assert_eq!(first["total_exact"], json!(false), "{label} {who}");
            let (codes, partial) =
                walk_counting_partial_pages(client, "/api/v1/cases?status=withdrawn&size=20").await;
            assert_eq!(codes, want_desc, "{label} {who}");
            assert!(partial >= 1, "{label} {who}");
            let (codes, _) = walk_counting_partial_pages(
                client,
                "/api/v1/cases?status=withdrawn&size=3&sort=submitted_at",
            )
            .await;
            assert_eq!(codes, want_asc, "{label} {who}");
            // A full page inside the window is an ordinary page.
            let (_, page) = client.get("/api/v1/cases?status=accepted&size=50").await;
            assert_eq!(page["partial"], json!(false), "{label} {who}");
            assert_eq!(page["items"].as_array().unwrap().len(), 50, "{label} {who}");
        }
        // A page number past every row is an empty page, not an overflow.
        let (status, page) = city
            .get("/api/v1/cases?status=withdrawn&page=9223372036854775806&size=1")
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {page}");
        assert_eq!(page["items"], json!([]), "{label}");
        // Another district's user walks to the end and finds nothing.
        let haidian = app.login("haidian", "Haidian@123").await;
        let (codes, _) =
            walk_counting_partial_pages(&haidian, "/api/v1/cases?status=withdrawn&size=20").await;
        assert!(codes.is_empty(), "{label}");
        app.cleanup().await;
    }
}
