//! Per-client fixed-window rate limiting: logins and public guidance answers
//! per address, intake batches per caller (token or user).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

/// Allows `limit` events per client per minute.
pub struct RateLimiter<K = IpAddr> {
    limit: u32,
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Eq + Hash> RateLimiter<K> {
    pub fn per_minute(limit: u32) -> Self {
        Self {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Count one event for `client`; false when over the limit.
    pub fn allow(&self, client: K) -> bool {
        self.check(client).is_ok()
    }

    /// Count one event for `client`; over the limit, the whole seconds until
    /// its window ends (at least 1).
    pub fn check(&self, client: K) -> Result<(), u64> {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            // Bound memory under a spray of clients: forget expired windows.
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 <= self.limit {
            Ok(())
        } else {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            Err(left.as_secs_f64().ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_client_separately() {
        let limiter = RateLimiter::per_minute(3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
    }

    #[test]
    fn over_the_limit_says_how_long_to_wait() {
        let limiter = RateLimiter::per_minute(1);
        assert_eq!(limiter.check("token:a"), Ok(()));
        let wait = limiter.check("token:a").unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        assert_eq!(limiter.check("token:b"), Ok(()));
    }
}
