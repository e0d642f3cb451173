//! Organisation master data from files (`govpulse org import`): a city's
//! region tree (GB/T 2260 codes; levels 市/区县/街道乡镇/社区村) and its
//! departments, from CSV or XLSX, so any city can be set up.
//!
//! Region columns: `code` (区划代码), `name` (名称), optional `level` (级别:
//! 1–4 or 市/区县/街道乡镇/社区村, else implied by the code), optional
//! `parent_code` (上级代码, else implied by the code); every other column
//! becomes an attribute. Department columns: `code` (部门编码), `name`
//! (部门名称), `region_code` (所属区划).

use crate::aggregation::files::{parse_file, FileFormat};
use govpulse_core::region::RegionLevel;
use govpulse_store::org::RegionRow;
use govpulse_store::org_admin::{DepartmentImport, RegionImport};
use govpulse_store::Store;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

const CODE: &[&str] = &["code", "区划代码", "代码"];
const DEPARTMENT_CODE: &[&str] = &["code", "部门编码", "编码"];
const NAME: &[&str] = &["name", "名称", "区划名称", "部门名称"];
const LEVEL: &[&str] = &["level", "级别", "层级"];
const PARENT: &[&str] = &["parent_code", "上级代码", "上级区划代码"];
const REGION: &[&str] = &["region_code", "所属区划", "所属区划代码", "区划代码"];

/// A file's rows, or every problem found in it (`line N: …`).
pub type Parsed<T> = Result<Vec<T>, Vec<String>>;

fn take(record: &mut Map<String, Value>, names: &[&str]) -> Option<String> {
    let key = record
        .keys()
        .find(|k| names.iter().any(|n| k.trim().eq_ignore_ascii_case(n)))?
        .clone();
    record
        .remove(&key)
        .and_then(|v| v.as_str().map(|s| s.trim().to_string()))
        .filter(|s| !s.is_empty())
}

/// Level 1–4 from a number or a Chinese level name.
pub fn parse_level(text: &str) -> Option<i32> {
    match text {
        "1" | "市" | "地市" => Some(1),
        "2" | "区县" | "区" | "县" | "县级市" => Some(2),
        "3" | "街道乡镇" | "街道" | "乡镇" | "乡" | "镇" => Some(3),
        "4" | "社区村" | "社区" | "村" => Some(4),
        _ => None,
    }
}

/// The parent a code implies: community → street, street → district,
/// district → its city (`xxxx00`, or the province-level city `xx0000`
/// when only that is known).
fn implied_parent(code: &str, known: &HashSet<String>) -> Option<String> {
    match code.len() {
        12 => Some(code[..9].to_string()),
        9 => Some(code[..6].to_string()),
        6 if RegionLevel::of_code(code) == Some(RegionLevel::District) => {
            let city = format!("{}00", &code[..4]);
            let province_city = format!("{}0000", &code[..2]);
            Some(
                if known.contains(&city) || !known.contains(&province_city) {
                    city
                } else {
                    province_city
                },
            )
        }
        _ => None,
    }
}

/// A file row: its line number and its columns.
type Row = (usize, Map<String, Value>);

fn records(bytes: &[u8], name: &str) -> Parsed<Row> {
    let format = FileFormat::detect("", name)
        .ok_or_else(|| vec![format!("{name}: 文件须为 .csv 或 .xlsx")])?;
    let rows = parse_file(bytes, format).map_err(|e| vec![format!("{name}: {e}")])?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in rows {
        match row {
            Ok(record) => out.push((line, record)),
            Err(rejection) => problems.push(format!("line {line}: {}", rejection.message)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Read a region file; `existing` are the codes already stored (parents may
/// be among them). Rows come back parents first.
pub fn read_regions(bytes: &[u8], name: &str, existing: &HashSet<String>) -> Parsed<RegionImport> {
    let rows = records(bytes, name)?;
    let mut problems = Vec::new();
    let mut known: HashSet<String> = existing.clone();
    let mut parsed = Vec::new();
    for (line, mut record) in rows {
        let code = take(&mut record, CODE).unwrap_or_default();
        let name = take(&mut record, NAME).unwrap_or_default();
        let shape = RegionLevel::of_code(&code);
        if shape.is_none() {
            problems.push(format!(
                "line {line}: 区划代码 {code:?} 须为 6、9 或 12 位数字"
            ));
            continue;
        }
        if name.is_empty() || name.chars().count() > 64 {
            problems.push(format!("line {line}: 名称须为 1–64 个字符"));
            continue;
        }
        let level = match take(&mut record, LEVEL) {
            Some(text) => match parse_level(&text) {
                Some(level) => level,
                None => {
                    problems.push(format!(
                        "line {line}: 级别 {text:?} 须为 1–4 或 市/区县/街道乡镇/社区村"
                    ));
                    continue;
                }
            },
            None => shape.map(|l| l as i32).unwrap_or(1),
        };
        let parent = take(&mut record, PARENT);
        known.insert(code.clone());
        parsed.push((line, code, name, level, parent, Value::Object(record)));
    }
    let mut out = Vec::new();
    for (line, code, name, level, parent, attributes) in parsed {
        let parent =
            parent.or_else(|| (level > 1).then(|| implied_parent(&code, &known)).flatten());
        if let Some(p) = &parent {
            if !known.contains(p) {
                problems.push(format!("line {line}: 上级区划 {p} 不在文件中也不在系统中"));
                continue;
            }
        }
        out.push(RegionImport {
            region: RegionRow {
                code,
                name,
                level,
                parent_code: parent,
                merged_into: None,
            },
            attributes: attributes.to_string(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    out.sort_by(|a, b| (a.region.level, &a.region.code).cmp(&(b.region.level, &b.region.code)));
    Ok(out)
}

/// Read a department file against the region levels known (stored + imported).
pub fn read_departments(
    bytes: &[u8],
    name: &str,
    region_levels: &HashMap<String, i32>,
) -> Parsed<DepartmentImport> {
    let rows = records(bytes, name)?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (line, mut record) in rows {
        let code = take(&mut record, DEPARTMENT_CODE).unwrap_or_default();
        let name = take(&mut record, NAME).unwrap_or_default();
        let region = take(&mut record, REGION).unwrap_or_default();
        let valid_code = (2..=32).contains(&code.len())
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid_code {
            problems.push(format!(
                "line {line}: 部门编码 {code:?} 须为 2–32 位字母、数字或连字符"
            ));
        } else if name.is_empty() || name.chars().count() > 64 {
            problems.push(format!("line {line}: 部门名称须为 1–64 个字符"));
        } else if let Some(level) = region_levels.get(&region) {
            out.push(DepartmentImport {
                code,
                name,
                level: if *level == 1 { "city" } else { "district" }.to_string(),
                region_code: region,
            });
        } else {
            problems.push(format!("line {line}: 所属区划 {region:?} 不存在"));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A file given to the import: its name (for the format) and bytes.
pub struct OrgFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Read both files against the stored tree and store them in one audited
/// transaction. Returns (regions, departments) or every problem found.
pub async fn import(
    store: &Store,
    regions: Option<OrgFile<'_>>,
    departments: Option<OrgFile<'_>>,
    audit: &govpulse_store::audit::AuditRecord,
) -> anyhow::Result<Result<(usize, usize), Vec<String>>> {
    let stored = store
        .list_regions(&govpulse_store::org::OrgScope::default())
        .await?;
    let existing: HashSet<String> = stored.iter().map(|r| r.code.clone()).collect();
    let regions = match regions {
        Some(file) => match read_regions(file.bytes, file.name, &existing) {
            Ok(rows) => rows,
            Err(problems) => return Ok(Err(problems)),
        },
        None => Vec::new(),
    };
    let mut levels: HashMap<String, i32> = stored.into_iter().map(|r| (r.code, r.level)).collect();
    levels.extend(
        regions
            .iter()
            .map(|r| (r.region.code.clone(), r.region.level)),
    );
    let departments = match departments {
        Some(file) => match read_departments(file.bytes, file.name, &levels) {
            Ok(rows) => rows,
            Err(problems) => return Ok(Err(problems)),
        },
        None => Vec::new(),
    };
    Ok(Ok(store
        .import_organisation(&regions, &departments, audit)
        .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_imply_level_and_parent_and_keep_other_columns() {
        let csv = "区划代码,名称,级别,人口\n320402,天宁区,区县,60\n320400,常州市,,\n320402001,天宁街道,,\n";
        let rows = read_regions(csv.as_bytes(), "r.csv", &HashSet::new()).expect("valid");
        let codes: Vec<_> = rows
            .iter()
            .map(|r| (r.region.code.as_str(), r.region.level))
            .collect();
        assert_eq!(codes, [("320400", 1), ("320402", 2), ("320402001", 3)]);
        assert_eq!(rows[1].region.parent_code.as_deref(), Some("320400"));
        assert_eq!(rows[2].region.parent_code.as_deref(), Some("320402"));
        assert_eq!(rows[1].attributes, r#"{"人口":"60"}"#);
    }

    #[test]
    fn beijing_districts_hang_under_the_province_level_city() {
        let existing: HashSet<String> = ["110000".to_string()].into();
        let rows = read_regions(b"code,name\n110105,x\n", "r.csv", &existing).expect("valid");
        assert_eq!(rows[0].region.parent_code.as_deref(), Some("110000"));
    }

    #[test]
    fn bad_rows_are_all_reported() {
        let csv = "code,name,level\n32040,短,\n320402,天宁区,9\n320499001,无上级,\n";
        let problems = read_regions(csv.as_bytes(), "r.csv", &HashSet::new()).expect_err("bad");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[2].contains("320499"), "{problems:?}");
        assert!(read_regions(b"x", "r.txt", &HashSet::new()).is_err());
    }

    #[test]
    fn departments_take_their_level_from_the_region() {
        let levels: HashMap<String, i32> =
            [("320400".to_string(), 1), ("320402".to_string(), 2)].into();
        let csv = "部门编码,部门名称,所属区划\n320400D001,市发展改革委,320400\n320402D001,天宁区民政局,320402\n";
        let rows = read_departments(csv.as_bytes(), "d.csv", &levels).expect("valid");
        assert_eq!(rows[0].level, "city");
        assert_eq!(rows[1].level, "district");
        let bad = read_departments(
            b"code,name,region_code\nX,y,320400\nD1,y,999999\n",
            "d.csv",
            &levels,
        );
        assert_eq!(bad.expect_err("bad").len(), 2);
    }
}
