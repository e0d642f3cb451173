//! The public, unauthenticated side (GUIDE-2): a published tree's questions
//! and answering it — rate-limited per client address — and the
//! verification of answer tokens by application systems (authenticated).

use super::READ;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::identity::caller::{Caller, ClientIp};
use crate::list::{ListResponse, PageQuery};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use govpulse_core::guidance::answer::{evaluate, AnswerError, Answers, MaterialLine};
use govpulse_core::guidance::token::{self, Claims, DEFAULT_TTL_MS};
use govpulse_core::guidance::{ItemDef, TreeBody};
use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_store::guidance::{TreeFilter, TreeRow, TreeVersionRow, TREE_LIST};
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn limit(state: &AppState, ip: &str) -> ApiResult<()> {
    let addr = ip.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    if state.public_limiter.allow(addr) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "guidance.rate_limited",
            "请求过于频繁，请稍后再试",
        ))
    }
}

async fn published(state: &AppState, code: &str) -> ApiResult<(TreeVersionRow, TreeBody)> {
    let row = state
        .store
        .published_guidance_tree(code)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = serde_json::from_str(&row.body).map_err(ApiError::internal)?;
    Ok((row, body))
}

/// One answerable tree of the public index.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicTreeItem {
    pub code: String,
    pub name: String,
    /// item | theme
    pub kind: String,
}

impl From<TreeRow> for PublicTreeItem {
    fn from(row: TreeRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            kind: row.kind,
        }
    }
}

/// The trees that can be answered (no login, rate-limited), by name.
#[utoipa::path(get, path = "/public/guidance", tag = "guidance", params(PageQuery),
    responses((status = 200, body = ListResponse<PublicTreeItem>), (status = 400, body = crate::error::ErrorBody),
        (status = 429, description = "`guidance.rate_limited`", body = crate::error::ErrorBody)))]
pub async fn public_trees(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListResponse<PublicTreeItem>>> {
    limit(&state, &ip)?;
    let filter = TreeFilter {
        answerable: true,
        ..TreeFilter::default()
    };
    let mut q = q;
    q.sort = q.sort.or_else(|| Some("name".into()));
    let request = crate::list_params!(q).request(&TREE_LIST)?;
    Ok(Json(ListResponse::from_page(
        state.store.list_guidance_trees(&filter, &request).await?,
    )))
}

/// A published tree as the answering page needs it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicTree {
    pub code: String,
    pub name: String,
    pub version: i64,
    #[schema(value_type = govpulse_core::guidance::TreeBody)]
    pub body: Value,
}

/// The published version of a tree (no login; 404 when none is published).
#[utoipa::path(get, path = "/public/guidance/{code}", tag = "guidance",
    params(("code" = String, Path)),
    responses((status = 200, body = PublicTree), (status = 404, body = crate::error::ErrorBody),
        (status = 429, description = "`guidance.rate_limited`", body = crate::error::ErrorBody)))]
pub async fn public_tree(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> ApiResult<Json<PublicTree>> {
    limit(&state, &ip)?;
    let (row, body) = published(&state, &code).await?;
    Ok(Json(PublicTree {
        code: row.tree_code,
        name: row.name,
        version: row.version,
        body: serde_json::to_value(body).map_err(ApiError::internal)?,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerRequest {
    /// `{question_code: option_code | [option_code, …]}`
    pub answers: std::collections::BTreeMap<String, AnswerOptions>,
}

/// The option (or, for a multiple-choice question, the options) chosen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AnswerOptions {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MaterialView {
    pub code: String,
    pub name: String,
    pub copies: u32,
    /// The original must be shown.
    pub original: bool,
    pub required: bool,
    pub item_code: Option<String>,
    /// May be missing at acceptance against a signed commitment (容缺).
    pub tolerable: bool,
}

impl From<MaterialLine> for MaterialView {
    fn from(m: MaterialLine) -> Self {
        Self {
            code: m.code,
            name: m.name,
            copies: m.copies,
            original: m.original,
            required: m.required,
            item_code: m.item_code,
            tolerable: m.tolerable,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = GuidanceItemView)]
pub struct ItemView {
    pub code: String,
    pub name: String,
    pub department: Option<String>,
    /// Promised time limit in working days (0: on the spot).
    pub promised_days: u32,
}

impl From<ItemDef> for ItemView {
    fn from(i: ItemDef) -> Self {
        Self {
            code: i.code,
            name: i.name,
            department: i.department,
            promised_days: i.promised_days,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerResponse {
    pub tree: String,
    pub version: i64,
    /// The canonical answer path (`q1=a;q2=b+c`).
    pub path: String,
    pub materials: Vec<MaterialView>,
    pub items: Vec<ItemView>,
    pub notices: Vec<String>,
    /// Signed, expiring token carrying the answers for the application page
    /// (`POST /guidance/tokens/verify`).
    pub token: String,
    pub token_expires_at: String,
}

fn parse_answers(raw: std::collections::BTreeMap<String, AnswerOptions>) -> Answers {
    raw.into_iter()
        .map(|(question, chosen)| {
            let options = match chosen {
                AnswerOptions::One(option) => vec![option],
                AnswerOptions::Many(options) => options,
            };
            (question, options)
        })
        .collect()
}

fn option_label(tree: &TreeBody, question: &str, option: &str) -> String {
    tree.question(question)
        .and_then(|q| q.options.iter().find(|o| o.code == option))
        .map_or_else(|| option.to_string(), |o| o.label.clone())
}

fn refusal(tree: &TreeBody, err: AnswerError) -> ApiError {
    let bad = |code: &str, message: String, details: Value| {
        ApiError::new(StatusCode::BAD_REQUEST, code, message).with_details(details)
    };
    match err {
        AnswerError::Exclusive(options) => {
            let labels: Vec<String> = options
                .iter()
                .map(|r| option_label(tree, &r.question, &r.option))
                .collect();
            bad(
                "guidance.exclusive",
                format!("以下选项不能同时选择：{}", labels.join("、")),
                serde_json::json!({
                    "options": options.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "labels": labels,
                }),
            )
        }
        AnswerError::UnknownQuestion(q) => bad(
            "guidance.unknown_answer",
            format!("问题 {q} 不存在"),
            serde_json::json!({ "question": q }),
        ),
        AnswerError::UnknownOption(r) => bad(
            "guidance.unknown_answer",
            format!("问题 {} 没有选项 {}", r.question, r.option),
            serde_json::json!({ "question": r.question, "option": r.option }),
        ),
        AnswerError::NotApplicable(q) => bad(
            "guidance.not_applicable",
            format!("根据已选答案，问题 {q} 无需回答"),
            serde_json::json!({ "question": q }),
        ),
        AnswerError::Incomplete(questions) => bad(
            "guidance.incomplete",
            format!("还有问题未回答：{}", questions.join("、")),
            serde_json::json!({ "questions": questions }),
        ),
        AnswerError::OneOption(q) => {
            ApiError::invalid_field(&format!("answers.{q}"), "该问题只能选择一个选项")
        }
        AnswerError::NoOption(q) => {
            ApiError::invalid_field(&format!("answers.{q}"), "请至少选择一个选项")
        }
    }
}

/// Answer a published tree (no login, rate-limited): the de-duplicated
/// materials list, the items involved with their promised time limits, the
/// notices and a signed token of the answers for the application page.
#[utoipa::path(post, path = "/public/guidance/{code}/answer", tag = "guidance",
    params(("code" = String, Path)), request_body = AnswerRequest,
    responses((status = 200, body = AnswerResponse),
        (status = 400, description = "`guidance.exclusive` (details.options names them), `guidance.incomplete`, \
            `guidance.not_applicable`, `guidance.unknown_answer`, `request.invalid`", body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody),
        (status = 429, description = "`guidance.rate_limited`", body = crate::error::ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> ApiResult<Json<AnswerResponse>> {
    limit(&state, &ip)?;
    let (row, tree) = published(&state, &code).await?;
    let answers = parse_answers(request.answers);
    let outcome = evaluate(&tree, &answers).map_err(|e| refusal(&tree, e))?;
    let now = now_ms();
    state
        .store
        .record_guidance_answer(&row.tree_code, row.version, &outcome.path, now)
        .await?;
    let claims = Claims {
        tree: row.tree_code.clone(),
        version: row.version,
        path: outcome.path.clone(),
        answers,
        materials: outcome.materials.iter().map(|m| m.code.clone()).collect(),
        items: outcome.items.iter().map(|i| i.code.clone()).collect(),
        issued_at: now,
        expires_at: now + DEFAULT_TTL_MS,
    };
    let token = token::sign(&state.vault.guidance_token_key(), &claims);
    Ok(Json(AnswerResponse {
        tree: row.tree_code,
        version: row.version,
        path: outcome.path,
        materials: outcome.materials.into_iter().map(Into::into).collect(),
        items: outcome.items.into_iter().map(Into::into).collect(),
        notices: outcome.notices,
        token,
        token_expires_at: to_rfc3339(claims.expires_at),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerifyRequest {
    pub token: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyResponse {
    pub valid: bool,
    /// malformed | bad_signature | expired (when not valid)
    pub reason: Option<String>,
    /// The token's claims when valid: `{tree, version, path, answers, materials, items, issued_at, expires_at}`.
    #[schema(value_type = Option<Object>)]
    pub claims: Option<Value>,
}

/// Verify an answer token (application systems: a Bearer token with `guidance:read`).
#[utoipa::path(post, path = "/guidance/tokens/verify", tag = "guidance", request_body = VerifyRequest,
    responses((status = 200, body = VerifyResponse), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn verify_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<VerifyRequest>,
) -> ApiResult<Json<VerifyResponse>> {
    caller.require(&state, READ).await?;
    if request.token.len() > 16 * 1024 {
        return Err(ApiError::invalid_field("token", "令牌过长"));
    }
    Ok(Json(
        match token::verify(&state.vault.guidance_token_key(), &request.token, now_ms()) {
            Ok(claims) => VerifyResponse {
                valid: true,
                reason: None,
                claims: Some(claims_json(&claims)),
            },
            Err(err) => VerifyResponse {
                valid: false,
                reason: Some(err.code().to_string()),
                claims: None,
            },
        },
    ))
}

fn claims_json(claims: &Claims) -> Value {
    serde_json::json!({
        "tree": claims.tree, "version": claims.version, "path": claims.path, "answers": claims.answers,
        "materials": claims.materials, "items": claims.items,
        "issued_at": to_rfc3339(claims.issued_at), "expires_at": to_rfc3339(claims.expires_at),
    })
}
