//! File imports as an uploader sends them: CSV (UTF-8 or GBK) and XLSX bytes,
//! parsed into records or refused whole.
#![no_main]
use govpulse_core::aggregation::files::{parse_file, FileFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the format, so one corpus exercises both parsers.
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let format = if first % 2 == 0 {
        FileFormat::Csv
    } else {
        FileFormat::Xlsx
    };
    let _ = parse_file(bytes, format);
});
