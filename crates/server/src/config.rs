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
    /// Public (unauthenticated) guidance answers allowed per client IP per minute.
    pub public_rate_per_minute: u32,
    /// Intake and import requests (`/intake/*`, `/import/*`) allowed per
    /// caller (API token or user) per minute; more → 429 `intake.rate_limited`.
    pub intake_rate_per_minute: u32,
    /// Largest request body accepted by ordinary endpoints, in bytes.
    pub max_body_bytes: usize,
    /// Idle minutes before a session ends, used until a security admin sets a policy.
    pub idle_timeout_minutes: i64,
    /// Log as JSON lines instead of human-readable text.
    pub json_logs: bool,
    /// The identity-number key file (default: `govpulse.key` beside the SQLite
    /// database, or `data/govpulse.key`).
    pub key_file: Option<String>,
    /// Where the signed audit checkpoint is kept (outside the database; the
    /// CLI defaults it to `audit.checkpoint` beside the key file). None: no
    /// checkpoints are written.
    pub audit_checkpoint_file: Option<String>,
    /// Seconds between audit checkpoints (one more is written at shutdown).
    pub audit_checkpoint_secs: u64,
    /// Consultations up to this many days before an application are linked to it.
    pub link_window_days: i64,
    /// Office hours (09:00–18:00 of working days) without a record after
    /// which a configured source's feed counts as silent (`feed_silent` warning).
    pub feed_silent_hours: f64,
    /// Working days before an open work order's due time when its
    /// responsible unit is reminded (the yellow level of its overdue warning,
    /// once per order and state); 0: no reminders.
    pub workorder_reminder_days: u32,
    /// Where warnings raised outside rules (`workorder_overdue`,
    /// `tolerance_overdue`, `feed_silent`) are POSTed, like a rule's webhook
    /// (the host must be on the policy's webhook allowlist); None: inbox only.
    pub system_webhook_url: Option<String>,
    /// The HMAC-SHA256 signing secret of those deliveries.
    pub system_webhook_secret: Option<String>,
    /// Directory of background export files (created if missing; files are
    /// deleted 7 days after their job was created).
    pub export_dir: String,

    // Overload (see docs/architecture.md, "Overload"). Each class of API
    // request has a bound on requests in flight and on requests waiting for
    // one of those places; beyond them a request is refused at once (503
    // `server.busy`, `Retry-After`). The defaults suit 2 cores and SQLite's 8
    // read connections: reads and exports together (6) leave two free, so
    // sign-in, `/me`, the session lookups of writes and background work never
    // queue behind slow lists.
    /// List and detail reads (GET) in flight.
    pub reads_in_flight: usize,
    /// Reads waiting for a place.
    pub reads_queue: usize,
    /// Writes and intake in flight (SQLite writes one at a time anyway).
    pub writes_in_flight: usize,
    pub writes_queue: usize,
    /// Synchronous exports and simulations in flight (each builds a whole file
    /// or replays a period).
    pub exports_in_flight: usize,
    pub exports_queue: usize,
    /// Sign-in, password and TOTP changes in flight (argon2 also runs at most
    /// 4 at a time).
    pub logins_in_flight: usize,
    pub logins_queue: usize,
    /// `/me`, sign-out and the inbox badge poll in flight: cheap, and kept
    /// apart so they stay fast while reads are overloaded.
    pub sessions_in_flight: usize,
    pub sessions_queue: usize,
    /// Deadline of an ordinary request, in seconds: past it the request's
    /// database work is stopped and it answers 504 `server.timeout`.
    pub request_timeout_secs: u64,
    /// Deadline of intake and file imports.
    pub intake_timeout_secs: u64,
    /// Deadline of synchronous exports and simulations.
    pub export_timeout_secs: u64,
    /// On SIGTERM/ctrl-c, in-flight requests get this long to finish before
    /// they are cancelled.
    pub shutdown_grace_secs: u64,
    /// A connection that has not sent a whole request head (request line and
    /// headers) this many seconds after it started one is closed (slowloris).
    pub header_read_timeout_secs: u64,
    /// A request body that sends nothing for this many seconds is cut
    /// (request refused, its place in the overload bounds freed).
    pub body_read_timeout_secs: u64,
    /// Background export jobs one user may have queued or running at once.
    pub export_jobs_per_user: i64,
    /// `/metrics` answers scrapers on this machine (loopback peers) ...
    pub metrics_loopback: bool,
    /// ... and anyone sending `Authorization: Bearer <metrics_token>`.
    pub metrics_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_string(),
            secure_cookies: false,
            login_rate_per_minute: 30,
            public_rate_per_minute: 60,
            intake_rate_per_minute: 120,
            max_body_bytes: 1024 * 1024,
            idle_timeout_minutes: 30,
            json_logs: false,
            key_file: None,
            audit_checkpoint_file: None,
            audit_checkpoint_secs: 60,
            link_window_days: 30,
            feed_silent_hours: 8.0,
            workorder_reminder_days: 1,
            system_webhook_url: None,
            system_webhook_secret: None,
            export_dir: "data/exports".to_string(),
            reads_in_flight: 4,
            reads_queue: 1024,
            writes_in_flight: 4,
            writes_queue: 1024,
            exports_in_flight: 2,
            exports_queue: 16,
            logins_in_flight: 8,
            logins_queue: 1024,
            sessions_in_flight: 16,
            sessions_queue: 1024,
            request_timeout_secs: 30,
            intake_timeout_secs: 120,
            export_timeout_secs: 300,
            shutdown_grace_secs: 10,
            header_read_timeout_secs: 10,
            body_read_timeout_secs: 30,
            export_jobs_per_user: 5,
            metrics_loopback: true,
            metrics_token: None,
        }
    }
}

impl ServerConfig {
    pub fn shutdown_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.shutdown_grace_secs)
    }
}
