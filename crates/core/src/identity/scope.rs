//! Data scope: which part of the region / department trees a caller may see.

use crate::region;
use serde::{Deserialize, Serialize};

/// The kind of scope, as carried in the API (`scope.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    City,
    Region,
    Department,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::City => "city",
            Self::Region => "region",
            Self::Department => "department",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "city" => Some(Self::City),
            "region" => Some(Self::Region),
            "department" => Some(Self::Department),
            _ => None,
        }
    }
}

/// A resolved data scope. `region_code` is always set: for a department scope it
/// is the department's region, so region-level facts can still be filtered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ResolvedScope)]
pub struct Scope {
    pub kind: ScopeKind,
    pub region_code: String,
    pub department_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("a region scope needs a region code")]
    MissingRegion,
    #[error("a department scope needs a department code")]
    MissingDepartment,
    #[error("region code {0} is malformed")]
    BadRegion(String),
}

impl Scope {
    /// Build a scope from its parts, checking they fit together.
    pub fn new(
        kind: ScopeKind,
        region_code: Option<&str>,
        department: Option<(&str, &str)>,
    ) -> Result<Self, ScopeError> {
        match kind {
            ScopeKind::City | ScopeKind::Region => {
                let code = region_code.ok_or(ScopeError::MissingRegion)?;
                if region::RegionLevel::of_code(code).is_none() {
                    return Err(ScopeError::BadRegion(code.to_string()));
                }
                Ok(Self {
                    kind,
                    region_code: code.to_string(),
                    department_code: None,
                })
            }
            ScopeKind::Department => {
                let (dept, dept_region) = department.ok_or(ScopeError::MissingDepartment)?;
                Ok(Self {
                    kind,
                    region_code: dept_region.to_string(),
                    department_code: Some(dept.to_string()),
                })
            }
        }
    }

    /// Whether a fact located at `region_code` (and owned by `department_code`,
    /// when it has one) is visible.
    pub fn allows(&self, region_code: &str, department_code: Option<&str>) -> bool {
        match self.kind {
            ScopeKind::City | ScopeKind::Region => {
                region::in_subtree(&self.region_code, region_code)
            }
            ScopeKind::Department => {
                department_code.is_some() && department_code == self.department_code.as_deref()
            }
        }
    }

    /// Whether this scope covers all of `other` (used when one user grants another a scope).
    pub fn covers(&self, other: &Scope) -> bool {
        match self.kind {
            ScopeKind::Department => self == other,
            _ => region::in_subtree(&self.region_code, &other.region_code),
        }
    }

    /// Half-open code range of visible regions (`None` for a department scope,
    /// which filters by department instead).
    pub fn region_range(&self) -> Option<(String, String)> {
        match self.kind {
            ScopeKind::Department => None,
            _ => Some(region::subtree_range(&self.region_code)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str) -> Scope {
        Scope::new(ScopeKind::Region, Some(code), None).unwrap()
    }

    #[test]
    fn district_scope_sees_own_subtree_only() {
        let chaoyang = region("110105");
        assert!(chaoyang.allows("110105", None));
        assert!(chaoyang.allows("110105001", Some("110105D001")));
        assert!(!chaoyang.allows("110108", None));
        assert!(!chaoyang.allows("110000", None));
    }

    #[test]
    fn department_scope_sees_own_department_only() {
        let dept = Scope::new(ScopeKind::Department, None, Some(("110000D001", "110000"))).unwrap();
        assert!(dept.allows("110105", Some("110000D001")));
        assert!(!dept.allows("110000", Some("110000D002")));
        assert!(!dept.allows("110000", None));
    }

    #[test]
    fn coverage() {
        let city = Scope::new(ScopeKind::City, Some("110000"), None).unwrap();
        assert!(city.covers(&region("110105")));
        assert!(!region("110105").covers(&region("110108")));
        assert!(!region("110105").covers(&city));
    }

    #[test]
    fn incomplete_scopes_are_refused() {
        assert_eq!(
            Scope::new(ScopeKind::Region, None, None),
            Err(ScopeError::MissingRegion)
        );
        assert_eq!(
            Scope::new(ScopeKind::Department, Some("110000"), None),
            Err(ScopeError::MissingDepartment)
        );
        assert!(matches!(
            Scope::new(ScopeKind::Region, Some("abc"), None),
            Err(ScopeError::BadRegion(_))
        ));
    }
}
