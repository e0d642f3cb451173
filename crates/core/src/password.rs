//! Password policy (SEC-1): length, character classes, no username inside.

use serde::{Deserialize, Serialize};

/// Why a password was refused; the codes are part of the API (`details.reasons`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordFlaw {
    TooShort,
    TooFewClasses,
    ContainsUsername,
    TooLong,
}

/// Upper bound so hashing cost stays bounded whatever a client sends.
pub const MAX_PASSWORD_LEN: usize = 128;

/// Longer than any password the policy accepts? Counted in characters, like
/// the policy, so a password accepted at creation is never refused at login.
pub fn too_long(password: &str) -> bool {
    password.chars().count() > MAX_PASSWORD_LEN
}

/// Check `password` for `username` against a minimum length; empty means acceptable.
///
/// Rules: at least `min_len` characters, at least three of four classes (lower
/// case, upper case, digit, other), and not containing the username
/// (case-insensitively).
pub fn check(password: &str, username: &str, min_len: usize) -> Vec<PasswordFlaw> {
    let mut flaws = Vec::new();
    let length = password.chars().count();
    if length < min_len {
        flaws.push(PasswordFlaw::TooShort);
    }
    if too_long(password) {
        flaws.push(PasswordFlaw::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        flaws.push(PasswordFlaw::TooFewClasses);
    }
    let name = username.trim().to_lowercase();
    if !name.is_empty() && password.to_lowercase().contains(&name) {
        flaws.push(PasswordFlaw::ContainsUsername);
    }
    flaws
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn demo_passwords_pass() {
        for (user, pw) in [
            ("admin", "Admin@12345"),
            ("secadmin", "Sec@123456"),
            ("chaoyang", "Chaoyang@123"),
        ] {
            // "Admin@12345" contains "admin": the demo accounts are exempt only
            // because they are seeded, so the policy must say so.
            let flaws = check(pw, user, 10);
            assert!(!flaws.contains(&PasswordFlaw::TooShort), "{pw}");
            assert!(!flaws.contains(&PasswordFlaw::TooFewClasses), "{pw}");
        }
        assert!(check("Admin@12345", "admin", 10).contains(&PasswordFlaw::ContainsUsername));
    }

    #[test]
    fn refusals_name_every_flaw() {
        assert_eq!(
            check("abc", "zhang", 10),
            vec![PasswordFlaw::TooShort, PasswordFlaw::TooFewClasses]
        );
        assert_eq!(
            check("zhangsan-Pass1", "ZhangSan", 10),
            vec![PasswordFlaw::ContainsUsername]
        );
        assert!(check("lowercaseonly1", "u", 10).contains(&PasswordFlaw::TooFewClasses));
        assert!(check("Str0ng#Passw0rd", "zhang", 10).is_empty());
    }

    proptest! {
        #[test]
        fn short_passwords_are_always_refused(pw in ".{0,9}") {
            prop_assert!(check(&pw, "u", 10).contains(&PasswordFlaw::TooShort));
        }
    }

    #[test]
    fn length_is_counted_in_characters_everywhere() {
        let long_multibyte = format!("Aa1{}", "密".repeat(MAX_PASSWORD_LEN - 3));
        assert!(
            long_multibyte.len() > MAX_PASSWORD_LEN,
            "more bytes than the limit"
        );
        assert!(!too_long(&long_multibyte));
        assert!(check(&long_multibyte, "user", 10).is_empty());
        assert!(too_long(&format!("{long_multibyte}x")));
    }
}
