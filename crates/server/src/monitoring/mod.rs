//! Full-process monitoring and early warning (监测预警, SPEC MON-1..8): the
//! working-day calendar, warning rules, the evaluator and its deadline index,
//! warnings and their handling, the inbox, webhooks and simulation.

pub mod calendar;
pub mod engine;
pub mod inbox;
pub mod rules;
pub mod simulate;
pub mod warnings;
pub mod webhooks;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(calendar::routes())
        .routes(routes!(rules::list_rules, rules::create_rule))
        .routes(routes!(rules::rule_fields))
        .routes(routes!(rules::preview))
        .routes(routes!(simulate::simulate))
        .routes(routes!(
            rules::get_rule,
            rules::update_rule,
            rules::delete_rule
        ))
        .routes(routes!(rules::get_rule_version))
        .routes(routes!(rules::list_deliveries))
        .routes(routes!(warnings::list_warnings))
        .routes(routes!(warnings::export_warnings))
        .routes(routes!(warnings::bulk))
        .routes(routes!(warnings::get_warning))
        .routes(routes!(warnings::acknowledge))
        .routes(routes!(warnings::handle))
        .routes(routes!(warnings::false_positive))
        .routes(routes!(inbox::list_messages))
        .routes(routes!(inbox::summary))
        .routes(routes!(inbox::mark_read))
        .routes(routes!(inbox::get_subscriptions, inbox::put_subscriptions))
}

/// Start the evaluator and the webhook worker (after rules and calendar are loaded).
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    state.monitor.reload(&state.store).await?;
    let shutdown = state.overload.shutdown.clone();
    let evaluator = state
        .monitor
        .clone()
        .spawn(state.store.clone(), shutdown.clone());
    shutdown.keep("evaluator", evaluator);
    webhooks::spawn(state.clone());
    Ok(())
}
