//! Item records from the item management system (事项, 实施清单).

use super::fields::{invalid, Checked, Fields, Rejection};
use serde::Serialize;
use serde_json::{Map, Value};

/// One required material of an item.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// The item system's own code of the material (its identity in diffs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_code: Option<String>,
    pub name: String,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub copies: Option<u32>,
    #[serde(default)]
    pub form: Option<String>,
}

fn yes() -> bool {
    true
}

/// 事项: one version of a service item from the item management system.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemInput {
    pub item_code: String,
    pub basic_code: String,
    pub name: String,
    pub item_type_code: String,
    pub exercise_level: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub region_code: String,
    pub legal_limit: Option<i64>,
    pub promised_limit: Option<i64>,
    pub limit_unit: String,
    pub case_type_code: i64,
    pub handling_modes: Vec<String>,
    pub materials: Vec<Material>,
    pub elements: Map<String, Value>,
    pub valid_from: i64,
}

/// Region codes from item systems often come as 12 digits with trailing zeros
/// (`511602000000`): shorten them to the level they denote.
fn normalise_region(code: &str) -> String {
    let mut code = code.to_string();
    while code.len() > 6 && code.ends_with("000") {
        code.truncate(code.len() - 3);
    }
    code
}

/// The columns an item record may have (an import template's header).
pub const ITEM_FIELDS: &[&str] = &[
    "item_code",
    "basic_code",
    "name",
    "item_type_code",
    "exercise_level",
    "department_code",
    "department_name",
    "region_code",
    "legal_limit",
    "promised_limit",
    "limit_unit",
    "case_type_code",
    "handling_modes",
    "materials",
    "elements",
    "valid_from",
    "main_item",
    "link",
];

pub fn item(map: &Map<String, Value>, now_ms: i64) -> Checked<ItemInput> {
    let f = Fields::new(map);
    f.only(ITEM_FIELDS)?;
    let item_code = f.code("item_code", 128)?;
    // 基本编码: given, or the first segment of the 实施编码.
    let basic_code = match f.opt_code("basic_code", 64)? {
        Some(code) => code,
        None => item_code
            .split('-')
            .next()
            .unwrap_or(&item_code)
            .to_string(),
    };
    let item_type_code = f.text("item_type_code", 2)?;
    let item_type_code = match item_type_code.parse::<u8>() {
        Ok(n) if n <= 99 => format!("{n:02}"),
        _ => {
            return Err(invalid(
                "item_type_code",
                "须为 GB/T 39046 附录 A.1 事项类型代码（00–99）",
            ))
        }
    };
    let region = normalise_region(&f.code("region_code", 12)?);
    if crate::region::RegionLevel::of_code(&region).is_none() {
        return Err(invalid("region_code", "不是有效的区划代码"));
    }
    let list = |name: &str| -> Checked<Vec<String>> {
        match f.raw(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(values)) => Ok(values
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect()),
            Some(Value::String(text)) => Ok(text
                .split([',', '，', ';'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()),
            Some(_) => Err(invalid(name, "须为列表")),
        }
    };
    let materials = match f.raw("materials") {
        None => Vec::new(),
        Some(Value::Array(_)) => serde_json::from_value(map["materials"].clone())
            .map_err(|e| invalid("materials", &format!("格式不正确：{e}")))?,
        Some(Value::String(text)) => text
            .split([';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| Material {
                material_code: None,
                name: name.to_string(),
                required: true,
                copies: None,
                form: None,
            })
            .collect(),
        Some(_) => return Err(invalid("materials", "须为列表")),
    };
    let mut elements = match f.raw("elements") {
        None => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(invalid("elements", "须为对象")),
    };
    for extra in ["main_item", "link"] {
        if let Some(value) = f.opt_text(extra, 500)? {
            elements.insert(extra.to_string(), Value::String(value));
        }
    }
    let legal_limit = f.opt_int("legal_limit", 0, 3650)?;
    let promised_limit = f.opt_int("promised_limit", 0, 3650)?;
    if let (Some(legal), Some(promised)) = (legal_limit, promised_limit) {
        if promised > legal {
            return Err(invalid("promised_limit", "不得超过法定时限 legal_limit"));
        }
    }
    let limit_unit = match f.opt_text("limit_unit", 16)?.as_deref() {
        None | Some("working") | Some("工作日") => "working".to_string(),
        Some("natural") | Some("自然日") => "natural".to_string(),
        Some(_) => {
            return Err(invalid(
                "limit_unit",
                "须为 working（工作日）或 natural（自然日）",
            ))
        }
    };
    let valid_from = match f.opt_text("valid_from", 40)? {
        None => crate::time::parse_bound("2015-01-01").unwrap_or_default(),
        Some(text) => crate::time::parse_bound(&text)
            .or_else(|| super::fields::parse_time(&text))
            .ok_or_else(|| {
                Rejection::new("time.invalid", "`valid_from` 须为日期或 RFC 3339 时间")
            })?,
    };
    if valid_from > now_ms + 366 * 86_400_000 {
        return Err(Rejection::new("time.future", "`valid_from` 晚于一年以后"));
    }
    Ok(ItemInput {
        basic_code,
        name: f.text("name", 200)?,
        item_type_code,
        exercise_level: f.opt_code("exercise_level", 2)?,
        department_code: f.code("department_code", 64)?,
        department_name: f.opt_text("department_name", 100)?,
        region_code: region,
        legal_limit,
        promised_limit,
        limit_unit,
        case_type_code: f.opt_int("case_type_code", 1, 9)?.unwrap_or(2),
        handling_modes: list("handling_modes")?,
        materials,
        elements,
        valid_from,
        item_code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> i64 {
        crate::time::parse_rfc3339("2026-11-21T12:00:00+08:00").unwrap()
    }

    #[test]
    fn the_sichuan_sample_row_imports_as_an_item() {
        let row = json!({
            "department_name": "区经信局", "main_item": "未分类",
            "name": "企业投资项目备案（技术改造）（市级/县级）",
            "item_code": "511Z07001006-511602000000-000-11511301008778183N-1-00",
            "item_type_code": "10", "region_code": "511602000000", "department_code": "11511301008778183N",
            "link": "http://example"
        });
        let item = item(row.as_object().unwrap(), now()).unwrap();
        assert_eq!(item.basic_code, "511Z07001006");
        assert_eq!(item.region_code, "511602");
        assert_eq!(item.item_type_code, "10");
        assert_eq!(item.limit_unit, "working");
        assert_eq!(item.elements["main_item"], "未分类");
    }
}
