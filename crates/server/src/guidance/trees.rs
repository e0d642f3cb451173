//! Situation trees: list, create, read, save the draft, check coverage, publish.

use super::{READ, WRITE};
use crate::error::{ApiError, ApiResult};
use crate::extract::{non_empty, ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::list::ListResponse;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::guidance::coverage::{self, Coverage};
use govpulse_core::guidance::{TreeBody, TreeKind};
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::guidance::{
    TolerableMaterial, TreeDraft, TreeFilter, TreeRow, TreeVersionRow, TREE_LIST,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One row of the tree list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TreeItem {
    pub code: String,
    pub name: String,
    /// item (one item) | theme (一件事 bundle)
    #[schema(pattern = "^(item|theme)$")]
    pub kind: String,
    /// draft | published | changed (a draft newer than the published version)
    pub status: String,
    pub latest_version: i64,
    pub published_version: Option<i64>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub published_at: Option<String>,
}

impl From<TreeRow> for TreeItem {
    fn from(row: TreeRow) -> Self {
        Self {
            status: row.status().to_string(),
            code: row.code,
            name: row.name,
            kind: row.kind,
            latest_version: row.latest_version,
            published_version: row.published_version,
            created_by: row.created_by,
            created_at: to_rfc3339(row.created_at),
            updated_at: to_rfc3339(row.updated_at),
            published_at: row.published_at.map(to_rfc3339),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub name: String,
    /// draft | published | superseded
    pub state: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
}

impl From<&TreeVersionRow> for VersionView {
    fn from(row: &TreeVersionRow) -> Self {
        Self {
            version: row.version,
            name: row.name.clone(),
            state: row.state.clone(),
            created_by: row.created_by.clone(),
            created_at: to_rfc3339(row.created_at),
            updated_at: to_rfc3339(row.updated_at),
            published_by: row.published_by.clone(),
            published_at: row.published_at.map(to_rfc3339),
        }
    }
}

/// A tree: its list row, the content of one version and every version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TreeDetail {
    #[serde(flatten)]
    pub tree: TreeItem,
    /// The version whose content `body` is (the newest unless `?version=`).
    pub version: i64,
    #[schema(value_type = TreeBody)]
    pub body: Value,
    pub versions: Vec<VersionView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// Code or name contains.
    pub q: Option<String>,
    /// draft | published | changed
    #[param(pattern = "^(draft|published|changed)?$")]
    pub status: Option<String>,
    /// item | theme
    #[param(pattern = "^(item|theme)?$")]
    pub kind: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field`: updated_at (default, newest first), code, name.
    pub sort: Option<String>,
    pub after: Option<String>,
}

/// The situation trees.
#[utoipa::path(get, path = "/guidance/trees", tag = "guidance", params(TreeQuery),
    responses((status = 200, body = ListResponse<TreeItem>), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_trees(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TreeQuery>,
) -> ApiResult<Json<ListResponse<TreeItem>>> {
    caller.require(&state, READ).await?;
    let status = non_empty(&q.status);
    if status
        .as_deref()
        .is_some_and(|s| !["draft", "published", "changed"].contains(&s))
    {
        return Err(ApiError::invalid_field(
            "status",
            "状态须为 draft、published 或 changed",
        ));
    }
    let kind = non_empty(&q.kind);
    if kind
        .as_deref()
        .is_some_and(|k| !["item", "theme"].contains(&k))
    {
        return Err(ApiError::invalid_field("kind", "类型须为 item 或 theme"));
    }
    let filter = TreeFilter {
        q: non_empty(&q.q),
        status,
        kind,
        answerable: false,
    };
    let request = crate::list_params!(q).request(&TREE_LIST)?;
    let page = state.store.list_guidance_trees(&filter, &request).await?;
    Ok(Json(ListResponse::from_page(page)))
}

/// A tree as sent: `code` (on create), `name` and the content fields.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TreeInput {
    #[serde(default)]
    code: Option<String>,
    name: String,
    #[serde(flatten)]
    body: TreeBody,
}

fn kind_name(kind: TreeKind) -> &'static str {
    match kind {
        TreeKind::Item => "item",
        TreeKind::Theme => "theme",
    }
}

/// Parse and structurally validate a tree; 400 `request.invalid` with every
/// problem by path.
fn parse_input(body: Value) -> ApiResult<TreeInput> {
    let input: TreeInput = serde_json::from_value(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid",
            format!("情形引导格式不正确：{e}"),
        )
    })?;
    let mut fields = Map::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        fields.insert("name".into(), Value::from("名称须为 1–100 字"));
    }
    for problem in input.body.validate() {
        fields.insert(problem.path, Value::from(problem.message));
    }
    if fields.is_empty() {
        Ok(input)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "request.invalid",
            "情形引导配置有误",
        )
        .with_details(serde_json::json!({ "fields": fields })))
    }
}

async fn detail(state: &AppState, code: &str, version: Option<i64>) -> ApiResult<TreeDetail> {
    let tree = state
        .store
        .guidance_tree(code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let versions = state.store.guidance_tree_versions(code).await?;
    let wanted = version.unwrap_or(tree.latest_version);
    let shown = versions
        .iter()
        .find(|v| v.version == wanted)
        .ok_or_else(ApiError::not_found)?;
    let body = serde_json::from_str(&shown.body).map_err(ApiError::internal)?;
    Ok(TreeDetail {
        version: shown.version,
        body,
        versions: versions.iter().map(VersionView::from).collect(),
        tree: tree.into(),
    })
}

/// Create a tree (its first version is a draft).
#[utoipa::path(post, path = "/guidance/trees", tag = "guidance",
    request_body = TreeInput,
    responses((status = 201, body = TreeDetail), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 409, description = "`guidance.exists`", body = crate::error::ErrorBody)))]
pub async fn create_tree(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<TreeDetail>)> {
    caller.require(&state, WRITE).await?;
    let input = parse_input(body)?;
    let code = input.code.as_deref().map(str::trim).unwrap_or_default();
    if !govpulse_core::guidance::valid_code(code) {
        return Err(ApiError::invalid_field(
            "code",
            "编码须为 1–64 位字母、数字、- 或 _",
        ));
    }
    let body = serde_json::to_string(&input.body).map_err(ApiError::internal)?;
    let draft = TreeDraft {
        code,
        name: input.name.trim(),
        kind: kind_name(input.body.kind),
        body: &body,
        actor: &caller.username,
        now_ms: now_ms(),
    };
    let audit = caller.audit(
        "guidance.tree.create",
        "guidance_tree",
        code,
        serde_json::json!({ "name": draft.name }),
    );
    if !state.store.create_guidance_tree(&draft, &audit).await? {
        return Err(ApiError::conflict("guidance.exists", "编码已被使用"));
    }
    Ok((StatusCode::CREATED, Json(detail(&state, code, None).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version (default: the newest).
    #[param(minimum = 1)]
    pub version: Option<i64>,
}

/// A tree with the content of one version and its version history.
#[utoipa::path(get, path = "/guidance/trees/{code}", tag = "guidance",
    params(("code" = String, Path), VersionQuery),
    responses((status = 200, body = TreeDetail), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_tree(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<TreeDetail>> {
    caller.require(&state, READ).await?;
    Ok(Json(detail(&state, &code, q.version).await?))
}

/// Save the draft: the newest version when it is a draft, else a new version
/// (the published one keeps answering until this is published).
#[utoipa::path(put, path = "/guidance/trees/{code}", tag = "guidance",
    params(("code" = String, Path)),
    request_body(content = TreeInput, description = "as for create; `code` is taken from the path"),
    responses((status = 200, body = TreeDetail), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn put_tree(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<TreeDetail>> {
    caller.require(&state, WRITE).await?;
    let input = parse_input(body)?;
    let body = serde_json::to_string(&input.body).map_err(ApiError::internal)?;
    let draft = TreeDraft {
        code: &code,
        name: input.name.trim(),
        kind: kind_name(input.body.kind),
        body: &body,
        actor: &caller.username,
        now_ms: now_ms(),
    };
    let audit = caller.audit(
        "guidance.tree.update",
        "guidance_tree",
        &code,
        serde_json::json!({ "name": draft.name }),
    );
    state
        .store
        .save_guidance_draft(&draft, &audit)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(detail(&state, &code, None).await?))
}

/// The content of `code`'s newest version (or `version`).
async fn version_body(
    state: &AppState,
    code: &str,
    version: Option<i64>,
) -> ApiResult<(TreeRow, i64, TreeBody)> {
    let tree = state
        .store
        .guidance_tree(code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let wanted = version.unwrap_or(tree.latest_version);
    let row = state
        .store
        .guidance_tree_versions(code)
        .await?
        .into_iter()
        .find(|v| v.version == wanted)
        .ok_or_else(ApiError::not_found)?;
    let body: TreeBody = serde_json::from_str(&row.body).map_err(ApiError::internal)?;
    Ok((tree, wanted, body))
}

/// The coverage check of a version (default: the newest), as publishing runs it.
#[utoipa::path(get, path = "/guidance/trees/{code}/coverage", tag = "guidance",
    params(("code" = String, Path), VersionQuery),
    responses((status = 200, body = CoverageView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn tree_coverage(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> ApiResult<Json<CoverageView>> {
    caller.require(&state, READ).await?;
    let (_, _, body) = version_body(&state, &code, q.version).await?;
    let coverage = check_off_runtime(body).await?;
    Ok(Json(CoverageView {
        passes: coverage.passes(),
        coverage,
    }))
}

/// The coverage check walks up to 200,000 combinations: on a blocking
/// thread, so a large tree never stalls other requests.
async fn check_off_runtime(body: TreeBody) -> ApiResult<Coverage> {
    tokio::task::spawn_blocking(move || coverage::check(&body))
        .await
        .map_err(ApiError::internal)
}

/// The coverage check and whether it lets the version be published.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    #[serde(flatten)]
    pub coverage: Coverage,
    pub passes: bool,
}

fn coverage_json(coverage: &Coverage) -> Value {
    let mut value = serde_json::to_value(coverage).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("passes".into(), Value::Bool(coverage.passes()));
    }
    value
}

/// The materials `body` lets be missing at acceptance, per item.
pub fn tolerable_of(body: &TreeBody) -> Vec<TolerableMaterial> {
    body.materials
        .iter()
        .filter(|m| m.tolerable)
        .filter_map(|m| {
            m.item_code.as_ref().map(|item| TolerableMaterial {
                item_code: item.clone(),
                material_code: m.code.clone(),
                material_name: m.name.clone(),
            })
        })
        .collect()
}

/// Publish the newest draft. Refused with 400 `guidance.coverage` (details:
/// the coverage check with the offending combinations) when an answer
/// combination yields no material or a contradictory list, a question can be
/// left without an allowed option, or a material is reachable by no path.
#[utoipa::path(post, path = "/guidance/trees/{code}/publish", tag = "guidance",
    params(("code" = String, Path)),
    responses((status = 200, body = TreeDetail),
        (status = 400, description = "`guidance.coverage`", body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 409, description = "`guidance.nothing_to_publish`: the newest version is published already", body = crate::error::ErrorBody)))]
pub async fn publish_tree(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<TreeDetail>> {
    caller.require(&state, WRITE).await?;
    let (tree, version, body) = version_body(&state, &code, None).await?;
    if tree.published_version == Some(version) {
        return Err(ApiError::conflict(
            "guidance.nothing_to_publish",
            "最新版本已发布，没有待发布的草稿",
        ));
    }
    let coverage = check_off_runtime(body.clone()).await?;
    if !coverage.passes() {
        let refusal = caller
            .audit(
                "guidance.tree.publish",
                "guidance_tree",
                &code,
                serde_json::json!({ "version": version }),
            )
            .with_result(
                govpulse_core::audit::Outcome::Denied,
                serde_json::json!({ "version": version, "reason": "coverage" }),
            );
        state.store.audit(&refusal).await?;
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "guidance.coverage",
            "覆盖性检查未通过：存在材料清单为空或矛盾的回答组合、无可选项的问题或无法到达的材料",
        )
        .with_details(coverage_json(&coverage)));
    }
    let audit = caller.audit(
        "guidance.tree.publish",
        "guidance_tree",
        &code,
        serde_json::json!({ "version": version, "combinations": coverage.combinations }),
    );
    let published = state
        .store
        .publish_guidance_tree(
            &code,
            version,
            &tolerable_of(&body),
            &caller.username,
            &audit,
            now_ms(),
        )
        .await?;
    if !published {
        return Err(ApiError::conflict(
            "guidance.stale",
            "草稿已被他人修改或发布，请刷新后重试",
        ));
    }
    Ok(Json(detail(&state, &code, None).await?))
}
