//! `govpulse org import` and `govpulse demo --city`: any city's organisation
//! from files, a wrong file storing nothing, and the 常州 demo organisation.

mod common;

use common::{govpulse, stdout};
use govpulse_server::seed;
use govpulse_store::testing::TestDb;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/examples");

#[tokio::test]
async fn a_city_is_imported_and_first_admin_is_scoped_to_it() {
    for db in TestDb::all().await {
        let regions = format!("{EXAMPLES}/changzhou-regions.csv");
        let departments = format!("{EXAMPLES}/changzhou-departments.csv");
        let bad = std::env::temp_dir().join(format!("org-bad-{}.csv", std::process::id()));
        std::fs::write(&bad, "code,name\n320400,常州市\n3204,x\n").expect("write");
        let refused = govpulse(
            &["org", "import", "--regions", &bad.to_string_lossy()],
            &db.url,
        );
        assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
        assert!(stdout(&refused).contains("line 3"), "{}", stdout(&refused));
        assert!(db.store.get_region("320400").await.unwrap().is_none());
        let _ = std::fs::remove_file(&bad);

        let imported = govpulse(
            &[
                "org",
                "import",
                "--regions",
                &regions,
                "--departments",
                &departments,
            ],
            &db.url,
        );
        assert!(imported.status.success(), "{}", stdout(&imported));
        assert!(stdout(&imported).contains("15 regions, 5 departments"));
        // No Beijing tree is loaded: the first administrator gets 常州市.
        assert!(seed::first_admin(&db.store).await.unwrap().is_some());
        let admin = db
            .store
            .find_user_by_username("admin")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin.region_code, "320400", "{:?}", db.backend);
        assert!(db.store.get_region("110000").await.unwrap().is_none());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_demo_sets_up_changzhou_with_its_district_operators() {
    for db in TestDb::all().await {
        let unknown = govpulse(&["demo", "--cases", "0", "--city", "999999"], &db.url);
        assert!(!unknown.status.success());
        let demo = govpulse(&["demo", "--cases", "0", "--city", "320400"], &db.url);
        assert!(
            demo.status.success(),
            "{}",
            String::from_utf8_lossy(&demo.stderr)
        );
        assert!(
            stdout(&demo).contains("常州市 6 districts"),
            "{}",
            stdout(&demo)
        );
        let tianning = db
            .store
            .find_user_by_username("tianning")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(tianning.region_code, "320402");
        let dept = db
            .store
            .find_user_by_username("dept")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dept.department_code.as_deref(), Some("320400D024"));
        assert!(db
            .store
            .find_user_by_username("chaoyang")
            .await
            .unwrap()
            .is_none());
        db.cleanup().await;
    }
}
