//! Identity numbers and codes: citizen IDs (GB 11643), unified social credit
//! codes (GB 32100), consultation codes — validated and masked whatever the text.
#![no_main]
use govpulse_core::aggregation::consult_code;
use govpulse_core::idnumber::{self, IdKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [IdKind::CitizenId, IdKind::CreditCode] {
        if let Ok(valid) = idnumber::validate(kind, text) {
            let _ = idnumber::mask(&valid);
        }
    }
    let _ = idnumber::mask(text);
    let _ = consult_code::is_valid(text);
    let _ = consult_code::check_character(text);
});
