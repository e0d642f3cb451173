//! The overview's figures agree with the lists under every filter.

use crate::common::monitoring::*;
use crate::common::TestApp;
use crate::fixture::*;
use reqwest::StatusCode;
use serde_json::Value;

fn n(value: &Value) -> i64 {
    value
        .as_i64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

#[tokio::test]
async fn figures_agree_with_the_lists_under_every_filter() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        let all = overview(&city, PERIOD).await;
        assert_eq!(all["granularity"], "month", "{label}: {all}");
        let cases = &all["cases"];
        assert_eq!(
            (n(&cases["total"]), n(&cases["completed"]), n(&cases["on_time"]), n(&cases["overdue"])),
            (4, 2, 1, 3),
            "{label}: CY-DONE on time; HD-LATE late; CY-OPEN and DEPT-OPEN past their deadline: {cases}"
        );
        assert_eq!(all["consultations"]["total"], 5, "{label}");
        assert_eq!(all["funnel"]["applications"], 4, "{label}");

        for filter in [
            "",
            "&region=110105",
            "&region=110108",
            "&department=110000D024",
            "&item=MON-HD",
            "&applicant_type=person",
            "&applicant_type=org",
        ] {
            let query = format!("{PERIOD}{filter}");
            let o = overview(&city, &query).await;
            assert_eq!(
                n(&o["cases"]["total"]),
                list_total(&city, &format!("/api/v1/cases?{query}")).await,
                "{label}: cases under {filter}"
            );
            let by_region: i64 = o["by_region"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| n(&r["cases"]))
                .sum();
            assert_eq!(
                by_region,
                n(&o["cases"]["total"]),
                "{label}: regions add up under {filter}"
            );
            let trend: i64 = o["trend"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| n(&t["cases"]))
                .sum();
            assert_eq!(
                trend,
                n(&o["cases"]["total"]),
                "{label}: the trend adds up under {filter}"
            );
            if !filter.contains("department") && !filter.contains("applicant") {
                assert_eq!(
                    n(&o["consultations"]["total"]),
                    list_total(&city, &format!("/api/v1/consultations?{query}")).await,
                    "{label}: consultations under {filter}"
                );
            }
            let mut warnings = 0;
            for (stage, figures) in o["warnings"]["by_stage"].as_object().unwrap() {
                let listed =
                    list_total(&city, &format!("/api/v1/warnings?{query}&stage={stage}")).await;
                if filter.contains("applicant") {
                    continue; // the warning list has no applicant filter
                }
                assert_eq!(
                    n(&figures["total"]),
                    listed,
                    "{label}: {stage} warnings under {filter}"
                );
                let red = list_total(
                    &city,
                    &format!("/api/v1/warnings?{query}&stage={stage}&level=red"),
                )
                .await;
                assert_eq!(
                    n(&figures["red"]),
                    red,
                    "{label}: red {stage} warnings under {filter}"
                );
                warnings += listed;
            }
            if !filter.contains("applicant") {
                assert_eq!(
                    n(&o["warnings"]["total"]),
                    warnings,
                    "{label}: warnings under {filter}"
                );
            }
        }
        let cy = overview(&city, &format!("{PERIOD}&region=110105")).await;
        assert_eq!(
            n(&cy["cases"]["total"]),
            3,
            "{label}: CY-OPEN, CY-DONE, DEPT-OPEN"
        );
        assert!(
            cy["by_region"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["region_code"].as_str().unwrap().starts_with("110105")),
            "{label}: a district breaks down into its own regions: {}",
            cy["by_region"]
        );
        let org = overview(&city, &format!("{PERIOD}&applicant_type=org")).await;
        assert_eq!(
            n(&org["cases"]["total"]),
            0,
            "{label}: every case has a person applicant"
        );

        // The stage filter narrows the warning figures only.
        let approval = overview(&city, &format!("{PERIOD}&stage=approval")).await;
        assert_eq!(approval["cases"], all["cases"], "{label}");
        assert_eq!(
            n(&approval["warnings"]["total"]),
            list_total(&city, &format!("/api/v1/warnings?{PERIOD}&stage=approval")).await,
            "{label}"
        );
        assert!(
            n(&approval["warnings"]["total"]) >= 2,
            "{label}: two open cases are past their approval deadline"
        );

        // Unread follows the inbox: reading every message empties it.
        assert!(
            n(&all["warnings"]["unread"]) > 0,
            "{label}: {}",
            all["warnings"]
        );
        let (status, _) = city
            .post("/api/v1/messages/read", serde_json::json!({ "all": true }))
            .await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let read = overview(&city, PERIOD).await;
        assert_eq!(read["warnings"]["unread"], 0, "{label}");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_case_turns_overdue_the_instant_its_deadline_passes() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        // Accepted now: due in ten working days, not overdue yet.
        open_case(&city, "CY-FRESH", CHAOYANG, now()).await;
        settle(&app).await;
        let today = "from=2026-03-01";
        let before = overview(&city, today).await;
        assert_eq!(n(&before["cases"]["total"]), 5, "{label}");
        assert_eq!(n(&before["cases"]["overdue"]), 3, "{label}");
        let case = get_ok(&city, "/api/v1/cases/CY-FRESH").await;
        let deadline = ms(approval_clock(&case)["deadline"].as_str().unwrap());
        let key = key("CY-FRESH");
        let monitor = &app.state.monitor;
        monitor
            .evaluate(&app.state.store, std::slice::from_ref(&key), deadline)
            .await
            .expect("evaluate");
        assert_eq!(
            n(&overview(&city, today).await["cases"]["overdue"]),
            3,
            "{label}: at the deadline it is still on time"
        );
        monitor
            .evaluate(&app.state.store, std::slice::from_ref(&key), deadline + 1)
            .await
            .expect("evaluate");
        let after = overview(&city, today).await;
        assert_eq!(
            n(&after["cases"]["overdue"]),
            4,
            "{label}: one instant later it is overdue"
        );
        app.cleanup().await;
    }
}

#[tokio::test]
async fn bad_filters_are_refused() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = app.login("city", "City@12345").await;
        for query in [
            "from=2026-13-01",
            "from=2026-05-01&to=2026-04-01",
            "from=2020-01-01&to=2026-01-01",
            "stage=review",
            "applicant_type=robot",
            "region=11'--",
        ] {
            let (status, body) = city
                .get(&format!("/api/v1/dashboard/overview?{query}"))
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {query}: {body}");
            assert_eq!(body["code"], "request.invalid", "{label}: {query}");
        }
        for query in ["table=secrets", "table=by_region&format=pdf"] {
            let (status, _) = city.get(&format!("/api/v1/dashboard/export?{query}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label}: {query}");
        }
        let (status, _) = city
            .get("/api/v1/dashboard/hotwords?from=2026-01-01&to=2026-06-30")
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{label}: hot words cover at most 92 days"
        );
        // Questions are not counted by item: hot words take the period,
        // region and department only, and the dashboard's other filters (sent
        // along by its filter bar and its export) do not change them.
        let (status, all) = city.get("/api/v1/dashboard/hotwords").await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let (status, with_item) = city
            .get("/api/v1/dashboard/hotwords?item=MON-CY&stage=approval")
            .await;
        assert_eq!(status, StatusCode::OK, "{label}");
        assert_eq!(with_item, all, "{label}: item and stage do not apply");
        app.cleanup().await;
    }
}
