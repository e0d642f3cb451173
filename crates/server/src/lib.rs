//! govpulse HTTP server: one axum router with a module per domain area, the
//! embedded web UI, OpenAPI documentation and operations endpoints.

pub mod aggregation;
pub mod audit;
pub mod audit_checkpoint;
pub mod config;
pub mod dashboard;
pub mod error;
pub mod evaluation;
pub mod export;
pub mod exports;
pub mod extract;
pub mod guidance;
pub mod identity;
pub mod list;
pub mod listen;
pub mod monitoring;
pub mod openapi;
pub mod ops;
pub mod org;
pub mod org_import;
pub mod overload;
pub mod quality;
pub mod regions;
pub mod seed;
pub mod state;
mod sweep;
#[cfg(feature = "testing")]
pub mod testing;
mod web;
pub mod workorders;

pub use config::ServerConfig;
pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::{middleware, Router};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

/// Request ids: a per-process random prefix plus a counter (cheap and unique).
#[derive(Clone)]
struct RequestIds {
    prefix: String,
    next: std::sync::Arc<AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// The API routes with their OpenAPI description.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::header())
        .nest(
            "/api/v1",
            identity::routes()
                .merge(org::routes())
                .merge(audit::routes())
                .merge(aggregation::routes())
                .merge(monitoring::routes())
                .merge(exports::routes())
                .merge(dashboard::routes())
                .merge(workorders::routes())
                .merge(quality::routes())
                .merge(guidance::routes())
                .merge(evaluation::routes()),
        )
        .split_for_parts();
    openapi::complete(&mut doc);
    (router, doc)
}

/// The OpenAPI document (also served at `/api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The complete application.
pub fn router(state: AppState) -> Router {
    let (api_routes, openapi) = api();
    #[cfg(feature = "testing")]
    let api_routes = api_routes.merge(testing::routes());
    // Only the API: operations endpoints, documentation and the web UI never
    // wait behind database work.
    let api_routes = api_routes.route_layer(middleware::from_fn_with_state(
        state.clone(),
        overload::guard,
    ));
    let request_ids = RequestIds {
        prefix: identity::secrets::random_token(4),
        next: Default::default(),
    };
    let x_request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api_routes)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .merge(ops::routes())
        .route_layer(middleware::from_fn(ops::track_requests))
        .fallback(web::serve_asset)
        .layer(middleware::from_fn(error::json_errors))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            Duration::from_secs(state.config.body_read_timeout_secs),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
            }),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, request_ids))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Serve until SIGINT/SIGTERM (see [`serve_until`]).
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&state.config.bind).await?;
    serve_until(listener, state, shutdown_signal()).await
}

/// After the grace period, cancelled requests answer at once; responses still
/// streaming this much later are cut.
const STREAM_MARGIN: Duration = Duration::from_millis(500);
/// Closing the pools waits for connections in use; no longer than this.
const CLOSE_LIMIT: Duration = Duration::from_secs(1);

/// Serve on `listener` with the background workers until `signal`, then stop
/// promptly (issue 17), within the grace period plus 2 s:
/// 1. stop accepting connections; requests in flight have the grace period
///    to finish; the evaluator and the export runner stop at their next
///    consistent point (a committed pass, a page boundary — the job queued
///    again), the other background loops at once;
/// 2. when the grace period ends, cancel the requests still running: their
///    statements are interrupted (rolled back) and they answer 503
///    `server.shutting_down`;
/// 3. close the store (SQLite checkpoints its WAL).
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    signal: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = state.store.clone();
    let shutdown = state.overload.shutdown.clone();
    let grace = state.config.shutdown_grace();
    let final_checkpoint = state.clone();
    spawn_session_sweeper(state.clone());
    audit_checkpoint::spawn_writer(state.clone());
    spawn_statistics_keeper(state.clone());
    monitoring::start(&state).await?;
    exports::start(&state).await?;
    dashboard::start(&state);
    workorders::start(&state);
    aggregation::feeds::start(&state);
    monitoring::calendar::start(&state);
    quality::recover(&state).await?;
    quality::schedules::start(&state);
    guidance::start(&state);
    evaluation::alerts::start(&state);
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            signal.await;
            tracing::info!(
                grace_secs = grace.as_secs(),
                "shutting down: finishing the requests in flight"
            );
            shutdown.drain();
            tokio::time::sleep(grace).await;
            shutdown.cancel();
        }
    });
    let draining = {
        let shutdown = shutdown.clone();
        async move { shutdown.draining().await }
    };
    let header_timeout = Duration::from_secs(state.config.header_read_timeout_secs);
    let server = listen::serve_connections(listener, router(state), header_timeout, draining);
    let cut_off = async {
        shutdown.cancelled().await;
        tokio::time::sleep(STREAM_MARGIN).await;
    };
    tokio::select! {
        () = server => {}
        () = cut_off => tracing::warn!("responses still streaming after the grace period were cut"),
    }
    shutdown.drain();
    // The workers were told to stop when draining started: they have had the
    // grace period already.
    let since = shutdown
        .draining_since()
        .unwrap_or_else(std::time::Instant::now);
    shutdown.join_workers(since + grace + STREAM_MARGIN).await;
    // The last rows are in: certify the head the next start must still find.
    audit_checkpoint::write_configured(&final_checkpoint).await;
    if tokio::time::timeout(CLOSE_LIMIT, store.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at exit");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Run a sweep in batches of 500 at the current time until a batch finds
/// nothing; the total found. A failed batch is logged as `what` and ends it.
pub(crate) async fn sweep_in_batches<F, Fut>(what: &str, mut batch: F) -> u64
where
    F: FnMut(i64, i64) -> Fut,
    Fut: Future<Output = govpulse_store::StoreResult<u64>>,
{
    let mut found = 0;
    loop {
        match batch(govpulse_core::time::now_ms(), 500).await {
            Ok(0) => return found,
            Ok(n) => found += n,
            Err(err) => {
                tracing::warn!(error = %err, "{what} sweep failed");
                return found;
            }
        }
    }
}

/// Run `sweep` at start and then every `period` until the server drains (the
/// overdue sweeps of work orders and tolerance acceptances).
pub(crate) fn spawn_periodic<F, Fut>(state: &AppState, period: Duration, sweep: F)
where
    F: Fn(AppState) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let state = state.clone();
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        let run = async {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                sweep(state.clone()).await;
            }
        };
        tokio::select! {
            () = run => {}
            () = shutdown.draining() => {}
        }
    });
}

/// Planner statistics at start and every hour (a database fed only by intake
/// would otherwise never have any). Stops when the server drains.
fn spawn_statistics_keeper(state: AppState) {
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        let keep = async {
            loop {
                if let Err(err) = state.store.optimize().await {
                    tracing::warn!(error = %err, "refreshing planner statistics failed");
                }
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        };
        tokio::select! {
            () = keep => {}
            () = shutdown.draining() => {}
        }
    });
}

/// Delete idle sessions every few minutes (they are refused anyway; this keeps
/// the table small). Stops when the server drains.
fn spawn_session_sweeper(state: AppState) {
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        let sweep = async {
            let mut tick = tokio::time::interval(Duration::from_secs(300));
            loop {
                tick.tick().await;
                if let Ok(policy) = state.policy().await {
                    let cutoff =
                        govpulse_core::time::now_ms() - policy.idle_timeout_minutes * 60_000;
                    if let Err(err) = state.store.purge_idle_sessions(cutoff).await {
                        tracing::warn!(error = %err, "session sweep failed");
                    }
                }
            }
        };
        tokio::select! {
            () = sweep => {}
            () = shutdown.draining() => {}
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
