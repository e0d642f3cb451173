//! Monitoring and early warning through the API (MON-1..8), on every backend:
//! warning lifecycles driven by the deadline index, scope, handling, rules,
//! simulation, the calendar, the inbox and webhooks.

#[path = "../common/mod.rs"]
mod common;

mod calendar;
mod concurrency;
mod handling;
mod inbox;
mod lifecycle;
mod rules;
mod scope;
mod simulation;
mod webhook;
