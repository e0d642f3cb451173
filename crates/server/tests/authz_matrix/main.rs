//! The authorization matrix (SEC-2): every route × every role × an object in
//! the caller's scope and one outside it. Each cell's expected answer follows
//! from two facts — does the role hold the permission, is the object in scope —
//! so a missing check anywhere shows up as a wrong status.

#[path = "../common/mod.rs"]
mod common;
mod routes;

use routes::{guard, request, Route, ROUTES};

use common::{create_user, new_user, Client, TestApp};
use reqwest::StatusCode;
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
    "calendar:write",
];
/// District operators and department users.
const OPERATOR: &[&str] = &[
    "org:read",
    "item:read",
    "data:read",
    "warning:read",
    "warning:handle",
];
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
            "warning:read",
            "warning:handle",
            "rule:write",
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
