//! Rule simulation (MON-8): a draft replayed over past cases, compared with
//! the live version, on the working-day calendar — and written nowhere.

use crate::common::monitoring::*;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_lower_threshold_simulates_more_yellow_lights_without_writing_warnings() {
    for app in TestApp::all().await {
        let label = app.label();
        let admin = app.admin().await;
        catalogue(&admin).await;
        let city = app.login("city", "City@12345").await;
        // Accepted the Friday before 国庆 2025: days 1–10 are 09-28 (调休),
        // 09-29, 09-30, 10-09, 10-10, 10-11 (调休), 10-13 … 10-16. Never done.
        open_case(&city, "SIM-GQ", CHAOYANG, ms("2025-09-26T10:00:00+08:00")).await;
        // Accepted Monday 2026-03-02: day n is 03-(2+n) on weekdays.
        let march = ms("2026-03-02T10:00:00+08:00");
        for (code, place) in [
            ("SIM-60", CHAOYANG),
            ("SIM-90", HAIDIAN),
            ("SIM-20", DEPARTMENT),
        ] {
            open_case(&city, code, place, march).await;
        }
        events(
            &city,
            &[
                // Done after 6 of 10 days, after 9, after 2.
                ("SIM-60", 3, "completed", ms("2026-03-10T15:00:00+08:00")),
                ("SIM-90", 3, "completed", ms("2026-03-13T15:00:00+08:00")),
                ("SIM-20", 3, "completed", ms("2026-03-04T15:00:00+08:00")),
            ],
        )
        .await;
        settle(&app).await;
        let live = warnings(&city, "rule=approval_overdue&status=open").await;
        assert_eq!(
            live.len(),
            1,
            "{label}: only the open case is red now: {live:#?}"
        );
        assert_eq!(live[0]["case_code"], "SIM-GQ");
        let before = warnings(&city, "").await;
        let inbox_before = messages(&city, "").await["total"].clone();
        let due_before = app.state.store.due_count().await.unwrap();

        // The live model with yellow from 50 % instead of 80 %.
        let mut draft = get_ok(&city, "/api/v1/warning-rules/approval_overdue").await;
        let threshold = &mut draft["levels"][0]["condition"]["all"][1];
        assert_eq!(threshold["field"], "used_percent");
        assert_eq!(threshold["value"], 80);
        threshold["value"] = json!(50);
        let (status, result) = city
            .post(
                "/api/v1/warning-rules/simulate",
                json!({"rule": draft, "from": "2025-09-01", "to": "2026-03-31"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{label}: {result}");
        assert_eq!(result["cases"], 4, "{result}");
        assert_eq!(result["truncated"], false);
        assert_eq!(
            result["by_level"],
            json!({"yellow": 2, "red": 1}),
            "{label}: {result}"
        );
        assert_eq!(
            result["live"]["by_level"],
            json!({"yellow": 1, "red": 1}),
            "{label}: {result}"
        );
        let yellow = result["by_level"]["yellow"].as_u64().unwrap();
        let live_yellow = result["live"]["by_level"]["yellow"].as_u64().unwrap();
        assert!(yellow >= live_yellow);
        assert_eq!(
            result["diff"],
            json!({"added": 1, "removed": 0, "changed_level": 0}),
            "{label}: SIM-60 is new"
        );
        // When each warning would first have been raised (start of day 5 at 50 %).
        let sample = result["sample"].as_array().unwrap();
        let first = |code: &str| {
            sample
                .iter()
                .find(|s| s["case_code"] == code)
                .unwrap_or_else(|| panic!("{code} in {result}"))
                .clone()
        };
        let gq = first("SIM-GQ");
        assert_eq!(gq["level"], "red");
        assert_eq!(
            gq["at"], "2025-10-10T00:00:00+08:00",
            "{label}: 国庆 skipped"
        );
        let sixty = first("SIM-60");
        assert_eq!(sixty["level"], "yellow");
        assert_eq!(sixty["at"], "2026-03-09T00:00:00+08:00");
        assert!(sample.iter().all(|s| s["case_code"] != "SIM-20"));
        let districts = result["by_district"].as_array().unwrap();
        let count = |code: &str| {
            districts
                .iter()
                .find(|d| d["code"] == code)
                .map_or(0, |d| d["count"].as_u64().unwrap())
        };
        assert_eq!((count("110105"), count("110108")), (2, 1), "{result}");

        // The unmodified live model: no difference; 80 % starts on day 8 (10-14).
        draft["levels"][0]["condition"]["all"][1]["value"] = json!(80);
        let (_, same) = city
            .post(
                "/api/v1/warning-rules/simulate",
                json!({"rule": draft, "from": "2025-09-01", "to": "2026-03-31"}),
            )
            .await;
        assert_eq!(same["by_level"], same["live"]["by_level"], "{same}");
        assert_eq!(
            same["diff"],
            json!({"added": 0, "removed": 0, "changed_level": 0})
        );
        let gq = same["sample"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["case_code"] == "SIM-GQ")
            .unwrap()
            .clone();
        assert_eq!(gq["at"], "2025-10-14T00:00:00+08:00", "{label}: {same}");
        // A period with none of the cases.
        let (_, empty) = city
            .post(
                "/api/v1/warning-rules/simulate",
                json!({"rule": draft, "from": "2024-01-01", "to": "2024-12-31"}),
            )
            .await;
        assert_eq!(empty["cases"], 0, "{empty}");
        let (status, body) = city
            .post(
                "/api/v1/warning-rules/simulate",
                json!({"rule": draft, "from": "2026-03-31", "to": "2026-03-01"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        // Nothing was written.
        settle(&app).await;
        let after = warnings(&city, "").await;
        assert_eq!(after, before, "{label}: warnings untouched");
        assert_eq!(messages(&city, "").await["total"], inbox_before);
        assert_eq!(app.state.store.due_count().await.unwrap(), due_before);
        let rule = get_ok(&city, "/api/v1/warning-rules/approval_overdue").await;
        assert_eq!(rule["version"], 1, "the live model is unchanged");
        app.cleanup().await;
    }
}
