//! The inbox (MON-6): who is told about a warning, the unread badge and the
//! red pop-up, read marks, and subscriptions.

use crate::common::monitoring::*;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn red_warnings_reach_the_city_and_their_own_district_only() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let haidian = app.login("haidian", "Haidian@123").await;
        let dept = app.login("dept", "Dept@123456").await;
        open_case(&city, "MS-CY", CHAOYANG, ms(OLD)).await;
        open_case(&city, "MS-HD", HAIDIAN, ms(OLD)).await;
        let fresh = now() - 3_600_000;
        open_case(&city, "MS-NEW", CHAOYANG, fresh).await;
        settle(&app).await;
        let cy = only_warning(&city, "MS-CY", "approval_overdue").await;
        let hd = only_warning(&city, "MS-HD", "approval_overdue").await;
        assert_eq!(
            (cy["level"].as_str(), hd["level"].as_str()),
            (Some("red"), Some("red"))
        );

        let told = rule_messages(&city, "approval_overdue").await;
        assert_eq!(
            told.len(),
            2,
            "{label}: the city hears of every red: {told:#?}"
        );
        let told = rule_messages(&chaoyang, "approval_overdue").await;
        assert_eq!(told.len(), 1, "{label}: {told:#?}");
        let message = &told[0];
        assert_eq!(message["warning_id"], cy["id"]);
        assert_eq!(message["case_code"], "MS-CY");
        assert_eq!(message["level"], "red");
        assert_eq!(message["colour"], "#F56C6C");
        assert_eq!(message["title"], "【红灯】审批超期预警");
        let body = message["body"].as_str().unwrap();
        assert!(body.contains("MS-CY") && body.contains("朝阳区"), "{body}");
        assert!(message["read_at"].is_null());
        let all = messages(&chaoyang, "").await;
        assert!(
            all["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["case_code"] != "MS-HD"),
            "{label}: 朝阳 told of 海淀: {all}"
        );
        let told = rule_messages(&haidian, "approval_overdue").await;
        assert_eq!(told.len(), 1, "{label}: {told:#?}");
        assert_eq!(told[0]["case_code"], "MS-HD");
        let all = messages(&haidian, "").await;
        assert!(all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["case_code"] == "MS-HD"));
        assert_eq!(
            messages(&dept, "").await["total"],
            0,
            "other departments' cases"
        );

        // The badge counts the unread; the pop-up shows the newest unread reds.
        let unread = messages(&city, "unread=true").await;
        let summary = get_ok(&city, "/api/v1/messages/summary").await;
        assert_eq!(summary["unread"], unread["total"], "{label}: {summary}");
        assert_eq!(unread["unread"], unread["total"]);
        let red = summary["red_unread"].as_array().unwrap();
        assert!(red.len() <= 5);
        for warning in [&cy, &hd] {
            assert!(
                red.iter().any(|m| m["warning_id"] == warning["id"]),
                "{label}: {summary}"
            );
        }
        let first = red[0]["id"].as_i64().unwrap();
        let (status, body) = city
            .post("/api/v1/messages/read", json!({"ids": [first]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated"], 1);
        let after = get_ok(&city, "/api/v1/messages/summary").await;
        assert_eq!(
            after["unread"].as_i64(),
            summary["unread"].as_i64().map(|n| n - 1)
        );
        let (status, body) = city
            .post("/api/v1/messages/read", json!({"all": true}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated"].as_i64(), after["unread"].as_i64());
        let summary = get_ok(&city, "/api/v1/messages/summary").await;
        assert_eq!(summary["unread"], 0, "{label}: {summary}");
        assert!(summary["red_unread"].as_array().unwrap().is_empty());
        assert_eq!(messages(&city, "unread=true").await["total"], 0);
        assert_eq!(
            messages(&city, "").await["total"],
            unread["total"],
            "read, not gone"
        );
        let (status, _) = city.post("/api/v1/messages/read", json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // A new red light (the fresh case past its deadline) pops up again.
        let (due, _) = deadline(&city, &at(fresh), BUDGET).await;
        let stats = app
            .state
            .monitor
            .run_due(&app.state.store, ms(&due) + 1000)
            .await
            .unwrap();
        assert_eq!(stats.raised, 1, "{label}: {stats:?}");
        let summary = get_ok(&city, "/api/v1/messages/summary").await;
        assert_eq!(summary["unread"], 1, "{label}: {summary}");
        let red = summary["red_unread"].as_array().unwrap();
        assert_eq!(red.len(), 1);
        assert_eq!(red[0]["title"], "【红灯】审批超期预警");
        assert!(red[0]["body"].as_str().unwrap().contains("MS-NEW"));
        assert_eq!(
            rule_messages(&haidian, "approval_overdue").await.len(),
            1,
            "not 海淀's"
        );

        // Marks are per user; opening a warning marks its messages read.
        let cy_id = cy["id"].as_i64().unwrap();
        let mine = |list: Vec<serde_json::Value>| {
            list.into_iter().find(|m| m["warning_id"] == cy_id).unwrap()
        };
        assert!(mine(rule_messages(&chaoyang, "approval_overdue").await)["read_at"].is_null());
        warning_detail(&chaoyang, cy_id).await;
        let opened = mine(rule_messages(&chaoyang, "approval_overdue").await);
        assert!(opened["read_at"].is_string(), "{label}: {opened}");
        let other = rule_messages(&haidian, "approval_overdue").await;
        assert!(other[0]["read_at"].is_null());
        app.cleanup().await;
    }
}

#[tokio::test]
async fn subscriptions_round_trip_and_bring_the_city_yellow_warnings() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        assert_eq!(get_ok(&city, "/api/v1/me/subscriptions").await, json!([]));
        let wanted = json!([
            {"rule_code": "approval_overdue", "region_code": "110105", "level": "yellow"},
            {"rule_code": null, "region_code": null, "level": "red"}
        ]);
        let (status, saved) = city.put("/api/v1/me/subscriptions", wanted).await;
        assert_eq!(status, StatusCode::OK, "{label}: {saved}");
        let read = get_ok(&city, "/api/v1/me/subscriptions").await;
        assert_eq!(read, saved);
        let rows = read.as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r["id"].is_i64()), "{read}");
        assert_eq!(
            (
                rows[0]["rule_code"].clone(),
                rows[0]["region_code"].clone(),
                rows[0]["level"].clone()
            ),
            (json!("approval_overdue"), json!("110105"), json!("yellow"))
        );
        assert!(rows[1]["rule_code"].is_null() && rows[1]["region_code"].is_null());
        let (status, _) = city
            .put(
                "/api/v1/me/subscriptions",
                json!([{"level": "x".repeat(41)}]),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            get_ok(&city, "/api/v1/me/subscriptions").await,
            saved,
            "kept"
        );
        // Another user's subscriptions are their own.
        assert_eq!(
            get_ok(&chaoyang, "/api/v1/me/subscriptions").await,
            json!([])
        );

        // Yellow today in 朝阳 and in 海淀 (accepted 8 working days ago).
        let accepted = ten_o_clock(working_days_ago(&app, 8));
        open_case(&city, "SUB-CY", CHAOYANG, accepted).await;
        open_case(&city, "SUB-HD", HAIDIAN, accepted).await;
        settle(&app).await;
        let cy = only_warning(&city, "SUB-CY", "approval_overdue").await;
        let hd = only_warning(&city, "SUB-HD", "approval_overdue").await;
        assert_eq!(
            (cy["level"].as_str(), hd["level"].as_str()),
            (Some("yellow"), Some("yellow")),
            "{label}"
        );
        let inbox = rule_messages(&city, "approval_overdue").await;
        assert_eq!(
            inbox.len(),
            1,
            "{label}: subscribed to 朝阳's yellow only: {inbox:#?}"
        );
        assert_eq!(inbox[0]["case_code"], "SUB-CY");
        assert_eq!(inbox[0]["level"], "yellow");
        assert_eq!(inbox[0]["warning_id"], cy["id"]);
        let yellow = messages(&city, "level=yellow").await;
        assert_eq!(yellow["total"], 1, "{label}: {yellow}");
        let told = rule_messages(&chaoyang, "approval_overdue").await;
        assert_eq!(told.len(), 1, "district told by default");

        // Unsubscribed, the next yellow passes the city by.
        let (status, _) = city.put("/api/v1/me/subscriptions", json!([])).await;
        assert_eq!(status, StatusCode::OK);
        open_case(&city, "SUB-CY2", CHAOYANG, accepted).await;
        settle(&app).await;
        assert_eq!(
            only_warning(&city, "SUB-CY2", "approval_overdue").await["level"],
            "yellow"
        );
        assert_eq!(
            rule_messages(&city, "approval_overdue").await.len(),
            1,
            "{label}"
        );
        assert_eq!(messages(&city, "level=yellow").await["total"], 1);
        assert_eq!(rule_messages(&chaoyang, "approval_overdue").await.len(), 2);
        app.cleanup().await;
    }
}
