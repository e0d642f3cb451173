//! The accept loop: HTTP/1.1 connections served by hyper with a timer, so a
//! client that sends its request headers slowly (slowloris) is disconnected
//! after `header_read_timeout_secs`; a request body that stalls longer than
//! `body_read_timeout_secs` between two reads is cut by the router's
//! [`tower_http::timeout::RequestBodyTimeoutLayer`]. Each request carries the
//! peer address as [`ConnectInfo`]. When `draining` resolves no connection is
//! accepted any more; the open ones finish their request in flight and close
//! (graceful shutdown), and the loop returns once all have.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tower::ServiceExt;

/// Pause after a failed accept (e.g. too many open files) before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serve `router` on `listener` until `draining` resolves, then wait for the
/// open connections to finish.
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    header_read_timeout: Duration,
    draining: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(draining);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(err) => {
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut draining => break,
        };
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %peer, "connection closed with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
