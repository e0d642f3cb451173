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
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}
