//! A case as the evaluator needs it, for live evaluation (all its events, now)
//! and for simulation (MON-8): replaying its history event by event and
//! threshold by threshold to find what a rule would have raised.

use super::calendar::WorkCalendar;
use super::clock::Unit;
use super::condition::Field;
use super::evaluate::{judge, Subject};
use super::rule::CompiledRule;
use super::stages::{case_clocks, CaseTiming, StageEvent};
use crate::aggregation::state::case_state;
use std::collections::BTreeMap;

/// One case with its events in time order.
#[derive(Debug, Clone, Default)]
pub struct CaseRecord {
    pub region: String,
    pub department: String,
    pub item: String,
    pub item_type: String,
    /// 1 即办件, 2 承诺件.
    pub case_type_code: i32,
    pub applicant_type: String,
    pub channel: String,
    pub submitted_at: i64,
    pub promised_limit: Option<i32>,
    pub legal_limit: Option<i32>,
    pub unit: Option<Unit>,
    /// `(kind, at)` in time order.
    pub events: Vec<(String, i64)>,
    pub counts: BTreeMap<(Field, u32), i64>,
}

impl CaseRecord {
    /// The subject as known at `now_ms`, from the events up to `known_until`.
    pub fn subject(&self, calendar: &WorkCalendar, known_until: i64, now_ms: i64) -> Subject {
        let known: Vec<&(String, i64)> = self
            .events
            .iter()
            .filter(|(_, at)| *at <= known_until)
            .collect();
        let stage_events: Vec<StageEvent> = known
            .iter()
            .map(|(kind, at)| StageEvent { kind, at_ms: *at })
            .collect();
        let timing = CaseTiming {
            submitted_at: self.submitted_at,
            case_type_code: self.case_type_code,
            promised_limit: self.promised_limit,
            legal_limit: self.legal_limit,
            unit: self.unit.unwrap_or(Unit::Working),
            events: &stage_events,
        };
        let indexed: Vec<(&str, i64, i64)> = known
            .iter()
            .enumerate()
            .map(|(i, (kind, at))| (kind.as_str(), *at, i as i64))
            .collect();
        Subject {
            region: self.region.clone(),
            department: self.department.clone(),
            item: self.item.clone(),
            item_type: self.item_type.clone(),
            case_type: if self.case_type_code == 1 {
                "immediate"
            } else {
                "promised"
            }
            .to_string(),
            applicant_type: self.applicant_type.clone(),
            channel: self.channel.clone(),
            case_status: case_state(&indexed).status.to_string(),
            clocks: case_clocks(calendar, &timing, now_ms),
            counts: self.counts.clone(),
        }
    }
}

/// What a rule would have raised on a case up to `horizon_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    /// Most severe level reached.
    pub level: usize,
    /// When the first warning would have been raised.
    pub raised_at: i64,
}

/// Most evaluations one case's replay may take (events plus thresholds).
const MAX_STEPS: usize = 512;

/// Replay the case from submission to `horizon_ms` (events and threshold
/// instants in order), as the live evaluator would have seen it.
pub fn replay(
    rule: &CompiledRule,
    case: &CaseRecord,
    calendar: &WorkCalendar,
    horizon_ms: i64,
) -> Option<Replayed> {
    let mut at = case.submitted_at;
    let mut result: Option<Replayed> = None;
    for _ in 0..MAX_STEPS {
        if at > horizon_ms {
            break;
        }
        let subject = case.subject(calendar, at, at);
        let verdict = judge(rule, &subject, calendar, at);
        if let Some(level) = verdict.level {
            result = Some(match result {
                Some(r) => Replayed {
                    level: r.level.max(level),
                    raised_at: r.raised_at,
                },
                None => Replayed {
                    level,
                    raised_at: at,
                },
            });
        }
        let next_event = case.events.iter().map(|(_, t)| *t).find(|t| *t > at);
        at = match (verdict.next_due, next_event) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
    }
    result
}
