//! Evaluating compiled rules against one subject (a case, or an applicant's
//! consultations on one item) at an instant (MON-5): which level holds now, and
//! the next instant at which a time-driven metric crosses one of the rule's
//! thresholds — the deadline index stores that instant so that nobody polls
//! every case.

use super::calendar::{end_of_day, local_date, WorkCalendar};
use super::clock::Unit;
use super::condition::{Facts, Field, FieldValue, Operand};
use super::rule::CompiledRule;
use super::stages::StageClock;
use chrono::Duration;
use std::collections::BTreeMap;

/// What rules can read about one subject.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub region: String,
    pub department: String,
    pub item: String,
    pub item_type: String,
    /// `immediate` or `promised`.
    pub case_type: String,
    pub applicant_type: String,
    pub channel: String,
    pub case_status: String,
    /// The case's stage clocks at the evaluation instant (none for consultations).
    pub clocks: Vec<StageClock>,
    /// Windowed counts by (field, days).
    pub counts: BTreeMap<(Field, u32), i64>,
}

impl Subject {
    /// The clock a rule of `stage` reads: the stage's latest clock.
    pub fn clock(&self, stage: &str) -> Option<&StageClock> {
        self.clocks.iter().rev().find(|c| c.stage == stage)
    }

    pub fn view<'a>(&'a self, stage: &str) -> StageView<'a> {
        StageView {
            subject: self,
            clock: self.clock(stage),
        }
    }
}

/// A subject seen through one stage's clock.
pub struct StageView<'a> {
    pub subject: &'a Subject,
    pub clock: Option<&'a StageClock>,
}

fn text(value: &str) -> FieldValue<'_> {
    if value.is_empty() {
        FieldValue::Missing
    } else {
        FieldValue::Text(value)
    }
}

impl Facts for StageView<'_> {
    fn value(&self, field: Field, window_days: u32) -> FieldValue<'_> {
        let s = self.subject;
        let clock = self.clock;
        let number = |f: fn(&StageClock) -> f64| {
            clock.map_or(FieldValue::Number(0.0), |c| FieldValue::Number(f(c)))
        };
        match field {
            Field::ElapsedDays => number(|c| c.elapsed as f64),
            Field::RemainingDays => number(|c| c.remaining as f64),
            Field::UsedPercent => number(|c| c.used_share * 100.0),
            Field::SuspendedDays => number(|c| c.suspended_days as f64),
            Field::Overdue => FieldValue::Bool(clock.is_some_and(|c| c.status == "overdue")),
            Field::StageStatus => FieldValue::Text(clock.map_or("not_started", |c| c.status)),
            Field::Region => text(&s.region),
            Field::Department => text(&s.department),
            Field::Item => text(&s.item),
            Field::ItemType => text(&s.item_type),
            Field::CaseType => text(&s.case_type),
            Field::ApplicantType => text(&s.applicant_type),
            Field::Channel => text(&s.channel),
            Field::CaseStatus => text(&s.case_status),
            Field::ApplicationsInWindow
            | Field::RejectionsInWindow
            | Field::ConsultationsInWindow => {
                FieldValue::Number(s.counts.get(&(field, window_days)).copied().unwrap_or(0) as f64)
            }
        }
    }
}

/// A rule's verdict on one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Index into the rule's levels; `None` = no warning.
    pub level: Option<usize>,
    /// Next instant a time-driven threshold of this rule may flip.
    pub next_due: Option<i64>,
}

fn start_of_day(date: chrono::NaiveDate) -> i64 {
    end_of_day(date - Duration::days(1)) + 1000
}

/// The instant the clock's elapsed count reaches `k` (it is running).
fn when_elapsed(calendar: &WorkCalendar, clock: &StageClock, k: i64, now_ms: i64) -> Option<i64> {
    let ahead = k - clock.elapsed;
    if ahead <= 0 {
        return None;
    }
    let today = local_date(now_ms);
    let date = match clock.unit {
        Unit::Working => calendar.nth_working_day_after(today, u32::try_from(ahead).ok()?),
        Unit::Natural => today + Duration::days(ahead),
    };
    Some(start_of_day(date))
}

/// Elapsed counts at which a test on `field` with operand `value` may flip.
fn elapsed_thresholds(field: Field, value: f64, budget: f64) -> Vec<i64> {
    let x = match field {
        Field::ElapsedDays => value,
        Field::UsedPercent => value * budget / 100.0,
        Field::RemainingDays => budget - value,
        _ => return Vec::new(),
    };
    vec![x.ceil() as i64, x.floor() as i64 + 1]
}

/// Evaluate `rule` on `subject` at `now_ms`.
pub fn judge(
    rule: &CompiledRule,
    subject: &Subject,
    calendar: &WorkCalendar,
    now_ms: i64,
) -> Verdict {
    let view = subject.view(&rule.def.stage);
    let level = rule.level_of(&view);
    let next_due = match view.clock {
        Some(clock) if matches!(clock.status, "running" | "overdue") && rule.def.enabled => {
            let mut instants: Vec<i64> = Vec::new();
            for (field, _op, operand) in &rule.time_tests {
                match (field, operand) {
                    (Field::Overdue | Field::StageStatus, _) => {
                        instants.push(clock.deadline + 1000)
                    }
                    (_, Operand::Number(v)) if clock.stage != "immediate" => {
                        for k in elapsed_thresholds(*field, *v, f64::from(clock.budget)) {
                            instants.extend(when_elapsed(calendar, clock, k, now_ms));
                        }
                    }
                    _ => {}
                }
            }
            instants.into_iter().filter(|t| *t > now_ms).min()
        }
        _ => None,
    };
    Verdict { level, next_due }
}
