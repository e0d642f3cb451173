//! Shared application state.

use crate::aggregation::vault::IdentityVault;
use crate::config::ServerConfig;
use crate::identity::policy::SecurityPolicy;
use crate::identity::rate_limit::RateLimiter;
use govpulse_store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// How long a cached security policy is trusted before re-reading it, so that a
/// change made through another server process takes effect quickly.
const POLICY_TTL: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub vault: Arc<IdentityVault>,
    /// Warning rules, the working-day calendar and the evaluator.
    pub monitor: Arc<crate::monitoring::engine::Monitor>,
    /// The dashboard's cube and hot-word counts.
    pub dashboard: Arc<crate::dashboard::engine::Dashboard>,
    pub config: Arc<ServerConfig>,
    pub login_limiter: Arc<RateLimiter>,
    /// Brake on the public guidance endpoints.
    pub public_limiter: Arc<RateLimiter>,
    /// Intake batches per caller (token or user) per minute.
    pub intake_limiter: Arc<RateLimiter<String>>,
    /// Request bounds, refusal auditing and the shutdown state (issue 17).
    pub overload: Arc<crate::overload::Overload>,
    /// Recently resolved sessions (see its module).
    pub sessions: Arc<crate::identity::session_cache::SessionCache>,
    policy: Arc<RwLock<Option<(SecurityPolicy, Instant)>>>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig, vault: IdentityVault) -> Self {
        let login_limiter = Arc::new(RateLimiter::per_minute(config.login_rate_per_minute));
        let public_limiter = Arc::new(RateLimiter::per_minute(config.public_rate_per_minute));
        store.set_system_webhook(config.system_webhook_url.clone());
        let intake_limiter = Arc::new(RateLimiter::per_minute(config.intake_rate_per_minute));
        Self {
            store,
            vault: Arc::new(vault),
            monitor: Arc::new(crate::monitoring::engine::Monitor::default()),
            dashboard: Arc::default(),
            overload: Arc::new(crate::overload::Overload::new(&config)),
            config: Arc::new(config),
            login_limiter,
            public_limiter,
            intake_limiter,
            sessions: Arc::new(crate::identity::session_cache::new_session_cache()),
            policy: Arc::new(RwLock::new(None)),
        }
    }

    /// The security policy in force (cached briefly).
    pub async fn policy(&self) -> Result<SecurityPolicy, govpulse_store::StoreError> {
        if let Some((policy, at)) = &*self.policy.read().await {
            if at.elapsed() < POLICY_TTL {
                return Ok(policy.clone());
            }
        }
        let policy = SecurityPolicy::load(&self.store, self.config.idle_timeout_minutes).await?;
        *self.policy.write().await = Some((policy.clone(), Instant::now()));
        Ok(policy)
    }

    /// The intake pipeline over this state's store and vault.
    pub fn pipeline(&self) -> crate::aggregation::pipeline::Pipeline<'_> {
        crate::aggregation::pipeline::Pipeline {
            store: &self.store,
            vault: &self.vault,
            link_window_ms: self.config.link_window_days * 86_400_000,
            audit: None,
        }
    }

    /// Forget the cached policy after a change.
    pub async fn policy_changed(&self) {
        *self.policy.write().await = None;
    }
}
