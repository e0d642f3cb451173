//! The three-level complaint classification (投诉分类) operators maintain.

use super::orders::READ;
use crate::error::{ApiError, ApiResult};
use crate::extract::{required_text, ApiJson};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use govpulse_core::time::now_ms;
use govpulse_store::workorders::ComplaintClassRow;
use govpulse_store::Store;
use serde::{Deserialize, Serialize};

/// Deepest level of the classification.
pub const MAX_LEVEL: i32 = 3;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintClassView {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    /// 1, 2 or 3.
    pub level: i32,
}

impl From<ComplaintClassRow> for ComplaintClassView {
    fn from(row: ComplaintClassRow) -> Self {
        Self {
            code: row.code,
            name: row.name,
            parent_code: row.parent_code,
            level: row.level,
        }
    }
}

/// Every complaint class (parents before children).
#[utoipa::path(get, path = "/complaint-classes", tag = "workorders",
    responses((status = 200, body = Vec<ComplaintClassView>), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_classes(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ComplaintClassView>>> {
    caller.require(&state, READ).await?;
    let rows = state.store.complaint_classes().await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassRequest {
    #[schema(min_length = 1, max_length = 50, pattern = "\\S")]
    pub name: String,
    /// The parent class (none for a first-level class).
    pub parent_code: Option<String>,
}

/// The class a request describes (its level from its parent's).
async fn class_of(store: &Store, code: &str, req: &ClassRequest) -> ApiResult<ComplaintClassRow> {
    let name = required_text("name", &req.name, 50, "名称须为 1–50 个字符")?;
    if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::invalid_field(
            "code",
            "编码须为 1–32 位字母或数字",
        ));
    }
    let level = match &req.parent_code {
        None => 1,
        Some(parent) => {
            let classes = store.complaint_classes().await?;
            let parent = classes
                .iter()
                .find(|c| &c.code == parent)
                .ok_or_else(|| ApiError::invalid_field("parent_code", "上级分类不存在"))?;
            if parent.level >= MAX_LEVEL {
                return Err(ApiError::invalid_field("parent_code", "分类最多三级"));
            }
            parent.level + 1
        }
    };
    Ok(ComplaintClassRow {
        code: code.to_string(),
        name: name.to_string(),
        parent_code: req.parent_code.clone(),
        level,
    })
}

/// Create or rename a complaint class.
#[utoipa::path(put, path = "/complaint-classes/{code}", tag = "workorders",
    params(("code" = String, Path, description = "Class code (letters and digits)")), request_body = ClassRequest,
    responses((status = 200, body = ComplaintClassView), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn put_class(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    ApiJson(req): ApiJson<ClassRequest>,
) -> ApiResult<Json<ComplaintClassView>> {
    caller.require(&state, "workorder:operate").await?;
    let class = class_of(&state.store, &code, &req).await?;
    let audit = caller.audit(
        "complaint_class.put",
        "complaint_class",
        &code,
        serde_json::json!({ "name": class.name }),
    );
    state
        .store
        .put_complaint_class(&class, &audit, now_ms())
        .await?;
    Ok(Json(class.into()))
}

/// The classification every installation starts with (operators extend it).
pub const DEFAULT_CLASSES: &[(&str, &str, Option<&str>)] = &[
    ("A", "政务服务", None),
    ("A01", "办事效率", Some("A")),
    ("A0101", "办理超时", Some("A01")),
    ("A0102", "多次跑动", Some("A01")),
    ("A02", "服务态度", Some("A")),
    ("A0201", "态度生硬", Some("A02")),
    ("A0202", "推诿扯皮", Some("A02")),
    ("B", "营商环境", None),
    ("B01", "市场准入", Some("B")),
    ("B0101", "登记注册", Some("B01")),
    ("B0102", "许可审批", Some("B01")),
    ("B02", "涉企检查", Some("B")),
    ("B0201", "重复检查", Some("B02")),
    ("C", "民生保障", None),
    ("C01", "社会保障", Some("C")),
    ("C0101", "社保缴费", Some("C01")),
    ("C0102", "医保报销", Some("C01")),
];

/// Create the default classes that do not exist yet.
pub async fn seed_classes(store: &Store) -> anyhow::Result<()> {
    let existing = store.complaint_classes().await?;
    for (code, name, parent) in DEFAULT_CLASSES {
        if existing.iter().any(|c| c.code == *code) {
            continue;
        }
        let req = ClassRequest {
            name: name.to_string(),
            parent_code: parent.map(String::from),
        };
        let class = class_of(store, code, &req)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let audit =
            crate::seed::system_record("complaint_class.put", serde_json::json!({ "code": code }));
        store.put_complaint_class(&class, &audit, now_ms()).await?;
    }
    Ok(())
}
