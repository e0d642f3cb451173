//! Built-in data: roles (every start), the demo organisation and accounts
//! (`govpulse demo`), and the first administrator of an empty installation.

mod beijing;
pub mod catalogue;
mod changzhou;
pub mod city;
pub mod demo_data;
pub mod demo_guidance;
pub mod demo_work_orders;
mod people;

pub use beijing::DEMO_DEPARTMENT;
pub use city::DemoCity;

use crate::identity::secrets::{hash_password, random_token};
use govpulse_core::audit::Outcome;
use govpulse_core::identity::{builtin_roles, duty_of_permissions};
use govpulse_store::audit::AuditRecord;
use govpulse_store::identity::{NewUser, RoleSeed};
use govpulse_store::org::RegionRow;
use govpulse_store::Store;

/// A demo account: username, password, display name, role, scope kind, region, department.
pub struct DemoAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub scope_kind: &'static str,
    pub region: &'static str,
    pub department: Option<String>,
}

/// The demo accounts of a city (README lists them): city-wide accounts, the
/// city's two district operators, and the market regulation bureau's `dept`.
pub fn demo_account_list(city: &DemoCity) -> Vec<DemoAccount> {
    let city_wide = |username, password, display_name, role| DemoAccount {
        username,
        password,
        display_name,
        role,
        scope_kind: "city",
        region: city.code,
        department: None,
    };
    let mut accounts = vec![
        city_wide("admin", "Admin@12345", "系统管理员", "sys_admin"),
        city_wide("secadmin", "Sec@123456", "安全管理员", "sec_admin"),
        city_wide("auditor", "Audit@12345", "审计管理员", "audit_admin"),
        city_wide("city", "City@12345", "市级运营专员", "city_operator"),
    ];
    for (username, password, display_name, district) in city.operators {
        accounts.push(DemoAccount {
            username,
            password,
            display_name,
            role: "district_operator",
            scope_kind: "region",
            region: district,
            department: None,
        });
    }
    accounts.push(city_wide(
        "evaluator",
        "Eval@123456",
        "考核管理员",
        "evaluator",
    ));
    accounts.push(DemoAccount {
        scope_kind: "department",
        department: Some(city.demo_department()),
        ..city_wide("dept", "Dept@123456", "市场监管局业务员", "dept_user")
    });
    accounts
}

pub(crate) fn system_record(action: &str, details: serde_json::Value) -> AuditRecord {
    AuditRecord {
        actor: "system".to_string(),
        ip: "local".to_string(),
        action: action.to_string(),
        object_type: "system".to_string(),
        object_id: String::new(),
        result: Outcome::Success,
        details,
    }
}

/// Everything every installation needs on every start: built-in roles and sources.
pub async fn builtin_seed(store: &Store) -> anyhow::Result<()> {
    builtin_role_seed(store).await?;
    default_sources(store).await?;
    crate::workorders::classes::seed_classes(store).await?;
    crate::evaluation::seed_builtin_indicators(store).await?;
    crate::monitoring::engine::seed_builtin_rules(store).await
}

/// Create or refresh the built-in roles (new permissions reach old installations).
pub async fn builtin_role_seed(store: &Store) -> anyhow::Result<()> {
    for role in builtin_roles() {
        let permissions: Vec<String> = role.permissions.iter().map(|p| p.to_string()).collect();
        let duty = duty_of_permissions(role.permissions.iter().copied())
            .into_iter()
            .next()
            .map(crate::identity::roles::duty_name);
        store
            .upsert_role(&RoleSeed {
                code: role.code,
                name: role.name,
                description: role.description,
                builtin: true,
                admin_duty: duty.as_deref(),
                permissions: &permissions,
            })
            .await?;
    }
    Ok(())
}

/// Collection rules every installation starts with: the item catalogue export
/// format of the provincial item systems (the shared sample's columns).
pub async fn default_sources(store: &Store) -> anyhow::Result<()> {
    if store.get_source(ITEM_CATALOGUE_SOURCE).await?.is_some() {
        return Ok(());
    }
    let rules = serde_json::json!({
        "field_map": {
            "department": "department_name", "item_name": "name", "itemCode": "item_code",
            "taskType": "item_type_code", "areaCode": "region_code", "deptCode": "department_code"
        },
        "required": [], "dictionaries": {}
    });
    let row = govpulse_store::aggregation::SourceRow {
        code: ITEM_CATALOGUE_SOURCE.to_string(),
        name: "事项管理系统导出（实施清单）".to_string(),
        kinds: r#"["items"]"#.to_string(),
        rules: rules.to_string(),
        enabled: true,
        updated_at: govpulse_core::time::now_ms(),
    };
    store
        .save_source(
            &row,
            true,
            &system_record(
                "source.create",
                serde_json::json!({ "code": ITEM_CATALOGUE_SOURCE }),
            ),
        )
        .await?;
    Ok(())
}

/// The built-in source whose rules read item-system CSV exports.
pub const ITEM_CATALOGUE_SOURCE: &str = "item-catalogue";

/// A demo city's region tree (regions only).
pub async fn region_seed(store: &Store, city: &DemoCity) -> anyhow::Result<()> {
    let region = |code: &str, name: &str, level: i32, parent: Option<&str>| RegionRow {
        code: code.to_string(),
        name: name.to_string(),
        level,
        parent_code: parent.map(String::from),
        merged_into: None,
    };
    store
        .upsert_region(&region(city.code, city.name, 1, None))
        .await?;
    for (code, name, streets) in city.districts {
        store
            .upsert_region(&region(code, name, 2, Some(city.code)))
            .await?;
        for (i, street) in streets.iter().enumerate() {
            let street_code = format!("{code}{:03}", i + 1);
            store
                .upsert_region(&region(&street_code, street, 3, Some(code)))
                .await?;
        }
    }
    for (code, name) in city.communities {
        store
            .upsert_region(&region(code, name, 4, Some(&code[..9])))
            .await?;
    }
    Ok(())
}

/// The demo organisation of a city: regions plus city and district departments.
pub async fn organisation_seed(store: &Store, city: &DemoCity) -> anyhow::Result<usize> {
    region_seed(store, city).await?;
    let mut departments = Vec::new();
    for (i, name) in city.city_departments.iter().enumerate() {
        departments.push((
            DemoCity::department_code(city.code, i),
            name.to_string(),
            "city",
            city.code,
        ));
    }
    for (district, district_name, _) in city.districts {
        for (i, name) in city.district_departments.iter().enumerate() {
            departments.push((
                DemoCity::department_code(district, i),
                format!("{district_name}{name}"),
                "district",
                *district,
            ));
        }
    }
    for (code, name, level, region) in &departments {
        store.upsert_department(code, name, level, region).await?;
    }
    store
        .audit(&system_record(
            "org.seed",
            serde_json::json!({ "city": city.code, "departments": departments.len() }),
        ))
        .await?;
    Ok(departments.len())
}

/// Create the demo accounts that do not exist yet. In demo mode they skip the
/// forced first-login change so the README's passwords work at once.
pub async fn demo_accounts(store: &Store, city: &DemoCity) -> anyhow::Result<usize> {
    let mut created = 0;
    for account in demo_account_list(city) {
        if store
            .find_user_by_username(account.username)
            .await?
            .is_some()
        {
            continue;
        }
        let new = NewUser {
            username: account.username.to_string(),
            display_name: account.display_name.to_string(),
            password_hash: hash_password(account.password.to_string()).await?,
            scope_kind: account.scope_kind.to_string(),
            region_code: account.region.to_string(),
            department_code: account.department,
            must_change_password: false,
            roles: vec![account.role.to_string()],
        };
        store
            .create_user(
                &new,
                &system_record(
                    "user.create",
                    serde_json::json!({ "username": account.username, "demo": true }),
                ),
            )
            .await?;
        created += 1;
    }
    Ok(created)
}

/// On an installation without users, create `admin` with a random password
/// that must be changed at first login, scoped to the top of the region tree
/// (`govpulse org import` sets one up; without one, the Beijing demo tree is
/// loaded). Returns the password to print once.
pub async fn first_admin(store: &Store) -> anyhow::Result<Option<String>> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let root = match store.root_region().await? {
        Some(root) => root.code,
        None => {
            region_seed(store, &beijing::BEIJING).await?;
            beijing::BEIJING.code.to_string()
        }
    };
    // Four character classes guaranteed, plus 16 random URL-safe characters.
    let password = format!("Gp#{}9a", random_token(12));
    let new = NewUser {
        username: "admin".to_string(),
        display_name: "系统管理员".to_string(),
        password_hash: hash_password(password.clone()).await?,
        scope_kind: "city".to_string(),
        region_code: root,
        department_code: None,
        must_change_password: true,
        roles: vec!["sys_admin".to_string()],
    };
    store
        .create_user(
            &new,
            &system_record(
                "user.create",
                serde_json::json!({ "username": "admin", "bootstrap": true }),
            ),
        )
        .await?;
    Ok(Some(password))
}
