//! Warning rules over HTTP (MON-2/3/4/6): list with volume and precision, CRUD
//! with versions, the field catalogue for the visual editor, message previews
//! against a real case, and the webhook delivery log.

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::monitoring::condition::Field;
use govpulse_core::monitoring::rule::{CompiledRule, RuleDef};
use govpulse_core::monitoring::template;
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::monitoring::{case_subject, RuleHead, RuleRow};
use govpulse_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Shown instead of a stored webhook secret; sent back unchanged, it keeps it.
const SECRET_MASK: &str = "******";
/// Prefix of an encrypted secret inside a stored definition.
const SEALED: &str = "sealed:";
/// Keys a client may echo back from a GET; they are not part of the definition.
const READ_ONLY: &[&str] = &[
    "builtin",
    "version",
    "versions",
    "updated_at",
    "updated_by",
    "volume",
    "open",
    "false_positives",
    "precision",
];

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelSummary {
    pub key: String,
    pub name: String,
    pub colour: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleSummary {
    pub code: String,
    pub name: String,
    pub stage: String,
    #[serde(rename = "type")]
    pub rule_type: String,
    pub description: String,
    pub enabled: bool,
    pub builtin: bool,
    pub version: i64,
    pub levels: Vec<LevelSummary>,
    pub updated_at: String,
    pub volume: i64,
    pub open: i64,
    pub false_positives: i64,
    /// 1 − false positives ÷ judged (handled or false positive); null when none judged.
    pub precision: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleList {
    pub total: usize,
    pub items: Vec<RuleSummary>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleDetail {
    /// The definition (see docs/api-monitoring.md); webhook secret masked.
    #[serde(flatten)]
    #[schema(value_type = RuleDef)]
    pub definition: Value,
    pub builtin: bool,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: String,
    pub versions: Vec<VersionSummary>,
}

fn masked(def: &RuleDef) -> Value {
    let mut value = serde_json::to_value(def).unwrap_or(Value::Null);
    if let Some(secret) = value.pointer_mut("/webhook/secret") {
        if secret.is_string() {
            *secret = Value::String(SECRET_MASK.into());
        }
    }
    value
}

fn parse_definition(text: &str) -> ApiResult<RuleDef> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

/// Parse a definition sent by a client, or say exactly what is wrong.
pub fn rule_from_json(mut value: Value) -> ApiResult<RuleDef> {
    if let Some(object) = value.as_object_mut() {
        for key in READ_ONLY {
            object.remove(*key);
        }
    }
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "rule.invalid", "预警规则格式有误")
            .with_details(json!({ "rule": e.to_string() }))
    })
}

/// Compile or answer 400 `rule.invalid` naming every problem by its path.
pub fn compile(def: &RuleDef, version: i64) -> ApiResult<CompiledRule> {
    def.compile(version).map_err(|problems| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "rule.invalid",
            "预警规则有误，请按提示修改",
        )
        .with_details(json!(problems))
    })
}

/// Seal a new webhook secret; a masked one keeps the stored secret.
fn seal_secret(state: &AppState, def: &mut RuleDef, stored: Option<&RuleDef>) {
    let Some(hook) = def.webhook.as_mut() else {
        return;
    };
    hook.secret = match hook.secret.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(SECRET_MASK) => stored
            .and_then(|s| s.webhook.as_ref())
            .and_then(|w| w.secret.clone()),
        Some(plain) => Some(format!("{SEALED}{}", state.vault.encrypt(plain))),
    };
}

/// The plain webhook secret of a stored rule.
pub fn webhook_secret(state: &AppState, def: &RuleDef) -> Option<String> {
    let sealed = def.webhook.as_ref()?.secret.as_deref()?;
    state.vault.decrypt(sealed.strip_prefix(SEALED)?)
}

async fn apply_change(state: &AppState) -> ApiResult<()> {
    state
        .monitor
        .reload(&state.store)
        .await
        .map_err(ApiError::internal)?;
    state.store.mark_open_subjects_due().await?;
    state.monitor.wake();
    Ok(())
}

async fn stored_rule(state: &AppState, code: &str) -> ApiResult<(RuleRow, RuleDef)> {
    let row = state
        .store
        .warning_rule(code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let def = parse_definition(&row.definition)?;
    Ok((row, def))
}

async fn detail(state: &AppState, code: &str) -> ApiResult<RuleDetail> {
    let (row, def) = stored_rule(state, code).await?;
    let versions = state.store.warning_rule_versions(code).await?;
    Ok(RuleDetail {
        definition: masked(&def),
        builtin: row.builtin,
        version: row.version,
        updated_at: to_rfc3339(row.updated_at),
        updated_by: row.updated_by,
        versions: versions
            .into_iter()
            .map(|v| VersionSummary {
                version: v.version,
                created_at: to_rfc3339(v.created_at),
                created_by: v.created_by,
            })
            .collect(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleQuery {
    pub q: Option<String>,
    pub stage: Option<String>,
    pub enabled: Option<bool>,
}

#[utoipa::path(get, path = "/warning-rules", tag = "monitoring", params(RuleQuery), responses((status = 200, body = RuleList)))]
pub async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<RuleQuery>,
) -> ApiResult<Json<RuleList>> {
    caller.require(&state, "warning:read").await?;
    let stats = state.store.rule_stats(&caller.org_scope()).await?;
    let mut items = Vec::new();
    for row in state.store.warning_rules().await? {
        let def = parse_definition(&row.definition)?;
        let matches =
            q.q.as_deref()
                .is_none_or(|t| def.name.contains(t.trim()) || def.code.contains(t.trim()))
                && q.stage
                    .as_deref()
                    .is_none_or(|s| s.is_empty() || def.stage == s)
                && q.enabled.is_none_or(|e| def.enabled == e);
        if !matches {
            continue;
        }
        let stat = stats
            .iter()
            .find(|s| s.rule_code == row.code)
            .cloned()
            .unwrap_or_default();
        let judged = stat.handled + stat.false_positives;
        items.push(RuleSummary {
            levels: def
                .levels
                .iter()
                .map(|l| LevelSummary {
                    key: l.key.clone(),
                    name: l.name.clone(),
                    colour: l.colour.clone(),
                })
                .collect(),
            code: def.code,
            name: def.name,
            stage: def.stage,
            rule_type: def.rule_type,
            description: def.description,
            enabled: def.enabled,
            builtin: row.builtin,
            version: row.version,
            updated_at: to_rfc3339(row.updated_at),
            volume: stat.volume,
            open: stat.open,
            false_positives: stat.false_positives,
            precision: (judged > 0).then(|| 1.0 - stat.false_positives as f64 / judged as f64),
        });
    }
    Ok(Json(RuleList {
        total: items.len(),
        items,
    }))
}

#[utoipa::path(get, path = "/warning-rules/{code}", tag = "monitoring",
    responses((status = 200, body = RuleDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<RuleDetail>> {
    caller.require(&state, "warning:read").await?;
    Ok(Json(detail(&state, &code).await?))
}

#[utoipa::path(get, path = "/warning-rules/{code}/versions/{version}", tag = "monitoring",
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_rule_version(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, version)): Path<(String, i64)>,
) -> ApiResult<Json<Value>> {
    caller.require(&state, "warning:read").await?;
    let row = state
        .store
        .warning_rule_versions(&code)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(ApiError::not_found)?;
    let mut value = masked(&parse_definition(&row.definition)?);
    value["version"] = json!(row.version);
    value["created_at"] = json!(to_rfc3339(row.created_at));
    value["created_by"] = json!(row.created_by);
    Ok(Json(value))
}

#[utoipa::path(post, path = "/warning-rules", tag = "monitoring", request_body = RuleDef,
    responses((status = 201, body = RuleDetail), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<RuleDetail>)> {
    caller.require(&state, "rule:write").await?;
    let mut def = rule_from_json(body)?;
    compile(&def, 1)?;
    super::webhooks::admit(&state, &caller, &mut def).await?;
    seal_secret(&state, &mut def, None);
    let definition = serde_json::to_string(&def).map_err(ApiError::internal)?;
    let head = head_of(&def, &definition);
    let audit = caller.audit(
        "warning_rule.create",
        "warning_rule",
        &def.code,
        json!({"stage": def.stage, "levels": def.levels.len()}),
    );
    state
        .store
        .create_warning_rule(&head, false, &caller.username, now_ms(), &audit)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                ApiError::conflict("rule.exists", "规则编码已存在（含已删除的规则）")
            }
            other => other.into(),
        })?;
    apply_change(&state).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &def.code).await?)))
}

fn head_of<'a>(def: &'a RuleDef, definition: &'a str) -> RuleHead<'a> {
    RuleHead {
        code: &def.code,
        name: &def.name,
        stage: &def.stage,
        rule_type: &def.rule_type,
        enabled: def.enabled,
        definition,
    }
}

#[utoipa::path(put, path = "/warning-rules/{code}", tag = "monitoring", request_body = RuleDef,
    responses((status = 200, body = RuleDetail), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn update_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<RuleDetail>> {
    caller.require(&state, "rule:write").await?;
    let mut def = rule_from_json(body)?;
    if def.code != code {
        return Err(ApiError::invalid_field("code", "规则编码创建后不可修改"));
    }
    let (row, stored) = stored_rule(&state, &code).await?;
    compile(&def, row.version + 1)?;
    super::webhooks::admit(&state, &caller, &mut def).await?;
    seal_secret(&state, &mut def, Some(&stored));
    let definition = serde_json::to_string(&def).map_err(ApiError::internal)?;
    let audit = caller.audit(
        "warning_rule.update",
        "warning_rule",
        &code,
        json!({"from_version": row.version, "definition": masked(&def)}),
    );
    state
        .store
        .update_warning_rule(
            &head_of(&def, &definition),
            &caller.username,
            now_ms(),
            &audit,
        )
        .await?;
    apply_change(&state).await?;
    Ok(Json(detail(&state, &code).await?))
}

#[utoipa::path(delete, path = "/warning-rules/{code}", tag = "monitoring",
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(&state, "rule:write").await?;
    let (row, _) = stored_rule(&state, &code).await?;
    if row.builtin {
        return Err(ApiError::conflict(
            "rule.builtin",
            "内置预警模型不可删除，可停用或修改阈值",
        ));
    }
    let audit = caller.audit(
        "warning_rule.delete",
        "warning_rule",
        &code,
        json!({"version": row.version}),
    );
    state
        .store
        .delete_warning_rule(&code, now_ms(), &audit)
        .await?;
    apply_change(&state).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldView {
    pub key: &'static str,
    pub label: &'static str,
    #[schema(pattern = "^(number|bool|enum|text|region)$")]
    pub kind: String,
    #[schema(schema_with = ops_schema)]
    pub ops: Vec<&'static str>,
    pub options: Vec<OptionView>,
    pub window: bool,
    pub stages: Vec<&'static str>,
}

fn ops_schema() -> utoipa::openapi::Array {
    utoipa::openapi::Array::new(govpulse_core::monitoring::condition::op_schema())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OptionView {
    pub value: &'static str,
    pub label: &'static str,
}

#[utoipa::path(get, path = "/warning-rules/fields", tag = "monitoring", responses((status = 200, body = [FieldView])))]
pub async fn rule_fields(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<FieldView>>> {
    caller.require(&state, "warning:read").await?;
    Ok(Json(
        Field::ALL
            .iter()
            .map(|f| {
                let info = f.info();
                FieldView {
                    key: info.key,
                    label: info.label,
                    kind: serde_json::to_value(info.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                    ops: info.ops.to_vec(),
                    options: info
                        .options
                        .iter()
                        .map(|(value, label)| OptionView { value, label })
                        .collect(),
                    window: info.window,
                    stages: info.stages.to_vec(),
                }
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    #[schema(value_type = RuleDef)]
    pub rule: Value,
    /// Level key (default: the most severe).
    pub level: Option<String>,
    pub case_code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    pub title: String,
    pub body: String,
}

#[utoipa::path(post, path = "/warning-rules/preview", tag = "monitoring", request_body = PreviewInput,
    responses((status = 200, body = PreviewView), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PreviewInput>,
) -> ApiResult<Json<PreviewView>> {
    caller.require(&state, "rule:write").await?;
    let def = rule_from_json(input.rule)?;
    let rule = compile(&def, 0)?;
    let level = match &input.level {
        Some(key) => def
            .levels
            .iter()
            .find(|l| &l.key == key)
            .ok_or_else(|| ApiError::invalid_field("level", "没有这个预警级别"))?,
        None => def
            .levels
            .last()
            .ok_or_else(|| ApiError::invalid_field("level", "没有预警级别"))?,
    };
    state
        .store
        .get_case(&caller.org_scope(), &input.case_code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let facts = state
        .store
        .subject_facts(&[case_subject(&input.case_code)], &rule.windows)
        .await?
        .into_iter()
        .next()
        .ok_or_else(ApiError::not_found)?;
    let now = now_ms();
    let subject = facts
        .record
        .subject(&state.monitor.calendar(), i64::MAX, now);
    let values = super::engine::placeholders(&rule, &level.name, &facts, &subject);
    Ok(Json(PreviewView {
        title: format!("【{}】{}", level.name, def.name),
        body: template::render(&level.template, &values),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub warning_id: i64,
    pub url: String,
    /// pending, delivered, failed
    pub status: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

#[utoipa::path(get, path = "/warning-rules/{code}/deliveries", tag = "monitoring", params(crate::list::PageQuery), responses((status = 200, body = crate::list::ListResponse<DeliveryView>)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<crate::list::PageQuery>,
) -> ApiResult<Json<crate::list::ListResponse<DeliveryView>>> {
    caller.require(&state, "rule:write").await?;
    let request = crate::list_params!(q).request(&govpulse_store::monitoring::DELIVERY_LIST)?;
    let page = state.store.list_deliveries(&code, &request).await?;
    Ok(Json(crate::list::ListResponse::from_page(page.map(|d| {
        DeliveryView {
            id: d.id,
            warning_id: d.warning_id,
            url: d.url,
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: to_rfc3339(d.created_at),
            delivered_at: d.delivered_at.map(to_rfc3339),
        }
    }))))
}
