//! API errors: `{"code": "area.reason", "message": "…", "details": …}` with
//! stable codes that clients may branch on.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use govpulse_store::StoreError;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `auth.locked`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Extra data, e.g. `{"fields": {"username": "…"}}` for validation errors.
    pub details: Value,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.to_string(),
                message: message.into(),
                details: Value::Null,
            },
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.body.details = details;
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "对象不存在或不在您的数据范围内",
        )
    }

    pub fn forbidden(permission: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "auth.forbidden", "无权执行此操作")
            .with_details(serde_json::json!({ "permission": permission }))
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "auth.unauthenticated", "请先登录")
    }

    /// A validation error attached to one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(StatusCode::BAD_REQUEST, "request.invalid", message.clone())
            .with_details(serde_json::json!({ "fields": { field: message } }))
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// The request's deadline passed and its work was stopped (504).
    pub fn timeout() -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "server.timeout",
            "请求处理超时，已停止执行；请缩小查询范围后重试",
        )
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict(what) => Self::conflict("conflict", format!("{what} 已存在")),
            // The database stopped the statement at the request's deadline
            // (just before the server's own timer did).
            StoreError::Interrupted => Self::timeout(),
            other => Self::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    /// A 429 whose details carry `retry_after_secs` also says it as `Retry-After`.
    fn into_response(self) -> Response {
        let retry_after = (self.status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| self.body.details["retry_after_secs"].as_u64())
            .flatten();
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        response
    }
}

/// The most a framework rejection's own text is quoted in `details.reason`.
const REASON_CHARS: usize = 300;

/// Every error of the API is `{code, message, details}` JSON (issue 11,
/// Low): refusals made before a handler runs — a path segment that does not
/// parse, a method the route lacks, a body of the wrong type — come from
/// the framework as plain text or with no body; they are rewritten here,
/// keeping their status and quoting their text as `details.reason`.
pub async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/v1/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(REASON_CHARS)
                .collect::<String>()
        })
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "接口或对象不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("request.method_not_allowed", "该接口不支持此请求方法"),
        StatusCode::PAYLOAD_TOO_LARGE => ("request.too_large", "请求体过大"),
        StatusCode::URI_TOO_LONG => ("request.uri_too_long", "请求地址过长"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "request.unsupported_media_type",
            "请求体须为 JSON（Content-Type: application/json）",
        ),
        s if s.is_server_error() => ("internal", "服务器内部错误，请稍后重试"),
        _ => ("request.invalid", "请求有误"),
    };
    let details = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::json!({ "reason": text.trim() })
    };
    let mut rewritten = ApiError::new(status, code, message)
        .with_details(details)
        .into_response();
    // Keep what the framework said besides the body (e.g. `Allow` on a 405).
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}
