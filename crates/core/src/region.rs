//! Administrative regions (区划) with GB/T 2260-style codes.
//!
//! Codes are hierarchical by prefix: `110000` Beijing, `110105` 朝阳区,
//! `110105001` a street of 朝阳区, `110105001001` a community of it. A region's
//! subtree is therefore every code starting with its *scope prefix*, which lets
//! scoped queries use an index range (`code >= lo AND code < hi`) on both databases
//! and lets a distributed database shard by the district code.

use serde::{Deserialize, Serialize};

/// Level in the region tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegionLevel {
    City = 1,
    District = 2,
    Street = 3,
    Community = 4,
}

impl RegionLevel {
    /// Level implied by the shape of a code, or `None` for a malformed code.
    pub fn of_code(code: &str) -> Option<Self> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            6 if code.ends_with("0000") || code.ends_with("00") => Some(Self::City),
            6 => Some(Self::District),
            9 => Some(Self::Street),
            12 => Some(Self::Community),
            _ => None,
        }
    }
}

/// The prefix shared by every code in the region's subtree.
///
/// Six-digit codes drop trailing `00` pairs (`110000` → `11`, `510100` → `5101`,
/// `110105` → `110105`); longer codes are their own prefix.
pub fn scope_prefix(code: &str) -> &str {
    if code.len() != 6 {
        return code;
    }
    let mut prefix = code;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    prefix
}

/// Half-open range `[lo, hi)` of codes belonging to the subtree of `code`.
pub fn subtree_range(code: &str) -> (String, String) {
    let prefix = scope_prefix(code);
    (prefix.to_string(), prefix_upper_bound(prefix))
}

/// Whether `candidate` lies in the subtree rooted at `root`.
pub fn in_subtree(root: &str, candidate: &str) -> bool {
    candidate.starts_with(scope_prefix(root))
}

/// The district (区县) a code belongs to: its first six digits; for a city code
/// the city itself. This is the natural shard key.
pub fn district_of(code: &str) -> &str {
    code.get(..6).unwrap_or(code)
}

/// Smallest string greater than every string starting with `prefix`
/// (digits only, so incrementing the last character is enough).
fn prefix_upper_bound(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last += 1;
    }
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_follow_the_code_hierarchy() {
        assert_eq!(scope_prefix("110000"), "11");
        assert_eq!(scope_prefix("510100"), "5101");
        assert_eq!(scope_prefix("110105"), "110105");
        assert_eq!(scope_prefix("110105001"), "110105001");
    }

    #[test]
    fn subtree_membership() {
        assert!(in_subtree("110105", "110105001"));
        assert!(in_subtree("110000", "110108"));
        assert!(!in_subtree("110105", "110108001"));
        assert_eq!(
            subtree_range("110105"),
            ("110105".to_string(), "110106".to_string())
        );
        assert_eq!(
            subtree_range("110000"),
            ("11".to_string(), "12".to_string())
        );
    }

    #[test]
    fn levels_from_code_shape() {
        assert_eq!(RegionLevel::of_code("110000"), Some(RegionLevel::City));
        assert_eq!(RegionLevel::of_code("110105"), Some(RegionLevel::District));
        assert_eq!(RegionLevel::of_code("110105001"), Some(RegionLevel::Street));
        assert_eq!(
            RegionLevel::of_code("110105001001"),
            Some(RegionLevel::Community)
        );
        assert_eq!(RegionLevel::of_code("11010x"), None);
        assert_eq!(RegionLevel::of_code("1101"), None);
    }
}
