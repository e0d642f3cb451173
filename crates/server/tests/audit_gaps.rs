//! Refusals and sensitive reads that were not audited (issue 11, Medium 9),
//! on every backend: CSRF refusals, forced-password-change refusals, forged
//! cookies and tokens, logins over the rate limit, synchronous exports and
//! reading the audit log itself.

mod common;

use common::{create_user, new_user, Client, TestApp};
use govpulse_store::Backend;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Audit rows of `action` by `actor`, as the audit admin sees them.
async fn rows(app: &TestApp, actor: &str, action: &str) -> Vec<Value> {
    rows_as(&app.login("auditor", "Audit@12345").await, actor, action).await
}

async fn rows_as(auditor: &Client, actor: &str, action: &str) -> Vec<Value> {
    let (status, page) = auditor
        .get(&format!(
            "/api/v1/audit?actor={actor}&action={action}&size=100"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn csrf_and_forced_password_change_refusals_are_audited() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let response = admin
            .http
            .post(format!("{}/api/v1/departments", app.base))
            .header("x-csrf-token", "forged")
            .json(&json!({ "code": "T-X", "name": "测试部门", "region_code": "110105" }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let csrf = rows(&app, "admin", "auth.csrf").await;
        assert_eq!(csrf.len(), 1, "{label}: {csrf:?}");
        assert_eq!(csrf[0]["result"], "denied");
        assert_eq!(csrf[0]["object_id"], "/api/v1/departments");

        create_user(
            &admin,
            new_user(
                "wangwu",
                "district_operator",
                "region",
                Some("110105"),
                None,
            ),
        )
        .await;
        let mut user = app.anonymous();
        assert_eq!(
            user.login("wangwu", "Init#Passw0rd").await.0,
            StatusCode::OK
        );
        let (status, _) = user.get("/api/v1/departments").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let forced = rows(&app, "wangwu", "auth.password_change_required").await;
        assert_eq!(forced.len(), 1, "{label}: {forced:?}");
        assert_eq!(forced[0]["result"], "denied");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn reading_the_audit_log_is_audited() {
    for app in TestApp::all().await {
        let auditor = app.login("auditor", "Audit@12345").await;
        let (status, _) = auditor.get("/api/v1/audit?action=user.").await;
        assert_eq!(status, StatusCode::OK);
        let (_, page) = auditor.get("/api/v1/audit?action=audit.read").await;
        let reads = page["items"].as_array().cloned().unwrap_or_default();
        assert!(!reads.is_empty(), "{}: {page}", app.label());
        assert_eq!(
            reads.last().map(|r| r["details"]["action"].clone()),
            Some(json!("user."))
        );
        assert!(reads.iter().all(|r| r["actor"] == "auditor"));
        app.cleanup().await;
    }
}

/// Rows of `action` (written in the background: waited for).
async fn eventually(auditor: &Client, action: &str, at_least: usize) -> Vec<Value> {
    for _ in 0..50 {
        let found = rows_as(auditor, "anonymous", action).await;
        if found.len() >= at_least {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{action}: fewer than {at_least} audit rows");
}

#[tokio::test]
async fn forged_credentials_and_rate_limited_logins_are_audited_in_windows() {
    for db in govpulse_store::testing::TestDb::all().await {
        let app = TestApp::with(db, |config| config.login_rate_per_minute = 2).await;
        let label = app.label();
        // Signed in first: its login is one of the two a minute allowed.
        let auditor = app.login("auditor", "Audit@12345").await;
        let http = reqwest::Client::new();
        for _ in 0..3 {
            let forged = http
                .get(format!("{}/api/v1/me", app.base))
                .header("cookie", "gp_session=forged-cookie-value")
                .send()
                .await
                .unwrap();
            assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        }
        let token = http
            .get(format!("{}/api/v1/me", app.base))
            .bearer_auth("gpt_forged")
            .send()
            .await
            .unwrap();
        assert_eq!(token.status(), StatusCode::UNAUTHORIZED);
        let mut limited = 0;
        for _ in 0..4 {
            let (status, _) = app.anonymous().login("nobody", "Wrong#Passw0rd").await;
            limited += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
        }
        assert!(limited >= 2, "{label}: {limited} refusals");
        // The first of each kind from an address at once; the rest summed
        // when its window ends (not one row per refusal).
        let sessions = eventually(&auditor, "auth.invalid_session", 1).await;
        assert!(
            sessions.len() < 3,
            "{label}: one row per refusal: {sessions:?}"
        );
        let first = sessions.last().unwrap();
        assert_eq!(first["result"], "denied");
        assert_eq!(first["object_id"], "/api/v1/me", "{label}: {sessions:?}");
        assert_eq!(eventually(&auditor, "auth.invalid_token", 1).await.len(), 1);
        assert_eq!(eventually(&auditor, "auth.rate_limited", 1).await.len(), 1);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn synchronous_exports_are_audited() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        for path in [
            "/api/v1/warnings/export?format=csv&status=open",
            "/api/v1/dashboard/export?format=csv&table=by_region",
        ] {
            let response = city
                .http
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{label}: {path}");
        }
        let warnings = rows(&app, "city", "warning.export").await;
        assert_eq!(warnings.len(), 1, "{label}: {warnings:?}");
        assert_eq!(warnings[0]["details"]["filters"]["status"], "open");
        let dashboard = rows(&app, "city", "dashboard.export").await;
        assert_eq!(dashboard.len(), 1, "{label}: {dashboard:?}");
        assert_eq!(dashboard[0]["object_id"], "by_region");
        app.cleanup().await;
    }
}

/// Make the database refuse audit rows of `action` (as a failure between a
/// batch and its audit row would).
async fn refuse_audit_rows(app: &TestApp, action: &str) {
    let statements = match app.db.backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.action = '{action}'
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        )],
        Backend::Postgres => vec![
            format!(
                "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN IF NEW.action = '{action}' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$"
            ),
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                .to_string(),
        ],
    };
    for statement in statements {
        app.db
            .store
            .execute_admin(&statement)
            .await
            .expect("trigger");
    }
}

#[tokio::test]
async fn an_intake_batch_and_its_audit_row_commit_together() {
    use common::aggregation::{case, catalogue, post, CY_ITEM, PERSON};
    for app in TestApp::all().await {
        let label = app.label();
        catalogue(&app.admin().await).await;
        let city = app.login("city", "City@12345").await;
        let at = "2026-07-01T09:00:00+08:00";
        let report = post(
            &city,
            "/api/v1/intake/cases",
            json!([
                case("AUD-1", CY_ITEM, "110105", "110105D007", PERSON, at),
                case("AUD-2", CY_ITEM, "110105", "110105D007", PERSON, at),
                {"case_code": "AUD-BAD"}
            ]),
        )
        .await;
        assert_eq!(report["accepted"], 2, "{label}: {report}");
        let audited = rows(&app, "city", "intake.cases").await;
        assert_eq!(audited.len(), 1, "{label}: {audited:?}");
        let details = &audited[0]["details"];
        assert_eq!(
            (details["accepted"].clone(), details["rejected"].clone()),
            (json!(2), json!(1)),
            "{label}: {details}"
        );

        // When the audit row cannot be written, the batch is not stored either.
        refuse_audit_rows(&app, "intake.cases").await;
        let (status, body) = city
            .post(
                "/api/v1/intake/cases",
                json!([case("AUD-3", CY_ITEM, "110105", "110105D007", PERSON, at)]),
            )
            .await;
        assert!(status.is_server_error(), "{label}: {status} {body}");
        let (status, _) = city.get("/api/v1/cases/AUD-3").await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{label}: no case without its audit row"
        );
        let (_, list) = city.get("/api/v1/cases?q=AUD-&size=10").await;
        assert_eq!(list["total"], 2, "{label}: {list}");
        app.cleanup().await;
    }
}
