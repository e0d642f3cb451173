//! Field extraction from a JSON record with precise, stable rejection codes.

use serde_json::{Map, Value};

/// Why one record was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: String,
    pub message: String,
}

impl Rejection {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

pub type Checked<T> = Result<T, Rejection>;

/// Bound of the free texts GB/T 39046 leaves unbounded (`..ul`: 咨询内容,
/// 答复, 处理意见, 评价内容): 65,536 characters (64 KiB and more in UTF-8).
/// A bound still, so one record cannot take the server's memory.
pub const LONG_TEXT_CHARS: usize = 65_536;

/// Read access to one record's fields.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map }
    }

    /// Refuse fields this record kind does not know (typos must not pass silently).
    pub fn only(&self, known: &[&str]) -> Checked<()> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(unknown) => Err(Rejection::new(
                "field.unknown",
                format!("未知字段 `{unknown}`"),
            )),
            None => Ok(()),
        }
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        self.map
            .get(name)
            .filter(|v| !v.is_null() && v.as_str() != Some(""))
    }

    /// A required string of 1..=max characters (numbers are accepted as text).
    pub fn text(&self, name: &str, max: usize) -> Checked<String> {
        self.opt_text(name, max)?
            .ok_or_else(|| Rejection::new("field.missing", format!("缺少必填字段 `{name}`")))
    }

    pub fn opt_text(&self, name: &str, max: usize) -> Checked<Option<String>> {
        let Some(value) = self.present(name) else {
            return Ok(None);
        };
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(invalid(name, "须为文本")),
        };
        if text.chars().count() > max {
            return Err(invalid(name, &format!("超过 {max} 个字符")));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(invalid(name, "含有控制字符"));
        }
        Ok(Some(text))
    }

    /// A code: ASCII letters, digits and `-_.`, 1..=max characters.
    pub fn code(&self, name: &str, max: usize) -> Checked<String> {
        let text = self.text(name, max)?;
        check_code(name, &text)?;
        Ok(text)
    }

    pub fn opt_code(&self, name: &str, max: usize) -> Checked<Option<String>> {
        let text = self.opt_text(name, max)?;
        if let Some(text) = &text {
            check_code(name, text)?;
        }
        Ok(text)
    }

    /// A required integer within bounds (numbers or numeric text).
    pub fn int(&self, name: &str, min: i64, max: i64) -> Checked<i64> {
        self.opt_int(name, min, max)?
            .ok_or_else(|| Rejection::new("field.missing", format!("缺少必填字段 `{name}`")))
    }

    pub fn opt_int(&self, name: &str, min: i64, max: i64) -> Checked<Option<i64>> {
        let Some(value) = self.present(name) else {
            return Ok(None);
        };
        let number = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| invalid(name, "须为整数"))?;
        if !(min..=max).contains(&number) {
            return Err(invalid(name, &format!("须在 {min} 到 {max} 之间")));
        }
        Ok(Some(number))
    }

    /// A required instant: RFC 3339 with offset, GB/T 7408 basic `YYYYMMDDThhmmss`
    /// or `YYYY-MM-DD HH:MM:SS` (both Asia/Shanghai). Later than `now_ms` plus a
    /// five-minute clock allowance is refused.
    pub fn time(&self, name: &str, now_ms: i64) -> Checked<i64> {
        self.opt_time(name, now_ms)?
            .ok_or_else(|| Rejection::new("field.missing", format!("缺少必填字段 `{name}`")))
    }

    pub fn opt_time(&self, name: &str, now_ms: i64) -> Checked<Option<i64>> {
        let Some(text) = self.opt_text(name, 40)? else {
            return Ok(None);
        };
        let ms = parse_time(&text).ok_or_else(|| {
            Rejection::new(
                "time.invalid",
                format!("`{name}` 时间格式不正确：须为带时区的 RFC 3339 时间或 YYYYMMDDThhmmss"),
            )
        })?;
        if ms > now_ms + 5 * 60_000 {
            return Err(Rejection::new(
                "time.future",
                format!("`{name}` 晚于当前时间"),
            ));
        }
        Ok(Some(ms))
    }

    /// One of a fixed set of values.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Checked<String> {
        let text = self.text(name, 32)?;
        if !allowed.contains(&text.as_str()) {
            return Err(invalid(
                name,
                &format!("须为以下取值之一：{}", allowed.join("、")),
            ));
        }
        Ok(text)
    }

    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.present(name)
    }
}

pub fn invalid(name: &str, why: &str) -> Rejection {
    Rejection::new("field.invalid", format!("`{name}` {why}"))
}

fn check_code(name: &str, text: &str) -> Checked<()> {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(())
    } else {
        Err(invalid(name, "只能包含字母、数字和 - _ ."))
    }
}

/// Parse the accepted time formats into epoch milliseconds.
pub fn parse_time(text: &str) -> Option<i64> {
    use chrono::{NaiveDateTime, TimeZone};
    if let Some(ms) = crate::time::parse_rfc3339(text) {
        return Some(ms);
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()?;
    crate::time::shanghai()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn times_in_every_accepted_format() {
        let a = parse_time("2026-03-02T09:00:00+08:00").unwrap();
        assert_eq!(parse_time("20260302T090000"), Some(a));
        assert_eq!(parse_time("2026-03-02 09:00:00"), Some(a));
        assert_eq!(parse_time("2026-03-02T01:00:00Z"), Some(a));
        assert_eq!(
            parse_time("2026-03-02T09:00:00"),
            None,
            "no offset, not basic format"
        );
        assert_eq!(parse_time("02/03/2026"), None);
    }

    #[test]
    fn precise_codes() {
        let now = parse_time("2026-06-01T00:00:00+08:00").unwrap();
        let m = map(
            json!({"a": "x", "n": "12", "bad": [1], "t": "2027-01-01T00:00:00+08:00", "c": "ab c"}),
        );
        let f = Fields::new(&m);
        assert_eq!(f.text("missing", 10).unwrap_err().code, "field.missing");
        assert_eq!(f.int("n", 0, 100), Ok(12));
        assert_eq!(f.int("n", 0, 10).unwrap_err().code, "field.invalid");
        assert_eq!(f.text("bad", 10).unwrap_err().code, "field.invalid");
        assert_eq!(f.time("t", now).unwrap_err().code, "time.future");
        assert_eq!(f.time("a", now).unwrap_err().code, "time.invalid");
        assert_eq!(f.code("c", 10).unwrap_err().code, "field.invalid");
        assert_eq!(f.only(&["a"]).unwrap_err().code, "field.unknown");
    }
}
