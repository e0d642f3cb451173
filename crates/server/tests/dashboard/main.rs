//! The dashboard through the API (DASH-1..5), on every backend: figures agree
//! with the case, consultation and warning lists under every filter, follow
//! the evaluator's overdue flag, stay inside the caller's scope (overview, hot
//! words, exports), and hot words follow the administrators' dictionary.

#[path = "../common/mod.rs"]
mod common;

mod figures;
mod fixture;
mod hotwords;
mod satisfaction;
mod scope;
