//! Message templates (MON-6): `{{事项名称}}`-style placeholders, checked on save
//! and filled from a warning's case.

use std::collections::BTreeMap;

/// Every placeholder a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "事项名称",
    "事项编码",
    "办件编号",
    "申请人",
    "区划",
    "部门",
    "环节",
    "预警级别",
    "截止时间",
    "剩余工作日",
    "已用工作日",
    "已用比例",
    "规则名称",
];

/// Placeholders in order of appearance.
fn placeholders(template: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut rest = 0;
    std::iter::from_fn(move || {
        let open = template[rest..].find("{{")? + rest;
        let close = template[open + 2..].find("}}")? + open + 2;
        rest = close + 2;
        Some((open, close + 2, template[open + 2..close].trim()))
    })
}

/// `Err(name)` for the first unknown placeholder.
pub fn check(template: &str) -> Result<(), String> {
    match placeholders(template).find(|(_, _, name)| !PLACEHOLDERS.contains(name)) {
        Some((_, _, name)) => Err(name.to_string()),
        None => Ok(()),
    }
}

/// Fill the placeholders; missing values render as `—`.
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut last = 0;
    for (start, end, name) in placeholders(template) {
        out.push_str(&template[last..start]);
        out.push_str(values.get(name).map(String::as_str).unwrap_or("—"));
        last = end;
    }
    out.push_str(&template[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_and_rejects_unknown_placeholders() {
        let mut values = BTreeMap::new();
        values.insert("事项名称", "食品经营许可".to_string());
        values.insert("剩余工作日", "2".to_string());
        assert_eq!(
            render(
                "{{事项名称}}剩余 {{ 剩余工作日 }} 个工作日，{{办件编号}}",
                &values
            ),
            "食品经营许可剩余 2 个工作日，—"
        );
        assert_eq!(check("{{事项名称}} {{办件编号}}"), Ok(()));
        assert_eq!(check("{{事项名称}} {{密码}}"), Err("密码".to_string()));
        assert_eq!(render("无占位符 {{", &values), "无占位符 {{");
    }
}
