use super::diff::{apply, diff, normalise, Op};
use super::sla::{enter, reminder_horizon, Clock};
use super::types::{builtin, by_code, COMPLAINT, HANDLE, ITEM_CHANGE, OPERATE};
use super::{Actor, Refusal};
use crate::monitoring::calendar::WorkCalendar;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn ms(text: &str) -> i64 {
    crate::time::parse_bound(text).expect("instant")
}

fn operator() -> impl Fn(&str) -> bool {
    |p: &str| p == OPERATE
}

fn handler() -> impl Fn(&str) -> bool {
    |p: &str| p == HANDLE
}

#[test]
fn builtin_types_are_consistent() {
    for t in builtin() {
        t.validate().expect("valid definition");
    }
}

#[test]
fn item_change_walks_review_confirm_return_close() {
    let t = by_code(ITEM_CHANGE).expect("type");
    let op = operator();
    let dept = handler();
    let operator = Actor {
        permissions: &op,
        department: None,
    };
    let unit = Actor {
        permissions: &dept,
        department: Some("D1"),
    };
    let other_unit = Actor {
        permissions: &dept,
        department: Some("D2"),
    };
    let none = Map::new();
    let step = |state: &str, action: &str, actor: &Actor, comment: Option<&str>| {
        t.decide(state, action, actor, "D1", comment, &none)
            .map(|t| t.to.clone())
    };
    assert_eq!(
        step("received", "review", &operator, None),
        Ok("confirming".into())
    );
    assert!(matches!(
        step("received", "review", &unit, None),
        Err(Refusal::NotAllowed { .. })
    ));
    assert!(matches!(
        step("confirming", "confirm", &other_unit, None),
        Err(Refusal::NotAllowed { .. })
    ));
    assert_eq!(
        step("confirming", "confirm", &unit, None),
        Ok("verifying".into())
    );
    assert_eq!(
        step("verifying", "return", &operator, None),
        Err(Refusal::Missing("comment".into()))
    );
    assert_eq!(
        step("verifying", "return", &operator, Some("材料清单不全")),
        Ok("confirming".into())
    );
    assert_eq!(
        step("verifying", "close", &operator, None),
        Ok("closed".into())
    );
    assert!(matches!(
        step("closed", "close", &operator, None),
        Err(Refusal::InvalidTransition { .. })
    ));
    assert!(matches!(
        step("received", "fly", &operator, None),
        Err(Refusal::UnknownAction(_))
    ));
    let actions: Vec<&str> = t
        .actions_for("verifying", &operator, "D1")
        .iter()
        .map(|a| a.action.as_str())
        .collect();
    assert_eq!(actions, ["return", "close"]);
    assert!(t.actions_for("verifying", &unit, "D1").is_empty());
}

#[test]
fn required_fields_are_checked() {
    let t = by_code(COMPLAINT).expect("type");
    let op = operator();
    let operator = Actor {
        permissions: &op,
        department: None,
    };
    let mut fields = Map::new();
    fields.insert("class_code".into(), json!("A01"));
    assert_eq!(
        t.decide("received", "dispatch", &operator, "", None, &fields)
            .map(|t| t.to.as_str()),
        Err(Refusal::Missing("unit_code".into()))
    );
    fields.insert("unit_code".into(), json!("110105D007"));
    assert!(t
        .decide("received", "dispatch", &operator, "", None, &fields)
        .is_ok());
}

#[test]
fn sla_counts_working_days_and_pauses() {
    let calendar = WorkCalendar::bundled();
    let t = by_code(COMPLAINT).expect("type");
    let handling = t.state("handling").expect("state");
    let waiting = t.state("waiting").expect("state");
    let none = Map::new();
    // Friday 2026-03-06: five working days → Friday 2026-03-13 23:59:59.
    let friday = ms("2026-03-06T10:00:00+08:00");
    let entered = enter(&calendar, handling, &none, &Clock::start(0), friday);
    assert_eq!(entered.due_at, Some(ms("2026-03-13T23:59:59+08:00")));
    // Paused Monday to Wednesday: two working days (Tue, Wed) are added.
    let paused = enter(
        &calendar,
        waiting,
        &none,
        &entered.clock,
        ms("2026-03-09T09:00:00+08:00"),
    );
    assert_eq!(paused.due_at, None);
    let resumed = enter(
        &calendar,
        handling,
        &none,
        &paused.clock,
        ms("2026-03-11T09:00:00+08:00"),
    );
    assert_eq!(resumed.due_at, Some(ms("2026-03-17T23:59:59+08:00")));
    assert_eq!(resumed.clock.started_at, friday);
    let closed = enter(
        &calendar,
        t.state("closed").expect("state"),
        &none,
        &resumed.clock,
        friday,
    );
    assert_eq!(closed.due_at, None);
    // A complaint's promised days override the state's SLA.
    let mut data = Map::new();
    data.insert("promised_days".into(), json!(2));
    let promised = enter(&calendar, handling, &data, &Clock::start(0), friday);
    assert_eq!(promised.due_at, Some(ms("2026-03-10T23:59:59+08:00")));
}

#[test]
fn reminders_look_ahead_in_working_days() {
    let calendar = WorkCalendar::bundled();
    // Friday afternoon, one working day ahead: orders due by Monday night.
    let friday = ms("2026-03-06T15:00:00+08:00");
    assert_eq!(
        reminder_horizon(&calendar, friday, 1),
        Some(ms("2026-03-09T23:59:59+08:00"))
    );
    assert_eq!(
        reminder_horizon(&calendar, friday, 2),
        Some(ms("2026-03-10T23:59:59+08:00"))
    );
    assert_eq!(reminder_horizon(&calendar, friday, 0), None, "off");
}

fn item(materials: Value) -> Value {
    json!({ "name": "营业执照办理", "promised_limit": 5, "materials": materials,
            "elements": { "fee": "不收费", "window": { "address": "一层", "hours": "9-17" } } })
}

#[test]
fn reordered_materials_show_no_change() {
    let a = item(
        json!([{"name": "申请表"}, {"name": "身份证"}, {"material_code": "M3", "name": "章程"}]),
    );
    let b = item(
        json!([{"material_code": "M3", "name": "章程"}, {"name": "身份证"}, {"name": "申请表"}]),
    );
    assert!(diff(&a, &b).is_empty());
}

#[test]
fn a_renamed_coded_material_is_one_change() {
    let a = item(json!([{"material_code": "M1", "name": "申请表", "copies": 1}]));
    let b = item(json!([{"material_code": "M1", "name": "登记申请书", "copies": 1}]));
    let changes = diff(&a, &b);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].path_text(), "materials[M1].name");
    assert_eq!(changes[0].op, Op::Changed);
    assert_eq!(changes[0].after, Some(json!("登记申请书")));
}

#[test]
fn nested_and_added_removed_elements() {
    let a = item(json!([{"name": "申请表"}, {"name": "身份证"}]));
    let mut b = item(json!([{"name": "申请表", "copies": 2}, {"name": "营业执照"}]));
    b["elements"]["window"]["hours"] = json!("9-18");
    let got: Vec<(String, Op)> = diff(&a, &b).iter().map(|c| (c.path_text(), c.op)).collect();
    assert_eq!(
        got,
        [
            ("elements.window.hours".to_string(), Op::Changed),
            ("materials[申请表].copies".to_string(), Op::Added),
            ("materials[身份证]".to_string(), Op::Removed),
            ("materials[营业执照]".to_string(), Op::Added),
        ]
    );
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0i64..4).prop_map(|n| json!(n)),
        prop::sample::select(vec!["申请表", "身份证", "M1", "M2", ""]).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec!["name", "material_code", "copies", "form", "a"]),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #[test]
    fn diff_of_a_value_with_itself_is_empty(a in json_value()) {
        prop_assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn applying_the_diff_gives_the_new_version(a in json_value(), b in json_value()) {
        let changes = diff(&a, &b);
        let applied = apply(&a, &changes).expect("the diff fits");
        prop_assert_eq!(normalise(&applied), normalise(&b));
    }

    #[test]
    fn order_of_list_elements_is_not_a_change(
        names in prop::sample::subsequence(vec!["甲", "乙", "丙", "丁", "戊"], 0..5),
        contents in prop::collection::vec(json_value(), 5),
    ) {
        let list: Vec<Value> = names.iter().zip(&contents).map(|(n, c)| json!({"name": n, "a": c})).collect();
        let mut reversed = list.clone();
        reversed.reverse();
        let (a, b) = (json!({"materials": list}), json!({"materials": reversed}));
        prop_assert!(diff(&a, &b).is_empty());
    }
}
