//! Warning rules as a rule writer sends them: condition trees, levels,
//! templates, webhooks — parsed and compiled, or refused with problems.
#![no_main]
use govpulse_core::monitoring::rule::RuleDef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rule) = serde_json::from_slice::<RuleDef>(data) {
        let _ = rule.compile(1);
    }
});
