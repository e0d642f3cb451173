//! Saving a new version of a versioned definition — an indicator, a scoring
//! scheme, an indicator warning rule. Each lives in a table of current rows
//! (key `code`, counter `version`) and a table of every version; a save writes
//! both and its audit row in one transaction. A create is refused when the
//! code exists; an update names the version it read and is refused when
//! another save came first, so two editors at once give one new version and
//! one conflict, never a lost change.

use super::library::VersionRow;
use crate::audit::AuditRecord;
use crate::db::{PoolOps, Sql, Store, StoreResult, Value};

/// Where a kind of definition lives.
pub(crate) struct Kind {
    /// The table of current rows.
    pub table: &'static str,
    /// The table of versions (key `(code, version)`).
    pub versions: &'static str,
    /// Whether the versions table keeps each version's name.
    pub versions_keep_name: bool,
    /// The audit record's object type.
    pub object: &'static str,
}

/// What every definition's save writes: its name and whole definition, when
/// and by whom.
pub(crate) struct Saved<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub definition: &'a str,
    pub at: i64,
    pub by: &'a str,
}

/// The [`Saved`] part of a definition row (every row type names it alike).
macro_rules! saved_of {
    ($row:expr) => {
        $crate::evaluation::versioned::Saved {
            code: &$row.code,
            name: &$row.name,
            definition: &$row.definition,
            at: $row.updated_at,
            by: &$row.updated_by,
        }
    };
}

/// One save of a definition.
pub(crate) struct VersionedSave<'a> {
    kind: &'a Kind,
    code: &'a str,
    /// Current-row columns written on create and on update.
    columns: Vec<(&'static str, Value)>,
    /// Current-row columns written on create only.
    on_create: Vec<(&'static str, Value)>,
    /// The version row's columns besides `code` and `version`.
    history: Vec<(&'static str, Value)>,
}

impl<'a> VersionedSave<'a> {
    /// A save of `saved` with the kind's own current-row `columns` and those
    /// written on create only.
    pub fn new(
        kind: &'a Kind,
        saved: &Saved<'a>,
        columns: Vec<(&'static str, Value)>,
        on_create: Vec<(&'static str, Value)>,
    ) -> Self {
        let text = |v: &str| Value::Text(v.to_string());
        let mut current = vec![
            ("name", text(saved.name)),
            ("definition", text(saved.definition)),
            ("updated_at", Value::Int(saved.at)),
            ("updated_by", text(saved.by)),
        ];
        current.extend(columns);
        let mut history = vec![
            ("definition", text(saved.definition)),
            ("created_at", Value::Int(saved.at)),
            ("created_by", text(saved.by)),
        ];
        if kind.versions_keep_name {
            history.push(("name", text(saved.name)));
        }
        Self {
            kind,
            code: saved.code,
            columns: current,
            on_create,
            history,
        }
    }
}

/// `INSERT INTO table (code, version, …) VALUES (…)`.
fn insert(table: &str, code: &str, version: i64, columns: Vec<(&str, Value)>) -> Sql {
    let (names, mut values): (Vec<&str>, Vec<Value>) = columns.into_iter().unzip();
    values.splice(0..0, [Value::Text(code.into()), Value::Int(version)]);
    let mut sql = Sql::new(&format!(
        "INSERT INTO {table} (code, version, {}) VALUES ",
        names.join(", ")
    ));
    sql.push_values(values);
    sql
}

impl VersionedSave<'_> {
    /// The statement writing the current row.
    fn current(&self, version: i64, read_version: Option<i64>) -> Sql {
        match read_version {
            None => {
                let columns = self.columns.iter().chain(&self.on_create).cloned();
                let mut sql = insert(self.kind.table, self.code, version, columns.collect());
                sql.push(" ON CONFLICT (code) DO NOTHING");
                sql
            }
            Some(read) => {
                let mut sql = Sql::new(&format!("UPDATE {} SET version = ", self.kind.table));
                sql.bind_int(version);
                for (name, value) in &self.columns {
                    sql.push(&format!(", {name} = ")).bind(value.clone());
                }
                sql.push(" WHERE code = ")
                    .bind_text(self.code)
                    .push(" AND version = ")
                    .bind_int(read);
                sql
            }
        }
    }
}

impl Store {
    /// Store a new version: `read_version` None creates the definition at
    /// version 1 (refused when it exists), Some(v) updates it only while it
    /// is still at v. Returns the new version, or None when refused.
    pub(crate) async fn save_version(
        &self,
        save: VersionedSave<'_>,
        read_version: Option<i64>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        let version = read_version.map_or(1, |v| v + 1);
        let current = save.current(version, read_version);
        let history = insert(save.kind.versions, save.code, version, save.history);
        let audit = audit.on_object(save.kind.object, save.code);
        Ok(on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            if execute_dynamic!(pool, tx, &current)? == 0 {
                None
            } else {
                execute_dynamic!(pool, tx, &history)?;
                append_audit!(pool, tx, &audit);
                tx.commit().await?;
                Some(version)
            }
        }))
    }

    /// Every version of a kind that keeps names, newest first.
    pub(crate) async fn versions_of(
        &self,
        kind: &Kind,
        code: &str,
    ) -> StoreResult<Vec<VersionRow>> {
        let mut sql = Sql::new(&format!(
            "SELECT version, name, definition, created_at, created_by FROM {} WHERE code = ",
            kind.versions
        ));
        sql.bind_text(code).push(" ORDER BY version DESC");
        Ok(fetch_dynamic!(self, VersionRow, &sql)?)
    }
}
