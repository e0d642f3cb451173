//! A bound on one class of requests: so many in flight, so many waiting for a
//! place (first come, first served); beyond that, or when the wait would
//! outlast the request's deadline, a refusal at once.

use super::Class;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// `Retry-After` never says more than this: the estimate is rough, and a
/// client told to come back in ten minutes has given up.
const MAX_RETRY_AFTER_SECS: u64 = 60;

pub struct Limiter {
    class: Class,
    in_flight: usize,
    queue: usize,
    places: Arc<Semaphore>,
    waiting: AtomicUsize,
    /// Moving average of how long a place is held, in microseconds (0: no
    /// request has finished yet).
    hold_us: AtomicU64,
}

/// Why a request was refused, and when to come back.
#[derive(Debug, Clone, Copy)]
pub struct Busy {
    /// `queue_full`, `wait_exceeds_deadline` or `deadline_while_waiting`.
    pub reason: &'static str,
    pub retry_after_secs: u64,
}

/// A place in flight; held until the request's response is complete.
pub struct Place {
    limiter: Arc<Limiter>,
    since: Instant,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Place {
    fn drop(&mut self) {
        let held = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        // An eighth of each new sample: steady under jitter, yet a change of
        // load shows within a few dozen requests.
        let old = self.limiter.hold_us.load(Ordering::Relaxed);
        let new = if old == 0 {
            held
        } else {
            old - old / 8 + held / 8
        };
        self.limiter.hold_us.store(new.max(1), Ordering::Relaxed);
        // The permit is released right after this, hence the + 1.
        self.limiter.report_in_flight(1);
    }
}

/// Counts a waiter out however its wait ends.
struct Waiting<'a>(&'a Limiter);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let now = self.0.waiting.fetch_sub(1, Ordering::SeqCst) - 1;
        self.0.report_waiting(now);
    }
}

impl Limiter {
    pub fn new(class: Class, in_flight: usize, queue: usize) -> Self {
        // No place at all would refuse everything: a misconfiguration, not a policy.
        let in_flight = in_flight.max(1);
        Self {
            class,
            in_flight,
            queue,
            places: Arc::new(Semaphore::new(in_flight)),
            waiting: AtomicUsize::new(0),
            hold_us: AtomicU64::new(0),
        }
    }

    /// A place for a request that must have started by `deadline`.
    pub async fn enter(self: &Arc<Self>, deadline: Instant) -> Result<Place, Busy> {
        if let Ok(permit) = self.places.clone().try_acquire_owned() {
            return Ok(self.place(permit));
        }
        let position = self.waiting.fetch_add(1, Ordering::SeqCst) + 1;
        let waiting = Waiting(self);
        self.report_waiting(position);
        if position > self.queue {
            return Err(self.busy("queue_full", position));
        }
        // Waiting for nothing helps nobody: refuse now what could not start
        // before its deadline, so the client can retry (or go elsewhere).
        if Instant::now() + self.estimated_wait(position) >= deadline {
            return Err(self.busy("wait_exceeds_deadline", position));
        }
        let acquired =
            tokio::time::timeout_at(deadline.into(), self.places.clone().acquire_owned()).await;
        drop(waiting);
        match acquired {
            Ok(Ok(permit)) => Ok(self.place(permit)),
            // Timed out (the semaphore is never closed).
            _ => Err(self.busy("deadline_while_waiting", position)),
        }
    }

    fn place(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Place {
        self.report_in_flight(0);
        Place {
            limiter: self.clone(),
            since: Instant::now(),
            _permit: permit,
        }
    }

    /// How long the request at `position` in the queue should wait: the
    /// places ahead of it free up at `in_flight` per average hold.
    fn estimated_wait(&self, position: usize) -> Duration {
        let hold = self.hold_us.load(Ordering::Relaxed);
        let micros = hold.saturating_mul(position as u64) / self.in_flight as u64;
        Duration::from_micros(micros)
    }

    fn busy(&self, reason: &'static str, position: usize) -> Busy {
        let wait = self.estimated_wait(position).as_secs_f64().ceil() as u64;
        metrics::counter!("govpulse_requests_refused_total", "class" => self.class.name(), "reason" => reason)
            .increment(1);
        Busy {
            reason,
            retry_after_secs: wait.clamp(1, MAX_RETRY_AFTER_SECS),
        }
    }

    /// `released`: places about to be given back by the caller.
    fn report_in_flight(&self, released: usize) {
        let used =
            self.in_flight - (self.places.available_permits() + released).min(self.in_flight);
        metrics::gauge!("govpulse_requests_in_flight", "class" => self.class.name())
            .set(used as f64);
    }

    fn report_waiting(&self, waiting: usize) {
        metrics::gauge!("govpulse_requests_waiting", "class" => self.class.name())
            .set(waiting as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn later(secs: u64) -> Instant {
        Instant::now() + Duration::from_secs(secs)
    }

    #[tokio::test]
    async fn refuses_beyond_the_queue_and_serves_in_order() {
        let limiter = Arc::new(Limiter::new(Class::Read, 1, 1));
        let first = limiter.enter(later(30)).await.expect("a free place");
        let queued = tokio::spawn({
            let limiter = limiter.clone();
            async move { limiter.enter(later(30)).await.map(|_| ()) }
        });
        while limiter.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let refused = limiter.enter(later(30)).await.err().expect("queue full");
        assert_eq!(refused.reason, "queue_full");
        assert!(refused.retry_after_secs >= 1);
        drop(first);
        queued
            .await
            .unwrap()
            .expect("the queued request gets the place");
    }

    #[tokio::test]
    async fn refuses_at_once_what_could_not_start_before_its_deadline() {
        let limiter = Arc::new(Limiter::new(Class::Read, 1, 100));
        limiter.hold_us.store(10_000_000, Ordering::Relaxed); // 10 s a request
        let _held = limiter.enter(later(30)).await.expect("a free place");
        let started = Instant::now();
        let refused = limiter.enter(later(5)).await.err().expect("refused");
        assert_eq!(refused.reason, "wait_exceeds_deadline");
        assert_eq!(refused.retry_after_secs, 10);
        assert!(started.elapsed() < Duration::from_millis(100));
        // With time enough it waits, and gives up at its deadline.
        limiter.hold_us.store(1, Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_millis(200);
        let refused = limiter.enter(deadline).await.err().expect("refused");
        assert_eq!(refused.reason, "deadline_while_waiting");
        assert!(Instant::now() >= deadline);
    }
}
