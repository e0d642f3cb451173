//! Connection handling and the backend-dispatch machinery.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A statement was stopped: its request's deadline passed or nobody
    /// waits for it any more (see [`crate::interrupt`]).
    #[error("the statement was interrupted")]
    Interrupted,
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if crate::interrupt::is_interruption(&err) {
            Self::Interrupted
        } else {
            Self::Database(err)
        }
    }
}

/// Map a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(what.to_string())
        }
        _ => err.into(),
    }
}

/// Rows per multi-row statement and keys per IN list: well under SQLite's
/// 32,766 bound parameters and PostgreSQL's 65,535.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// Read connections of an SQLite database.
const SQLITE_READERS: u32 = 8;

/// Scan connections of an SQLite database: the dashboard's partition loads and
/// hot-word question scans, which read every row a large intake batch just
/// wrote. Each memory-mapped reader that touches the file keeps the touched
/// pages in the process's resident set, once per connection (two readers
/// scanning the partition of one 64 MiB batch added 158 MB of RSS). These
/// connections read with `pread` into a small cache instead: the pages stay in
/// the OS page cache (no disk I/O), a scan costs a copy per page, and a cache
/// larger than a few MiB would not help a scan bigger than it anyway.
const SQLITE_SCANNERS: u32 = 2;
/// Page cache of a scan connection, in KiB (SQLite's negative `cache_size`).
const SCAN_CACHE_KIB: &str = "-4096";

/// An SQLite pool whose connections are tied to the acquiring request's work
/// (see [`crate::interrupt`]); the hook talks to the connection's worker
/// thread, so it also stands for sqlx's ping before acquisition.
fn sqlite_pool(max: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(max)
        .test_before_acquire(false)
        .after_connect(|conn, _| Box::pin(crate::interrupt::bind_sqlite(conn)))
        .before_acquire(|conn, _| {
            Box::pin(async move { crate::interrupt::bind_sqlite(conn).await.map(|()| true) })
        })
}

pub(crate) enum Pools {
    /// SQLite allows one writer at a time; a single writer connection serialises
    /// writes inside the process instead of spinning on SQLITE_BUSY, while readers
    /// proceed in parallel under WAL.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// Read-only connections without a memory map for scans that follow
        /// every intake batch (see [`SQLITE_SCANNERS`]).
        scan: SqlitePool,
    },
    Postgres(PgPool),
}

/// Connections apart from the request pools, so that readiness probes and
/// cancel requests never wait behind database work.
pub(crate) enum Control {
    /// One read-only connection for readiness probes.
    Sqlite(SqlitePool),
    /// Two connections for probes and `pg_cancel_backend`.
    Postgres(std::sync::Arc<crate::interrupt::PgCanceller>),
}

/// The storage layer. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) pools: std::sync::Arc<Pools>,
    pub(crate) control: std::sync::Arc<Control>,
    /// List totals already counted (see [`crate::list::Totals`]).
    pub(crate) totals: std::sync::Arc<crate::list::Totals>,
    /// Audit records waiting for their group commit (see [`Store::audit`]).
    pub(crate) audit_queue: std::sync::Arc<crate::audit_batch::AuditQueue>,
    /// Where warnings raised outside rules (work-order and tolerance overdue,
    /// silent feeds) are also POSTed; see [`Store::set_system_webhook`].
    pub(crate) system_webhook: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

/// How busy one connection pool is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolStatus {
    /// `read`, `write` (SQLite) or `main` (PostgreSQL).
    pub name: &'static str,
    /// Connections open.
    pub size: u32,
    /// Connections open and waiting in the pool.
    pub idle: usize,
    /// The most connections the pool opens.
    pub max: u32,
}

/// One page of a list query.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub total: i64,
    pub items: Vec<T>,
}

impl Store {
    /// Open the database at `url` (`sqlite://path`, `sqlite::memory:` is refused
    /// because readers and the writer must share one file; `postgres://…`) and
    /// bring its schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connect without migrating.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pools = if url.starts_with("sqlite:") {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            if path.is_empty() || path.contains(":memory:") {
                return Err(StoreError::UnsupportedUrl(url.to_string()));
            }
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
                }
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit that returned has reached the disk, so an
                // acknowledged record survives a killed process and a power cut.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory")
                // Reads of a large database through the OS page cache without a
                // system call per page.
                .pragma("mmap_size", "4294967296");
            // The writer keeps more of the indexes it updates in memory: intake
            // into a multi-gigabyte database is bound by index page misses.
            let write = sqlite_pool(1)
                .connect_with(options.clone().pragma("cache_size", "-524288"))
                .await?;
            let read = sqlite_pool(SQLITE_READERS)
                .connect_with(
                    options
                        .clone()
                        .read_only(true)
                        .pragma("cache_size", "-65536"),
                )
                .await?;
            let scan = sqlite_pool(SQLITE_SCANNERS)
                .connect_with(
                    options
                        .clone()
                        .read_only(true)
                        .pragma("mmap_size", "0")
                        .pragma("cache_size", SCAN_CACHE_KIB),
                )
                .await?;
            let probe = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .connect_lazy_with(options.read_only(true));
            (Pools::Sqlite { read, write, scan }, Control::Sqlite(probe))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Plan every execution with its real parameters: a generic plan made
            // while a table was empty (a fresh installation, a bulk load) would
            // keep sequential scans long after the table has grown.
            let options = PgConnectOptions::from_str(url)?
                .options([("plan_cache_mode", "force_custom_plan")]);
            let control = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(5))
                .connect_lazy_with(options.clone());
            let canceller = std::sync::Arc::new(crate::interrupt::PgCanceller::new(control));
            let (on_connect, on_acquire) = (canceller.clone(), canceller.clone());
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                // The acquisition hook's query is the liveness check.
                .test_before_acquire(false)
                .after_connect(move |conn, _| {
                    let canceller = on_connect.clone();
                    Box::pin(async move { crate::interrupt::prepare_pg(conn, &canceller).await })
                })
                .before_acquire(move |conn, _| {
                    let canceller = on_acquire.clone();
                    Box::pin(async move {
                        crate::interrupt::bind_pg(conn, &canceller)
                            .await
                            .map(|()| true)
                    })
                })
                .connect_with(options)
                .await?;
            (Pools::Postgres(pool), Control::Postgres(canceller))
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let (pools, control) = pools;
        Ok(Self {
            pools: std::sync::Arc::new(pools),
            control: std::sync::Arc::new(control),
            totals: Default::default(),
            audit_queue: Default::default(),
            system_webhook: Default::default(),
        })
    }

    /// How busy each request pool is (metrics, tests).
    pub fn pool_status(&self) -> Vec<PoolStatus> {
        fn status<DB: sqlx::Database>(name: &'static str, pool: &sqlx::Pool<DB>) -> PoolStatus {
            PoolStatus {
                name,
                size: pool.size(),
                idle: pool.num_idle(),
                max: pool.options().get_max_connections(),
            }
        }
        match &*self.pools {
            Pools::Sqlite { read, write, scan } => vec![
                status("read", read),
                status("write", write),
                status("scan", scan),
            ],
            Pools::Postgres(pool) => vec![status("main", pool)],
        }
    }

    pub fn backend(&self) -> Backend {
        match *self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Readiness probe: one round trip to the database, over a connection
    /// of its own (a busy request pool does not make the server unready).
    pub async fn ping(&self) -> StoreResult<()> {
        match &*self.control {
            Control::Sqlite(probe) => {
                sqlx::query("SELECT 1").execute(probe).await?;
            }
            Control::Postgres(canceller) => {
                sqlx::query("SELECT 1").execute(canceller.control()).await?;
            }
        }
        Ok(())
    }

    /// Refresh planner statistics (after bulk loads, so plans follow the data).
    pub async fn analyze(&self) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query("ANALYZE").execute(pool).await?;
        });
        Ok(())
    }

    /// Keep planner statistics current without the cost of a full ANALYZE:
    /// SQLite's `PRAGMA optimize` analyses (on a bounded sample) only tables
    /// whose statistics are missing or stale; PostgreSQL's ANALYZE samples a
    /// fixed number of rows per table. Run at start, periodically and after
    /// bulk intake. The list indexes do not depend on it (see `list`), but
    /// other queries plan better with it.
    pub async fn optimize(&self) -> StoreResult<()> {
        on_write!(self, pool => {
            match crate::db::PoolOps::kind(pool) {
                Backend::Sqlite => {
                    sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002")
                        .execute(pool)
                        .await?;
                }
                Backend::Postgres => {
                    sqlx::raw_sql("ANALYZE").execute(pool).await?;
                }
            }
        });
        Ok(())
    }

    /// Close all connections (graceful shutdown; SQLite checkpoints its WAL).
    /// The control connections close last: cancels of statements whose
    /// requests were just dropped still go out.
    pub async fn close(&self) {
        match &*self.pools {
            Pools::Sqlite { read, write, scan } => {
                read.close().await;
                scan.close().await;
                write.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
        match &*self.control {
            Control::Sqlite(probe) => probe.close().await,
            Control::Postgres(canceller) => {
                canceller.settle().await;
                canceller.control().close().await;
            }
        }
    }
}

/// A bind value for dynamically built queries.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
    Bool(bool),
}

/// A query whose text and arguments are built at run time (optional filters).
/// Placeholders are `$N`, understood by both backends.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Value>,
    /// The sides of a list's sort column that a row value bounds here.
    key_bounds: Option<KeyBounds>,
}

/// The sides of a list's sort column that a row value (its cursor, its
/// window's edge) bounds in one statement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyBounds {
    pub column: &'static str,
    pub lower: bool,
    pub upper: bool,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
            key_bounds: None,
        }
    }

    /// Leave the sides of `bounds.column` that its row values bound to them:
    /// a period on that column ([`Self::and_between`]) is then still tested
    /// but written `+column` on those sides, which neither database reads as
    /// an index bound. Given a scalar and a row-value bound on the same side,
    /// SQLite ranges on the scalar and tests the row value entry by entry: a
    /// window's count then read its whole period, not its 2,000 entries
    /// (210 ms instead of 0.2 ms for a year of a 2,500,000-entry audit log).
    pub fn with_key_bounds(&mut self, bounds: KeyBounds) -> &mut Self {
        self.key_bounds = Some(bounds);
        self
    }

    /// Append literal SQL.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder bound to `value`.
    pub fn bind(&mut self, value: Value) -> &mut Self {
        self.args.push(value);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// The statement text for `backend`. SQLite gets anonymous `?` placeholders:
    /// sqlx resolves each numbered one by name, a linear search per parameter
    /// that made a 6,000-parameter INSERT spend two thirds of its time there.
    /// (The builder numbers placeholders in order and uses each once, so `?` is
    /// equivalent.)
    pub fn text_for(&self, backend: Backend) -> String {
        if backend == Backend::Postgres {
            return self.text.clone();
        }
        let mut out = String::with_capacity(self.text.len());
        let mut chars = self.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The statement and its arguments as one string (cache keys).
    pub fn cache_key(&self) -> String {
        format!("{}\u{1f}{:?}", self.text, self.args)
    }

    pub fn bind_text(&mut self, value: &str) -> &mut Self {
        self.bind(Value::Text(value.to_string()))
    }

    pub fn bind_int(&mut self, value: i64) -> &mut Self {
        self.bind(Value::Int(value))
    }

    /// `AND lo <= column < hi` when a code range is given (region subtrees).
    pub fn and_in_range(&mut self, column: &str, range: &Option<(String, String)>) -> &mut Self {
        if let Some((lo, hi)) = range {
            self.push(&format!(" AND {column} >= "))
                .bind_text(lo)
                .push(&format!(" AND {column} < "))
                .bind_text(hi);
        }
        self
    }

    /// `AND column = value` when a value is given.
    pub fn and_eq(&mut self, column: &str, value: &Option<String>) -> &mut Self {
        if let Some(value) = value {
            self.push(&format!(" AND {column} = ")).bind_text(value);
        }
        self
    }

    /// `AND from <= column < to` for the bounds given.
    pub fn and_between(&mut self, column: &str, from: Option<i64>, to: Option<i64>) -> &mut Self {
        let (lower, upper) = self
            .key_bounds
            .filter(|k| k.column == column)
            .map_or((false, false), |k| (k.lower, k.upper));
        let operand = |keyed: bool| {
            if keyed {
                format!("+{column}")
            } else {
                column.to_string()
            }
        };
        if let Some(from) = from {
            self.push(&format!(" AND {} >= ", operand(lower)))
                .bind_int(from);
        }
        if let Some(to) = to {
            self.push(&format!(" AND {} < ", operand(upper)))
                .bind_int(to);
        }
        self
    }

    /// Append `(…), (…)` rows of placeholders for a multi-row INSERT.
    pub fn push_rows(&mut self, rows: impl IntoIterator<Item = Vec<Value>>) -> &mut Self {
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            for (j, value) in row.into_iter().enumerate() {
                if j > 0 {
                    self.push(", ");
                }
                self.bind(value);
            }
            self.push(")");
        }
        self
    }

    /// Append `(a, b, …)` of bound values, for `IN` lists.
    pub fn push_list<'a>(&mut self, values: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.push_values(values.into_iter().map(|v| Value::Text(v.to_string())))
    }

    /// `(v1, v2, …)` with every value bound.
    pub fn push_values(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }
}

/// Backend-specific steps the shared query code needs, implemented per pool type
/// so macro bodies can call them without knowing which backend they run on.
pub(crate) trait PoolOps {
    type Db: sqlx::Database;
    /// Start a write transaction that takes the write lock up front (SQLite
    /// `BEGIN IMMEDIATE`), so a read-then-write never fails on a stale snapshot.
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
           + Send;
    fn kind(&self) -> Backend;
}

impl PoolOps for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
    fn kind(&self) -> Backend {
        Backend::Sqlite
    }
}

impl PoolOps for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
    fn kind(&self) -> Backend {
        Backend::Postgres
    }
}

impl Store {
    /// Run one administrative statement built by trusted code (schema set-up in
    /// tests and tools); never pass user input here.
    pub async fn execute_admin(&self, statement: &str) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string())).execute(pool).await?;
        });
        Ok(())
    }
}

/// `NotFound` when a keyed UPDATE/DELETE touched no row.
pub(crate) fn expect_found(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
