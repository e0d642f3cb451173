//! Full-process monitoring (MON-1..8): the working-day calendar and stage clocks.

pub mod calendar;
pub mod clock;
pub mod stages;

#[cfg(test)]
mod tests;
