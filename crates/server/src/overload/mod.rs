//! The server stays responsive under overload (issue 17): every API request
//! belongs to a class of work with its own bound (see [`limiter`]), runs
//! under a deadline that stops its database work when it passes, and is
//! cancelled with its database work when the client goes away or the grace
//! period of a shutdown ends ([`govpulse_store::interrupt`]). Operations
//! endpoints, the documentation and the web UI are outside all of this: they
//! never wait behind database work.

pub mod limiter;
pub mod refusals;
pub mod shutdown;

use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use govpulse_store::interrupt::interruptible;
use limiter::{Busy, Limiter, Place};
use refusals::Refusals;
use shutdown::Shutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A client told the server is stopping should try another instance or
/// come back after a restart, which takes well under this.
const SHUTDOWN_RETRY_AFTER_SECS: u64 = 5;

/// Classes of API requests, each with its own bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Lists, details, dashboards (GET).
    Read = 0,
    /// Changes, intake and imports.
    Write = 1,
    /// Synchronous exports and rule simulations: seconds of work each.
    Export = 2,
    /// Sign-in and credential changes (argon2).
    Login = 3,
    /// `/me`, sign-out and the inbox badge: cheap, kept apart from reads so a
    /// signed-in user still gets an answer while lists are overloaded.
    Session = 4,
}

impl Class {
    const ALL: [Class; 5] = [
        Class::Read,
        Class::Write,
        Class::Export,
        Class::Login,
        Class::Session,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Export => "export",
            Class::Login => "login",
            Class::Session => "session",
        }
    }

    /// The class of a request for `route` (the matched route template).
    pub fn of(method: &Method, route: &str) -> Self {
        let path = route.strip_prefix("/api/v1").unwrap_or(route);
        let read = matches!(*method, Method::GET | Method::HEAD);
        match path {
            "/auth/login" | "/auth/password" => Class::Login,
            p if p.starts_with("/auth/totp/") => Class::Login,
            "/me" | "/auth/logout" | "/messages/summary" => Class::Session,
            "/warning-rules/simulate" => Class::Export,
            p if read && p.ends_with("/export") => Class::Export,
            _ if read => Class::Read,
            _ => Class::Write,
        }
    }

    /// How long a request of this class for `route` may take.
    pub fn timeout(self, config: &ServerConfig, route: &str) -> Duration {
        let path = route.strip_prefix("/api/v1").unwrap_or(route);
        let secs = if self == Class::Export {
            config.export_timeout_secs
        } else if path.starts_with("/intake/") || path.starts_with("/import/") {
            config.intake_timeout_secs
        } else {
            config.request_timeout_secs
        };
        Duration::from_secs(secs.max(1))
    }
}

/// The bounds of every class, refusal auditing, and the shutdown state.
pub struct Overload {
    limiters: Vec<Arc<Limiter>>,
    pub refusals: Arc<Refusals>,
    pub shutdown: Arc<Shutdown>,
}

impl Overload {
    pub fn new(config: &ServerConfig) -> Self {
        let limiters = Class::ALL
            .iter()
            .map(|&class| {
                let (in_flight, queue) = match class {
                    Class::Read => (config.reads_in_flight, config.reads_queue),
                    Class::Write => (config.writes_in_flight, config.writes_queue),
                    Class::Export => (config.exports_in_flight, config.exports_queue),
                    Class::Login => (config.logins_in_flight, config.logins_queue),
                    Class::Session => (config.sessions_in_flight, config.sessions_queue),
                };
                Arc::new(Limiter::new(class, in_flight, queue))
            })
            .collect();
        Self {
            limiters,
            refusals: Arc::default(),
            shutdown: Arc::default(),
        }
    }

    fn limiter(&self, class: Class) -> &Arc<Limiter> {
        // Built from `Class::ALL`, whose order is the discriminants'.
        &self.limiters[class as usize]
    }
}

/// Counts a request whose client went away before it was answered.
struct Answered {
    class: Class,
    done: bool,
}

impl Answered {
    fn with(mut self, response: Response) -> Response {
        self.done = true;
        response
    }
}

impl Drop for Answered {
    fn drop(&mut self) {
        if !self.done {
            metrics::counter!("govpulse_requests_abandoned_total", "class" => self.class.name())
                .increment(1);
        }
    }
}

fn with_retry_after(mut response: Response, secs: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

fn busy(class: Class, refused: Busy) -> Response {
    let error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "server.busy",
        "服务器繁忙，请稍后重试",
    )
    .with_details(serde_json::json!({
        "class": class.name(),
        "reason": refused.reason,
        "retry_after_secs": refused.retry_after_secs,
    }));
    with_retry_after(error.into_response(), refused.retry_after_secs)
}

fn shutting_down(class: Class) -> Response {
    metrics::counter!("govpulse_requests_cancelled_total", "class" => class.name()).increment(1);
    let error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "server.shutting_down",
        "服务器正在停止，请稍后重试",
    );
    with_retry_after(error.into_response(), SHUTDOWN_RETRY_AFTER_SECS)
}

/// Keep the place until the body has been sent: an export's work goes on
/// while its file streams out.
fn hold_until_sent(response: Response, place: Place) -> Response {
    if response.body().size_hint().exact().is_some() {
        return response; // already complete
    }
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &place;
            chunk
        }))
    })
}

/// Bulk routes take bodies of up to 64 MiB, read by their handlers after
/// authentication; everything else is received before it takes a place.
fn is_bulk(method: &Method, route: &str) -> bool {
    let path = route.strip_prefix("/api/v1").unwrap_or(route);
    *method == Method::POST
        && (path == "/items"
            || path.starts_with("/intake/")
            || path.starts_with("/import/")
            || (path.starts_with("/work-orders/") && path.ends_with("/attachments")))
}

/// Receive a request's body before it takes a place: a client sending its
/// body slowly must not hold one of a class's few places meanwhile (a handful
/// of slow senders would starve the class). Past `limit` the rest is passed
/// on unread, for the handler to refuse as it always has (413, after
/// authentication).
async fn receive_body(
    request: Request,
    limit: usize,
    deadline: Instant,
) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    if body.size_hint().exact() == Some(0) {
        return Ok(Request::from_parts(parts, body));
    }
    let mut stream = body.into_data_stream();
    let mut chunks: Vec<axum::body::Bytes> = Vec::new();
    let mut size = 0;
    let received = tokio::time::timeout_at(deadline.into(), async {
        while size <= limit {
            match stream.next().await {
                Some(Ok(chunk)) => {
                    size += chunk.len();
                    chunks.push(chunk);
                }
                Some(Err(err)) => return Err(err),
                None => return Ok(true),
            }
        }
        Ok(false)
    })
    .await;
    let body = match received {
        Ok(Ok(true)) => Body::from(chunks.concat()),
        Ok(Ok(false)) => {
            Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(Ok)).chain(stream))
        }
        Ok(Err(err)) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "request.invalid",
                format!("请求体读取失败：{err}"),
            )
            .into_response())
        }
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request.timeout",
                "请求体接收超时",
            )
            .into_response())
        }
    };
    Ok(Request::from_parts(parts, body))
}

/// Middleware on the API routes: class bound, deadline, cancellation.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let class = Class::of(request.method(), &route);
    let timeout = class.timeout(&state.config, &route);
    let deadline = Instant::now() + timeout;
    let overload = state.overload.clone();
    let answered = Answered { class, done: false };
    let request = if is_bulk(request.method(), &route) {
        request
    } else {
        match receive_body(request, state.config.max_body_bytes, deadline).await {
            Ok(request) => request,
            Err(refused) => return answered.with(refused),
        }
    };

    let entered = tokio::select! {
        entered = overload.limiter(class).enter(deadline) => entered,
        () = overload.shutdown.cancelled() => return answered.with(shutting_down(class)),
    };
    let place = match entered {
        Ok(place) => place,
        Err(refused) => {
            let ip = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
                .unwrap_or_else(|| "unknown".to_string());
            let kind = refusals::Refused {
                action: "server.busy",
                kind: class.name(),
            };
            overload
                .refusals
                .record(&state.store, kind, &ip, &route, refused.reason);
            return answered.with(busy(class, refused));
        }
    };

    // Dropping this future (deadline, shutdown, or hyper when the client
    // disconnects) interrupts the statements it is running.
    let work = interruptible(Some(deadline), next.run(request));
    let response = tokio::select! {
        finished = tokio::time::timeout_at(deadline.into(), work) => match finished {
            Ok(response) => response,
            Err(_) => {
                metrics::counter!("govpulse_requests_timed_out_total", "class" => class.name())
                    .increment(1);
                tracing::warn!(class = class.name(), route, "request deadline passed; its work was stopped");
                ApiError::timeout()
                    .with_details(serde_json::json!({
                        "class": class.name(),
                        "timeout_secs": timeout.as_secs(),
                    }))
                    .into_response()
            }
        },
        () = overload.shutdown.cancelled() => shutting_down(class),
    };
    let response = if class == Class::Export {
        hold_until_sent(response, place)
    } else {
        drop(place);
        response
    };
    answered.with(response)
}
