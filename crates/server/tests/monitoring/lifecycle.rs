//! A warning's life: raised at the threshold instant, escalated past the
//! deadline, closed when the case is done; closed while the clock is suspended
//! and reopened when it runs again.

use crate::common::monitoring::*;
use crate::common::TestApp;
use serde_json::Value;

#[tokio::test]
async fn approval_clock_goes_yellow_then_red_and_closes_when_the_case_is_done() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let store = &app.state.store;
        let monitor = &app.state.monitor;

        // Accepted an hour ago: nothing is due today, so the scheduler (real
        // time) finds nothing and files the case under its next threshold.
        let accepted = now() - 3_600_000;
        open_case(&city, "LC-1", CHAOYANG, accepted).await;
        settle(&app).await;
        assert!(warnings(&city, "case=LC-1").await.is_empty(), "{label}");
        let (due, days) = deadline(&city, &at(accepted), BUDGET).await;
        assert_eq!(days.len(), 10);
        // 80 % of 10 working days: the warning appears when day 8 begins.
        let yellow_at = start_of_day(days[7]);
        let stats = monitor.run_due(store, yellow_at - 1000).await.unwrap();
        assert_eq!(stats.subjects, 0, "{label}: not due before day 8");
        let stats = monitor.run_due(store, yellow_at).await.unwrap();
        assert_eq!((stats.subjects, stats.raised), (1, 1), "{label}: {stats:?}");

        let warning = only_warning(&city, "LC-1", "approval_overdue").await;
        assert_eq!(warning["case_code"], "LC-1");
        assert_eq!(warning["level"], "yellow", "{label}: {warning}");
        assert_eq!(warning["status"], "open");
        assert_eq!(warning["stage"], "approval");
        assert_eq!(warning["raised_at"], at(yellow_at));
        assert_eq!(warning["region_code"], "110105");
        assert_eq!(
            warnings(&city, "case=LC-1").await.len(),
            1,
            "no other rule fired"
        );
        let id = warning["id"].as_i64().unwrap();
        // A yellow light tells the district, not the city.
        let inbox = messages(&chaoyang, "").await;
        assert_eq!(inbox["total"], 1, "{label}: {inbox}");
        assert_eq!(inbox["items"][0]["warning_id"], id);
        assert_eq!(inbox["items"][0]["level"], "yellow");
        assert_eq!(inbox["items"][0]["title"], "【黄灯】审批超期预警");
        assert_eq!(messages(&city, "").await["total"], 0, "{label}");

        // Still yellow at the last second of day 10; red one second later.
        let last_second = ms(&due);
        let stats = monitor.run_due(store, last_second).await.unwrap();
        assert_eq!(
            (stats.raised, stats.escalated),
            (0, 0),
            "{label}: {stats:?}"
        );
        let stats = monitor.run_due(store, last_second + 1000).await.unwrap();
        assert_eq!(
            (stats.raised, stats.escalated),
            (0, 1),
            "{label}: {stats:?}"
        );
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["id"], id, "same warning");
        assert_eq!(detail["level"], "red", "{label}: {detail}");
        assert_eq!(detail["status"], "open");
        assert_eq!(actions(&detail), ["raised", "escalated"], "{label}");
        let levels: Vec<&Value> = detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| &h["level"])
            .collect();
        assert_eq!(levels, ["yellow", "red"]);
        let red = messages(&city, "level=red").await;
        assert_eq!(red["total"], 1, "{label}: red reaches the city: {red}");
        assert_eq!(red["items"][0]["title"], "【红灯】审批超期预警");
        assert_eq!(messages(&chaoyang, "").await["total"], 2);

        // The case detail shows the clocks (at real now) and the warning.
        let case = get_ok(&city, "/api/v1/cases/LC-1").await;
        let clock = approval_clock(&case);
        let today = govpulse_core::monitoring::calendar::local_date(now());
        let elapsed = days.iter().filter(|d| **d <= today).count() as i64;
        assert_eq!(clock["budget"], 10);
        assert_eq!(clock["unit"], "working");
        assert_eq!(clock["started_at"], at(accepted));
        assert_eq!(clock["deadline"], due);
        assert!(due.ends_with("T23:59:59+08:00"), "{due}");
        assert_eq!(clock["remaining"], BUDGET - elapsed, "{clock}");
        assert_eq!(clock["used_share"].as_f64(), Some(elapsed as f64 / 10.0));
        assert_eq!(clock["suspended_days"], 0);
        assert_eq!(clock["status"], "running");
        assert_eq!(case["warnings"].as_array().unwrap().len(), 1, "{case}");
        assert_eq!(case["warnings"][0]["id"], id);
        assert_eq!(case["warnings"][0]["level"], "red");

        // Done: the warning closes as 已办结.
        events(&city, &[("LC-1", 3, "completed", now())]).await;
        settle(&app).await;
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["status"], "closed", "{label}: {detail}");
        assert_eq!(detail["close_reason"], "已办结");
        let mut seen = actions(&detail);
        // The close happened at real now, before the hand-driven future instants.
        seen.sort();
        assert_eq!(seen, ["closed", "escalated", "raised"], "{label}");
        let case = get_ok(&city, "/api/v1/cases/LC-1").await;
        let clock = approval_clock(&case);
        assert_eq!(clock["status"], "completed", "{clock}");
        assert_eq!(warnings(&city, "case=LC-1").await.len(), 1, "still one row");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_supplement_suspends_the_clock_and_its_end_reopens_the_same_warning() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        // Accepted 8 working days ago: 80 % used today, deadline still ahead.
        let accepted = ten_o_clock(working_days_ago(&app, 8));
        open_case(&city, "SP-1", CHAOYANG, accepted).await;
        settle(&app).await;
        let warning = only_warning(&city, "SP-1", "approval_overdue").await;
        assert_eq!(
            (warning["level"].as_str(), warning["status"].as_str()),
            (Some("yellow"), Some("open")),
            "{label}: {warning}"
        );
        let id = warning["id"].as_i64().unwrap();

        events(&city, &[("SP-1", 3, "supplement_start", now())]).await;
        settle(&app).await;
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["status"], "closed", "{label}: {detail}");
        let reason = detail["close_reason"].as_str().unwrap_or_default();
        assert!(reason.contains("暂停计时"), "{label}: {reason}");
        let case = get_ok(&city, "/api/v1/cases/SP-1").await;
        let clock = approval_clock(&case);
        assert_eq!(clock["status"], "suspended", "{clock}");
        assert_eq!(clock["suspensions"].as_array().unwrap().len(), 1);
        assert!(clock["suspensions"][0]["end"].is_null());

        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        events(&city, &[("SP-1", 4, "supplement_end", now())]).await;
        settle(&app).await;
        let detail = warning_detail(&city, id).await;
        assert_eq!(detail["id"], id, "the same warning comes back");
        assert_eq!(detail["status"], "open", "{label}: {detail}");
        assert_eq!(detail["level"], "yellow");
        assert!(detail["close_reason"].is_null(), "{detail}");
        assert_eq!(
            actions(&detail),
            ["raised", "closed", "reopened"],
            "{label}"
        );
        let rows = warnings(&city, "case=SP-1&rule=approval_overdue").await;
        assert_eq!(rows.len(), 1);
        let case = get_ok(&city, "/api/v1/cases/SP-1").await;
        let clock = approval_clock(&case);
        assert_eq!(clock["status"], "running", "{clock}");
        assert!(clock["suspensions"][0]["end"].is_string(), "{clock}");
        assert_eq!(clock["suspended_days"], 0, "same-day suspension");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn events_arriving_out_of_order_give_the_same_clocks_and_warnings() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        // Accepted 12 working days ago with a three-working-day supplement:
        // 9 of 10 days used, a yellow warning, deadline still ahead.
        let accepted = ten_o_clock(working_days_ago(&app, 12));
        let paused = ten_o_clock(working_days_ago(&app, 10));
        let resumed = ten_o_clock(working_days_ago(&app, 7));
        for code in ["OO-IN", "OO-REV"] {
            open_case(&city, code, CHAOYANG, accepted).await;
        }
        events(
            &city,
            &[
                ("OO-IN", 3, "supplement_start", paused),
                ("OO-IN", 4, "supplement_end", resumed),
            ],
        )
        .await;
        // The end of the supplement arrives first, in its own batch.
        events(&city, &[("OO-REV", 4, "supplement_end", resumed)]).await;
        events(&city, &[("OO-REV", 3, "supplement_start", paused)]).await;
        settle(&app).await;
        let in_order = approval_clock(&get_ok(&city, "/api/v1/cases/OO-IN").await);
        let reversed = approval_clock(&get_ok(&city, "/api/v1/cases/OO-REV").await);
        for field in [
            "deadline",
            "used_share",
            "remaining",
            "suspended_days",
            "status",
        ] {
            assert_eq!(in_order[field], reversed[field], "{label}: {field}");
        }
        assert_eq!(in_order["suspended_days"], 3, "{label}: {in_order}");
        let a = only_warning(&city, "OO-IN", "approval_overdue").await;
        let b = only_warning(&city, "OO-REV", "approval_overdue").await;
        assert_eq!(
            (a["level"].clone(), a["status"].clone()),
            (b["level"].clone(), b["status"].clone()),
            "{label}"
        );
        assert_eq!(a["level"], "yellow", "{label}: {a}");
        app.cleanup().await;
    }
}
