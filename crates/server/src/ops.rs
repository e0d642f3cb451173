//! Operations endpoints (OPS-1): liveness, readiness, Prometheus metrics, and the
//! request-metrics middleware.

use crate::state::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide metrics recorder (installed once, shared by every app
/// instance a process builds, e.g. in tests).
fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (embedding); then ours only renders.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
}

/// Prometheus text, with the connection pools' occupancy read at scrape time.
/// Only for scrapers on this machine or holding the metrics token (issue 11,
/// Low): the figures describe the server's load and its users' activity.
async fn metrics_text(State(state): State<AppState>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>();
    let local = state.config.metrics_loopback
        && peer.is_some_and(|ConnectInfo(addr)| addr.ip().is_loopback());
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = match (&state.config.metrics_token, bearer) {
        (Some(expected), Some(sent)) => {
            crate::identity::secrets::sha256_hex(expected)
                == crate::identity::secrets::sha256_hex(sent)
        }
        _ => false,
    };
    if !(local || token) {
        return crate::error::ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.forbidden",
            "指标接口仅对本机或持有指标令牌的采集端开放",
        )
        .into_response();
    }
    let handle = prometheus();
    for pool in state.store.pool_status() {
        let in_use = pool.size as usize - pool.idle.min(pool.size as usize);
        metrics::gauge!("govpulse_db_connections", "pool" => pool.name).set(f64::from(pool.size));
        metrics::gauge!("govpulse_db_connections_in_use", "pool" => pool.name).set(in_use as f64);
    }
    handle.render().into_response()
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {err}"),
        )
            .into_response(),
    }
}

/// Count requests and time them per route template and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    prometheus();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
