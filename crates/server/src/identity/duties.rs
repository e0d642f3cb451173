//! Enforcing separated admin duties (三员分立) on account changes: the rule
//! lives in `govpulse_core::identity::check_account_action`; this applies it
//! to a caller and stored roles, and audits every refusal.

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::http::StatusCode;
use govpulse_core::audit::Outcome;
use govpulse_core::identity::{
    check_account_action, duty_of_permissions, single_duty, AccountAction, AdminDuty,
};
use std::collections::BTreeSet;

/// The admin duties the roles `codes` carry together (unknown roles carry none).
pub async fn duties_of_roles(state: &AppState, codes: &[String]) -> ApiResult<BTreeSet<AdminDuty>> {
    let roles = state.store.list_roles().await?;
    Ok(duty_of_permissions(
        roles
            .iter()
            .filter(|role| codes.contains(&role.code))
            .flat_map(|role| role.permissions.iter().map(String::as_str)),
    ))
}

/// The caller's own admin duty, if it holds exactly one.
pub fn duty_of_caller(caller: &Caller) -> Option<AdminDuty> {
    single_duty(&duty_of_permissions(
        caller.permissions.iter().map(String::as_str),
    ))
}

/// May the caller administer accounts at all (system admin; security admin
/// for audit admin accounts)? Otherwise the usual audited `user:write` refusal.
pub async fn require_account_admin(state: &AppState, caller: &Caller) -> ApiResult<()> {
    if caller.can("user:write") || caller.can("role:write") {
        return Ok(());
    }
    caller.require(state, "user:write").await
}

/// What an account change does, for the duty check and its audit row.
pub struct AccountChange<'a> {
    /// `user.create`, `user.update`, …: the refused action's name.
    pub action: &'a str,
    /// The account's id (empty when creating).
    pub object_id: &'a str,
    pub username: &'a str,
    pub roles_before: &'a [String],
    pub roles_after: &'a [String],
}

/// Refuse with 403 `auth.duty_separation` (audited) unless the caller's duty
/// may make `change`: account administration always, role granting when the
/// roles change.
pub async fn enforce(
    state: &AppState,
    caller: &Caller,
    administer: bool,
    change: &AccountChange<'_>,
) -> ApiResult<()> {
    let before = duties_of_roles(state, change.roles_before).await?;
    let after = duties_of_roles(state, change.roles_after).await?;
    let actor = duty_of_caller(caller);
    let mut actions = Vec::new();
    if administer {
        actions.push(AccountAction::Administer);
    }
    let mut old_roles: Vec<&String> = change.roles_before.iter().collect();
    let mut new_roles: Vec<&String> = change.roles_after.iter().collect();
    old_roles.sort();
    new_roles.sort();
    if old_roles != new_roles {
        actions.push(AccountAction::GrantRoles);
    }
    for action in actions {
        if let Err(refusal) = check_account_action(actor, action, &before, &after) {
            let details = serde_json::json!({
                "reason": "duty_separation",
                "username": change.username,
                "actor_duty": refusal.actor,
                "target_duties": refusal.target,
                "grant": action == AccountAction::GrantRoles,
            });
            let record = caller
                .audit(change.action, "user", change.object_id, details.clone())
                .with_result(Outcome::Denied, details.clone());
            state.store.audit(&record).await?;
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "auth.duty_separation",
                "三员分立：不能操作、创建或授权承担其他管理职责的账号，授权由安全管理员负责",
            )
            .with_details(details));
        }
    }
    Ok(())
}
