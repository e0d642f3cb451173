//! Recently resolved sessions, so that a signed-in request needs no database
//! round trip to learn who is calling (issue 17: `/me` and the lists stay
//! cheap when the database is busy).
//!
//! An entry is trusted only while nothing was written through this process's
//! store since it was read (the store's write generation: a sign-out, a role
//! or password change, a disabled account, a session touch — any write) and
//! for at most [`TTL`], which bounds how long a change made by *another*
//! server process (PostgreSQL scale-out) can go unseen.

use super::caller::Caller;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest time a resolved session is reused without reading it again.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries kept at most; beyond, the cache starts over (sessions are few).
const CAPACITY: usize = 10_000;

/// A caller as resolved from a session, with what the idle-timeout check needs.
#[derive(Clone)]
pub struct ResolvedSession {
    pub caller: Caller,
    pub last_seen_at: i64,
}

struct Entry {
    session: ResolvedSession,
    generation: u64,
    at: Instant,
}

#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl SessionCache {
    /// The session `id_hash` resolved at write generation `generation`, if
    /// nothing was written since and it is fresh.
    pub fn get(&self, id_hash: &str, generation: u64) -> Option<ResolvedSession> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(id_hash)
            .filter(|e| e.generation == generation && e.at.elapsed() < TTL)
            .map(|e| e.session.clone())
    }

    /// Remember a session read at `generation` (the generation taken before
    /// the reads, so a write racing them makes the entry useless, not stale).
    pub fn put(&self, id_hash: &str, generation: u64, session: ResolvedSession) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(
            id_hash.to_string(),
            Entry {
                session,
                generation,
                at: Instant::now(),
            },
        );
    }

    /// Forget a session at once (sign-out, expiry).
    pub fn forget(&self, id_hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(id_hash);
        }
    }
}
