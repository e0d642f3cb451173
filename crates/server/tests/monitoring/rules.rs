//! Warning rules (MON-2/3/4): validation with a path per problem, custom rules
//! raising warnings, versions, built-in models that cannot be deleted, deleted
//! rules closing their warnings, and write-only webhook secrets.

use crate::common::monitoring::*;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const SECRET: &str = "hook-secret-6f1d";

/// A custom acceptance-stage rule: every case inside 朝阳区 gets a blue light.
fn watch_rule() -> Value {
    json!({
        "code": "cy_accept_watch", "name": "朝阳受理关注", "stage": "acceptance", "type": "custom",
        "description": "朝阳区办件受理关注", "enabled": true,
        "condition": {"all": [{"field": "region", "op": "within", "value": "110105"}]},
        "levels": [{
            "key": "blue", "name": "蓝灯", "colour": "#409EFF", "handling_hours": 72,
            "template": "{{区划}}“{{事项名称}}”（{{办件编号}}）{{环节}}环节关注",
            "condition": {"all": []}
        }],
        "webhook": {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
    })
}

#[tokio::test]
async fn invalid_rules_are_refused_with_the_path_of_each_problem() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        allow_webhooks_to(&app, &["127.0.0.1"]).await;
        let mut rule = watch_rule();
        rule["levels"][0]["condition"] =
            json!({"field": "used_percent", "op": "ge", "value": "八十"});
        let (status, body) = city.post("/api/v1/warning-rules", rule).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
        assert_eq!(body["code"], "rule.invalid");
        assert!(
            body["details"]["levels[0].condition.value"].is_string(),
            "{label}: {body}"
        );

        let mut rule = watch_rule();
        rule["code"] = json!("Bad Code");
        rule["levels"][0]["colour"] = json!("blue");
        rule["levels"][0]["template"] = json!("{{不存在}}");
        rule["levels"][0]["condition"] = json!({"all": [
            {"field": "case_type", "op": "eq", "value": "promised"},
            {"field": "used_percent", "op": "within", "value": 80}
        ]});
        let (status, body) = city.post("/api/v1/warning-rules", rule).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let details = body["details"].as_object().unwrap();
        for path in [
            "code",
            "levels[0].colour",
            "levels[0].template",
            "levels[0].condition.all[1].op",
        ] {
            assert!(details.contains_key(path), "{label}: {path} in {body}");
        }
        let mut rule = watch_rule();
        rule["colour"] = json!("#000000");
        let (status, body) = city.post("/api/v1/warning-rules", rule).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "rule.invalid", "unknown keys: {body}");
        // District operators may not write rules at all.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (status, _) = chaoyang.post("/api/v1/warning-rules", watch_rule()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let list = get_ok(&city, "/api/v1/warning-rules").await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["code"] != "cy_accept_watch"),
            "nothing stored"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn custom_rules_raise_warnings_keep_versions_and_close_them_when_deleted() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        allow_webhooks_to(&app, &["127.0.0.1"]).await;
        let accepted = now() - 3_600_000;
        open_case(&city, "RU-CY", CHAOYANG, accepted).await;
        open_case(&city, "RU-HD", HAIDIAN, accepted).await;
        settle(&app).await;

        let (status, created) = city.post("/api/v1/warning-rules", watch_rule()).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {created}");
        assert_eq!(created["version"], 1);
        assert_eq!(created["builtin"], false);
        assert_eq!(created["webhook"]["secret"], "******", "{created}");
        assert!(!created.to_string().contains(SECRET));
        settle(&app).await;
        let raised = warnings(&city, "rule=cy_accept_watch").await;
        assert_eq!(raised.len(), 1, "{label}: only the 朝阳 case: {raised:#?}");
        assert_eq!(raised[0]["case_code"], "RU-CY");
        assert_eq!(raised[0]["level"], "blue");
        assert_eq!(raised[0]["colour"], "#409EFF");
        assert_eq!(raised[0]["stage"], "acceptance");
        let id = raised[0]["id"].as_i64().unwrap();

        // A new version; the old one stays readable.
        let mut changed = get_ok(&city, "/api/v1/warning-rules/cy_accept_watch").await;
        assert_eq!(changed["webhook"]["secret"], "******");
        changed["name"] = json!("朝阳受理关注（修订）");
        changed["levels"][0]["handling_hours"] = json!(24);
        let (status, updated) = city
            .put("/api/v1/warning-rules/cy_accept_watch", changed)
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {updated}");
        assert_eq!(updated["version"], 2);
        assert_eq!(updated["name"], "朝阳受理关注（修订）");
        let detail = get_ok(&city, "/api/v1/warning-rules/cy_accept_watch").await;
        assert_eq!(detail["version"], 2);
        let versions = detail["versions"].as_array().unwrap();
        assert_eq!(versions.len(), 2, "{detail}");
        assert_eq!(versions[0]["created_by"], "city");
        let first = get_ok(&city, "/api/v1/warning-rules/cy_accept_watch/versions/1").await;
        assert_eq!(first["version"], 1);
        assert_eq!(first["name"], "朝阳受理关注");
        assert_eq!(first["levels"][0]["handling_hours"], 72);
        assert_eq!(first["webhook"]["secret"], "******");
        let second = get_ok(&city, "/api/v1/warning-rules/cy_accept_watch/versions/2").await;
        assert_eq!(second["name"], "朝阳受理关注（修订）");
        let (status, _) = city
            .get("/api/v1/warning-rules/cy_accept_watch/versions/3")
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = city
            .put("/api/v1/warning-rules/cy_accept_watch", {
                let mut other = watch_rule();
                other["code"] = json!("renamed");
                other
            })
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "code is fixed: {body}");
        let listed = get_ok(&city, "/api/v1/warning-rules?q=朝阳").await;
        assert_eq!(listed["total"], 1, "{listed}");
        assert_eq!(listed["items"][0]["name"], "朝阳受理关注（修订）");
        assert_eq!(listed["items"][0]["open"], 1);
        assert_eq!(listed["items"][0]["levels"][0]["key"], "blue");
        settle(&app).await;
        assert_eq!(
            warnings(&city, "rule=cy_accept_watch").await.len(),
            1,
            "{label}"
        );

        // Built-in models cannot be deleted; custom ones can, closing their warnings.
        let (status, body) = city.delete("/api/v1/warning-rules/approval_overdue").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "rule.builtin");
        let (status, body) = city.delete("/api/v1/warning-rules/cy_accept_watch").await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{label}: {body}");
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["status"], "closed", "{label}: {detail}");
        assert_eq!(detail["close_reason"], "规则已删除");
        let (status, _) = city.get("/api/v1/warning-rules/cy_accept_watch").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        settle(&app).await;
        assert_eq!(
            warning_detail(&city, id).await["status"],
            "closed",
            "re-evaluation leaves it closed"
        );
        assert_eq!(
            actions(&warning_detail(&city, id).await),
            ["raised", "closed"]
        );
        let (status, body) = city.post("/api/v1/warning-rules", watch_rule()).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a deleted code stays taken: {body}"
        );

        // The secret never shows up in clear, not even in the audit trail.
        let auditor = app.login("auditor", "Audit@12345").await;
        let log = get_ok(&auditor, "/api/v1/audit?action=warning_rule.&size=500").await;
        assert!(log["total"].as_i64().unwrap() >= 3, "{log}");
        assert!(
            !log.to_string().contains(SECRET),
            "{label}: secret in audit log"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn disabling_a_model_closes_its_warnings_and_enabling_it_reopens_them() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        allow_webhooks_to(&app, &["127.0.0.1"]).await;
        open_case(&city, "RU-OLD", CHAOYANG, ms(OLD)).await;
        settle(&app).await;
        let id = only_warning(&city, "RU-OLD", "approval_overdue").await["id"]
            .as_i64()
            .unwrap();
        // Preview a message against the real case.
        let (status, preview) = city
            .post(
                "/api/v1/warning-rules/preview",
                json!({"rule": watch_rule(), "level": "blue", "case_code": "RU-OLD"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {preview}");
        assert_eq!(preview["title"], "【蓝灯】朝阳受理关注");
        assert_eq!(
            preview["body"],
            format!("朝阳区“测试事项{}”（RU-OLD）受理环节关注", CHAOYANG.item)
        );
        let (status, _) = city
            .post(
                "/api/v1/warning-rules/preview",
                json!({"rule": watch_rule(), "case_code": "NO-SUCH-CASE"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let mut model = get_ok(&city, "/api/v1/warning-rules/approval_overdue").await;
        model["enabled"] = json!(false);
        let (status, body) = city
            .put("/api/v1/warning-rules/approval_overdue", model.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["builtin"], true);
        settle(&app).await;
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["status"], "closed", "{label}: {detail}");
        assert_eq!(detail["close_reason"], "规则已停用");
        let disabled = get_ok(&city, "/api/v1/warning-rules?enabled=false").await;
        assert!(
            disabled["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["code"] == "approval_overdue"),
            "{disabled}"
        );

        model["enabled"] = json!(true);
        let (status, body) = city
            .put("/api/v1/warning-rules/approval_overdue", model)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["version"], 3);
        settle(&app).await;
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["status"], "open", "{label}: {detail}");
        assert_eq!(detail["level"], "red");
        assert_eq!(
            actions(&detail),
            ["raised", "closed", "reopened"],
            "{label}"
        );
        assert_eq!(
            warnings(&city, "case=RU-OLD&rule=approval_overdue")
                .await
                .len(),
            1
        );
        app.cleanup().await;
    }
}
