//! Corrections from sources and erroneous records (issue 14 item 4), on every
//! backend: a higher revision supersedes the stored record and the case's
//! state, clocks, overdue flag, warnings and dashboard figures follow; the old
//! content stays in the case's history; an erroneous mark takes a record out
//! of the figures and monitoring but not out of sight.

mod common;

use common::monitoring::*;
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// 2026-03-10 lies within the 10 working days after `OLD`; 2026-03-20 does not.
const ON_TIME: &str = "2026-03-10T10:00:00+08:00";
const LATE: &str = "2026-03-20T10:00:00+08:00";

async fn intake(city: &Client, kind: &str, records: Value) -> Value {
    let (status, report) = city.post(&format!("/api/v1/intake/{kind}"), records).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

fn counts(report: &Value) -> (i64, i64, i64, usize) {
    (
        report["accepted"].as_i64().unwrap(),
        report["corrected"].as_i64().unwrap(),
        report["duplicates"].as_i64().unwrap(),
        report["rejected"].as_array().unwrap().len(),
    )
}

fn case_record(code: &str, applicant: &str, submitted_ms: i64, remark: &str) -> Value {
    json!({
        "case_code": code, "item_code": CHAOYANG.item, "applicant_type": "person",
        "applicant_id": applicant, "applicant_name": "王五", "region_code": CHAOYANG.region,
        "department_code": CHAOYANG.department, "channel": "window", "submitted_at": at(submitted_ms),
        "remark": remark
    })
}

fn event(code: &str, seq: i64, kind: &str, at_ms: i64, revision: i64) -> Value {
    json!({"case_code": code, "seq": seq, "kind": kind, "at": at(at_ms), "revision": revision})
}

/// `(cases, completed, on_time, overdue)` of March in 朝阳区.
async fn march_figures(city: &Client) -> (i64, i64, i64, i64) {
    let o = get_ok(
        city,
        "/api/v1/dashboard/overview?from=2026-03-01&to=2026-03-31&region=110105",
    )
    .await;
    let n = |k: &str| o["cases"][k].as_i64().unwrap();
    (n("total"), n("completed"), n("on_time"), n("overdue"))
}

/// A case accepted at `OLD` with its first two events.
async fn accepted_case(city: &Client, code: &str) {
    let report = intake(
        city,
        "cases",
        json!([case_record(code, &person(), ms(OLD) - 3_600_000, "")]),
    )
    .await;
    assert_eq!(counts(&report), (1, 0, 0, 0), "{report}");
}

#[tokio::test]
async fn a_corrected_completion_moves_the_clock_the_overdue_flag_and_the_dashboard() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        accepted_case(&city, "CR-1").await;
        let submitted = ms(OLD) - 3_600_000;
        let report = intake(
            &city,
            "case-events",
            json!([
                event("CR-1", 1, "submitted", submitted, 0),
                event("CR-1", 2, "accepted", ms(OLD), 0),
                event("CR-1", 3, "completed", ms(ON_TIME), 0),
            ]),
        )
        .await;
        assert_eq!(counts(&report), (3, 0, 0, 0), "{label}: {report}");
        settle(&app).await;
        let case = get_ok(&city, "/api/v1/cases/CR-1").await;
        assert_eq!(approval_clock(&case)["status"], "completed", "{label}");
        assert_eq!(case["overdue"], false, "{label}");
        assert_eq!(march_figures(&city).await, (1, 1, 1, 0), "{label}");

        // The source finds it completed on the 20th: revision 1 of event 3.
        let late = event("CR-1", 3, "completed", ms(LATE), 1);
        let report = intake(&city, "case-events", json!([late.clone()])).await;
        assert_eq!(counts(&report), (0, 1, 0, 0), "{label}: {report}");
        settle(&app).await;
        let case = get_ok(&city, "/api/v1/cases/CR-1").await;
        assert_eq!(case["completed_at"], at(ms(LATE)), "{label}");
        assert_eq!(approval_clock(&case)["status"], "completed_late", "{label}");
        assert_eq!(case["overdue"], true, "{label}");
        assert_eq!(
            march_figures(&city).await,
            (1, 1, 0, 1),
            "{label}: the same case, now late — not counted twice"
        );
        let history = case["history"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{label}: {history:?}");
        assert_eq!(history[0]["kind"], "case-events");
        assert_eq!(history[0]["record_key"], "CR-1#3");
        assert_eq!(history[0]["revision"], 0);
        assert_eq!(history[0]["superseded_by"], 1);
        assert_eq!(history[0]["content"]["at"], at(ms(ON_TIME)));

        // Resending revision 1 is a duplicate; other content under it a conflict.
        let report = intake(&city, "case-events", json!([late])).await;
        assert_eq!(counts(&report), (0, 0, 1, 0), "{label}: {report}");
        let report = intake(
            &city,
            "case-events",
            json!([event("CR-1", 3, "completed", ms(ON_TIME), 1)]),
        )
        .await;
        assert_eq!(report["rejected"][0]["code"], "record.conflict", "{label}");
        let report = intake(
            &city,
            "case-events",
            json!([event("CR-1", 3, "completed", ms(ON_TIME), 0)]),
        )
        .await;
        assert_eq!(report["rejected"][0]["code"], "record.conflict", "{label}");
        assert_eq!(march_figures(&city).await, (1, 1, 0, 1), "{label}");

        let audit = get_ok(
            &admin_auditor(&app).await,
            "/api/v1/audit?action=intake.case-events",
        )
        .await;
        assert!(
            audit["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|row| row["details"]["corrected_keys"] == json!(["CR-1#3"])),
            "{label}: the correction is audited with its key: {audit}"
        );
        app.cleanup().await;
    }
}

async fn admin_auditor(app: &TestApp) -> Client {
    app.login("auditor", "Audit@12345").await
}

#[tokio::test]
async fn a_corrected_acceptance_raises_the_warning_and_an_erroneous_mark_takes_it_away() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        // Sent with today's times by mistake: accepted an hour ago, nothing to warn about.
        let applicant = person();
        let submitted = now() - 7_200_000;
        intake(
            &city,
            "cases",
            json!([case_record("CR-2", &applicant, submitted, "")]),
        )
        .await;
        intake(
            &city,
            "case-events",
            json!([
                event("CR-2", 1, "submitted", submitted, 0),
                event("CR-2", 2, "accepted", submitted + 3_600_000, 0),
            ]),
        )
        .await;
        settle(&app).await;
        assert!(warnings(&city, "case=CR-2").await.is_empty(), "{label}");
        // The day it was sent for (local time): two hours ago is yesterday
        // between midnight and two.
        let sent_day = &at(submitted)[..10];
        let today_figures =
            format!("/api/v1/dashboard/overview?from={sent_day}&to={sent_day}&region=110105");
        assert_eq!(
            get_ok(&city, &today_figures).await["cases"]["total"],
            1,
            "{label}"
        );
        assert_eq!(march_figures(&city).await, (0, 0, 0, 0), "{label}");

        // The source resends the case and its events with the real times (2 March).
        let mut case = case_record("CR-2", &applicant, ms(OLD) - 3_600_000, "");
        case["revision"] = json!(1);
        let report = intake(&city, "cases", json!([case])).await;
        assert_eq!(counts(&report), (0, 1, 0, 0), "{label}: {report}");
        let report = intake(
            &city,
            "case-events",
            json!([
                event("CR-2", 1, "submitted", ms(OLD) - 3_600_000, 1),
                event("CR-2", 2, "accepted", ms(OLD), 1),
            ]),
        )
        .await;
        assert_eq!(counts(&report), (0, 2, 0, 0), "{label}: {report}");
        settle(&app).await;
        let warning = only_warning(&city, "CR-2", "approval_overdue").await;
        assert_eq!(warning["level"], "red", "{label}: {warning}");
        let case = get_ok(&city, "/api/v1/cases/CR-2").await;
        assert_eq!(approval_clock(&case)["status"], "overdue", "{label}");
        assert_eq!(case["overdue"], true, "{label}");
        let before = march_figures(&city).await;
        assert_eq!(before, (1, 0, 0, 1), "{label}: the case moved to March");
        assert_eq!(
            get_ok(&city, &today_figures).await["cases"]["total"],
            0,
            "{label}: and out of today"
        );

        // Refusals: a reason is required; the kind must be markable; 海淀
        // cannot see a 朝阳 case; the department user may not govern data.
        let path = "/api/v1/records/cases/CR-2/erroneous";
        let (status, body) = chaoyang.put(path, json!({"reason": "  "})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        let (status, _) = chaoyang
            .put(
                "/api/v1/records/case-events/CR-2/erroneous",
                json!({"reason": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let haidian = app.login("haidian", "Haidian@123").await;
        let (status, _) = haidian.put(path, json!({"reason": "重复推送"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        let dept = app.login("dept", "Dept@123456").await;
        let (status, _) = dept.put(path, json!({"reason": "重复推送"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}");

        let (status, body) = chaoyang
            .put(path, json!({"reason": "测试数据误推送"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        settle(&app).await;
        let warning = only_warning(&city, "CR-2", "approval_overdue").await;
        assert_eq!(warning["status"], "closed", "{label}: {warning}");
        assert_eq!(march_figures(&city).await, (0, 0, 0, 0), "{label}");
        // Still listed, with its reason, and the list's total counts it.
        let list = get_ok(&city, "/api/v1/cases?from=2026-03-01&to=2026-03-31").await;
        assert_eq!(list["total"], 1, "{label}: {list}");
        assert_eq!(list["items"][0]["erroneous_reason"], "测试数据误推送");

        let (status, _) = chaoyang.delete(path).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        settle(&app).await;
        assert_eq!(march_figures(&city).await, before, "{label}: counted again");
        let warning = only_warning(&city, "CR-2", "approval_overdue").await;
        assert_eq!(warning["status"], "open", "{label}: reopened: {warning}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_corrected_case_keeps_its_old_content_in_the_history_and_the_reconciliation_counts_it() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let applicant = person();
        let submitted = ms(OLD) - 3_600_000;
        let first = case_record("CR-3", &applicant, submitted, "初报");
        intake(&city, "cases", json!([first.clone()])).await;

        let mut same_content = first.clone();
        same_content["revision"] = json!(4);
        let mut corrected = case_record("CR-3", &applicant, submitted, "更正");
        corrected["revision"] = json!(2);
        let mut stale = case_record("CR-3", &applicant, submitted, "过期");
        stale["revision"] = json!(1);
        let mut bad = first.clone();
        bad["revision"] = json!(-1);
        let report = intake(&city, "cases", json!([same_content, corrected, stale, bad])).await;
        assert_eq!(counts(&report), (0, 1, 1, 2), "{label}: {report}");
        let codes: Vec<&str> = report["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["record.conflict", "field.invalid"], "{label}");

        let case = get_ok(&city, "/api/v1/cases/CR-3").await;
        assert_eq!(case["remark"], "更正", "{label}");
        assert_eq!(case["revision"], 2);
        assert_eq!(case["history"][0]["kind"], "cases");
        assert_eq!(case["history"][0]["content"]["remark"], "初报");
        assert_eq!(case["history"][0]["revision"], 0);

        let reconciliation = get_ok(&city, "/api/v1/reconciliation?kind=cases").await;
        let row = &reconciliation["items"][0];
        assert_eq!(
            (
                row["received"].clone(),
                row["accepted"].clone(),
                row["corrected"].clone()
            ),
            (json!(5), json!(1), json!(1)),
            "{label}: {row}"
        );
        app.cleanup().await;
    }
}
