//! Records checked one at a time as they are read (issue 11, Medium 10): the
//! source's collection rules and the record's own checks run on each JSON
//! object as soon as it is parsed, and the object is dropped right then. A
//! batch is therefore held once, in its checked form, and never also as JSON
//! objects (which take about twice the memory of the record's text).

use super::pipeline::RawRecord;
use govpulse_core::aggregation::items::{item, ItemInput};
use govpulse_core::aggregation::records::{
    case, consultation, evaluation, event, CaseInput, ConsultationInput, EvaluationInput,
    EventInput,
};
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::{Kind, Rejection};

/// `(line, checked record or why it was refused)` in line order.
pub type Checked<T> = Vec<(usize, Result<T, Rejection>)>;

/// The checked records of one batch, by kind.
#[derive(Debug)]
pub enum Inputs {
    Items(Checked<ItemInput>),
    Cases(Checked<CaseInput>),
    CaseEvents(Checked<EventInput>),
    Consultations(Checked<ConsultationInput>),
    Evaluations(Checked<EvaluationInput>),
}

impl Inputs {
    pub fn new(kind: Kind) -> Self {
        match kind {
            Kind::Items => Self::Items(Vec::new()),
            Kind::Cases => Self::Cases(Vec::new()),
            Kind::CaseEvents => Self::CaseEvents(Vec::new()),
            Kind::Consultations => Self::Consultations(Vec::new()),
            Kind::Evaluations => Self::Evaluations(Vec::new()),
        }
    }

    /// `records` checked under `rules` at `now_ms` (what the whole-body
    /// paths — file import, the CLI, the demo — use).
    pub fn of(kind: Kind, records: Vec<RawRecord>, rules: &CollectionRules, now_ms: i64) -> Self {
        let mut inputs = Self::new(kind);
        for record in records {
            inputs.push(record, rules, now_ms);
        }
        inputs
    }

    pub fn kind(&self) -> Kind {
        match self {
            Self::Items(_) => Kind::Items,
            Self::Cases(_) => Kind::Cases,
            Self::CaseEvents(_) => Kind::CaseEvents,
            Self::Consultations(_) => Kind::Consultations,
            Self::Evaluations(_) => Kind::Evaluations,
        }
    }

    /// Map one record through `rules` and check it (times may lie at most a
    /// few minutes after `now_ms`); the JSON object is dropped here.
    pub fn push(&mut self, (line, record): RawRecord, rules: &CollectionRules, now_ms: i64) {
        let record = record.and_then(|r| rules.apply(r));
        match self {
            Self::Items(v) => v.push((line, record.and_then(|r| item(&r, now_ms)))),
            Self::Cases(v) => v.push((line, record.and_then(|r| case(&r, now_ms)))),
            Self::CaseEvents(v) => v.push((line, record.and_then(|r| event(&r, now_ms)))),
            Self::Consultations(v) => v.push((line, record.and_then(|r| consultation(&r, now_ms)))),
            Self::Evaluations(v) => v.push((line, record.and_then(|r| evaluation(&r, now_ms)))),
        }
    }
}
