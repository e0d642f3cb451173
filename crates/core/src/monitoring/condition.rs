//! Condition trees (MON-4): `all` / `any` / `not` groups over case fields and
//! computed metrics, written as JSON by the visual editor, validated on save
//! with a path for every error, and compiled once into a typed tree that is
//! evaluated without re-parsing.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A condition as stored and edited (the API's JSON shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = ConditionNode)]
pub enum Node {
    All {
        #[schema(no_recursion)]
        all: Vec<Node>,
    },
    Any {
        #[schema(no_recursion)]
        any: Vec<Node>,
    },
    Not {
        #[schema(no_recursion)]
        not: Box<Node>,
    },
    Leaf {
        field: String,
        #[schema(schema_with = op_schema)]
        op: String,
        /// A number, boolean or string, a list of them (`in`, `not_in`,
        /// `within`), or null.
        #[schema(schema_with = value_schema)]
        value: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_days: Option<u32>,
    },
}

/// Every operator [`Op::parse`] knows, for the API document.
const OPS: &[&str] = &["eq", "ne", "gt", "ge", "lt", "le", "in", "not_in", "within"];

pub fn op_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(OPS.iter().copied()))
        .build()
}

/// A scalar operand: number, boolean or string.
fn scalar_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::{ObjectBuilder, OneOfBuilder, Schema, Type};
    Schema::OneOf(
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .build(),
    )
}

fn value_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
    Schema::OneOf(
        OneOfBuilder::new()
            .item(scalar_schema())
            .item(ArrayBuilder::new().items(utoipa::openapi::RefOr::T(scalar_schema())))
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    )
}

impl Default for Node {
    fn default() -> Self {
        Node::All { all: Vec::new() }
    }
}

/// What a field holds, which decides its operators and value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Number,
    Bool,
    Enum,
    Text,
    Region,
}

/// A field the editor offers and the evaluator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ElapsedDays,
    RemainingDays,
    UsedPercent,
    Overdue,
    StageStatus,
    SuspendedDays,
    Region,
    Department,
    Item,
    ItemType,
    CaseType,
    ApplicantType,
    Channel,
    CaseStatus,
    ApplicationsInWindow,
    RejectionsInWindow,
    ConsultationsInWindow,
}

/// Editor catalogue entry.
#[derive(Debug, Clone, Serialize)]
pub struct FieldInfo {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    pub ops: &'static [&'static str],
    pub options: Vec<(&'static str, &'static str)>,
    /// Takes `window_days`.
    pub window: bool,
    /// Stages whose subjects carry the field.
    pub stages: &'static [&'static str],
}

const CASE_STAGES: &[&str] = &["acceptance", "approval", "special_procedure", "immediate"];
const CLOCK_STAGES: &[&str] = CASE_STAGES;
const ALL_STAGES: &[&str] = &[
    "consultation",
    "acceptance",
    "approval",
    "special_procedure",
    "immediate",
];
const NUMBER_OPS: &[&str] = &["eq", "ne", "gt", "ge", "lt", "le"];
const BOOL_OPS: &[&str] = &["eq", "ne"];
const ENUM_OPS: &[&str] = &["eq", "ne", "in", "not_in"];
const REGION_OPS: &[&str] = &["eq", "ne", "in", "not_in", "within"];

/// Stage clock states as a field's options.
pub const STAGE_STATUSES: &[(&str, &str)] = &[
    ("not_started", "未开始"),
    ("running", "计时中"),
    ("suspended", "暂停计时"),
    ("overdue", "已超期"),
    ("completed", "按时完成"),
    ("completed_late", "超期完成"),
];

/// Case states as a field's options.
pub const CASE_STATUSES: &[(&str, &str)] = &[
    ("submitted", "已申请"),
    ("accepted", "已受理"),
    ("suspended", "暂停计时"),
    ("decided", "已决定"),
    ("completed", "已办结"),
    ("rejected", "不予受理"),
    ("withdrawn", "已撤回"),
];

impl Field {
    pub const ALL: [Field; 17] = [
        Field::ElapsedDays,
        Field::RemainingDays,
        Field::UsedPercent,
        Field::Overdue,
        Field::StageStatus,
        Field::SuspendedDays,
        Field::Region,
        Field::Department,
        Field::Item,
        Field::ItemType,
        Field::CaseType,
        Field::ApplicantType,
        Field::Channel,
        Field::CaseStatus,
        Field::ApplicationsInWindow,
        Field::RejectionsInWindow,
        Field::ConsultationsInWindow,
    ];

    pub fn info(self) -> FieldInfo {
        use Field::*;
        let (key, label, kind, stages): (_, _, _, &'static [&'static str]) = match self {
            ElapsedDays => (
                "elapsed_days",
                "已用工作日",
                FieldKind::Number,
                CLOCK_STAGES,
            ),
            RemainingDays => (
                "remaining_days",
                "剩余工作日",
                FieldKind::Number,
                CLOCK_STAGES,
            ),
            UsedPercent => (
                "used_percent",
                "时限已用比例(%)",
                FieldKind::Number,
                CLOCK_STAGES,
            ),
            Overdue => ("overdue", "已超期", FieldKind::Bool, CLOCK_STAGES),
            StageStatus => (
                "stage_status",
                "环节计时状态",
                FieldKind::Enum,
                CLOCK_STAGES,
            ),
            SuspendedDays => (
                "suspended_days",
                "暂停工作日数",
                FieldKind::Number,
                CLOCK_STAGES,
            ),
            Region => ("region", "区划", FieldKind::Region, ALL_STAGES),
            Department => ("department", "部门编码", FieldKind::Text, ALL_STAGES),
            Item => ("item", "事项编码", FieldKind::Text, ALL_STAGES),
            ItemType => ("item_type", "事项类型", FieldKind::Enum, CASE_STAGES),
            CaseType => ("case_type", "办件类型", FieldKind::Enum, CASE_STAGES),
            ApplicantType => ("applicant_type", "申请人类型", FieldKind::Enum, ALL_STAGES),
            Channel => ("channel", "渠道", FieldKind::Enum, ALL_STAGES),
            CaseStatus => ("case_status", "办件状态", FieldKind::Enum, CASE_STAGES),
            ApplicationsInWindow => (
                "applications_in_window",
                "同一申请人同一事项申请次数",
                FieldKind::Number,
                CASE_STAGES,
            ),
            RejectionsInWindow => (
                "rejections_in_window",
                "同一申请人同一事项不予受理次数",
                FieldKind::Number,
                CASE_STAGES,
            ),
            ConsultationsInWindow => (
                "consultations_in_window",
                "同一申请人同一事项咨询未申请次数",
                FieldKind::Number,
                &["consultation"],
            ),
        };
        let ops = match kind {
            FieldKind::Number => NUMBER_OPS,
            FieldKind::Bool => BOOL_OPS,
            FieldKind::Region => REGION_OPS,
            FieldKind::Enum | FieldKind::Text => ENUM_OPS,
        };
        let options = match self {
            StageStatus => STAGE_STATUSES.to_vec(),
            CaseStatus => CASE_STATUSES.to_vec(),
            CaseType => vec![("immediate", "即办件"), ("promised", "承诺件")],
            ApplicantType => vec![("person", "自然人"), ("org", "法人")],
            Channel => vec![
                ("online", "网上办理"),
                ("window", "窗口"),
                ("hotline", "热线"),
                ("wechat", "微信"),
                ("app", "移动端"),
                ("other", "其他"),
            ],
            ItemType => vec![
                ("01", "行政许可"),
                ("02", "行政处罚"),
                ("03", "行政强制"),
                ("04", "行政征收"),
                ("05", "行政给付"),
                ("06", "行政检查"),
                ("07", "行政确认"),
                ("08", "行政奖励"),
                ("09", "行政裁决"),
                ("10", "其他行政权力"),
                ("20", "公共服务"),
            ],
            _ => Vec::new(),
        };
        FieldInfo {
            key,
            label,
            kind,
            ops,
            options,
            window: matches!(
                self,
                ApplicationsInWindow | RejectionsInWindow | ConsultationsInWindow
            ),
            stages,
        }
    }

    pub fn parse(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.info().key == key)
    }

    /// Fields whose value changes with the passing of time alone.
    pub fn is_time_driven(self) -> bool {
        matches!(
            self,
            Field::ElapsedDays
                | Field::RemainingDays
                | Field::UsedPercent
                | Field::Overdue
                | Field::StageStatus
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    In,
    NotIn,
    Within,
}

impl Op {
    fn parse(text: &str) -> Option<Op> {
        Some(match text {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            "in" => Op::In,
            "not_in" => Op::NotIn,
            "within" => Op::Within,
            _ => return None,
        })
    }
}

/// A typed operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Number(f64),
    Bool(bool),
    Text(String),
    List(Vec<String>),
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Compiled {
    All(Vec<Compiled>),
    Any(Vec<Compiled>),
    Not(Box<Compiled>),
    Test {
        field: Field,
        op: Op,
        operand: Operand,
        window_days: u32,
    },
}

/// Validation errors keyed by the JSON path of the offending part.
pub type Problems = BTreeMap<String, String>;

/// Largest window a count may look back over.
pub const MAX_WINDOW_DAYS: u32 = 3650;
const MAX_DEPTH: usize = 8;
const MAX_NODES: usize = 200;

/// Compile `node` for a rule of `stage`; every problem is reported at its path.
pub fn compile(node: &Node, stage: &str, path: &str, problems: &mut Problems) -> Option<Compiled> {
    let mut budget = MAX_NODES;
    compile_at(node, stage, path, 0, &mut budget, problems)
}

fn compile_at(
    node: &Node,
    stage: &str,
    path: &str,
    depth: usize,
    budget: &mut usize,
    problems: &mut Problems,
) -> Option<Compiled> {
    if depth > MAX_DEPTH || *budget == 0 {
        problems.insert(path.to_string(), "条件嵌套过深或条件过多".to_string());
        return None;
    }
    *budget -= 1;
    let group = |children: &[Node], key: &str, problems: &mut Problems, budget: &mut usize| {
        let compiled: Vec<Option<Compiled>> = children
            .iter()
            .enumerate()
            .map(|(i, c)| {
                compile_at(
                    c,
                    stage,
                    &format!("{path}.{key}[{i}]"),
                    depth + 1,
                    budget,
                    problems,
                )
            })
            .collect();
        compiled.into_iter().collect::<Option<Vec<_>>>()
    };
    match node {
        Node::All { all } => group(all, "all", problems, budget).map(Compiled::All),
        Node::Any { any } => {
            if any.is_empty() {
                problems.insert(format!("{path}.any"), "“任一满足”组至少需要一个条件".into());
                return None;
            }
            group(any, "any", problems, budget).map(Compiled::Any)
        }
        Node::Not { not } => compile_at(
            not,
            stage,
            &format!("{path}.not"),
            depth + 1,
            budget,
            problems,
        )
        .map(|c| Compiled::Not(Box::new(c))),
        Node::Leaf {
            field,
            op,
            value,
            window_days,
        } => compile_leaf(field, op, value, *window_days, stage, path, problems),
    }
}

fn compile_leaf(
    field: &str,
    op: &str,
    value: &Value,
    window_days: Option<u32>,
    stage: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<Compiled> {
    let Some(parsed) = Field::parse(field) else {
        problems.insert(format!("{path}.field"), format!("未知字段 {field}"));
        return None;
    };
    let info = parsed.info();
    if !info.stages.contains(&stage) {
        problems.insert(
            format!("{path}.field"),
            format!("字段“{}”不适用于该环节", info.label),
        );
        return None;
    }
    let Some(parsed_op) = Op::parse(op).filter(|_| info.ops.contains(&op)) else {
        problems.insert(
            format!("{path}.op"),
            format!("字段“{}”不支持运算符 {op}", info.label),
        );
        return None;
    };
    let window = match (info.window, window_days) {
        (true, Some(days)) if (1..=MAX_WINDOW_DAYS).contains(&days) => days,
        (true, _) => {
            problems.insert(
                format!("{path}.window_days"),
                format!("统计窗口须为 1–{MAX_WINDOW_DAYS} 天"),
            );
            return None;
        }
        (false, _) => 0,
    };
    let operand = operand(&info, parsed_op, value);
    match operand {
        Ok(operand) => Some(Compiled::Test {
            field: parsed,
            op: parsed_op,
            operand,
            window_days: window,
        }),
        Err(message) => {
            problems.insert(format!("{path}.value"), message);
            None
        }
    }
}

fn operand(info: &FieldInfo, op: Op, value: &Value) -> Result<Operand, String> {
    let allowed =
        |text: &str| info.options.is_empty() || info.options.iter().any(|(v, _)| *v == text);
    let text_of = |v: &Value| -> Result<String, String> {
        let text = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err("值须为文本".to_string()),
        };
        if text.is_empty() || text.chars().count() > 100 {
            return Err("值须为 1–100 个字符".to_string());
        }
        if !allowed(&text) {
            return Err(format!("“{text}”不是“{}”的可选值", info.label));
        }
        Ok(text)
    };
    match (info.kind, op) {
        (FieldKind::Number, _) => match value.as_f64() {
            Some(n) if n.is_finite() && (-1e9..=1e9).contains(&n) => Ok(Operand::Number(n)),
            _ => Err("值须为数字".to_string()),
        },
        (FieldKind::Bool, _) => value
            .as_bool()
            .map(Operand::Bool)
            .ok_or_else(|| "值须为是或否".to_string()),
        (_, Op::In | Op::NotIn) => {
            let Some(list) = value.as_array().filter(|l| !l.is_empty() && l.len() <= 500) else {
                return Err("值须为 1–500 项的列表".to_string());
            };
            list.iter()
                .map(text_of)
                .collect::<Result<Vec<_>, _>>()
                .map(Operand::List)
        }
        _ => text_of(value).map(Operand::Text),
    }
}

/// A field value as the evaluator sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    Number(f64),
    Bool(bool),
    Text(&'a str),
    Missing,
}

/// Where field values come from.
pub trait Facts {
    fn value(&self, field: Field, window_days: u32) -> FieldValue<'_>;
}

impl Compiled {
    pub fn holds(&self, facts: &dyn Facts) -> bool {
        match self {
            Compiled::All(children) => children.iter().all(|c| c.holds(facts)),
            Compiled::Any(children) => children.iter().any(|c| c.holds(facts)),
            Compiled::Not(child) => !child.holds(facts),
            Compiled::Test {
                field,
                op,
                operand,
                window_days,
            } => test(facts.value(*field, *window_days), *op, operand),
        }
    }

    /// Every leaf test, for collecting thresholds and needed windows.
    pub fn tests(&self, out: &mut Vec<(Field, Op, Operand, u32)>) {
        match self {
            Compiled::All(children) | Compiled::Any(children) => {
                children.iter().for_each(|c| c.tests(out))
            }
            Compiled::Not(child) => child.tests(out),
            Compiled::Test {
                field,
                op,
                operand,
                window_days,
            } => out.push((*field, *op, operand.clone(), *window_days)),
        }
    }
}

fn test(value: FieldValue, op: Op, operand: &Operand) -> bool {
    match (value, operand) {
        (FieldValue::Number(v), Operand::Number(n)) => match op {
            Op::Eq => v == *n,
            Op::Ne => v != *n,
            Op::Gt => v > *n,
            Op::Ge => v >= *n,
            Op::Lt => v < *n,
            Op::Le => v <= *n,
            _ => false,
        },
        (FieldValue::Bool(v), Operand::Bool(b)) => match op {
            Op::Eq => v == *b,
            Op::Ne => v != *b,
            _ => false,
        },
        (FieldValue::Text(v), Operand::Text(t)) => match op {
            Op::Eq => v == t,
            Op::Ne => v != t,
            Op::Within => crate::region::in_subtree(t, v),
            _ => false,
        },
        (FieldValue::Text(v), Operand::List(list)) => match op {
            Op::In => list.iter().any(|t| t == v),
            Op::NotIn => !list.iter().any(|t| t == v),
            _ => false,
        },
        // A missing value satisfies only the negative tests.
        (FieldValue::Missing, _) => matches!(op, Op::Ne | Op::NotIn),
        _ => false,
    }
}
