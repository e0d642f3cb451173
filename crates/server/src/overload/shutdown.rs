//! The stop of a server process: draining (no new connections; requests in
//! flight finish; background workers stop at their next consistent point),
//! then, after the grace period, cancelling what is still running.

use std::sync::{Mutex, OnceLock};
use std::time::Instant;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Running,
    Draining,
    Cancelling,
}

pub struct Shutdown {
    phase: watch::Sender<Phase>,
    /// When draining started (the grace period counts from there).
    draining_since: OnceLock<Instant>,
    /// Background workers whose stop is awaited (the evaluator, the export
    /// runner): they end on their own once draining starts.
    workers: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            phase: watch::Sender::new(Phase::Running),
            draining_since: OnceLock::new(),
            workers: Mutex::new(Vec::new()),
        }
    }
}

impl Shutdown {
    fn advance(&self, to: Phase) {
        self.phase.send_if_modified(|phase| {
            let later = *phase < to;
            if later {
                *phase = to;
            }
            later
        });
    }

    /// Stop taking new work.
    pub fn drain(&self) {
        self.draining_since.get_or_init(Instant::now);
        self.advance(Phase::Draining);
    }

    /// When draining started, if it has.
    pub fn draining_since(&self) -> Option<Instant> {
        self.draining_since.get().copied()
    }

    /// Stop the work still running.
    pub fn cancel(&self) {
        self.advance(Phase::Cancelling);
    }

    pub fn is_draining(&self) -> bool {
        *self.phase.borrow() >= Phase::Draining
    }

    async fn reached(&self, phase: Phase) {
        let mut watching = self.phase.subscribe();
        // The sender lives as long as `self`, so this only ends at `phase`.
        let _ = watching.wait_for(|now| *now >= phase).await;
    }

    /// Resolves once draining has started.
    pub async fn draining(&self) {
        self.reached(Phase::Draining).await;
    }

    /// Resolves once the grace period is over.
    pub async fn cancelled(&self) {
        self.reached(Phase::Cancelling).await;
    }

    /// Await `handle` when the server stops.
    pub fn keep(&self, name: &'static str, handle: JoinHandle<()>) {
        self.workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name, handle));
    }

    /// Wait for the background workers to stop until `deadline`; the ones
    /// still running then are aborted (their transactions roll back).
    pub async fn join_workers(&self, deadline: Instant) {
        let workers = std::mem::take(&mut *self.workers.lock().unwrap_or_else(|e| e.into_inner()));
        let deadline = tokio::time::Instant::from_std(deadline);
        for (name, mut handle) in workers {
            match tokio::time::timeout_at(deadline, &mut handle).await {
                Ok(Ok(())) => tracing::debug!(worker = name, "stopped"),
                Ok(Err(err)) => {
                    tracing::warn!(worker = name, error = %err, "worker ended abnormally")
                }
                Err(_) => {
                    tracing::warn!(worker = name, "worker did not stop in time; aborting it");
                    handle.abort();
                }
            }
        }
    }
}
