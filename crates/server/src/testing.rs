//! Test-only endpoints (feature `testing`, never in a release build): slow
//! statements behind the real middleware — class bounds, deadlines,
//! cancellation — for the overload tests.

use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/testing/slow", get(slow_read).post(slow_write))
}

#[derive(Debug, Deserialize)]
pub struct Slow {
    /// Count to this in one statement (about a minute per 10^9).
    n: i64,
}

/// One slow statement on a read connection.
async fn slow_read(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(slow): ApiQuery<Slow>,
) -> ApiResult<Json<i64>> {
    Ok(Json(state.store.slow_count(slow.n).await?))
}

/// A write transaction with an audit row and a slow statement.
async fn slow_write(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(slow): ApiQuery<Slow>,
) -> ApiResult<Json<i64>> {
    let record = caller.audit("testing.slow", "test", "slow", serde_json::json!({}));
    Ok(Json(state.store.slow_write(slow.n, &record).await?))
}
