//! Storage behaviour, run against every available backend (SQLite always,
//! PostgreSQL when reachable; required in CI).

use govpulse_core::audit::Outcome;
use govpulse_store::audit::{AuditFilter, AuditRecord, AUDIT_LIST};
use govpulse_store::identity::{NewUser, RoleSeed};
use govpulse_store::list::ListRequest;
use govpulse_store::org::{DepartmentFilter, OrgScope, RegionRow, DEPARTMENT_LIST};
use govpulse_store::testing::TestDb;
use govpulse_store::{Store, StoreError};

fn record(action: &str) -> AuditRecord {
    AuditRecord {
        actor: "tester".into(),
        ip: "127.0.0.1".into(),
        action: action.into(),
        object_type: "test".into(),
        object_id: "1".into(),
        result: Outcome::Success,
        details: serde_json::json!({"note": "x"}),
    }
}

async fn seed_org(store: &Store) {
    for (code, name, level, parent) in [
        ("110000", "北京市", 1, None),
        ("110105", "朝阳区", 2, Some("110000")),
        ("110108", "海淀区", 2, Some("110000")),
        ("110105001", "建外街道", 3, Some("110105")),
    ] {
        store
            .upsert_region(&RegionRow {
                code: code.into(),
                name: name.into(),
                level,
                parent_code: parent.map(String::from),
                merged_into: None,
            })
            .await
            .unwrap();
    }
    for (code, name, region) in [
        ("110105D001", "朝阳区政务服务局", "110105"),
        ("110108D001", "海淀区政务服务局", "110108"),
    ] {
        store
            .create_department(code, name, "district", region, &record("department.create"))
            .await
            .unwrap();
    }
    let perms = vec!["org:read".to_string()];
    store
        .upsert_role(&RoleSeed {
            code: "district_operator",
            name: "区级运营人员",
            description: "",
            builtin: true,
            admin_duty: None,
            permissions: &perms,
        })
        .await
        .unwrap();
}

fn user(name: &str, region: &str) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: name.into(),
        password_hash: "hash".into(),
        scope_kind: "region".into(),
        region_code: region.into(),
        department_code: None,
        must_change_password: false,
        roles: vec!["district_operator".into()],
    }
}

fn chaoyang() -> OrgScope {
    OrgScope {
        region_range: Some(("110105".into(), "110106".into())),
        department: None,
    }
}

#[tokio::test]
async fn migrations_are_idempotent() {
    for db in TestDb::all().await {
        db.store.migrate().await.unwrap();
        db.store.migrate().await.unwrap();
        assert_eq!(db.store.count_users().await.unwrap(), 0, "{:?}", db.backend);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn scoped_reads_hide_other_districts() {
    for db in TestDb::all().await {
        let store = &db.store;
        seed_org(store).await;
        let depts = store
            .list_departments(
                &chaoyang(),
                &DepartmentFilter::default(),
                &ListRequest::first(&DEPARTMENT_LIST, 50),
            )
            .await
            .unwrap();
        assert_eq!(depts.total, 1, "{:?}", db.backend);
        assert_eq!(depts.items[0].code, "110105D001");
        assert!(store
            .get_department(&chaoyang(), "110108D001")
            .await
            .unwrap()
            .is_none());
        let regions = store.list_regions(&chaoyang()).await.unwrap();
        let codes: Vec<_> = regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["110105", "110105001"]);

        let id = store
            .create_user(&user("zhang", "110108"), &record("user.create"))
            .await
            .unwrap();
        assert!(store.get_user(&chaoyang(), id).await.unwrap().is_none());
        assert!(store
            .get_user(&OrgScope::default(), id)
            .await
            .unwrap()
            .is_some());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn usernames_are_unique_and_failed_writes_leave_no_trace() {
    for db in TestDb::all().await {
        let store = &db.store;
        seed_org(store).await;
        store
            .create_user(&user("li", "110105"), &record("user.create"))
            .await
            .unwrap();
        let before = store
            .list_audit(
                &AuditFilter::default(),
                &ListRequest::first(&AUDIT_LIST, 10),
            )
            .await
            .unwrap()
            .total;
        let err = store
            .create_user(&user("li", "110105"), &record("user.create"))
            .await;
        assert!(
            matches!(err, Err(StoreError::Conflict(_))),
            "{:?}",
            db.backend
        );
        // The refused insert wrote no audit row either: one transaction.
        let after = store
            .list_audit(
                &AuditFilter::default(),
                &ListRequest::first(&AUDIT_LIST, 10),
            )
            .await
            .unwrap()
            .total;
        assert_eq!(before, after);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn failed_logins_lock_at_the_threshold() {
    use govpulse_store::identity::LoginClaim;
    for db in TestDb::all().await {
        let store = &db.store;
        seed_org(store).await;
        let id = store
            .create_user(&user("wang", "110105"), &record("user.create"))
            .await
            .unwrap();
        // Each attempt is claimed (counted) first, then settled as failed.
        for attempt in 1..=4 {
            assert_eq!(
                store.claim_login_attempt(id, 5, 10, 99).await.unwrap(),
                LoginClaim::Allowed
            );
            let outcome = store
                .record_failed_login(id, 5, 99, &record("auth.login"))
                .await
                .unwrap();
            assert_eq!(outcome.attempts, attempt);
            assert_eq!(outcome.locked_until, None);
        }
        assert_eq!(
            store.claim_login_attempt(id, 5, 10, 99).await.unwrap(),
            LoginClaim::Allowed
        );
        let fifth = store
            .record_failed_login(id, 5, 99, &record("auth.login"))
            .await
            .unwrap();
        assert_eq!(fifth.locked_until, Some(99), "{:?}", db.backend);
        assert_eq!(fifth.attempts, 5, "the count stays while locked");
        // Locked: refused before any password is checked; a success that was
        // in flight does not clear the lock.
        assert_eq!(
            store.claim_login_attempt(id, 5, 10, 99).await.unwrap(),
            LoginClaim::Locked(99)
        );
        assert_eq!(store.record_login_success(id, 10).await.unwrap(), Some(99));
        // After the lock the count starts afresh.
        assert_eq!(
            store.claim_login_attempt(id, 5, 100, 199).await.unwrap(),
            LoginClaim::Allowed
        );
        assert_eq!(store.record_login_success(id, 100).await.unwrap(), None);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn parallel_claims_past_the_threshold_start_the_lock() {
    use govpulse_store::identity::LoginClaim;
    for db in TestDb::all().await {
        let store = &db.store;
        seed_org(store).await;
        let id = store
            .create_user(&user("wang", "110105"), &record("user.create"))
            .await
            .unwrap();
        // Five attempts in flight (claimed, none settled yet): the sixth is
        // refused and locks the account, so the in-flight right password
        // cannot clear it afterwards.
        for _ in 0..5 {
            assert_eq!(
                store.claim_login_attempt(id, 5, 10, 99).await.unwrap(),
                LoginClaim::Allowed
            );
        }
        assert_eq!(
            store.claim_login_attempt(id, 5, 10, 99).await.unwrap(),
            LoginClaim::Locked(99),
            "{:?}",
            db.backend
        );
        assert_eq!(store.record_login_success(id, 10).await.unwrap(), Some(99));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn audit_chain_verifies_and_detects_tampering() {
    for db in TestDb::all().await {
        let store = &db.store;
        for i in 0..30 {
            store.audit(&record(&format!("test.{i}"))).await.unwrap();
        }
        let verification = store.verify_audit().await.unwrap();
        assert!(verification.ok);
        assert_eq!(verification.checked, 30);

        // The database itself refuses to change the log.
        let refused = store
            .execute_admin("UPDATE audit_log SET actor = 'mallory' WHERE seq = 7")
            .await;
        assert!(refused.is_err(), "{:?}: update must be refused", db.backend);
        let refused = store
            .execute_admin("DELETE FROM audit_log WHERE seq = 7")
            .await;
        assert!(refused.is_err());

        // An attacker with DBA rights drops the guard and edits one row.
        let drop_guard = match db.backend {
            govpulse_store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            govpulse_store::Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
        };
        store.execute_admin(drop_guard).await.unwrap();
        store
            .execute_admin("UPDATE audit_log SET actor = 'mallory' WHERE seq = 7")
            .await
            .unwrap();
        let verification = store.verify_audit().await.unwrap();
        assert!(!verification.ok);
        assert_eq!(verification.first_broken.unwrap().seq, 7);
        assert_eq!(verification.checked, 6);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn concurrent_audit_appends_keep_one_chain() {
    for db in TestDb::all().await {
        // More callers than one group commit takes (256), all at once.
        let mut tasks = Vec::new();
        for i in 0..300 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                store.audit(&record(&format!("parallel.{i}"))).await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let verification = db.store.verify_audit().await.unwrap();
        assert!(verification.ok, "{:?}", db.backend);
        assert_eq!(verification.checked, 300);
        // Every caller's record is there exactly once, numbered without gaps.
        let mut actions = Vec::new();
        let mut seqs = Vec::new();
        db.store
            .scan_audit(&AuditFilter::default(), |row| {
                actions.push(row.action.clone());
                seqs.push(row.seq);
                true
            })
            .await
            .unwrap();
        actions.sort();
        let mut expected: Vec<String> = (0..300).map(|i| format!("parallel.{i}")).collect();
        expected.sort();
        assert_eq!(actions, expected, "{:?}", db.backend);
        assert_eq!(seqs, (1..=300).collect::<Vec<i64>>(), "{:?}", db.backend);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_audit_record_changes_the_audit_totals_and_no_other() {
    for db in TestDb::all().await {
        let store = &db.store;
        seed_org(store).await;
        let departments = || async {
            store
                .list_departments(
                    &OrgScope::default(),
                    &DepartmentFilter::default(),
                    &ListRequest::first(&DEPARTMENT_LIST, 1),
                )
                .await
                .unwrap()
                .total
        };
        let audit_total = || async {
            store
                .list_audit(&AuditFilter::default(), &ListRequest::first(&AUDIT_LIST, 1))
                .await
                .unwrap()
                .total
        };
        assert_eq!(departments().await, 2, "{:?}", db.backend);
        let logged = audit_total().await;
        // Another process adds a department; this one only learns of it when
        // it writes itself (or the remembered count ages out).
        let other = Store::open(&db.url).await.unwrap();
        other
            .create_department(
                "110108D002",
                "海淀区市场监管局",
                "district",
                "110108",
                &record("department.create"),
            )
            .await
            .unwrap();
        // An audited read appends to the log and nothing else: the audit total
        // moves at once (both new rows: the other process's and this one), the
        // department count stays remembered.
        store.audit(&record("audit.read")).await.unwrap();
        assert_eq!(audit_total().await, logged + 2, "{:?}", db.backend);
        assert_eq!(departments().await, 2, "{:?}", db.backend);
        // Any other write forgets every remembered count.
        store.execute_admin("SELECT 1").await.unwrap();
        assert_eq!(departments().await, 3, "{:?}", db.backend);
        // A count over the log that reached its cap stays capped (kept across
        // appends: the log only grows), one below it moves with each record.
        let counted = |cap: i64| async move {
            let page = store
                .list_audit(
                    &AuditFilter::default(),
                    &ListRequest::window(&AUDIT_LIST, 0, 1, cap),
                )
                .await
                .unwrap();
            (page.total, page.total_exact)
        };
        let rows = audit_total().await;
        assert_eq!(
            counted(rows - 1).await,
            (rows - 1, false),
            "{:?}",
            db.backend
        );
        assert_eq!(counted(rows + 1).await, (rows, true), "{:?}", db.backend);
        store.audit(&record("audit.read")).await.unwrap();
        store.audit(&record("audit.read")).await.unwrap();
        assert_eq!(
            counted(rows - 1).await,
            (rows - 1, false),
            "{:?}",
            db.backend
        );
        assert_eq!(
            counted(rows + 1).await,
            (rows + 1, false),
            "{:?}",
            db.backend
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn committed_writes_survive_reopening() {
    let db = TestDb::sqlite().await;
    seed_org(&db.store).await;
    db.store
        .create_user(&user("zhao", "110105"), &record("user.create"))
        .await
        .unwrap();
    // Reopen through a second handle without closing the first (as after a kill).
    let reopened = Store::open(&db.url).await.unwrap();
    assert!(reopened
        .find_user_by_username("zhao")
        .await
        .unwrap()
        .is_some());
    db.cleanup().await;
}
