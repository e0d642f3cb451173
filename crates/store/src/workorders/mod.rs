//! Work orders (issue 12): orders of every type in one table, an append-only
//! timeline, content-addressed attachments, complaint classes, and the overdue
//! sweep. Which steps are allowed is decided in `govpulse_core::workorders`;
//! this module stores them: a step compares and bumps the order's `version`
//! (a stale step changes nothing), and appends its timeline row and audit row
//! in the same transaction.

mod attachments;
mod classes;
mod satisfaction;
mod sweep;

pub use attachments::{AttachmentRow, NewAttachment};
pub use classes::ComplaintClassRow;
pub use satisfaction::{SatisfactionBy, SatisfactionFilter, SatisfactionRow};
pub use sweep::OVERDUE_RULE;

use crate::audit::{escape_like, AuditRecord};
use crate::db::{Sql, Store, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, ScanWindow, SortField};
use crate::org::OrgScope;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkOrderRow {
    pub code: String,
    pub order_type: String,
    pub state: String,
    pub title: String,
    pub subject_kind: String,
    pub subject_ref: String,
    pub district_code: String,
    pub region_code: String,
    pub department_code: String,
    pub department_name: Option<String>,
    pub class_code: Option<String>,
    pub data: String,
    pub due_at: Option<i64>,
    pub clock_started_at: i64,
    pub suspended_days: i64,
    pub paused_at: Option<i64>,
    pub version: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub actor_name: String,
    pub unit_code: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub comment: Option<String>,
    pub fields: String,
    pub attachments: String,
}

const ORDER_COLUMNS: &str = "w.code, w.order_type, w.state, w.title, w.subject_kind, w.subject_ref,
    w.district_code, w.region_code, w.department_code, d.name AS department_name, w.class_code, w.data,
    w.due_at, w.clock_started_at, w.suspended_days, w.paused_at, w.version, w.created_by,
    w.created_at, w.updated_at, w.closed_at";

const ORDER_FROM: &str =
    " FROM work_orders w LEFT JOIN departments d ON d.code = w.department_code WHERE 1 = 1";

/// The list's SELECT (filters are appended).
pub(crate) fn order_select() -> String {
    format!("SELECT {ORDER_COLUMNS}{ORDER_FROM}")
}

/// Sorting by due time puts orders without one last, oldest first: the
/// generated column `due_sort` (migration 0023) is
/// `COALESCE(due_at, NO_DUE + created_at)`, so they do not tie on one value.
const NO_DUE: i64 = 253_402_300_799_999;

/// Work-order list sorts: each has an index `(district_code | department_code
/// | nothing, sort, code)`, created-at also one by creator (migrations 0020,
/// 0021; `code` alone is the primary key).
pub static WORK_ORDER_LIST: ListSpec<WorkOrderRow> = ListSpec {
    fields: &[
        SortField {
            name: "created_at",
            column: "w.created_at",
            key: |r| Key::Int(r.created_at),
        },
        SortField {
            name: "updated_at",
            column: "w.updated_at",
            key: |r| Key::Int(r.updated_at),
        },
        SortField {
            name: "due_at",
            column: "w.due_sort",
            key: |r| Key::Int(r.due_at.unwrap_or(NO_DUE + r.created_at)),
        },
        SortField {
            name: "code",
            column: "w.code",
            key: |r| Key::Text(r.code.clone()),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "code",
        column: "w.code",
        key: |r| Key::Text(r.code.clone()),
    },
};

/// The (type, states) an actor may act on, optionally only as the responsible unit.
#[derive(Debug, Clone)]
pub struct ActionableStates {
    pub order_type: String,
    pub states: Vec<String>,
    /// Only orders of this responsible unit.
    pub department: Option<String>,
}

/// Which orders of the caller's scope a list shows.
#[derive(Debug, Clone, Default)]
pub enum View {
    #[default]
    All,
    /// Orders the caller may act on now.
    Todo(Vec<ActionableStates>),
    /// Orders the caller took a step on.
    Done(String),
    /// Orders the caller opened.
    Created(String),
}

#[derive(Debug, Clone, Default)]
pub struct WorkOrderFilter {
    pub view: View,
    pub order_type: Option<String>,
    pub state: Option<String>,
    pub unit: Option<String>,
    pub class_prefix: Option<String>,
    /// Overdue (`Some(true)`) or not at `now_ms`.
    pub overdue: Option<bool>,
    pub q: Option<String>,
    /// Only orders created before this instant (an export's snapshot).
    pub created_before: Option<i64>,
    pub now_ms: i64,
}

fn push_view(sql: &mut Sql, view: &View) {
    match view {
        View::All => {}
        View::Created(user) => {
            sql.push(" AND w.created_by = ").bind_text(user);
        }
        View::Done(user) => {
            // The caller's steps first (index `(actor, order_code)`), not a
            // probe of the timeline for every order in scope.
            sql.push(
                " AND w.code IN (SELECT t.order_code FROM work_order_timeline t WHERE t.actor = ",
            )
            .bind_text(user)
            .push(" AND t.from_state IS NOT NULL)");
        }
        View::Todo(groups) if groups.is_empty() => {
            sql.push(" AND 1 = 0");
        }
        View::Todo(groups) => {
            sql.push(" AND (");
            for (i, group) in groups.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { " OR (" });
                sql.push("w.order_type = ").bind_text(&group.order_type);
                sql.push(" AND w.state IN ")
                    .push_list(group.states.iter().map(String::as_str));
                if let Some(dept) = &group.department {
                    sql.push(" AND w.department_code = ").bind_text(dept);
                }
                sql.push(")");
            }
            sql.push(")");
        }
    }
}

pub(crate) fn push_filter(sql: &mut Sql, scope: &OrgScope, filter: &WorkOrderFilter) {
    scope.push_fact_scope(sql, "w");
    push_view(sql, &filter.view);
    sql.and_eq("w.order_type", &filter.order_type);
    sql.and_eq("w.state", &filter.state);
    sql.and_eq("w.department_code", &filter.unit);
    if let Some(prefix) = &filter.class_prefix {
        sql.push(" AND w.class_code LIKE ")
            .bind_text(&format!("{}%", escape_like(prefix)))
            .push(" ESCAPE '\\'");
    }
    match filter.overdue {
        Some(true) => {
            sql.push(" AND w.due_at < ").bind_int(filter.now_ms);
        }
        Some(false) => {
            sql.push(" AND (w.due_at IS NULL OR w.due_at >= ")
                .bind_int(filter.now_ms)
                .push(")");
        }
        None => {}
    }
    if let Some(before) = filter.created_before {
        sql.push(" AND w.created_at < ").bind_int(before);
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        sql.push(" AND (w.title LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR w.code LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
}

/// The scan window of an order page whose filters no single index serves:
/// the list indexes lead with the district, the department or the creator
/// (我发起); the actionable states (我的待办), the caller's steps (我已办), a
/// type, state, class, overdue flag or search are tested row by row, on the
/// index entry where the index holds the column (migration 0020).
fn work_order_window(scope: &OrgScope, filter: &WorkOrderFilter) -> Option<ScanWindow> {
    let (mut prefixes, _) = crate::org::fact_prefixes("w", scope, &None, &filter.unit);
    let creator = match &filter.view {
        View::Created(user) => Some(Value::Text(user.clone())),
        _ => None,
    };
    prefixes.push(("w.created_by".into(), creator));
    let unindexed = matches!(filter.view, View::Todo(_) | View::Done(_))
        || filter.order_type.is_some()
        || filter.state.is_some()
        || filter.class_prefix.is_some()
        || filter.overdue.is_some()
        || filter.q.is_some();
    ScanWindow::for_filters(prefixes, unindexed)
}

/// What order statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsBy {
    Class,
    Unit,
    District,
}

/// Orders of one group: how many, how many open, how many past due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkOrderStatRow {
    pub key: String,
    pub name: Option<String>,
    pub total: i64,
    pub open: i64,
    pub overdue: i64,
}

/// A new order (its code is assigned when stored).
#[derive(Debug, Clone)]
pub struct NewWorkOrder {
    /// Two letters starting the code (`BG`, `TS`, `CP`).
    pub code_prefix: String,
    pub order_type: String,
    pub state: String,
    pub title: String,
    pub subject_kind: String,
    pub subject_ref: String,
    /// What opened it; a second order for the same key is not created.
    pub source_key: String,
    pub region_code: String,
    pub department_code: String,
    pub class_code: Option<String>,
    /// Type-specific fields (a JSON object).
    pub data: String,
    pub due_at: Option<i64>,
    pub created_by: String,
    pub created_by_name: String,
    pub comment: Option<String>,
}

/// One step: the order moves from `from_state` at `expected_version`.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub code: &'a str,
    pub expected_version: i64,
    pub action: &'a str,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub due_at: Option<i64>,
    pub clock_started_at: i64,
    pub suspended_days: i64,
    pub paused_at: Option<i64>,
    pub closed: bool,
    /// A new responsible unit (dispatch).
    pub department_code: Option<&'a str>,
    pub class_code: Option<&'a str>,
    /// The order's data with the step's fields merged (a JSON object).
    pub data: &'a str,
    pub actor: &'a str,
    pub actor_name: &'a str,
    pub actor_unit: Option<&'a str>,
    pub comment: Option<&'a str>,
    /// The step's fields (a JSON object).
    pub fields: &'a str,
    pub attachments: &'a [i64],
    pub now_ms: i64,
}

/// Store a new order with its first timeline row, in `$tx`; yields
/// `Some(code)`, or `None` when its source key already has an order.
macro_rules! insert_work_order {
    ($pool:expr, $tx:expr, $order:expr, $now:expr) => {{
        let order: &$crate::workorders::NewWorkOrder = $order;
        let now: i64 = $now;
        let existing: Option<(String,)> = sqlx::query_as("SELECT code FROM work_orders WHERE source_key = $1")
            .bind(&order.source_key)
            .fetch_optional(&mut *$tx)
            .await?;
        if existing.is_some() {
            None
        } else {
            let district = govpulse_core::region::district_of(&order.region_code).to_string();
            let day = govpulse_core::time::to_rfc3339(now);
            let yymmdd = format!("{}{}{}", &day[2..4], &day[5..7], &day[8..10]);
            let serial: i64 = sqlx::query_scalar(
                "INSERT INTO code_counters (district_code, day, channel, last_serial) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (district_code, day, channel) DO UPDATE SET last_serial = code_counters.last_serial + 1
                 RETURNING last_serial",
            )
            .bind(&district)
            .bind(&day[..10])
            .bind(format!("wo:{}", order.code_prefix))
            .fetch_one(&mut *$tx)
            .await?;
            let code = format!("{}{district}{yymmdd}{serial:05}", order.code_prefix);
            sqlx::query(
                "INSERT INTO work_orders (code, order_type, state, title, subject_kind, subject_ref, source_key,
                    district_code, region_code, department_code, class_code, data, due_at, clock_started_at,
                    suspended_days, paused_at, overdue_warned, version, created_by, created_at, updated_at, closed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, NULL, FALSE, 1, $15, $14, $14, NULL)",
            )
            .bind(&code)
            .bind(&order.order_type)
            .bind(&order.state)
            .bind(&order.title)
            .bind(&order.subject_kind)
            .bind(&order.subject_ref)
            .bind(&order.source_key)
            .bind(&district)
            .bind(&order.region_code)
            .bind(&order.department_code)
            .bind(&order.class_code)
            .bind(&order.data)
            .bind(order.due_at)
            .bind(now)
            .bind(&order.created_by)
            .execute(&mut *$tx)
            .await?;
            sqlx::query(
                "INSERT INTO work_order_timeline (order_code, at, actor, actor_name, unit_code, action, from_state,
                    to_state, comment, fields, attachments) VALUES ($1, $2, $3, $4, NULL, 'create', NULL, $5, $6, '{}', '[]')",
            )
            .bind(&code)
            .bind(now)
            .bind(&order.created_by)
            .bind(&order.created_by_name)
            .bind(&order.state)
            .bind(&order.comment)
            .execute(&mut *$tx)
            .await?;
            Some(code)
        }
    }};
}
pub(crate) use insert_work_order;

impl Store {
    /// Store new orders (intake); each is skipped when its source key has
    /// an order already. One audit row names the orders created, in the
    /// same transaction. Returns `Some(code)` per created order.
    pub async fn create_work_orders(
        &self,
        orders: &[NewWorkOrder],
        audit: &AuditRecord,
        now_ms: i64,
    ) -> StoreResult<Vec<Option<String>>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let mut codes = Vec::with_capacity(orders.len());
            for order in orders {
                codes.push(insert_work_order!(pool, tx, order, now_ms));
            }
            let created: Vec<&String> = codes.iter().flatten().collect();
            if !created.is_empty() {
                let mut record = audit.on_object("work_order", created[0]);
                record.details = serde_json::json!({ "created": created, "details": audit.details });
                append_audit!(pool, tx, &record);
            }
            tx.commit().await?;
            codes
        }))
    }

    /// A page of orders in `scope`.
    pub async fn list_work_orders(
        &self,
        scope: &OrgScope,
        filter: &WorkOrderFilter,
        request: &ListRequest<WorkOrderRow>,
    ) -> StoreResult<ListPage<WorkOrderRow>> {
        let select = order_select();
        list_of!(
            self,
            WorkOrderRow,
            &select,
            "FROM work_orders w WHERE 1 = 1",
            |sql: &mut Sql| push_filter(sql, scope, filter),
            request,
            window: work_order_window(scope, filter)
        )
    }

    /// Orders in `scope` matching `filter`, counted per class, unit or district.
    pub async fn work_order_stats(
        &self,
        scope: &OrgScope,
        filter: &WorkOrderFilter,
        by: StatsBy,
    ) -> StoreResult<Vec<WorkOrderStatRow>> {
        let (key, name, join) = match by {
            StatsBy::Class => (
                "COALESCE(w.class_code, '')",
                "c.name",
                "LEFT JOIN complaint_classes c ON c.code = w.class_code",
            ),
            StatsBy::Unit => (
                "w.department_code",
                "d.name",
                "LEFT JOIN departments d ON d.code = w.department_code",
            ),
            StatsBy::District => (
                "w.district_code",
                "r.name",
                "LEFT JOIN regions r ON r.code = w.district_code",
            ),
        };
        let mut sql = Sql::new(&format!(
            "SELECT {key} AS key, {name} AS name, COUNT(*) AS total,
                SUM(CASE WHEN w.closed_at IS NULL THEN 1 ELSE 0 END) AS open,
                SUM(CASE WHEN w.due_at < "
        ));
        sql.bind_int(filter.now_ms).push(&format!(
            " THEN 1 ELSE 0 END) AS overdue FROM work_orders w {join} WHERE 1 = 1"
        ));
        push_filter(&mut sql, scope, filter);
        sql.push(&format!(" GROUP BY {key}, {name} ORDER BY total DESC, key"));
        Ok(fetch_dynamic!(self, WorkOrderStatRow, &sql)?)
    }

    /// One order in `scope` (`None` outside it).
    pub async fn work_order(
        &self,
        scope: &OrgScope,
        code: &str,
    ) -> StoreResult<Option<WorkOrderRow>> {
        let mut sql = Sql::new(&format!("SELECT {ORDER_COLUMNS}{ORDER_FROM} AND w.code = "));
        sql.bind_text(code);
        scope.push_fact_scope(&mut sql, "w");
        Ok(fetch_dynamic!(self, WorkOrderRow, &sql)?.into_iter().next())
    }

    /// The order opened by `source_key`, if any.
    pub async fn work_order_by_source(&self, source_key: &str) -> StoreResult<Option<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>("SELECT code FROM work_orders WHERE source_key = $1")
                .bind(source_key)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// An order's timeline, oldest first.
    pub async fn work_order_timeline(&self, code: &str) -> StoreResult<Vec<TimelineRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, TimelineRow>(
                "SELECT id, at, actor, actor_name, unit_code, action, from_state, to_state, comment, fields, attachments
                 FROM work_order_timeline WHERE order_code = $1 ORDER BY id",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Take one step if the order is still at `expected_version` (else
    /// `None`: someone else stepped first, nothing changes). The timeline row,
    /// the closing of the order's open overdue warning and `audit` are in the
    /// same transaction.
    pub async fn step_work_order(
        &self,
        step: &Step<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<()>> {
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let mut sql = Sql::new("UPDATE work_orders SET state = ");
            sql.bind_text(step.to_state)
                .push(", version = version + 1, due_at = ").bind(Value::OptInt(step.due_at))
                .push(", clock_started_at = ").bind_int(step.clock_started_at)
                .push(", suspended_days = ").bind_int(step.suspended_days)
                .push(", paused_at = ").bind(Value::OptInt(step.paused_at))
                .push(", overdue_warned = FALSE, reminded = FALSE, updated_at = ").bind_int(step.now_ms)
                .push(", closed_at = ").bind(Value::OptInt(step.closed.then_some(step.now_ms)));
            if let Some(dept) = step.department_code {
                sql.push(", department_code = ").bind_text(dept);
            }
            if let Some(class) = step.class_code {
                sql.push(", class_code = ").bind_text(class);
            }
            sql.push(", data = ").bind_text(step.data);
            sql.push(" WHERE code = ").bind_text(step.code)
                .push(" AND version = ").bind_int(step.expected_version)
                .push(" AND state = ").bind_text(step.from_state);
            let changed = execute_dynamic!(pool, tx, &sql)?;
            if changed == 0 {
                tx.rollback().await?;
                None
            } else {
                let attachments = serde_json::to_string(step.attachments).unwrap_or_else(|_| "[]".into());
                sqlx::query(
                    "INSERT INTO work_order_timeline (order_code, at, actor, actor_name, unit_code, action, from_state,
                        to_state, comment, fields, attachments) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(step.code)
                .bind(step.now_ms)
                .bind(step.actor)
                .bind(step.actor_name)
                .bind(step.actor_unit)
                .bind(step.action)
                .bind(step.from_state)
                .bind(step.to_state)
                .bind(step.comment)
                .bind(step.fields)
                .bind(&attachments)
                .execute(&mut *tx)
                .await?;
                sweep::close_overdue_warning!(tx, step.code, step.now_ms, step.actor);
                append_audit!(pool, tx, &audit.on_object("work_order", step.code));
                tx.commit().await?;
                Some(())
            }
        }))
    }
}
