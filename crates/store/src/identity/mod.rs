//! Accounts: users and their roles, login bookkeeping, sessions, roles.

mod roles;
mod sessions;
mod totp;

pub use roles::{RoleRow, RoleSeed};
pub use sessions::SessionRow;

use crate::audit::{escape_like, AuditRecord};
use crate::db::{conflict_on_unique, expect_found, PoolOps, Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::org::OrgScope;
use serde::Serialize;

/// A user row as stored (with secrets: never serialised to clients as is).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub scope_kind: String,
    pub region_code: String,
    pub department_code: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub failed_attempts: i32,
    pub locked_until: Option<i64>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub region_name: Option<String>,
    pub department_name: Option<String>,
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.password_hash, u.scope_kind,
        u.region_code, u.department_code, u.must_change_password, u.disabled, u.failed_attempts,
        u.locked_until, u.totp_secret, u.totp_enabled, u.last_login_at, u.created_at,
        r.name AS region_name, d.name AS department_name
     FROM users u
     LEFT JOIN regions r ON r.code = u.region_code
     LEFT JOIN departments d ON d.code = u.department_code
     WHERE 1 = 1";

/// A user with the codes of its roles.
#[derive(Debug, Clone)]
pub struct UserWithRoles {
    pub user: UserRow,
    pub roles: Vec<String>,
}

/// Fields of a new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub scope_kind: String,
    pub region_code: String,
    pub department_code: Option<String>,
    pub must_change_password: bool,
    pub roles: Vec<String>,
}

/// Editable fields of an account.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub display_name: String,
    pub scope_kind: String,
    pub region_code: String,
    pub department_code: Option<String>,
    pub disabled: bool,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub region_range: Option<(String, String)>,
    pub department: Option<String>,
    pub role: Option<String>,
    /// `active`, `locked` or `disabled` (evaluated at `now_ms`).
    pub status: Option<String>,
    pub now_ms: i64,
}

/// Outcome of counting one failed login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FailedLogin {
    pub attempts: i32,
    pub locked_until: Option<i64>,
}

/// Answer to [`Store::claim_login_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginClaim {
    /// Check the password; the attempt is counted.
    Allowed,
    /// Refuse, even the right password: locked until this time (ms).
    Locked(i64),
}

/// User list sorts.
pub static USER_LIST: ListSpec<UserRow> = ListSpec {
    fields: &[
        SortField {
            name: "username",
            column: "u.username",
            key: |r| Key::Text(r.username.clone()),
        },
        SortField {
            name: "created_at",
            column: "u.created_at",
            key: |r| Key::Int(r.created_at),
        },
        SortField {
            name: "id",
            column: "u.id",
            key: |r| Key::Int(r.id),
        },
    ],
    default_descending: false,
    tie: SortField {
        name: "id",
        column: "u.id",
        key: |r| Key::Int(r.id),
    },
};

fn push_user_filters(sql: &mut Sql, scope: &OrgScope, filter: &UserFilter) {
    scope.push_scope(sql, "u.region_code", "u.department_code");
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        sql.push(" AND (LOWER(u.username) LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR u.display_name LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
    sql.and_in_range("u.region_code", &filter.region_range)
        .and_eq("u.department_code", &filter.department);
    if let Some(role) = &filter.role {
        sql.push(
            " AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_code = ",
        )
        .bind_text(role)
        .push(")");
    }
    match filter.status.as_deref() {
        Some("disabled") => {
            sql.push(" AND u.disabled = TRUE");
        }
        Some("locked") => {
            sql.push(" AND u.disabled = FALSE AND u.locked_until > ")
                .bind_int(filter.now_ms);
        }
        Some("active") => {
            sql.push(" AND u.disabled = FALSE AND (u.locked_until IS NULL OR u.locked_until <= ")
                .bind_int(filter.now_ms)
                .push(")");
        }
        _ => {}
    }
}

impl Store {
    pub async fn count_users(&self) -> StoreResult<i64> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(pool).await?
        }))
    }

    pub async fn find_user_by_username(&self, username: &str) -> StoreResult<Option<UserRow>> {
        let mut sql = Sql::new(USER_SELECT);
        sql.push(" AND u.username = ").bind_text(username);
        Ok(fetch_dynamic!(self, UserRow, &sql)?.into_iter().next())
    }

    /// A user by id regardless of scope (authentication).
    pub async fn find_user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        let mut sql = Sql::new(USER_SELECT);
        sql.push(" AND u.id = ").bind_int(id);
        Ok(fetch_dynamic!(self, UserRow, &sql)?.into_iter().next())
    }

    /// A user by id, if inside `scope`.
    pub async fn get_user(&self, scope: &OrgScope, id: i64) -> StoreResult<Option<UserWithRoles>> {
        let mut sql = Sql::new(USER_SELECT);
        push_user_filters(&mut sql, scope, &UserFilter::default());
        sql.push(" AND u.id = ").bind_int(id);
        let Some(user) = fetch_dynamic!(self, UserRow, &sql)?.into_iter().next() else {
            return Ok(None);
        };
        let roles = self.user_roles(user.id).await?;
        Ok(Some(UserWithRoles { user, roles }))
    }

    pub async fn user_roles(&self, user_id: i64) -> StoreResult<Vec<String>> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT role_code FROM user_roles WHERE user_id = $1 ORDER BY role_code",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every permission the user's roles grant.
    /// The user's role codes and every permission they grant, in one query
    /// (run on every authenticated request).
    pub async fn user_grants(
        &self,
        user_id: i64,
    ) -> StoreResult<(Vec<String>, std::collections::BTreeSet<String>)> {
        let rows = on_read!(self, pool => {
            sqlx::query_as::<_, (String, Option<String>)>(
                "SELECT ur.role_code, rp.permission FROM user_roles ur
                 LEFT JOIN role_permissions rp ON rp.role_code = ur.role_code
                 WHERE ur.user_id = $1 ORDER BY ur.role_code",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        let mut roles: Vec<String> = Vec::new();
        let mut permissions = std::collections::BTreeSet::new();
        for (role, permission) in rows {
            if roles.last() != Some(&role) {
                roles.push(role);
            }
            permissions.extend(permission);
        }
        Ok((roles, permissions))
    }

    pub async fn list_users(
        &self,
        scope: &OrgScope,
        filter: &UserFilter,
        request: &ListRequest<UserRow>,
    ) -> StoreResult<ListPage<UserWithRoles>> {
        let page: StoreResult<ListPage<UserRow>> = list_of!(
            self,
            UserRow,
            USER_SELECT,
            "FROM users u WHERE 1 = 1",
            |sql: &mut Sql| push_user_filters(sql, scope, filter),
            request
        );
        let page = page?;
        let mut roles_of = self.roles_of_users(&page.items).await?;
        Ok(page.map(|user| {
            let roles = roles_of.remove(&user.id).unwrap_or_default();
            UserWithRoles { user, roles }
        }))
    }

    /// Role codes of several users in one query.
    async fn roles_of_users(
        &self,
        users: &[UserRow],
    ) -> StoreResult<std::collections::HashMap<i64, Vec<String>>> {
        let mut roles_of = std::collections::HashMap::<i64, Vec<String>>::new();
        if users.is_empty() {
            return Ok(roles_of);
        }
        let mut sql = Sql::new("SELECT user_id, role_code FROM user_roles WHERE user_id IN (");
        for (i, user) in users.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_int(user.id);
        }
        sql.push(") ORDER BY role_code");
        for (user_id, role) in fetch_dynamic!(self, (i64, String), &sql)? {
            roles_of.entry(user_id).or_default().push(role);
        }
        Ok(roles_of)
    }

    /// Create an account with its roles; `Conflict` if the username is taken.
    pub async fn create_user(&self, new: &NewUser, audit: &AuditRecord) -> StoreResult<i64> {
        let now = govpulse_core::time::now_ms();
        let id = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, display_name, password_hash, scope_kind, region_code,
                    department_code, must_change_password, password_changed_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&new.username)
            .bind(&new.display_name)
            .bind(&new.password_hash)
            .bind(&new.scope_kind)
            .bind(&new.region_code)
            .bind(&new.department_code)
            .bind(new.must_change_password)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict_on_unique("user"))?;
            for role in &new.roles {
                sqlx::query("INSERT INTO user_roles (user_id, role_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role)
                    .execute(&mut *tx)
                    .await?;
            }
            let audit = audit.on_object("user", &id.to_string());
            append_audit!(pool, tx, &audit);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    pub async fn update_user(
        &self,
        id: i64,
        update: &UserUpdate,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            expect_found(sqlx::query(
                "UPDATE users SET display_name = $2, scope_kind = $3, region_code = $4,
                    department_code = $5, disabled = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(&update.display_name)
            .bind(&update.scope_kind)
            .bind(&update.region_code)
            .bind(&update.department_code)
            .bind(update.disabled)
            .execute(&mut *tx)
            .await?
            .rows_affected())?;
            sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            for role in &update.roles {
                sqlx::query("INSERT INTO user_roles (user_id, role_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role)
                    .execute(&mut *tx)
                    .await?;
            }
            if update.disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            }
            append_audit!(pool, tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn delete_user(&self, id: i64, audit: &AuditRecord) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            expect_found(sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected())?;
        });
        Ok(())
    }

    /// Replace the password hash; ends the user's other sessions.
    pub async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query(
                "UPDATE users SET password_hash = $2, must_change_password = $3,
                    password_changed_at = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(password_hash)
            .bind(must_change)
            .bind(govpulse_core::time::now_ms())
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Claim one login attempt before the password is checked: the attempt is
    /// counted up front, atomically with the lock check, so parallel guesses
    /// cannot all pass the check while the first ones are still being hashed.
    /// Refused (with the lock's end) when the account is locked, or when
    /// `threshold` attempts are already counted and unresolved — then the lock
    /// starts now, until `lock_until`. An expired lock starts a fresh count.
    pub async fn claim_login_attempt(
        &self,
        id: i64,
        threshold: i32,
        now_ms: i64,
        lock_until: i64,
    ) -> StoreResult<LoginClaim> {
        let claim = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let counted: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET
                    failed_attempts = CASE WHEN locked_until IS NULL THEN failed_attempts + 1 ELSE 1 END,
                    locked_until = NULL
                 WHERE id = $1
                   AND ((locked_until IS NULL AND failed_attempts < $2) OR locked_until <= $3)
                 RETURNING id",
            )
            .bind(id)
            .bind(threshold)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await?;
            let claim = if counted.is_some() {
                LoginClaim::Allowed
            } else {
                sqlx::query("UPDATE users SET locked_until = $2 WHERE id = $1 AND locked_until IS NULL")
                    .bind(id)
                    .bind(lock_until)
                    .execute(&mut *tx)
                    .await?;
                let until: Option<i64> = sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                LoginClaim::Locked(until.unwrap_or(lock_until))
            };
            tx.commit().await?;
            claim
        });
        Ok(claim)
    }

    /// Settle a claimed attempt as failed: it is already counted, so this only
    /// starts the lock once `threshold` failures are counted. Atomic, so
    /// parallel guesses cannot slip past the threshold.
    pub async fn record_failed_login(
        &self,
        id: i64,
        threshold: i32,
        lock_until: i64,
        audit: &AuditRecord,
    ) -> StoreResult<FailedLogin> {
        let outcome = audited_write!(self, audit, tx => {
            let (attempts, locked_until): (i32, Option<i64>) = sqlx::query_as(
                "UPDATE users SET
                    locked_until = CASE WHEN locked_until IS NULL AND failed_attempts >= $2 THEN $3
                                        ELSE locked_until END
                 WHERE id = $1 RETURNING failed_attempts, locked_until",
            )
            .bind(id)
            .bind(threshold)
            .bind(lock_until)
            .fetch_one(&mut *tx)
            .await?;
            FailedLogin { attempts, locked_until }
        });
        Ok(outcome)
    }

    /// Give back a claimed attempt that was neither a success nor a failure
    /// (right password, second factor still to come).
    pub async fn release_login_attempt(&self, id: i64) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE users SET failed_attempts = failed_attempts - 1
                 WHERE id = $1 AND failed_attempts > 0 AND locked_until IS NULL",
            )
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Settle a claimed attempt as a success: clears the count only if no lock
    /// started meanwhile. `Some(until)` when the account got locked while this
    /// attempt was being checked: the login must then be refused.
    pub async fn record_login_success(&self, id: i64, now_ms: i64) -> StoreResult<Option<i64>> {
        let locked = on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let cleared: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = $2
                 WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) RETURNING id",
            )
            .bind(id)
            .bind(now_ms)
            .fetch_optional(&mut *tx)
            .await?;
            let locked = if cleared.is_some() {
                None
            } else {
                sqlx::query_scalar::<_, Option<i64>>("SELECT locked_until FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?
            };
            tx.commit().await?;
            locked
        });
        Ok(locked)
    }

    pub async fn unlock_user(&self, id: i64, audit: &AuditRecord) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}
