//! Message templates with `{{占位符}}`: checked and rendered whatever the text.
#![no_main]
use govpulse_core::monitoring::template;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = template::check(text);
    let values = BTreeMap::from([
        ("区划", "海淀区".to_string()),
        ("部门", "海淀区人力资源社会保障局".to_string()),
        ("办件编号", "CASE-1".to_string()),
    ]);
    let _ = template::render(text, &values);
});
