//! File import (AGG-2): CSV (UTF-8, or GBK as Chinese office software writes it)
//! and XLSX (first worksheet). The first row names the columns; each further
//! row becomes one record, its line number the spreadsheet row number. Pure
//! parsing of outside bytes (fuzzed: `fuzz/fuzz_targets/import_files.rs`).

use super::Rejection;
use calamine::{Data, Reader, Xlsx};
use serde_json::{Map, Value};

/// Most records one request or file may carry.
pub const MAX_RECORDS: usize = 50_000;

/// One parsed input record (1-based line or row number), or why it could not be parsed.
pub type RawRecord = (usize, Result<Map<String, Value>, Rejection>);

/// The formats a file import accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// From a content type or a file name.
    pub fn detect(content_type: &str, name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if content_type.contains("spreadsheetml") || lower.ends_with(".xlsx") {
            Some(Self::Xlsx)
        } else if content_type.starts_with("text/csv")
            || content_type.starts_with("application/csv")
            || lower.ends_with(".csv")
        {
            Some(Self::Csv)
        } else {
            None
        }
    }
}

fn record(headers: &[String], cells: impl Iterator<Item = String>) -> Map<String, Value> {
    headers
        .iter()
        .zip(cells)
        .filter(|(h, v)| !h.is_empty() && !v.trim().is_empty())
        .map(|(h, v)| (h.clone(), Value::String(v.trim().to_string())))
        .collect()
}

/// Parse a whole file into records.
pub fn parse_file(bytes: &[u8], format: FileFormat) -> Result<Vec<RawRecord>, String> {
    let records = match format {
        FileFormat::Csv => parse_csv(bytes)?,
        FileFormat::Xlsx => parse_xlsx(bytes)?,
    };
    if records.len() > MAX_RECORDS {
        return Err(format!(
            "文件有 {} 行，每个文件最多 {MAX_RECORDS} 行",
            records.len()
        ));
    }
    Ok(records)
}

fn parse_csv(bytes: &[u8]) -> Result<Vec<RawRecord>, String> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::GBK.decode(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("无法读取标题行：{e}"))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut records = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        records.push((
            line,
            row.map(|row| record(&headers, row.iter().map(String::from)))
                .map_err(|e| Rejection::new("record.invalid", format!("无法读取该行：{e}"))),
        ));
    }
    Ok(records)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

fn parse_xlsx(bytes: &[u8]) -> Result<Vec<RawRecord>, String> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("不是有效的 XLSX 文件：{e}"))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or("工作簿中没有工作表")?
        .map_err(|e| format!("无法读取工作表：{e}"))?;
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(|c| cell_text(c).trim().to_string()).collect())
        .unwrap_or_default();
    Ok(rows
        .enumerate()
        .map(|(i, row)| (i + 2, Ok(record(&headers, row.iter().map(cell_text)))))
        .filter(|(_, r)| r.as_ref().is_ok_and(|m| !m.is_empty()))
        .collect())
}
