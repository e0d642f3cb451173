//! Password guessing outside the login form and username enumeration (issue
//! 11, Medium 7 and 8), on every backend.

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_unknown_and_a_known_username_get_the_same_answer() {
    for app in TestApp::all().await {
        let mut client = app.anonymous();
        let (unknown_status, unknown) = client.login("nobody", "Wrong#Pass123").await;
        let (known_status, known) = client.login("haidian", "Wrong#Pass123").await;
        assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
        assert_eq!(known_status, unknown_status, "{}", app.label());
        assert_eq!(
            known,
            unknown,
            "{}: same body, details included",
            app.label()
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn wrong_passwords_in_a_session_count_toward_the_lockout_and_are_audited() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        let change = json!({ "old_password": "Wrong#Pass123", "new_password": "Brand#New2026x" });
        let disable = json!({ "password": "Wrong#Pass123" });
        for attempt in 1..=4 {
            let (status, body) = if attempt % 2 == 0 {
                city.post("/api/v1/auth/password", change.clone()).await
            } else {
                city.post("/api/v1/auth/totp/disable", disable.clone())
                    .await
            };
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{label} {attempt}: {body}"
            );
        }
        let (status, body) = city.post("/api/v1/auth/password", change.clone()).await;
        assert_eq!(
            status,
            StatusCode::LOCKED,
            "{label}: fifth guess locks: {body}"
        );
        // Locked for every door: the right password no longer helps.
        let right = json!({ "old_password": "City@12345", "new_password": "Brand#New2026x" });
        let (status, _) = city.post("/api/v1/auth/password", right).await;
        assert_eq!(status, StatusCode::LOCKED);
        let (status, _) = app.anonymous().login("city", "City@12345").await;
        assert_eq!(status, StatusCode::LOCKED);

        let auditor = app.login("auditor", "Audit@12345").await;
        for (action, failures) in [("auth.password_change", 3), ("auth.totp_disable", 2)] {
            let (_, rows) = auditor
                .get(&format!("/api/v1/audit?action={action}&result=failure"))
                .await;
            assert_eq!(rows["total"], failures, "{label} {action}: {rows}");
        }
        let (_, denied) = auditor
            .get("/api/v1/audit?action=auth.password_change&result=denied")
            .await;
        assert_eq!(denied["total"], 1, "{label}: the locked refusal is audited");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_long_multibyte_password_the_policy_accepts_logs_in() {
    for app in TestApp::all().await {
        // 128 characters, 3 + 125 × 3 bytes: within the policy's limit.
        let long = format!("Aa1{}", "密".repeat(125));
        let city = app.login("city", "City@12345").await;
        let change = json!({ "old_password": "City@12345", "new_password": long });
        let (status, body) = city.post("/api/v1/auth/password", change).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = app.anonymous().login("city", &long).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", app.label());
        app.cleanup().await;
    }
}
