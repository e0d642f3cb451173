//! Group commit of audit records written on their own (reads, refusals): the
//! records that arrive while one batch is being committed are appended by the
//! next batch, in one transaction, so 500 officials reading the audit log (each
//! read is itself audited, SEC-3) cost one write transaction per batch, not
//! one each. A caller still returns only once its record is committed.

use crate::audit::AuditRecord;
use crate::db::{Store, StoreResult};
use std::sync::Mutex;
use tokio::sync::oneshot;

/// The most records one transaction appends.
const BATCH: usize = 256;

/// Records waiting for the next batch, each with whom to tell.
#[derive(Default)]
pub(crate) struct AuditQueue {
    waiting: Mutex<Vec<(AuditRecord, oneshot::Sender<bool>)>>,
    /// Held while a batch is written: the chain grows one batch at a time.
    writing: tokio::sync::Mutex<()>,
}

impl AuditQueue {
    fn push(&self, record: AuditRecord) -> oneshot::Receiver<bool> {
        let (done, outcome) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((record, done));
        outcome
    }

    fn take(&self) -> Vec<(AuditRecord, oneshot::Sender<bool>)> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let keep = waiting.len().min(BATCH);
        let rest = waiting.split_off(keep);
        std::mem::replace(&mut *waiting, rest)
    }
}

impl Store {
    /// Record one audited action (refusals, reads), committed with whatever
    /// other records wait at the same moment.
    ///
    /// The batch is written by a spawned task, so a caller that goes away
    /// (its request cancelled) never takes the others' records down with it.
    /// When a batch fails, each of its callers appends its record alone and
    /// gets its own error.
    pub async fn audit(&self, record: &AuditRecord) -> StoreResult<()> {
        let outcome = self.audit_queue.push(record.clone());
        let store = self.clone();
        tokio::spawn(async move { store.write_audit_batch().await });
        match outcome.await {
            Ok(true) => Ok(()),
            _ => self.append_audit_records(std::iter::once(record)).await,
        }
    }

    /// Append the waiting records (up to [`BATCH`]) in one transaction and tell
    /// their callers; nothing to do when an earlier batch took them.
    async fn write_audit_batch(&self) {
        let _writing = self.audit_queue.writing.lock().await;
        let batch = self.audit_queue.take();
        if batch.is_empty() {
            return;
        }
        let written = self
            .append_audit_records(batch.iter().map(|(record, _)| record))
            .await
            .is_ok();
        for (_, done) in batch {
            // A caller that went away needs no answer.
            let _ = done.send(written);
        }
    }

    async fn append_audit_records(
        &self,
        records: impl Iterator<Item = &AuditRecord>,
    ) -> StoreResult<()> {
        on_write!(self, forget: self.totals.forget_audit(), pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            for record in records {
                append_audit!(pool, tx, record);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
