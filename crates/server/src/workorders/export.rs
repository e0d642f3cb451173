//! The workbench as a file: work orders as export cells, for the background
//! export jobs (`POST /exports` with `source` `work_orders`), which parse the
//! workbench's own query ([`super::orders::WorkOrderQuery`]).

use govpulse_core::time::{now_ms, to_rfc3339};
use govpulse_core::workorders::sla::is_overdue;
use govpulse_core::workorders::types;
use govpulse_store::workorders::WorkOrderRow;

pub const EXPORT_HEADERS: [&str; 11] = [
    "工单编号",
    "类型",
    "标题",
    "状态",
    "责任单位",
    "区划",
    "分类",
    "创建时间",
    "办理时限",
    "是否超期",
    "办结时间",
];

/// One order as export cells (in [`EXPORT_HEADERS`] order).
pub fn export_cells(row: WorkOrderRow) -> Vec<String> {
    let order_type = types::by_code(&row.order_type);
    let overdue = is_overdue(row.due_at, now_ms());
    vec![
        row.code,
        order_type.map_or_else(|| row.order_type.clone(), |t| t.name.clone()),
        row.title,
        order_type.map_or_else(
            || row.state.clone(),
            |t| t.state_name(&row.state).to_string(),
        ),
        row.department_name.unwrap_or(row.department_code),
        row.region_code,
        row.class_code.unwrap_or_default(),
        to_rfc3339(row.created_at),
        row.due_at.map(to_rfc3339).unwrap_or_default(),
        if overdue { "是" } else { "否" }.to_string(),
        row.closed_at.map(to_rfc3339).unwrap_or_default(),
    ]
}
