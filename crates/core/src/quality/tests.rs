use super::*;

const H: i64 = 3_600_000;
const SUBMITTED: i64 = 1_772_413_200_000; // 2026-03-02 09:00 +08:00

fn versions() -> Vec<ItemVersion> {
    vec![
        ItemVersion {
            version: 1,
            valid_from: 0,
            valid_to: Some(SUBMITTED + 100 * H),
            promised_limit: Some(10),
        },
        ItemVersion {
            version: 2,
            valid_from: SUBMITTED + 100 * H,
            valid_to: None,
            promised_limit: Some(8),
        },
    ]
}

fn codes(events: &[Event], tweak: impl FnOnce(&mut CaseFacts)) -> Vec<&'static str> {
    let versions = versions();
    let mut case = CaseFacts {
        submitted_at: SUBMITTED,
        applicant_name: "王五",
        handling_mode: Some("1"),
        item_version: 1,
        versions: &versions,
        events,
    };
    tweak(&mut case);
    check_case(&case).into_iter().map(|f| f.code).collect()
}

#[test]
fn every_code_is_two_level_unique_and_in_a_known_category() {
    let mut seen = std::collections::HashSet::new();
    for c in CHECKS {
        let (category, _) = c.code.split_once('.').expect("category.code");
        assert_eq!(category, c.category, "{}", c.code);
        assert!(CATEGORIES.iter().any(|(k, _)| *k == category), "{}", c.code);
        assert!(seen.insert(c.code), "duplicate {}", c.code);
    }
}

#[test]
fn a_clean_case_passes() {
    let events = [
        ("submitted", SUBMITTED, 1),
        ("accepted", SUBMITTED + H, 2),
        ("completed", SUBMITTED + 5 * H, 3),
        ("delivered", SUBMITTED + 6 * H, 4),
    ];
    assert!(codes(&events, |_| {}).is_empty());
}

#[test]
fn general_rules() {
    let events = [("accepted", SUBMITTED + H, 1)];
    assert_eq!(
        codes(&events, |c| c.handling_mode = Some("7")),
        ["general.handling_mode"]
    );
    assert_eq!(
        codes(&events, |c| c.applicant_name = " 测试 "),
        ["general.applicant_name"]
    );
    assert!(codes(&events, |c| c.handling_mode = None).is_empty());
}

#[test]
fn item_relation_rules() {
    // Accepted after version 1 ended: not in force, and version 2 promises 8 days, not 10.
    let late = [("accepted", SUBMITTED + 200 * H, 1)];
    assert_eq!(
        codes(&late, |_| {}),
        ["item.not_in_force", "item.limit_changed"]
    );
    assert_eq!(codes(&late, |c| c.item_version = 2), Vec::<&str>::new());
    assert_eq!(codes(&late, |c| c.item_version = 7), ["item.not_in_force"]);
}

#[test]
fn process_rules() {
    let before = [("accepted", SUBMITTED - H, 1)];
    assert_eq!(codes(&before, |_| {}), ["process.before_submission"]);
    let no_acceptance = [("completed", SUBMITTED + H, 1)];
    assert_eq!(
        codes(&no_acceptance, |_| {}),
        ["process.missing_acceptance"]
    );
    let reversed = [
        ("completed", SUBMITTED + H, 1),
        ("accepted", SUBMITTED + 2 * H, 2),
    ];
    // The acceptance after completion is also a step after completion.
    assert_eq!(
        codes(&reversed, |_| {}),
        [
            "process.completed_before_accepted",
            "process.after_completion"
        ]
    );
    let after = [
        ("accepted", SUBMITTED + H, 1),
        ("completed", SUBMITTED + 2 * H, 2),
        ("supplement_start", SUBMITTED + 3 * H, 3),
    ];
    assert_eq!(codes(&after, |_| {}), ["process.after_completion"]);
    let swapped = [
        ("accepted", SUBMITTED + 3 * H, 1),
        ("decided", SUBMITTED + 2 * H, 2),
    ];
    assert_eq!(codes(&swapped, |_| {}), ["process.out_of_order"]);
}

#[test]
fn reasons_name_the_times() {
    let versions = versions();
    let events = [("completed", SUBMITTED + H, 1)];
    let case = CaseFacts {
        submitted_at: SUBMITTED,
        applicant_name: "王五",
        handling_mode: None,
        item_version: 1,
        versions: &versions,
        events: &events,
    };
    assert_eq!(
        check_case(&case)[0].reason,
        "2026-03-02T10:00:00+08:00 办结，无受理环节"
    );
}
