//! Situational guidance over HTTP on every backend: trees from draft to
//! published (refusals: 400 bad tree, 400 coverage with the offending
//! combinations, 403 without the permission, 409 duplicate code), public
//! answering (merge, 400 exclusive naming the options, 404 unpublished,
//! 429 rate limit), answer tokens, the dishonest list and credit check, and
//! tolerance acceptance (201, 409 refused for a listed applicant, 400 not
//! tolerable, 404 outside the scope, overdue warning, completion).

mod common;

use common::aggregation::{case, catalogue, post, CY_ITEM, PERSON, PERSON2};
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A tree over the catalogue's 朝阳 item; `self_materials` is what 本人 brings.
fn tree(self_materials: Value) -> Value {
    json!({
        "code": "T-SHOP", "name": "测试情形", "kind": "item",
        "notices": ["请携带原件"],
        "items": [{"code": CY_ITEM, "name": "测试事项", "promised_days": 5}],
        "materials": [
            {"code": "A", "name": "申请书", "original": true, "item_code": CY_ITEM},
            {"code": "B", "name": "健康证明", "item_code": CY_ITEM, "tolerable": true},
            {"code": "C", "name": "委托书"}
        ],
        "questions": [
            {"code": "who", "title": "谁来办理", "options": [
                {"code": "self", "label": "本人", "effects": {"items": [CY_ITEM], "materials": self_materials}},
                {"code": "agent", "label": "代理人", "effects": {"items": [CY_ITEM], "materials": [{"code": "A", "copies": 2}, {"code": "C"}]}}
            ]},
            {"code": "extra", "title": "附加情形", "multiple": true, "options": [
                {"code": "x", "label": "需要健康证明", "effects": {"materials": [{"code": "B", "original": true}], "notices": ["健康证明须在有效期内"]}},
                {"code": "none", "label": "都没有"}
            ]}
        ],
        "exclusions": [{"options": [{"question": "extra", "option": "x"}, {"question": "extra", "option": "none"}]}]
    })
}

async fn answer(client: &Client, code: &str, answers: Value) -> (StatusCode, Value) {
    client
        .post(
            &format!("/api/v1/public/guidance/{code}/answer"),
            json!({ "answers": answers }),
        )
        .await
}

#[tokio::test]
async fn trees_are_published_only_when_covered_and_answered_in_public() {
    for app in TestApp::all().await {
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let public = app.anonymous();

        // Refusals first: bad references, no permission, anonymous.
        let mut broken = tree(json!([{"code": "Z"}]));
        broken["questions"][1]["depends_on"] = json!({"question": "nowhere", "options": ["x"]});
        let (status, body) = city.post("/api/v1/guidance/trees", broken).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let fields = body["details"]["fields"].as_object().unwrap();
        assert!(
            fields.contains_key("questions[0].options[0].effects.materials[0]"),
            "{body}"
        );
        assert!(
            fields.contains_key("questions[1].depends_on.question"),
            "{body}"
        );
        let (status, _) = chaoyang
            .post("/api/v1/guidance/trees", tree(json!([])))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = public.get("/api/v1/guidance/trees").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // A draft where 本人 brings nothing: "who=self;extra=none" yields no material.
        let (status, created) = city.post("/api/v1/guidance/trees", tree(json!([]))).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(
            (created["status"].as_str(), created["version"].as_i64()),
            (Some("draft"), Some(1))
        );
        let (status, _) = city.post("/api/v1/guidance/trees", tree(json!([]))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = answer(&public, "T-SHOP", json!({"who": "agent", "extra": "none"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a draft is not answerable");
        let (_, index) = public.get("/api/v1/public/guidance").await;
        assert_eq!(
            index["total"], 0,
            "a draft is not in the public index: {index}"
        );
        let (status, refused) = city
            .post("/api/v1/guidance/trees/T-SHOP/publish", json!({}))
            .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("guidance.coverage")),
            "{refused}"
        );
        assert_eq!(refused["details"]["empty"], json!(["who=self;extra=none"]));
        assert_eq!(refused["details"]["combinations"], 4);
        let (_, coverage) = chaoyang.get("/api/v1/guidance/trees/T-SHOP/coverage").await;
        assert_eq!(coverage["passes"], false);

        // Fixed draft: same version (still a draft), then published.
        let (status, saved) = city
            .put(
                "/api/v1/guidance/trees/T-SHOP",
                tree(json!([{"code": "A"}, {"code": "B"}])),
            )
            .await;
        assert_eq!(
            (status, saved["version"].as_i64()),
            (StatusCode::OK, Some(1)),
            "{saved}"
        );
        let (status, published) = city
            .post("/api/v1/guidance/trees/T-SHOP/publish", json!({}))
            .await;
        assert_eq!(
            (status, published["status"].as_str()),
            (StatusCode::OK, Some("published")),
            "{published}"
        );
        let (status, again) = city
            .post("/api/v1/guidance/trees/T-SHOP/publish", json!({}))
            .await;
        assert_eq!(
            (status, again["code"].as_str()),
            (StatusCode::CONFLICT, Some("guidance.nothing_to_publish"))
        );

        let (_, index) = public.get("/api/v1/public/guidance").await;
        assert_eq!(
            index["items"],
            json!([{"code": "T-SHOP", "name": "测试情形", "kind": "item"}])
        );

        // Public answers: merged by material, strictest terms kept.
        let (status, result) =
            answer(&public, "T-SHOP", json!({"who": "agent", "extra": ["x"]})).await;
        assert_eq!(status, StatusCode::OK, "{result}");
        assert_eq!(
            result["materials"],
            json!([
                {"code": "A", "name": "申请书", "copies": 2, "original": true, "required": true, "item_code": CY_ITEM, "tolerable": false},
                {"code": "B", "name": "健康证明", "copies": 1, "original": true, "required": true, "item_code": CY_ITEM, "tolerable": true},
                {"code": "C", "name": "委托书", "copies": 1, "original": false, "required": true, "item_code": null, "tolerable": false}
            ])
        );
        assert_eq!(result["items"][0]["promised_days"], 5);
        assert_eq!(
            result["notices"],
            json!(["请携带原件", "健康证明须在有效期内"])
        );
        let (status, refused) = answer(
            &public,
            "T-SHOP",
            json!({"who": "self", "extra": ["x", "none"]}),
        )
        .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("guidance.exclusive")),
            "{refused}"
        );
        assert_eq!(
            refused["details"]["options"],
            json!(["extra.none", "extra.x"])
        );
        assert!(refused["message"]
            .as_str()
            .unwrap()
            .contains("需要健康证明"));
        let (status, refused) = answer(&public, "T-SHOP", json!({"who": "self"})).await;
        assert_eq!(
            (status, refused["details"]["questions"].clone()),
            (StatusCode::BAD_REQUEST, json!(["extra"]))
        );
        let (status, _) = answer(
            &public,
            "T-SHOP",
            json!({"who": ["self", "agent"], "extra": "none"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // The token verifies (for signed-in systems), a changed one does not.
        let token = result["token"].as_str().unwrap();
        let (status, _) = public
            .post("/api/v1/guidance/tokens/verify", json!({ "token": token }))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (_, verified) = city
            .post("/api/v1/guidance/tokens/verify", json!({ "token": token }))
            .await;
        assert_eq!(
            (
                verified["valid"].as_bool(),
                verified["claims"]["materials"].clone()
            ),
            (Some(true), json!(["A", "B", "C"]))
        );
        let forged = format!("{}x", token);
        let (_, verified) = city
            .post("/api/v1/guidance/tokens/verify", json!({ "token": forged }))
            .await;
        assert_eq!(verified["valid"], false);

        // A new draft does not change what the public answers.
        let (_, draft) = city
            .put(
                "/api/v1/guidance/trees/T-SHOP",
                tree(json!([{"code": "A"}, {"code": "C"}])),
            )
            .await;
        assert_eq!(
            (draft["version"].as_i64(), draft["status"].as_str()),
            (Some(2), Some("changed"))
        );
        let (_, result) = answer(&public, "T-SHOP", json!({"who": "self", "extra": "none"})).await;
        assert_eq!(result["version"], 1);
        assert_eq!(result["materials"].as_array().unwrap().len(), 2, "{result}");
        let (_, list) = chaoyang.get("/api/v1/guidance/trees?status=changed").await;
        assert_eq!(list["total"], 1, "{list}");
        let (_, stats) = chaoyang.get("/api/v1/guidance/stats").await;
        assert_eq!(stats["paths"][0]["answers"], 1, "{stats}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn public_answers_are_rate_limited() {
    for db in govpulse_store::testing::TestDb::all().await {
        let app = TestApp::with(db, |config| config.public_rate_per_minute = 3).await;
        let public = app.anonymous();
        for _ in 0..3 {
            let (status, _) = public.get("/api/v1/public/guidance/NONE").await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
        let (status, body) = answer(&public, "NONE", json!({})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("guidance.rate_limited"))
        );
        app.cleanup().await;
    }
}

async fn tolerance(
    client: &Client,
    case_code: &str,
    missing: Value,
    days: i64,
) -> (StatusCode, Value) {
    client
        .post(
            "/api/v1/tolerance",
            json!({"case_code": case_code, "missing": missing, "commitment_signed_at": "2026-03-06T10:00:00+08:00", "deadline_days": days}),
        )
        .await
}

#[tokio::test]
async fn listed_applicants_are_refused_tolerance_and_others_commit_to_a_deadline() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let haidian = app.login("haidian", "Haidian@123").await;
        catalogue(&admin).await;
        let cases = json!([
            case(
                "C-OK",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON,
                "2026-03-02T09:00:00+08:00"
            ),
            case(
                "C-LISTED",
                CY_ITEM,
                "110105",
                "110105D007",
                PERSON2,
                "2026-03-02T09:00:00+08:00"
            ),
        ]);
        post(&city, "/api/v1/intake/cases", cases).await;
        let (status, _) = city
            .post(
                "/api/v1/guidance/trees",
                tree(json!([{"code": "A"}, {"code": "B"}])),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = city
            .post("/api/v1/guidance/trees/T-SHOP/publish", json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);

        // The dishonest list through intake: new, duplicate, rejected.
        let listing = json!({"applicant_id": PERSON2, "listed_at": "2026-01-05T00:00:00+08:00", "reason": "拒不履行法院判决", "source": "信用中国"});
        let bad = json!({"applicant_id": "110105194912310021", "listed_at": "2026-01-05T00:00:00+08:00", "reason": "x", "source": "y"});
        let report = post(
            &city,
            "/api/v1/intake/dishonest-list",
            json!([listing.clone(), bad]),
        )
        .await;
        assert_eq!(
            (
                report["accepted"].as_u64(),
                report["rejected"][0]["code"].as_str()
            ),
            (Some(1), Some("applicant_id.check_character")),
            "{report}"
        );
        let report = post(&city, "/api/v1/intake/dishonest-list", json!([listing])).await;
        assert_eq!(report["duplicates"], 1);
        let (status, _) = chaoyang
            .post("/api/v1/intake/dishonest-list", json!([]))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // … or as a file (the credit platform's CSV export).
        let csv = "applicant_id,listed_at,reason,source\n91350100M000100Y43,2026-02-01 00:00:00,虚假申报,市场监管\n123,2026-02-01 00:00:00,x,y\n";
        let response = city
            .http
            .post(format!("{}/api/v1/intake/dishonest-list", city.base))
            .header("x-csrf-token", city.csrf.clone().unwrap_or_default())
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let report: Value = response.json().await.unwrap();
        assert_eq!(
            (
                report["accepted"].as_u64(),
                report["rejected"][0]["line"].as_u64()
            ),
            (Some(1), Some(3)),
            "{report}"
        );
        let (_, verdict) = chaoyang
            .post(
                "/api/v1/credit/check",
                json!({"applicant_id": "91350100M000100Y43"}),
            )
            .await;
        assert_eq!(verdict["allowed"], false);

        // Credit check by number or by a case in scope.
        let (_, verdict) = chaoyang
            .post("/api/v1/credit/check", json!({"applicant_id": PERSON2}))
            .await;
        assert_eq!(verdict["allowed"], false);
        assert!(
            verdict["reason"]
                .as_str()
                .unwrap()
                .contains("拒不履行法院判决"),
            "{verdict}"
        );
        let (_, verdict) = chaoyang
            .post("/api/v1/credit/check", json!({"applicant_id": PERSON}))
            .await;
        assert_eq!(
            verdict,
            json!({"allowed": true, "applicant": "110105********002X", "listings": []})
        );
        let (status, _) = haidian
            .post("/api/v1/credit/check", json!({"case_code": "C-LISTED"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another district's case");
        let (status, _) = chaoyang
            .post("/api/v1/credit/check", json!({"applicant_id": "123"}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Tolerance: refused for the listed applicant (even with a tolerable material) …
        let (status, refused) = tolerance(&chaoyang, "C-LISTED", json!(["B"]), 5).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::CONFLICT, Some("tolerance.refused_credit")),
            "{refused}"
        );
        let (status, _) = tolerance(&haidian, "C-OK", json!(["B"]), 5).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, refused) = tolerance(&chaoyang, "C-OK", json!(["A"]), 5).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("tolerance.not_tolerable"))
        );
        let (status, _) = tolerance(&chaoyang, "C-OK", json!(["B"]), 0).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (_, prepared) = chaoyang.get("/api/v1/tolerance/prepare/C-LISTED").await;
        assert_eq!(
            (
                prepared["credit"]["allowed"].as_bool(),
                prepared["tolerable"][0]["code"].as_str()
            ),
            (Some(false), Some("B"))
        );

        // … accepted for the other, due at the end of the 3rd working day after Friday 6 March.
        let (status, accepted) = tolerance(&chaoyang, "C-OK", json!(["B"]), 3).await;
        assert_eq!(status, StatusCode::CREATED, "{accepted}");
        assert_eq!(accepted["due_at"], "2026-03-11T23:59:59+08:00");
        let commitment = accepted["commitment"].as_str().unwrap();
        assert!(
            commitment.contains("C-OK")
                && commitment.contains("健康证明")
                && commitment.contains("3 个工作日"),
            "{commitment}"
        );
        assert!(!commitment.contains(PERSON), "the number is masked");
        let (status, again) = tolerance(&chaoyang, "C-OK", json!(["B"]), 3).await;
        assert_eq!(
            (status, again["code"].as_str()),
            (StatusCode::CONFLICT, Some("tolerance.exists"))
        );
        let id = accepted["id"].as_i64().unwrap();
        let (status, _) = haidian.get(&format!("/api/v1/tolerance/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Past its due time it warns once, in the inbox; completing closes the warning.
        let later = govpulse_core::time::now_ms() + 400 * 86_400_000;
        assert_eq!(
            app.state
                .store
                .sweep_overdue_tolerance(later, 100)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            app.state
                .store
                .sweep_overdue_tolerance(later, 100)
                .await
                .unwrap(),
            0
        );
        let (_, warnings) = chaoyang
            .get("/api/v1/warnings?rule=tolerance_overdue")
            .await;
        assert_eq!(
            (
                warnings["total"].as_i64(),
                warnings["items"][0]["case_code"].as_str()
            ),
            (Some(1), Some("C-OK")),
            "{warnings}"
        );
        let (_, inbox) = chaoyang.get("/api/v1/messages?size=100").await;
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["title"] == "【红灯】容缺材料逾期未补齐：C-OK"),
            "{inbox}"
        );
        let (status, done) = chaoyang
            .post(&format!("/api/v1/tolerance/{id}/complete"), json!({}))
            .await;
        assert_eq!(
            (status, done["status"].as_str()),
            (StatusCode::OK, Some("completed"))
        );
        let (_, warnings) = chaoyang
            .get("/api/v1/warnings?rule=tolerance_overdue&status=closed")
            .await;
        assert_eq!(warnings["total"], 1, "{warnings}");
        let (_, stats) = chaoyang.get("/api/v1/guidance/stats").await;
        assert_eq!(stats["most_missed"][0]["code"], "B");
        assert_eq!(stats["tolerance"]["total"], 1);

        // Every step is in the audit log, the refusal as denied.
        let auditor = app.login("auditor", "Audit@12345").await;
        let (_, log) = auditor.get("/api/v1/audit?action=tolerance.&size=50").await;
        let results: Vec<(String, String)> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["action"].as_str().unwrap().to_string(),
                    r["result"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            results.contains(&("tolerance.create".into(), "denied".into())),
            "{results:?}"
        );
        assert!(
            results.contains(&("tolerance.create".into(), "success".into())),
            "{results:?}"
        );
        assert!(
            results.contains(&("tolerance.complete".into(), "success".into())),
            "{results:?}"
        );
        app.cleanup().await;
    }
}
