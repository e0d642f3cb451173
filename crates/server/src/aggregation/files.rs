//! File import (AGG-2): the parsers live in the core
//! ([`govpulse_core::aggregation::files`]); tested here with the server's
//! XLSX writer and the bundled catalogue sample.

pub use govpulse_core::aggregation::files::{parse_file, FileFormat};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_and_gbk() {
        let text = "case_code,applicant_name\nC-1,张三\nC-2,\n";
        let records = parse_file(text.as_bytes(), FileFormat::Csv).unwrap();
        assert_eq!(records[0].0, 2);
        assert_eq!(records[0].1.as_ref().unwrap()["applicant_name"], "张三");
        assert!(
            !records[1]
                .1
                .as_ref()
                .unwrap()
                .contains_key("applicant_name"),
            "empty cells are absent"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let records = parse_file(&gbk, FileFormat::Csv).unwrap();
        assert_eq!(records[0].1.as_ref().unwrap()["applicant_name"], "张三");
    }

    #[test]
    fn xlsx_first_sheet() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "item_code").unwrap();
        sheet.write_string(0, 1, "legal_limit").unwrap();
        sheet.write_string(1, 0, "I-1").unwrap();
        sheet.write_number(1, 1, 20).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let records = parse_file(&bytes, FileFormat::Xlsx).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].1.as_ref().unwrap()["legal_limit"], "20");
        assert!(parse_file(b"not a zip", FileFormat::Xlsx).is_err());
    }

    #[test]
    fn the_builtin_sample_header_is_read() {
        let bytes = crate::seed::catalogue::SAMPLE_CSV;
        let records = parse_file(bytes, FileFormat::Csv).unwrap();
        assert!(records.len() > 1000);
        assert!(records[0].1.as_ref().unwrap().contains_key("itemCode"));
    }
}
