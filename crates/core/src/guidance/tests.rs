use super::answer::{evaluate, merge, AnswerError, Answers};
use super::coverage::{check, combinations};
use super::token::{sign, verify, Claims, TokenError};
use super::tolerance::{check_request, due_at, render, unknown_placeholders, RequestError};
use super::*;
use crate::monitoring::calendar::WorkCalendar;
use proptest::prelude::*;
use serde_json::{json, Value};

/// A small tree: who applies (person / company), whether by an agent
/// (company only), which extras (multiple). The agent's letter is required
/// twice with different terms; "none" excludes the other extras.
fn tree() -> TreeBody {
    serde_json::from_value(json!({
        "kind": "theme",
        "notices": ["请携带原件"],
        "items": [{"code": "I1", "name": "设立登记", "promised_days": 3}, {"code": "I2", "name": "许可", "promised_days": 10}],
        "materials": [
            {"code": "M1", "name": "申请书"},
            {"code": "M2", "name": "身份证明", "copies": 1},
            {"code": "M3", "name": "授权委托书", "required": false, "item_code": "I1", "tolerable": true},
            {"code": "M4", "name": "场地证明", "item_code": "I2"}
        ],
        "questions": [
            {"code": "who", "title": "申请人", "options": [
                {"code": "person", "label": "个人", "effects": {"items": ["I1"], "materials": [{"code": "M1"}, {"code": "M2"}]}},
                {"code": "company", "label": "企业", "effects": {"items": ["I1"], "materials": [{"code": "M1", "copies": 2}]}}
            ]},
            {"code": "agent", "title": "是否委托", "depends_on": {"question": "who", "options": ["company"]}, "options": [
                {"code": "yes", "label": "是", "effects": {"materials": [{"code": "M3", "original": true}, {"code": "M2", "copies": 2}]}},
                {"code": "no", "label": "否", "effects": {"materials": [{"code": "M2"}]}}
            ]},
            {"code": "extras", "title": "其他事项", "multiple": true, "options": [
                {"code": "permit", "label": "许可", "effects": {"items": ["I2"], "materials": [{"code": "M4"}, {"code": "M3", "required": true, "copies": 3}], "notices": ["许可需现场核查"]}},
                {"code": "none", "label": "都不需要"}
            ]}
        ],
        "exclusions": [{"options": [{"question": "extras", "option": "permit"}, {"question": "extras", "option": "none"}]}]
    }))
    .unwrap()
}

fn answers(pairs: &[(&str, &[&str])]) -> Answers {
    pairs
        .iter()
        .map(|(q, os)| (q.to_string(), os.iter().map(|o| o.to_string()).collect()))
        .collect()
}

fn line(outcome: &answer::Outcome, code: &str) -> (u32, bool, bool) {
    let m = outcome.materials.iter().find(|m| m.code == code).unwrap();
    (m.copies, m.original, m.required)
}

#[test]
fn the_sample_tree_is_valid_and_covered() {
    let t = tree();
    assert_eq!(t.validate(), vec![]);
    let coverage = check(&t);
    assert!(coverage.passes(), "{coverage:?}");
    // person × {permit, none} + company × {yes, no} × {permit, none}
    assert_eq!(coverage.combinations, 6);
}

#[test]
fn merging_keeps_the_strictest_terms_once_per_material() {
    let t = tree();
    let out = evaluate(
        &t,
        &answers(&[
            ("who", &["company"]),
            ("agent", &["yes"]),
            ("extras", &["permit"]),
        ]),
    )
    .unwrap();
    let codes: Vec<&str> = out.materials.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(
        codes,
        ["M1", "M2", "M3", "M4"],
        "catalogue order, each once"
    );
    assert_eq!(line(&out, "M1"), (2, false, true));
    assert_eq!(line(&out, "M2"), (2, false, true));
    // agent: original, optional; permit: 3 copies, required → all three strictest.
    assert_eq!(line(&out, "M3"), (3, true, true));
    assert_eq!(
        out.items
            .iter()
            .map(|i| i.code.as_str())
            .collect::<Vec<_>>(),
        ["I1", "I2"]
    );
    assert_eq!(out.notices, ["请携带原件", "许可需现场核查"]);
    assert_eq!(out.path, "who=company;agent=yes;extras=permit");
}

#[test]
fn a_person_is_not_asked_about_an_agent() {
    let t = tree();
    let out = evaluate(&t, &answers(&[("who", &["person"]), ("extras", &["none"])])).unwrap();
    assert_eq!(
        out.materials
            .iter()
            .map(|m| m.code.as_str())
            .collect::<Vec<_>>(),
        ["M1", "M2"]
    );
    assert_eq!(line(&out, "M1"), (1, false, true));
    assert_eq!(
        evaluate(
            &t,
            &answers(&[
                ("who", &["person"]),
                ("agent", &["no"]),
                ("extras", &["none"])
            ])
        ),
        Err(AnswerError::NotApplicable("agent".into()))
    );
    assert_eq!(
        evaluate(
            &t,
            &answers(&[("who", &["company"]), ("extras", &["none"])])
        ),
        Err(AnswerError::Incomplete(vec!["agent".into()]))
    );
}

#[test]
fn refusals_name_what_is_wrong() {
    let t = tree();
    let refused = evaluate(
        &t,
        &answers(&[("who", &["person"]), ("extras", &["permit", "none"])]),
    );
    assert_eq!(
        refused,
        Err(AnswerError::Exclusive(vec![
            OptionRef {
                question: "extras".into(),
                option: "none".into()
            },
            OptionRef {
                question: "extras".into(),
                option: "permit".into()
            },
        ]))
    );
    assert_eq!(
        evaluate(
            &t,
            &answers(&[("who", &["person", "company"]), ("extras", &["none"])])
        ),
        Err(AnswerError::OneOption("who".into()))
    );
    assert_eq!(
        evaluate(&t, &answers(&[("who", &["robot"])])),
        Err(AnswerError::UnknownOption(OptionRef {
            question: "who".into(),
            option: "robot".into()
        }))
    );
    assert_eq!(
        evaluate(&t, &answers(&[("why", &["x"])])),
        Err(AnswerError::UnknownQuestion("why".into()))
    );
    assert_eq!(
        evaluate(&t, &answers(&[("who", &[])])),
        Err(AnswerError::NoOption("who".into()))
    );
}

#[test]
fn coverage_finds_empty_contradictory_dead_end_and_unreachable() {
    let mut t = tree();
    // "none" for a person yields only M1/M2 — make person bring nothing.
    t.questions[0].options[0].effects.materials.clear();
    t.materials.push(MaterialDef {
        code: "M9".into(),
        name: "从未用到".into(),
        copies: 1,
        original: false,
        required: true,
        item_code: None,
        tolerable: false,
    });
    // The permit waives the application form the company must hand in.
    t.questions[2].options[0].effects.waives.push("M1".into());
    let coverage = check(&t);
    assert_eq!(coverage.empty, ["who=person;extras=none"]);
    assert_eq!(coverage.contradictory_count, 2, "{coverage:?}");
    assert_eq!(
        coverage.contradictory[0].path,
        "who=company;agent=yes;extras=permit"
    );
    assert_eq!(coverage.contradictory[0].materials, ["M1"]);
    assert_eq!(coverage.unreachable_materials, ["M9"]);
    assert!(!coverage.passes());

    // A company with an agent cannot choose any extra: a dead end.
    let mut t = tree();
    for option in ["permit", "none"] {
        t.exclusions.push(Exclusion {
            options: vec![
                OptionRef {
                    question: "agent".into(),
                    option: "yes".into(),
                },
                OptionRef {
                    question: "extras".into(),
                    option: option.into(),
                },
            ],
            reason: None,
        });
    }
    let coverage = check(&t);
    assert_eq!(coverage.dead_end_count, 1);
    assert_eq!(coverage.dead_ends[0].path, "who=company;agent=yes");
    assert_eq!(coverage.dead_ends[0].question, "extras");
}

#[test]
fn validation_points_at_bad_references() {
    let mut t = tree();
    t.questions[1].depends_on = Some(Dependency {
        question: "extras".into(),
        options: vec!["none".into()],
    });
    t.questions[0].options[0]
        .effects
        .materials
        .push(MaterialUse {
            code: "MX".into(),
            copies: None,
            original: None,
            required: None,
        });
    t.questions[2].options[1].code = "permit".into();
    t.exclusions.push(Exclusion {
        options: vec![OptionRef {
            question: "who".into(),
            option: "alien".into(),
        }],
        reason: None,
    });
    let paths: Vec<String> = t.validate().into_iter().map(|p| p.path).collect();
    assert!(
        paths.contains(&"questions[1].depends_on.question".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"questions[0].options[0].effects.materials[2]".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"questions[2].options[1].code".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"exclusions[1].options".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"exclusions[1].options[0]".to_string()),
        "{paths:?}"
    );
}

#[test]
fn every_combination_answers_like_its_merge() {
    let t = tree();
    let all = combinations(&t, 100).unwrap();
    assert_eq!(all.len(), 6);
    for a in &all {
        let out = evaluate(&t, a).unwrap();
        assert_eq!(out, merge(&t, &answer::chosen_refs(&t, a)));
    }
    assert_eq!(combinations(&t, 5), None);
}

#[test]
fn tokens_verify_until_they_expire_and_not_when_changed() {
    let key = [7u8; 32];
    let claims = Claims {
        tree: "T".into(),
        version: 2,
        path: "who=person".into(),
        answers: answers(&[("who", &["person"])]),
        materials: vec!["M1".into()],
        items: vec!["I1".into()],
        issued_at: 1_000,
        expires_at: 5_000,
    };
    let token = sign(&key, &claims);
    assert_eq!(verify(&key, &token, 5_000), Ok(claims.clone()));
    assert_eq!(verify(&key, &token, 5_001), Err(TokenError::Expired));
    assert_eq!(
        verify(&[8u8; 32], &token, 2_000),
        Err(TokenError::BadSignature)
    );
    let (payload, signature) = token.split_once('.').unwrap();
    let mut forged = claims;
    forged.materials.clear();
    let forged_payload = sign(&key, &forged).split_once('.').unwrap().0.to_string();
    assert_ne!(forged_payload, payload);
    assert_eq!(
        verify(&key, &format!("{forged_payload}.{signature}"), 2_000),
        Err(TokenError::BadSignature)
    );
    assert_eq!(verify(&key, "no-dot", 2_000), Err(TokenError::Malformed));
}

#[test]
fn commitments_fill_their_placeholders() {
    let values = [
        ("applicant_name", "张三".to_string()),
        ("deadline_days", "5".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        render(
            "{applicant_name} 于 {deadline_days} 日内补齐 {other}",
            &values
        ),
        "张三 于 5 日内补齐 {other}"
    );
    assert_eq!(render("open { brace", &values), "open { brace");
    assert_eq!(unknown_placeholders("{case_code}{bogus}"), ["bogus"]);
    assert!(unknown_placeholders(tolerance::DEFAULT_TEMPLATE).is_empty());
}

#[test]
fn tolerance_deadlines_count_working_days_and_requests_are_checked() {
    let calendar = WorkCalendar::weekdays_only();
    // Friday 2026-01-09 10:00 +08:00 → 3 working days: Mon, Tue, Wed 14th 23:59:59.
    let friday = crate::time::parse_rfc3339("2026-01-09T10:00:00+08:00").unwrap();
    let due = due_at(&calendar, friday, 3);
    assert_eq!(crate::time::to_rfc3339(due), "2026-01-14T23:59:59+08:00");
    let tolerable = vec!["M3".to_string()];
    assert_eq!(check_request(&["M3".into()], &tolerable, 5), Ok(()));
    assert_eq!(
        check_request(&[], &tolerable, 5),
        Err(RequestError::NothingMissing)
    );
    assert_eq!(
        check_request(&["M3".into()], &tolerable, 0),
        Err(RequestError::Deadline)
    );
    assert_eq!(
        check_request(&["M3".into()], &tolerable, 61),
        Err(RequestError::Deadline)
    );
    assert_eq!(
        check_request(&["M1".into(), "M3".into()], &tolerable, 5),
        Err(RequestError::NotTolerable(vec!["M1".into()]))
    );
}

/// Random trees: 1–4 questions of 1–4 options over 5 materials, each option
/// using random materials with random terms, random dependencies on earlier
/// questions and random exclusions.
fn arb_tree() -> impl Strategy<Value = TreeBody> {
    let option = prop::collection::vec(
        (
            0..5usize,
            prop::option::of(1..4u32),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
        ),
        0..4,
    );
    let question = (
        any::<bool>(),
        prop::collection::vec(option, 1..4),
        prop::option::of((0..4usize, 0..4usize)),
    );
    (
        prop::collection::vec(question, 1..5),
        prop::collection::vec(((0..4usize, 0..4usize), (0..4usize, 0..4usize)), 0..3),
    )
        .prop_map(|(questions, exclusions)| {
            let materials: Vec<MaterialDef> = (0..5)
                .map(|i| MaterialDef {
                    code: format!("M{i}"),
                    name: format!("材料{i}"),
                    copies: 1,
                    original: false,
                    required: i % 2 == 0,
                    item_code: None,
                    tolerable: false,
                })
                .collect();
            let mut qs: Vec<Question> = Vec::new();
            for (qi, (multiple, options, dep)) in questions.into_iter().enumerate() {
                let depends_on = dep.filter(|_| qi > 0).map(|(parent, opt)| {
                    let parent = &qs[parent % qi];
                    Dependency {
                        question: parent.code.clone(),
                        options: vec![parent.options[opt % parent.options.len()].code.clone()],
                    }
                });
                qs.push(Question {
                    code: format!("q{qi}"),
                    title: format!("问题{qi}"),
                    multiple,
                    depends_on,
                    options: options
                        .into_iter()
                        .enumerate()
                        .map(|(oi, uses)| OptionDef {
                            code: format!("o{oi}"),
                            label: format!("选项{oi}"),
                            effects: Effects {
                                materials: uses
                                    .into_iter()
                                    .map(|(m, copies, original, required)| MaterialUse {
                                        code: format!("M{m}"),
                                        copies,
                                        original,
                                        required,
                                    })
                                    .collect(),
                                ..Effects::default()
                            },
                        })
                        .collect(),
                });
            }
            let pick = |(q, o): (usize, usize)| {
                let q = &qs[q % qs.len()];
                OptionRef {
                    question: q.code.clone(),
                    option: q.options[o % q.options.len()].code.clone(),
                }
            };
            let exclusions = exclusions
                .into_iter()
                .map(|(a, b)| Exclusion {
                    options: vec![pick(a), pick(b)],
                    reason: None,
                })
                .filter(|e| e.options[0] != e.options[1])
                .collect();
            TreeBody {
                kind: TreeKind::Item,
                description: String::new(),
                notices: vec![],
                items: vec![],
                materials,
                questions: qs,
                exclusions,
            }
        })
}

proptest! {
    #[test]
    fn every_walked_combination_is_accepted_and_merged_strictly(t in arb_tree()) {
        prop_assert_eq!(t.validate(), vec![]);
        let all = combinations(&t, 100_000).unwrap();
        prop_assert_eq!(all.len(), check(&t).combinations);
        for a in &all {
            let out = evaluate(&t, a).unwrap();
            // Each material once, with the strictest terms of every use on the path.
            let chosen = answer::chosen_refs(&t, a);
            for line in &out.materials {
                prop_assert_eq!(out.materials.iter().filter(|m| m.code == line.code).count(), 1);
                let def = t.material(&line.code).unwrap();
                let uses: Vec<&MaterialUse> = chosen.iter()
                    .flat_map(|r| t.question(&r.question).unwrap().options.iter().find(|o| o.code == r.option).unwrap().effects.materials.iter())
                    .filter(|u| u.code == line.code)
                    .collect();
                prop_assert!(!uses.is_empty());
                prop_assert_eq!(line.copies, uses.iter().map(|u| u.copies.unwrap_or(def.copies)).max().unwrap());
                prop_assert_eq!(line.original, uses.iter().any(|u| u.original.unwrap_or(def.original)));
                prop_assert_eq!(line.required, uses.iter().any(|u| u.required.unwrap_or(def.required)));
            }
            // Answer order never matters.
            let reversed: Vec<OptionRef> = chosen.iter().rev().cloned().collect();
            prop_assert_eq!(&merge(&t, &reversed).materials, &out.materials);
        }
    }
}

#[test]
fn a_tree_with_too_many_combinations_is_refused_as_unchecked() {
    // 10 questions of 4 options: 4^10 ≈ 1M combinations, past the bound.
    let questions: Vec<Value> = (0..10)
        .map(|q| {
            json!({"code": format!("q{q}"), "title": "问题", "options": (0..4)
                .map(|o| json!({"code": format!("o{o}"), "label": "选项", "effects": {"materials": [{"code": "M1"}]}}))
                .collect::<Vec<_>>()})
        })
        .collect();
    let t: TreeBody = serde_json::from_value(json!({
        "kind": "item", "materials": [{"code": "M1", "name": "申请书"}], "questions": questions
    }))
    .unwrap();
    let started = std::time::Instant::now();
    let coverage = check(&t);
    eprintln!(
        "coverage of {} combinations: {:?}",
        coverage.combinations,
        started.elapsed()
    );
    assert!(coverage.truncated);
    assert_eq!(coverage.combinations, coverage::MAX_COMBINATIONS);
    assert!(!coverage.passes(), "an unchecked tree is not published");
}
