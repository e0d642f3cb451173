//! Overdue work orders raise warnings through the monitoring tables: a
//! `warnings` row (rule [`OVERDUE_RULE`], subject `w:<code>`, stage
//! `workorder`), its history and inbox messages to the users whose scope
//! covers the order — the same inbox, levels and handling as case warnings.
//!
//! The sweep reads the partial index of orders due and not yet warned, so its
//! cost grows with the orders falling due, not with the orders open. A step
//! on the order closes its open warning and re-arms the sweep for the new due
//! time (`overdue_warned = FALSE`).

use crate::db::{Sql, Store, StoreResult, Value};
use crate::monitoring::inbox::recipients_at;

/// The rule code of work-order overdue warnings.
pub const OVERDUE_RULE: &str = "workorder_overdue";
const STAGE: &str = "workorder";
const LEVEL: &str = "red";
const LEVEL_NAME: &str = "红灯";
const COLOUR: &str = "#F56C6C";
/// Hours to handle the warning.
const HANDLING_HOURS: i64 = 24;

#[derive(sqlx::FromRow)]
struct DueOrder {
    code: String,
    title: String,
    district_code: String,
    region_code: String,
    department_code: String,
    subject_kind: String,
    subject_ref: String,
    due_at: i64,
}

/// Close the open overdue warning of order `$code` (it moved on), in `$tx`.
macro_rules! close_overdue_warning {
    ($tx:expr, $code:expr, $now:expr, $actor:expr) => {{
        let subject = format!("w:{}", $code);
        let open: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM warnings WHERE subject_key = $1 AND status <> 'closed' AND status <> 'false_positive'",
        )
        .bind(&subject)
        .fetch_all(&mut *$tx)
        .await?;
        for (id,) in open {
            sqlx::query("UPDATE warnings SET status = 'closed', closed_at = $2, updated_at = $2, close_reason = '工单已流转' WHERE id = $1")
                .bind(id)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
            sqlx::query("INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
                         VALUES ($1, $2, 'closed', '', 'closed', $3, '工单已流转')")
                .bind(id)
                .bind($now)
                .bind($actor)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use close_overdue_warning;

impl Store {
    /// Raise the overdue warnings of up to `limit` orders whose due time
    /// passed before `now_ms`; returns how many were raised.
    pub async fn sweep_overdue_work_orders(&self, now_ms: i64, limit: i64) -> StoreResult<u64> {
        let users = self.recipients().await?;
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let due: Vec<DueOrder> = sqlx::query_as(
                "SELECT code, title, district_code, region_code, department_code, subject_kind, subject_ref, due_at
                 FROM work_orders WHERE due_at IS NOT NULL AND overdue_warned = FALSE AND due_at < $1
                 ORDER BY due_at LIMIT $2",
            )
            .bind(now_ms)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for order in &due {
                let subject = format!("w:{}", order.code);
                let item = if order.subject_kind == "item" { order.subject_ref.as_str() } else { "" };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO warnings (rule_code, rule_version, subject_key, case_code, stage, district_code, region_code,
                        department_code, item_code, level, level_rank, level_name, colour, status, raised_at, updated_at,
                        handle_deadline)
                     VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, 'open', $12, $12, $13)
                     ON CONFLICT (rule_code, subject_key) DO UPDATE SET status = 'open', level = $9, updated_at = $12,
                        closed_at = NULL, close_reason = NULL, handle_deadline = $13
                     RETURNING id",
                )
                .bind(OVERDUE_RULE)
                .bind(&subject)
                .bind(&order.code)
                .bind(STAGE)
                .bind(&order.district_code)
                .bind(&order.region_code)
                .bind(&order.department_code)
                .bind(item)
                .bind(LEVEL)
                .bind(LEVEL_NAME)
                .bind(COLOUR)
                .bind(now_ms)
                .bind(now_ms + HANDLING_HOURS * 3_600_000)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO warning_history (warning_id, at, action, level, status, actor, note)
                             VALUES ($1, $2, 'raised', $3, 'open', 'system', NULL)")
                    .bind(id)
                    .bind(now_ms)
                    .bind(LEVEL)
                    .execute(&mut *tx)
                    .await?;
                // Titled like every warning message: 【level】what (engine.rs).
                let title = format!("【{LEVEL_NAME}】工单超期：{}", order.code);
                let body = format!(
                    "工单“{}”（{}）已超过办理时限 {}，请督办。",
                    order.title,
                    order.code,
                    govpulse_core::time::to_rfc3339(order.due_at)
                );
                let messages: Vec<Vec<Value>> = recipients_at(&users, &order.region_code, &order.department_code, OVERDUE_RULE, LEVEL)
                    .into_iter()
                    .map(|user| vec![
                        Value::Int(user), Value::Int(id), Value::Text(LEVEL.into()), Value::Text(COLOUR.into()),
                        Value::Text(title.clone()), Value::Text(body.clone()), Value::Int(now_ms), Value::Int(now_ms),
                        Value::Text(STAGE.into()), Value::Text(order.district_code.clone()),
                        Value::Text(order.region_code.clone()), Value::Text(order.department_code.clone()),
                        Value::Text(item.to_string()), Value::Text("person".into()),
                    ])
                    .collect();
                insert_rows!(pool, tx, "INSERT INTO messages (user_id, warning_id, level, colour, title, body, created_at,
                    raised_at, stage, district_code, region_code, department_code, item_code, applicant_type)", messages);
            }
            if !due.is_empty() {
                let mut sql = Sql::new("UPDATE work_orders SET overdue_warned = TRUE WHERE code IN ");
                sql.push_list(due.iter().map(|o| o.code.as_str()));
                execute_dynamic!(pool, tx, &sql)?;
            }
            tx.commit().await?;
            due.len() as u64
        }))
    }
}
