//! The dishonest-entity list (失信名单): identity numbers stored as keyed
//! hashes (matching), an encrypted copy and the masked form — like
//! applicants (AGG-5). One entry per (applicant, source); a second listing
//! by the same source is a duplicate.

use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};

#[derive(Debug, Clone)]
pub struct NewDishonest {
    pub applicant_key: String,
    pub applicant_enc: String,
    pub applicant_masked: String,
    pub listed_at: i64,
    pub reason: String,
    pub source: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DishonestRow {
    pub id: i64,
    pub applicant_masked: String,
    pub listed_at: i64,
    pub reason: String,
    pub source: String,
    pub received_at: i64,
}

pub static DISHONEST_LIST: ListSpec<DishonestRow> = ListSpec {
    fields: &[SortField {
        name: "received_at",
        column: "e.received_at",
        key: |r| Key::Int(r.received_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "id",
        column: "e.id",
        key: |r| Key::Int(r.id),
    },
};

const DISHONEST_SELECT: &str =
    "SELECT e.id, e.applicant_masked, e.listed_at, e.reason, e.source, e.received_at
    FROM dishonest_entries e WHERE 1 = 1";

impl Store {
    /// Record entries (one transaction, one audit row naming the counts);
    /// per entry `true` when new, `false` for a duplicate.
    pub async fn record_dishonest(
        &self,
        entries: &[NewDishonest],
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<Vec<bool>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let mut created = Vec::with_capacity(entries.len());
            for e in entries {
                let inserted = sqlx::query(
                    "INSERT INTO dishonest_entries (applicant_key, applicant_enc, applicant_masked, listed_at, reason, source, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (applicant_key, source) DO NOTHING",
                )
                .bind(&e.applicant_key)
                .bind(&e.applicant_enc)
                .bind(&e.applicant_masked)
                .bind(e.listed_at)
                .bind(&e.reason)
                .bind(&e.source)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                created.push(inserted > 0);
            }
            let mut record = audit.clone();
            record.details = serde_json::json!({
                "new": created.iter().filter(|c| **c).count(),
                "duplicates": created.iter().filter(|c| !**c).count(),
                "details": audit.details,
            });
            append_audit!(pool, tx, &record);
            tx.commit().await?;
            created
        }))
    }

    /// The listings of one applicant (by matching key), newest first.
    pub async fn dishonest_listings(&self, applicant_key: &str) -> StoreResult<Vec<DishonestRow>> {
        let mut sql = Sql::new(DISHONEST_SELECT);
        sql.push(" AND e.applicant_key = ")
            .bind_text(applicant_key)
            .push(" ORDER BY e.listed_at DESC, e.id DESC");
        Ok(fetch_dynamic!(self, DishonestRow, &sql)?)
    }

    pub async fn list_dishonest(
        &self,
        request: &ListRequest<DishonestRow>,
    ) -> StoreResult<ListPage<DishonestRow>> {
        list_of!(
            self,
            DishonestRow,
            DISHONEST_SELECT,
            "FROM dishonest_entries e WHERE 1 = 1",
            |_: &mut Sql| {},
            request
        )
    }
}
