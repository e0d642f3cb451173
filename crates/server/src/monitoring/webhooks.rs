//! Outbound webhooks (MON-6): each queued delivery is POSTed with an
//! HMAC-SHA256 signature of the body, retried with growing delays, and logged.
//!
//! Destinations pass the security admin's allowlist twice (issue 11,
//! Medium 5): when a rule is saved (its host) and right before each send (the
//! addresses the host resolves to; the request then connects to exactly the
//! address checked, without following redirects). The log keeps the HTTP
//! status and a category of failure, never the transport's error text, so it
//! cannot serve as a port scanner.

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::http::StatusCode;
use govpulse_core::monitoring::destinations::{bare_ip, Refusal};
use govpulse_core::monitoring::rule::RuleDef;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::SocketAddr;
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

/// Before a rule with a webhook is saved: its host must be on the allowlist
/// (400 `rule.invalid` naming `webhook.url`), and the saver's data scope is
/// recorded in it — its deliveries carry only warnings inside that scope.
pub async fn admit(state: &AppState, caller: &Caller, def: &mut RuleDef) -> ApiResult<()> {
    let Some(hook) = def.webhook.as_mut() else {
        return Ok(());
    };
    let allowlist = state.policy().await?.webhook_destinations();
    let host = reqwest::Url::parse(hook.url.trim())
        .ok()
        .and_then(|url| url.host_str().map(str::to_string));
    if !host.is_some_and(|host| allowlist.admits_host(&host)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "rule.invalid",
            "预警规则有误，请按提示修改",
        )
        .with_details(serde_json::json!({ "webhook.url": Refusal::NotListed.to_string() })));
    }
    hook.scope = Some(caller.scope.clone());
    Ok(())
}

/// The host and the checked address a request to `url` may connect to (any
/// outbound request to a URL a user chose: webhooks, code list sources), or
/// why it is refused, in words.
pub(crate) async fn destination(
    state: &AppState,
    url: &str,
) -> Result<(String, SocketAddr), String> {
    let url = reqwest::Url::parse(url).map_err(|_| Refusal::NotListed.to_string())?;
    let host = url.host_str().ok_or(Refusal::NotListed.to_string())?;
    let port = url.port_or_known_default().unwrap_or(80);
    // An address host (`[::1]` in a URL) without its brackets, else the name.
    let bare = bare_ip(host).map_or_else(|| host.to_string(), |ip| ip.to_string());
    let resolved: Vec<SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .map(Iterator::collect)
        .unwrap_or_default();
    let addresses: Vec<_> = resolved.iter().map(SocketAddr::ip).collect();
    let allowlist = state
        .policy()
        .await
        .map_err(|_| "安全策略暂不可读".to_string())?
        .webhook_destinations();
    allowlist
        .check(host, &addresses)
        .map_err(|refusal| refusal.to_string())?;
    let first = resolved
        .first()
        .copied()
        .ok_or(Refusal::Unresolved.to_string())?;
    Ok((bare, first))
}

/// What the log says about a failed send: a category, not the error text.
fn failure_category(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "请求超时"
    } else if err.is_connect() {
        "连接失败"
    } else {
        "发送失败"
    }
}

/// Send what is due now; returns the number of attempts made.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let now = govpulse_core::time::now_ms();
    let due = state.store.due_deliveries(now, 50).await?;
    let rules = state.monitor.rules();
    for delivery in &due {
        // A rule's delivery is signed with its secret; one of a warning
        // raised outside rules, with the system webhook's.
        let secret = match rules.iter().find(|r| r.def.code == delivery.rule_code) {
            Some(rule) => super::rules::webhook_secret(state, &rule.def),
            None => state.config.system_webhook_secret.clone(),
        }
        .unwrap_or_default();
        let (status, error) = match destination(state, &delivery.url).await {
            Ok((host, address)) => send(&host, address, delivery, &secret).await,
            Err(refusal) => (None, Some(refusal)),
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

/// A client that connects `host` to exactly the checked `address`, follows
/// no redirect (a redirect could lead past the allowlist) and gives up after
/// ten seconds.
pub(crate) fn pinned_client(host: &str, address: SocketAddr) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(host, address)
        .build()
}

/// POST one delivery to `address` (the checked one) for `host`; the HTTP
/// status and the failure to log.
async fn send(
    host: &str,
    address: SocketAddr,
    delivery: &govpulse_store::monitoring::DeliveryRow,
    secret: &str,
) -> (Option<i32>, Option<String>) {
    let client = match pinned_client(host, address) {
        Ok(client) => client,
        Err(err) => return (None, Some(failure_category(&err).to_string())),
    };
    let result = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("x-govpulse-signature", signature(secret, &delivery.payload))
        .header("x-govpulse-delivery", delivery.id.to_string())
        .body(delivery.payload.clone())
        .send()
        .await;
    match result {
        Ok(response) if response.status().is_success() => {
            (Some(i32::from(response.status().as_u16())), None)
        }
        Ok(response) => (
            Some(i32::from(response.status().as_u16())),
            Some(format!("HTTP {}", response.status().as_u16())),
        ),
        Err(err) => (None, Some(failure_category(&err).to_string())),
    }
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
    loop {
        match deliver_due(&state).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "webhook delivery pass failed"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
