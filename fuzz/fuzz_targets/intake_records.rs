//! Intake records (NDJSON / JSON lines from outside systems): every record
//! parser takes any JSON object and answers a record or a rejection.
#![no_main]
use govpulse_core::aggregation::{items, records};
use libfuzzer_sys::fuzz_target;

const NOW_MS: i64 = 1_780_000_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(data) else {
        return;
    };
    let _ = items::item(&map, NOW_MS);
    let _ = records::case(&map, NOW_MS);
    let _ = records::event(&map, NOW_MS);
    let _ = records::consultation(&map, NOW_MS);
    let _ = records::evaluation(&map, NOW_MS);
});
