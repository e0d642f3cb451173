//! The in-app inbox (MON-6): who receives a warning, messages, read marks and
//! per-user subscriptions.

use super::facts::SubjectFacts;
use crate::db::{Sql, Store, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, ScanWindow, SortField};
use govpulse_core::region::in_subtree;
use serde::Serialize;

/// A user who may receive warnings, with their scope and subscriptions.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    id: i64,
    scope_kind: String,
    region_code: String,
    department_code: Option<String>,
    subscriptions: Vec<SubscriptionRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, serde::Deserialize)]
pub struct SubscriptionRow {
    #[serde(default)]
    pub id: i64,
    pub rule_code: Option<String>,
    pub region_code: Option<String>,
    pub level: Option<String>,
}

impl Recipient {
    fn covers(&self, facts: &SubjectFacts) -> bool {
        self.covers_place(&facts.record.region, &facts.record.department)
    }

    /// Whether a subject in `region` of `department` is in this user's scope.
    fn covers_place(&self, region: &str, department: &str) -> bool {
        match self.scope_kind.as_str() {
            "department" => self.department_code.as_deref() == Some(department),
            _ => in_subtree(&self.region_code, region),
        }
    }

    /// Whether this user's level of government is told by default: the
    /// department and district for every level, the city for red only.
    fn told_by_default(&self, level: &str) -> bool {
        self.scope_kind != "city" || level == "red"
    }

    fn subscribed(&self, region: &str, rule: &str, level: &str) -> bool {
        self.subscriptions.iter().any(|s| {
            s.rule_code.as_deref().is_none_or(|r| r == rule)
                && s.level.as_deref().is_none_or(|l| l == level)
                && s.region_code
                    .as_deref()
                    .is_none_or(|r| in_subtree(r, region))
        })
    }
}

/// Users to tell about a warning of `rule` at `level` on `facts`.
pub(crate) fn recipients(
    users: &[Recipient],
    facts: &SubjectFacts,
    rule: &str,
    level: &str,
) -> Vec<i64> {
    users
        .iter()
        .filter(|u| {
            u.covers(facts)
                && (u.told_by_default(level) || u.subscribed(&facts.record.region, rule, level))
        })
        .map(|u| u.id)
        .collect()
}

/// Users to tell about a warning of `rule` at `level` on something in
/// `region` whose responsible department is `department` (work orders).
pub(crate) fn recipients_at(
    users: &[Recipient],
    region: &str,
    department: &str,
    rule: &str,
    level: &str,
) -> Vec<i64> {
    users
        .iter()
        .filter(|u| {
            u.covers_place(region, department)
                && (u.told_by_default(level) || u.subscribed(region, rule, level))
        })
        .map(|u| u.id)
        .collect()
}

/// Who hears of a warning: the users who may receive it and, for warnings
/// raised outside rules, the system webhook (rule warnings use their rule's).
pub(crate) struct Audience {
    users: Vec<Recipient>,
    pub(crate) webhook: Option<String>,
}

impl std::ops::Deref for Audience {
    type Target = [Recipient];

    fn deref(&self) -> &[Recipient] {
        &self.users
    }
}

#[derive(sqlx::FromRow)]
struct UserSubscription {
    user_id: i64,
    id: i64,
    rule_code: Option<String>,
    region_code: Option<String>,
    level: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub warning_id: i64,
    pub case_code: String,
    pub rule_code: String,
    pub level: String,
    pub colour: String,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub unread: bool,
    pub level: Option<String>,
}

pub(crate) const MESSAGE_SELECT: &str =
    "SELECT m.id, m.warning_id, w.case_code, w.rule_code, m.level, m.colour, m.title,
        m.body, m.created_at, m.read_at
    FROM messages m JOIN warnings w ON w.id = m.warning_id WHERE 1 = 1";

/// Inbox sorts (index `(user_id, created_at, id)`).
pub static MESSAGE_LIST: ListSpec<MessageRow> = ListSpec {
    // Only by time: its indexes are (user, created_at, id), all and unread; an
    // id order is the same order (ids follow creation) and would sort the
    // user's whole inbox.
    fields: &[SortField {
        name: "created_at",
        column: "m.created_at",
        key: |r| Key::Int(r.created_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "id",
        column: "m.id",
        key: |r| Key::Int(r.id),
    },
};

pub(crate) fn push_message_filter(sql: &mut Sql, user_id: i64, filter: &MessageFilter) {
    sql.push(" AND m.user_id = ").bind_int(user_id);
    if filter.unread {
        sql.push(" AND m.read_at IS NULL");
    }
    sql.and_eq("m.level", &filter.level);
}

impl Store {
    /// Send warnings raised outside rules (`workorder_overdue`,
    /// `tolerance_overdue`, `feed_silent`) to `url` too, through the webhook
    /// deliveries rule warnings use (`None`: inbox only).
    pub fn set_system_webhook(&self, url: Option<String>) {
        if let Ok(mut slot) = self.system_webhook.write() {
            *slot = url.filter(|u| !u.trim().is_empty());
        }
    }

    /// Users holding `warning:read` through a role, with their subscriptions,
    /// and the system webhook.
    pub(crate) async fn recipients(&self) -> StoreResult<Audience> {
        let rows: Vec<(i64, String, String, Option<String>)> = on_read!(self, pool => {
            sqlx::query_as(
                "SELECT DISTINCT u.id, u.scope_kind, u.region_code, u.department_code FROM users u
                 JOIN user_roles ur ON ur.user_id = u.id
                 JOIN role_permissions rp ON rp.role_code = ur.role_code AND rp.permission = 'warning:read'
                 WHERE u.disabled = FALSE ORDER BY u.id",
            )
            .fetch_all(pool)
            .await?
        });
        let subscriptions: Vec<(i64, SubscriptionRow)> = on_read!(self, pool => {
            sqlx::query_as::<_, UserSubscription>("SELECT user_id, id, rule_code, region_code, level FROM subscriptions")
                .fetch_all(pool)
                .await?
        })
        .into_iter()
        .map(|s| {
            let row = SubscriptionRow { id: s.id, rule_code: s.rule_code, region_code: s.region_code, level: s.level };
            (s.user_id, row)
        })
        .collect();
        let users = rows
            .into_iter()
            .map(|(id, scope_kind, region_code, department_code)| Recipient {
                id,
                scope_kind,
                region_code,
                department_code,
                subscriptions: subscriptions
                    .iter()
                    .filter(|(user, _)| *user == id)
                    .map(|(_, row)| row.clone())
                    .collect(),
            })
            .collect();
        let webhook = self.system_webhook.read().ok().and_then(|w| w.clone());
        Ok(Audience { users, webhook })
    }

    pub async fn list_messages(
        &self,
        user_id: i64,
        filter: &MessageFilter,
        request: &ListRequest<MessageRow>,
    ) -> StoreResult<ListPage<MessageRow>> {
        list_of!(
            self,
            MessageRow,
            MESSAGE_SELECT,
            "FROM messages m WHERE 1 = 1",
            |sql: &mut Sql| push_message_filter(sql, user_id, filter),
            request,
            // A rare level is read in the user's messages (or unread ones:
            // messages_unread_list), a window at a time.
            window: ScanWindow::for_filters(
                vec![("m.user_id".into(), Some(Value::Int(user_id)))],
                filter.level.is_some()
            )
        )
    }

    pub async fn unread_count(&self, user_id: i64) -> StoreResult<i64> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM messages WHERE user_id = $1 AND read_at IS NULL")
                .bind(user_id)
                .fetch_one(pool)
                .await?
        }))
    }

    /// Mark `ids` (or, with `None`, every message) of the user read.
    pub async fn mark_read(
        &self,
        user_id: i64,
        ids: Option<&[i64]>,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let mut sql = Sql::new("UPDATE messages SET read_at = ");
        sql.bind_int(now_ms)
            .push(" WHERE read_at IS NULL AND user_id = ")
            .bind_int(user_id);
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(0);
            }
            sql.push(" AND id IN ")
                .push_values(ids.iter().map(|id| Value::Int(*id)));
        }
        Ok(on_write!(self, pool => {
            let mut conn = pool.acquire().await?;
            execute_dynamic!(pool, conn, &sql)?
        }))
    }

    /// Mark the user's messages about a warning read (opening it from the inbox).
    pub async fn mark_warning_read(
        &self,
        user_id: i64,
        warning_id: i64,
        now_ms: i64,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query("UPDATE messages SET read_at = $1 WHERE user_id = $2 AND warning_id = $3 AND read_at IS NULL")
                .bind(now_ms)
                .bind(user_id)
                .bind(warning_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn subscriptions(&self, user_id: i64) -> StoreResult<Vec<SubscriptionRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, SubscriptionRow>(
                "SELECT id, rule_code, region_code, level FROM subscriptions WHERE user_id = $1 ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Replace the user's subscriptions.
    pub async fn set_subscriptions(
        &self,
        user_id: i64,
        rows: &[SubscriptionRow],
        audit: &crate::audit::AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query("DELETE FROM subscriptions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for row in rows {
                sqlx::query("INSERT INTO subscriptions (user_id, rule_code, region_code, level) VALUES ($1, $2, $3, $4)")
                    .bind(user_id)
                    .bind(&row.rule_code)
                    .bind(&row.region_code)
                    .bind(&row.level)
                    .execute(&mut *tx)
                    .await?;
            }
        });
        Ok(())
    }
}
