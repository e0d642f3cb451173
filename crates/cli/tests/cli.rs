//! The `govpulse` binary's contract: subcommands, exit codes, output, and
//! durability of acknowledged writes across a killed server.

mod common;

use common::{govpulse, stdout, Server};
use govpulse_store::testing::TestDb;
use govpulse_store::Backend;
use std::process::Command;
use std::time::Duration;

#[tokio::test]
async fn demo_token_and_audit_verify_including_tampering() {
    for db in TestDb::all().await {
        let url = db.url.clone();
        let demo = govpulse(&["demo", "--cases", "0", "--seed", "7"], &url);
        assert!(
            demo.status.success(),
            "{:?}: {}",
            db.backend,
            String::from_utf8_lossy(&demo.stderr)
        );
        assert!(db
            .store
            .find_user_by_username("chaoyang")
            .await
            .unwrap()
            .is_some());

        let created = govpulse(
            &["token", "create", "--name", "受理平台", "--scope", "intake"],
            &url,
        );
        assert!(created.status.success());
        let out = stdout(&created);
        let token = out.lines().last().unwrap();
        assert!(token.starts_with("gpt_") && !token.contains(' '), "{out}");
        let refused = govpulse(&["token", "create", "--name", "x", "--scope", "root"], &url);
        assert!(!refused.status.success());

        let verify = govpulse(&["audit", "verify"], &url);
        assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
        // The signed head to lodge outside: one JSON line with seq, hash and MAC.
        let anchor = govpulse(&["audit", "anchor"], &url);
        assert_eq!(anchor.status.code(), Some(0), "{}", stdout(&anchor));
        let printed = stdout(&anchor);
        let checkpoint: serde_json::Value =
            serde_json::from_str(printed.lines().last().unwrap_or_default()).expect("JSON");
        assert!(checkpoint["seq"].as_i64().unwrap_or(0) > 0, "{printed}");
        assert_eq!(checkpoint["mac"].as_str().map(str::len), Some(64));

        // Change one byte of one audit row behind the application's back.
        let guard = match db.backend {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
        };
        db.store.execute_admin(guard).await.unwrap();
        db.store
            .execute_admin("UPDATE audit_log SET actor = actor || 'x' WHERE seq = 3")
            .await
            .unwrap();
        let verify = govpulse(&["audit", "verify"], &url);
        assert_eq!(verify.status.code(), Some(1), "{:?}", db.backend);
        assert!(stdout(&verify).contains("entry 3"), "{}", stdout(&verify));
        let anchor = govpulse(&["audit", "anchor"], &url);
        assert_eq!(
            anchor.status.code(),
            Some(1),
            "no checkpoint of a broken log"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn migrate_is_repeatable_and_bad_urls_fail_clearly() {
    let db = TestDb::sqlite().await;
    for _ in 0..2 {
        let out = govpulse(&["migrate"], &db.url);
        assert!(out.status.success());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_govpulse"))
        .args(["migrate", "--database", "mysql://nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    db.cleanup().await;
}

#[tokio::test]
async fn acknowledged_writes_survive_a_killed_server_and_sigterm_stops_cleanly() {
    let db = TestDb::sqlite().await;
    assert!(govpulse(&["demo"], &db.url).status.success());
    let mut server = Server::start(&db.url);
    let base = server.base.clone();
    let startup = server.wait_ready().await;

    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "admin", "password": "Admin@12345" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = http
        .post(format!("{base}/api/v1/departments"))
        .header("x-csrf-token", login["csrf_token"].as_str().unwrap())
        .json(&serde_json::json!({ "code": "DURABLE-1", "name": "持久化测试", "region_code": "110105" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);

    server.kill();
    let reopened = govpulse_store::Store::open(&db.url).await.unwrap();
    let scope = govpulse_store::org::OrgScope::default();
    assert!(reopened
        .get_department(&scope, "DURABLE-1")
        .await
        .unwrap()
        .is_some());
    reopened.close().await;
    // The chain is keyed with the server's key file: the binary verifies it,
    // against the checkpoint the server wrote too.
    let verify = govpulse(&["audit", "verify"], &db.url);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
    assert!(
        stdout(&verify).contains("checkpoint at entry"),
        "{}",
        stdout(&verify)
    );

    // Restart is quick, and SIGTERM ends the process cleanly.
    server.restart();
    let restart = server.wait_ready().await;
    assert!(
        restart < Duration::from_secs(5),
        "restart took {restart:?} (first start {startup:?})"
    );
    unsafe {
        libc::kill(server.child.id() as i32, libc::SIGTERM);
    }
    let status = server.child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exit: {status:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn the_demo_publishes_an_evaluation_and_verify_names_a_changed_archive() {
    for db in TestDb::all().await {
        let url = db.url.clone();
        let demo = govpulse(
            &[
                "demo",
                "--cases",
                "300",
                "--seed",
                "3",
                "--until",
                "2026-06-30",
            ],
            &url,
        );
        assert!(
            demo.status.success(),
            "{:?}: {}",
            db.backend,
            String::from_utf8_lossy(&demo.stderr)
        );
        // The demo year ends with a whole quarter: that quarter is published.
        assert!(
            stdout(&demo).contains("evaluation: 2026-Q2 scored"),
            "{}",
            stdout(&demo)
        );
        let verify = govpulse(&["evaluation", "verify"], &url);
        assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));
        assert!(
            stdout(&verify).contains("1 evaluation archives intact"),
            "{}",
            stdout(&verify)
        );
        db.store
            .execute_admin("UPDATE evaluation_archives SET snapshot = REPLACE(snapshot, '\"rank\":1', '\"rank\":2')")
            .await
            .unwrap();
        let verify = govpulse(&["evaluation", "verify"], &url);
        assert_eq!(verify.status.code(), Some(1), "{:?}", db.backend);
        assert!(
            stdout(&verify).contains("archive 1 (period 2026-Q2) changed"),
            "{}",
            stdout(&verify)
        );
        db.cleanup().await;
    }
}
