//! A district sees its district, a department its department — in the
//! overview, the hot words and the exports; filters cannot widen that.

use crate::common::TestApp;
use crate::fixture::*;
use reqwest::StatusCode;

#[tokio::test]
async fn districts_and_departments_see_only_their_own_figures() {
    for app in TestApp::all().await {
        let label = app.label();
        let city = world(&app).await;
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let dept = app.login("dept", "Dept@123456").await;

        let cy = overview(&chaoyang, PERIOD).await;
        assert_eq!(cy["cases"]["total"], 3, "{label}: {}", cy["cases"]);
        assert_eq!(cy["consultations"]["total"], 4, "{label}");
        assert!(
            cy["by_region"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["region_code"].as_str().unwrap().starts_with("110105")),
            "{label}: {}",
            cy["by_region"]
        );
        let widened = overview(&chaoyang, &format!("{PERIOD}&region=110108")).await;
        assert_eq!(
            widened["cases"]["total"], 0,
            "{label}: 海淀 stays invisible to 朝阳"
        );
        assert_eq!(widened["warnings"]["total"], 0, "{label}");
        let city_wide = overview(&chaoyang, &format!("{PERIOD}&region=110000")).await;
        assert_eq!(
            city_wide["cases"]["total"], 3,
            "{label}: asking for the city gives 朝阳 only"
        );

        let own = overview(&dept, PERIOD).await;
        assert_eq!(
            own["cases"]["total"], 1,
            "{label}: DEPT-OPEN only: {}",
            own["cases"]
        );
        let other = overview(&dept, &format!("{PERIOD}&department=110105D007")).await;
        assert_eq!(
            other["cases"]["total"], 0,
            "{label}: another department stays invisible"
        );
        assert!(
            own["by_department"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["department_code"] == "110000D024"),
            "{label}: {}",
            own["by_department"]
        );

        let march = "from=2026-03-01&to=2026-03-31";
        let words = |list: Vec<(String, u64)>| list.into_iter().map(|(w, _)| w).collect::<Vec<_>>();
        let all_words = words(hotwords(&city, march).await);
        assert!(
            all_words.iter().any(|w| w.contains("公积金")),
            "{label}: {all_words:?}"
        );
        let cy_words = words(hotwords(&chaoyang, march).await);
        assert!(
            cy_words.contains(&"营业执照".to_string()),
            "{label}: {cy_words:?}"
        );
        assert!(
            !cy_words.iter().any(|w| w.contains("公积金")),
            "{label}: 海淀's question stays invisible: {cy_words:?}"
        );
        let dept_words = words(hotwords(&dept, march).await);
        assert!(
            !dept_words.contains(&"营业执照".to_string()),
            "{label}: {dept_words:?}"
        );
        assert!(
            dept_words.iter().any(|w| w.contains("食品")),
            "{label}: {dept_words:?}"
        );

        for (client, hidden) in [(&chaoyang, "110108"), (&dept, "110105D007")] {
            for table in ["by_region", "by_department", "items", "hotwords"] {
                let (status, body) = client
                    .get(&format!(
                        "/api/v1/dashboard/export?format=csv&table={table}&{march}"
                    ))
                    .await;
                assert_eq!(status, StatusCode::OK, "{label}: {table}");
                let text = body.as_str().unwrap_or_default().to_string();
                assert!(
                    !text.contains(hidden),
                    "{label}: {table} export leaks {hidden}: {text}"
                );
                if table == "hotwords" {
                    assert!(!text.contains("公积金"), "{label}: {text}");
                }
            }
        }
        app.cleanup().await;
    }
}
