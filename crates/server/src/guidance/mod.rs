//! Situational guidance over HTTP (issue 15, SPEC GUIDE-1..3): situation
//! trees (versions, draft/published, the coverage check before publishing),
//! the public answering endpoints with signed answer tokens, the
//! dishonest-entity list and credit check, tolerance acceptance with its
//! commitment and overdue warnings, and the statistics. What a tree means is
//! decided in `govpulse_core::guidance`.

pub mod credit;
pub mod public;
pub mod stats;
pub mod tolerance;
pub mod trees;

use crate::state::AppState;
use govpulse_store::Store;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// View trees, statistics and tolerance acceptances; verify answer tokens.
pub const READ: &str = "guidance:read";
/// Edit and publish trees and the commitment template.
pub const WRITE: &str = "guidance:write";
/// Accept cases with missing materials (and complete them).
pub const ACCEPT: &str = "tolerance:accept";
/// Ask the credit check.
pub const CREDIT: &str = "credit:check";

pub fn routes() -> OpenApiRouter<AppState> {
    let bulk = OpenApiRouter::new()
        .routes(routes!(credit::intake_dishonest_list))
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::aggregation::INTAKE_BODY_LIMIT,
        ));
    OpenApiRouter::new()
        .merge(bulk)
        .routes(routes!(trees::list_trees, trees::create_tree))
        .routes(routes!(trees::get_tree, trees::put_tree))
        .routes(routes!(trees::publish_tree))
        .routes(routes!(trees::tree_coverage))
        .routes(routes!(public::public_trees))
        .routes(routes!(public::public_tree))
        .routes(routes!(public::answer))
        .routes(routes!(public::verify_token))
        .routes(routes!(credit::credit_check))
        .routes(routes!(credit::list_dishonest))
        .routes(routes!(
            tolerance::create_tolerance,
            tolerance::list_tolerance
        ))
        .routes(routes!(tolerance::get_tolerance))
        .routes(routes!(tolerance::complete_tolerance))
        .routes(routes!(tolerance::prepare_tolerance))
        .routes(routes!(tolerance::get_template, tolerance::put_template))
        .routes(routes!(stats::guidance_stats))
}

/// Raise tolerance-overdue warnings every minute (and at start). Stops when the server drains.
pub fn start(state: &AppState) {
    crate::spawn_periodic(state, Duration::from_secs(60), |state| async move {
        sweep_now(&state.store).await;
    });
}

/// One overdue sweep (batches of 500 until none is left).
pub async fn sweep_now(store: &Store) -> u64 {
    crate::sweep_in_batches("tolerance overdue", |now, limit| {
        store.sweep_overdue_tolerance(now, limit)
    })
    .await
}
