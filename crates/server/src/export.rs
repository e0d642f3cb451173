//! File downloads shared by every export (DASH-4 style): CSV with a UTF-8 BOM,
//! every cell passed through the formula guard, and XLSX, where instants are
//! date cells and everything else string cells (which a spreadsheet never
//! evaluates, so they need no guard prefix).

use crate::error::{ApiError, ApiResult};
use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use govpulse_core::export::safe_cell;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download response.
pub fn attachment(name: &str, content_type: &'static str, body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// CSV rows (cells already safe) as bytes.
pub fn csv_bytes<R: AsRef<[String]>>(records: &[R]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        let _ = writer.write_record(record.as_ref());
    }
    writer.into_inner().unwrap_or_default()
}

/// Neutralise every cell of a row.
pub fn safe_row(cells: impl IntoIterator<Item = String>) -> Vec<String> {
    cells
        .into_iter()
        .map(|c| safe_cell(&c).into_owned())
        .collect()
}

/// A whole table as a CSV download (BOM so spreadsheet programs read Chinese).
pub fn csv_download(name: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    let mut all = vec![headers.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    all.extend(rows.into_iter().map(safe_row));
    bytes.extend(csv_bytes(&all));
    attachment(name, "text/csv; charset=utf-8", Body::from(bytes))
}

/// `2026-12-05T00:21:16+08:00` — how the API writes instants, in Asia/Shanghai
/// wall time — as that wall time for a date cell; `None` for anything else.
fn wall_time(cell: &str) -> Option<rust_xlsxwriter::ExcelDateTime> {
    let wall = cell.strip_suffix("+08:00")?;
    let shaped = wall.len() == 19
        && wall.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        });
    shaped
        .then(|| rust_xlsxwriter::ExcelDateTime::parse_from_str(wall).ok())
        .flatten()
}

/// The number format of date cells.
pub fn xlsx_date_format() -> rust_xlsxwriter::Format {
    rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm")
}

/// Write one row of an XLSX sheet: instants as date cells in `date`'s
/// format, the rest as text.
pub fn write_xlsx_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    cells: &[String],
    date: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        match wall_time(cell) {
            Some(at) => sheet.write_datetime_with_format(row, col as u16, &at, date)?,
            None => sheet.write_string(row, col as u16, cell)?,
        };
    }
    Ok(())
}

/// A whole table as an XLSX download (built on a blocking thread, rows streamed
/// to the workbook's temporary file in constant-memory mode).
pub async fn xlsx_download(
    name: &str,
    sheet_name: &str,
    headers: &[&str],
    rows: Vec<Vec<String>>,
) -> ApiResult<Response> {
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let sheet_name = sheet_name.to_string();
    let bytes =
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet_with_constant_memory()?;
            sheet.set_name(&sheet_name)?;
            for (col, title) in headers.iter().enumerate() {
                sheet.write_string(0, col as u16, title)?;
            }
            let date = xlsx_date_format();
            for (i, cells) in rows.iter().enumerate() {
                write_xlsx_row(sheet, i as u32 + 1, cells, &date)?;
            }
            workbook.save_to_buffer()
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(attachment(name, XLSX_TYPE, Body::from(bytes)))
}
