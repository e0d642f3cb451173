//! Case data quality (QC-1/2) through the API, on every backend: the check
//! library, a run over a period's cases in the caller's scope, its results by
//! code and region, the failing cases with their reasons, the XLSX report, and
//! the refusals.

mod common;

use common::monitoring::*;
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const MARCH: &str = "2026-03";

fn case(code: &str, place: Place, name: &str, mode: &str) -> Value {
    json!({
        "case_code": code, "item_code": place.item, "applicant_type": "person",
        "applicant_id": person(), "applicant_name": name, "region_code": place.region,
        "department_code": place.department, "channel": "window",
        "submitted_at": format!("{MARCH}-02T09:00:00+08:00"), "handling_mode": mode
    })
}

fn event(code: &str, seq: i64, kind: &str, day: u32, hour: u32) -> Value {
    json!({"case_code": code, "seq": seq, "kind": kind, "at": format!("{MARCH}-{day:02}T{hour:02}:00:00+08:00")})
}

/// One clean case and one per planted fault in 朝阳; one faulty case in 海淀.
async fn planted(city: &Client) {
    let cases = json!([
        case("QC-OK", CHAOYANG, "王五", "1"),
        case("QC-MODE", CHAOYANG, "王五", "7"),
        case("QC-NAME", CHAOYANG, "测试", "1"),
        case("QC-NOACC", CHAOYANG, "王五", "1"),
        case("QC-REV", CHAOYANG, "王五", "1"),
        case("QC-HD", HAIDIAN, "王五", "7"),
    ]);
    let (status, report) = city.post("/api/v1/intake/cases", cases).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(6)),
        "{report}"
    );
    let events = json!([
        event("QC-OK", 1, "accepted", 2, 10),
        event("QC-OK", 2, "completed", 5, 10),
        event("QC-MODE", 1, "accepted", 2, 10),
        event("QC-NAME", 1, "accepted", 2, 10),
        event("QC-NOACC", 1, "completed", 5, 10),
        event("QC-REV", 1, "accepted", 6, 10),
        event("QC-REV", 2, "completed", 5, 10),
        event("QC-HD", 1, "accepted", 2, 10),
    ]);
    let (status, report) = city.post("/api/v1/intake/case-events", events).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(8)),
        "{report}"
    );
}

async fn finished(client: &Client, id: i64) -> Value {
    let started = std::time::Instant::now();
    loop {
        let run = get_ok(client, &format!("/api/v1/quality/runs/{id}")).await;
        if run["state"] == "done" || run["state"] == "failed" {
            return run;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "run {id} did not finish: {run}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_run_finds_the_planted_faults_in_the_callers_scope() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        planted(&city).await;

        let checks = get_ok(&city, "/api/v1/quality/checks").await;
        let codes: Vec<&str> = checks
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap())
            .collect();
        for code in [
            "general.handling_mode",
            "general.applicant_name",
            "item.not_in_force",
            "process.completed_before_accepted",
        ] {
            assert!(codes.contains(&code), "{label}: {code} in {codes:?}");
        }
        assert_eq!(checks[0]["category"], "general");
        assert_eq!(checks[0]["severity"], "error");
        assert_eq!(checks[0]["enabled"], true);

        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (status, body) = chaoyang
            .post(
                "/api/v1/quality/runs",
                json!({"from": "2026-03-01", "to": "2026-03-31"}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{label}: {body}");
        let id = body["run_id"].as_i64().unwrap();
        let run = finished(&chaoyang, id).await;
        assert_eq!(run["state"], "done", "{label}: {run}");
        assert_eq!(run["cases_checked"], 5, "{label}: 朝阳's cases only: {run}");
        let failures: Vec<(String, u64)> = run["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["count"].as_u64().unwrap(),
                )
            })
            .collect();
        let expected = [
            ("general.handling_mode", 1),
            ("general.applicant_name", 1),
            ("process.missing_acceptance", 1),
            ("process.completed_before_accepted", 1),
            ("process.after_completion", 1),
            ("process.out_of_order", 1),
        ];
        assert_eq!(
            failures,
            expected
                .iter()
                .map(|(c, n)| (c.to_string(), *n))
                .collect::<Vec<_>>(),
            "{label}: {run}"
        );
        assert!(
            run["by_region"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["region_code"] == "110105"),
            "{label}: {run}"
        );
        assert_eq!(run["by_region"][0]["region_name"], "朝阳区");

        let list = get_ok(
            &chaoyang,
            &format!("/api/v1/quality/runs/{id}/failures?code=general.handling_mode"),
        )
        .await;
        assert_eq!(list["total"], 1, "{label}: {list}");
        assert_eq!(list["items"][0]["case_code"], "QC-MODE");
        assert_eq!(list["items"][0]["reason"], "办理形式代码 7 不在代码表中");
        let all = get_ok(
            &chaoyang,
            &format!("/api/v1/quality/runs/{id}/failures?size=2"),
        )
        .await;
        assert_eq!(
            (all["total"].clone(), all["items"].as_array().unwrap().len()),
            (json!(6), 2),
            "{label}"
        );

        let response = chaoyang
            .http
            .get(format!("{}/api/v1/quality/runs/{id}/report", chaoyang.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{label}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.contains("spreadsheetml"),
            "{label}: {content_type}"
        );

        // Another user's run is not found; a department user may not run checks.
        let (status, _) = city.get(&format!("/api/v1/quality/runs/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let dept = app.login("dept", "Dept@123456").await;
        let (status, _) = dept
            .post(
                "/api/v1/quality/runs",
                json!({"from": "2026-03-01", "to": "2026-03-31"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}");
        for bad in [
            json!({"from": "2026-03-31", "to": "2026-03-01"}),
            json!({"from": "2026-03-01"}),
            json!({"from": "March", "to": "2026-03-31"}),
            json!({"from": "2026-03-01", "to": "2026-03-31", "region": "11"}),
        ] {
            let (status, body) = chaoyang.post("/api/v1/quality/runs", bad.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {bad} → {body}");
        }
        app.cleanup().await;
    }
}

/// The demo plants one case per general and process check (docs/api-quality.md):
/// a run over the demo year finds each with its code.
#[tokio::test]
async fn a_run_over_the_demo_finds_every_planted_fault() {
    use govpulse_server::seed::{catalogue, demo_data};
    for app in TestApp::all().await {
        let options = demo_data::DemoOptions {
            cases: 200,
            seed: 1,
            until_ms: now(),
            sample: catalogue::builtin_sample(),
            city: &govpulse_server::seed::city::BEIJING,
        };
        demo_data::load(&app.state.pipeline(), &options, |_| {})
            .await
            .expect("demo");
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let today = &at(now())[..10];
        let (status, body) = chaoyang
            .post(
                "/api/v1/quality/runs",
                json!({"from": "2020-01-01", "to": today}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let id = body["run_id"].as_i64().unwrap();
        assert_eq!(finished(&chaoyang, id).await["state"], "done");
        for code in [
            "general.handling_mode",
            "general.applicant_name",
            "process.before_submission",
            "process.missing_acceptance",
            "process.completed_before_accepted",
            "process.after_completion",
            "process.out_of_order",
        ] {
            let list = get_ok(
                &chaoyang,
                &format!("/api/v1/quality/runs/{id}/failures?code={code}&size=500"),
            )
            .await;
            let mut found = false;
            for failure in list["items"].as_array().unwrap() {
                let case = get_ok(
                    &chaoyang,
                    &format!("/api/v1/cases/{}", failure["case_code"].as_str().unwrap()),
                )
                .await;
                found |= case["remark"] == format!("质检示例：{code}");
            }
            assert!(
                found,
                "the planted {code} case is among the failures: {list}"
            );
        }
        // The demo feed is a registered source, and its manifest shows a lost batch.
        let health = get_ok(&chaoyang, "/api/v1/sources/health").await;
        assert!(
            health
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["source"] == "demo" && f["kind"] == "cases" && f["state"] == "ok"),
            "{health}"
        );
        let rows = get_ok(
            &chaoyang,
            &format!("/api/v1/reconciliation?source=demo&kind=cases&from={today}&to={today}"),
        )
        .await;
        assert_eq!(rows["items"][0]["missing"], 12, "{rows}");
        app.cleanup().await;
    }
}

/// A run reads its cases a page at a time from a keyset position: pages of
/// two over cases submitted at one instant (ties broken by the case code)
/// give every case once, in order, on every backend.
#[tokio::test]
async fn quality_pages_give_every_case_once_in_order() {
    use govpulse_store::org::OrgScope;
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        planted(&app.login("city", "City@12345").await).await;
        let march = (
            ms("2026-03-01T00:00:00+08:00"),
            ms("2026-04-01T00:00:00+08:00"),
        );
        let mut seen: Vec<(String, Option<String>)> = Vec::new();
        let mut after: Option<(i64, String)> = None;
        loop {
            let page = app
                .state
                .store
                .quality_page(&OrgScope::default(), &None, march, after.as_ref(), 2)
                .await
                .expect("page");
            let cases = page.cases().expect("cases");
            seen.extend(cases.iter().map(|c| {
                let kinds: Vec<&str> = c.events().map(|(kind, ..)| kind).collect();
                (
                    c.case_code.to_string(),
                    Some(kinds.join(" ")).filter(|k| !k.is_empty()),
                )
            }));
            let Some(last) = cases.last() else { break };
            after = Some((last.submitted_at, last.case_code.to_string()));
        }
        let codes: Vec<&str> = seen.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            ["QC-HD", "QC-MODE", "QC-NAME", "QC-NOACC", "QC-OK", "QC-REV"],
            "{label}"
        );
        assert_eq!(seen[4].1.as_deref(), Some("accepted completed"), "{label}");
        app.cleanup().await;
    }
}
