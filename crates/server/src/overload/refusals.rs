//! Audit of refusals that can come in floods (SEC-3) — requests shed for
//! overload, logins over the rate limit, forged or stale session cookies and
//! API tokens — without letting the flood into the audit log: one row per
//! refusal would put a write in the single writer's queue for every one,
//! exactly when there is least room (or at an attacker's pace). The first
//! refusal of a kind to a client address is written at once; the others in
//! the next [`WINDOW`] are summed into one row when the window ends.

use govpulse_core::audit::Outcome;
use govpulse_core::time::now_ms;
use govpulse_store::audit::AuditRecord;
use govpulse_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(10);
/// Distinct (class, address) windows kept; beyond, refusals are summed per
/// class under the address `*` (a spray of addresses stays bounded).
const MAX_WINDOWS: usize = 10_000;

struct Window {
    opened: Instant,
    from_ms: i64,
    /// Refusals after the first (already written).
    more: u64,
    reasons: Vec<&'static str>,
}

#[derive(Default)]
struct Windows {
    open: HashMap<(Refused, String), Window>,
    /// Whether a task is writing the summaries (it ends when none is open).
    flushing: bool,
}

#[derive(Default)]
pub struct Refusals {
    windows: Mutex<Windows>,
}

/// A kind of refusal: the audit action and what was refused (for an
/// overload refusal, the request class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Refused {
    pub action: &'static str,
    pub kind: &'static str,
}

/// What the audit row says about one refused request (or several).
fn refusal(refused: Refused, ip: &str, route: &str, details: serde_json::Value) -> AuditRecord {
    AuditRecord {
        // Refused before authentication: who it was is not known.
        actor: "anonymous".to_string(),
        ip: ip.to_string(),
        action: refused.action.to_string(),
        object_type: "endpoint".to_string(),
        object_id: route.to_string(),
        result: Outcome::Denied,
        details: serde_json::json!({ "kind": refused.kind, "refusal": details }),
    }
}

impl Refusals {
    /// Count one refused request of kind `refused` from `ip` to `route`.
    pub fn record(
        self: &Arc<Self>,
        store: &Store,
        refused: Refused,
        ip: &str,
        route: &str,
        reason: &'static str,
    ) {
        let (first, start_flusher) = {
            let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
            let mut key = (refused, ip.to_string());
            if windows.open.len() >= MAX_WINDOWS && !windows.open.contains_key(&key) {
                key.1 = "*".to_string();
            }
            let first = match windows.open.get_mut(&key) {
                Some(window) => {
                    window.more += 1;
                    if !window.reasons.contains(&reason) {
                        window.reasons.push(reason);
                    }
                    false
                }
                None => {
                    windows.open.insert(
                        key,
                        Window {
                            opened: Instant::now(),
                            from_ms: now_ms(),
                            more: 0,
                            reasons: Vec::new(),
                        },
                    );
                    true
                }
            };
            let start_flusher = !windows.flushing;
            windows.flushing = true;
            (first, start_flusher)
        };
        if first {
            let record = refusal(refused, ip, route, serde_json::json!({ "reason": reason }));
            let store = store.clone();
            tokio::spawn(async move {
                if let Err(err) = store.audit(&record).await {
                    tracing::warn!(error = %err, "cannot audit a refused request");
                }
            });
        }
        if start_flusher {
            tokio::spawn(self.clone().flush(store.clone()));
        }
    }

    /// Write the summary of each window as it ends; stop when none is open.
    async fn flush(self: Arc<Self>, store: Store) {
        loop {
            tokio::time::sleep(WINDOW / 2).await;
            let (ended, done): (Vec<_>, bool) = {
                let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
                let keys: Vec<_> = windows
                    .open
                    .iter()
                    .filter(|(_, w)| w.opened.elapsed() >= WINDOW || store.is_closed())
                    .map(|(key, _)| key.clone())
                    .collect();
                let ended = keys
                    .into_iter()
                    .filter_map(|key| windows.open.remove_entry(&key))
                    .collect();
                // A refusal after this starts another flusher.
                let done = windows.open.is_empty();
                if done {
                    windows.flushing = false;
                }
                (ended, done)
            };
            for ((refused, ip), window) in ended {
                if window.more == 0 || store.is_closed() {
                    continue;
                }
                let details = serde_json::json!({
                    "refused": window.more,
                    "from": govpulse_core::time::to_rfc3339(window.from_ms),
                    "to": govpulse_core::time::to_rfc3339(now_ms()),
                    "reasons": window.reasons,
                });
                if let Err(err) = store
                    .audit(&refusal(refused, &ip, refused.kind, details))
                    .await
                {
                    tracing::warn!(error = %err, "cannot audit refused requests");
                }
            }
            if done {
                return;
            }
        }
    }
}
