//! The working-day calendar (MON-1): bundled holidays and 调休, years edited
//! by administrators, validation, and clocks that follow the calendar.

use crate::common::monitoring::*;
use crate::common::TestApp;
use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn dates(days: &[chrono::NaiveDate]) -> Vec<String> {
    days.iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect()
}

#[tokio::test]
async fn deadlines_skip_national_holidays_and_count_adjusted_weekends() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        // 国庆 2025: 10-01 … 10-08 off, Sunday 09-28 and Saturday 10-11 worked.
        let (due, days) = deadline(&city, "2025-09-26T10:00:00+08:00", 10).await;
        assert_eq!(due, "2025-10-16T23:59:59+08:00", "{label}");
        assert_eq!(
            dates(&days),
            [
                "2025-09-28",
                "2025-09-29",
                "2025-09-30",
                "2025-10-09",
                "2025-10-10",
                "2025-10-11",
                "2025-10-13",
                "2025-10-14",
                "2025-10-15",
                "2025-10-16"
            ]
        );
        // 春节 2026: 02-15 … 02-23 off, Saturday 02-14 worked.
        let (due, days) = deadline(&city, "2026-02-12", 5).await;
        assert_eq!(due, "2026-02-26T23:59:59+08:00", "{label}");
        assert_eq!(
            dates(&days),
            [
                "2026-02-13",
                "2026-02-14",
                "2026-02-24",
                "2026-02-25",
                "2026-02-26"
            ]
        );
        // Natural days ending on a holiday move to the next working day.
        let body = get_ok(
            &city,
            "/api/v1/calendar/deadline?start=2025-09-26&days=7&unit=natural",
        )
        .await;
        assert_eq!(body["deadline"], "2025-10-09T23:59:59+08:00", "{body}");
        let (status, _) = city
            .get("/api/v1/calendar/deadline?start=yesterday&days=3")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // A case accepted then carries the same deadline on its approval clock.
        open_case(&city, "CAL-GQ", CHAOYANG, ms("2025-09-26T10:00:00+08:00")).await;
        let case = get_ok(&city, "/api/v1/cases/CAL-GQ").await;
        let clock = approval_clock(&case);
        assert_eq!(
            clock["deadline"], "2025-10-16T23:59:59+08:00",
            "{label}: {clock}"
        );
        assert_eq!(clock["status"], "overdue");
        assert_eq!(clock["remaining"].as_i64().map(|r| r < 0), Some(true));
        settle(&app).await;
        let warning = only_warning(&city, "CAL-GQ", "approval_overdue").await;
        assert_eq!(warning["level"], "red", "{label}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn administrators_edit_a_year_and_deadlines_follow() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let city = app.login("city", "City@12345").await;
        // 2030-03-11 is a Monday; 2030-03-16 a Saturday. No bundled data for 2030.
        let (_, days) = deadline(&city, "2030-03-11", 4).await;
        assert_eq!(
            dates(&days),
            ["2030-03-12", "2030-03-13", "2030-03-14", "2030-03-15"],
            "{label}"
        );
        let year = json!({"days": [
            {"date": "2030-03-13", "name": "测试假日", "is_off_day": true},
            {"date": "2030-03-16", "name": "测试调休", "is_off_day": false}
        ]});
        let (status, stored) = admin.put("/api/v1/calendar/years/2030", year.clone()).await;
        assert_eq!(status, StatusCode::OK, "{label}: {stored}");
        assert_eq!(stored["source"], "edited");
        assert_eq!(stored["days"].as_array().unwrap().len(), 2);
        let (due, days) = deadline(&city, "2030-03-11", 4).await;
        assert_eq!(
            dates(&days),
            ["2030-03-12", "2030-03-14", "2030-03-15", "2030-03-16"],
            "{label}"
        );
        assert_eq!(due, "2030-03-16T23:59:59+08:00");
        let listed = get_ok(&admin, "/api/v1/calendar/years").await;
        let row = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == 2030)
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(
            (row["holidays"].clone(), row["workdays"].clone()),
            (json!(1), json!(1))
        );

        // Only holders of calendar:write may change it.
        for user in [&city, &app.login("chaoyang", "Chaoyang@123").await] {
            let (status, body) = user
                .put(
                    "/api/v1/calendar/years/2030",
                    json!({"days": [{"date": "2030-03-12", "name": "越权", "is_off_day": true}]}),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {body}");
        }
        // Invalid days are refused and nothing changes.
        for (bad, field) in [
            (
                json!({"date": "2030-02-30", "name": "不存在", "is_off_day": true}),
                "days[0].date",
            ),
            (
                json!({"date": "2031-01-02", "name": "别的年份", "is_off_day": true}),
                "days[0].date",
            ),
            (
                json!({"date": "2030-03-12", "name": "", "is_off_day": true}),
                "days[0].name",
            ),
        ] {
            let (status, body) = admin
                .put("/api/v1/calendar/years/2030", json!({"days": [bad]}))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {body}");
            assert!(body["details"]["fields"][field].is_string(), "{body}");
        }
        let (status, body) = admin
            .put(
                "/api/v1/calendar/years/2030",
                json!({"days": [
                    {"date": "2030-03-12", "name": "重复", "is_off_day": true},
                    {"date": "2030-03-12", "name": "重复", "is_off_day": true}
                ]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "duplicate date: {body}");
        let (status, body) = admin
            .put("/api/v1/calendar/years/1999", json!({"days": []}))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "year out of range: {body}");
        let kept = get_ok(&admin, "/api/v1/calendar/years/2030").await;
        assert_eq!(kept["days"], stored["days"], "{label}: unchanged");
        let (due, _) = deadline(&city, "2030-03-11", 4).await;
        assert_eq!(due, "2030-03-16T23:59:59+08:00", "{label}: unchanged");

        // A holiday-cn file imports a year the same way; like the real files it
        // may carry the previous year's last days, which stay out of this year.
        let file = json!({"year": 2031, "days": [
            {"name": "元旦", "date": "2030-12-30", "isOffDay": true},
            {"name": "元旦", "date": "2031-01-01", "isOffDay": true},
            {"name": "测试调休", "date": "2031-01-04", "isOffDay": false}
        ]});
        let (status, imported) = admin.post("/api/v1/calendar/import", file).await;
        assert_eq!(status, StatusCode::OK, "{label}: {imported}");
        assert_eq!(imported["source"], "imported");
        assert_eq!(imported["days"][0]["is_off_day"], true);
        assert_eq!(imported["days"][0]["date"], "2031-01-01", "{label}");
        assert_eq!(
            imported["days"].as_array().map(Vec::len),
            Some(2),
            "{label}"
        );
        let (_, days) = deadline(&city, "2030-12-31", 2).await;
        assert_eq!(dates(&days), ["2031-01-02", "2031-01-03"]);
        let (_, days) = deadline(&city, "2031-01-02", 2).await;
        assert_eq!(
            dates(&days),
            ["2031-01-03", "2031-01-04"],
            "Saturday worked"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_calendar_change_moves_the_deadlines_of_open_cases() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        let accepted = now() - 3_600_000;
        open_case(&city, "CAL-NOW", CHAOYANG, accepted).await;
        settle(&app).await;
        let (before, days) = deadline(&city, &at(accepted), BUDGET).await;
        // Declare day 1 of the clock a holiday (keeping the year's other days).
        let first = days[0];
        let path = format!("/api/v1/calendar/years/{}", first.year());
        let year = get_ok(&admin, &path).await;
        let mut list: Vec<Value> = year["days"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["date"] != first.format("%Y-%m-%d").to_string())
            .cloned()
            .collect();
        list.push(json!({"date": first.format("%Y-%m-%d").to_string(), "name": "临时休息日", "is_off_day": true}));
        let (status, body) = admin.put(&path, json!({"days": list})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let (after, moved) = deadline(&city, &at(accepted), BUDGET).await;
        assert_ne!(after, before, "{label}");
        assert_eq!(moved[0], days[1], "day 1 is now the old day 2");
        assert_eq!(&moved[..9], &days[1..]);
        let case = get_ok(&city, "/api/v1/cases/CAL-NOW").await;
        let clock = approval_clock(&case);
        assert_eq!(clock["deadline"], after, "{label}: {clock}");
        // The deadline index follows: nothing is due before the new day 8.
        settle(&app).await;
        let stats = app
            .state
            .monitor
            .run_due(&app.state.store, start_of_day(moved[7]) - 1000)
            .await
            .unwrap();
        assert_eq!(stats.raised, 0, "{label}: {stats:?}");
        let stats = app
            .state
            .monitor
            .run_due(&app.state.store, start_of_day(moved[7]))
            .await
            .unwrap();
        assert_eq!(stats.raised, 1, "{label}: {stats:?}");
        app.cleanup().await;
    }
}
