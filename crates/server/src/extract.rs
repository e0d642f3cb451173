//! Request extractors whose refusals speak the API's error format.

use crate::error::{ApiError, ApiResult};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// JSON body. Malformed JSON → 400 `request.invalid_json`; well-formed JSON of
/// the wrong shape (missing, unknown or mistyped fields) → 400 `request.invalid`;
/// over the body limit → 413 `request.too_large`; not JSON → 415. JSON has one
/// number type: `3.0` is the integer 3, as JSON Schema (and OpenAPI) say.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        integral_floats_to_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(shape_error)
    }
}

/// A body of the wrong shape. A missing field is named in `details.fields`,
/// like every other field error, so a form can show it at the field.
fn shape_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let reason = err.to_string();
    let inner = err.inner().to_string();
    let missing = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match missing {
        Some(name) => {
            let path = err.path().to_string();
            let field = if path == "." {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            ApiError::invalid_field(&field, "此项必填")
        }
        None => ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid",
            "请求字段不符合要求",
        )
        .with_details(serde_json::json!({ "reason": reason })),
    }
}

/// `1.0` → `1` throughout, so that integer fields take every JSON integer.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0) {
                // Only where the integer is exact; beyond ±2^53 leave it be.
                if f.abs() <= 9_007_199_254_740_992.0 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid",
            "请求字段不符合要求",
        )
        .with_details(serde_json::json!({ "reason": detail })),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid_json",
            "请求体不是合法的 JSON",
        )
        .with_details(serde_json::json!({ "reason": detail })),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            "请求体须为 application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid",
            other.body_text(),
        ),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "request.too_large",
        "请求体超过大小限制",
    )
}

/// Query string; a refusal is 400 `request.invalid`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "request.invalid",
        "查询参数不符合要求",
    )
    .with_details(serde_json::json!({ "reason": rejection.body_text() }))
}

/// A required text of at most `max` characters as sent (the bound the
/// document states), not blank; `message` names the rule for the user.
pub fn required_text<'a>(
    field: &str,
    text: &'a str,
    max: usize,
    message: &str,
) -> ApiResult<&'a str> {
    let trimmed = text.trim();
    if trimmed.is_empty() || text.chars().count() > max {
        return Err(ApiError::invalid_field(field, message));
    }
    Ok(trimmed)
}

/// Treat `?x=` (empty) as absent: forms send empty filters.
pub fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
}

/// The raw body; over the route's limit → 413 `request.too_large`.
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(Self)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "request.invalid",
                        rejection.body_text(),
                    )
                }
            })
    }
}
