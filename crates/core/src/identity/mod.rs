//! Accounts, roles, permissions and data scope (SEC-1, SEC-2).

mod duties;
mod permissions;
mod scope;

pub use duties::{check_account_action, single_duty, AccountAction, DutyRefusal};

pub use permissions::{
    builtin_roles, duty_of_permissions, permission, token_scope_permissions, AdminDuty,
    BuiltinRole, Permission, PERMISSIONS, TOKEN_SCOPES,
};
pub use scope::{Scope, ScopeError, ScopeKind};

/// Account usernames: 3–32 characters of `[A-Za-z0-9_.-]`, starting with a letter.
pub fn valid_username(name: &str) -> bool {
    let len = name.len();
    (3..=32).contains(&len)
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(valid_username("chaoyang"));
        assert!(valid_username("zhang.san-01"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("1abc"));
        assert!(!valid_username("张三"));
        assert!(!valid_username("a b c"));
        assert!(!valid_username("robert'); DROP TABLE users;--"));
    }
}
