//! The restore drill (issue 11, OPS-1) on every backend: a backup taken while
//! the server serves restores into a new database with the same rows, an
//! audit chain that proves against the backup's head, and a server that
//! starts and signs in on it. A damaged copy and an occupied target are
//! refused without touching anything.

mod common;

use common::{govpulse, stdout, Server};
use govpulse_store::testing::TestDb;
use govpulse_store::{Backend, Store};
use std::path::Path;

/// The tables whose rows an idle server never changes.
const DATA_TABLES: &[&str] = &[
    "cases",
    "case_events",
    "consultations",
    "evaluations",
    "items",
    "users",
    "departments",
    "warnings",
];

async fn counts(store: &Store) -> Vec<(String, i64)> {
    let mut counts = store.table_row_counts().await.expect("counts");
    counts.retain(|(table, _)| DATA_TABLES.contains(&table.as_str()));
    counts
}

/// A fresh, empty target for the restore: a new SQLite file beside the
/// source (so the same key file serves both), or a new PostgreSQL database
/// whose search path names the dumped schema.
async fn empty_target(db: &TestDb, name: &str) -> String {
    match db.backend {
        Backend::Sqlite => {
            let source = db.url.trim_start_matches("sqlite://");
            let dir = Path::new(source).parent().expect("temp dir");
            format!("sqlite://{}", dir.join(format!("{name}.db")).display())
        }
        Backend::Postgres => {
            let admin = Store::connect(&db.url).await.expect("admin");
            let database = format!("gp_restore_{name}_{}", std::process::id());
            admin
                .execute_admin(&format!("DROP DATABASE IF EXISTS {database}"))
                .await
                .expect("drop");
            admin
                .execute_admin(&format!("CREATE DATABASE {database}"))
                .await
                .expect("create database");
            admin.close().await;
            db.url.replacen("/test?", &format!("/{database}?"), 1)
        }
    }
}

async fn drop_target(db: &TestDb, url: &str) {
    if db.backend == Backend::Postgres {
        let database = url
            .split('/')
            .nth(3)
            .and_then(|rest| rest.split('?').next())
            .expect("database name")
            .to_string();
        let admin = Store::connect(&db.url).await.expect("admin");
        let _ = admin
            .execute_admin(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            .await;
        admin.close().await;
    }
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_whole_and_proved() {
    for db in TestDb::all().await {
        let label = format!("{:?}", db.backend);
        let demo = govpulse(&["demo", "--cases", "300", "--seed", "5"], &db.url);
        assert!(demo.status.success(), "{label}: {}", stdout(&demo));
        let folder = tempfile::tempdir().expect("temp dir");
        let file = folder.path().join("govpulse.backup");
        let file_arg = file.to_str().expect("utf-8 path");

        let mut server = Server::start(&db.url);
        server.wait_ready().await;
        let made = govpulse(&["backup", "--out", file_arg], &db.url);
        server.kill();
        assert!(made.status.success(), "{label}: {made:?}");
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(folder.path().join("govpulse.backup.manifest.json")).expect("manifest"),
        )
        .expect("manifest JSON");
        assert_eq!(
            manifest["sha256"].as_str().map(str::len),
            Some(64),
            "{label}"
        );
        assert!(manifest["audit_head"]["seq"].as_i64() > Some(0), "{label}");
        // A second backup to the same file is refused: nothing is overwritten.
        let again = govpulse(&["backup", "--out", file_arg], &db.url);
        assert!(!again.status.success(), "{label}");

        let target = empty_target(&db, "drill").await;
        let restored = govpulse(&["restore", "--from", file_arg], &target);
        assert!(restored.status.success(), "{label}: {restored:?}");
        assert!(stdout(&restored).contains("audit log proved"), "{label}");
        let copy = Store::connect(&target).await.expect("restored store");
        assert_eq!(counts(&copy).await, counts(&db.store).await, "{label}");
        assert!(
            counts(&copy)
                .await
                .iter()
                .any(|(t, n)| t == "cases" && *n >= 300),
            "{label}"
        );
        copy.close().await;
        let verify = govpulse(&["audit", "verify"], &target);
        assert_eq!(
            verify.status.code(),
            Some(0),
            "{label}: {}",
            stdout(&verify)
        );

        let mut on_copy = Server::start(&target);
        on_copy.wait_ready().await;
        let login = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", on_copy.base))
            .json(&serde_json::json!({"username": "city", "password": "City@12345"}))
            .send()
            .await
            .expect("login");
        on_copy.kill();
        assert!(login.status().is_success(), "{label}: {}", login.status());

        // Restoring over the restored database is refused and changes nothing.
        let over = govpulse(&["restore", "--from", file_arg], &target);
        assert!(!over.status.success(), "{label}");
        let copy = Store::connect(&target).await.expect("restored store");
        assert_eq!(counts(&copy).await, counts(&db.store).await, "{label}");
        copy.close().await;

        // One changed byte in the copy: refused before anything is written.
        let mut bytes = std::fs::read(&file).expect("backup");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(&file, bytes).expect("damage");
        let fresh = empty_target(&db, "damaged").await;
        let damaged = govpulse(&["restore", "--from", file_arg], &fresh);
        assert!(!damaged.status.success(), "{label}");
        assert!(
            String::from_utf8_lossy(&damaged.stderr).contains("does not match its manifest"),
            "{label}: {damaged:?}"
        );
        let untouched = Store::connect(&fresh).await.expect("fresh store");
        assert!(
            untouched
                .table_row_counts()
                .await
                .expect("counts")
                .is_empty(),
            "{label}"
        );
        untouched.close().await;

        drop_target(&db, &target).await;
        drop_target(&db, &fresh).await;
        db.cleanup().await;
    }
}
