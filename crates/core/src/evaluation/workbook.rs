//! The indicator workbook (IND-3): the indicator library and its warning
//! rules as tables, one per kind (指标, 预警规则, 预警级别, 预警条件), every
//! definition and configuration field in its own column, and back. Cells are
//! text (numbers as Rust prints them), so a workbook read back and written
//! again is the same workbook.

use super::alerts::{AlertLevel, AlertRule, Condition};
use super::indicators::{Calculation, IndicatorDef};
use super::measures::Ratio;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;

/// One sheet: its name, header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: &'static str,
    pub headers: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

pub const INDICATORS: &str = "指标";
pub const RULES: &str = "预警规则";
pub const LEVELS: &str = "预警级别";
pub const CONDITIONS: &str = "预警条件";

const INDICATOR_HEADERS: &[&str] = &[
    "编码",
    "名称",
    "层级",
    "上级编码",
    "状态",
    "方向",
    "单位",
    "说明",
    "数据来源",
    "计算方式",
    "分子",
    "分母",
    "倍数",
];
const RULE_HEADERS: &[&str] = &[
    "编码",
    "名称",
    "指标编码",
    "单位层级",
    "期间",
    "执行频率",
    "状态",
    "说明",
];
const LEVEL_HEADERS: &[&str] = &["规则编码", "顺序", "级别", "级别名称", "颜色", "条件组合"];
const CONDITION_HEADERS: &[&str] = &["规则编码", "级别", "顺序", "度量", "比较", "阈值"];

/// Where a workbook is wrong: sheet, row (1-based, the header is row 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{sheet} 第 {row} 行：{message}")]
pub struct WorkbookError {
    pub sheet: String,
    pub row: usize,
    pub message: String,
}

fn fail(sheet: &str, row: usize, message: impl Into<String>) -> WorkbookError {
    WorkbookError {
        sheet: sheet.to_string(),
        row,
        message: message.into(),
    }
}

/// An enum's API text (`enabled`, `higher`…).
fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The workbook's tables for a library.
pub fn to_sheets(indicators: &[IndicatorDef], rules: &[AlertRule]) -> Vec<Sheet> {
    let indicator_rows = indicators
        .iter()
        .map(|d| {
            let (kind, numerator, denominator, scale) = match &d.calculation {
                Calculation::Group => ("group", String::new(), String::new(), String::new()),
                Calculation::Ratio(r) => (
                    "ratio",
                    r.numerator.clone(),
                    r.denominator.clone().unwrap_or_default(),
                    r.scale.to_string(),
                ),
            };
            vec![
                d.code.clone(),
                d.name.clone(),
                d.level.to_string(),
                d.parent_code.clone().unwrap_or_default(),
                d.state.as_str().to_string(),
                code(&d.direction),
                d.unit.clone(),
                d.description.clone(),
                d.data_source.clone(),
                kind.to_string(),
                numerator,
                denominator,
                scale,
            ]
        })
        .collect();
    let mut rule_rows = Vec::new();
    let mut level_rows = Vec::new();
    let mut condition_rows = Vec::new();
    for r in rules {
        rule_rows.push(vec![
            r.code.clone(),
            r.name.clone(),
            r.indicator.clone(),
            r.unit_level.as_str().to_string(),
            code(&r.period),
            r.schedule.clone(),
            r.state.as_str().to_string(),
            r.description.clone(),
        ]);
        for (i, l) in r.levels.iter().enumerate() {
            level_rows.push(vec![
                r.code.clone(),
                (i + 1).to_string(),
                l.level.clone(),
                l.name.clone(),
                l.colour.clone(),
                code(&l.combine),
            ]);
            for (j, c) in l.conditions.iter().enumerate() {
                condition_rows.push(vec![
                    r.code.clone(),
                    l.level.clone(),
                    (j + 1).to_string(),
                    code(&c.measure),
                    code(&c.op),
                    c.threshold.to_string(),
                ]);
            }
        }
    }
    vec![
        Sheet {
            name: INDICATORS,
            headers: INDICATOR_HEADERS,
            rows: indicator_rows,
        },
        Sheet {
            name: RULES,
            headers: RULE_HEADERS,
            rows: rule_rows,
        },
        Sheet {
            name: LEVELS,
            headers: LEVEL_HEADERS,
            rows: level_rows,
        },
        Sheet {
            name: CONDITIONS,
            headers: CONDITION_HEADERS,
            rows: condition_rows,
        },
    ]
}

/// The rows of a sheet (header checked), each with its row number.
fn rows<'a>(
    tables: &'a BTreeMap<String, Vec<Vec<String>>>,
    name: &str,
    headers: &[&str],
) -> Result<Vec<(usize, Vec<&'a str>)>, WorkbookError> {
    let table = tables
        .get(name)
        .ok_or_else(|| fail(name, 0, "缺少该工作表"))?;
    let header: Vec<&str> = table
        .first()
        .map(|r| r.iter().map(|c| c.trim()).collect())
        .unwrap_or_default();
    if header.get(..headers.len()) != Some(headers) {
        return Err(fail(name, 1, format!("表头须为：{}", headers.join("、"))));
    }
    Ok(table
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, row)| {
            let mut cells: Vec<&str> = row.iter().map(|c| c.trim()).collect();
            cells.resize(headers.len(), "");
            (i + 1, cells)
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect())
}

fn parse_code<T: DeserializeOwned>(
    sheet: &str,
    row: usize,
    column: &str,
    text: &str,
) -> Result<T, WorkbookError> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| fail(sheet, row, format!("{column}「{text}」无效")))
}

fn number(sheet: &str, row: usize, column: &str, text: &str) -> Result<f64, WorkbookError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| fail(sheet, row, format!("{column}「{text}」不是数值")))
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn indicator_of(row: usize, c: &[&str]) -> Result<IndicatorDef, WorkbookError> {
    let s = INDICATORS;
    let calculation = match c[9] {
        "group" => Calculation::Group,
        "ratio" => Calculation::Ratio(Ratio {
            numerator: c[10].to_string(),
            denominator: optional(c[11]),
            scale: number(s, row, "倍数", c[12])?,
        }),
        other => {
            return Err(fail(
                s,
                row,
                format!("计算方式「{other}」须为 group 或 ratio"),
            ))
        }
    };
    Ok(IndicatorDef {
        code: c[0].to_string(),
        name: c[1].to_string(),
        level: c[2]
            .parse()
            .map_err(|_| fail(s, row, format!("层级「{}」须为 1、2 或 3", c[2])))?,
        parent_code: optional(c[3]),
        state: parse_code(s, row, "状态", c[4])?,
        direction: parse_code(s, row, "方向", c[5])?,
        unit: c[6].to_string(),
        description: c[7].to_string(),
        data_source: c[8].to_string(),
        calculation,
    })
}

/// The library a workbook holds; each rule's levels and conditions in
/// their `顺序`. Definitions are not validated here (the caller checks them
/// against the library).
pub fn from_sheets(
    tables: &BTreeMap<String, Vec<Vec<String>>>,
) -> Result<(Vec<IndicatorDef>, Vec<AlertRule>), WorkbookError> {
    let indicators = rows(tables, INDICATORS, INDICATOR_HEADERS)?
        .into_iter()
        .map(|(row, c)| indicator_of(row, &c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rules = Vec::new();
    for (row, c) in rows(tables, RULES, RULE_HEADERS)? {
        let s = RULES;
        if rules.iter().any(|r: &AlertRule| r.code == c[0]) {
            return Err(fail(s, row, format!("规则编码「{}」重复", c[0])));
        }
        rules.push(AlertRule {
            code: c[0].to_string(),
            name: c[1].to_string(),
            indicator: c[2].to_string(),
            unit_level: parse_code(s, row, "单位层级", c[3])?,
            period: parse_code(s, row, "期间", c[4])?,
            schedule: c[5].to_string(),
            state: parse_code(s, row, "状态", c[6])?,
            levels: Vec::new(),
            description: c[7].to_string(),
        });
    }
    let mut levels: Vec<(String, u32, AlertLevel)> = Vec::new();
    for (row, c) in rows(tables, LEVELS, LEVEL_HEADERS)? {
        let s = LEVELS;
        if !rules.iter().any(|r| r.code == c[0]) {
            return Err(fail(s, row, format!("规则「{}」不在预警规则表中", c[0])));
        }
        let order = number(s, row, "顺序", c[1])? as u32;
        levels.push((
            c[0].to_string(),
            order,
            AlertLevel {
                level: c[2].to_string(),
                name: c[3].to_string(),
                colour: c[4].to_string(),
                combine: parse_code(s, row, "条件组合", c[5])?,
                conditions: Vec::new(),
            },
        ));
    }
    let mut conditions: Vec<(String, String, u32, Condition)> = Vec::new();
    for (row, c) in rows(tables, CONDITIONS, CONDITION_HEADERS)? {
        let s = CONDITIONS;
        if !levels.iter().any(|(r, _, l)| r == c[0] && l.level == c[1]) {
            return Err(fail(
                s,
                row,
                format!("规则「{}」没有级别「{}」", c[0], c[1]),
            ));
        }
        conditions.push((
            c[0].to_string(),
            c[1].to_string(),
            number(s, row, "顺序", c[2])? as u32,
            Condition {
                measure: parse_code(s, row, "度量", c[3])?,
                op: parse_code(s, row, "比较", c[4])?,
                threshold: number(s, row, "阈值", c[5])?,
            },
        ));
    }
    conditions.sort_by_key(|(_, _, order, _)| *order);
    levels.sort_by_key(|(_, order, _)| *order);
    for (rule, _, mut level) in levels {
        level.conditions = conditions
            .iter()
            .filter(|(r, l, ..)| *r == rule && *l == level.level)
            .map(|(.., c)| c.clone())
            .collect();
        if let Some(r) = rules.iter_mut().find(|r| r.code == rule) {
            r.levels.push(level);
        }
    }
    Ok((indicators, rules))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::alerts::{Combine, Comparison, Measure, PeriodKind, RuleState};
    use crate::evaluation::indicators::builtin;
    use crate::evaluation::scoring::UnitLevel;

    fn tables(sheets: &[Sheet]) -> BTreeMap<String, Vec<Vec<String>>> {
        sheets
            .iter()
            .map(|s| {
                let mut rows = vec![s.headers.iter().map(|h| h.to_string()).collect()];
                rows.extend(s.rows.iter().cloned());
                (s.name.to_string(), rows)
            })
            .collect()
    }

    fn rule() -> AlertRule {
        let level = |key: &str, measure, threshold| AlertLevel {
            level: key.into(),
            name: format!("{key} 级"),
            colour: "#E6A23C".into(),
            combine: Combine::Any,
            conditions: vec![
                Condition {
                    measure,
                    op: Comparison::Le,
                    threshold,
                },
                Condition {
                    measure: Measure::Value,
                    op: Comparison::Gt,
                    threshold: 0.25,
                },
            ],
        };
        AlertRule {
            code: "drop".into(),
            name: "同比下降".into(),
            indicator: "on_time_rate".into(),
            unit_level: UnitLevel::CityDepartment,
            period: PeriodKind::Quarter,
            schedule: "30 7 * * 1".into(),
            state: RuleState::Disabled,
            levels: vec![
                level("red", Measure::Yoy, -20.5),
                level("yellow", Measure::Pop, -10.0),
            ],
            description: "季度同比".into(),
        }
    }

    #[test]
    fn a_library_reads_back_unchanged() {
        let indicators = builtin();
        let rules = vec![rule()];
        let sheets = to_sheets(&indicators, &rules);
        assert_eq!(
            sheets.iter().map(|s| s.name).collect::<Vec<_>>(),
            [INDICATORS, RULES, LEVELS, CONDITIONS]
        );
        assert_eq!(sheets[3].rows.len(), 4);
        let (back, back_rules) = from_sheets(&tables(&sheets)).unwrap();
        assert_eq!(back, indicators);
        assert_eq!(back_rules, rules);
    }

    #[test]
    fn a_wrong_cell_names_its_sheet_and_row() {
        let mut sheets = to_sheets(&builtin(), &[rule()]);
        sheets[3].rows[1][5] = "很多".into();
        let err = from_sheets(&tables(&sheets)).unwrap_err();
        assert_eq!((err.sheet.as_str(), err.row), (CONDITIONS, 3));
        let mut sheets = to_sheets(&builtin(), &[rule()]);
        sheets[0].rows[0][4] = "on".into();
        let err = from_sheets(&tables(&sheets)).unwrap_err();
        assert_eq!((err.sheet.as_str(), err.row), (INDICATORS, 2));
        let mut t = tables(&to_sheets(&builtin(), &[]));
        t.remove(LEVELS);
        assert_eq!(from_sheets(&t).unwrap_err().sheet, LEVELS);
    }
}
