//! Webhooks (MON-6): a warning is POSTed to the rule's URL, signed with
//! HMAC-SHA256 of the body under the rule's secret, retried after a failure,
//! and every attempt is logged.

use crate::common::monitoring::*;
use crate::common::TestApp;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET: &str = "whsec-3b9f0c2e";

#[tokio::test]
async fn warnings_are_posted_signed_and_retried_until_delivered() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        allow_webhooks_to(&app, &["127.0.0.1"]).await;
        let (url, seen) = webhook_receiver(1).await;
        let rule = json!({
            "code": "hd_hook", "name": "海淀受理推送", "stage": "acceptance", "type": "custom",
            "condition": {"all": [{"field": "item", "op": "eq", "value": HAIDIAN.item}]},
            "levels": [{"key": "yellow", "name": "黄灯", "colour": "#E6A23C", "handling_hours": 24,
                        "template": "{{事项名称}}（{{办件编号}}）请关注", "condition": {"all": []}}],
            "webhook": {"url": url, "secret": SECRET}
        });
        let (status, created) = city.post("/api/v1/warning-rules", rule).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {created}");
        // Saving the rule back with the masked secret keeps the secret.
        let mut echoed = created.clone();
        assert_eq!(echoed["webhook"]["secret"], "******");
        echoed["description"] = json!("推送到短信平台");
        let (status, body) = city.put("/api/v1/warning-rules/hd_hook", echoed).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        open_case(&city, "WH-1", HAIDIAN, now() - 3_600_000).await;
        open_case(&city, "WH-CY", CHAOYANG, now() - 3_600_000).await;
        settle(&app).await;
        let warning = only_warning(&city, "WH-1", "hd_hook").await;
        assert!(warnings(&city, "case=WH-CY&rule=hd_hook").await.is_empty());

        // The worker's first attempt gets a 500 and schedules a retry in 10 s.
        let items =
            wait_for_deliveries(&city, "hd_hook", |d| d.len() == 1 && d[0]["attempts"] == 1).await;
        assert_eq!(items[0]["status"], "pending", "{label}: {items:#?}");
        assert_eq!(items[0]["last_status"], 500);
        assert_eq!(items[0]["warning_id"], warning["id"]);
        assert!(items[0]["delivered_at"].is_null());
        // Bring the retry forward instead of waiting.
        app.state
            .store
            .execute_admin(
                "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'pending'",
            )
            .await
            .unwrap();
        let items = wait_for_deliveries(&city, "hd_hook", |d| d[0]["status"] != "pending").await;
        assert_eq!(items[0]["status"], "delivered", "{label}: {items:#?}");
        assert_eq!(items[0]["attempts"], 2);
        assert_eq!(items[0]["last_status"], 200);
        assert!(items[0]["last_error"].is_null(), "{items:#?}");
        assert!(items[0]["delivered_at"].is_string());

        // Nothing further is sent for a delivered warning.
        let sent = govpulse_server::monitoring::webhooks::deliver_due(&app.state)
            .await
            .unwrap();
        assert_eq!(sent, 0);
        let requests = seen.lock().unwrap().clone();
        assert_eq!(requests.len(), 2, "{label}: one failure, one success");
        let delivery_id = items[0]["id"].to_string();
        for (headers, body) in &requests {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(body.as_bytes());
            let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
            assert_eq!(
                expected,
                govpulse_server::monitoring::webhooks::signature(SECRET, body)
            );
            assert_eq!(
                headers["x-govpulse-signature"].to_str().unwrap(),
                expected,
                "{label}: signed with the rule's secret"
            );
            assert_eq!(
                headers["x-govpulse-delivery"].to_str().unwrap(),
                delivery_id
            );
            assert_eq!(headers["content-type"], "application/json");
            let payload: Value = serde_json::from_str(body).unwrap();
            assert_eq!(payload["warning_id"], warning["id"]);
            assert_eq!(payload["case_code"], "WH-1");
            assert_eq!(payload["rule_code"], "hd_hook");
            assert_eq!(payload["level"], "yellow");
            assert_eq!(payload["region_code"], "110108");
            assert_eq!(payload["title"], "【黄灯】海淀受理推送");
        }
        assert_eq!(requests[0].1, requests[1].1, "the retry repeats the body");
        // An endpoint that never answers: retried, then failed for good.
        let dead = json!({
            "code": "hd_dead_hook", "name": "海淀失效推送", "stage": "acceptance", "type": "custom",
            "condition": {"all": [{"field": "item", "op": "eq", "value": HAIDIAN.item}]},
            "levels": [{"key": "yellow", "name": "黄灯", "colour": "#E6A23C", "handling_hours": 24,
                        "template": "{{办件编号}}", "condition": {"all": []}}],
            "webhook": {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
        });
        let (status, body) = city.post("/api/v1/warning-rules", dead).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        settle(&app).await;
        let items = wait_for_deliveries(&city, "hd_dead_hook", |d| {
            d.len() == 1 && d[0]["attempts"] == 1
        })
        .await;
        assert_eq!(items[0]["status"], "pending", "{label}: {items:#?}");
        assert!(items[0]["last_status"].is_null());
        // A category, not the transport's error text (no port scanning).
        assert_eq!(items[0]["last_error"], "连接失败", "{items:#?}");
        // Four retries later (10 s, 1 min, 5 min, 30 min) comes the last one (2 h).
        app.state
            .store
            .execute_admin(
                "UPDATE webhook_deliveries SET attempts = 5, next_attempt_at = 0 \
                 WHERE rule_code = 'hd_dead_hook'",
            )
            .await
            .unwrap();
        let items =
            wait_for_deliveries(&city, "hd_dead_hook", |d| d[0]["status"] != "pending").await;
        assert_eq!(items[0]["status"], "failed", "{label}: {items:#?}");
        assert_eq!(items[0]["attempts"], 6);
        assert!(items[0]["delivered_at"].is_null());
        assert_eq!(
            webhook_deliveries(&city, "hd_hook").await.len(),
            1,
            "logs are per rule"
        );
        // The delivery log is for rule writers only.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (status, _) = chaoyang
            .get("/api/v1/warning-rules/hd_hook/deliveries")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn destinations_must_pass_the_security_admins_allowlist() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let (url, seen) = webhook_receiver(1).await;
        let port = url
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let rule = |code: &str, url: &str| {
            json!({
                "code": code, "name": "海淀受理推送", "stage": "acceptance", "type": "custom",
                "condition": {"all": [{"field": "item", "op": "eq", "value": HAIDIAN.item}]},
                "levels": [{"key": "yellow", "name": "黄灯", "colour": "#E6A23C", "handling_hours": 24,
                            "template": "{{办件编号}}", "condition": {"all": []}}],
                "webhook": {"url": url, "secret": SECRET}
            })
        };
        // Nothing is listed by default: an internal address is refused on save.
        let (status, body) = city
            .post("/api/v1/warning-rules", rule("to_loopback", &url))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        assert_eq!(body["code"], "rule.invalid");
        assert!(body["details"]["webhook.url"].is_string(), "{body}");
        assert_eq!(
            city.get("/api/v1/warning-rules/to_loopback").await.0,
            StatusCode::NOT_FOUND
        );
        // The allowlist is the security admin's, and checked entry by entry.
        let security = app.login("secadmin", "Sec@123456").await;
        let (_, mut policy) = security.get("/api/v1/security/policy").await;
        policy["webhook_allowlist"] = json!(["hooks.example.gov.cn", "http://bad/"]);
        let (status, body) = security
            .put("/api/v1/security/policy", policy.clone())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["details"]["fields"]["webhook_allowlist"]
            .as_str()
            .unwrap()
            .contains("http://bad/"));
        policy["webhook_allowlist"] = json!(["127.0.0.1"]);
        let (status, _) = city.put("/api/v1/security/policy", policy).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A listed name that resolves to loopback: saved, but never sent to.
        allow_webhooks_to(&app, &["localhost"]).await;
        let by_name = format!("http://localhost:{port}/hook");
        let (status, saved) = city
            .post("/api/v1/warning-rules", rule("by_name", &by_name))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {saved}");
        // The saver's scope travels with the webhook, whatever a client sends.
        assert_eq!(saved["webhook"]["scope"]["kind"], "city", "{saved}");
        open_case(&city, "WH-NAME", HAIDIAN, now() - 3_600_000).await;
        settle(&app).await;
        let items =
            wait_for_deliveries(&city, "by_name", |d| d.len() == 1 && d[0]["attempts"] == 1).await;
        assert!(
            items[0]["last_error"]
                .as_str()
                .unwrap()
                .contains("内部地址"),
            "{label}: {items:#?}"
        );
        assert!(
            seen.lock().unwrap().is_empty(),
            "{label}: nothing reached the receiver"
        );
        app.cleanup().await;
    }
}
