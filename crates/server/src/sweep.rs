//! Periodic background sweeps that stop when the server drains.

use crate::state::AppState;
use std::future::Future;

/// Call `sweep(state, now)` every `secs` seconds (and at once) until the
/// server drains; a failed sweep is logged as `what` and the next one runs.
pub fn every<F, Fut>(state: &AppState, secs: u64, what: &'static str, sweep: F)
where
    F: Fn(AppState, i64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let state = state.clone();
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        let run = async {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(secs));
            loop {
                tick.tick().await;
                if let Err(err) = sweep(state.clone(), govpulse_core::time::now_ms()).await {
                    tracing::warn!(error = ?err, "{what} failed");
                }
            }
        };
        tokio::select! {
            () = run => {}
            () = shutdown.draining() => {}
        }
    });
}
