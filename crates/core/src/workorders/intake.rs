//! Records that open work orders: change notices from the item management
//! system (CHG-1) and complaints (GB/T 39046 表10 投诉).

use crate::aggregation::fields::{invalid, Checked, Fields};
use crate::aggregation::items::{item, ItemInput};
use serde_json::{Map, Value};

/// new / change / suspend / cancel.
pub const CHANGE_TYPES: &[&str] = &["new", "change", "suspend", "cancel"];

/// The Chinese name of a change type.
pub fn change_type_name(change_type: &str) -> &'static str {
    match change_type {
        "new" => "新增",
        "change" => "变更",
        "suspend" => "暂停",
        "cancel" => "取消",
        _ => "其他",
    }
}

/// A change notice.
#[derive(Debug, Clone)]
pub struct ChangeNotice {
    pub notice_id: String,
    pub change_type: String,
    pub changed_at: i64,
    /// The item record as sent (with `valid_from` defaulting to `changed_at`).
    pub item_record: Map<String, Value>,
    pub item: ItemInput,
}

pub fn change_notice(map: &Map<String, Value>, now_ms: i64) -> Checked<ChangeNotice> {
    let f = Fields::new(map);
    f.only(&["notice_id", "change_type", "changed_at", "item"])?;
    let notice_id = f.code("notice_id", 128)?;
    let change_type = f.choice("change_type", CHANGE_TYPES)?;
    let changed_at = f.time("changed_at", now_ms)?;
    let mut item_record = match f.raw("item") {
        Some(Value::Object(record)) => record.clone(),
        _ => return Err(invalid("item", "must be an item record")),
    };
    if !item_record.contains_key("valid_from") {
        item_record.insert(
            "valid_from".into(),
            Value::String(crate::time::to_rfc3339(changed_at)),
        );
    }
    let item = item(&item_record, now_ms)?;
    Ok(ChangeNotice {
        notice_id,
        change_type,
        changed_at,
        item_record,
        item,
    })
}

/// A complaint.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComplaintInput {
    pub complaint_id: String,
    pub title: String,
    pub content: String,
    pub complainant: Option<String>,
    pub target_unit: Option<String>,
    pub source: String,
    pub received_at: i64,
    pub region_code: String,
    pub promised_days: Option<i64>,
}

pub fn complaint(map: &Map<String, Value>, now_ms: i64) -> Checked<ComplaintInput> {
    let f = Fields::new(map);
    f.only(&[
        "complaint_id",
        "title",
        "content",
        "complainant",
        "target_unit",
        "source",
        "received_at",
        "region_code",
        "promised_days",
    ])?;
    let region_code = f.code("region_code", 12)?;
    if crate::region::RegionLevel::of_code(&region_code).is_none() {
        return Err(invalid("region_code", "is not a region code"));
    }
    Ok(ComplaintInput {
        complaint_id: f.code("complaint_id", 128)?,
        title: f.text("title", 200)?,
        content: f.text("content", 10_000)?,
        complainant: f.opt_text("complainant", 100)?,
        target_unit: f.opt_code("target_unit", 64)?,
        source: f.text("source", 64)?,
        received_at: f.time("received_at", now_ms)?,
        region_code,
        promised_days: f.opt_int("promised_days", 1, 60)?,
    })
}
