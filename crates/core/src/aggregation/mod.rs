//! Data aggregation (AGG-1..5): the intake record formats, their validation,
//! collection rules, and the consultation-code standard. Pure: lookups that need
//! the database (does the item exist, is it in force) happen in the store.

pub mod consult_code;
pub mod corrections;
pub mod feeds;
pub mod fields;
pub mod files;
pub mod items;
pub mod records;
pub mod rules;
pub mod state;

pub use fields::Rejection;

/// Record kinds received by the intake API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Items,
    Consultations,
    Cases,
    CaseEvents,
    Evaluations,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Items,
        Kind::Consultations,
        Kind::Cases,
        Kind::CaseEvents,
        Kind::Evaluations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Items => "items",
            Kind::Consultations => "consultations",
            Kind::Cases => "cases",
            Kind::CaseEvents => "case-events",
            Kind::Evaluations => "evaluations",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The answer to an intake batch (`line` is 1-based).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IntakeReport {
    pub accepted: u64,
    /// Records that superseded a stored one with a higher revision.
    pub corrected: u64,
    pub duplicates: u64,
    pub rejected: Vec<LineRejection>,
    /// Natural keys of the corrected records (for the audit trail).
    pub corrected_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LineRejection {
    pub line: usize,
    pub code: String,
    pub message: String,
}

impl IntakeReport {
    pub fn reject(&mut self, line: usize, rejection: Rejection) {
        self.rejected.push(LineRejection {
            line,
            code: rejection.code,
            message: rejection.message,
        });
    }
}
