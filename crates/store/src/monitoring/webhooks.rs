//! Outbound webhook deliveries (MON-6): queued with the warning in the same
//! transaction, sent by a worker, retried with backoff, logged.

use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub rule_code: String,
    pub warning_id: i64,
    pub url: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// Webhook delivery log sorts.
pub static DELIVERY_LIST: ListSpec<DeliveryRow> = ListSpec {
    fields: &[
        SortField {
            name: "created_at",
            column: "created_at",
            key: |r| Key::Int(r.created_at),
        },
        SortField {
            name: "id",
            column: "id",
            key: |r| Key::Int(r.id),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "id",
        column: "id",
        key: |r| Key::Int(r.id),
    },
};

const DELIVERY_SELECT: &str =
    "SELECT id, rule_code, warning_id, url, payload, status, attempts, next_attempt_at,
    last_status, last_error, created_at, delivered_at FROM webhook_deliveries WHERE rule_code = ";

impl Store {
    pub async fn due_deliveries(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, DeliveryRow>(
                "SELECT id, rule_code, warning_id, url, payload, status, attempts, next_attempt_at, last_status,
                    last_error, created_at, delivered_at FROM webhook_deliveries
                 WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
            )
            .bind(now_ms)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Record one attempt: delivered, retry at `retry_at`, or failed for good.
    pub async fn record_delivery(
        &self,
        id: i64,
        http_status: Option<i32>,
        error: Option<&str>,
        retry_at: Option<i64>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let delivered = error.is_none();
        let status = match (delivered, retry_at) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2,
                    last_status = $3, last_error = $4, delivered_at = $5 WHERE id = $6",
            )
            .bind(status)
            .bind(retry_at)
            .bind(http_status)
            .bind(error)
            .bind(delivered.then_some(now_ms))
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn list_deliveries(
        &self,
        rule_code: &str,
        request: &ListRequest<DeliveryRow>,
    ) -> StoreResult<ListPage<DeliveryRow>> {
        list_of!(
            self,
            DeliveryRow,
            DELIVERY_SELECT,
            "FROM webhook_deliveries WHERE rule_code = ",
            |sql: &mut Sql| {
                sql.bind_text(rule_code);
            },
            request
        )
    }
}
