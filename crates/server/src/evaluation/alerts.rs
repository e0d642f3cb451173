//! Indicator warning rules over HTTP (IND-2): the rule library (list with
//! search by name / state / level, create, read with version history,
//! update — every save a new version), a run on demand,
//! and the scheduler that runs each enabled rule when its cron fires. A run
//! assesses the last whole period of the rule's kind for every unit of its
//! level and raises, escalates or closes the unit's warning through the
//! monitoring machinery (inbox, handling, false positives).

use super::indicators::period_of;
use super::{definition_of, DefinitionVersion, READ, WRITE};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::list_params;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::evaluation::alerts::{next_run, AlertLevel, AlertRule, Observation, RuleState};
use govpulse_core::evaluation::measures::Ratio;
use govpulse_core::evaluation::period::Period;
use govpulse_core::evaluation::scoring::UnitLevel;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::evaluation::{
    AlertOutcome, AlertOutcomeLevel, AlertRuleFilter, AlertRuleRow, ALERT_RULE_LIST,
};
use govpulse_store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertRuleView {
    pub code: String,
    pub name: String,
    /// The level-3 indicator it watches.
    pub indicator: String,
    /// district | city_department | district_department
    pub unit_level: String,
    /// month | quarter | year: the last whole one is assessed.
    pub period: String,
    /// Cron, Asia/Shanghai.
    pub schedule: String,
    /// enabled | disabled
    pub state: String,
    /// Most severe first.
    #[schema(value_type = Vec<govpulse_core::evaluation::alerts::AlertLevel>)]
    pub levels: serde_json::Value,
    pub description: String,
    pub version: i64,
    pub next_run_at: Option<String>,
    pub last_run_at: Option<String>,
    pub last_period: Option<String>,
    pub updated_at: String,
    pub updated_by: String,
}

/// The stored definition of a rule row.
pub fn rule_of(row: &AlertRuleRow) -> ApiResult<AlertRule> {
    serde_json::from_str(&row.definition)
        .map_err(|e| ApiError::internal(format!("alert rule {} definition: {e}", row.code)))
}

fn as_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

impl AlertRuleView {
    fn of(row: &AlertRuleRow) -> ApiResult<Self> {
        let rule = rule_of(row)?;
        Ok(Self {
            levels: serde_json::to_value(&rule.levels).map_err(ApiError::internal)?,
            code: rule.code,
            name: rule.name,
            indicator: rule.indicator,
            unit_level: rule.unit_level.as_str().to_string(),
            period: as_text(&rule.period),
            schedule: rule.schedule,
            state: rule.state.as_str().to_string(),
            description: rule.description,
            version: row.version,
            next_run_at: row.next_run_at.map(to_rfc3339),
            last_run_at: row.last_run_at.map(to_rfc3339),
            last_period: row.last_period.clone(),
            updated_at: to_rfc3339(row.updated_at),
            updated_by: row.updated_by.clone(),
        })
    }
}

/// A stored row for a rule; an enabled rule's next run from its schedule.
pub fn row_of(rule: &AlertRule, by: &str, at: i64) -> ApiResult<AlertRuleRow> {
    Ok(AlertRuleRow {
        code: rule.code.clone(),
        name: rule.name.trim().to_string(),
        indicator_code: rule.indicator.clone(),
        state: rule.state.as_str().to_string(),
        levels: rule.level_keys(),
        version: 0,
        definition: serde_json::to_string(rule).map_err(ApiError::internal)?,
        next_run_at: match rule.state {
            RuleState::Enabled => next_run(&rule.schedule, at),
            RuleState::Disabled => None,
        },
        last_run_at: None,
        last_period: None,
        updated_at: at,
        updated_by: by.to_string(),
    })
}

/// Check a rule against the library: its indicator must be a level-3 one.
async fn check_rule(store: &Store, rule: &AlertRule) -> ApiResult<()> {
    rule.validate()
        .map_err(|e| ApiError::invalid_field(&e.field, e.message))?;
    let indicator = store.indicator(&rule.indicator).await?;
    match indicator {
        Some(row) if definition_of(&row)?.ratio().is_some() => Ok(()),
        _ => Err(ApiError::invalid_field(
            "indicator",
            "须为指标库中的三级指标",
        )),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertRuleQuery {
    /// Contained in the code or name.
    pub q: Option<String>,
    /// enabled | disabled
    pub state: Option<String>,
    /// A level key the rule uses: red | orange | yellow | blue
    pub level: Option<String>,
    /// The indicator watched.
    pub indicator: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `code` (default), `updated_at`, `name`; `-field` descending.
    pub sort: Option<String>,
    pub after: Option<String>,
}

/// The indicator warning rules, paged (the list mechanism).
#[utoipa::path(get, path = "/indicator-alerts", tag = "evaluation", params(AlertRuleQuery),
    responses((status = 200, body = crate::list::ListResponse<AlertRuleView>), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_alert_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AlertRuleQuery>,
) -> ApiResult<Json<crate::list::ListResponse<AlertRuleView>>> {
    caller.require(&state, READ).await?;
    let request = list_params!(q).request(&ALERT_RULE_LIST)?;
    let filter = AlertRuleFilter {
        q: non_empty(&q.q),
        state: non_empty(&q.state),
        level: non_empty(&q.level),
        indicator: non_empty(&q.indicator),
    };
    let page = state.store.list_alert_rules(&filter, &request).await?;
    Ok(Json(crate::list::ListResponse::try_from_page(
        page,
        AlertRuleView::of,
    )?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRuleRequest {
    /// Only on create (the path names it on update).
    pub code: Option<String>,
    pub name: String,
    pub indicator: String,
    /// district | city_department | district_department
    pub unit_level: String,
    /// month | quarter | year
    pub period: String,
    /// Cron (`min hour day month weekday`), e.g. `0 8 1 * *`.
    pub schedule: String,
    /// enabled (default) | disabled
    pub state: Option<String>,
    /// As in [`AlertRuleView::levels`].
    #[schema(value_type = Vec<govpulse_core::evaluation::alerts::AlertLevel>)]
    pub levels: serde_json::Value,
    #[serde(default)]
    pub description: String,
    /// On update: the version this edit started from (409 when another edit came first).
    pub version: Option<i64>,
}

fn parse_text<T: serde::de::DeserializeOwned>(
    field: &str,
    text: &str,
    message: &str,
) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|_| ApiError::invalid_field(field, message))
}

fn rule_from(code: &str, req: &AlertRuleRequest) -> ApiResult<AlertRule> {
    let unit_level = UnitLevel::parse(&req.unit_level).ok_or_else(|| {
        ApiError::invalid_field(
            "unit_level",
            "单位层级须为 district、city_department 或 district_department",
        )
    })?;
    let levels: Vec<AlertLevel> = serde_json::from_value(req.levels.clone())
        .map_err(|e| ApiError::invalid_field("levels", format!("预警级别无效：{e}")))?;
    Ok(AlertRule {
        code: code.to_string(),
        name: req.name.trim().to_string(),
        indicator: req.indicator.trim().to_string(),
        unit_level,
        period: parse_text("period", &req.period, "期间须为 month、quarter 或 year")?,
        schedule: req.schedule.trim().to_string(),
        state: parse_text(
            "state",
            req.state.as_deref().unwrap_or("enabled"),
            "状态须为 enabled 或 disabled",
        )?,
        levels,
        description: req.description.trim().to_string(),
    })
}

/// Add an indicator warning rule (version 1).
#[utoipa::path(post, path = "/indicator-alerts", tag = "evaluation", request_body = AlertRuleRequest,
    responses((status = 201, body = AlertRuleView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_alert_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<AlertRuleRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<AlertRuleView>)> {
    caller.require(&state, WRITE).await?;
    let code =
        non_empty(&req.code).ok_or_else(|| ApiError::invalid_field("code", "请填写规则编码"))?;
    let rule = rule_from(&code, &req)?;
    check_rule(&state.store, &rule).await?;
    let audit = caller.audit(
        "indicator_alert.create",
        "indicator_alert_rule",
        &code,
        serde_json::json!({ "name": rule.name, "indicator": rule.indicator }),
    );
    state
        .store
        .save_alert_rule(&row_of(&rule, &caller.username, now_ms())?, None, &audit)
        .await?
        .ok_or_else(|| ApiError::conflict("evaluation.exists", "该规则编码已存在"))?;
    let stored = state
        .store
        .alert_rule(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(AlertRuleView::of(&stored)?),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertRuleDetail {
    #[serde(flatten)]
    pub rule: AlertRuleView,
    /// Every version (the whole definition as saved), newest first.
    pub versions: Vec<DefinitionVersion>,
}

/// One indicator warning rule with its version history (readable by
/// everyone who may read the rule list: rules are not scoped).
#[utoipa::path(get, path = "/indicator-alerts/{code}", tag = "evaluation", params(("code" = String, Path)),
    responses((status = 200, body = AlertRuleDetail), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_alert_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<AlertRuleDetail>> {
    caller.require(&state, READ).await?;
    let row = state
        .store
        .alert_rule(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let versions = state.store.alert_rule_versions(&code).await?;
    Ok(Json(AlertRuleDetail {
        rule: AlertRuleView::of(&row)?,
        versions: versions.into_iter().map(DefinitionVersion::from).collect(),
    }))
}

/// Change a rule (a new version; its next run follows the new schedule).
#[utoipa::path(put, path = "/indicator-alerts/{code}", tag = "evaluation", params(("code" = String, Path)), request_body = AlertRuleRequest,
    responses((status = 200, body = AlertRuleView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn put_alert_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<AlertRuleRequest>,
) -> ApiResult<Json<AlertRuleView>> {
    caller.require(&state, WRITE).await?;
    let current = state
        .store
        .alert_rule(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if req.code.as_deref().is_some_and(|c| c != code) {
        return Err(ApiError::invalid_field("code", "规则编码不可修改"));
    }
    let rule = rule_from(&code, &req)?;
    check_rule(&state.store, &rule).await?;
    let read_version = req.version.unwrap_or(current.version);
    let audit = caller.audit(
        "indicator_alert.update",
        "indicator_alert_rule",
        &code,
        serde_json::json!({ "from_version": read_version, "state": rule.state.as_str() }),
    );
    state
        .store
        .save_alert_rule(
            &row_of(&rule, &caller.username, now_ms())?,
            Some(read_version),
            &audit,
        )
        .await?
        .ok_or_else(|| ApiError::conflict("evaluation.stale", "规则已被他人修改，请刷新后重试"))?;
    let stored = state
        .store
        .alert_rule(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(AlertRuleView::of(&stored)?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRunRequest {
    /// The period to assess (default: the last whole one of the rule's kind).
    pub period: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertHitView {
    pub unit_code: String,
    pub unit_name: String,
    pub value: Option<f64>,
    /// % change on the same period a year before.
    pub yoy: Option<f64>,
    /// % change on the period before.
    pub pop: Option<f64>,
    pub level: String,
    pub level_name: String,
    pub colour: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertRunView {
    pub period: String,
    /// Warnings raised or raised again at another level.
    pub raised: u64,
    /// Warnings closed (the unit is well again).
    pub closed: u64,
    /// The units at a warning level.
    pub hits: Vec<AlertHitView>,
}

/// Every unit's value of a ratio for a period, by unit code.
async fn values(
    store: &Store,
    level: UnitLevel,
    ratio: &Ratio,
    period: Period,
) -> ApiResult<BTreeMap<String, Option<f64>>> {
    let (start, end) = period.bounds_ms();
    Ok(store
        .unit_facts(level, start, end)
        .await?
        .into_iter()
        .map(|u| (u.unit_code, ratio.measure(&u.facts).value))
        .collect())
}

/// Assess `period` with `rule` and sync the warnings.
pub async fn run_rule(
    store: &Store,
    rule: &AlertRule,
    period: Period,
    now: i64,
) -> ApiResult<AlertRunView> {
    let indicator = store
        .indicator(&rule.indicator)
        .await?
        .ok_or_else(|| ApiError::invalid_field("indicator", "指标已不存在"))?;
    let def = definition_of(&indicator)?;
    let ratio = def
        .ratio()
        .ok_or_else(|| ApiError::invalid_field("indicator", "须为三级指标"))?;
    let (start, end) = period.bounds_ms();
    let current = store.unit_facts(rule.unit_level, start, end).await?;
    let previous = values(store, rule.unit_level, ratio, period.previous()).await?;
    let year_ago = values(store, rule.unit_level, ratio, period.year_ago()).await?;
    let mut outcomes = Vec::with_capacity(current.len());
    let mut hits = Vec::new();
    for unit in current {
        let value = ratio.measure(&unit.facts).value;
        let observed = Observation::new(
            value,
            previous.get(&unit.unit_code).copied().flatten(),
            year_ago.get(&unit.unit_code).copied().flatten(),
        );
        let department = match rule.unit_level {
            UnitLevel::District => String::new(),
            _ => unit.unit_code.clone(),
        };
        let level = rule.assess(&observed).map(|i| (i, &rule.levels[i]));
        let (title, body) = match level {
            Some((_, l)) => (
                format!("【{}】{}：{}", l.name, rule.name, unit.unit_name),
                format!(
                    "{} {period} {}为 {}{}（{}）。",
                    unit.unit_name,
                    def.name,
                    value.map_or("—".to_string(), |v| v.to_string()),
                    def.unit,
                    l.describe()
                ),
            ),
            None => (String::new(), String::new()),
        };
        if let Some((_, l)) = level {
            hits.push(AlertHitView {
                unit_code: unit.unit_code.clone(),
                unit_name: unit.unit_name.clone(),
                value,
                yoy: observed.yoy,
                pop: observed.pop,
                level: l.level.clone(),
                level_name: l.name.clone(),
                colour: l.colour.clone(),
            });
        }
        outcomes.push(AlertOutcome {
            unit_code: unit.unit_code,
            region: unit.region_code,
            department,
            level: level.map(|(i, l)| AlertOutcomeLevel {
                key: l.level.clone(),
                rank: rule.rank_of(i),
                name: l.name.clone(),
                colour: l.colour.clone(),
            }),
            title,
            body,
        });
    }
    let period_text = period.to_string();
    let (raised, closed) = store
        .sync_alert_warnings(&rule.code, &period_text, &outcomes, now)
        .await?;
    let next = match rule.state {
        RuleState::Enabled => next_run(&rule.schedule, now),
        RuleState::Disabled => None,
    };
    store
        .mark_alert_run(&rule.code, &period_text, now, next)
        .await?;
    Ok(AlertRunView {
        period: period_text,
        raised,
        closed,
        hits,
    })
}

/// The last whole period of the rule's kind at `now`.
fn due_period(rule: &AlertRule, now: i64) -> Period {
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&govpulse_core::time::shanghai())
        .date_naive();
    rule.period.last_complete(today)
}

/// Run a rule now: assess a period (default: the last whole one) and raise
/// or close its warnings.
#[utoipa::path(post, path = "/indicator-alerts/{code}/run", tag = "evaluation", params(("code" = String, Path)),
    request_body = AlertRunRequest,
    responses((status = 200, body = AlertRunView), (status = 400, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn run_alert_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<AlertRunRequest>,
) -> ApiResult<Json<AlertRunView>> {
    caller.require(&state, WRITE).await?;
    let row = state
        .store
        .alert_rule(&code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let rule = rule_of(&row)?;
    let now = now_ms();
    let period = match req.period.as_deref() {
        Some(text) => period_of("period", text)?,
        None => due_period(&rule, now),
    };
    Ok(Json(run_rule(&state.store, &rule, period, now).await?))
}

/// Run the rules whose schedule is due; returns how many ran.
pub async fn sweep_now(store: &Store, now: i64) -> usize {
    let due = match store.due_alert_rules(now).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err, "indicator alert sweep failed");
            return 0;
        }
    };
    let mut ran = 0;
    for row in due {
        let outcome = match rule_of(&row) {
            Ok(rule) => run_rule(store, &rule, due_period(&rule, now), now)
                .await
                .map(|_| ()),
            Err(err) => Err(err),
        };
        match outcome {
            Ok(()) => ran += 1,
            Err(err) => {
                tracing::warn!(rule = %row.code, error = ?err, "indicator alert rule failed");
                // A rule that fails waits for its next slot instead of failing every minute.
                let next = rule_of(&row).ok().and_then(|r| next_run(&r.schedule, now));
                let period = row.last_period.clone().unwrap_or_default();
                if let Err(err) = store.mark_alert_run(&row.code, &period, now, next).await {
                    tracing::warn!(error = %err, "recording an indicator alert run failed");
                }
            }
        }
    }
    ran
}

/// Check the schedules every minute (and at start). Stops when the server drains.
pub fn start(state: &AppState) {
    crate::spawn_periodic(state, Duration::from_secs(60), |state| async move {
        sweep_now(&state.store, now_ms()).await;
    });
}
