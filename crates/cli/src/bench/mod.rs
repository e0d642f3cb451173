//! `govpulse bench …`: benchmarks that print Markdown rows for BENCHMARKS.md.
//! `monitoring`: the evaluator on N open cases; `dashboard`: the dashboard's
//! cube, overview and hot words, and the case list, on N synthetic cases;
//! `evaluation`: indicator values, scoring and a quality run over a year of
//! N cases; `crash`: the crash harness (kill -9 while writing, then check).

pub mod crash;
pub mod dashboard;
mod evaluation;
mod monitoring;

pub use evaluation::evaluation;
pub use monitoring::monitoring;

/// A field of this process's /proc/self/status in kB (`VmHWM:`, `RssAnon:`), 0 when unknown.
pub(crate) fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
