//! The authorization matrix (SEC-2): every route × every role × an object in
//! the caller's scope and one outside it. Each cell's expected answer follows
//! from two facts — does the role hold the permission, is the object in scope —
//! so a missing check anywhere shows up as a wrong status.

mod common;

use common::{create_user, new_user, Client, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Where an account's data scope lies.
#[derive(Clone, Copy)]
enum Reach {
    City,
    Region(&'static str),
    Department(&'static str, &'static str),
}

struct Account {
    username: &'static str,
    password: &'static str,
    permissions: &'static [&'static str],
    reach: Reach,
}

const SYS: &[&str] = &[
    "org:read",
    "org:write",
    "user:read",
    "user:write",
    "token:manage",
    "config:write",
    "item:read",
    "item:write",
    "source:write",
    "data:read",
];
/// District operators and department users.
const OPERATOR: &[&str] = &["org:read", "item:read", "data:read"];
const SEC: &[&str] = &[
    "org:read",
    "user:read",
    "user:unlock",
    "role:read",
    "role:write",
    "policy:read",
    "policy:write",
];

const ACCOUNTS: &[Account] = &[
    Account {
        username: "admin",
        password: "Admin@12345",
        permissions: SYS,
        reach: Reach::City,
    },
    Account {
        username: "secadmin",
        password: "Sec@123456",
        permissions: SEC,
        reach: Reach::City,
    },
    Account {
        username: "auditor",
        password: "Audit@12345",
        permissions: &["audit:read", "audit:export"],
        reach: Reach::City,
    },
    Account {
        username: "city",
        password: "City@12345",
        permissions: &[
            "org:read",
            "item:read",
            "data:read",
            "intake:write",
            "identity:reveal",
        ],
        reach: Reach::City,
    },
    Account {
        username: "chaoyang",
        password: "Chaoyang@123",
        permissions: OPERATOR,
        reach: Reach::Region("110105"),
    },
    Account {
        username: "haidian",
        password: "Haidian@123",
        permissions: OPERATOR,
        reach: Reach::Region("110108"),
    },
    Account {
        username: "dept",
        password: "Dept@123456",
        permissions: OPERATOR,
        reach: Reach::Department("110000D024", "110000"),
    },
    // A district-level system admin, created by the test: admin rights, district scope.
    Account {
        username: "cyadmin",
        password: "Init#Passw0rd",
        permissions: SYS,
        reach: Reach::Region("110105"),
    },
];

/// An object of some kind inside, or outside, an account's reach.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Side {
    Inside,
    Outside,
}

impl Reach {
    /// A region inside / outside the reach (None when nothing is outside).
    fn region(self, side: Side) -> Option<&'static str> {
        match (self, side) {
            (Reach::City, Side::Inside) => Some("110108"),
            (Reach::City, Side::Outside) => None,
            (Reach::Region(r), Side::Inside) => Some(r),
            (Reach::Region(r), Side::Outside) => {
                Some(if r == "110105" { "110108" } else { "110105" })
            }
            (Reach::Department(_, region), Side::Inside) => Some(region),
            (Reach::Department(..), Side::Outside) => Some("110105"),
        }
    }

    /// A seeded department inside / outside the reach.
    fn department(self, side: Side) -> Option<&'static str> {
        match (self, side) {
            (Reach::Department(code, _), Side::Inside) => Some(code),
            (Reach::Department(..), Side::Outside) => Some("110000D001"),
            (reach, side) => reach.region(side).map(|r| match r {
                "110105" => "110105D001",
                "110108" => "110108D001",
                _ => "110000D001",
            }),
        }
    }

    /// A fixture case (and its item) inside / outside the reach.
    fn case(self, side: Side) -> Option<(&'static str, &'static str)> {
        match (self, side) {
            (Reach::Department(..), Side::Inside) => Some(("MX-DEPT", "MX-I-DEPT")),
            (Reach::Department(..), Side::Outside) => Some(("MX-CY", "MX-I-CY")),
            (reach, side) => reach.region(side).map(|r| match r {
                "110105" => ("MX-CY", "MX-I-CY"),
                _ => ("MX-HD", "MX-I-HD"),
            }),
        }
    }

    /// A user scope inside / outside the reach, for fixture accounts.
    fn user_scope(
        self,
        side: Side,
    ) -> Option<(&'static str, Option<&'static str>, Option<&'static str>)> {
        match (self, side) {
            (Reach::Department(code, _), Side::Inside) => Some(("department", None, Some(code))),
            (reach, side) => reach.region(side).map(|r| ("region", Some(r), None)),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Route {
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
}

const ROUTES: &[Route] = &[
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
];

/// How a route is guarded.
struct Guard {
    /// Any of these permissions lets the caller in (empty: any signed-in caller).
    any_of: &'static [&'static str],
    /// Whether the route addresses a scoped object, and what an object outside
    /// the scope gets: 404 for an addressed object, 400 for a refused target.
    outside: Option<StatusCode>,
    success: StatusCode,
}

fn guard(route: Route) -> Guard {
    use Route::*;
    let (any_of, outside, success): (&'static [&'static str], Option<StatusCode>, StatusCode) =
        match route {
            Me | TotpSetup => (&[], None, StatusCode::OK),
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
        };
    Guard {
        any_of,
        outside,
        success,
    }
}

struct Fixtures {
    admin: Client,
    sec: Client,
    counter: std::cell::Cell<u32>,
    /// Applicant key of each fixture case.
    applicant_keys: HashMap<&'static str, String>,
}

/// Items and cases in 朝阳区, 海淀区 and of the demo department (each case by
/// its own applicant, so timelines are scoped like cases).
async fn data_fixtures(admin: &Client, city: &Client) -> HashMap<&'static str, String> {
    let fixtures = [
        (
            "MX-CY",
            "MX-I-CY",
            "110105",
            "110105D007",
            "11010519491231002X",
        ),
        (
            "MX-HD",
            "MX-I-HD",
            "110108",
            "110108D007",
            "110108199003074519",
        ),
        (
            "MX-DEPT",
            "MX-I-DEPT",
            "110105",
            "110000D024",
            "91350100M000100Y43",
        ),
    ];
    let items: Vec<Value> = fixtures
        .iter()
        .map(|(_, item, region, dept, _)| json!({
            "item_code": item, "name": "矩阵事项", "item_type_code": "01", "department_code": dept,
            "region_code": if *dept == "110000D024" { "110000" } else { region }, "promised_limit": 5,
            "legal_limit": 10, "valid_from": "2015-01-01"
        }))
        .collect();
    let (status, report) = admin.post("/api/v1/items", Value::Array(items)).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(3)),
        "{report}"
    );
    let cases: Vec<Value> = fixtures
        .iter()
        .map(|(case, item, region, dept, applicant)| json!({
            "case_code": case, "item_code": item, "applicant_type": if applicant.starts_with("91") { "org" } else { "person" },
            "applicant_id": applicant, "applicant_name": "矩阵", "region_code": region, "department_code": dept,
            "channel": "online", "submitted_at": "2026-03-02T09:00:00+08:00"
        }))
        .collect();
    let (status, report) = city.post("/api/v1/intake/cases", Value::Array(cases)).await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(3)),
        "{report}"
    );
    let mut keys = HashMap::new();
    for (case, ..) in fixtures {
        let (_, detail) = city.get(&format!("/api/v1/cases/{case}")).await;
        keys.insert(case, detail["applicant_key"].as_str().unwrap().to_string());
    }
    keys
}

impl Fixtures {
    fn unique(&self, prefix: &str) -> String {
        self.counter.set(self.counter.get() + 1);
        format!("{prefix}{}", self.counter.get())
    }

    /// A fresh department in `region` (so destructive routes never eat fixtures).
    async fn department(&self, region: &str) -> String {
        let code = self.unique("TD-");
        let (status, body) = self
            .admin
            .post(
                "/api/v1/departments",
                json!({ "code": code, "name": "矩阵测试部门", "region_code": region }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        code
    }

    async fn user(&self, scope: (&str, Option<&str>, Option<&str>)) -> String {
        let name = self.unique("mx");
        create_user(
            &self.admin,
            new_user(&name, "city_operator", scope.0, scope.1, scope.2),
        )
        .await
        .to_string()
    }

    async fn role(&self) -> String {
        let code = self.unique("mx_role_");
        let (status, body) = self
            .sec
            .post(
                "/api/v1/roles",
                json!({ "code": code, "name": "矩阵角色", "permissions": ["org:read"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        code
    }

    async fn token(&self) -> String {
        let (status, body) = self
            .admin
            .post(
                "/api/v1/tokens",
                json!({ "name": "matrix", "scope": "intake" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].to_string()
    }
}

/// Build the request for `route` against an object on `side` of `reach`.
/// `None` when no such object exists (a city-wide caller has no "outside").
async fn request(
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
    })
}

fn expected(account: Option<&Account>, route: Route, side: Side) -> StatusCode {
    let guard = guard(route);
    let Some(account) = account else {
        return StatusCode::UNAUTHORIZED;
    };
    let allowed =
        guard.any_of.is_empty() || guard.any_of.iter().any(|p| account.permissions.contains(p));
    match (allowed, side, guard.outside) {
        (false, _, _) => StatusCode::FORBIDDEN,
        (true, Side::Outside, Some(outside)) => outside,
        _ => guard.success,
    }
}

#[tokio::test]
async fn every_route_every_role_in_and_out_of_scope() {
    for app in TestApp::all().await {
        let admin = app.admin().await;
        // The district-level admin of the matrix, with its initial password changed.
        let mut body = new_user("cyadmin", "sys_admin", "region", Some("110105"), None);
        body["password"] = json!("Start#Passw0rd");
        create_user(&admin, body).await;
        let first = app.login("cyadmin", "Start#Passw0rd").await;
        let (status, _) = first
            .post(
                "/api/v1/auth/password",
                json!({ "old_password": "Start#Passw0rd", "new_password": "Init#Passw0rd" }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        let city = app.login("city", "City@12345").await;
        let applicant_keys = data_fixtures(&admin, &city).await;
        let fx = Fixtures {
            admin,
            sec: app.login("secadmin", "Sec@123456").await,
            counter: Default::default(),
            applicant_keys,
        };
        let mut clients: HashMap<&str, Client> = HashMap::new();
        for account in ACCOUNTS {
            clients.insert(
                account.username,
                app.login(account.username, account.password).await,
            );
        }
        let anonymous = app.anonymous();

        let mut failures = Vec::new();
        let mut cells = 0;
        for &route in ROUTES {
            let callers = ACCOUNTS.iter().map(Some).chain(std::iter::once(None));
            for account in callers {
                let reach = account.map(|a| a.reach).unwrap_or(Reach::City);
                for side in [Side::Inside, Side::Outside] {
                    let Some((method, path, body)) = request(&fx, route, reach, side).await else {
                        continue;
                    };
                    let client = account.map(|a| &clients[a.username]).unwrap_or(&anonymous);
                    let (status, answer) = client.send(method.clone(), &path, body).await;
                    let want = expected(account, route, side);
                    cells += 1;
                    if status != want {
                        failures.push(format!(
                            "{route:?} as {} ({side:?}) {method} {path}: got {status}, want {want}: {answer}",
                            account.map(|a| a.username).unwrap_or("anonymous")
                        ));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{}: {} of {cells} cells wrong:\n{}",
            app.label(),
            failures.len(),
            failures.join("\n")
        );
        assert!(cells >= 400, "the matrix walked {cells} cells");
        app.cleanup().await;
    }
}

#[tokio::test]
async fn lists_only_show_what_is_in_scope() {
    for app in TestApp::all().await {
        let chaoyang = app.login("chaoyang", "Chaoyang@123").await;
        let (_, depts) = chaoyang.get("/api/v1/departments?size=500").await;
        let items = depts["items"].as_array().unwrap();
        assert_eq!(depts["total"], 12, "{}", app.label());
        assert!(items
            .iter()
            .all(|d| d["region_code"].as_str().unwrap().starts_with("110105")));
        // Asking for another district explicitly still yields nothing.
        let (_, other) = chaoyang.get("/api/v1/departments?region=110108").await;
        assert_eq!(other["total"], 0);
        let (_, regions) = chaoyang.get("/api/v1/regions").await;
        let codes: Vec<&str> = regions
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"110105") && codes.contains(&"110105001"));
        assert!(!codes.iter().any(|c| c.starts_with("110108")) && !codes.contains(&"110000"));

        let dept = app.login("dept", "Dept@123456").await;
        let (_, depts) = dept.get("/api/v1/departments").await;
        assert_eq!(depts["total"], 1);
        assert_eq!(depts["items"][0]["code"], "110000D024");

        let admin = app.admin().await;
        let mut body = new_user("cyadmin", "sys_admin", "region", Some("110105"), None);
        body["password"] = json!("Start#Passw0rd");
        create_user(&admin, body).await;
        create_user(
            &admin,
            new_user("hd_user", "city_operator", "region", Some("110108"), None),
        )
        .await;
        let cy = app.login("cyadmin", "Start#Passw0rd").await;
        let (status, _) = cy
            .post(
                "/api/v1/auth/password",
                json!({ "old_password": "Start#Passw0rd", "new_password": "Init#Passw0rd" }),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, users) = cy.get("/api/v1/users?size=500").await;
        let names: Vec<&str> = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"chaoyang") && names.contains(&"cyadmin"),
            "{names:?}"
        );
        assert!(
            !names.contains(&"haidian") && !names.contains(&"hd_user") && !names.contains(&"admin"),
            "{names:?}"
        );
        app.cleanup().await;
    }
}
