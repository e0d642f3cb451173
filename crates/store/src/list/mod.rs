//! The one list mechanism: every list in the product is read through a
//! [`ListSpec`] (its sortable columns and unique tie-breaker) and a
//! [`ListRequest`] (sort, keyset cursor or offset, page size).
//!
//! - **Keyset pages.** A page is an index range read from the cursor of the
//!   previous one (`(sort, tie) < (…)`), so page 50,000 costs what page 1 does.
//!   Offset pages (`page=N`) keep working for the first pages a person clicks.
//! - **Bounded totals.** Unless the caller already knows the exact total (the
//!   dashboard's rollups), counting stops at [`COUNT_LIMIT`] rows and the page
//!   says `total_exact: false`.
//! - **Stable sort.** Sort and tie-breaker run in the same direction, so one
//!   composite index `(scope prefix, sort column, tie)` serves both directions.

mod window;

pub use window::{ScanWindow, SCAN_ROWS};

use crate::db::{KeyBounds, Sql, Value};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Counting stops here: a total above it is reported as "more than".
pub const COUNT_LIMIT: i64 = 10_000;

/// A sort value of one row, as the cursor carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Text(String),
}

impl Key {
    fn value(&self) -> Value {
        match self {
            Key::Int(v) => Value::Int(*v),
            Key::Text(v) => Value::Text(v.clone()),
        }
    }
}

/// A column a list may be sorted by. `name` is the API's field name (the JSON
/// property of the row), `column` the SQL expression (never NULL), `key` reads
/// the row's value for the cursor.
pub struct SortField<T> {
    pub name: &'static str,
    pub column: &'static str,
    pub key: fn(&T) -> Key,
}

/// What a list may be sorted by.
pub struct ListSpec<T: 'static> {
    /// Sortable fields; the first is the default.
    pub fields: &'static [SortField<T>],
    /// Whether the default sort is descending (newest first).
    pub default_descending: bool,
    /// A unique column that breaks ties (in the sort's direction).
    pub tie: SortField<T>,
}

/// A resolved sort: which field, which direction.
pub struct Sort<T: 'static> {
    pub field: &'static SortField<T>,
    pub descending: bool,
}

impl<T> Clone for Sort<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Sort<T> {}

impl<T> Sort<T> {
    /// The API form: `field` or `-field`.
    pub fn as_param(&self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.field.name
        )
    }
}

/// Why a list request was refused (400 for the caller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("unknown sort field {field:?}; sortable: {allowed}")]
    UnknownSort { field: String, allowed: String },
    #[error("the cursor is malformed or belongs to another sort")]
    BadCursor,
}

impl<T> ListSpec<T> {
    /// Resolve `sort=field` / `sort=-field` (absent or empty: the default).
    pub fn sort(&'static self, param: Option<&str>) -> Result<Sort<T>, ListError> {
        let param = param.map(str::trim).filter(|p| !p.is_empty());
        let Some(param) = param else {
            return Ok(Sort {
                field: &self.fields[0],
                descending: self.default_descending,
            });
        };
        let (descending, name) = match param.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, param.strip_prefix('+').unwrap_or(param)),
        };
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|field| Sort { field, descending })
            .ok_or_else(|| ListError::UnknownSort {
                field: name.to_string(),
                allowed: self.sortable().join(", "),
            })
    }

    /// The sortable field names (for documentation and error details).
    pub fn sortable(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.name).collect()
    }

    fn sorts_by_tie(&self, sort: &Sort<T>) -> bool {
        sort.field.column == self.tie.column
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CursorBody {
    /// The sort the cursor was made for (`-submitted_at`).
    s: String,
    /// Sort value and tie-breaker of the last row shown.
    k: Vec<Key>,
}

/// One list request, validated.
pub struct ListRequest<T: 'static> {
    pub spec: &'static ListSpec<T>,
    pub sort: Sort<T>,
    /// Keys of the last row of the previous page (keyset paging).
    pub after: Option<Vec<Key>>,
    pub offset: i64,
    pub limit: i64,
    /// The exact total when the caller knows it already (dashboard rollups).
    pub known_total: Option<i64>,
    /// Counting stops past this many rows ([`COUNT_LIMIT`] unless raised).
    pub count_limit: i64,
    /// Whether filters no index serves are read a [`ScanWindow`] at a time:
    /// true for pages people ask for, false for internal reads and background
    /// exports, which need every row and may take their time.
    pub scan_bounded: bool,
}

impl<T> ListRequest<T> {
    /// `sort` and `after` as the API received them; `offset` applies when no cursor is given.
    pub fn new(
        spec: &'static ListSpec<T>,
        sort: Option<&str>,
        after: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Self, ListError> {
        let sort = spec.sort(sort)?;
        let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(cursor) => Some(decode_cursor(cursor, &sort, spec)?),
        };
        Ok(Self {
            spec,
            sort,
            after,
            offset,
            limit,
            known_total: None,
            count_limit: COUNT_LIMIT,
            scan_bounded: true,
        })
    }

    /// Every row in the default order (internal reads such as a case's own warnings).
    pub fn first(spec: &'static ListSpec<T>, limit: i64) -> Self {
        Self {
            spec,
            sort: Sort {
                field: &spec.fields[0],
                descending: spec.default_descending,
            },
            after: None,
            offset: 0,
            limit,
            known_total: None,
            count_limit: COUNT_LIMIT,
            scan_bounded: false,
        }
    }

    /// Rows from `offset` in the default order, counted up to `count_limit`
    /// (background exports, which refuse more rows than they may write).
    pub fn window(spec: &'static ListSpec<T>, offset: i64, limit: i64, count_limit: i64) -> Self {
        Self {
            offset,
            count_limit,
            ..Self::first(spec, limit)
        }
    }

    /// Append the keyset condition, the ORDER BY and the LIMIT/OFFSET (one row
    /// more than the page, to know whether another follows).
    pub(crate) fn push_page(&self, sql: &mut Sql) {
        self.push_after(sql);
        self.push_order(sql);
        sql.push(" LIMIT ").bind_int(self.limit + 1);
        if self.after.is_none() && self.offset > 0 {
            sql.push(" OFFSET ").bind_int(self.offset);
        }
    }

    /// The sides of the sort column a statement bounds by row values: by the
    /// cursor when it holds the keyset condition (`after`), by the window's
    /// edge when it holds that (`edge`).
    pub(crate) fn key_bounds(&self, after: bool, edge: bool) -> KeyBounds {
        let after = after && self.after.is_some();
        // Descending, a cursor bounds from above and the edge from below.
        let (lower, upper) = if self.sort.descending {
            (edge, after)
        } else {
            (after, edge)
        };
        KeyBounds {
            column: self.sort.field.column,
            lower,
            upper,
        }
    }

    /// Whether the page sorts by its tie-breaker alone (one key column).
    fn single_key(&self) -> bool {
        self.spec.sorts_by_tie(&self.sort)
    }

    /// `sort` or `sort, tie`: the columns a cursor holds, as a select list.
    fn key_list(&self) -> String {
        let column = self.sort.field.column;
        if self.single_key() {
            column.to_string()
        } else {
            format!("{column}, {}", self.spec.tie.column)
        }
    }

    /// `sort` or `(sort, tie)`: the columns a cursor compares, as one value.
    fn key_columns(&self) -> String {
        if self.single_key() {
            self.key_list()
        } else {
            format!("({})", self.key_list())
        }
    }

    /// The cursor keys of `row` under this sort.
    fn keys_of(&self, row: &T) -> Vec<Key> {
        let mut keys = vec![(self.sort.field.key)(row)];
        if !self.single_key() {
            keys.push((self.spec.tie.key)(row));
        }
        keys
    }

    /// ` AND key_columns cmp (keys…)`.
    ///
    /// The row value alone: on an indexed column pair both databases read it
    /// as one range of the index, even inside a long run of equal sort values
    /// (a separate ` AND sort <= k` would make SQLite range on the sort column
    /// only and test the tie entry by entry through the run). A sort must
    /// therefore be a column, never an expression, whose index SQLite cannot
    /// seek by a row value.
    fn push_key_comparison(&self, sql: &mut Sql, cmp: &str, keys: &[Key]) {
        sql.push(&format!(" AND {} {cmp} ", self.key_columns()));
        if let [only] = keys {
            sql.bind(only.value());
            return;
        }
        sql.push("(");
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(key.value());
        }
        sql.push(")");
    }

    /// The keyset condition: rows after the cursor in the page's direction.
    fn push_after(&self, sql: &mut Sql) {
        if let Some(keys) = &self.after {
            let cmp = if self.sort.descending { "<" } else { ">" };
            self.push_key_comparison(sql, cmp, keys);
        }
    }

    /// ORDER BY sort and tie-breaker in the page's direction.
    fn push_order(&self, sql: &mut Sql) {
        let column = self.sort.field.column;
        let dir = if self.sort.descending { "DESC" } else { "ASC" };
        if self.single_key() {
            sql.push(&format!(" ORDER BY {column} {dir}"));
        } else {
            sql.push(&format!(
                " ORDER BY {column} {dir}, {} {dir}",
                self.spec.tie.column
            ));
        }
    }

    /// Rows skipped before the page: the offset unless a cursor is given.
    fn offset_or_zero(&self) -> i64 {
        if self.after.is_none() {
            self.offset
        } else {
            0
        }
    }

    /// The page from the fetched rows (at most `limit + 1`). `edge` is the
    /// bound of a scan window ([`ScanWindow`]): a page not full by it is
    /// partial and continues past it.
    pub(crate) fn finish(
        &self,
        mut rows: Vec<T>,
        edge: Option<&T>,
        total: i64,
        total_exact: bool,
    ) -> ListPage<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(usize::try_from(self.limit).unwrap_or(0));
        let partial = !more && edge.is_some();
        let next = match (more, edge) {
            (true, _) => rows.last().map(|row| self.cursor_of(row)),
            (false, Some(edge)) => Some(self.cursor_of(edge)),
            (false, None) => None,
        };
        // A page beyond a bounded count proves at least that many rows.
        let seen = self
            .offset_or_zero()
            .saturating_add(rows.len() as i64 + i64::from(more));
        let total = if total_exact { total } else { total.max(seen) };
        ListPage {
            total,
            total_exact,
            items: rows,
            next,
            partial,
        }
    }

    fn cursor_of(&self, row: &T) -> String {
        let keys = self.keys_of(row);
        let body = CursorBody {
            s: self.sort.as_param(),
            k: keys,
        };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap_or_default())
    }
}

fn decode_cursor<T>(
    cursor: &str,
    sort: &Sort<T>,
    spec: &ListSpec<T>,
) -> Result<Vec<Key>, ListError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| ListError::BadCursor)?;
    let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| ListError::BadCursor)?;
    let want = if spec.sorts_by_tie(sort) { 1 } else { 2 };
    if body.s != sort.as_param() || body.k.len() != want {
        return Err(ListError::BadCursor);
    }
    Ok(body.k)
}

/// Bounded counts already taken, so that 500 people paging through the same
/// lists do not count the same 10,000 rows on every request. An entry is valid
/// until this process writes anything (every write bumps the generation) and
/// at most [`Totals::TTL`] old, which bounds how late another server process's
/// writes show in a total. Rows themselves are always read afresh.
///
/// Audit records appended on their own (reads, refusals; see `Store::audit`)
/// change nothing but the audit log: they move only the audit generation, which
/// counts over the audit log (and nothing else) also depend on.
pub struct Totals {
    generation: std::sync::atomic::AtomicU64,
    audit_generation: std::sync::atomic::AtomicU64,
    counted: crate::remembered::Remembered<i64>,
}

impl Default for Totals {
    fn default() -> Self {
        Self {
            generation: Default::default(),
            audit_generation: Default::default(),
            counted: crate::remembered::Remembered::new(Self::TTL),
        }
    }
}

impl Totals {
    /// How late another server process's writes may show in a total.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(30);

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Invalidate every remembered count.
    pub(crate) fn forget(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Invalidate the remembered counts over the audit log alone.
    pub(crate) fn forget_audit(&self) {
        self.audit_generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The generation a count under `key` is valid at: both counters for a
    /// count over the audit log (both only grow, so their sum moves whenever
    /// either does), the general one for any other.
    pub(crate) fn generation_of(&self, key: &str) -> u64 {
        self.generation_for(counts_audit_log(key))
    }

    fn generation_for(&self, audit_log: bool) -> u64 {
        let general = self.generation();
        if audit_log {
            general
                + self
                    .audit_generation
                    .load(std::sync::atomic::Ordering::Acquire)
        } else {
            general
        }
    }

    /// Only a count over the audit log can be kept capped, so only such a
    /// key is looked up a second time.
    pub(crate) fn get(&self, key: &str) -> Option<i64> {
        let audit_log = counts_audit_log(key);
        self.counted
            .get(key, self.generation_for(audit_log))
            .or_else(|| {
                audit_log
                    .then(|| self.counted.get(key, Self::CAPPED_FOR_GOOD))
                    .flatten()
            })
    }

    /// Remember a count taken at `generation` (dropped if a write came since).
    ///
    /// The audit log only ever grows (the database refuses UPDATE and DELETE
    /// on it), so a count over it that reached its cap stays capped whatever
    /// is written next: it is kept for the time to live, not per generation.
    /// The audit log's readers append a record with every page they read, so
    /// without this each of their pages would count its 10,000 rows again.
    pub(crate) fn put(&self, key: String, generation: u64, count: i64, capped: bool) {
        if capped && counts_audit_log(&key) {
            self.counted.put(&key, Self::CAPPED_FOR_GOOD, count);
        } else if generation == self.generation_of(&key) {
            self.counted.put(&key, generation, count);
        }
    }

    /// The generation capped counts over the audit log are kept at.
    const CAPPED_FOR_GOOD: u64 = u64::MAX;
}

/// Whether a count statement reads the audit log (see [`Totals::generation_of`]).
fn counts_audit_log(key: &str) -> bool {
    key.contains(crate::audit::AUDIT_FROM)
}

impl crate::db::Store {
    /// Changes with every write through this store (before and after it):
    /// what was read at one generation is still true while it is current.
    pub fn write_generation(&self) -> u64 {
        self.totals.generation()
    }

    /// A total remembered under `key` (see [`Totals`]) or computed by `count`
    /// and remembered: for totals the server derives itself (the dashboard cube).
    pub async fn remembered_total<E>(
        &self,
        key: String,
        count: impl std::future::Future<Output = Result<Option<i64>, E>>,
    ) -> Result<Option<i64>, E> {
        if let Some(total) = self.totals.get(&key) {
            return Ok(Some(total));
        }
        let generation = self.totals.generation_of(&key);
        let total = count.await?;
        if let Some(total) = total {
            self.totals.put(key, generation, total, false);
        }
        Ok(total)
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ListPage<T> {
    /// Rows matching the filter: exact, or (when `total_exact` is false) a lower bound.
    pub total: i64,
    pub total_exact: bool,
    pub items: Vec<T>,
    /// Cursor of the next page; `None` on the last.
    pub next: Option<String>,
    /// The page stopped at its scan window ([`ScanWindow`]) before it was
    /// full: fewer rows than asked for does not mean the end; `next` goes on.
    pub partial: bool,
}

impl<T> ListPage<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListPage<U> {
        ListPage {
            total: self.total,
            total_exact: self.total_exact,
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
            partial: self.partial,
        }
    }
}

/// `SELECT COUNT(*)` over at most `COUNT_LIMIT + 1` rows of `from_where`.
pub(crate) fn bounded_count(from_where: &str) -> Sql {
    Sql::new(&format!("SELECT COUNT(*) FROM (SELECT 1 {from_where}"))
}

/// Close a [`bounded_count`] after its filters were pushed.
pub(crate) fn close_bounded_count(sql: &mut Sql, limit: i64) {
    sql.push(" LIMIT ").bind_int(limit + 1).push(") bounded");
}

/// `(total, exact)` from a count bounded at `limit`.
pub(crate) fn bounded_total(counted: i64, limit: i64) -> (i64, bool) {
    if counted > limit {
        (limit, false)
    } else {
        (counted, true)
    }
}

#[cfg(test)]
mod tests;
