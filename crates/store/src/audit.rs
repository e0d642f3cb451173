//! The tamper-evident audit log (SEC-3). Rows are only ever inserted; the
//! database refuses UPDATE and DELETE (triggers), and each row's keyed hash
//! chains it to the one before, so `verify` finds any change made behind the
//! application — even by someone who can write the database, lacking the key.

use crate::db::{Sql, Store, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, ScanWindow, SortField};
use govpulse_core::audit::{Break, ChainKey, ChainVerifier, Entry, Outcome};
use serde::Serialize;
use std::sync::RwLock;

/// The process's chain key. One per process: the server and the CLI load it
/// from the key file at start, tests use a fixed one. Without it no audit
/// row is written (fail closed rather than write an unkeyed chain).
static CHAIN_KEY: RwLock<Option<ChainKey>> = RwLock::new(None);

/// Key every audit row this process appends from now on.
pub fn use_chain_key(key: ChainKey) {
    *CHAIN_KEY.write().unwrap_or_else(|e| e.into_inner()) = Some(key);
}

/// The loaded chain key; an error when none was loaded.
pub fn chain_key() -> Result<ChainKey, sqlx::Error> {
    CHAIN_KEY
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .ok_or_else(|| sqlx::Error::Configuration("the audit chain key is not loaded".into()))
}

/// What the application asks to record; sequence number, time and hash are
/// assigned by [`append_audit!`].
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: Outcome,
    pub details: serde_json::Value,
}

impl AuditRecord {
    /// The same record with another outcome and extra details.
    pub fn with_result(&self, result: Outcome, details: serde_json::Value) -> Self {
        Self {
            result,
            details,
            ..self.clone()
        }
    }

    /// The same record about another object.
    pub fn on_object(&self, object_type: &str, object_id: &str) -> Self {
        Self {
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            ..self.clone()
        }
    }
}

/// A stored audit row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    pub details: String,
    pub hash: String,
    /// 1: plain SHA-256 (written before the key existed), 2: keyed.
    pub chain: i32,
}

impl AuditRow {
    fn entry(&self) -> Entry {
        Entry {
            seq: self.seq,
            at_ms: self.at_ms,
            actor: self.actor.clone(),
            ip: self.ip.clone(),
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            result: self.result.clone(),
            details: self.details.clone(),
        }
    }
}

/// Filters of the audit list and export.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub result: Option<String>,
    pub object_type: Option<String>,
}

impl AuditFilter {
    /// The period and one actor are index ranges (`(at_ms, seq)`,
    /// `(actor, at_ms)`); the other filters are read row by row in time order,
    /// a window of the log at a time.
    fn window(&self) -> Option<ScanWindow> {
        let unindexed =
            self.action.is_some() || self.result.is_some() || self.object_type.is_some();
        let actor = self.actor.clone().map(Value::Text);
        ScanWindow::for_filters(vec![("actor".to_string(), actor)], unindexed)
            .map(|w| w.within("at_ms", self.from_ms, self.to_ms))
    }

    pub(crate) fn push_where(&self, sql: &mut Sql) {
        sql.and_between("at_ms", self.from_ms, self.to_ms);
        if let Some(actor) = &self.actor {
            sql.push(" AND actor = ").bind_text(actor);
        }
        if let Some(action) = &self.action {
            // Prefix match so `user.` finds every user action.
            sql.push(" AND action LIKE ")
                .bind_text(&format!("{}%", escape_like(action)));
            sql.push(" ESCAPE '\\'");
        }
        if let Some(result) = &self.result {
            sql.push(" AND result = ").bind_text(result);
        }
        if let Some(object_type) = &self.object_type {
            sql.push(" AND object_type = ").bind_text(object_type);
        }
    }
}

/// Escape `%`, `_` and `\` so user text matches literally inside LIKE.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Result of a full verification pass.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub checked: u64,
    pub first_broken: Option<Break>,
    /// Sequence number and hash of the last intact entry.
    pub head_seq: i64,
    pub head_hash: String,
}

/// Append one record inside an open transaction `$tx` on pool `$pool`.
/// PostgreSQL takes a transaction-scoped advisory lock so concurrent writers
/// (several server processes) extend the chain one at a time; SQLite's write
/// transaction is already exclusive.
macro_rules! append_audit {
    ($pool:expr, $tx:expr, $record:expr) => {{
        use $crate::db::PoolOps as _;
        let record: &$crate::audit::AuditRecord = $record;
        if $pool.kind() == $crate::db::Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7100002)")
                .execute(&mut *$tx)
                .await?;
        }
        let last: Option<(i64, String, i64)> =
            sqlx::query_as("SELECT seq, hash, at_ms FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *$tx)
                .await?;
        let (prev_seq, prev_hash, prev_at) =
            last.unwrap_or((0, govpulse_core::audit::GENESIS_HASH.to_string(), 0));
        let entry = govpulse_core::audit::Entry {
            seq: prev_seq + 1,
            // The log's time never goes backwards (a clock stepped back keeps
            // the last entry's time), so time order is chain order and the
            // `(at_ms, seq)` index serves both sorts.
            at_ms: govpulse_core::time::now_ms().max(prev_at),
            actor: record.actor.clone(),
            ip: record.ip.clone(),
            action: record.action.clone(),
            object_type: record.object_type.clone(),
            object_id: record.object_id.clone(),
            result: record.result.as_str().to_string(),
            details: record.details.to_string(),
        };
        let hash = entry.keyed_hash(&$crate::audit::chain_key()?, &prev_hash);
        sqlx::query(
            "INSERT INTO audit_log (seq, at_ms, actor, ip, action, object_type, object_id, result, details, hash, chain)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 2)",
        )
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(entry.actor)
        .bind(entry.ip)
        .bind(entry.action)
        .bind(entry.object_type)
        .bind(entry.object_id)
        .bind(entry.result)
        .bind(entry.details)
        .bind(hash)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Audit log sorts, both read through the index `(at_ms, seq)`: time never
/// goes backwards along the chain (see `append_audit!`), so ordering by
/// `(at_ms, seq)` is the chain's order, and a period filter is a range of the
/// same index whichever field the page sorts by.
pub static AUDIT_LIST: ListSpec<AuditRow> = ListSpec {
    fields: &[
        SortField {
            name: "seq",
            column: "at_ms",
            key: |r| Key::Int(r.at_ms),
        },
        SortField {
            name: "at",
            column: "at_ms",
            key: |r| Key::Int(r.at_ms),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "seq",
        column: "seq",
        key: |r| Key::Int(r.seq),
    },
};

macro_rules! audit_from {
    () => {
        "FROM audit_log WHERE 1 = 1"
    };
}

/// What every read of the audit log's list says (see `Totals::generation_of`).
pub(crate) const AUDIT_FROM: &str = audit_from!();

pub(crate) const AUDIT_COLUMNS: &str = concat!(
    "SELECT seq, at_ms, actor, ip, action, object_type, object_id, result, details, hash, chain ",
    audit_from!()
);

impl Store {
    /// Newest-first page of audit rows.
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        request: &ListRequest<AuditRow>,
    ) -> StoreResult<ListPage<AuditRow>> {
        list_of!(
            self,
            AuditRow,
            AUDIT_COLUMNS,
            AUDIT_FROM,
            |sql: &mut Sql| filter.push_where(sql),
            request,
            window: filter.window()
        )
    }

    /// Up to `limit` matching rows with `seq > after`, oldest first: one chunk
    /// of a constant-memory scan.
    pub async fn audit_chunk(
        &self,
        filter: &AuditFilter,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditRow>> {
        let mut sql = Sql::new(AUDIT_COLUMNS);
        filter.push_where(&mut sql);
        sql.push(" AND seq > ")
            .bind_int(after)
            .push(" ORDER BY seq LIMIT ")
            .bind_int(limit);
        Ok(fetch_dynamic!(self, AuditRow, &sql)?)
    }

    /// Visit matching rows oldest first, chunk by chunk, until `visit` says stop.
    pub async fn scan_audit(
        &self,
        filter: &AuditFilter,
        mut visit: impl FnMut(&AuditRow) -> bool,
    ) -> StoreResult<()> {
        const CHUNK: i64 = 5_000;
        let mut after = 0_i64;
        loop {
            let rows = self.audit_chunk(filter, after, CHUNK).await?;
            for row in &rows {
                if !visit(row) {
                    return Ok(());
                }
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == CHUNK => after = last.seq,
                _ => return Ok(()),
            }
        }
    }

    /// Re-hash the whole chain with the loaded key and report the first entry
    /// that does not match.
    pub async fn verify_audit(&self) -> StoreResult<Verification> {
        let mut verifier = ChainVerifier::new(chain_key()?);
        let mut first_broken = None;
        self.scan_audit(&AuditFilter::default(), |row| {
            match verifier.check(&row.entry(), row.chain, &row.hash) {
                Ok(()) => true,
                Err(broken) => {
                    first_broken = Some(broken);
                    false
                }
            }
        })
        .await?;
        let (head_seq, head_hash) = verifier.head();
        Ok(Verification {
            ok: first_broken.is_none(),
            checked: verifier.checked(),
            first_broken,
            head_seq,
            head_hash: head_hash.to_string(),
        })
    }

    /// The stored hash of entry `seq` (if present) and the newest sequence
    /// number (0 when empty): what a checkpoint is compared with.
    pub async fn audit_hash_and_last(&self, seq: i64) -> StoreResult<(Option<String>, i64)> {
        let found = on_read!(self, pool => {
            let hash: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(seq)
                .fetch_optional(pool)
                .await?;
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
                .fetch_one(pool)
                .await?;
            (hash, last.unwrap_or(0))
        });
        Ok(found)
    }

    /// The newest entry's sequence number and hash (0 and the genesis hash
    /// when empty), for a checkpoint.
    pub async fn audit_head(&self) -> StoreResult<(i64, String)> {
        let head: Option<(i64, String)> = on_read!(self, pool => {
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(pool)
                .await?
        });
        Ok(head.unwrap_or((0, govpulse_core::audit::GENESIS_HASH.to_string())))
    }
}

/// Run `$body` inside a write transaction (bound to `$tx`) and append `$record`
/// to the audit log in the same transaction; evaluates to `$body`'s value. An
/// early `return Err(..)` in the body rolls everything back.
macro_rules! audited_write {
    ($store:expr, $record:expr, $tx:ident => $body:expr) => {
        on_write!($store, pool => {
            let mut $tx = $crate::db::PoolOps::begin_write(pool).await?;
            let value = $body;
            append_audit!(pool, $tx, $record);
            $tx.commit().await?;
            value
        })
    };
}
