//! Database work that stops when nobody waits for it any more (issue 17).
//!
//! The server runs each request's handler inside [`interruptible`]. The pools'
//! acquire hooks run in the acquiring task, where the task-local [`Work`] is
//! visible, and tie every connection the request takes to it. When the work
//! is dropped before it finished — its deadline passed, the client went away,
//! the server is shutting down — the statements it is running are stopped, so
//! the connection returns to the pool at once instead of when the statement
//! would have ended on its own (sqlx only returns a connection after the
//! statement it was running has finished):
//!
//! - **SQLite**: a progress handler, installed at acquisition, looks at the
//!   work's flag every few thousand VM instructions and interrupts the
//!   statement. Transaction control statements are far shorter than that, so
//!   the rollback of an abandoned transaction still runs.
//! - **PostgreSQL**: `pg_cancel_backend` on the backend, sent over a separate
//!   control pool (never behind the request pool), and `statement_timeout`
//!   set at acquisition to the work's remaining time plus a margin, a backstop
//!   should the cancel not get through.
//!
//! Work outside [`interruptible`] (the evaluator, the export runner, the CLI)
//! is never interrupted this way: acquisition removes any handler left by a
//! request and restores the server's `statement_timeout`.

use sqlx::postgres::{PgConnection, PgPool};
use sqlx::sqlite::SqliteConnection;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

tokio::task_local! {
    static CURRENT: Arc<Work>;
}

/// VM instructions between two looks at the flag: tens of microseconds of
/// work, so an interrupt lands at once and costs nothing measurable.
const PROGRESS_OPS: i32 = 4_000;
/// `statement_timeout` is the work's remaining time plus this much: the
/// server's own deadline (which answers 504) should normally come first.
const STATEMENT_TIMEOUT_MARGIN: Duration = Duration::from_secs(2);
/// Store calls slower than this are counted in `govpulse_db_slow_calls_total`
/// (sqlx also logs statements over 1 s, with the request id of their span).
const SLOW_CALL: Duration = Duration::from_secs(1);

static NEXT_WORK: AtomicU64 = AtomicU64::new(1);

/// One request's database work.
pub struct Work {
    id: u64,
    deadline: Option<Instant>,
    cancelled: AtomicBool,
    /// PostgreSQL backends this work has used, to cancel.
    backends: Mutex<Vec<(i32, Arc<PgCanceller>)>>,
}

impl Work {
    fn new(deadline: Option<Instant>) -> Self {
        Self {
            id: NEXT_WORK.fetch_add(1, Ordering::Relaxed),
            deadline,
            cancelled: AtomicBool::new(false),
            backends: Mutex::new(Vec::new()),
        }
    }

    /// Stop whatever statement this work is still running.
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let backends =
            std::mem::take(&mut *self.backends.lock().unwrap_or_else(|e| e.into_inner()));
        if backends.is_empty() {
            return;
        }
        // Dropped outside a runtime (the process is ending): nothing to send.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        for (pid, canceller) in backends {
            // Counted before it runs, so that closing the store waits for it.
            canceller.pending.fetch_add(1, Ordering::SeqCst);
            runtime.spawn(canceller.cancel(pid, self.id));
        }
    }
}

/// Cancels the work unless it completed.
struct CancelOnDrop(Option<Arc<Work>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(work) = self.0.take() {
            work.cancel();
        }
    }
}

/// Run `future` as one unit of database work: if it is dropped before it
/// completes, the statements it is running are interrupted. `deadline` also
/// bounds PostgreSQL statements server-side (see the module documentation).
pub async fn interruptible<F: Future>(deadline: Option<Instant>, future: F) -> F::Output {
    let work = Arc::new(Work::new(deadline));
    let mut armed = CancelOnDrop(Some(work.clone()));
    let output = CURRENT.scope(work, future).await;
    armed.0 = None;
    output
}

/// Whether `err` says a statement was interrupted (SQLite `SQLITE_INTERRUPT`,
/// PostgreSQL `query_canceled`: a cancel or `statement_timeout`).
pub(crate) fn is_interruption(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("9" | "57014")),
        _ => false,
    }
}

/// Acquisition hook of the SQLite pools: tie the connection to the current
/// work (or to none).
pub(crate) async fn bind_sqlite(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let work = CURRENT.try_with(Arc::clone).ok();
    let mut handle = conn.lock_handle().await?;
    match work {
        Some(work) => {
            let mut counted = false;
            handle.set_progress_handler(PROGRESS_OPS, move || {
                if !work.cancelled.load(Ordering::Relaxed) {
                    return true;
                }
                if !counted {
                    counted = true;
                    metrics::counter!("govpulse_db_statements_interrupted_total", "backend" => "sqlite")
                        .increment(1);
                }
                false
            });
        }
        None => handle.remove_progress_handler(),
    }
    Ok(())
}

/// Cancels PostgreSQL statements from outside the request pool, and knows
/// which work currently holds each backend so a cancel never reaches the
/// next holder of a connection.
pub(crate) struct PgCanceller {
    control: PgPool,
    /// Backend pid → id of the work holding it (0: none). A cancel holds the
    /// lock while it is sent, and acquisition takes it to change holder.
    holders: Mutex<HashMap<i32, Arc<tokio::sync::Mutex<u64>>>>,
    /// Cancels not yet sent, and a wake-up when the last one is.
    pending: AtomicUsize,
    settled: tokio::sync::Notify,
}

impl PgCanceller {
    pub(crate) fn new(control: PgPool) -> Self {
        Self {
            control,
            holders: Mutex::new(HashMap::new()),
            pending: AtomicUsize::new(0),
            settled: tokio::sync::Notify::new(),
        }
    }

    pub(crate) fn control(&self) -> &PgPool {
        &self.control
    }

    /// Wait until every cancel asked for has been sent. Closing the store
    /// must not close the control pool under them: closing a connection does
    /// not stop its backend's statement, which would run on for nobody.
    pub(crate) async fn settle(&self) {
        loop {
            let settled = self.settled.notified();
            if self.pending.load(Ordering::SeqCst) == 0 {
                return;
            }
            settled.await;
        }
    }

    fn holder(&self, pid: i32) -> Arc<tokio::sync::Mutex<u64>> {
        let mut holders = self.holders.lock().unwrap_or_else(|e| e.into_inner());
        // Closed connections leave their pid behind; forget the idle ones
        // now and then (an entry is recreated at the next acquisition).
        if holders.len() > 1024 {
            holders.retain(|_, holder| Arc::strong_count(holder) > 1);
        }
        holders.entry(pid).or_default().clone()
    }

    async fn cancel(self: Arc<Self>, pid: i32, work: u64) {
        self.send_cancel(pid, work).await;
        if self.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.settled.notify_waiters();
        }
    }

    async fn send_cancel(&self, pid: i32, work: u64) {
        let holder = self.holder(pid);
        let held = holder.lock().await;
        if *held != work {
            return; // the statement ended and the connection moved on
        }
        match sqlx::query_scalar::<_, bool>("SELECT pg_cancel_backend($1)")
            .bind(pid)
            .fetch_one(&self.control)
            .await
        {
            Ok(true) => {
                metrics::counter!("govpulse_db_statements_interrupted_total", "backend" => "postgres")
                    .increment(1);
            }
            Ok(false) => {}
            Err(err) => tracing::warn!(pid, error = %err, "cannot cancel a PostgreSQL statement"),
        }
        drop(held);
    }
}

/// Connection hook of the PostgreSQL pool. PostgreSQL 14 and later look at
/// the client's socket during long statements and stop those whose client
/// has gone (a process killed mid-request): a backstop for cancels that
/// never get sent. Older servers do not know the setting; that is no error.
pub(crate) async fn prepare_pg(
    conn: &mut PgConnection,
    canceller: &Arc<PgCanceller>,
) -> Result<(), sqlx::Error> {
    if let Err(err) =
        sqlx::query("SELECT set_config('client_connection_check_interval', '1000', false)")
            .execute(&mut *conn)
            .await
    {
        tracing::debug!(error = %err, "client_connection_check_interval not available");
    }
    bind_pg(conn, canceller).await
}

/// Acquisition hook of the PostgreSQL pool: learn the backend, bound its
/// statements by the work's deadline, and record who holds it. One round trip,
/// which replaces sqlx's ping before acquisition.
pub(crate) async fn bind_pg(
    conn: &mut PgConnection,
    canceller: &Arc<PgCanceller>,
) -> Result<(), sqlx::Error> {
    let work = CURRENT.try_with(Arc::clone).ok();
    let timeout_ms = work.as_ref().and_then(|w| w.deadline).map(|deadline| {
        let left = deadline.saturating_duration_since(Instant::now()) + STATEMENT_TIMEOUT_MARGIN;
        left.as_millis().to_string()
    });
    // Without a deadline: the server's own setting (0, or what a DBA chose).
    let (pid, _): (i32, String) = sqlx::query_as(
        "SELECT pg_backend_pid(), set_config('statement_timeout', COALESCE($1, \
         (SELECT reset_val FROM pg_settings WHERE name = 'statement_timeout')), false)",
    )
    .bind(timeout_ms)
    .fetch_one(&mut *conn)
    .await?;
    *canceller.holder(pid).lock().await = work.as_ref().map_or(0, |w| w.id);
    if let Some(work) = work {
        let mut backends = work.backends.lock().unwrap_or_else(|e| e.into_inner());
        if !backends.iter().any(|(p, _)| *p == pid) {
            backends.push((pid, canceller.clone()));
        }
    }
    Ok(())
}

/// Counts a store call as slow when it took longer than [`SLOW_CALL`]
/// (waiting for a connection included: that is slowness too).
pub(crate) struct CallTimer(Instant);

impl CallTimer {
    pub(crate) fn start() -> Self {
        Self(Instant::now())
    }
}

impl Drop for CallTimer {
    fn drop(&mut self) {
        if self.0.elapsed() > SLOW_CALL {
            metrics::counter!("govpulse_db_slow_calls_total").increment(1);
        }
    }
}
