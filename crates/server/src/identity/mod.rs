//! Identity: authentication, accounts, roles, security policy and API tokens
//! (SEC-1, SEC-2).

pub mod auth;
pub mod caller;
pub mod duties;
pub mod policy;
pub mod rate_limit;
pub mod roles;
pub mod secrets;
pub mod session_cache;
pub mod tokens;
pub mod totp;
pub mod users;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(totp::totp_setup))
        .routes(routes!(totp::totp_enable))
        .routes(routes!(totp::totp_disable))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(users::unlock_user))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::assign_roles))
        .routes(routes!(roles::list_roles, roles::create_role))
        .routes(routes!(roles::update_role, roles::delete_role))
        .routes(routes!(roles::list_permissions))
        .routes(routes!(policy::get_policy, policy::put_policy))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
}
