//! Outbound webhooks (MON-6): each queued delivery is POSTed with an
//! HMAC-SHA256 signature of the body, retried with growing delays, and logged.

use crate::state::AppState;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// Delay before the n-th retry; after the last, the delivery fails for good.
const BACKOFF_MS: &[i64] = &[10_000, 60_000, 300_000, 1_800_000, 7_200_000];
const TIMEOUT: Duration = Duration::from_secs(10);

/// `sha256=<hex>` of the body under the rule's secret (empty secret: unsigned body still signed with "").
pub fn signature(secret: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Send what is due now; returns the number of attempts made.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> anyhow::Result<usize> {
    let now = govpulse_core::time::now_ms();
    let due = state.store.due_deliveries(now, 50).await?;
    let rules = state.monitor.rules();
    for delivery in &due {
        let secret = rules
            .iter()
            .find(|r| r.def.code == delivery.rule_code)
            .and_then(|r| super::rules::webhook_secret(state, &r.def))
            .unwrap_or_default();
        let result = client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header(
                "x-govpulse-signature",
                signature(&secret, &delivery.payload),
            )
            .header("x-govpulse-delivery", delivery.id.to_string())
            .body(delivery.payload.clone())
            .send()
            .await;
        let (status, error) = match result {
            Ok(response) if response.status().is_success() => {
                (Some(i32::from(response.status().as_u16())), None)
            }
            Ok(response) => (
                Some(i32::from(response.status().as_u16())),
                Some(format!("HTTP {}", response.status().as_u16())),
            ),
            Err(err) => (None, Some(err.to_string())),
        };
        let retry_at = error
            .as_ref()
            .and_then(|_| BACKOFF_MS.get(delivery.attempts as usize))
            .map(|delay| now + delay);
        state
            .store
            .record_delivery(
                delivery.id,
                status,
                error.as_deref(),
                retry_at,
                govpulse_core::time::now_ms(),
            )
            .await?;
    }
    Ok(due.len())
}

/// Run the delivery worker until the server drains (a delivery cut short is
/// retried: deliveries are recorded only once answered).
pub fn spawn(state: AppState) {
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = deliver(state) => {}
            () = shutdown.draining() => {}
        }
    });
}

async fn deliver(state: AppState) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "webhook client unavailable");
            return;
        }
    };
    loop {
        match deliver_due(&state, &client).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "webhook delivery pass failed"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
