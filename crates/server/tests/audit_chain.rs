//! The keyed audit chain and its signed checkpoint (issue 11, High-2), on
//! every backend: with the append-only triggers dropped, rewriting a row and
//! re-hashing the rest, or cutting rows off the end, is found.

mod common;

use common::TestApp;
use govpulse_core::audit::Entry;
use govpulse_server::audit_checkpoint;
use govpulse_store::audit::AuditFilter;
use govpulse_store::Backend;
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;

/// An app with a few dozen audit rows (logins, departments created).
async fn app_with_history() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for app in TestApp::all().await {
        let admin = app.admin().await;
        for n in 0..5 {
            let body = json!({ "code": format!("T-AUD-{n}"), "name": "审计测试部门", "region_code": "110105" });
            assert_eq!(
                admin.post("/api/v1/departments", body).await.0,
                StatusCode::CREATED
            );
        }
        apps.push(app);
    }
    apps
}

fn checkpoint_file(app: &TestApp) -> PathBuf {
    PathBuf::from(&app.state.config.export_dir).join("audit.checkpoint")
}

async fn drop_append_only_guards(app: &TestApp) {
    let guards: &[&str] = match app.db.backend {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ],
        Backend::Postgres => &["DROP TRIGGER audit_log_no_change ON audit_log"],
    };
    for guard in guards {
        app.db.store.execute_admin(guard).await.expect("drop guard");
    }
}

#[tokio::test]
async fn a_rewritten_row_rehashed_without_the_key_fails_verification() {
    for app in app_with_history().await {
        let store = &app.db.store;
        assert!(store.verify_audit().await.unwrap().ok);
        drop_append_only_guards(&app).await;
        // Rewrite entry 3, then re-hash it and every later entry the only
        // way someone without the key can: plain SHA-256 (as the old chain).
        let mut rows = Vec::new();
        store
            .scan_audit(&AuditFilter::default(), |row| {
                rows.push(row.clone());
                true
            })
            .await
            .unwrap();
        let mut prev = rows[1].hash.clone();
        let mut forged = Vec::new();
        for row in rows.iter().skip(2) {
            let mut entry = Entry {
                seq: row.seq,
                at_ms: row.at_ms,
                actor: row.actor.clone(),
                ip: row.ip.clone(),
                action: row.action.clone(),
                object_type: row.object_type.clone(),
                object_id: row.object_id.clone(),
                result: row.result.clone(),
                details: row.details.clone(),
            };
            if row.seq == 3 {
                entry.actor = "nobody".into();
            }
            prev = entry.chain_hash(&prev);
            forged.push((entry.seq, entry.actor, prev.clone()));
        }
        // Claiming the old unkeyed form (chain 1), then keeping the keyed label.
        for chain in [1, 2] {
            for (seq, actor, hash) in &forged {
                store
                    .execute_admin(&format!(
                        "UPDATE audit_log SET actor = '{actor}', hash = '{hash}', chain = {chain} WHERE seq = {seq}"
                    ))
                    .await
                    .unwrap();
            }
            let verification = store.verify_audit().await.unwrap();
            assert!(
                !verification.ok,
                "{} chain {chain}: forged chain passed",
                app.label()
            );
            assert_eq!(verification.first_broken.unwrap().seq, 3);
        }
        app.cleanup().await;
    }
}

#[tokio::test]
async fn cutting_rows_off_the_end_is_found_against_the_checkpoint() {
    for app in app_with_history().await {
        let store = &app.db.store;
        let file = checkpoint_file(&app);
        let checkpoint = audit_checkpoint::advance(store, &file).await.unwrap();
        assert!(checkpoint.seq > 10, "{checkpoint:?}");
        let stored = audit_checkpoint::read(&file).unwrap().unwrap();
        assert_eq!(stored, checkpoint);
        assert_eq!(
            audit_checkpoint::check(store, &stored).await.unwrap(),
            Ok(())
        );

        drop_append_only_guards(&app).await;
        store
            .execute_admin(&format!(
                "DELETE FROM audit_log WHERE seq > {}",
                checkpoint.seq - 3
            ))
            .await
            .unwrap();
        // The shortened chain is consistent in itself …
        assert!(store.verify_audit().await.unwrap().ok, "{}", app.label());
        // … but not with the checkpoint, which is not certified afresh.
        let problem = audit_checkpoint::check(store, &stored)
            .await
            .unwrap()
            .unwrap_err();
        assert!(problem.contains("truncated"), "{}: {problem}", app.label());
        assert!(audit_checkpoint::advance(store, &file).await.is_err());
        assert_eq!(audit_checkpoint::read(&file).unwrap().unwrap(), stored);
        app.cleanup().await;
    }
}

#[tokio::test]
async fn a_checkpoint_edited_to_an_earlier_head_is_refused() {
    for app in app_with_history().await {
        let store = &app.db.store;
        let checkpoint = audit_checkpoint::current(store).await.unwrap();
        let (hash, _) = store.audit_hash_and_last(checkpoint.seq - 3).await.unwrap();
        let mut edited = checkpoint.clone();
        edited.seq -= 3;
        edited.hash = hash.unwrap();
        let problem = audit_checkpoint::check(store, &edited)
            .await
            .unwrap()
            .unwrap_err();
        assert!(problem.contains("signature"), "{problem}");
        app.cleanup().await;
    }
}
