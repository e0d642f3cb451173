//! Values derived from the store, remembered while they are still true: an
//! entry is valid only at the write generation it was read at (every write
//! through the store moves it on, [`crate::Store::write_generation`]) and for
//! at most the cache's time to live, which bounds how late another server
//! process's writes can show. Used for list totals and resolved sessions.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Distinct keys remembered; past it the memory starts over.
const CAPACITY: usize = 10_000;

pub struct Remembered<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry<V>>>,
}

struct Entry<V> {
    generation: u64,
    at: Instant,
    value: V,
}

impl<V: Clone> Remembered<V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value under `key` if it was read at `generation` and is fresh.
    pub fn get(&self, key: &str, generation: u64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < self.ttl)
            .map(|e| e.value.clone())
    }

    /// Remember `value`, read at `generation` (taken before the reads, so a
    /// write racing them makes the entry useless, not stale).
    pub fn put(&self, key: &str, generation: u64, value: V) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        let entry = Entry {
            generation,
            at: Instant::now(),
            value,
        };
        entries.insert(key.to_string(), entry);
    }

    /// Forget `key` at once.
    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}
