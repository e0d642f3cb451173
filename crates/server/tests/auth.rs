//! Accounts and sessions (SEC-1), on every backend.

mod common;

use common::{create_user, new_user, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn login_me_logout() {
    for app in TestApp::all().await {
        let mut client = app.anonymous();
        let (status, body) = client.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", app.label());
        assert_eq!(body["code"], "auth.unauthenticated");

        let (status, body) = client.login("chaoyang", "Chaoyang@123").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let cookie = client.cookie.clone().unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );

        let (status, me) = client.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["username"], "chaoyang");
        assert_eq!(me["roles"], json!(["district_operator"]));
        assert_eq!(me["scope"]["kind"], "region");
        assert_eq!(me["scope"]["region_code"], "110105");

        let (status, _) = client.post("/api/v1/auth/logout", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = client.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_for_everyone() {
    for app in TestApp::all().await {
        let mut client = app.anonymous();
        let (status, body) = client.login("nobody", "Whatever#123").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "auth.invalid_credentials");

        for attempt in 1..=4 {
            let (status, body) = client.login("haidian", "Wrong#Pass123").await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "attempt {attempt}: {body}"
            );
            assert_eq!(body["code"], "auth.invalid_credentials");
        }
        let (status, body) = client.login("haidian", "Wrong#Pass123").await;
        assert_eq!(status, StatusCode::LOCKED, "{}", app.label());
        assert_eq!(body["code"], "auth.locked");
        assert!(body["details"]["locked_until"]
            .as_str()
            .unwrap()
            .ends_with("+08:00"));
        // Locked means locked: the right password is refused too.
        let (status, body) = client.login("haidian", "Haidian@123").await;
        assert_eq!(status, StatusCode::LOCKED);
        assert_eq!(body["code"], "auth.locked");

        // The security admin can see and lift the lock.
        let sec = app.login("secadmin", "Sec@123456").await;
        let (_, users) = sec.get("/api/v1/users?status=locked").await;
        assert_eq!(users["total"], 1);
        let id = users["items"][0]["id"].as_i64().unwrap();
        let (status, _) = sec
            .post(&format!("/api/v1/users/{id}/unlock"), json!({}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = client.login("haidian", "Haidian@123").await;
        assert_eq!(status, StatusCode::OK);
        let auditor = app.login("auditor", "Audit@12345").await;
        let (_, unlocks) = auditor.get("/api/v1/audit?action=user.unlock").await;
        assert_eq!(
            unlocks["items"][0]["actor"], "secadmin",
            "the unlock is audited"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn writes_need_the_csrf_token_and_a_same_site_origin() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let body = json!({ "code": "T-CSRF", "name": "测试部门", "region_code": "110105" });
        let url = format!("{}/api/v1/departments", app.base);

        let response = admin.http.post(&url).json(&body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["code"], "auth.csrf");

        let csrf = admin.csrf.clone().unwrap();
        let response = admin
            .http
            .post(&url)
            .header("x-csrf-token", &csrf)
            .header("origin", "https://evil.example")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        let response = admin
            .http
            .post(&url)
            .header("x-csrf-token", "forged")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);

        // Nothing was created by the refused requests.
        let (status, _) = admin.get("/api/v1/departments/T-CSRF").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}", app.label());
        let (status, _) = admin.post("/api/v1/departments", body).await;
        assert_eq!(status, StatusCode::CREATED);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_new_account_must_change_its_password_first() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
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
        // Usernames are unique whatever their case.
        let twin = new_user(
            "WangWu",
            "district_operator",
            "region",
            Some("110105"),
            None,
        );
        let (status, body) = admin.post("/api/v1/users", twin).await;
        assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", app.label());
        assert_eq!(body["code"], "user.exists");

        let mut user = app.anonymous();
        let (status, body) = user.login("wangwu", "Init#Passw0rd").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["must_change_password"], true);
        let (status, body) = user.get("/api/v1/departments").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}", app.label());
        assert_eq!(body["code"], "auth.password_change_required");

        let weak = json!({ "old_password": "Init#Passw0rd", "new_password": "wangwu12345" });
        let (status, body) = user.post("/api/v1/auth/password", weak).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "auth.weak_password");
        let reasons = body["details"]["reasons"].as_array().unwrap();
        assert!(
            reasons.contains(&json!("too_few_classes"))
                && reasons.contains(&json!("contains_username")),
            "{body}"
        );

        let wrong_old =
            json!({ "old_password": "Nope#Passw0rd", "new_password": "Brand#New2026x" });
        let (status, _) = user.post("/api/v1/auth/password", wrong_old).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let good = json!({ "old_password": "Init#Passw0rd", "new_password": "Brand#New2026x" });
        let (status, _) = user.post("/api/v1/auth/password", good).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = user.get("/api/v1/departments").await;
        assert_eq!(status, StatusCode::OK);

        let mut again = app.anonymous();
        assert_eq!(
            again.login("wangwu", "Init#Passw0rd").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            again.login("wangwu", "Brand#New2026x").await.0,
            StatusCode::OK
        );
        app.cleanup().await;
    }
}

/// The stored key of a logged-in client's session (SHA-256 of its cookie).
fn session_hash(client: &common::Client) -> String {
    let token = client
        .cookie
        .as_deref()
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.strip_prefix("gp_session="))
        .expect("session cookie");
    govpulse_server::identity::secrets::sha256_hex(token)
}

#[tokio::test]
async fn idle_sessions_expire() {
    for app in TestApp::all().await {
        let client = app.login("city", "City@12345").await;
        assert_eq!(client.get("/api/v1/me").await.0, StatusCode::OK);
        // Age the session past the 30-minute idle timeout.
        let id_hash = session_hash(&client);
        let long_ago = govpulse_core::time::now_ms() - 31 * 60_000;
        app.db
            .store
            .touch_session(&id_hash, long_ago)
            .await
            .unwrap();
        let (status, body) = client.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", app.label());
        assert_eq!(body["code"], "auth.session_expired");
        // And the session is gone for good.
        assert_eq!(
            client.get("/api/v1/me").await.1["code"],
            "auth.unauthenticated"
        );
        app.cleanup().await;
    }
}

/// The code of the step after the current one: accepted (one step of skew)
/// and later than any step already used this window.
fn next_code(totp: &totp_rs::Totp) -> String {
    totp.generate(totp.next_step_current()).to_string()
}

async fn login_with_code(app: &TestApp, code: &str) -> StatusCode {
    app.anonymous()
        .http
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({ "username": "city", "password": "City@12345", "totp_code": code }))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn totp_second_factor() {
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let (status, setup) = city
            .post(
                "/api/v1/auth/totp/setup",
                json!({ "password": "City@12345" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{setup}");
        let secret = totp_rs::Secret::try_from_base32(setup["secret"].as_str().unwrap()).unwrap();
        let secret_hex = hex::encode(secret.as_bytes());
        let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
        let (status, _) = city
            .post("/api/v1/auth/totp/enable", json!({ "code": "000000" }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let code = totp.generate_current().to_string();
        let (status, body) = city
            .post("/api/v1/auth/totp/enable", json!({ "code": code }))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        // The database holds the secret sealed, never the secret itself.
        let stored = app
            .state
            .store
            .find_user_by_username("city")
            .await
            .unwrap()
            .unwrap();
        let stored = stored.totp_secret.unwrap();
        assert!(!stored.contains(&secret_hex), "{}", app.label());

        let mut second = app.anonymous();
        let (status, body) = second.login("city", "City@12345").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "auth.totp_required");
        // The enrolment code was used: it does not sign in.
        assert_eq!(login_with_code(&app, &code).await, StatusCode::UNAUTHORIZED);
        let fresh = next_code(&totp);
        assert_eq!(
            login_with_code(&app, &fresh).await,
            StatusCode::OK,
            "{}",
            app.label()
        );
        // A code is accepted once, even by a second browser moments later.
        assert_eq!(
            login_with_code(&app, &fresh).await,
            StatusCode::UNAUTHORIZED
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn resetting_the_second_factor_needs_the_password() {
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let (status, body) = city.post("/api/v1/auth/totp/setup", json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = city
            .post(
                "/api/v1/auth/totp/setup",
                json!({ "password": "Wrong@12345" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let user = app
            .state
            .store
            .find_user_by_username("city")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.totp_secret, None, "{}", app.label());
        assert_eq!(
            user.failed_attempts, 1,
            "a wrong password counts toward the lockout"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn admin_duties_stay_separated() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let mut body = new_user("mixed", "sys_admin", "city", Some("110000"), None);
        body["roles"] = json!(["sys_admin", "audit_admin"]);
        let (status, error) = admin.post("/api/v1/users", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", app.label());
        assert_eq!(error["code"], "role.duty_conflict");

        let sec = app.login("secadmin", "Sec@123456").await;
        let role =
            json!({ "code": "super", "name": "超级", "permissions": ["user:write", "audit:read"] });
        let (status, error) = sec.post("/api/v1/roles", role).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["code"], "role.duty_conflict");

        // The system admin cannot read the audit log, the auditor cannot manage users.
        assert_eq!(admin.get("/api/v1/audit").await.0, StatusCode::FORBIDDEN);
        let auditor = app.login("auditor", "Audit@12345").await;
        assert_eq!(auditor.get("/api/v1/users").await.0, StatusCode::FORBIDDEN);
        assert_eq!(auditor.get("/api/v1/audit").await.0, StatusCode::OK);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let (status, created) = admin
            .post(
                "/api/v1/tokens",
                json!({ "name": "统一申办受理平台", "scope": "intake" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let token = created["token"].as_str().unwrap().to_string();
        let me = |token: String| {
            let url = format!("{}/api/v1/me", app.base);
            async move {
                reqwest::Client::new()
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(me(token.clone()).await, StatusCode::OK);
        let (_, list) = admin.get("/api/v1/tokens").await;
        assert!(list[0]["last_used_at"].is_string(), "{list}");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(
            admin.delete(&format!("/api/v1/tokens/{id}")).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "{}", app.label());
        let (status, _) = admin
            .post(
                "/api/v1/tokens",
                json!({ "name": "x", "scope": "everything" }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn writes_are_audited_and_the_chain_verifies() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        create_user(
            &admin,
            new_user(
                "zhaoliu",
                "dept_user",
                "department",
                None,
                Some("110105D001"),
            ),
        )
        .await;
        let mut intruder = app.anonymous();
        intruder.login("zhaoliu", "bad-guess").await;
        let _ = admin.send(Method::GET, "/api/v1/audit", None).await; // denied: audited too

        let auditor = app.login("auditor", "Audit@12345").await;
        let (_, log) = auditor
            .get("/api/v1/audit?action=user.create&size=50")
            .await;
        let created = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["details"]["username"] == "zhaoliu")
            .expect("user.create audited");
        assert_eq!(created["actor"], "admin");
        assert_eq!(created["result"], "success");
        assert_eq!(created["ip"], "127.0.0.1");
        let (_, failures) = auditor
            .get("/api/v1/audit?action=auth.login&result=failure")
            .await;
        assert!(failures["total"].as_i64().unwrap() >= 1);
        let (_, denied) = auditor.get("/api/v1/audit?result=denied&actor=admin").await;
        assert_eq!(
            denied["items"][0]["object_id"],
            "audit:read",
            "{}",
            app.label()
        );

        let (status, verify) = auditor.get("/api/v1/audit/verify").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(verify["ok"], true);

        let response = auditor
            .http
            .get(format!(
                "{}/api/v1/audit/export?format=csv&actor=admin",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let csv = response.text().await.unwrap();
        assert!(
            csv.starts_with('\u{feff}') && csv.contains("操作人") && csv.contains("user.create")
        );
        let response = auditor
            .http
            .get(format!("{}/api/v1/audit/export?format=xlsx", app.base))
            .send()
            .await
            .unwrap();
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip file");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn background_polls_do_not_keep_an_idle_session_alive() {
    for app in TestApp::all().await {
        let client = app.login("city", "City@12345").await;
        let id_hash = session_hash(&client);
        let idle_since = govpulse_core::time::now_ms() - 20 * 60_000;
        app.db
            .store
            .touch_session(&id_hash, idle_since)
            .await
            .unwrap();
        // The inbox badge polls in the background: served, but not activity.
        let poll = client
            .http
            .get(format!("{}/api/v1/messages/summary", client.base))
            .header("X-Background", "1")
            .send()
            .await
            .unwrap();
        assert_eq!(poll.status(), StatusCode::OK, "{}", app.label());
        let seen = app.db.store.get_session(&id_hash).await.unwrap().unwrap();
        assert_eq!(
            seen.last_seen_at, idle_since,
            "a poll must not refresh the session"
        );
        // A real request is activity.
        assert_eq!(client.get("/api/v1/me").await.0, StatusCode::OK);
        let seen = app.db.store.get_session(&id_hash).await.unwrap().unwrap();
        assert!(seen.last_seen_at > idle_since, "{}", app.label());
        app.cleanup().await;
    }
}

/// Resolved sessions are reused between requests (no database round trip),
/// but never past a change: a disabled account is refused on its very next
/// request, and a signed-out session at once.
#[tokio::test]
async fn a_disabled_account_is_refused_on_its_next_request() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let body = new_user(
            "zhaoliu",
            "district_operator",
            "region",
            Some("110105"),
            None,
        );
        let id = create_user(&admin, body.clone()).await;
        let mut user = app.anonymous();
        let (status, _) = user.login("zhaoliu", "Init#Passw0rd").await;
        assert_eq!(status, StatusCode::OK);
        for _ in 0..2 {
            let (status, me) = user.get("/api/v1/me").await;
            assert_eq!(
                (status, &me["username"]),
                (StatusCode::OK, &json!("zhaoliu"))
            );
        }
        let update = json!({ "display_name": body["display_name"], "roles": body["roles"],
            "scope": body["scope"], "disabled": true });
        let (status, answer) = admin.put(&format!("/api/v1/users/{id}"), update).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (status, _) = user.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", app.label());
        app.cleanup().await;
    }
}
