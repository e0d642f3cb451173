//! The HTTP side of the one list mechanism (`govpulse_store::list`): every list
//! endpoint takes `page`, `size`, `sort` and `after` and answers a
//! [`ListResponse`] with `total`, `total_exact`, `items`, `next` and `partial`.

use crate::error::{ApiError, ApiResult};
use govpulse_store::list::{ListError, ListPage, ListRequest, ListSpec};
use serde::Serialize;

/// Largest page.
pub const MAX_SIZE: i64 = 500;
/// Page size when none is asked for.
pub const DEFAULT_SIZE: i64 = 20;

/// One page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListResponse<T> {
    /// Rows matching the filter: exact when `total_exact`, else a lower bound
    /// (counting stops at 10,000; the console shows 「10,000+」).
    pub total: i64,
    pub total_exact: bool,
    pub items: Vec<T>,
    /// Cursor of the next page (send it as `after`); null on the last page.
    pub next: Option<String>,
    /// True when the page stopped at its scan bound before it was full: a
    /// filter no index serves is checked over at most 2,000 rows per page, so
    /// fewer rows than `size` does not mean the end; follow `next`.
    pub partial: bool,
}

impl<T> ListResponse<T> {
    pub fn from_page<R>(page: ListPage<R>) -> Self
    where
        T: From<R>,
    {
        let page = page.map(T::from);
        Self {
            total: page.total,
            total_exact: page.total_exact,
            items: page.items,
            next: page.next,
            partial: page.partial,
        }
    }

    /// A page whose rows convert with `convert`, which may fail (a stored
    /// definition that no longer parses).
    pub fn try_from_page<R>(
        page: ListPage<R>,
        convert: impl Fn(&R) -> ApiResult<T>,
    ) -> ApiResult<Self> {
        Ok(Self {
            items: page
                .items
                .iter()
                .map(convert)
                .collect::<ApiResult<Vec<_>>>()?,
            total: page.total,
            total_exact: page.total_exact,
            next: page.next,
            partial: page.partial,
        })
    }
}

/// The query of a list with no filters of its own.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    pub size: Option<i64>,
    /// `field` or `-field` (descending); see the list's sortable fields.
    pub sort: Option<String>,
    /// Cursor of the previous page's `next`: keyset paging, `page` is then ignored.
    pub after: Option<String>,
}

/// The paging and sorting parameters of a list request, as received.
pub struct ListParams<'a> {
    pub page: Option<i64>,
    pub size: Option<i64>,
    pub sort: &'a Option<String>,
    pub after: &'a Option<String>,
}

impl ListParams<'_> {
    /// Validate against the list's spec: a size outside 1..=500, a page below 1,
    /// an unknown sort field or a foreign cursor is 400 `request.invalid`.
    pub fn request<T>(&self, spec: &'static ListSpec<T>) -> ApiResult<ListRequest<T>> {
        let size = self.size.unwrap_or(DEFAULT_SIZE);
        if !(1..=MAX_SIZE).contains(&size) {
            return Err(ApiError::invalid_field(
                "size",
                format!("每页条数须在 1 到 {MAX_SIZE} 之间"),
            ));
        }
        let page = self.page.unwrap_or(1);
        if page < 1 {
            return Err(ApiError::invalid_field("page", "页码须为正整数"));
        }
        let offset = (page - 1).saturating_mul(size);
        ListRequest::new(
            spec,
            self.sort.as_deref(),
            self.after.as_deref(),
            offset,
            size,
        )
        .map_err(list_error)
    }
}

fn list_error(err: ListError) -> ApiError {
    match err {
        ListError::UnknownSort { field, allowed } => ApiError::invalid_field(
            "sort",
            format!("不支持按 {field} 排序，可排序字段：{allowed}"),
        ),
        ListError::BadCursor => {
            ApiError::invalid_field("after", "翻页游标无效，请从第一页重新查询")
        }
    }
}

/// The [`ListParams`] of a query struct with `page`, `size`, `sort` and `after` fields.
#[macro_export]
macro_rules! list_params {
    ($q:expr) => {
        $crate::list::ListParams {
            page: $q.page,
            size: $q.size,
            sort: &$q.sort,
            after: &$q.after,
        }
    };
}
