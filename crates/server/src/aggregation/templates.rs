//! Import templates (issue 16 item 11): for each data kind an XLSX with the
//! columns an import reads (first sheet, one sample row) and the code lists
//! of its coded columns (second sheet).

use crate::error::{ApiError, ApiResult};
use crate::export::{attachment, XLSX_TYPE};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::Response;
use govpulse_core::aggregation::items::ITEM_FIELDS;
use govpulse_core::aggregation::records::{
    CASE_FIELDS, CONSULTATION_FIELDS, EVALUATION_FIELDS, EVENT_FIELDS, EVENT_KINDS,
};
use govpulse_core::aggregation::Kind;
use govpulse_core::monitoring::condition::Field;

/// The columns of a kind and a sample value for some of them.
fn columns(
    kind: Kind,
) -> (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
) {
    match kind {
        Kind::Items => (
            ITEM_FIELDS,
            &[
                (
                    "item_code",
                    "11A2200200001-110105000000-000-110105D001-1-00",
                ),
                ("basic_code", "11A2200200001"),
                ("name", "食品经营许可"),
                ("item_type_code", "01"),
                ("exercise_level", "3"),
                ("department_code", "110105D001"),
                ("department_name", "朝阳区市场监督管理局"),
                ("region_code", "110105"),
                ("legal_limit", "20"),
                ("promised_limit", "10"),
                ("limit_unit", "working"),
                ("case_type_code", "2"),
                ("valid_from", "2026-01-01"),
            ],
        ),
        Kind::Cases => (
            CASE_FIELDS,
            &[
                ("case_code", "BJ01050000000001"),
                (
                    "item_code",
                    "11A2200200001-110105000000-000-110105D001-1-00",
                ),
                ("applicant_type", "person"),
                ("applicant_id", "11010519491231002X"),
                ("applicant_name", "张三"),
                ("region_code", "110105"),
                ("department_code", "110105D001"),
                ("channel", "window"),
                ("submitted_at", "2026-03-02T09:00:00+08:00"),
            ],
        ),
        Kind::CaseEvents => (
            EVENT_FIELDS,
            &[
                ("case_code", "BJ01050000000001"),
                ("seq", "1"),
                ("kind", "accepted"),
                ("at", "2026-03-02T10:00:00+08:00"),
                ("operator", "窗口工作人员"),
            ],
        ),
        Kind::Consultations => (
            CONSULTATION_FIELDS,
            &[
                ("code", "ZX110105260302O500001H"),
                ("channel", "hotline"),
                ("region_code", "110105"),
                ("asked_at", "2026-03-02T08:30:00+08:00"),
                ("applicant_type", "person"),
                ("question", "办理食品经营许可需要哪些材料？"),
                ("answer", "请携带营业执照和经营场所证明。"),
            ],
        ),
        Kind::Evaluations => (
            EVALUATION_FIELDS,
            &[
                ("evaluation_id", "PJ0000000001"),
                ("case_code", "BJ01050000000001"),
                ("channel", "window"),
                ("rated_at", "2026-03-05T16:00:00+08:00"),
                ("satisfaction", "1"),
                ("comment", "办理很快"),
            ],
        ),
    }
}

/// The code lists of the coded columns: (column, code, meaning).
fn code_lists(fields: &[&str]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut list = |column: &str, options: Vec<(&str, &str)>| {
        if fields.contains(&column) {
            for (code, name) in options {
                out.push((column.to_string(), code.to_string(), name.to_string()));
            }
        }
    };
    list("channel", Field::Channel.info().options);
    list("applicant_type", Field::ApplicantType.info().options);
    list("item_type_code", Field::ItemType.info().options);
    list("case_type_code", vec![("1", "即办件"), ("2", "承诺件")]);
    list(
        "limit_unit",
        vec![("working", "工作日"), ("natural", "自然日")],
    );
    list(
        "satisfaction",
        vec![
            ("1", "非常满意"),
            ("2", "满意"),
            ("3", "基本满意"),
            ("4", "不满意"),
            ("5", "非常不满意"),
        ],
    );
    list(
        "kind",
        EVENT_KINDS.iter().map(|k| (*k, event_name(k))).collect(),
    );
    out
}

fn event_name(kind: &str) -> &'static str {
    match kind {
        "submitted" => "申请",
        "accepted" => "受理",
        "rejected" => "不予受理",
        "supplement_start" => "补齐补正开始",
        "supplement_end" => "补齐补正结束",
        "special_start" => "特别程序开始",
        "special_end" => "特别程序结束",
        "decided" => "作出决定",
        "completed" => "办结",
        "delivered" => "送达",
        "withdrawn" => "撤回",
        _ => "",
    }
}

/// The template workbook of a kind.
pub fn template_xlsx(kind: Kind) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let (fields, sample) = columns(kind);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let header = rust_xlsxwriter::Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("导入模板")?;
    for (col, field) in fields.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *field, &header)?;
        sheet.set_column_width(col, 18)?;
        if let Some((_, value)) = sample.iter().find(|(f, _)| f == field) {
            sheet.write_string(1, col, *value)?;
        }
    }
    let codes = workbook.add_worksheet();
    codes.set_name("代码表")?;
    for (col, title) in ["字段", "代码", "含义"].iter().enumerate() {
        codes.write_string_with_format(0, col as u16, *title, &header)?;
    }
    codes.set_column_width(0, 18)?;
    codes.set_column_width(2, 18)?;
    for (row, (column, code, name)) in code_lists(fields).iter().enumerate() {
        let row = row as u32 + 1;
        codes.write_string(row, 0, column)?;
        codes.write_string(row, 1, code)?;
        codes.write_string(row, 2, name)?;
    }
    workbook.save_to_buffer()
}

/// 下载模板: the import template of a data kind (XLSX).
#[utoipa::path(get, path = "/import/{kind}/template", tag = "aggregation", params(
        ("kind" = String, Path, description = "items | consultations | cases | case-events | evaluations")),
    responses((status = 200, description = "XLSX file"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn import_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
) -> ApiResult<Response> {
    let kind = Kind::parse(&kind).ok_or_else(ApiError::not_found)?;
    if kind == Kind::Items && !caller.can("intake:write") {
        caller.require(&state, "item:write").await?;
    } else {
        caller.require(&state, "intake:write").await?;
    }
    let bytes = tokio::task::spawn_blocking(move || template_xlsx(kind))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(attachment(
        &format!("{}-template.xlsx", kind.as_str()),
        XLSX_TYPE,
        Body::from(bytes),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregation::files::{parse_file, FileFormat};
    use calamine::Reader;
    use govpulse_core::aggregation::{items, records};

    #[test]
    fn each_template_imports_its_own_sample_row() {
        let now = govpulse_core::time::now_ms();
        for kind in Kind::ALL {
            let bytes = template_xlsx(kind).expect("template");
            // read back the way an import reads it: the first sheet's header and row
            let rows = parse_file(&bytes, FileFormat::Xlsx).expect("readable");
            assert_eq!(rows.len(), 1, "{kind:?}: one sample row");
            let (line, record) = rows.into_iter().next().unwrap();
            assert_eq!(line, 2, "{kind:?}: spreadsheet row 2");
            let map = record.expect("a record");
            let checked = match kind {
                Kind::Items => items::item(&map, now).map(|_| ()),
                Kind::Cases => records::case(&map, now).map(|_| ()),
                Kind::CaseEvents => records::event(&map, now).map(|_| ()),
                Kind::Consultations => records::consultation(&map, now).map(|_| ()),
                Kind::Evaluations => records::evaluation(&map, now).map(|_| ()),
            };
            assert!(checked.is_ok(), "{kind:?}: {:?}", checked.err());

            let mut workbook: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("XLSX");
            assert_eq!(workbook.sheet_names(), ["导入模板", "代码表"]);
            let header: Vec<String> = workbook
                .worksheet_range("导入模板")
                .expect("sheet")
                .rows()
                .next()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            assert_eq!(header, columns(kind).0, "{kind:?}: every column");
            let codes: Vec<Vec<String>> = workbook
                .worksheet_range("代码表")
                .expect("sheet")
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            assert_eq!(codes[0], ["字段", "代码", "含义"]);
            if kind == Kind::Cases {
                assert!(codes.contains(&vec!["channel".into(), "window".into(), "窗口".into()]));
                assert!(codes.contains(&vec![
                    "applicant_type".into(),
                    "person".into(),
                    "自然人".into()
                ]));
            }
        }
    }
}
