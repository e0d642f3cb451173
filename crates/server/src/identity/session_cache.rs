//! Recently resolved sessions, so that a signed-in request needs no database
//! round trip to learn who is calling (issue 17: `/me` and the lists stay
//! cheap when the database is busy).
//!
//! An entry is trusted only while nothing was written through this process's
//! store since it was read (a sign-out, a role or password change, a disabled
//! account, a session touch — any write) and for at most [`TTL`], which
//! bounds how long a change made by *another* server process (PostgreSQL
//! scale-out) can go unseen.

use super::caller::Caller;
use govpulse_store::remembered::Remembered;
use std::time::Duration;

/// Longest time a resolved session is reused without reading it again.
pub const TTL: Duration = Duration::from_secs(2);

/// A caller as resolved from a session, with what the idle-timeout check needs.
#[derive(Clone)]
pub struct ResolvedSession {
    pub caller: Caller,
    pub last_seen_at: i64,
}

/// Resolved sessions by the SHA-256 of their cookie.
pub type SessionCache = Remembered<ResolvedSession>;

pub fn new_session_cache() -> SessionCache {
    Remembered::new(TTL)
}
