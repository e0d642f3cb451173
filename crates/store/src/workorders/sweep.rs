//! Overdue work orders raise warnings through the monitoring tables: a
//! `warnings` row (rule [`OVERDUE_RULE`], subject `w:<code>`, stage
//! `workorder`), its history and inbox messages to the users whose scope
//! covers the order — the same inbox, levels and handling as case warnings.
//!
//! The sweep reads the partial index of orders due and not yet warned, so its
//! cost grows with the orders falling due, not with the orders open. A step
//! on the order closes its open warning and re-arms the sweep for the new due
//! time (`overdue_warned = FALSE`).
//!
//! Reminders before due are the same warning at its yellow level: an order
//! falling due within the lead time raises it once per order and state
//! (`reminded`, re-armed by every step); when the order then runs overdue the
//! warning escalates to red.

use crate::db::{Sql, Store, StoreResult};
use crate::monitoring::standalone::{
    raise_standalone_warning, StandaloneWarning, OVERDUE_COLOUR as COLOUR,
    OVERDUE_HANDLING_HOURS as HANDLING_HOURS, OVERDUE_LEVEL as LEVEL,
    OVERDUE_LEVEL_NAME as LEVEL_NAME,
};

/// The rule code of work-order overdue warnings.
pub const OVERDUE_RULE: &str = "workorder_overdue";
const STAGE: &str = "workorder";

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
    reminded: bool,
}

/// The reminder level (lower than the overdue red).
const REMINDER_LEVEL: &str = "yellow";
const REMINDER_LEVEL_NAME: &str = "黄灯";
const REMINDER_COLOUR: &str = "#E6A23C";

/// The warning on `order` at one level (its subject `w:<code>` and what it says).
struct Level {
    level: &'static str,
    rank: i64,
    name: &'static str,
    colour: &'static str,
    action: &'static str,
    title: String,
    body: String,
}

fn order_warning<'a>(order: &'a DueOrder, subject: &'a str, level: Level) -> StandaloneWarning<'a> {
    StandaloneWarning {
        rule: OVERDUE_RULE,
        subject,
        reference: &order.code,
        stage: STAGE,
        district: &order.district_code,
        region: &order.region_code,
        department: &order.department_code,
        item: if order.subject_kind == "item" {
            order.subject_ref.as_str()
        } else {
            ""
        },
        level: level.level,
        level_rank: level.rank,
        level_name: level.name,
        colour: level.colour,
        handling_hours: HANDLING_HOURS,
        action: level.action,
        title: level.title,
        body: level.body,
    }
}

const DUE_COLUMNS: &str =
    "code, title, district_code, region_code, department_code, subject_kind, subject_ref, due_at, reminded";

/// Close the open overdue warning of order `$code` (it moved on), in `$tx`.
macro_rules! close_overdue_warning {
    ($tx:expr, $code:expr, $now:expr, $actor:expr) => {{
        let subject = format!("w:{}", $code);
        $crate::monitoring::standalone::close_standalone_warnings!(
            $tx,
            &subject,
            "工单已流转",
            $now,
            $actor
        );
    }};
}
pub(crate) use close_overdue_warning;

impl Store {
    /// Raise the overdue warnings of up to `limit` orders whose due time
    /// passed before `now_ms` (escalating their reminder, if one was sent);
    /// returns how many were raised.
    pub async fn sweep_overdue_work_orders(&self, now_ms: i64, limit: i64) -> StoreResult<u64> {
        let users = self.recipients().await?;
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let due: Vec<DueOrder> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {DUE_COLUMNS} FROM work_orders
                 WHERE due_at IS NOT NULL AND overdue_warned = FALSE AND due_at < $1 ORDER BY due_at LIMIT $2"
            )))
            .bind(now_ms)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for order in &due {
                let subject = format!("w:{}", order.code);
                // Titled like every warning message: 【level】what (engine.rs).
                let level = Level {
                    level: LEVEL,
                    rank: 1,
                    name: LEVEL_NAME,
                    colour: COLOUR,
                    action: if order.reminded { "escalated" } else { "raised" },
                    title: format!("【{LEVEL_NAME}】工单超期：{}", order.code),
                    body: format!(
                        "工单“{}”（{}）已超过办理时限 {}，请督办。",
                        order.title,
                        order.code,
                        govpulse_core::time::to_rfc3339(order.due_at)
                    ),
                };
                raise_standalone_warning!(pool, tx, &users, &order_warning(order, &subject, level), now_ms);
            }
            if !due.is_empty() {
                let mut sql = Sql::new("UPDATE work_orders SET overdue_warned = TRUE, reminded = TRUE WHERE code IN ");
                sql.push_list(due.iter().map(|o| o.code.as_str()));
                execute_dynamic!(pool, tx, &sql)?;
            }
            tx.commit().await?;
            due.len() as u64
        }))
    }

    /// Remind of up to `limit` open orders due from `now_ms` up to
    /// `horizon_ms` (the end of the lead time) and not yet reminded in their
    /// state: the yellow level of their overdue warning, with inbox messages
    /// to the users whose scope covers the order. Returns how many.
    pub async fn sweep_work_order_reminders(
        &self,
        now_ms: i64,
        horizon_ms: i64,
        limit: i64,
    ) -> StoreResult<u64> {
        let users = self.recipients().await?;
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let due: Vec<DueOrder> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {DUE_COLUMNS} FROM work_orders
                 WHERE due_at IS NOT NULL AND reminded = FALSE AND due_at >= $1 AND due_at <= $2
                 ORDER BY due_at LIMIT $3"
            )))
            .bind(now_ms)
            .bind(horizon_ms)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for order in &due {
                let subject = format!("w:{}", order.code);
                let due_at = govpulse_core::time::to_rfc3339(order.due_at);
                let level = Level {
                    level: REMINDER_LEVEL,
                    rank: 0,
                    name: REMINDER_LEVEL_NAME,
                    colour: REMINDER_COLOUR,
                    action: "raised",
                    title: format!("【{REMINDER_LEVEL_NAME}】工单即将到期：{}", order.code),
                    body: format!("工单“{}”（{}）将于 {due_at} 到期，请及时办理。", order.title, order.code),
                };
                raise_standalone_warning!(pool, tx, &users, &order_warning(order, &subject, level), now_ms);
            }
            if !due.is_empty() {
                let mut sql = Sql::new("UPDATE work_orders SET reminded = TRUE WHERE code IN ");
                sql.push_list(due.iter().map(|o| o.code.as_str()));
                execute_dynamic!(pool, tx, &sql)?;
            }
            tx.commit().await?;
            due.len() as u64
        }))
    }
}
