//! Feed health and manifests (issue 14 item 6, 两源一致性比对): how each
//! configured source's feeds stand, the `feed_silent` warnings a periodic
//! sweep raises and closes through the monitoring warnings and inbox, and the
//! manifests sources send so the reconciliation shows declared vs received.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{Duration, NaiveDate};
use govpulse_core::aggregation::feeds::{feed_state, usual_volume, FeedFigures, USUAL_WEEKS};
use govpulse_core::aggregation::Kind;
use govpulse_core::monitoring::calendar::local_date;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::aggregation::{FeedWarning, Manifest};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How often the sweep looks at the feeds.
const SWEEP_SECS: u64 = 300;
/// Most manifests one request may carry.
const MAX_MANIFESTS: usize = 1000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeedHealthView {
    pub source: String,
    /// consultations | cases | case-events | evaluations
    pub kind: String,
    /// When the feed last delivered a batch (null: never).
    pub last_record_at: Option<String>,
    /// Records received today so far.
    pub today: u64,
    /// Median of the same weekday of the previous 4 weeks (null: no history yet).
    pub usual: Option<u64>,
    /// ok | late (far below usual so far today) | silent (past the configured office hours without a record)
    pub state: String,
}

/// The health of every feed of the enabled sources (their kinds but the item catalogue) at `now`.
pub async fn health(state: &AppState, now: i64) -> ApiResult<Vec<FeedHealthView>> {
    let sources = state.store.list_sources().await?;
    let feeds: Vec<(String, String)> = sources
        .iter()
        .filter(|s| s.enabled)
        .flat_map(|s| {
            let kinds: Vec<String> = serde_json::from_str(&s.kinds).unwrap_or_default();
            kinds
                .into_iter()
                .filter(|k| Kind::parse(k).is_some_and(|k| k != Kind::Items))
                .map(|k| (s.code.clone(), k))
                .collect::<Vec<_>>()
        })
        .collect();
    let codes: Vec<&str> = sources.iter().map(|s| s.code.as_str()).collect();
    let today = local_date(now);
    let from = today - Duration::weeks(USUAL_WEEKS);
    let (days, spans) = state.store.feed_days(&codes, &from.to_string()).await?;
    let mut volumes: HashMap<(&str, &str, &str), u64> = HashMap::new();
    for d in &days {
        volumes.insert(
            (&d.source, &d.kind, &d.day),
            u64::try_from(d.received).unwrap_or(0),
        );
    }
    let calendar = state.monitor.calendar();
    let silent_hours = state.config.feed_silent_hours;
    Ok(feeds
        .iter()
        .map(|(source, kind)| {
            let span = spans.iter().find(|s| s.0 == *source && s.1 == *kind);
            let first = span.and_then(|s| NaiveDate::parse_from_str(&s.2, "%Y-%m-%d").ok());
            let volume = |day: NaiveDate| {
                volumes
                    .get(&(source.as_str(), kind.as_str(), day.to_string().as_str()))
                    .copied()
            };
            let figures = FeedFigures {
                last_record_at: span.and_then(|s| s.3),
                today: volume(today).unwrap_or(0),
                usual: usual_volume(today, first, volume),
            };
            FeedHealthView {
                source: source.clone(),
                kind: kind.clone(),
                last_record_at: figures.last_record_at.map(to_rfc3339),
                today: figures.today,
                usual: figures.usual,
                state: feed_state(&calendar, &figures, silent_hours, now)
                    .as_str()
                    .to_string(),
            }
        })
        .collect())
}

/// Per source and kind: last record, today's volume against the usual one, state.
#[utoipa::path(get, path = "/sources/health", tag = "aggregation",
    responses((status = 200, body = Vec<FeedHealthView>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn sources_health(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<FeedHealthView>>> {
    caller.require(&state, "data:read").await?;
    Ok(Json(health(&state, now_ms()).await?))
}

/// The warning a feed's state asks for.
fn wanted(feed: &FeedHealthView, silent_hours: f64) -> FeedWarning {
    let name = format!("数据接入异常：{}/{}", feed.source, feed.kind);
    let (level, body) = match feed.state.as_str() {
        "silent" => (
            Some("red"),
            format!(
                "数据来源 {} 的 {} 已超过 {silent_hours} 个工作小时未推送数据（最后接收：{}），请核实接口。",
                feed.source,
                feed.kind,
                feed.last_record_at.as_deref().unwrap_or("从未接收")
            ),
        ),
        "late" => (
            Some("yellow"),
            format!(
                "数据来源 {} 的 {} 今日已接收 {} 条，远低于同期通常的 {} 条，请核实是否漏推。",
                feed.source,
                feed.kind,
                feed.today,
                feed.usual.unwrap_or(0)
            ),
        ),
        _ => (None, String::new()),
    };
    FeedWarning {
        source: feed.source.clone(),
        kind: feed.kind.clone(),
        level,
        title: name,
        body,
    }
}

/// Judge every feed at `now` and raise, escalate or close its `feed_silent`
/// warning; returns `(raised, closed)`. The warnings belong to the top of the
/// region tree (the city), so city users are told.
pub async fn sweep(state: &AppState, now: i64) -> ApiResult<(u64, u64)> {
    let feeds = health(state, now).await?;
    let Some(city) = crate::org::city_region(state).await? else {
        return Ok((0, 0));
    };
    let silent_hours = state.config.feed_silent_hours;
    let wanted: Vec<FeedWarning> = feeds.iter().map(|f| wanted(f, silent_hours)).collect();
    Ok(state.store.sync_feed_warnings(&wanted, &city, now).await?)
}

/// Sweep the feeds every five minutes (and at start), whether or not data
/// arrives: a feed that stopped is exactly the one that sends nothing to
/// trigger a check. Stops when the server drains.
pub fn start(state: &AppState) {
    crate::sweep::every(
        state,
        SWEEP_SECS,
        "feed health sweep",
        |state, now| async move {
            sweep(&state, now)
                .await
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("{e:?}"))
        },
    );
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestRecord {
    /// Source system code: 1–64 letters, digits, `-`, `_` or `.`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$")]
    pub source: String,
    /// consultations | cases | case-events | evaluations
    #[schema(pattern = "^(consultations|cases|case-events|evaluations)$")]
    pub kind: String,
    /// `YYYY-MM-DD` (Asia/Shanghai), not in the future.
    pub day: String,
    /// Records the source sent of that kind that day.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub count: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ManifestBody {
    One(ManifestRecord),
    Many(Vec<ManifestRecord>),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestAnswer {
    pub recorded: usize,
}

fn manifest(record: ManifestRecord, index: usize, today: NaiveDate) -> ApiResult<Manifest> {
    let field = |name: &str| format!("[{index}].{name}");
    let source = record.source.trim();
    let valid_code = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if source.is_empty() || source.len() > 64 || !source.chars().all(valid_code) {
        return Err(ApiError::invalid_field(
            &field("source"),
            "来源代码须为 1–64 位字母、数字、- _ .",
        ));
    }
    if !Kind::parse(&record.kind).is_some_and(|k| k != Kind::Items) {
        return Err(ApiError::invalid_field(
            &field("kind"),
            "数据类别须为 consultations、cases、case-events 或 evaluations",
        ));
    }
    match NaiveDate::parse_from_str(&record.day, "%Y-%m-%d") {
        Ok(day) if day <= today => {}
        Ok(_) => return Err(ApiError::invalid_field(&field("day"), "日期不能晚于今天")),
        Err(_) => {
            return Err(ApiError::invalid_field(
                &field("day"),
                "日期格式须为 YYYY-MM-DD",
            ))
        }
    }
    if !(0..=1_000_000_000).contains(&record.count) {
        return Err(ApiError::invalid_field(
            &field("count"),
            "数量须在 0 到 1,000,000,000 之间",
        ));
    }
    Ok(Manifest {
        source: source.to_string(),
        kind: record.kind,
        day: record.day,
        count: record.count,
    })
}

/// Record what a source declares it sent per day and kind (one manifest or an
/// array; a resent manifest replaces the day's count). The reconciliation then
/// shows declared vs received vs accepted.
#[utoipa::path(post, path = "/intake/manifests", tag = "aggregation",
    request_body(content = ManifestBody, description = "one manifest or an array of up to 1,000"),
    responses((status = 200, body = ManifestAnswer), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn post_manifests(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ManifestBody>,
) -> ApiResult<Json<ManifestAnswer>> {
    caller.require(&state, "intake:write").await?;
    let records = match body {
        ManifestBody::One(one) => vec![one],
        ManifestBody::Many(many) => many,
    };
    if records.is_empty() || records.len() > MAX_MANIFESTS {
        return Err(ApiError::invalid_field(
            "manifests",
            format!("每次须提交 1–{MAX_MANIFESTS} 条申报"),
        ));
    }
    let now = now_ms();
    let today = local_date(now);
    let manifests = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| manifest(r, i, today))
        .collect::<ApiResult<Vec<_>>>()?;
    let audit = caller.audit(
        "intake.manifests",
        "source",
        &manifests[0].source,
        serde_json::json!({
            "manifests": manifests.iter().map(|m| serde_json::json!({
                "source": m.source, "kind": m.kind, "day": m.day, "count": m.count,
            })).collect::<Vec<_>>(),
        }),
    );
    state
        .store
        .record_manifests(&manifests, now, &audit)
        .await?;
    Ok(Json(ManifestAnswer {
        recorded: manifests.len(),
    }))
}
