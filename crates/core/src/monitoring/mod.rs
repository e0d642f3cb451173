//! Full-process monitoring (MON-1..8): the working-day calendar, stage clocks,
//! warning rules (condition trees, levels, templates), their evaluation with the
//! next threshold instant, and replay for simulation.

pub mod builtin;
pub mod calendar;
pub mod clock;
pub mod condition;
pub mod destinations;
pub mod evaluate;
pub mod replay;
pub mod rule;
pub mod stages;
pub mod template;

#[cfg(test)]
mod rule_tests;
#[cfg(test)]
mod tests;
