//! Work-order storage on every available backend: creation idempotent on the
//! source key, scoped lists and views, compare-and-set steps (a stale step
//! changes nothing), the append-only timeline, content-addressed attachments
//! and the overdue sweep raising each warning once.

use govpulse_core::audit::Outcome;
use govpulse_store::audit::AuditRecord;
use govpulse_store::list::ListRequest;
use govpulse_store::org::OrgScope;
use govpulse_store::testing::TestDb;
use govpulse_store::workorders::{
    ActionableStates, NewAttachment, NewWorkOrder, Step, View, WorkOrderFilter, WORK_ORDER_LIST,
};
use govpulse_store::Store;

fn record(action: &str) -> AuditRecord {
    AuditRecord {
        actor: "tester".into(),
        ip: "127.0.0.1".into(),
        action: action.into(),
        object_type: "work_order".into(),
        object_id: String::new(),
        result: Outcome::Success,
        details: serde_json::json!({}),
    }
}

fn order(key: &str, region: &str, dept: &str, due_at: Option<i64>) -> NewWorkOrder {
    NewWorkOrder {
        code_prefix: "TS".into(),
        order_type: "complaint".into(),
        state: "received".into(),
        title: format!("投诉{key}"),
        subject_kind: "complaint".into(),
        subject_ref: key.into(),
        source_key: format!("complaint:{key}"),
        region_code: region.into(),
        department_code: dept.into(),
        class_code: None,
        data: "{}".into(),
        due_at,
        created_by: "city".into(),
        created_by_name: "市级运营专员".into(),
        comment: None,
    }
}

fn step<'a>(code: &'a str, version: i64, from: &'a str, to: &'a str) -> Step<'a> {
    Step {
        code,
        expected_version: version,
        action: "dispatch",
        from_state: from,
        to_state: to,
        due_at: Some(1),
        clock_started_at: 0,
        suspended_days: 0,
        paused_at: None,
        closed: false,
        department_code: Some("110105D007"),
        class_code: Some("A01"),
        data: "{\"class_code\":\"A01\"}",
        actor: "chaoyang",
        actor_name: "朝阳区运营专员",
        actor_unit: None,
        comment: Some("派发"),
        fields: "{}",
        attachments: &[],
        now_ms: 1_000,
    }
}

async fn codes(store: &Store, scope: &OrgScope, view: View) -> Vec<String> {
    let filter = WorkOrderFilter {
        view,
        ..Default::default()
    };
    let request = ListRequest::first(&WORK_ORDER_LIST, 100);
    let page = store
        .list_work_orders(scope, &filter, &request)
        .await
        .unwrap();
    let mut codes: Vec<String> = page.items.into_iter().map(|r| r.code).collect();
    codes.sort();
    codes
}

fn district(code: &str) -> OrgScope {
    OrgScope {
        region_range: Some(govpulse_core::region::subtree_range(code)),
        department: None,
    }
}

#[tokio::test]
async fn orders_steps_views_and_the_sweep() {
    for db in TestDb::all().await {
        let store = &db.store;
        let created = store
            .create_work_orders(
                &[
                    order("1", "110105", "", Some(10)),
                    order("2", "110108", "110108D007", None),
                    order("1", "110105", "", None),
                ],
                &record("workorder.create"),
                1_000,
            )
            .await
            .unwrap();
        assert!(created[0].is_some() && created[1].is_some(), "{created:?}");
        assert_eq!(
            created[2], None,
            "the same source key opens no second order"
        );
        let cy = created[0].clone().unwrap();
        let hd = created[1].clone().unwrap();
        assert!(cy.starts_with("TS110105"), "{cy}");

        // Scope: a district sees its own; a department its unit's.
        assert_eq!(
            codes(store, &district("110105"), View::All).await,
            vec![cy.clone()]
        );
        let hd_unit = OrgScope {
            region_range: None,
            department: Some("110108D007".into()),
        };
        assert_eq!(codes(store, &hd_unit, View::All).await, vec![hd.clone()]);
        assert!(store
            .work_order(&district("110108"), &cy)
            .await
            .unwrap()
            .is_none());

        // To-do: operators may dispatch orders in `received`.
        let todo = View::Todo(vec![ActionableStates {
            order_type: "complaint".into(),
            states: vec!["received".into()],
            department: None,
        }]);
        assert_eq!(
            codes(store, &OrgScope::default(), todo.clone()).await.len(),
            2
        );
        assert!(codes(store, &OrgScope::default(), View::Todo(vec![]))
            .await
            .is_empty());

        // A step compares the version: the second of two racing steps changes nothing.
        let row = store
            .work_order(&OrgScope::default(), &cy)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.version, 1);
        let first = store
            .step_work_order(
                &step(&cy, 1, "received", "handling"),
                &record("workorder.dispatch"),
            )
            .await
            .unwrap();
        let second = store
            .step_work_order(
                &step(&cy, 1, "received", "handling"),
                &record("workorder.dispatch"),
            )
            .await
            .unwrap();
        assert_eq!((first, second), (Some(()), None));
        let row = store
            .work_order(&OrgScope::default(), &cy)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                row.state.as_str(),
                row.version,
                row.department_code.as_str()
            ),
            ("handling", 2, "110105D007")
        );
        assert_eq!(row.class_code.as_deref(), Some("A01"));
        let timeline = store.work_order_timeline(&cy).await.unwrap();
        let actions: Vec<&str> = timeline.iter().map(|t| t.action.as_str()).collect();
        assert_eq!(actions, ["create", "dispatch"]);
        assert_eq!(
            codes(store, &OrgScope::default(), View::Done("chaoyang".into())).await,
            vec![cy.clone()]
        );
        assert_eq!(
            codes(store, &OrgScope::default(), View::Created("city".into()))
                .await
                .len(),
            2
        );

        // The overdue sweep raises one warning per order falling due, once.
        assert_eq!(
            store.sweep_overdue_work_orders(5_000, 100).await.unwrap(),
            1
        );
        assert_eq!(
            store.sweep_overdue_work_orders(6_000, 100).await.unwrap(),
            0
        );

        // Attachments: the same content is stored once.
        for name in ["a.pdf", "b.pdf"] {
            let attachment = NewAttachment {
                order_code: &hd,
                sha256: "ab12",
                name,
                content_type: "application/pdf",
                content: b"%PDF-1.7",
                uploaded_by: "haidian",
            };
            store
                .add_work_order_attachment(&attachment, &record("workorder.attach"), 2_000)
                .await
                .unwrap();
        }
        let attachments = store.work_order_attachments(&hd).await.unwrap();
        assert_eq!(attachments.len(), 2);
        let (_, content) = store
            .work_order_attachment_content(&hd, attachments[1].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(content, b"%PDF-1.7");
        db.cleanup().await;
    }
}

/// Every order once, in due order, walking `sort` by cursors of `size` rows.
async fn walk_by_due(store: &Store, sort: &str, size: i64) -> Vec<(Option<i64>, String)> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let request =
            ListRequest::new(&WORK_ORDER_LIST, Some(sort), after.as_deref(), 0, size).unwrap();
        let page = store
            .list_work_orders(&district("110105"), &WorkOrderFilter::default(), &request)
            .await
            .unwrap();
        seen.extend(page.items.into_iter().map(|r| (r.due_at, r.code)));
        match page.next {
            Some(next) => after = Some(next),
            None => return seen,
        }
    }
}

/// The due-time sort puts orders without a due time last, oldest first (a
/// generated column, migrations 0021 and 0023); a walk by cursors passes
/// through them row by row, and a step that sets a due time moves the order.
#[tokio::test]
async fn the_due_time_sort_walks_orders_without_a_due_time_last() {
    for db in TestDb::all().await {
        let store = &db.store;
        let orders: Vec<NewWorkOrder> = (0..23)
            .map(|i| {
                // 8 with distinct due times (not in creation order), 15 without.
                let due = (i % 5 == 0 || i % 7 == 0).then(|| 50_000 - i64::from(i) * 1_000);
                order(&format!("due{i}"), "110105", "", due)
            })
            .collect();
        store
            .create_work_orders(&orders, &record("workorder.create"), 1_000)
            .await
            .unwrap();
        // Four more without a due time, created after them in code order but
        // dated earlier: orders without a due time come oldest first.
        let earlier: Vec<NewWorkOrder> = (0..4)
            .map(|i| order(&format!("early{i}"), "110105", "", None))
            .collect();
        let early_codes: Vec<String> = store
            .create_work_orders(&earlier, &record("workorder.create"), 500)
            .await
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        let mut expected: Vec<(Option<i64>, String)> = walk_by_due(store, "code", 100).await;
        expected.sort_by_key(|(due, code)| {
            let created = if early_codes.contains(code) {
                500
            } else {
                1_000
            };
            (due.unwrap_or(i64::MAX), created, code.clone())
        });
        assert_eq!(expected.iter().filter(|(due, _)| due.is_none()).count(), 19);
        assert_eq!(expected[8].1, early_codes[0], "{:?}", db.backend);
        assert_eq!(
            walk_by_due(store, "due_at", 4).await,
            expected,
            "{:?}",
            db.backend
        );
        let mut descending = expected.clone();
        descending.reverse();
        assert_eq!(walk_by_due(store, "-due_at", 4).await, descending);

        // A step gives the last order without a due time the earliest one.
        let (_, code) = expected.last().cloned().unwrap();
        let mut first = step(&code, 1, "received", "handling");
        first.due_at = Some(1);
        first.department_code = None;
        store
            .step_work_order(&first, &record("workorder.dispatch"))
            .await
            .unwrap()
            .expect("the step applies");
        let walked = walk_by_due(store, "due_at", 4).await;
        assert_eq!(walked[0], (Some(1), code), "{:?}", db.backend);
        assert_eq!(walked.len(), expected.len());
    }
}
