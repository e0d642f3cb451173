//! Demo situational guidance: two published 一件事 trees (开办餐饮店,
//! 新生儿出生), their items in the catalogue, four cases in 朝阳区 — one of
//! them by a company on the dishonest-entity list — with tolerance
//! acceptances open, overdue and completed, and answers for the statistics.
//! Everything goes through the same store calls and checks as the API; a
//! second run adds nothing.

use crate::aggregation::pipeline::Pipeline;
use crate::guidance::tolerance::acceptance;
use crate::guidance::trees::tolerable_of;
use crate::seed::beijing::DEMO_DEPARTMENT;
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::Kind;
use govpulse_core::guidance::answer::evaluate;
use govpulse_core::guidance::coverage::combinations;
use govpulse_core::guidance::TreeBody;
use govpulse_core::idnumber::{citizen_id_check, credit_code_check, mask};
use govpulse_core::time::to_rfc3339;
use govpulse_store::audit::AuditRecord;
use govpulse_store::guidance::credit::NewDishonest;
use govpulse_store::guidance::tolerance::ToleranceFilter;
use govpulse_store::guidance::TreeDraft;
use govpulse_store::org::OrgScope;
use serde_json::{json, Map, Value};

const DAY_MS: i64 = 86_400_000;

/// The demo trees as the API takes them (`{code, name, …body}`).
pub const TREES: [&str; 2] = [
    include_str!("guidance/restaurant.json"),
    include_str!("guidance/newborn.json"),
];

/// A demo applicant: (kind, id, name).
fn company(body9: &str, name: &str) -> (&'static str, String, String) {
    let body = format!("91110105{body9}");
    let check = credit_code_check(&body).unwrap_or('0');
    ("org", format!("{body}{check}"), name.to_string())
}

fn person(body17: &str, name: &str) -> (&'static str, String, String) {
    let check = citizen_id_check(body17).unwrap_or('0');
    ("person", format!("{body17}{check}"), name.to_string())
}

/// The company on the dishonest-entity list.
pub fn listed_company() -> (&'static str, String, String) {
    company("MA01WDCY1", "北京味道坊餐饮管理有限公司")
}

/// A demo acceptance: (missing, signed days ago, deadline days, completed days ago).
type DemoTolerance = (&'static [&'static str], i64, u32, Option<i64>);

/// A demo case: (code, item, applicant, days ago, its tolerance acceptance).
type DemoCase = (
    &'static str,
    &'static str,
    (&'static str, String, String),
    i64,
    Option<DemoTolerance>,
);

fn cases() -> Vec<DemoCase> {
    vec![
        (
            "DEMO-RR-0001",
            "110105-SCJG-SPJY",
            listed_company(),
            2,
            None,
        ),
        (
            "DEMO-RR-0002",
            "110105-SCJG-SPJY",
            company("MA02HTCY2", "北京禾田小馆餐饮有限公司"),
            3,
            Some((&["M12"], 1, 10, None)),
        ),
        (
            "DEMO-XS-0001",
            "110105-GA-CSDJ",
            person("11010519920315452", "李娜"),
            25,
            Some((&["B03", "B06"], 20, 5, None)),
        ),
        (
            "DEMO-XS-0002",
            "110105-GA-CSDJ",
            person("11010519880702331", "王磊"),
            30,
            Some((&["B06"], 28, 5, Some(25))),
        ),
    ]
}

fn system(action: &str, object_type: &str, object_id: &str) -> AuditRecord {
    AuditRecord {
        actor: "system".into(),
        ip: "demo".into(),
        action: action.into(),
        object_type: object_type.into(),
        object_id: object_id.into(),
        result: govpulse_core::audit::Outcome::Success,
        details: json!({ "demo": true }),
    }
}

/// Parse a demo tree: `(code, name, body)`.
pub fn demo_tree(text: &str) -> anyhow::Result<(String, String, TreeBody)> {
    let value: Value = serde_json::from_str(text)?;
    let code = value["code"].as_str().unwrap_or_default().to_string();
    let name = value["name"].as_str().unwrap_or_default().to_string();
    Ok((code, name, serde_json::from_value(value)?))
}

fn item_record(tree: &TreeBody, code: &str, valid_from: i64) -> Map<String, Value> {
    let item = tree.item(code);
    let materials: Vec<Value> = tree
        .materials
        .iter()
        .filter(|m| m.item_code.as_deref() == Some(code))
        .map(|m| json!({"material_code": m.code, "name": m.name, "required": m.required, "copies": m.copies}))
        .collect();
    let record = json!({
        "item_code": code, "name": item.map_or(code, |i| i.name.as_str()), "item_type_code": "01",
        "department_code": DEMO_DEPARTMENT, "region_code": "110105", "legal_limit": 20,
        "promised_limit": item.map_or(5, |i| i.promised_days.max(1)), "limit_unit": "working", "case_type_code": 2,
        "handling_modes": ["1", "2"], "materials": materials, "elements": {"fee": "不收费", "theme": "一件事"},
        "valid_from": to_rfc3339(valid_from)[..10].to_string()
    });
    match record {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Load the demo guidance (idempotent per database: trees that exist are skipped).
pub async fn load(pipeline: &Pipeline<'_>, now: i64) -> anyhow::Result<()> {
    let store = pipeline.store;
    let mut trees = Vec::new();
    for text in TREES {
        let (code, name, body) = demo_tree(text)?;
        let problems = body.validate();
        anyhow::ensure!(problems.is_empty(), "demo tree {code}: {problems:?}");
        anyhow::ensure!(
            govpulse_core::guidance::coverage::check(&body).passes(),
            "demo tree {code} fails its coverage check"
        );
        let text = serde_json::to_string(&body)?;
        let draft = TreeDraft {
            code: &code,
            name: &name,
            kind: "theme",
            body: &text,
            actor: "system",
            now_ms: now - 40 * DAY_MS,
        };
        let created = store
            .create_guidance_tree(
                &draft,
                &system("guidance.tree.create", "guidance_tree", &code),
            )
            .await?;
        if created {
            store
                .publish_guidance_tree(
                    &code,
                    1,
                    &tolerable_of(&body),
                    "system",
                    &system("guidance.tree.publish", "guidance_tree", &code),
                    now - 40 * DAY_MS,
                )
                .await?;
        }
        trees.push((code, body, created));
    }
    // The items of the demo cases, in the catalogue.
    let items: Vec<Map<String, Value>> = [("110105-SCJG-SPJY", 0), ("110105-GA-CSDJ", 1)]
        .iter()
        .map(|(code, tree)| item_record(&trees[*tree].1, code, now - 400 * DAY_MS))
        .collect();
    let numbered = |records: Vec<Map<String, Value>>| {
        records
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i + 1, Ok(r)))
            .collect()
    };
    pipeline
        .run(
            Kind::Items,
            "demo",
            &CollectionRules::default(),
            numbered(items),
            now,
        )
        .await?;
    let demo_cases = cases();
    let records: Vec<Map<String, Value>> = demo_cases
        .iter()
        .filter_map(|(code, item, (kind, id, name), days_ago, _)| {
            json!({
                "case_code": code, "item_code": item, "applicant_type": kind, "applicant_id": id,
                "applicant_name": name, "region_code": "110105001", "department_code": DEMO_DEPARTMENT,
                "channel": "window", "submitted_at": to_rfc3339(now - days_ago * DAY_MS)
            })
            .as_object()
            .cloned()
        })
        .collect();
    pipeline
        .run(
            Kind::Cases,
            "demo",
            &CollectionRules::default(),
            numbered(records),
            now,
        )
        .await?;
    let (_, listed_id, _) = listed_company();
    store
        .record_dishonest(
            &[NewDishonest {
                applicant_key: pipeline.vault.key(&listed_id),
                applicant_enc: pipeline.vault.encrypt(&listed_id),
                applicant_masked: mask(&listed_id),
                listed_at: now - 90 * DAY_MS,
                reason: "列入严重违法失信名单：拒不履行行政处罚决定".into(),
                source: "信用中国（北京）".into(),
            }],
            &system("intake.dishonest_list", "source", "demo"),
            now,
        )
        .await?;
    let calendar = crate::monitoring::calendar::effective_calendar(store).await?;
    let everything = OrgScope {
        region_range: None,
        department: None,
    };
    for (code, _, _, _, tolerance) in &demo_cases {
        let (Some((missing, signed_ago, days, completed_ago)), Some(case)) =
            (tolerance, store.get_case(&everything, code).await?)
        else {
            continue;
        };
        let earlier = ToleranceFilter {
            case_code: Some(case.case_code.clone()),
            ..ToleranceFilter::default()
        };
        let request = govpulse_store::list::ListRequest::new(
            &govpulse_store::guidance::tolerance::TOLERANCE_LIST,
            None,
            None,
            0,
            1,
        )?;
        if !store
            .list_tolerance(&everything, &earlier, &request)
            .await?
            .items
            .is_empty()
        {
            continue;
        }
        let missing: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
        let signed_at = now - signed_ago * DAY_MS;
        let new = acceptance(
            store,
            &calendar,
            &case,
            &missing,
            (signed_at, *days),
            "city",
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo tolerance {code}: {}", e.body.message))?;
        if let Some(id) = store
            .create_tolerance(&new, &system("tolerance.create", "case", code), signed_at)
            .await?
        {
            if let Some(ago) = completed_ago {
                store
                    .complete_tolerance(
                        id,
                        "city",
                        &system("tolerance.complete", "case", code),
                        now - ago * DAY_MS,
                    )
                    .await?;
            }
        }
    }
    // Answers for the statistics: every path of each tree, the first ones more often.
    for (code, body, _) in trees.iter().filter(|(_, _, created)| *created) {
        for (i, answers) in combinations(body, 1_000)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .take(40)
        {
            let outcome =
                evaluate(body, answers).map_err(|e| anyhow::anyhow!("demo answer: {e}"))?;
            for _ in 0..(1 + (40 - i) / 8) {
                store
                    .record_guidance_answer(code, 1, &outcome.path, now - (i as i64 % 30) * DAY_MS)
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
