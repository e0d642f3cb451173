//! Corrections from sources (issue 14 item 4): a record resent under a key
//! already stored is a duplicate (same content), a correction (higher
//! revision, other content) or a conflict (other content, revision not higher).

use super::fields::{Checked, Fields};

/// The field a source numbers its corrections with.
pub const REVISION_FIELD: &str = "revision";

/// Highest revision a record may carry (fits every database's BIGINT and JSON number).
pub const MAX_REVISION: i64 = 1 << 52;

/// The record's revision: 0 unless the source numbers it.
pub fn revision(fields: &Fields) -> Checked<i64> {
    Ok(fields
        .opt_int(REVISION_FIELD, 0, MAX_REVISION)?
        .unwrap_or(0))
}

/// What a stored record and an incoming one under the same key make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resent {
    /// Same content: nothing to store, whatever the revision.
    Duplicate,
    /// Other content under a higher revision: it supersedes the stored record.
    Corrects,
    /// Other content under an equal or lower revision.
    Conflict,
}

/// Judge an incoming record `(content hash, revision)` against the stored one.
pub fn resent(stored: (&str, i64), incoming: (&str, i64)) -> Resent {
    if stored.0 == incoming.0 {
        Resent::Duplicate
    } else if incoming.1 > stored.1 {
        Resent::Corrects
    } else {
        Resent::Conflict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_decides_before_revision() {
        assert_eq!(resent(("a", 3), ("a", 5)), Resent::Duplicate);
        assert_eq!(resent(("a", 3), ("a", 0)), Resent::Duplicate);
        assert_eq!(resent(("a", 3), ("b", 4)), Resent::Corrects);
        assert_eq!(resent(("a", 3), ("b", 3)), Resent::Conflict);
        assert_eq!(resent(("a", 3), ("b", 2)), Resent::Conflict);
    }

    #[test]
    fn revisions_are_whole_non_negative_numbers() {
        let of = |v: serde_json::Value| {
            let map = v.as_object().unwrap().clone();
            revision(&Fields::new(&map)).map_err(|r| r.code)
        };
        assert_eq!(of(json!({})), Ok(0));
        assert_eq!(of(json!({"revision": 7})), Ok(7));
        assert_eq!(of(json!({"revision": "12"})), Ok(12));
        assert_eq!(of(json!({"revision": -1})), Err("field.invalid".into()));
        assert_eq!(of(json!({"revision": 1.5})), Err("field.invalid".into()));
    }
}
