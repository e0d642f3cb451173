//! The dishonest-entity list (失信名单) as received through intake, and the
//! identity numbers the credit check takes: a citizen ID number (GB 11643)
//! or a unified social credit code (GB 32100), told apart by which one
//! validates.

use crate::aggregation::fields::{Checked, Fields};
use crate::aggregation::Rejection;
use crate::idnumber::{validate_citizen_id, validate_credit_code, IdError};

/// One listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DishonestInput {
    /// The validated, normalised number.
    pub applicant_id: String,
    pub listed_at: i64,
    pub reason: String,
    pub source: String,
}

pub const DISHONEST_FIELDS: &[&str] = &["applicant_id", "listed_at", "reason", "source"];

/// A citizen ID number or a credit code, normalised; the error of the kind
/// it resembles most (all digits but the last: a citizen ID) otherwise.
pub fn identity_number(text: &str) -> Result<String, IdError> {
    validate_citizen_id(text).or_else(|citizen| {
        validate_credit_code(text).map_err(|credit| {
            let trimmed = text.trim();
            let looks_citizen =
                trimmed.len() == 18 && trimmed[..17].bytes().all(|b| b.is_ascii_digit());
            if looks_citizen {
                citizen
            } else {
                credit
            }
        })
    })
}

pub fn dishonest_record(
    map: &serde_json::Map<String, serde_json::Value>,
    now_ms: i64,
) -> Checked<DishonestInput> {
    let f = Fields::new(map);
    f.only(DISHONEST_FIELDS)?;
    let id = f.text("applicant_id", 32)?;
    let applicant_id = identity_number(&id).map_err(|e| {
        Rejection::new(
            &format!("applicant_id.{}", e.code()),
            format!("证件号码 applicant_id {e}"),
        )
    })?;
    Ok(DishonestInput {
        applicant_id,
        listed_at: f.time("listed_at", now_ms)?,
        reason: f.text("reason", 500)?,
        source: f.text("source", 64)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn citizen_ids_and_credit_codes_both_pass() {
        assert_eq!(
            identity_number("11010519491231002x"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            identity_number("91350100M000100Y43"),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            identity_number("110105194912310021"),
            Err(IdError::CheckCharacter)
        );
        assert_eq!(
            identity_number("91350100M000100Y44"),
            Err(IdError::CheckCharacter)
        );
        assert_eq!(identity_number("123"), Err(IdError::Length));
    }

    #[test]
    fn records_are_validated_field_by_field() {
        let now = crate::time::parse_rfc3339("2026-06-01T00:00:00+08:00").unwrap();
        let ok = json!({"applicant_id": "91350100M000100Y43", "listed_at": "2026-03-01T00:00:00+08:00", "reason": "拒不履行法院判决", "source": "信用中国"});
        let input = dishonest_record(ok.as_object().unwrap(), now).unwrap();
        assert_eq!(input.source, "信用中国");
        let bad = json!({"applicant_id": "91350100M000100Y44", "listed_at": "2026-03-01T00:00:00+08:00", "reason": "x", "source": "y"});
        assert_eq!(
            dishonest_record(bad.as_object().unwrap(), now)
                .unwrap_err()
                .code,
            "applicant_id.check_character"
        );
        let future = json!({"applicant_id": "91350100M000100Y43", "listed_at": "2027-03-01T00:00:00+08:00", "reason": "x", "source": "y"});
        assert_eq!(
            dishonest_record(future.as_object().unwrap(), now)
                .unwrap_err()
                .code,
            "time.future"
        );
        let extra = json!({"applicant_id": "91350100M000100Y43", "listed_at": "2026-03-01T00:00:00+08:00", "reason": "x", "source": "y", "name": "z"});
        assert!(dishonest_record(extra.as_object().unwrap(), now).is_err());
    }
}
