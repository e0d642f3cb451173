//! Separated admin duties (三员分立, issue 11 High-3) through the API, on every
//! backend: no admin duty acts on, creates, grants or takes over an account
//! holding another; role granting is the security admin's; the audit admin's
//! account is changed only by the security admin. Every refusal is audited.

mod common;

use common::{create_user, new_user, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The id of the account `username`, as the system admin sees it.
async fn user_id(admin: &Client, username: &str) -> i64 {
    let (status, page) = admin.get(&format!("/api/v1/users?q={username}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|u| u["username"] == username))
        .and_then(|u| u["id"].as_i64())
        .unwrap_or_else(|| panic!("no account {username}: {page}"))
}

fn assert_duty_refusal(label: &str, what: &str, (status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{label} {what}: {body}");
    assert_eq!(
        body["code"], "auth.duty_separation",
        "{label} {what}: {body}"
    );
}

fn profile(roles: &[&str], disabled: bool) -> Value {
    json!({ "display_name": "改名", "roles": roles, "disabled": disabled,
        "scope": { "kind": "city", "region_code": "110000" } })
}

#[tokio::test]
async fn the_system_admin_cannot_reach_the_security_or_audit_admin() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let auditor_id = user_id(&admin, "auditor").await;
        let secadmin_id = user_id(&admin, "secadmin").await;

        // Create an auditor of its own and read the log through it.
        let body = new_user("myauditor", "audit_admin", "city", Some("110000"), None);
        assert_duty_refusal(
            &label,
            "create auditor",
            admin.post("/api/v1/users", body).await,
        );
        // Take the auditor over by resetting the password.
        let reset = json!({ "password": "Taken#Over2026" });
        for id in [auditor_id, secadmin_id] {
            let path = format!("/api/v1/users/{id}/reset-password");
            assert_duty_refusal(&label, "reset", admin.post(&path, reset.clone()).await);
            let path = format!("/api/v1/users/{id}");
            assert_duty_refusal(&label, "delete", admin.delete(&path).await);
        }
        let auditor = format!("/api/v1/users/{auditor_id}");
        assert_duty_refusal(
            &label,
            "disable auditor",
            admin.put(&auditor, profile(&["audit_admin"], true)).await,
        );
        let secadmin = format!("/api/v1/users/{secadmin_id}");
        assert_duty_refusal(
            &label,
            "demote secadmin",
            admin
                .put(&secadmin, profile(&["city_operator"], false))
                .await,
        );
        // Promote a business account to auditor.
        let plain = create_user(
            &admin,
            new_user("plainuser", "city_operator", "city", Some("110000"), None),
        )
        .await;
        assert_duty_refusal(
            &label,
            "promote to auditor",
            admin
                .put(
                    &format!("/api/v1/users/{plain}"),
                    profile(&["audit_admin"], false),
                )
                .await,
        );

        // Nothing changed: the auditor still logs in with the old password.
        let auditor_client = app.login("auditor", "Audit@12345").await;
        app.login("secadmin", "Sec@123456").await;
        // Every refusal is in the log.
        let (_, denied) = auditor_client
            .get("/api/v1/audit?action=user.&result=denied&size=100")
            .await;
        let actions: Vec<&str> = denied["items"]
            .as_array()
            .expect("audit items")
            .iter()
            .filter(|row| row["actor"] == "admin")
            .filter_map(|row| row["action"].as_str())
            .collect();
        for action in [
            "user.create",
            "user.reset_password",
            "user.delete",
            "user.update",
        ] {
            assert!(
                actions.contains(&action),
                "{label}: {action} refusal audited: {actions:?}"
            );
        }
        assert_eq!(actions.len(), 8, "{label}: {actions:?}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn accounts_and_grants_each_stay_with_their_duty() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let sec = app.login("secadmin", "Sec@123456").await;
        let auditor = app.login("auditor", "Audit@12345").await;
        let admin_id = user_id(&admin, "admin").await;
        let auditor_id = user_id(&admin, "auditor").await;

        // The system admin administers business accounts and district system admins.
        let plain = create_user(
            &admin,
            new_user("plainuser", "city_operator", "city", Some("110000"), None),
        )
        .await;
        create_user(
            &admin,
            new_user("cysys", "sys_admin", "region", Some("110105"), None),
        )
        .await;
        let plain_path = format!("/api/v1/users/{plain}");
        let (status, _) = admin
            .put(&plain_path, profile(&["district_operator"], false))
            .await;
        assert_eq!(status, StatusCode::OK, "{label}");

        // Granting is the security admin's: an auditor is made by it …
        let roles = format!("{plain_path}/roles");
        let (status, body) = sec.put(&roles, json!({ "roles": ["audit_admin"] })).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["roles"], json!(["audit_admin"]));
        // … but never the system duty, and never on a system admin's account.
        let grant_system = sec.put(&roles, json!({ "roles": ["sys_admin"] })).await;
        assert_duty_refusal(&label, "grant sys_admin", grant_system);
        let admin_roles = format!("/api/v1/users/{admin_id}/roles");
        let demote_admin = sec
            .put(&admin_roles, json!({ "roles": ["city_operator"] }))
            .await;
        assert_duty_refusal(&label, "demote admin", demote_admin);
        // The audit admin grants nothing and administers nothing.
        let (status, body) = auditor
            .put(&roles, json!({ "roles": ["city_operator"] }))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "auth.forbidden");
        // The security admin changes the audit admin's account, and no other.
        let reset = json!({ "password": "Reset#Audit2026" });
        let path = format!("/api/v1/users/{auditor_id}/reset-password");
        assert_eq!(
            sec.post(&path, reset.clone()).await.0,
            StatusCode::NO_CONTENT
        );
        let path = format!("/api/v1/users/{admin_id}/reset-password");
        assert_duty_refusal(
            &label,
            "sec resets admin",
            sec.post(&path, reset.clone()).await,
        );
        let create = new_user("secmade", "city_operator", "city", Some("110000"), None);
        assert_duty_refusal(
            &label,
            "sec creates",
            sec.post("/api/v1/users", create).await,
        );

        app.cleanup().await;
    }
}
