//! The workbench lists' plans: work orders (by scope, windowed filters,
//! 我的待办, the due-time sort) and tolerance cases.

use super::{assert_plan, city, department, district, filters_on_the_index_entry, page_sql, plan};
use crate::db::{Sql, Store};
use crate::list::ListRequest;

#[tokio::test]
async fn the_work_order_list_uses_its_scope_indexes_without_statistics() {
    use crate::workorders::{order_select, push_filter, WorkOrderFilter, WORK_ORDER_LIST};
    let dir = std::env::temp_dir().join(format!(
        "govpulse-plans-wo-{}-{}",
        std::process::id(),
        govpulse_core::time::now_ms()
    ));
    let store = Store::open(&format!("sqlite://{}/plans.db", dir.display()))
        .await
        .expect("open");
    let select = order_select();
    for (who, scope, index) in [
        ("city", city(), "work_orders_list_time"),
        ("district", district(), "work_orders_list_district"),
        ("department", department(), "work_orders_list_department"),
    ] {
        let sql = page_sql(&select, &WORK_ORDER_LIST, None, |sql| {
            push_filter(sql, &scope, &WorkOrderFilter::default())
        });
        assert_plan(
            &format!("work orders {who}"),
            &plan(&store, &sql).await,
            index,
        );
        // A windowed page (one type and state, overdue; or 我的待办): the page
        // bounded by its window's edge reads the scope's index in page order
        // and tests the filters on the index entry.
        let todo = WorkOrderFilter {
            view: crate::workorders::View::Todo(vec![crate::workorders::ActionableStates {
                order_type: "complaint".into(),
                states: vec!["handling".into(), "replying".into()],
                department: None,
            }]),
            ..Default::default()
        };
        let sql = page_sql(&select, &WORK_ORDER_LIST, None, |sql| {
            push_filter(sql, &scope, &todo)
        });
        assert_plan(
            &format!("work orders todo {who}"),
            &plan(&store, &sql).await,
            index,
        );
        assert!(
            filters_on_the_index_entry(&store, &sql).await,
            "work orders todo {who}: the state is read from the table row"
        );
        let open = WorkOrderFilter {
            order_type: Some("complaint".into()),
            state: Some("handling".into()),
            overdue: Some(true),
            now_ms: 1,
            ..Default::default()
        };
        let request = ListRequest::new(&WORK_ORDER_LIST, None, None, 0, 20).expect("request");
        let mut sql = Sql::new(&select);
        push_filter(&mut sql, &scope, &open);
        request.push_edge_keys(
            &mut sql,
            &[
                crate::list::Key::Int(1),
                crate::list::Key::Text("X1".into()),
            ],
        );
        request.push_page(&mut sql);
        let text = plan(&store, &sql).await.join(" | ");
        assert!(
            !text.contains("TEMP B-TREE"),
            "work orders open {who}: {text}"
        );
        // The window's edge under a sort by an expression (the due time) is
        // found in that expression's index and fetched by its code, never by
        // scanning the orders.
        let by_due =
            ListRequest::new(&WORK_ORDER_LIST, Some("-due_at"), None, 0, 20).expect("request");
        let window =
            crate::list::ScanWindow::for_filters(Vec::new(), true).expect("a windowed filter");
        let mut probe = Sql::new(&select);
        window.push(&mut probe, "COALESCE(w.due_at, 253402300799999)");
        by_due.push_edge(&mut probe, "FROM work_orders w WHERE 1 = 1", &window);
        let probe_plan = plan(&store, &probe).await.join(" | ");
        // And a page past a cursor or the edge under that sort is a range of
        // the expression's index, not a scan of it from the top.
        let overdue = WorkOrderFilter {
            overdue: Some(true),
            now_ms: 1,
            ..Default::default()
        };
        let mut page = Sql::new(&select);
        push_filter(&mut page, &scope, &overdue);
        by_due.push_edge_keys(
            &mut page,
            &[
                crate::list::Key::Int(1),
                crate::list::Key::Text("X1".into()),
            ],
        );
        by_due.push_page(&mut page);
        let page_plan = plan(&store, &page).await.join(" | ");
        assert!(
            page_plan.starts_with("SEARCH w USING INDEX work_orders_list_")
                && page_plan.contains("due"),
            "work orders by due time {who}: {page_plan}"
        );
        assert!(
            probe_plan.starts_with("SEARCH w USING INDEX")
                && probe_plan
                    .split(" | ")
                    .all(|line| !line.starts_with("SCAN w") || line.contains("COVERING INDEX")),
            "work orders edge {who}: {probe_plan}"
        );
        assert!(
            filters_on_the_index_entry(&store, &sql).await,
            "work orders open {who}: the state is read from the table row: {text}"
        );
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_tolerance_list_uses_its_scope_indexes_without_statistics() {
    use crate::guidance::tolerance::{
        push_filter, ToleranceFilter, TOLERANCE_LIST, TOLERANCE_SELECT,
    };
    let dir = std::env::temp_dir().join(format!(
        "govpulse-plans-tol-{}-{}",
        std::process::id(),
        govpulse_core::time::now_ms()
    ));
    let store = Store::open(&format!("sqlite://{}/plans.db", dir.display()))
        .await
        .expect("open");
    let cursor = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"s":"-created_at","k":[1764806400000,5]}"#)
    };
    for (who, scope, index) in [
        ("city", city(), "tolerance_cases_list"),
        ("district", district(), "tolerance_cases_list_district"),
        (
            "department",
            department(),
            "tolerance_cases_list_department",
        ),
    ] {
        for after in [None, Some(cursor.as_str())] {
            let sql = page_sql(TOLERANCE_SELECT, &TOLERANCE_LIST, after, |sql| {
                push_filter(sql, &scope, &ToleranceFilter::default())
            });
            assert_plan(
                &format!("tolerance {who} {after:?}"),
                &plan(&store, &sql).await,
                index,
            );
        }
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
