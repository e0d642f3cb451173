//! Evaluation formulas as a business user types them (SCORE-1): evaluated as a
//! number and as a condition on a fuel budget, or refused with a message.
#![no_main]
use govpulse_core::evaluation::formula::{condition, number, Variables};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let vars: Variables = [("值", 90.0), ("最优", 96.0), ("最差", 0.0), ("x", -1.5)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let _ = number(text, &vars);
    let _ = condition(text, &vars);
});
