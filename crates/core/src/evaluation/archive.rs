//! The archive's checksum (EVAL-3): SHA-256 over a canonical serialisation of
//! the snapshot — JSON with object keys sorted and no insignificant
//! whitespace — so the same snapshot always hashes the same, whichever
//! database or serde map order stored it.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical text of a JSON value (keys sorted at every depth).
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// Hex SHA-256 of the canonical text.
pub fn checksum(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical(value).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter_but_any_value_does() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":"分"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"分","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(checksum(&a), checksum(&b));
        assert_eq!(canonical(&a), r#"{"a":{"x":"分","y":[1,2]},"b":1}"#);
        assert_ne!(
            checksum(&a),
            checksum(&json!({"b":1,"a":{"y":[2,1],"x":"分"}}))
        );
    }
}
