//! Stage clocks of one case (MON-1): acceptance, approval (handling), special
//! procedures and immediate cases, derived from its stage events and the item
//! version it is pinned to.

use super::calendar::{end_of_day, local_date, WorkCalendar};
use super::clock::{deadline, progress, Suspension, Unit};
use serde::Serialize;

/// Working days an application may wait for acceptance (行政许可法 art. 32: five days).
pub const ACCEPTANCE_DAYS: u32 = 5;
/// Working days a special procedure may run when the item names no limit.
pub const SPECIAL_PROCEDURE_DAYS: u32 = 20;

/// A stage event: kind and instant.
#[derive(Debug, Clone, Copy)]
pub struct StageEvent<'a> {
    pub kind: &'a str,
    pub at_ms: i64,
}

/// What the clocks need to know about the case.
#[derive(Debug, Clone)]
pub struct CaseTiming<'a> {
    pub submitted_at: i64,
    /// 1 即办件, 2 承诺件.
    pub case_type_code: i32,
    pub promised_limit: Option<i32>,
    pub legal_limit: Option<i32>,
    pub unit: Unit,
    /// In time order.
    pub events: &'a [StageEvent<'a>],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageClock {
    /// `acceptance`, `approval`, `special_procedure` or `immediate`.
    pub stage: &'static str,
    pub budget: u32,
    pub unit: Unit,
    pub started_at: i64,
    pub deadline: i64,
    pub used_share: f64,
    pub remaining: i64,
    pub suspended_days: i64,
    /// Days counted so far (same counting as the budget).
    pub elapsed: i64,
    /// Pauses of this clock (补齐补正, 特别程序).
    pub suspensions: Vec<Suspension>,
    /// `running`, `suspended`, `completed`, `overdue` (still running past the
    /// deadline) or `completed_late`.
    pub status: &'static str,
    pub ended_at: Option<i64>,
}

fn first(events: &[StageEvent], kinds: &[&str], after: i64) -> Option<i64> {
    events
        .iter()
        .find(|e| e.at_ms >= after && kinds.contains(&e.kind))
        .map(|e| e.at_ms)
}

/// Pairs of `start`/`end` kinds as suspensions (an unmatched start stays open).
fn pauses(events: &[StageEvent], start: &str, end: &str, after: i64) -> Vec<Suspension> {
    let mut out: Vec<Suspension> = Vec::new();
    for e in events.iter().filter(|e| e.at_ms >= after) {
        if e.kind == start {
            out.push(Suspension {
                start_ms: e.at_ms,
                end_ms: None,
            });
        } else if e.kind == end {
            if let Some(open) = out.iter_mut().rev().find(|s| s.end_ms.is_none()) {
                open.end_ms = Some(e.at_ms);
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn clock(
    calendar: &WorkCalendar,
    stage: &'static str,
    started_at: i64,
    budget: u32,
    unit: Unit,
    suspensions: &[Suspension],
    ended_at: Option<i64>,
    now_ms: i64,
) -> StageClock {
    let due = deadline(calendar, started_at, budget, unit, suspensions);
    let until = ended_at.unwrap_or(now_ms);
    let used = progress(calendar, started_at, budget, unit, suspensions, until);
    let paused = suspensions
        .iter()
        .any(|s| s.end_ms.is_none() && s.start_ms <= now_ms);
    let status = match ended_at {
        Some(end) if end > due.deadline_ms => "completed_late",
        Some(_) => "completed",
        None if paused => "suspended",
        None if now_ms > due.deadline_ms => "overdue",
        None => "running",
    };
    StageClock {
        stage,
        budget,
        unit,
        started_at,
        deadline: due.deadline_ms,
        used_share: used.used_share,
        remaining: used.remaining,
        suspended_days: due.suspended_days,
        elapsed: used.elapsed,
        suspensions: suspensions.to_vec(),
        status,
        ended_at,
    }
}

/// The case's clocks at `now_ms`.
pub fn case_clocks(calendar: &WorkCalendar, case: &CaseTiming, now_ms: i64) -> Vec<StageClock> {
    let events = case.events;
    let mut clocks = Vec::new();
    let accepted = first(events, &["accepted"], case.submitted_at);
    let acceptance_end = first(
        events,
        &["accepted", "rejected", "withdrawn"],
        case.submitted_at,
    );
    clocks.push(clock(
        calendar,
        "acceptance",
        case.submitted_at,
        ACCEPTANCE_DAYS,
        Unit::Working,
        &[],
        acceptance_end,
        now_ms,
    ));
    let Some(accepted) = accepted else {
        return clocks;
    };
    let done = first(
        events,
        &["completed", "delivered", "decided", "withdrawn"],
        accepted,
    );
    if case.case_type_code == 1 {
        // 即办件: done on the working day of acceptance (the next working day
        // when accepted on a day off).
        let day = local_date(accepted);
        let last = if calendar.is_working(day) {
            day
        } else {
            calendar.nth_working_day_after(day, 1)
        };
        let deadline_ms = end_of_day(last);
        let status = match done {
            Some(end) if end > deadline_ms => "completed_late",
            Some(_) => "completed",
            None if now_ms > deadline_ms => "overdue",
            None => "running",
        };
        clocks.push(StageClock {
            stage: "immediate",
            budget: 0,
            unit: Unit::Working,
            started_at: accepted,
            deadline: deadline_ms,
            used_share: if matches!(status, "overdue" | "completed_late") {
                1.0
            } else {
                0.0
            },
            remaining: 0,
            suspended_days: 0,
            elapsed: 0,
            suspensions: Vec::new(),
            status,
            ended_at: done,
        });
        return clocks;
    }
    let budget = case.promised_limit.or(case.legal_limit).unwrap_or(0).max(0) as u32;
    let mut suspensions = pauses(events, "supplement_start", "supplement_end", accepted);
    let specials = pauses(events, "special_start", "special_end", accepted);
    suspensions.extend(specials.iter().copied());
    clocks.push(clock(
        calendar,
        "approval",
        accepted,
        budget,
        case.unit,
        &suspensions,
        done,
        now_ms,
    ));
    for special in specials {
        clocks.push(clock(
            calendar,
            "special_procedure",
            special.start_ms,
            SPECIAL_PROCEDURE_DAYS,
            Unit::Working,
            &[],
            special.end_ms,
            now_ms,
        ));
    }
    clocks
}
