//! Instants are stored as milliseconds since the Unix epoch (portable across SQLite
//! and PostgreSQL, cheap to index and to bucket by day) and shown in Asia/Shanghai.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

/// Asia/Shanghai has had no daylight-saving time since 1991, so a fixed +08:00
/// offset is exact for every date the platform handles.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Current instant in epoch milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// RFC 3339 rendering in Asia/Shanghai, e.g. `2026-11-21T09:30:00+08:00`.
pub fn to_rfc3339(ms: i64) -> String {
    shanghai()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default()
}

/// Parse an RFC 3339 instant (any offset) into epoch milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Parse a query bound: either an RFC 3339 instant or a bare date `YYYY-MM-DD`
/// (start of that day in Asia/Shanghai).
pub fn parse_bound(text: &str) -> Option<i64> {
    parse_rfc3339(text).or_else(|| {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        let local = date.and_hms_opt(0, 0, 0)?;
        shanghai()
            .from_local_datetime(&local)
            .single()
            .map(|t| t.timestamp_millis())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_shanghai_time() {
        // 2026-01-01T00:00:00Z is 08:00 in Beijing.
        assert_eq!(to_rfc3339(1_767_225_600_000), "2026-01-01T08:00:00+08:00");
    }

    #[test]
    fn bare_date_is_local_midnight() {
        let ms = parse_bound("2026-01-01").unwrap();
        assert_eq!(to_rfc3339(ms), "2026-01-01T00:00:00+08:00");
        assert_eq!(parse_bound("2026-01-01T00:00:00+08:00"), Some(ms));
        assert_eq!(parse_bound("yesterday"), None);
    }
}
