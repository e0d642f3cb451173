//! Time formats of outside input: RFC 3339 instants, day bounds, intake times;
//! whatever parses formats back without panicking.
#![no_main]
use govpulse_core::{aggregation::fields, time};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [
        time::parse_rfc3339(text),
        time::parse_bound(text),
        fields::parse_time(text),
    ]
    .into_iter()
    .flatten()
    {
        let _ = time::to_rfc3339(parsed);
    }
});
