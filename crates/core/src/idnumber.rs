//! Identity numbers of applicants (AGG-5): citizen ID numbers (GB 11643) and
//! unified social credit codes (GB 32100) — validation and masking.

use serde::{Deserialize, Serialize};

/// Which kind of identity number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 居民身份证号码, GB 11643-1999.
    CitizenId,
    /// 统一社会信用代码, GB 32100-2015.
    CreditCode,
}

/// Why an identity number was refused; part of the intake error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("位数不正确")]
    Length,
    #[error("含有非法字符")]
    Character,
    #[error("出生日期不存在")]
    BirthDate,
    #[error("校验码不符")]
    CheckCharacter,
}

impl IdError {
    /// Stable error code suffix (`applicant_id.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Character => "character",
            Self::BirthDate => "birth_date",
            Self::CheckCharacter => "check_character",
        }
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn citizen_id_check(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// Validate an 18-character citizen ID number: digits, a real birth date
/// (YYYYMMDD at positions 7–14, not before 1900), the check character. A
/// lower-case `x` is accepted and normalised.
pub fn validate_citizen_id(text: &str) -> Result<String, IdError> {
    let id = text.trim().to_ascii_uppercase();
    if id.chars().count() != 18 {
        return Err(IdError::Length);
    }
    // Checked before splitting by bytes (found by fuzzing: 16 ASCII
    // characters and one of two bytes made a split inside a character).
    if !id.is_ascii() {
        return Err(IdError::Character);
    }
    let (body, check) = id.split_at(17);
    if !body.bytes().all(|b| b.is_ascii_digit())
        || !check.bytes().all(|b| b.is_ascii_digit() || b == b'X')
    {
        return Err(IdError::Character);
    }
    let birth = chrono::NaiveDate::parse_from_str(&body[6..14], "%Y%m%d")
        .map_err(|_| IdError::BirthDate)?;
    if birth < chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default() {
        return Err(IdError::BirthDate);
    }
    if citizen_id_check(body) != check.chars().next() {
        return Err(IdError::CheckCharacter);
    }
    Ok(id)
}

/// GB 32100 character set: digits and upper-case letters without I, O, Z, S, V.
const CREDIT_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(c: char) -> Option<u32> {
    CREDIT_CHARSET.find(c).map(|i| i as u32)
}

/// The GB 32100 check character of the first 17 characters.
pub fn credit_code_check(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CHARSET.chars().nth(check as usize)
}

/// Validate an 18-character unified social credit code.
pub fn validate_credit_code(text: &str) -> Result<String, IdError> {
    let code = text.trim().to_ascii_uppercase();
    if code.chars().count() != 18 {
        return Err(IdError::Length);
    }
    if !code.chars().all(|c| credit_value(c).is_some()) {
        return Err(IdError::Character);
    }
    let (body, check) = code.split_at(17);
    if credit_code_check(body) != check.chars().next() {
        return Err(IdError::CheckCharacter);
    }
    Ok(code)
}

/// Validate by kind.
pub fn validate(kind: IdKind, text: &str) -> Result<String, IdError> {
    match kind {
        IdKind::CitizenId => validate_citizen_id(text),
        IdKind::CreditCode => validate_credit_code(text),
    }
}

/// Masked form for display: the first 6 and last 4 characters stay
/// (`110105********123X`); shorter input is fully masked.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_citizen_ids() {
        // The GB 11643 standard's own example.
        assert_eq!(
            validate_citizen_id("11010519491231002X"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            validate_citizen_id("11010519491231002x"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            validate_citizen_id("110105194912310021"),
            Err(IdError::CheckCharacter)
        );
        assert_eq!(
            validate_citizen_id("110105194902300021"),
            Err(IdError::BirthDate)
        );
        assert_eq!(
            validate_citizen_id("11010519491231002"),
            Err(IdError::Length)
        );
        assert_eq!(
            validate_citizen_id("1101051949123100AX"),
            Err(IdError::Character)
        );
        // 18 bytes, 17 characters: the fuzzer's find (it used to panic).
        assert_eq!(
            validate_citizen_id("1101ichannele102ϧ"),
            Err(IdError::Length)
        );
        assert_eq!(
            validate_citizen_id("1101051949123100ϧX"),
            Err(IdError::Character)
        );
    }

    #[test]
    fn known_credit_codes() {
        // A published example code (GB 32100 appendix style).
        let body = "91350100M000100Y4";
        let full = format!("{body}{}", credit_code_check(body).unwrap());
        assert_eq!(validate_credit_code(&full), Ok(full.clone()));
        assert_eq!(
            validate_credit_code("91350100M000100Y43"),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            validate_credit_code("91350100M000100Y44"),
            Err(IdError::CheckCharacter)
        );
        assert_eq!(
            validate_credit_code("91350100M000100YI3"),
            Err(IdError::Character)
        );
    }

    #[test]
    fn masking_keeps_six_and_four() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
        assert_eq!(mask("abc"), "***");
    }

    proptest! {
        #[test]
        fn generated_ids_validate_and_single_digit_errors_are_caught(
            area in 110000u32..659999, days in 0i64..40000, seq in 0u32..999, pos in 0usize..17, delta in 1u8..9
        ) {
            let birth = chrono::NaiveDate::from_ymd_opt(1920, 1, 1).unwrap() + chrono::Duration::days(days);
            let body = format!("{area:06}{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{body}{}", citizen_id_check(&body).unwrap());
            prop_assert!(validate_citizen_id(&id).is_ok());
            // Changing one digit outside the birth date is always detected by MOD 11-2.
            prop_assume!(!(6..14).contains(&pos));
            let mut bytes = id.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(validate_citizen_id(&changed), Err(IdError::CheckCharacter));
        }
    }
}
