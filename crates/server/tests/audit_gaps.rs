//! Refusals and sensitive reads that were not audited (issue 11, Medium 9),
//! on every backend: CSRF refusals, forced-password-change refusals and
//! reading the audit log itself.

mod common;

use common::{create_user, new_user, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Audit rows of `action` by `actor`, as the audit admin sees them.
async fn rows(app: &TestApp, actor: &str, action: &str) -> Vec<Value> {
    let auditor = app.login("auditor", "Audit@12345").await;
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
