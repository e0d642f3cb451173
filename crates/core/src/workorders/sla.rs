//! Working-day SLAs of order states, on MON-1's calendar and clock rules
//! (`monitoring::clock::deadline`): entering a state with an SLA of N working
//! days starts a clock due at 23:59:59 of the N-th working day after the day
//! of entry. A paused state (waiting on the applicant) suspends the clock of
//! the state before it; when the order resumes, the working days it waited
//! (counted as MON-1 counts suspensions) push the deadline out.

use super::StateDef;
use crate::monitoring::calendar::{local_date, WorkCalendar};
use crate::monitoring::clock::{deadline, Unit};
use serde_json::{Map, Value};

/// An order's clock as stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// When the clocked state was entered.
    pub started_at: i64,
    /// Working days spent paused since then.
    pub suspended_days: i64,
    /// Set while the order waits in a paused state.
    pub paused_at: Option<i64>,
}

impl Clock {
    pub fn start(now_ms: i64) -> Self {
        Self {
            started_at: now_ms,
            suspended_days: 0,
            paused_at: None,
        }
    }
}

/// The clock and due time after entering a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entered {
    pub clock: Clock,
    pub due_at: Option<i64>,
}

/// The due time of a budget of `days` working days from `started_at`,
/// extended by `suspended_days` working days.
pub fn due(calendar: &WorkCalendar, started_at: i64, days: u32, suspended_days: i64) -> i64 {
    let base = deadline(calendar, started_at, days, Unit::Working, &[]).deadline_ms;
    if suspended_days <= 0 {
        return base;
    }
    let extended = calendar.nth_working_day_after(
        local_date(base),
        u32::try_from(suspended_days).unwrap_or(u32::MAX),
    );
    crate::monitoring::calendar::end_of_day(extended)
}

/// Enter `to` at `now_ms` with the order's current `clock` and `data`.
pub fn enter(
    calendar: &WorkCalendar,
    to: &StateDef,
    data: &Map<String, Value>,
    clock: &Clock,
    now_ms: i64,
) -> Entered {
    if to.paused {
        return Entered {
            clock: Clock {
                paused_at: Some(clock.paused_at.unwrap_or(now_ms)),
                ..*clock
            },
            due_at: None,
        };
    }
    let clock = match clock.paused_at {
        // Resuming: the state's clock continues, the wait does not count.
        Some(paused_at) => Clock {
            started_at: clock.started_at,
            suspended_days: clock.suspended_days
                + calendar.working_days_between(local_date(paused_at), local_date(now_ms)),
            paused_at: None,
        },
        None => Clock::start(now_ms),
    };
    let due_at = match (to.terminal, to.budget(data)) {
        (false, Some(days)) => Some(due(calendar, clock.started_at, days, clock.suspended_days)),
        _ => None,
    };
    Entered { clock, due_at }
}

/// The end of the reminder lead time at `now_ms`: orders due up to it are
/// within `lead_days` working days of their due time (23:59:59 of the
/// `lead_days`-th working day after today; `None` when reminders are off).
pub fn reminder_horizon(calendar: &WorkCalendar, now_ms: i64, lead_days: u32) -> Option<i64> {
    (lead_days > 0).then(|| {
        crate::monitoring::calendar::end_of_day(
            calendar.nth_working_day_after(local_date(now_ms), lead_days),
        )
    })
}

/// Whether an order due at `due_at` is overdue at `now_ms`.
pub fn is_overdue(due_at: Option<i64>, now_ms: i64) -> bool {
    due_at.is_some_and(|due| now_ms > due)
}
