//! The file of a background export, written row by row on a blocking thread:
//! CSV with a UTF-8 BOM, or XLSX in constant-memory mode (rows go to a
//! temporary file as they come; a sheet holds 1,048,575 rows, then the next
//! sheet starts). CSV cells pass the formula guard; XLSX cells are dates or
//! text (`crate::export::write_xlsx_row`).

use super::source::Format;
use crate::export::{safe_row, write_xlsx_row, xlsx_date_format};
use rust_xlsxwriter::Workbook;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Data rows one worksheet holds (XLSX's 1,048,576 rows less the header).
const SHEET_ROWS: u32 = 1_048_575;

pub(super) enum Sink {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Xlsx(Box<XlsxSink>),
}

pub(super) struct XlsxSink {
    workbook: Workbook,
    path: PathBuf,
    sheet_name: &'static str,
    headers: &'static [&'static str],
    date: rust_xlsxwriter::Format,
    /// Worksheets started so far.
    sheets: usize,
    /// Next row of the current worksheet.
    row: u32,
}

impl XlsxSink {
    fn start_sheet(&mut self) -> anyhow::Result<()> {
        self.sheets += 1;
        let name = if self.sheets == 1 {
            self.sheet_name.to_string()
        } else {
            format!("{} {}", self.sheet_name, self.sheets)
        };
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name(&name)?;
        for (col, title) in self.headers.iter().enumerate() {
            sheet.write_string(0, col as u16, *title)?;
        }
        self.row = 1;
        Ok(())
    }

    fn write(&mut self, cells: Vec<String>) -> anyhow::Result<()> {
        if self.sheets == 0 || self.row > SHEET_ROWS {
            self.start_sheet()?;
        }
        let sheet = self.workbook.worksheet_from_index(self.sheets - 1)?;
        write_xlsx_row(sheet, self.row, &cells, &self.date)?;
        self.row += 1;
        Ok(())
    }
}

/// Create (or truncate) an export file readable by this user only: exports
/// hold personal data, and other local accounts must not read them.
fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    // `mode` applies to new files only; an existing one is narrowed too.
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(file)
}

impl Sink {
    /// Start the file at `path` with its header row.
    pub fn create(
        format: Format,
        path: &Path,
        sheet_name: &'static str,
        headers: &'static [&'static str],
    ) -> anyhow::Result<Self> {
        Ok(match format {
            Format::Csv => {
                let mut file = BufWriter::new(create_private(path)?);
                // UTF-8 BOM so spreadsheet programs read Chinese correctly.
                file.write_all(&[0xEF, 0xBB, 0xBF])?;
                let mut writer = csv::Writer::from_writer(file);
                writer.write_record(headers)?;
                Sink::Csv(Box::new(writer))
            }
            Format::Xlsx => {
                // The workbook is saved over this private file at the end
                // (truncating an existing file keeps its mode).
                create_private(path)?;
                let mut sink = XlsxSink {
                    workbook: Workbook::new(),
                    path: path.to_path_buf(),
                    sheet_name,
                    headers,
                    date: xlsx_date_format(),
                    sheets: 0,
                    row: 0,
                };
                sink.start_sheet()?;
                Sink::Xlsx(Box::new(sink))
            }
        })
    }

    pub fn write(&mut self, cells: Vec<String>) -> anyhow::Result<()> {
        match self {
            Sink::Csv(writer) => writer.write_record(safe_row(cells))?,
            Sink::Xlsx(sink) => sink.write(cells)?,
        }
        Ok(())
    }

    /// Complete the file and make it durable.
    pub fn finish(self) -> anyhow::Result<()> {
        let path = match self {
            Sink::Csv(writer) => {
                let file = writer.into_inner().map_err(|e| e.into_error())?;
                file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                return Ok(());
            }
            Sink::Xlsx(mut sink) => {
                sink.workbook.save(&sink.path)?;
                sink.path
            }
        };
        File::open(path)?.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> impl Iterator<Item = Vec<String>> {
        (0..n).map(|i| vec![format!("=cmd|{i}"), format!("第{i}行")])
    }

    #[test]
    fn csv_has_a_bom_a_header_and_guarded_cells() {
        let dir = std::env::temp_dir().join(format!("gp-writer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.csv");
        let mut sink = Sink::create(Format::Csv, &path, "表", &["公式", "文字"]).unwrap();
        for row in rows(2) {
            sink.write(row).unwrap();
        }
        sink.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "公式,文字\n'=cmd|0,第0行\n'=cmd|1,第1行\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Instants open as real dates (`yyyy-mm-dd hh:mm`), text as it was —
    /// with no visible guard prefix: string cells are never formulas.
    #[test]
    fn xlsx_has_date_cells_and_unprefixed_text() {
        use calamine::{Data, Reader};
        let dir = std::env::temp_dir().join(format!("gp-writer-xlsx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.xlsx");
        let mut sink = Sink::create(Format::Xlsx, &path, "表", &["时间", "文字"]).unwrap();
        sink.write(vec!["2026-12-05T00:21:16+08:00".into(), "=cmd|1".into()])
            .unwrap();
        sink.write(vec![
            "2026-13-05T00:21:16+08:00".into(),
            "2026-12-05".into(),
        ])
        .unwrap();
        sink.finish().unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let range = book.worksheet_range("表").unwrap();
        let at = match range.get((1, 0)) {
            Some(Data::DateTime(at)) => at.as_datetime().unwrap(),
            other => panic!("not a date cell: {other:?}"),
        };
        assert_eq!(at.to_string(), "2026-12-05 00:21:16");
        assert_eq!(range.get((1, 1)), Some(&Data::String("=cmd|1".into())));
        assert_eq!(
            range.get((2, 0)),
            Some(&Data::String("2026-13-05T00:21:16+08:00".into()))
        );
        assert_eq!(range.get((2, 1)), Some(&Data::String("2026-12-05".into())));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn export_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("gp-writer-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (format, name) in [(Format::Csv, "t.csv"), (Format::Xlsx, "t.xlsx")] {
            let path = dir.join(name);
            let mut sink = Sink::create(format, &path, "表", &["公式", "文字"]).unwrap();
            for row in rows(2) {
                sink.write(row).unwrap();
            }
            sink.finish().unwrap();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}");
            assert!(std::fs::metadata(&path).unwrap().len() > 0, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
