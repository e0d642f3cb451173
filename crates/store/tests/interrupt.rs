//! Interruptible work (issue 17), on every backend: a statement whose work is
//! dropped stops at once and its connection returns to the pool; an
//! interrupted write transaction leaves nothing behind; work that completes
//! is untouched, and work outside a request is never interrupted.

use govpulse_core::audit::Outcome;
use govpulse_store::audit::{AuditFilter, AuditRecord, AUDIT_LIST};
use govpulse_store::interrupt::interruptible;
use govpulse_store::list::ListRequest;
use govpulse_store::testing::TestDb;
use govpulse_store::{Store, StoreError};
use std::time::{Duration, Instant};

/// Far more than any test waits for: a minute or more on either backend
/// (each test its own, to find its statements on the server).
const FOREVER_READ: i64 = 1_000_000_001;
const FOREVER_WRITE: i64 = 1_000_000_002;
const FOREVER_DEADLINE: i64 = 1_000_000_003;

fn record() -> AuditRecord {
    AuditRecord {
        actor: "tester".into(),
        ip: "127.0.0.1".into(),
        action: "testing.slow".into(),
        object_type: "test".into(),
        object_id: "1".into(),
        result: Outcome::Success,
        details: serde_json::json!({}),
    }
}

async fn slow_rows(store: &Store) -> i64 {
    let filter = AuditFilter {
        action: Some("testing.slow".into()),
        ..Default::default()
    };
    let request = ListRequest::first(&AUDIT_LIST, 10);
    store.list_audit(&filter, &request).await.unwrap().total
}

#[tokio::test]
async fn dropped_work_stops_its_statement_and_frees_the_connection() {
    for db in TestDb::all().await {
        let label = format!("{:?}", db.backend);
        let store = db.store.clone();

        // A read, abandoned after 300 ms.
        let read = tokio::time::timeout(
            Duration::from_millis(300),
            interruptible(None, store.slow_count(FOREVER_READ)),
        )
        .await;
        assert!(
            read.is_err(),
            "{label}: the slow read must still be running"
        );
        let took = store.pools_idle_within(Duration::from_secs(1)).await;
        assert!(took.is_some(), "{label}: read connection back within 1 s");
        assert!(
            store.slow_count_stopped_within_a_second(FOREVER_READ).await,
            "{label}"
        );

        // A write transaction, abandoned after 300 ms: rolled back, writer free.
        let write = tokio::time::timeout(
            Duration::from_millis(300),
            interruptible(None, store.slow_write(FOREVER_WRITE, &record())),
        )
        .await;
        assert!(
            write.is_err(),
            "{label}: the slow write must still be running"
        );
        let took = store.pools_idle_within(Duration::from_secs(1)).await;
        assert!(took.is_some(), "{label}: writer back within 1 s");
        assert!(
            store
                .slow_count_stopped_within_a_second(FOREVER_WRITE)
                .await,
            "{label}"
        );
        assert_eq!(
            slow_rows(&store).await,
            0,
            "{label}: nothing of it was kept"
        );
        let verified = store.verify_audit().await.unwrap();
        assert!(verified.ok, "{label}: audit chain intact");

        // Completed work is not disturbed, and the pools still serve.
        assert_eq!(
            interruptible(None, store.slow_count(1000)).await.unwrap(),
            1000,
            "{label}"
        );
        assert_eq!(store.slow_write(1000, &record()).await.unwrap(), 1000);
        assert_eq!(slow_rows(&store).await, 1, "{label}");
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_deadline_bounds_postgresql_statements_on_the_server_too() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    // With the deadline already past, statement_timeout is the 2 s margin:
    // the server stops the statement even though nobody dropped the work.
    let started = Instant::now();
    let result = interruptible(Some(Instant::now()), db.store.slow_count(FOREVER_DEADLINE)).await;
    assert!(matches!(result, Err(StoreError::Interrupted)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Work outside a request gets the server's own setting back (none).
    assert_eq!(db.store.slow_count(100_000).await.unwrap(), 100_000);
    db.cleanup().await;
}
