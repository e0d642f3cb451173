//! Server configuration: compiled-in defaults, overridden by a TOML file and by
//! `GOVPULSE_*` environment variables (the CLI merges them).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: String,
    /// Mark cookies `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// Login attempts allowed per client IP per minute (brute-force brake in
    /// front of the per-account lockout).
    pub login_rate_per_minute: u32,
    /// Largest request body accepted by ordinary endpoints, in bytes.
    pub max_body_bytes: usize,
    /// Idle minutes before a session ends, used until a security admin sets a policy.
    pub idle_timeout_minutes: i64,
    /// Log as JSON lines instead of human-readable text.
    pub json_logs: bool,
    /// The identity-number key file (default: `govpulse.key` beside the SQLite
    /// database, or `data/govpulse.key`).
    pub key_file: Option<String>,
    /// Consultations up to this many days before an application are linked to it.
    pub link_window_days: i64,
    /// Directory of background export files (created if missing; files are
    /// deleted 7 days after their job was created).
    pub export_dir: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_string(),
            secure_cookies: false,
            login_rate_per_minute: 30,
            max_body_bytes: 1024 * 1024,
            idle_timeout_minutes: 30,
            json_logs: false,
            key_file: None,
            link_window_days: 30,
            export_dir: "data/exports".to_string(),
        }
    }
}
