//! Evaluation runs over HTTP on every backend: schemes score test and
//! official runs (scores and ranks worked out by hand below), two runs compare
//! unit by unit, publishing archives a checksummed snapshot once, and a
//! district sees the ranking but only its own trace and problem details.

mod common;

use common::evaluation::*;
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// One indicator, proportional: 100 − `points` × (100 − on-time rate).
fn scheme(points: f64) -> Value {
    json!({"unit_level": "district", "items": [
        {"indicator": "on_time_rate", "weight": 1,
         "rule": {"template": "proportional", "full": 100, "target": 100, "points_per_unit": points}}
    ]})
}

async fn run(client: &Client, scheme: &str, mode: &str) -> i64 {
    let (status, body) = client
        .post(
            "/api/v1/evaluation/runs",
            json!({"scheme": scheme, "period": "2026-03", "mode": mode}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["run_id"].as_i64().unwrap()
}

#[tokio::test]
async fn runs_rank_compare_publish_and_keep_districts_apart() {
    for app in TestApp::all().await {
        let label = app.label();
        world(&app).await;
        let evaluator = app.login("evaluator", "Eval@123456").await;
        let (status, created) = evaluator
            .post(
                "/api/v1/scoring-schemes",
                json!({"code": "march", "name": "三月试算", "definition": scheme(1.0)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {created}");
        let first = run(&evaluator, "march", "test").await;
        let results = ok(
            &evaluator,
            &format!("/api/v1/evaluation/runs/{first}/results"),
        )
        .await;
        // 海淀 100 − 1 × 0 = 100 (1st); 朝阳 100 − 1 × 50 = 50 (2nd); the 15
        // districts without completed cases score 0 and share rank 3.
        assert_eq!(
            (
                results[0]["unit_code"].clone(),
                results[0]["score"].clone(),
                results[0]["rank"].clone()
            ),
            (json!("110108"), json!(100.0), json!(1)),
            "{label}"
        );
        let cy = unit(&results, "110105");
        assert_eq!(
            (cy["score"].clone(), cy["rank"].clone()),
            (json!(50.0), json!(2)),
            "{label}"
        );
        assert_eq!(cy["indicators"][0]["code"], "on_time_rate");
        assert_eq!(cy["indicators"][0]["value"], json!(50.0));
        let third: Vec<&Value> = results
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rank"] == 3)
            .collect();
        assert_eq!(third.len(), 15, "{label}");
        // A new version of the scheme: 0.9 points per point short.
        let (status, changed) = evaluator
            .put(
                "/api/v1/scoring-schemes/march",
                json!({"name": "三月试算", "definition": scheme(0.9), "version": 1}),
            )
            .await;
        assert_eq!(
            (status, changed["version"].clone()),
            (StatusCode::OK, json!(2)),
            "{changed}"
        );
        let second = run(&evaluator, "march", "official").await;
        // The run list pages by cursor, newest first, with its total; filters by mode.
        let page = ok(&evaluator, "/api/v1/evaluation/runs?size=1").await;
        assert_eq!(
            (page["items"][0]["run_id"].clone(), page["total"].clone()),
            (json!(second), json!(2)),
            "{label}: {page}"
        );
        let next = page["next"].as_str().expect("a cursor");
        let rest = ok(
            &evaluator,
            &format!("/api/v1/evaluation/runs?size=1&after={next}"),
        )
        .await;
        assert_eq!(rest["items"][0]["run_id"], json!(first), "{label}: {rest}");
        let tests = ok(&evaluator, "/api/v1/evaluation/runs?mode=test").await;
        assert_eq!(
            (
                tests["items"].as_array().map(Vec::len),
                tests["total_exact"].clone()
            ),
            (Some(1), json!(true)),
            "{label}: {tests}"
        );
        let compare = ok(
            &evaluator,
            &format!("/api/v1/evaluation/compare?a={first}&b={second}"),
        )
        .await;
        let cy = unit(&compare, "110105");
        assert_eq!(
            (
                cy["a"]["score"].clone(),
                cy["b"]["score"].clone(),
                cy["score_change"].clone(),
                cy["rank_change"].clone()
            ),
            (json!(50.0), json!(55.0), json!(5.0), json!(0)),
            "{label}: {cy}"
        );
        assert_eq!(unit(&compare, "110108")["changed"], json!([]));
        // The trace shows the input, the rule with its values, the result.
        let trace = ok(
            &evaluator,
            &format!("/api/v1/evaluation/runs/{second}/trace/110105"),
        )
        .await;
        let steps = trace["steps"].as_array().unwrap();
        assert_eq!(steps[0]["values"]["on_time_rate"]["numerator"], json!(1.0));
        assert!(
            steps.iter().any(|s| s["result"] == json!(55.0)
                && s["detail"].as_str().unwrap().contains("按比例扣分")),
            "{trace}"
        );
        // Publishing: not a test run, once, then verifiable.
        let (status, refused) = evaluator
            .post(
                &format!("/api/v1/evaluation/runs/{first}/publish"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, refused["code"].clone()),
            (StatusCode::CONFLICT, json!("evaluation.test_run"))
        );
        let (status, published) = evaluator
            .post(
                &format!("/api/v1/evaluation/runs/{second}/publish"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{published}");
        assert_eq!(published["sha256"].as_str().map(str::len), Some(64));
        let (status, again) = evaluator
            .post(
                &format!("/api/v1/evaluation/runs/{second}/publish"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, again["code"].clone()),
            (StatusCode::CONFLICT, json!("evaluation.already_published"))
        );
        let archive_id = published["archive_id"].as_i64().unwrap();
        // The preset rule: 朝阳's 按时办结率 scored 55 < 60 opens one rectification
        // order (海淀 scored 100; districts without data are not judged).
        let orders = published["rectifications"].as_array().unwrap();
        assert_eq!(orders.len(), 1, "{label}: {published}");
        let order = orders[0].as_str().unwrap();
        let archive = ok(
            &evaluator,
            &format!("/api/v1/evaluation/archives/{archive_id}"),
        )
        .await;
        assert_eq!(
            (
                archive["intact"].clone(),
                archive["sha256"].clone(),
                archive["period"].clone()
            ),
            (json!(true), published["sha256"].clone(), json!("2026-03"))
        );

        // 朝阳 sees the ranking and its own trace and problems, not 海淀's.
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        assert_eq!(
            ok(
                &chaoyang,
                &format!("/api/v1/evaluation/runs/{second}/results")
            )
            .await
            .as_array()
            .map(Vec::len),
            Some(17)
        );
        ok(
            &chaoyang,
            &format!("/api/v1/evaluation/runs/{second}/trace/110105"),
        )
        .await;
        let problems = ok(
            &chaoyang,
            &format!("/api/v1/evaluation/runs/{second}/problems/110105"),
        )
        .await;
        let cases: Vec<&str> = problems
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["case_code"].as_str().unwrap())
            .collect();
        assert_eq!(cases, ["CY-LATE", "CY-OPEN", "DEPT-OPEN"], "{label}");
        for path in [
            format!("/api/v1/evaluation/runs/{second}/trace/110108"),
            format!("/api/v1/evaluation/runs/{second}/problems/110108"),
        ] {
            assert_eq!(
                chaoyang.get(&path).await.0,
                StatusCode::NOT_FOUND,
                "{label}: {path}"
            );
        }
        // 朝阳 reports its rectification, the evaluator verifies it: closed.
        let (_, listed) = chaoyang.get("/api/v1/work-orders?type=rectification").await;
        assert_eq!(listed["items"][0]["code"], order, "{label}: {listed}");
        let (status, reported) = chaoyang
            .post(
                &format!("/api/v1/work-orders/{order}/actions"),
                json!({"action": "report", "comment": "已梳理超期办件并压缩审批环节"}),
            )
            .await;
        assert_eq!(
            (status, reported["state"].clone()),
            (StatusCode::OK, json!("verifying")),
            "{label}: {reported}"
        );
        let (status, _) = chaoyang
            .post(
                &format!("/api/v1/work-orders/{order}/actions"),
                json!({"action": "verify"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{label}: a district cannot verify its own rectification"
        );
        let (status, closed) = evaluator
            .post(
                &format!("/api/v1/work-orders/{order}/actions"),
                json!({"action": "verify"}),
            )
            .await;
        assert_eq!(
            (status, closed["state"].clone()),
            (StatusCode::OK, json!("closed")),
            "{label}: {closed}"
        );
        let (_, hidden) = app
            .login("haidian", "Haidian@123")
            .await
            .get("/api/v1/work-orders?type=rectification")
            .await;
        assert_eq!(
            hidden["total"], 0,
            "{label}: 海淀 does not see 朝阳's order"
        );
        let dept = app.login("dept", "Dept@123456").await;
        assert_eq!(
            dept.get(&format!("/api/v1/evaluation/runs/{second}/trace/110105"))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        for (path, body) in [
            (
                "/api/v1/evaluation/runs",
                json!({"scheme": "march", "period": "2026-03", "mode": "test"}),
            ),
            (
                &*format!("/api/v1/evaluation/runs/{second}/publish"),
                json!({}),
            ),
            (
                "/api/v1/scoring-schemes",
                json!({"code": "x", "name": "x", "definition": scheme(1.0)}),
            ),
        ] {
            assert_eq!(
                chaoyang.post(path, body).await.0,
                StatusCode::FORBIDDEN,
                "{label}: {path}"
            );
        }
        for body in [
            json!({"scheme": "march", "period": "2026-Q5", "mode": "test"}),
            json!({"scheme": "march", "period": "2026-03", "mode": "draft"}),
            json!({"scheme": "nope", "period": "2026-03", "mode": "test"}),
        ] {
            assert_eq!(
                evaluator
                    .post("/api/v1/evaluation/runs", body.clone())
                    .await
                    .0,
                StatusCode::BAD_REQUEST,
                "{label}: {body}"
            );
        }
        let (status, refused) = evaluator.post("/api/v1/scoring-schemes", json!({"code": "bad", "name": "坏公式", "definition": {
            "unit_level": "district", "items": [{"indicator": "on_time_rate", "weight": 1, "rule": {"template": "formula", "expression": "值 +"}}]
        }})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        assert!(
            refused["details"]["fields"]["definition.items[0].rule.expression"].is_string(),
            "{refused}"
        );

        // 朝阳 appeals its 按时办结率 figures (2 of 2 on time); 海淀 cannot appeal for 朝阳.
        let appeal = json!({"run_id": second, "unit_code": "110105", "indicator": "on_time_rate",
            "numerator": 2, "denominator": 2, "reason": "CY-LATE 因申请人补正材料暂停计时，不应计为超期"});
        let haidian = app.login("haidian", "Haidian@123").await;
        assert_eq!(
            haidian
                .post("/api/v1/evaluation/appeals", appeal.clone())
                .await
                .0,
            StatusCode::NOT_FOUND,
            "{label}"
        );
        let (status, filed) = chaoyang.post("/api/v1/evaluation/appeals", appeal).await;
        assert_eq!(status, StatusCode::CREATED, "{label}: {filed}");
        let appeal_code = filed["code"].as_str().unwrap();
        let (status, _) = chaoyang
            .post(
                &format!("/api/v1/work-orders/{appeal_code}/actions"),
                json!({"action": "accept", "comment": "自己受理"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{label}: a unit cannot accept its own appeal"
        );
        let (status, accepted) = evaluator
            .post(
                &format!("/api/v1/work-orders/{appeal_code}/actions"),
                json!({"action": "accept", "comment": "材料属实，予以更正"}),
            )
            .await;
        assert_eq!(
            (status, accepted["state"].clone()),
            (StatusCode::OK, json!("accepted")),
            "{label}: {accepted}"
        );
        // Re-scored as a new result version: 100 − 0.9 × 0 = 100, sharing rank 1 with 海淀.
        let results = ok(
            &evaluator,
            &format!("/api/v1/evaluation/runs/{second}/results"),
        )
        .await;
        let cy = unit(&results, "110105");
        assert_eq!(
            (
                cy["score"].clone(),
                cy["rank"].clone(),
                unit(&results, "110108")["rank"].clone()
            ),
            (json!(100.0), json!(1), json!(1)),
            "{label}"
        );
        let trace = ok(
            &chaoyang,
            &format!("/api/v1/evaluation/runs/{second}/trace/110105"),
        )
        .await;
        assert_eq!(trace["result_version"], 2);
        assert!(
            trace["steps"][1]["step"]
                .as_str()
                .unwrap()
                .starts_with("申诉更正"),
            "{trace}"
        );
        // … while the archive keeps the published snapshot.
        let archive = ok(
            &evaluator,
            &format!("/api/v1/evaluation/archives/{archive_id}"),
        )
        .await;
        assert_eq!(
            (archive["intact"].clone(), archive["sha256"].clone()),
            (json!(true), published["sha256"].clone())
        );

        // A notice to 朝阳 and 海淀: one order each, the state is the read receipt.
        let (status, sent) = evaluator
            .post("/api/v1/evaluation/notices", json!({"unit_level": "district", "units": ["110105", "110108"],
                "title": "2026年3月质效评价结果通报", "content": "请查阅本期评价结果。", "instructions": "按时办结率低于95%的单位请于10个工作日内完成整改。", "contact": "市政务服务局 12345"}))
            .await;
        assert_eq!(
            (status, sent["orders"].as_array().map(Vec::len)),
            (StatusCode::CREATED, Some(2)),
            "{label}: {sent}"
        );
        let (_, mine) = chaoyang.get("/api/v1/work-orders?type=notice").await;
        assert_eq!(mine["total"], 1, "{label}: {mine}");
        let notice = mine["items"][0]["code"].as_str().unwrap().to_string();
        let (status, read) = chaoyang
            .post(
                &format!("/api/v1/work-orders/{notice}/actions"),
                json!({"action": "acknowledge"}),
            )
            .await;
        assert_eq!(
            (status, read["state"].clone()),
            (StatusCode::OK, json!("read")),
            "{label}: {read}"
        );
        let (_, receipts) = evaluator
            .get("/api/v1/work-orders?type=notice&state=read")
            .await;
        assert_eq!(receipts["total"], 1, "{label}");
        let (status, _) = chaoyang
            .post(
                "/api/v1/evaluation/notices",
                json!({"unit_level": "district", "title": "x", "content": "y"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = evaluator.post("/api/v1/evaluation/notices", json!({"unit_level": "district", "units": ["999999"], "title": "x", "content": "y"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Changing a stored snapshot behind the application's back is found.
        app.state.store.execute_admin(&format!(
            "UPDATE evaluation_archives SET snapshot = REPLACE(snapshot, '\"score\":55.0', '\"score\":95.0') WHERE id = {archive_id}"
        )).await.unwrap();
        let archive = ok(
            &evaluator,
            &format!("/api/v1/evaluation/archives/{archive_id}"),
        )
        .await;
        assert_eq!(archive["intact"], json!(false), "{label}");
        app.cleanup().await;
    }
}
