//! The routes of the authorization matrix: how each is guarded and how to call
//! it against an object inside or outside a caller's scope.

use super::common::new_user;
use super::{Fixtures, Reach, Side};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
pub enum Route {
    Me,
    TotpSetup,
    Regions,
    ListDepartments,
    GetDepartment,
    CreateDepartment,
    UpdateDepartment,
    DeleteDepartment,
    ListUsers,
    GetUser,
    CreateUser,
    UpdateUser,
    DeleteUser,
    UnlockUser,
    ResetPassword,
    ListRoles,
    ListPermissions,
    CreateRole,
    UpdateRole,
    DeleteRole,
    GetPolicy,
    PutPolicy,
    ListTokens,
    CreateToken,
    RevokeToken,
    ListAudit,
    ExportAudit,
    VerifyAudit,
    ListItems,
    GetItem,
    PostItems,
    IssueCode,
    Intake,
    ListConsultations,
    ListCases,
    GetCase,
    RevealApplicant,
    ListEvaluations,
    Timeline,
    LinkingStats,
    ListSources,
    CreateSource,
    Reconciliation,
    ListWarnings,
    ExportWarnings,
    ListRules,
    RuleFields,
    CreateRule,
    Simulate,
    Messages,
    MessageSummary,
    CalendarYears,
    PutCalendarYear,
    DashboardOverview,
    Hotwords,
    GetDictionary,
    PutDictionary,
    DashboardExport,
    CreateExport,
    ListExports,
    GetExport,
    DownloadExport,
}

pub const ROUTES: &[Route] = &[
    Route::Me,
    Route::TotpSetup,
    Route::Regions,
    Route::ListDepartments,
    Route::GetDepartment,
    Route::CreateDepartment,
    Route::UpdateDepartment,
    Route::DeleteDepartment,
    Route::ListUsers,
    Route::GetUser,
    Route::CreateUser,
    Route::UpdateUser,
    Route::DeleteUser,
    Route::UnlockUser,
    Route::ResetPassword,
    Route::ListRoles,
    Route::ListPermissions,
    Route::CreateRole,
    Route::UpdateRole,
    Route::DeleteRole,
    Route::GetPolicy,
    Route::PutPolicy,
    Route::ListTokens,
    Route::CreateToken,
    Route::RevokeToken,
    Route::ListAudit,
    Route::ExportAudit,
    Route::VerifyAudit,
    Route::ListItems,
    Route::GetItem,
    Route::PostItems,
    Route::IssueCode,
    Route::Intake,
    Route::ListConsultations,
    Route::ListCases,
    Route::GetCase,
    Route::RevealApplicant,
    Route::ListEvaluations,
    Route::Timeline,
    Route::LinkingStats,
    Route::ListSources,
    Route::CreateSource,
    Route::Reconciliation,
    Route::ListWarnings,
    Route::ExportWarnings,
    Route::ListRules,
    Route::RuleFields,
    Route::CreateRule,
    Route::Simulate,
    Route::Messages,
    Route::MessageSummary,
    Route::CalendarYears,
    Route::PutCalendarYear,
    Route::DashboardOverview,
    Route::Hotwords,
    Route::GetDictionary,
    Route::PutDictionary,
    Route::DashboardExport,
    Route::CreateExport,
    Route::ListExports,
    Route::GetExport,
    Route::DownloadExport,
];

/// How a route is guarded.
pub struct Guard {
    /// Any of these permissions lets the caller in (empty: any signed-in caller).
    pub any_of: &'static [&'static str],
    /// Whether the route addresses a scoped object, and what an object outside
    /// the scope gets: 404 for an addressed object, 400 for a refused target.
    pub outside: Option<StatusCode>,
    pub success: StatusCode,
}

pub fn guard(route: Route) -> Guard {
    use Route::*;
    let (any_of, outside, success): (&'static [&'static str], Option<StatusCode>, StatusCode) =
        match route {
            Me => (&[], None, StatusCode::OK),
            // Open to every signed-in account; the matrix sends no password,
            // so the answer past authorisation is the missing-field refusal.
            TotpSetup => (&[], None, StatusCode::BAD_REQUEST),
            Regions | ListDepartments => (&["org:read"], None, StatusCode::OK),
            GetDepartment => (&["org:read"], Some(StatusCode::NOT_FOUND), StatusCode::OK),
            CreateDepartment => (
                &["org:write"],
                Some(StatusCode::BAD_REQUEST),
                StatusCode::CREATED,
            ),
            UpdateDepartment => (&["org:write"], Some(StatusCode::NOT_FOUND), StatusCode::OK),
            DeleteDepartment => (
                &["org:write"],
                Some(StatusCode::NOT_FOUND),
                StatusCode::NO_CONTENT,
            ),
            ListUsers => (&["user:read"], None, StatusCode::OK),
            GetUser => (&["user:read"], Some(StatusCode::NOT_FOUND), StatusCode::OK),
            CreateUser => (
                &["user:write"],
                Some(StatusCode::BAD_REQUEST),
                StatusCode::CREATED,
            ),
            UpdateUser => (&["user:write"], Some(StatusCode::NOT_FOUND), StatusCode::OK),
            DeleteUser => (
                &["user:write"],
                Some(StatusCode::NOT_FOUND),
                StatusCode::NO_CONTENT,
            ),
            UnlockUser => (
                &["user:write", "user:unlock"],
                Some(StatusCode::NOT_FOUND),
                StatusCode::NO_CONTENT,
            ),
            ResetPassword => (
                &["user:write"],
                Some(StatusCode::NOT_FOUND),
                StatusCode::NO_CONTENT,
            ),
            ListRoles | ListPermissions => (&["role:read", "user:write"], None, StatusCode::OK),
            CreateRole => (&["role:write"], None, StatusCode::CREATED),
            UpdateRole => (&["role:write"], None, StatusCode::OK),
            DeleteRole => (&["role:write"], None, StatusCode::NO_CONTENT),
            GetPolicy => (&["policy:read"], None, StatusCode::OK),
            PutPolicy => (&["policy:write"], None, StatusCode::OK),
            ListTokens => (&["token:manage"], None, StatusCode::OK),
            CreateToken => (&["token:manage"], None, StatusCode::CREATED),
            RevokeToken => (&["token:manage"], None, StatusCode::NO_CONTENT),
            ListAudit | VerifyAudit => (&["audit:read"], None, StatusCode::OK),
            ExportAudit => (&["audit:export"], None, StatusCode::OK),
            ListItems => (&["item:read"], None, StatusCode::OK),
            GetItem => (&["item:read"], Some(StatusCode::NOT_FOUND), StatusCode::OK),
            PostItems => (&["intake:write", "item:write"], None, StatusCode::OK),
            IssueCode | Intake => (&["intake:write"], None, StatusCode::OK),
            ListConsultations | ListCases | ListEvaluations | LinkingStats | Reconciliation => {
                (&["data:read"], None, StatusCode::OK)
            }
            GetCase | Timeline => (&["data:read"], Some(StatusCode::NOT_FOUND), StatusCode::OK),
            RevealApplicant => (
                &["identity:reveal"],
                Some(StatusCode::NOT_FOUND),
                StatusCode::OK,
            ),
            ListSources => (&["data:read", "source:write"], None, StatusCode::OK),
            CreateSource => (&["source:write"], None, StatusCode::CREATED),
            DashboardOverview | Hotwords | GetDictionary | DashboardExport => {
                (&["data:read"], None, StatusCode::OK)
            }
            PutDictionary => (&["config:write"], None, StatusCode::OK),
            ListWarnings | ExportWarnings | ListRules | RuleFields | Messages | MessageSummary => {
                (&["warning:read"], None, StatusCode::OK)
            }
            CreateRule => (&["rule:write"], None, StatusCode::CREATED),
            Simulate => (&["rule:write"], None, StatusCode::OK),
            CalendarYears => (&["org:read"], None, StatusCode::OK),
            PutCalendarYear => (&["calendar:write"], None, StatusCode::OK),
            CreateExport => (&["data:read"], None, StatusCode::ACCEPTED),
            ListExports => (&["data:read", "warning:read"], None, StatusCode::OK),
            // The job asked for is nobody's in the matrix: someone else's job
            // does not exist for anyone let in (the owner's view: tests/exports.rs).
            GetExport | DownloadExport => {
                (&["data:read", "warning:read"], None, StatusCode::NOT_FOUND)
            }
        };
    Guard {
        any_of,
        outside,
        success,
    }
}

/// Build the request for `route` against an object on `side` of `reach`.
/// `None` when no such object exists (a city-wide caller has no "outside").
pub async fn request(
    fx: &Fixtures,
    route: Route,
    reach: Reach,
    side: Side,
) -> Option<(Method, String, Option<Value>)> {
    use Route::*;
    let scoped = guard(route).outside.is_some();
    if !scoped && side == Side::Outside {
        return None;
    }
    let region = || reach.region(side);
    Some(match route {
        Me => (Method::GET, "/api/v1/me".into(), None),
        TotpSetup => (
            Method::POST,
            "/api/v1/auth/totp/setup".into(),
            Some(json!({})),
        ),
        Regions => (Method::GET, "/api/v1/regions".into(), None),
        ListDepartments => (Method::GET, "/api/v1/departments".into(), None),
        GetDepartment => (
            Method::GET,
            format!("/api/v1/departments/{}", reach.department(side)?),
            None,
        ),
        CreateDepartment => {
            let code = fx.unique("NEW-");
            (
                Method::POST,
                "/api/v1/departments".into(),
                Some(json!({ "code": code, "name": "新部门", "region_code": region()? })),
            )
        }
        UpdateDepartment => {
            let code = fx.department(region()?).await;
            (
                Method::PUT,
                format!("/api/v1/departments/{code}"),
                Some(json!({ "name": "改名部门", "region_code": region()? })),
            )
        }
        DeleteDepartment => (
            Method::DELETE,
            format!("/api/v1/departments/{}", fx.department(region()?).await),
            None,
        ),
        ListUsers => (Method::GET, "/api/v1/users".into(), None),
        GetUser => (
            Method::GET,
            format!("/api/v1/users/{}", fx.user(reach.user_scope(side)?).await),
            None,
        ),
        CreateUser => {
            let (kind, r, d) = reach.user_scope(side)?;
            (
                Method::POST,
                "/api/v1/users".into(),
                Some(new_user(&fx.unique("nu"), "city_operator", kind, r, d)),
            )
        }
        UpdateUser => {
            let scope = reach.user_scope(side)?;
            let id = fx.user(scope).await;
            let body = json!({ "display_name": "改名", "roles": ["city_operator"],
                "scope": { "kind": scope.0, "region_code": scope.1, "department_code": scope.2 } });
            (Method::PUT, format!("/api/v1/users/{id}"), Some(body))
        }
        DeleteUser => (
            Method::DELETE,
            format!("/api/v1/users/{}", fx.user(reach.user_scope(side)?).await),
            None,
        ),
        UnlockUser => (
            Method::POST,
            format!(
                "/api/v1/users/{}/unlock",
                fx.user(reach.user_scope(side)?).await
            ),
            Some(json!({})),
        ),
        ResetPassword => (
            Method::POST,
            format!(
                "/api/v1/users/{}/reset-password",
                fx.user(reach.user_scope(side)?).await
            ),
            Some(json!({ "password": "Reset#Passw0rd" })),
        ),
        ListRoles => (Method::GET, "/api/v1/roles".into(), None),
        ListPermissions => (Method::GET, "/api/v1/permissions".into(), None),
        CreateRole => (
            Method::POST,
            "/api/v1/roles".into(),
            Some(
                json!({ "code": fx.unique("nr_"), "name": "新角色", "permissions": ["org:read"] }),
            ),
        ),
        UpdateRole => (
            Method::PUT,
            format!("/api/v1/roles/{}", fx.role().await),
            Some(json!({ "name": "改名角色", "permissions": ["org:read"] })),
        ),
        DeleteRole => (
            Method::DELETE,
            format!("/api/v1/roles/{}", fx.role().await),
            None,
        ),
        GetPolicy => (Method::GET, "/api/v1/security/policy".into(), None),
        PutPolicy => (
            Method::PUT,
            "/api/v1/security/policy".into(),
            Some(
                json!({ "password_min_length": 10, "lockout_threshold": 5, "lockout_minutes": 15, "idle_timeout_minutes": 30 }),
            ),
        ),
        ListTokens => (Method::GET, "/api/v1/tokens".into(), None),
        CreateToken => (
            Method::POST,
            "/api/v1/tokens".into(),
            Some(json!({ "name": "matrix-new", "scope": "intake" })),
        ),
        RevokeToken => (
            Method::DELETE,
            format!("/api/v1/tokens/{}", fx.token().await),
            None,
        ),
        ListAudit => (Method::GET, "/api/v1/audit".into(), None),
        ExportAudit => (Method::GET, "/api/v1/audit/export?format=csv".into(), None),
        VerifyAudit => (Method::GET, "/api/v1/audit/verify".into(), None),
        ListItems => (Method::GET, "/api/v1/items".into(), None),
        GetItem => (
            Method::GET,
            format!("/api/v1/items/{}", reach.case(side)?.1),
            None,
        ),
        PostItems => (Method::POST, "/api/v1/items".into(), Some(json!([]))),
        IssueCode => (
            Method::POST,
            "/api/v1/consultations/codes".into(),
            Some(
                json!({ "channel": "online", "region_code": "110105", "request_id": fx.unique("rq") }),
            ),
        ),
        Intake => (Method::POST, "/api/v1/intake/cases".into(), Some(json!([]))),
        ListConsultations => (Method::GET, "/api/v1/consultations".into(), None),
        ListCases => (Method::GET, "/api/v1/cases".into(), None),
        GetCase => (
            Method::GET,
            format!("/api/v1/cases/{}", reach.case(side)?.0),
            None,
        ),
        RevealApplicant => (
            Method::POST,
            format!("/api/v1/cases/{}/reveal", reach.case(side)?.0),
            Some(json!({})),
        ),
        ListEvaluations => (Method::GET, "/api/v1/evaluations".into(), None),
        Timeline => (
            Method::GET,
            format!(
                "/api/v1/applicants/{}/timeline",
                fx.applicant_keys[reach.case(side)?.0]
            ),
            None,
        ),
        LinkingStats => (Method::GET, "/api/v1/linking/stats".into(), None),
        ListSources => (Method::GET, "/api/v1/sources".into(), None),
        CreateSource => (
            Method::POST,
            "/api/v1/sources".into(),
            Some(json!({ "code": fx.unique("src-"), "name": "矩阵来源", "kinds": ["cases"] })),
        ),
        Reconciliation => (Method::GET, "/api/v1/reconciliation".into(), None),
        ListWarnings => (Method::GET, "/api/v1/warnings".into(), None),
        ExportWarnings => (
            Method::GET,
            "/api/v1/warnings/export?format=csv".into(),
            None,
        ),
        ListRules => (Method::GET, "/api/v1/warning-rules".into(), None),
        RuleFields => (Method::GET, "/api/v1/warning-rules/fields".into(), None),
        CreateRule => (
            Method::POST,
            "/api/v1/warning-rules".into(),
            Some(matrix_rule(&fx.unique("mx_"))),
        ),
        Simulate => (
            Method::POST,
            "/api/v1/warning-rules/simulate".into(),
            Some(
                json!({ "rule": matrix_rule("mx_sim"), "from": "2024-01-01", "to": "2024-01-31" }),
            ),
        ),
        Messages => (Method::GET, "/api/v1/messages".into(), None),
        MessageSummary => (Method::GET, "/api/v1/messages/summary".into(), None),
        CalendarYears => (Method::GET, "/api/v1/calendar/years".into(), None),
        DashboardOverview => (Method::GET, "/api/v1/dashboard/overview".into(), None),
        Hotwords => (Method::GET, "/api/v1/dashboard/hotwords".into(), None),
        GetDictionary => (Method::GET, "/api/v1/dashboard/dictionary".into(), None),
        PutDictionary => (
            Method::PUT,
            "/api/v1/dashboard/dictionary".into(),
            Some(json!({ "words": ["矩阵热词"] })),
        ),
        DashboardExport => (
            Method::GET,
            "/api/v1/dashboard/export?format=csv&table=by_region".into(),
            None,
        ),
        PutCalendarYear => (
            Method::PUT,
            "/api/v1/calendar/years/2031".into(),
            Some(
                json!({ "days": [{ "date": "2031-10-01", "name": "国庆节", "is_off_day": true }] }),
            ),
        ),
        CreateExport => (
            Method::POST,
            "/api/v1/exports".into(),
            Some(json!({ "source": "cases", "format": "csv", "filters": { "region": region() } })),
        ),
        ListExports => (Method::GET, "/api/v1/exports".into(), None),
        GetExport => (
            Method::GET,
            format!("/api/v1/exports/{}", strangers_export(fx).await),
            None,
        ),
        DownloadExport => (
            Method::GET,
            format!("/api/v1/exports/{}/download", strangers_export(fx).await),
            None,
        ),
    })
}

/// A finished-or-not export job of a user outside the matrix's accounts (one per app).
async fn strangers_export(fx: &Fixtures) -> i64 {
    static JOBS: std::sync::Mutex<Vec<(String, i64)>> = std::sync::Mutex::new(Vec::new());
    let base = fx.admin.base.clone();
    if let Some((_, id)) = JOBS.lock().unwrap().iter().find(|(b, _)| *b == base) {
        return *id;
    }
    let name = fx.unique("mxexp");
    let body = new_user(&name, "city_operator", "region", Some("110105"), None);
    super::common::create_user(&fx.admin, body).await;
    let mut stranger = super::common::Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap(),
        base: base.clone(),
        csrf: None,
        cookie: None,
    };
    let (status, body) = stranger.login(&name, "Init#Passw0rd").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = stranger
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": "Init#Passw0rd", "new_password": "Next#Passw0rd1" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, job) = stranger
        .post("/api/v1/exports", json!({ "source": "cases" }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_i64().unwrap();
    JOBS.lock().unwrap().push((base, id));
    id
}

/// A small valid warning rule.
fn matrix_rule(code: &str) -> Value {
    json!({
        "code": code, "name": "矩阵规则", "stage": "acceptance", "type": "custom",
        "levels": [{ "key": "yellow", "name": "黄灯", "colour": "#E6A23C", "handling_hours": 24,
                     "template": "{{办件编号}}", "condition": { "field": "overdue", "op": "eq", "value": true } }]
    })
}
