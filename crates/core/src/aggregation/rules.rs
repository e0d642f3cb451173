//! Collection rules (汇聚标准, AGG-3): per source system, how its records are
//! renamed, which fields it must send, and how its code values translate —
//! configured as data, applied before validation.

use super::fields::Rejection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionRules {
    /// Source field name → standard field name.
    #[serde(default)]
    pub field_map: BTreeMap<String, String>,
    /// Standard fields this source must send (beyond those every record needs).
    #[serde(default)]
    pub required: Vec<String>,
    /// Standard field → (source value → standard value).
    #[serde(default)]
    pub dictionaries: BTreeMap<String, BTreeMap<String, String>>,
}

impl CollectionRules {
    /// Rename, translate and check one record.
    pub fn apply(&self, record: Map<String, Value>) -> Result<Map<String, Value>, Rejection> {
        let mut out = Map::with_capacity(record.len());
        for (key, value) in record {
            let name = self.field_map.get(&key).cloned().unwrap_or(key);
            out.insert(name, value);
        }
        for (field, dictionary) in &self.dictionaries {
            if let Some(value) = out.get_mut(field) {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if let Some(mapped) = dictionary.get(&text) {
                    *value = Value::String(mapped.clone());
                }
            }
        }
        for field in &self.required {
            let missing = match out.get(field) {
                None | Some(Value::Null) => true,
                Some(Value::String(s)) => s.trim().is_empty(),
                _ => false,
            };
            if missing {
                return Err(Rejection::new(
                    "field.missing",
                    format!("按该数据源的汇聚规则，`{field}` 为必填字段"),
                ));
            }
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.field_map.is_empty() && self.required.is_empty() && self.dictionaries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rename_translate_require() {
        let rules: CollectionRules = serde_json::from_value(json!({
            "field_map": {"BJBH": "case_code", "QD": "channel"},
            "required": ["remark"],
            "dictionaries": {"channel": {"1": "window", "2": "online"}}
        }))
        .unwrap();
        let record = json!({"BJBH": "C-1", "QD": 2, "remark": "x"})
            .as_object()
            .unwrap()
            .clone();
        let out = rules.apply(record).unwrap();
        assert_eq!(out["case_code"], "C-1");
        assert_eq!(out["channel"], "online");
        let record = json!({"BJBH": "C-1"}).as_object().unwrap().clone();
        assert_eq!(rules.apply(record).unwrap_err().code, "field.missing");
    }
}
