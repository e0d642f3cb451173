//! Warnings about things other than a case or an applicant's consultations —
//! an overdue work order (`w:<code>`), a silent intake feed (`f:<source>|<kind>`)
//! — raised by a sweep rather than by the rule evaluator, through the same
//! tables: one `warnings` row per (rule, subject), its history, and inbox
//! messages to the users whose scope covers the warning's place, and webhook
//! deliveries to the system webhook (`Store::set_system_webhook`).

/// The level overdue things (work orders, tolerance acceptances) are raised at.
pub(crate) const OVERDUE_LEVEL: &str = "red";
pub(crate) const OVERDUE_LEVEL_NAME: &str = "红灯";
pub(crate) const OVERDUE_COLOUR: &str = "#F56C6C";
/// Hours to handle an overdue warning.
pub(crate) const OVERDUE_HANDLING_HOURS: i64 = 24;

/// One warning a sweep raises (or escalates) on a subject.
#[derive(Debug, Clone)]
pub(crate) struct StandaloneWarning<'a> {
    pub rule: &'a str,
    pub subject: &'a str,
    /// What the warning lists in its `case_code` column (an order code, a feed).
    pub reference: &'a str,
    pub stage: &'a str,
    pub district: &'a str,
    pub region: &'a str,
    pub department: &'a str,
    pub item: &'a str,
    pub level: &'a str,
    pub level_rank: i64,
    pub level_name: &'a str,
    pub colour: &'a str,
    pub handling_hours: i64,
    /// `raised` or `escalated` (history action).
    pub action: &'a str,
    pub title: String,
    pub body: String,
}

/// Raise (or raise again at another level) `$warning` at `$now` inside `$tx`,
/// with its history row, inbox messages to `$users` (the `Audience` from
/// `recipients()`) and a delivery to the system webhook when one is set.
macro_rules! raise_standalone_warning {
    ($pool:expr, $tx:expr, $users:expr, $warning:expr, $now:expr) => {{
        let w: &$crate::monitoring::standalone::StandaloneWarning = $warning;
        let now: i64 = $now;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO warnings (rule_code, rule_version, subject_key, case_code, stage, district_code, region_code,
                department_code, item_code, level, level_rank, level_name, colour, status, raised_at, updated_at,
                handle_deadline)
             VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13, $13, $14)
             ON CONFLICT (rule_code, subject_key) DO UPDATE SET status = 'open', level = $9, level_rank = $10,
                level_name = $11, colour = $12, updated_at = $13, closed_at = NULL, close_reason = NULL,
                handle_deadline = $14
             RETURNING id",
        )
        .bind(w.rule)
        .bind(w.subject)
        .bind(w.reference)
        .bind(w.stage)
        .bind(w.district)
        .bind(w.region)
        .bind(w.department)
        .bind(w.item)
        .bind(w.level)
        .bind(w.level_rank)
        .bind(w.level_name)
        .bind(w.colour)
        .bind(now)
        .bind(now + w.handling_hours * 3_600_000)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
             VALUES ($1, $2, $3, $4, 'open', 'system', NULL)",
        )
        .bind(id)
        .bind(now)
        .bind(w.action)
        .bind(w.level)
        .execute(&mut *$tx)
        .await?;
        let messages: Vec<Vec<$crate::db::Value>> = $crate::monitoring::inbox::recipients_at(
            $users, w.region, w.department, w.rule, w.level,
        )
        .into_iter()
        .map(|user| {
            use $crate::db::Value;
            vec![
                Value::Int(user), Value::Int(id), Value::Text(w.level.into()), Value::Text(w.colour.into()),
                Value::Text(w.title.clone()), Value::Text(w.body.clone()), Value::Int(now), Value::Int(now),
                Value::Text(w.stage.into()), Value::Text(w.district.into()), Value::Text(w.region.into()),
                Value::Text(w.department.into()), Value::Text(w.item.into()), Value::Text("person".into()),
            ]
        })
        .collect();
        insert_rows!($pool, $tx, "INSERT INTO messages (user_id, warning_id, level, colour, title, body, created_at,
            raised_at, stage, district_code, region_code, department_code, item_code, applicant_type)", messages);
        // The system webhook, queued like a rule's (same payload, same worker).
        if let Some(url) = &$users.webhook {
            let payload = serde_json::json!({
                "warning_id": id, "rule_code": w.rule, "case_code": w.reference, "stage": w.stage,
                "level": w.level, "region_code": w.region, "department_code": w.department,
                "item_code": w.item, "title": w.title, "body": w.body,
                "at": govpulse_core::time::to_rfc3339(now),
            });
            sqlx::query(
                "INSERT INTO webhook_deliveries (rule_code, warning_id, url, payload, status, attempts,
                    next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            )
            .bind(w.rule)
            .bind(id)
            .bind(url)
            .bind(payload.to_string())
            .bind(now)
            .execute(&mut *$tx)
            .await?;
        }
        id
    }};
}
pub(crate) use raise_standalone_warning;

/// Close the active warnings of `$subject` with `$reason`, in `$tx`.
macro_rules! close_standalone_warnings {
    ($tx:expr, $subject:expr, $reason:expr, $now:expr, $actor:expr) => {{
        let open: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM warnings WHERE subject_key = $1 AND status <> 'closed' AND status <> 'false_positive'",
        )
        .bind($subject)
        .fetch_all(&mut *$tx)
        .await?;
        for (id,) in open {
            sqlx::query("UPDATE warnings SET status = 'closed', closed_at = $2, updated_at = $2, close_reason = $3 WHERE id = $1")
                .bind(id)
                .bind($now)
                .bind($reason)
                .execute(&mut *$tx)
                .await?;
            sqlx::query("INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
                         VALUES ($1, $2, 'closed', '', 'closed', $3, $4)")
                .bind(id)
                .bind($now)
                .bind($actor)
                .bind($reason)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use close_standalone_warnings;

/// `(subject, level, status)` of the warnings of `$rule` not closed, in `$tx`.
macro_rules! active_standalone_warnings {
    ($tx:expr, $rule:expr) => {{
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT subject_key, level, status FROM warnings WHERE rule_code = $1 AND status <> 'closed'",
        )
        .bind($rule)
        .fetch_all(&mut *$tx)
        .await?;
        rows
    }};
}
pub(crate) use active_standalone_warnings;
