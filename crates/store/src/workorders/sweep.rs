//! Overdue work orders raise warnings through the monitoring tables: a
//! `warnings` row (rule [`OVERDUE_RULE`], subject `w:<code>`, stage
//! `workorder`), its history and inbox messages to the users whose scope
//! covers the order — the same inbox, levels and handling as case warnings.
//!
//! The sweep reads the partial index of orders due and not yet warned, so its
//! cost grows with the orders falling due, not with the orders open. A step
//! on the order closes its open warning and re-arms the sweep for the new due
//! time (`overdue_warned = FALSE`).

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
}

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
                // Titled like every warning message: 【level】what (engine.rs).
                let warning = StandaloneWarning {
                    rule: OVERDUE_RULE,
                    subject: &subject,
                    reference: &order.code,
                    stage: STAGE,
                    district: &order.district_code,
                    region: &order.region_code,
                    department: &order.department_code,
                    item,
                    level: LEVEL,
                    level_rank: 1,
                    level_name: LEVEL_NAME,
                    colour: COLOUR,
                    handling_hours: HANDLING_HOURS,
                    action: "raised",
                    title: format!("【{LEVEL_NAME}】工单超期：{}", order.code),
                    body: format!(
                        "工单“{}”（{}）已超过办理时限 {}，请督办。",
                        order.title,
                        order.code,
                        govpulse_core::time::to_rfc3339(order.due_at)
                    ),
                };
                raise_standalone_warning!(pool, tx, &users, &warning, now_ms);
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
