//! The working-day calendar (MON-1): bundled holidays and 调休, years edited
//! by administrators, validation, and clocks that follow the calendar.

use crate::common::monitoring::*;
use crate::common::{Client, TestApp};
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

/// The `calendar_missing` warnings the caller sees on `year`.
async fn missing_year_warnings(client: &Client, year: i32) -> Vec<Value> {
    warnings(client, "rule=calendar_missing")
        .await
        .into_iter()
        .filter(|w| w["case_code"] == format!("{year} 年工作日历"))
        .collect()
}

#[tokio::test]
async fn a_next_year_without_holiday_data_warns_from_sixty_days_before_until_it_gets_data() {
    use govpulse_server::monitoring::calendar::sweep_missing_years;
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        let city = app.login("city", "City@12345").await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        // 2027 ships without holiday data. Three months before it: nothing yet.
        let early = sweep_missing_years(&app.state, ms("2026-10-01T09:00:00+08:00"))
            .await
            .expect("sweep");
        assert_eq!(early, (0, 0), "{label}");
        assert!(
            missing_year_warnings(&city, 2027).await.is_empty(),
            "{label}"
        );

        // Within 60 days of 1 January 2027: a red city-wide warning, told once.
        let near = ms("2026-11-10T09:00:00+08:00");
        let raised = sweep_missing_years(&app.state, near).await.expect("sweep");
        assert_eq!(raised, (1, 0), "{label}");
        let found = missing_year_warnings(&city, 2027).await;
        assert_eq!(found.len(), 1, "{label}: {found:?}");
        assert_eq!(
            (found[0]["level"].clone(), found[0]["status"].clone()),
            (json!("red"), json!("open")),
            "{label}: {:?}",
            found[0]
        );
        let told = rule_messages(&city, "calendar_missing").await;
        assert_eq!(told.len(), 1, "{label}: {told:?}");
        assert_eq!(told[0]["title"], "【红灯】2027 年节假日数据缺失");
        let body = told[0]["body"].as_str().unwrap_or_default();
        assert!(
            body.contains("还有 52 天") && body.contains("工作日历"),
            "{body}"
        );
        // A district operator is neither told nor shown the city's matter.
        assert!(rule_messages(&chaoyang, "calendar_missing")
            .await
            .is_empty());
        assert!(missing_year_warnings(&chaoyang, 2027).await.is_empty());
        // Checking again says nothing new.
        let again = sweep_missing_years(&app.state, near + 3_600_000)
            .await
            .unwrap();
        assert_eq!(again, (0, 0), "{label}");
        assert_eq!(rule_messages(&city, "calendar_missing").await.len(), 1);

        // The calendar admin imports 2027: the warning closes at once.
        let file = json!({"year": 2027, "days": [
            {"name": "春节", "date": "2027-02-08", "isOffDay": true},
            {"name": "春节", "date": "2027-02-06", "isOffDay": false}
        ]});
        let (status, imported) = admin.post("/api/v1/calendar/import", file).await;
        assert_eq!(status, StatusCode::OK, "{label}: {imported}");
        let found = missing_year_warnings(&city, 2027).await;
        assert_eq!(found.len(), 1, "{label}: {found:?}");
        assert_eq!(found[0]["status"], "closed", "{label}: {:?}", found[0]);
        let after = sweep_missing_years(&app.state, near).await.unwrap();
        assert_eq!(after, (0, 0), "{label}: 2027 has data now");
        app.cleanup().await;
    }
}
