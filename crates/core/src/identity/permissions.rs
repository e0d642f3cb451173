//! The permission catalogue and the built-in roles.
//!
//! MLPS level 3 asks for separated administrator duties (三员分立): system,
//! security and audit administration. Each permission belongs to at most one
//! duty; a role or a user may carry permissions of at most one duty.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// An administrator duty that must stay separated from the other two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminDuty {
    System,
    Security,
    Audit,
}

/// One permission: a stable code, its Chinese name and the module it guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permission {
    pub code: &'static str,
    pub name: &'static str,
    pub module: &'static str,
    pub admin_duty: Option<AdminDuty>,
}

const fn perm(
    code: &'static str,
    name: &'static str,
    module: &'static str,
    admin_duty: Option<AdminDuty>,
) -> Permission {
    Permission {
        code,
        name,
        module,
        admin_duty,
    }
}

use AdminDuty::{Audit, Security, System};

/// Every permission the server checks.
pub const PERMISSIONS: &[Permission] = &[
    perm("org:read", "查看区划与部门", "系统管理", None),
    perm("org:write", "维护区划与部门", "系统管理", Some(System)),
    perm("user:read", "查看用户", "系统管理", None),
    perm("user:write", "维护用户", "系统管理", Some(System)),
    perm("token:manage", "管理接口令牌", "系统管理", Some(System)),
    perm("config:write", "维护系统配置", "系统管理", Some(System)),
    perm("role:read", "查看角色", "安全管理", Some(Security)),
    perm("role:write", "维护角色与权限", "安全管理", Some(Security)),
    perm("policy:read", "查看安全策略", "安全管理", Some(Security)),
    perm("policy:write", "维护安全策略", "安全管理", Some(Security)),
    perm("user:unlock", "解锁账号", "安全管理", Some(Security)),
    perm("audit:read", "查看审计日志", "安全审计", Some(Audit)),
    perm("audit:export", "导出审计日志", "安全审计", Some(Audit)),
    perm("intake:write", "数据汇聚接入", "数据汇聚", None),
    perm("item:read", "查看事项目录", "数据汇聚", None),
    perm("item:write", "维护事项目录", "数据汇聚", None),
    perm("data:read", "查看咨询、办件与评价数据", "数据汇聚", None),
    perm("identity:reveal", "查看完整证件号码", "数据汇聚", None),
    perm("source:write", "维护汇聚规则", "数据汇聚", None),
    perm(
        "data:govern",
        "数据治理（错误数据标记、数据质检）",
        "数据汇聚",
        None,
    ),
    perm("warning:read", "查看预警与消息", "监测预警", None),
    perm("warning:handle", "处置预警", "监测预警", None),
    perm("rule:write", "维护预警规则与仿真", "监测预警", None),
    perm("calendar:write", "维护工作日历", "系统管理", Some(System)),
    perm("workorder:read", "查看工单", "工单管理", None),
    perm(
        "workorder:operate",
        "受理、派发与核验工单",
        "工单管理",
        None,
    ),
    perm("workorder:handle", "办理本单位工单", "工单管理", None),
    perm("guidance:read", "查看情形引导与容缺受理", "情形引导", None),
    perm(
        "guidance:write",
        "维护情形引导与承诺书模板",
        "情形引导",
        None,
    ),
    perm("tolerance:accept", "容缺受理", "情形引导", None),
    perm("credit:check", "信用核查", "情形引导", None),
    perm("evaluation:read", "查看指标与评价结果", "质效评价", None),
    perm("indicator:write", "维护指标库与赋分规则", "质效评价", None),
    perm("evaluation:run", "执行评价与试算", "质效评价", None),
    perm("evaluation:publish", "发布与归档评价结果", "质效评价", None),
];

/// Scopes an API token may carry, with the permissions each grants.
pub const TOKEN_SCOPES: &[(&str, &[&str])] = &[
    ("intake", &["intake:write"]),
    // Application systems: verify answer tokens, ask the credit check.
    ("application", &["guidance:read", "credit:check"]),
];

/// Permissions granted by a token scope, if the scope exists.
pub fn token_scope_permissions(scope: &str) -> Option<&'static [&'static str]> {
    TOKEN_SCOPES
        .iter()
        .find(|(name, _)| *name == scope)
        .map(|(_, perms)| *perms)
}

/// Look a permission up by code.
pub fn permission(code: &str) -> Option<&'static Permission> {
    PERMISSIONS.iter().find(|p| p.code == code)
}

/// The set of admin duties a list of permission codes carries; unknown codes are ignored.
pub fn duty_of_permissions<'a>(codes: impl IntoIterator<Item = &'a str>) -> BTreeSet<AdminDuty> {
    codes
        .into_iter()
        .filter_map(|c| permission(c).and_then(|p| p.admin_duty))
        .collect()
}

/// A role shipped with the product.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinRole {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub permissions: &'static [&'static str],
}

/// The roles every installation starts with (SPEC "Who uses it").
pub fn builtin_roles() -> &'static [BuiltinRole] {
    const ROLES: &[BuiltinRole] = &[
        BuiltinRole {
            code: "sys_admin",
            name: "系统管理员",
            description: "用户、组织机构与系统配置管理",
            permissions: &[
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
            ],
        },
        BuiltinRole {
            code: "sec_admin",
            name: "安全管理员",
            description: "角色权限与安全策略管理",
            permissions: &[
                "org:read",
                "user:read",
                "user:unlock",
                "role:read",
                "role:write",
                "policy:read",
                "policy:write",
            ],
        },
        BuiltinRole {
            code: "audit_admin",
            name: "审计管理员",
            description: "审计日志查看与导出",
            permissions: &["audit:read", "audit:export"],
        },
        BuiltinRole {
            code: "city_operator",
            name: "市级运营人员",
            description: "全市政务服务运营",
            permissions: &[
                "org:read",
                "item:read",
                "data:read",
                "data:govern",
                "intake:write",
                "identity:reveal",
                "warning:read",
                "warning:handle",
                "rule:write",
                "workorder:read",
                "workorder:operate",
                "guidance:read",
                "guidance:write",
                "tolerance:accept",
                "credit:check",
                "evaluation:read",
            ],
        },
        BuiltinRole {
            code: "district_operator",
            name: "区级运营人员",
            description: "本区政务服务运营",
            permissions: &[
                "org:read",
                "item:read",
                "data:read",
                "data:govern",
                "warning:read",
                "warning:handle",
                "workorder:read",
                "workorder:operate",
                "guidance:read",
                "tolerance:accept",
                "credit:check",
                "evaluation:read",
            ],
        },
        BuiltinRole {
            code: "dept_user",
            name: "部门用户",
            description: "本部门事项、办件与评价",
            permissions: &[
                "org:read",
                "item:read",
                "data:read",
                "warning:read",
                "warning:handle",
                "workorder:read",
                "workorder:handle",
                "guidance:read",
                "tolerance:accept",
                "credit:check",
                "evaluation:read",
            ],
        },
        BuiltinRole {
            code: "evaluator",
            name: "考核管理员",
            description: "指标、赋分规则、评价结果与申诉",
            permissions: &[
                "org:read",
                "item:read",
                "data:read",
                "warning:read",
                "workorder:read",
                "evaluation:read",
                "indicator:write",
                "evaluation:run",
                "evaluation:publish",
            ],
        },
    ];
    ROLES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roles_use_known_permissions_and_one_duty_at_most() {
        for role in builtin_roles() {
            for code in role.permissions {
                assert!(
                    permission(code).is_some(),
                    "{} uses unknown {code}",
                    role.code
                );
            }
            assert!(duty_of_permissions(role.permissions.iter().copied()).len() <= 1);
        }
    }

    #[test]
    fn the_three_admin_roles_hold_three_different_duties() {
        let duties: BTreeSet<_> = ["sys_admin", "sec_admin", "audit_admin"]
            .iter()
            .flat_map(|code| {
                let role = builtin_roles().iter().find(|r| r.code == *code).unwrap();
                duty_of_permissions(role.permissions.iter().copied())
            })
            .collect();
        assert_eq!(duties.len(), 3);
    }

    #[test]
    fn mixing_duties_is_visible() {
        let mixed = duty_of_permissions(["user:write", "audit:read", "org:read"]);
        assert_eq!(mixed.len(), 2);
    }
}
