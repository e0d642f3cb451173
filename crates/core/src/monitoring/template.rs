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

/// Fill the placeholders; missing values render as `—`. `{{区划}}{{部门}}`
/// names a department once when its name already starts with the region's
/// (「海淀区人力资源社会保障局」, not 「海淀区海淀区人力资源社会保障局」).
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut last = 0;
    let found: Vec<_> = placeholders(template).collect();
    for (i, &(start, end, name)) in found.iter().enumerate() {
        out.push_str(&template[last..start]);
        last = end;
        if name == "区划" && region_repeated(values, found.get(i + 1).copied(), end) {
            continue;
        }
        out.push_str(values.get(name).map(String::as_str).unwrap_or("—"));
    }
    out.push_str(&template[last..]);
    out
}

/// The region placeholder ending at `end` is followed right away by
/// `{{部门}}` whose value already begins with the region's name.
fn region_repeated(
    values: &BTreeMap<&str, String>,
    next: Option<(usize, usize, &str)>,
    end: usize,
) -> bool {
    let (Some((start, _, "部门")), Some(region), Some(department)) =
        (next, values.get("区划"), values.get("部门"))
    else {
        return false;
    };
    start == end && !region.is_empty() && department.starts_with(region.as_str())
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

    #[test]
    fn names_a_district_department_once() {
        let mut values = BTreeMap::new();
        values.insert("区划", "海淀区".to_string());
        values.insert("部门", "海淀区人力资源社会保障局".to_string());
        let t = "{{区划}}{{部门}}办理的";
        assert_eq!(render(t, &values), "海淀区人力资源社会保障局办理的");
        assert_eq!(
            render("{{区划}}：{{部门}}", &values),
            "海淀区：海淀区人力资源社会保障局"
        );
        values.insert("部门", "北京市公安局".to_string());
        assert_eq!(render(t, &values), "海淀区北京市公安局办理的");
        values.remove("部门");
        assert_eq!(render(t, &values), "海淀区—办理的");
    }
}
