//! Rules end to end: validation with paths, levels, the next threshold instant
//! across 国庆 with its 调休 Saturday, suspensions, and replay.

use super::builtin::builtin_rules;
use super::calendar::WorkCalendar;
use super::clock::Unit;
use super::condition::Field;
use super::evaluate::{judge, Subject};
use super::replay::{replay, CaseRecord};
use super::rule::{CompiledRule, RuleDef};
use serde_json::json;

fn at(text: &str) -> i64 {
    crate::time::parse_rfc3339(text).unwrap()
}

fn show(ms: i64) -> String {
    crate::time::to_rfc3339(ms)
}

fn builtin(code: &str) -> CompiledRule {
    builtin_rules()
        .into_iter()
        .find(|r| r.code == code)
        .unwrap()
        .compile(1)
        .unwrap()
}

/// A promised case of 10 working days, accepted Thursday 2024-09-26 (before 国庆).
fn approval_case(extra: &[(&str, &str)]) -> CaseRecord {
    let mut events = vec![("accepted".to_string(), at("2024-09-26T10:00:00+08:00"))];
    events.extend(extra.iter().map(|(k, t)| (k.to_string(), at(t))));
    CaseRecord {
        region: "110105".into(),
        department: "110105D001".into(),
        item: "X1".into(),
        item_type: "01".into(),
        case_type_code: 2,
        applicant_type: "person".into(),
        channel: "online".into(),
        submitted_at: at("2024-09-25T09:00:00+08:00"),
        promised_limit: Some(10),
        legal_limit: Some(20),
        unit: Some(Unit::Working),
        events,
        counts: Default::default(),
    }
}

fn level_key(rule: &CompiledRule, level: Option<usize>) -> Option<&str> {
    level.map(|i| rule.def.levels[i].key.as_str())
}

#[test]
fn approval_warning_turns_yellow_at_80_percent_and_red_past_the_deadline() {
    let calendar = WorkCalendar::bundled();
    let rule = builtin("approval_overdue");
    let case = approval_case(&[]);
    // Working days: 9/27, 9/29 (调休 Sunday), 9/30, 10/8 … 10/11, 10/12 (调休 Saturday) = day 8.
    let now = at("2024-09-27T10:00:00+08:00");
    let verdict = judge(&rule, &case.subject(&calendar, now, now), &calendar, now);
    assert_eq!(verdict.level, None);
    let due = verdict.next_due.unwrap();
    assert_eq!(show(due), "2024-10-12T00:00:00+08:00");

    let verdict = judge(&rule, &case.subject(&calendar, due, due), &calendar, due);
    assert_eq!(level_key(&rule, verdict.level), Some("yellow"));
    // Deadline is the end of day 10 (10/15); red one second later.
    let mut now = due;
    let mut steps = 0;
    let red_at = loop {
        let verdict = judge(&rule, &case.subject(&calendar, now, now), &calendar, now);
        if level_key(&rule, verdict.level) == Some("red") {
            break now;
        }
        now = verdict.next_due.unwrap();
        steps += 1;
        assert!(
            steps < 5,
            "the deadline index must reach red in a few steps"
        );
    };
    assert_eq!(show(red_at), "2024-10-16T00:00:00+08:00");
}

#[test]
fn a_supplement_suspends_and_closes_the_warning_and_resuming_reopens_it() {
    let calendar = WorkCalendar::bundled();
    let rule = builtin("approval_overdue");
    let suspended = approval_case(&[("supplement_start", "2024-10-12T09:00:00+08:00")]);
    let now = at("2024-10-14T10:00:00+08:00");
    let verdict = judge(
        &rule,
        &suspended.subject(&calendar, now, now),
        &calendar,
        now,
    );
    assert_eq!(verdict.level, None, "suspended clocks raise nothing");
    assert_eq!(verdict.next_due, None, "and need no timer");

    let resumed = approval_case(&[
        ("supplement_start", "2024-10-12T09:00:00+08:00"),
        ("supplement_end", "2024-10-15T16:00:00+08:00"),
    ]);
    let now = at("2024-10-15T17:00:00+08:00");
    let verdict = judge(&rule, &resumed.subject(&calendar, now, now), &calendar, now);
    assert_eq!(level_key(&rule, verdict.level), Some("yellow"));
    // Two working days (10/14, 10/15) paused: deadline moves from 10/15 to 10/17.
    let subject = resumed.subject(&calendar, now, now);
    assert_eq!(
        show(subject.clock("approval").unwrap().deadline),
        "2024-10-17T23:59:59+08:00"
    );
}

#[test]
fn completion_closes_and_replay_finds_the_worst_level() {
    let calendar = WorkCalendar::bundled();
    let rule = builtin("approval_overdue");
    let late = approval_case(&[("completed", "2024-10-17T11:00:00+08:00")]);
    let now = at("2024-10-20T10:00:00+08:00");
    assert_eq!(
        judge(&rule, &late.subject(&calendar, now, now), &calendar, now).level,
        None
    );
    let replayed = replay(&rule, &late, &calendar, now).unwrap();
    assert_eq!(rule.def.levels[replayed.level].key, "red");
    assert_eq!(show(replayed.raised_at), "2024-10-12T00:00:00+08:00");

    let on_time = approval_case(&[("completed", "2024-10-09T11:00:00+08:00")]);
    assert_eq!(replay(&rule, &on_time, &calendar, now), None);
}

#[test]
fn immediate_case_accepted_on_a_holiday_eve_is_due_at_the_end_of_that_day() {
    let calendar = WorkCalendar::bundled();
    let rule = builtin("immediate_overdue");
    let case = CaseRecord {
        case_type_code: 1,
        submitted_at: at("2024-09-30T17:30:00+08:00"),
        events: vec![("accepted".into(), at("2024-09-30T17:40:00+08:00"))],
        ..approval_case(&[])
    };
    let now = at("2024-09-30T18:00:00+08:00");
    let verdict = judge(&rule, &case.subject(&calendar, now, now), &calendar, now);
    assert_eq!(verdict.level, None);
    assert_eq!(show(verdict.next_due.unwrap()), "2024-10-01T00:00:00+08:00");
    let later = at("2024-10-01T00:00:00+08:00");
    let verdict = judge(
        &rule,
        &case.subject(&calendar, later, later),
        &calendar,
        later,
    );
    assert_eq!(level_key(&rule, verdict.level), Some("red"));
}

#[test]
fn consultation_counts_raise_yellow_then_red() {
    let calendar = WorkCalendar::bundled();
    let rule = builtin("consult_repeat");
    let mut subject = Subject {
        region: "110105".into(),
        item: "X1".into(),
        ..Default::default()
    };
    let now = at("2024-10-20T10:00:00+08:00");
    for (count, expected) in [(2, None), (3, Some("yellow")), (5, Some("red"))] {
        subject
            .counts
            .insert((Field::ConsultationsInWindow, 30), count);
        let verdict = judge(&rule, &subject, &calendar, now);
        assert_eq!(
            level_key(&rule, verdict.level),
            expected,
            "{count} consultations"
        );
        assert_eq!(verdict.next_due, None);
    }
}

#[test]
fn invalid_rules_name_every_problem_by_path() {
    let rule: RuleDef = serde_json::from_value(json!({
        "code": "Bad Code", "name": "", "stage": "approval", "type": "custom",
        "condition": {"all": [
            {"field": "no_such_field", "op": "eq", "value": 1},
            {"not": {"field": "used_percent", "op": "within", "value": 1}},
            {"field": "consultations_in_window", "op": "ge", "value": 3, "window_days": 30},
            {"field": "applications_in_window", "op": "ge", "value": 3},
            {"field": "channel", "op": "in", "value": ["online", "pigeon"]},
            {"any": []}
        ]},
        "levels": [
            {"key": "red", "name": "红灯", "colour": "red", "handling_hours": 0,
             "template": "{{事项名称}} {{密码}}", "condition": {"field": "overdue", "op": "eq", "value": "yes"}},
            {"key": "red", "name": "红灯", "colour": "#F56C6C", "handling_hours": 8,
             "template": "x", "condition": {"all": []}}
        ],
        "webhook": {"url": "ftp://x"}
    }))
    .unwrap();
    let problems = rule.compile(1).unwrap_err();
    let keys: Vec<&str> = problems.keys().map(String::as_str).collect();
    for expected in [
        "code",
        "name",
        "condition.all[0].field",
        "condition.all[1].not.op",
        "condition.all[2].field",
        "condition.all[3].window_days",
        "condition.all[4].value",
        "condition.all[5].any",
        "levels[0].colour",
        "levels[0].handling_hours",
        "levels[0].template",
        "levels[0].condition.value",
        "levels[1].key",
        "webhook.url",
    ] {
        assert!(keys.contains(&expected), "missing {expected} in {keys:?}");
    }
}

#[test]
fn not_and_missing_values() {
    let calendar = WorkCalendar::bundled();
    let rule: RuleDef = serde_json::from_value(json!({
        "code": "custom_rule", "name": "自定义", "stage": "acceptance", "type": "custom",
        "condition": {"not": {"field": "region", "op": "within", "value": "110105"}},
        "levels": [{"key": "blue", "name": "蓝灯", "colour": "#409EFF", "handling_hours": 8,
                    "template": "{{办件编号}}", "condition": {"field": "department", "op": "ne", "value": "X"}}]
    }))
    .unwrap();
    let rule = rule.compile(1).unwrap();
    let now = at("2024-10-20T10:00:00+08:00");
    let inside = Subject {
        region: "110105001".into(),
        ..Default::default()
    };
    let outside = Subject {
        region: "110108".into(),
        ..Default::default()
    };
    assert_eq!(judge(&rule, &inside, &calendar, now).level, None);
    // The department is missing: `ne` holds for a missing value.
    assert_eq!(judge(&rule, &outside, &calendar, now).level, Some(0));
}

#[test]
fn a_webhook_carries_only_warnings_inside_its_savers_scope() {
    use crate::identity::{Scope, ScopeKind};
    let hook = |scope: Option<Scope>| super::rule::Webhook {
        url: "https://hooks.example.gov.cn/x".into(),
        secret: None,
        scope,
    };
    let chaoyang = Scope::new(ScopeKind::Region, Some("110105"), None).unwrap();
    let district = hook(Some(chaoyang));
    assert!(district.carries("110105001", "110105D007"));
    assert!(!district.carries("110108", "110108D007"));
    let department = hook(Some(
        Scope::new(ScopeKind::Department, None, Some(("110000D001", "110000"))).unwrap(),
    ));
    assert!(department.carries("110105", "110000D001"));
    assert!(!department.carries("110105", "110105D007"));
    assert!(!department.carries("110105", ""));
    // Saved before scopes were recorded: carries everything, as it did.
    assert!(hook(None).carries("110108", ""));
}
