//! govpulse domain types and pure logic.
//!
//! Nothing in this crate performs I/O: every function is deterministic given its
//! inputs, which is what lets the store and server layers be thin and the rules
//! be tested exhaustively.

pub mod aggregation;
pub mod audit;
pub mod audit_checkpoint;
pub mod dashboard;
pub mod evaluation;
pub mod export;
pub mod guidance;
pub mod identity;
pub mod idnumber;
pub mod monitoring;
pub mod password;
pub mod quality;
pub mod region;
pub mod time;
pub mod workorders;
