//! Red "overdue" warnings of things that are not cases (work orders,
//! tolerance acceptances): a `warnings` row for (rule, subject), its history
//! and inbox messages to the users whose scope covers the place — the same
//! warnings list, inbox, levels and handling as case warnings.

pub(crate) const LEVEL: &str = "red";
pub(crate) const LEVEL_NAME: &str = "红灯";
pub(crate) const COLOUR: &str = "#F56C6C";
/// Hours to handle the warning.
pub(crate) const HANDLING_HOURS: i64 = 24;

/// One overdue thing to raise a red warning for.
pub(crate) struct OverdueWarning<'a> {
    pub rule: &'a str,
    pub stage: &'a str,
    /// `w:<code>`, `t:<id>` …
    pub subject: &'a str,
    /// Shown in the warning's case column (the order code, the case code).
    pub case_code: &'a str,
    pub district_code: &'a str,
    pub region_code: &'a str,
    pub department_code: &'a str,
    pub item_code: &'a str,
    /// What follows `【红灯】` in the message title.
    pub title: String,
    pub body: String,
}

/// Raise (or reopen) `$warning` at `$now` in `$tx`, telling `$users`.
macro_rules! raise_overdue_warning {
    ($pool:expr, $tx:expr, $users:expr, $warning:expr, $now:expr) => {{
        use $crate::monitoring::overdue::{COLOUR, HANDLING_HOURS, LEVEL, LEVEL_NAME};
        let w: &$crate::monitoring::overdue::OverdueWarning = $warning;
        let now: i64 = $now;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO warnings (rule_code, rule_version, subject_key, case_code, stage, district_code, region_code,
                department_code, item_code, level, level_rank, level_name, colour, status, raised_at, updated_at,
                handle_deadline)
             VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, 'open', $12, $12, $13)
             ON CONFLICT (rule_code, subject_key) DO UPDATE SET status = 'open', level = $9, updated_at = $12,
                closed_at = NULL, close_reason = NULL, handle_deadline = $13
             RETURNING id",
        )
        .bind(w.rule)
        .bind(w.subject)
        .bind(w.case_code)
        .bind(w.stage)
        .bind(w.district_code)
        .bind(w.region_code)
        .bind(w.department_code)
        .bind(w.item_code)
        .bind(LEVEL)
        .bind(LEVEL_NAME)
        .bind(COLOUR)
        .bind(now)
        .bind(now + HANDLING_HOURS * 3_600_000)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query("INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
                     VALUES ($1, $2, 'raised', $3, 'open', 'system', NULL)")
            .bind(id)
            .bind(now)
            .bind(LEVEL)
            .execute(&mut *$tx)
            .await?;
        // Titled like every warning message: 【level】what (engine.rs).
        let title = format!("【{LEVEL_NAME}】{}", w.title);
        let messages: Vec<Vec<$crate::db::Value>> = $crate::monitoring::inbox::recipients_at($users, w.region_code, w.department_code, w.rule, LEVEL)
            .into_iter()
            .map(|user| {
                use $crate::db::Value;
                vec![
                    Value::Int(user), Value::Int(id), Value::Text(LEVEL.into()), Value::Text(COLOUR.into()),
                    Value::Text(title.clone()), Value::Text(w.body.clone()), Value::Int(now), Value::Int(now),
                    Value::Text(w.stage.into()), Value::Text(w.district_code.into()),
                    Value::Text(w.region_code.into()), Value::Text(w.department_code.into()),
                    Value::Text(w.item_code.into()), Value::Text("person".into()),
                ]
            })
            .collect();
        insert_rows!($pool, $tx, "INSERT INTO messages (user_id, warning_id, level, colour, title, body, created_at,
            raised_at, stage, district_code, region_code, department_code, item_code, applicant_type)", messages);
    }};
}
pub(crate) use raise_overdue_warning;

/// Close the open warnings of `$subject` (it moved on) with `$reason`, in `$tx`.
macro_rules! close_subject_warnings {
    ($tx:expr, $subject:expr, $now:expr, $actor:expr, $reason:expr) => {{
        let subject: &str = $subject;
        let reason: &str = $reason;
        let open: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM warnings WHERE subject_key = $1 AND status <> 'closed' AND status <> 'false_positive'",
        )
        .bind(subject)
        .fetch_all(&mut *$tx)
        .await?;
        for (id,) in open {
            sqlx::query("UPDATE warnings SET status = 'closed', closed_at = $2, updated_at = $2, close_reason = $3 WHERE id = $1")
                .bind(id)
                .bind($now)
                .bind(reason)
                .execute(&mut *$tx)
                .await?;
            sqlx::query("INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
                         VALUES ($1, $2, 'closed', '', 'closed', $3, $4)")
                .bind(id)
                .bind($now)
                .bind($actor)
                .bind(reason)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use close_subject_warnings;
