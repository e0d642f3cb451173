//! Roles and their permissions.

use crate::audit::AuditRecord;
use crate::db::{conflict_on_unique, PoolOps, Store, StoreError, StoreResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoleRow {
    pub code: String,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub admin_duty: Option<String>,
    pub user_count: i64,
    #[sqlx(skip)]
    pub permissions: Vec<String>,
}

/// A role definition to store.
#[derive(Debug, Clone)]
pub struct RoleSeed<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub builtin: bool,
    pub admin_duty: Option<&'a str>,
    pub permissions: &'a [String],
}

/// Write a role's row and replace its permissions inside transaction `$tx`.
macro_rules! write_role {
    ($tx:expr, $sql:expr, $role:expr) => {{
        let role: &RoleSeed = $role;
        sqlx::query($sql)
            .bind(role.code)
            .bind(role.name)
            .bind(role.description)
            .bind(role.builtin)
            .bind(role.admin_duty)
            .execute(&mut *$tx)
            .await
            .map_err(conflict_on_unique("role"))?;
        sqlx::query("DELETE FROM role_permissions WHERE role_code = $1")
            .bind(role.code)
            .execute(&mut *$tx)
            .await?;
        for permission in role.permissions {
            sqlx::query("INSERT INTO role_permissions (role_code, permission) VALUES ($1, $2)")
                .bind(role.code)
                .bind(permission)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

const UPSERT_ROLE: &str = "INSERT INTO roles (code, name, description, builtin, admin_duty)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description,
        builtin = excluded.builtin, admin_duty = excluded.admin_duty";
const INSERT_ROLE: &str = "INSERT INTO roles (code, name, description, builtin, admin_duty)
     VALUES ($1, $2, $3, $4, $5)";
const UPDATE_ROLE: &str =
    "UPDATE roles SET name = $2, description = $3, builtin = $4, admin_duty = $5
     WHERE code = $1";

impl Store {
    /// Insert or refresh a role (built-in roles are re-seeded on every start so
    /// new permissions reach existing installations).
    pub async fn upsert_role(&self, role: &RoleSeed<'_>) -> StoreResult<()> {
        on_write!(self, pool => {
            let mut tx = pool.begin_write().await?;
            write_role!(tx, UPSERT_ROLE, role);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn create_role(&self, role: &RoleSeed<'_>, audit: &AuditRecord) -> StoreResult<()> {
        audited_write!(self, audit, tx => {
            write_role!(tx, INSERT_ROLE, role);
        });
        Ok(())
    }

    /// Update a custom role. Built-in roles are refused (`Conflict`).
    pub async fn update_role(&self, role: &RoleSeed<'_>, audit: &AuditRecord) -> StoreResult<()> {
        self.ensure_custom_role(role.code).await?;
        audited_write!(self, audit, tx => {
            write_role!(tx, UPDATE_ROLE, role);
        });
        Ok(())
    }

    pub async fn delete_role(&self, code: &str, audit: &AuditRecord) -> StoreResult<()> {
        self.ensure_custom_role(code).await?;
        audited_write!(self, audit, tx => {
            let holders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE role_code = $1")
                .bind(code)
                .fetch_one(&mut *tx)
                .await?;
            if holders > 0 {
                return Err(StoreError::Conflict("role holders".into()));
            }
            sqlx::query("DELETE FROM roles WHERE code = $1").bind(code).execute(&mut *tx).await?;
        });
        Ok(())
    }

    async fn ensure_custom_role(&self, code: &str) -> StoreResult<()> {
        match self
            .list_roles()
            .await?
            .into_iter()
            .find(|r| r.code == code)
        {
            None => Err(StoreError::NotFound),
            Some(role) if role.builtin => Err(StoreError::Conflict("builtin role".into())),
            Some(_) => Ok(()),
        }
    }

    /// All roles with their permissions and holder counts.
    pub async fn list_roles(&self) -> StoreResult<Vec<RoleRow>> {
        let (mut roles, grants) = on_read!(self, pool => {
            let roles = sqlx::query_as::<_, RoleRow>(
                "SELECT r.code, r.name, r.description, r.builtin, r.admin_duty,
                    (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_code = r.code) AS user_count
                 FROM roles r ORDER BY r.builtin DESC, r.code",
            )
            .fetch_all(pool)
            .await?;
            let grants = sqlx::query_as::<_, (String, String)>(
                "SELECT role_code, permission FROM role_permissions ORDER BY permission",
            )
            .fetch_all(pool)
            .await?;
            (roles, grants)
        });
        for role in &mut roles {
            role.permissions = grants
                .iter()
                .filter(|(code, _)| *code == role.code)
                .map(|(_, p)| p.clone())
                .collect();
        }
        Ok(roles)
    }
}
