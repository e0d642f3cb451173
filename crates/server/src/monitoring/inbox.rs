//! The inbox over HTTP (MON-6): messages, the unread summary that drives the
//! badge and the red pop-up, read marks, and the caller's subscriptions.

use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::list::ListRequest;
use govpulse_store::monitoring::{MessageFilter, MessageRow, SubscriptionRow, MESSAGE_LIST};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub warning_id: i64,
    pub case_code: String,
    pub rule_code: String,
    pub level: String,
    pub colour: String,
    pub title: String,
    pub body: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<MessageRow> for MessageView {
    fn from(m: MessageRow) -> Self {
        Self {
            id: m.id,
            warning_id: m.warning_id,
            case_code: m.case_code,
            rule_code: m.rule_code,
            level: m.level,
            colour: m.colour,
            title: m.title,
            body: m.body,
            created_at: to_rfc3339(m.created_at),
            read_at: m.read_at.map(to_rfc3339),
        }
    }
}

/// A page of the inbox with the user's unread count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageList {
    #[serde(flatten)]
    pub page: crate::list::ListResponse<MessageView>,
    pub unread: i64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    pub unread: Option<bool>,
    pub level: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

/// The signed-in user (API tokens have no inbox).
fn user_of(caller: &Caller) -> ApiResult<i64> {
    caller
        .user_id
        .ok_or_else(|| ApiError::invalid_field("user", "接口令牌没有消息收件箱"))
}

#[utoipa::path(get, path = "/messages", tag = "monitoring", params(MessageQuery), responses((status = 200, body = MessageList)))]
pub async fn list_messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<MessageQuery>,
) -> ApiResult<Json<MessageList>> {
    caller.require(&state, "warning:read").await?;
    let user = user_of(&caller)?;
    let filter = MessageFilter {
        unread: q.unread.unwrap_or(false),
        level: non_empty(&q.level),
    };
    let request = crate::list_params!(q).request(&govpulse_store::monitoring::MESSAGE_LIST)?;
    let page = state.store.list_messages(user, &filter, &request).await?;
    Ok(Json(MessageList {
        page: crate::list::ListResponse::from_page(page),
        unread: state.store.unread_count(user).await?,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RedMessage {
    pub id: i64,
    pub warning_id: i64,
    pub title: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageSummary {
    pub unread: i64,
    /// Newest unread red messages (for the pop-up), at most 5.
    pub red_unread: Vec<RedMessage>,
}

#[utoipa::path(get, path = "/messages/summary", tag = "monitoring", responses((status = 200, body = MessageSummary)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<MessageSummary>> {
    caller.require(&state, "warning:read").await?;
    let user = user_of(&caller)?;
    let filter = MessageFilter {
        unread: true,
        level: Some("red".into()),
    };
    let newest = ListRequest::first(&MESSAGE_LIST, 5);
    let red = state.store.list_messages(user, &filter, &newest).await?;
    Ok(Json(MessageSummary {
        unread: state.store.unread_count(user).await?,
        red_unread: red
            .items
            .into_iter()
            .map(|m| RedMessage {
                id: m.id,
                warning_id: m.warning_id,
                title: m.title,
                body: m.body,
                created_at: to_rfc3339(m.created_at),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    #[serde(default)]
    pub ids: Vec<i64>,
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadResult {
    pub updated: u64,
}

#[utoipa::path(post, path = "/messages/read", tag = "monitoring", request_body = ReadInput,
    responses((status = 200, body = ReadResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ReadInput>,
) -> ApiResult<Json<ReadResult>> {
    caller.require(&state, "warning:read").await?;
    let user = user_of(&caller)?;
    if !input.all && (input.ids.is_empty() || input.ids.len() > 500) {
        return Err(ApiError::invalid_field(
            "ids",
            "请选择 1–500 条消息，或全部已读",
        ));
    }
    let ids = (!input.all).then_some(input.ids.as_slice());
    Ok(Json(ReadResult {
        updated: state.store.mark_read(user, ids, now_ms()).await?,
    }))
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionView {
    #[serde(default)]
    pub id: Option<i64>,
    pub rule_code: Option<String>,
    pub region_code: Option<String>,
    pub level: Option<String>,
}

#[utoipa::path(get, path = "/me/subscriptions", tag = "monitoring", responses((status = 200, body = [SubscriptionView])))]
pub async fn get_subscriptions(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<SubscriptionView>>> {
    caller.require(&state, "warning:read").await?;
    let user = user_of(&caller)?;
    Ok(Json(
        state
            .store
            .subscriptions(user)
            .await?
            .into_iter()
            .map(|s| SubscriptionView {
                id: Some(s.id),
                rule_code: s.rule_code,
                region_code: s.region_code,
                level: s.level,
            })
            .collect(),
    ))
}

#[utoipa::path(put, path = "/me/subscriptions", tag = "monitoring", request_body = [SubscriptionView],
    responses((status = 200, body = [SubscriptionView]), (status = 400, body = crate::error::ErrorBody)))]
pub async fn put_subscriptions(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<Vec<SubscriptionView>>,
) -> ApiResult<Json<Vec<SubscriptionView>>> {
    caller.require(&state, "warning:read").await?;
    let user = user_of(&caller)?;
    if input.len() > 50 {
        return Err(ApiError::invalid_field("subscriptions", "最多 50 条订阅"));
    }
    let rows: Vec<SubscriptionRow> = input
        .iter()
        .map(|s| SubscriptionRow {
            id: 0,
            rule_code: non_empty(&s.rule_code),
            region_code: non_empty(&s.region_code),
            level: non_empty(&s.level),
        })
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let too_long = [&row.rule_code, &row.region_code, &row.level]
            .iter()
            .any(|v| v.as_ref().is_some_and(|t| t.len() > 40));
        if too_long {
            return Err(ApiError::invalid_field(&format!("[{i}]"), "订阅条件过长"));
        }
    }
    let audit = caller.audit(
        "subscription.save",
        "user",
        &caller.username,
        serde_json::json!({"count": rows.len()}),
    );
    state.store.set_subscriptions(user, &rows, &audit).await?;
    get_subscriptions(State(state), caller).await
}
