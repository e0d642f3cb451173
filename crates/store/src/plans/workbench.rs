//! The workbench lists' plans: work orders (by scope, windowed filters,
//! 我的待办, the due-time sort) and tolerance cases.

use super::{
    assert_plan, city, cursor, department, district, filters_on_the_index_entry, page_sql, plan,
};
use crate::db::Sql;
use crate::list::ListRequest;
use crate::workorders::{order_select, push_filter, WorkOrderFilter, WORK_ORDER_LIST};

#[tokio::test]
async fn the_work_order_list_uses_its_scope_indexes_without_statistics() {
    let db = crate::fresh_sqlite::FreshSqlite::open("plans-wo").await;
    let store = &db.store;
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
            &plan(store, &sql).await,
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
            &plan(store, &sql).await,
            index,
        );
        assert!(
            filters_on_the_index_entry(store, &sql).await,
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
        let text = plan(store, &sql).await.join(" | ");
        assert!(
            !text.contains("TEMP B-TREE"),
            "work orders open {who}: {text}"
        );
        // The window's edge under the due-time sort is found in its index
        // and fetched by its code, never by scanning the orders. (SQLite does
        // not call an index of a virtual column covering, but the probe reads
        // only the index's columns: its deferred seek into the table never
        // happens.)
        let by_due =
            ListRequest::new(&WORK_ORDER_LIST, Some("-due_at"), None, 0, 20).expect("request");
        let window =
            crate::list::ScanWindow::for_filters(Vec::new(), true).expect("a windowed filter");
        let mut probe = Sql::new(&select);
        window.push(&mut probe, "w.due_sort");
        by_due.push_edge(&mut probe, "FROM work_orders w WHERE 1 = 1", &window);
        let probe_plan = plan(store, &probe).await.join(" | ");
        assert!(
            probe_plan.starts_with("SEARCH w USING INDEX")
                && probe_plan
                    .split(" | ")
                    .all(|line| !line.starts_with("SCAN w")
                        || line.contains("INDEX work_orders_list_due")),
            "work orders edge {who}: {probe_plan}"
        );
        assert!(
            filters_on_the_index_entry(store, &sql).await,
            "work orders open {who}: the state is read from the table row: {text}"
        );
    }
    db.close().await;
}

/// A cursor for `sort` among the orders without a due time (keys: the sort
/// value and the code, or the code alone when sorting by it).
fn order_cursor(sort: &str) -> String {
    let keys = if sort.trim_start_matches('-') == "code" {
        r#"["BW1"]"#
    } else {
        r#"[253402300799999,"BW1"]"#
    };
    cursor(sort, keys)
}

/// Every sort of the workbench, for every scope, past a cursor: one range of an
/// index that leads with the scope and the sort, even among the orders without
/// a due time: the row value is the range, not a test of every entry with the
/// cursor's sort value.
#[tokio::test]
async fn every_work_order_sort_reads_a_range_past_its_cursor_without_statistics() {
    let db = crate::fresh_sqlite::FreshSqlite::open("plans-wo-sorts").await;
    let store = &db.store;
    let select = order_select();
    for (who, scope, prefix) in [
        ("city", city(), ""),
        ("district", district(), "district_"),
        ("department", department(), ""),
    ] {
        for (sort, index, range) in [
            ("-updated_at", "updated", "(updated_at,code)<"),
            ("updated_at", "updated", "(updated_at,code)>"),
            ("-due_at", "due", "(due_sort,code)<"),
            ("due_at", "due", "(due_sort,code)>"),
            ("-code", "code", "code<"),
            ("code", "code", "code>"),
        ] {
            let cursor = order_cursor(sort);
            let request = ListRequest::new(&WORK_ORDER_LIST, Some(sort), Some(&cursor), 0, 20)
                .expect("request");
            let mut sql = Sql::new(&select);
            push_filter(&mut sql, &scope, &WorkOrderFilter::default());
            request.push_page(&mut sql);
            let lines = plan(store, &sql).await;
            let text = lines.join(" | ");
            // The city's code sort is the primary key; a department user's
            // page may lead with the district or the department.
            let expected = match (who, index) {
                ("city", "code") => "sqlite_autoindex_work_orders".to_string(),
                ("department", _) => format!("_{index} ("),
                _ => format!("work_orders_list_{prefix}{index} ("),
            };
            assert!(
                lines[0].starts_with("SEARCH w USING ")
                    && lines[0].contains(&expected)
                    && lines[0].contains(range),
                "work orders {who} sort {sort}: expected {expected} with {range}: {text}"
            );
            assert!(
                !text.contains("TEMP B-TREE"),
                "{who} {sort}: sorts rows: {text}"
            );
            // A type and state (a windowed filter) are tested on the index
            // entry; the primary key holds only the code.
            let open = WorkOrderFilter {
                order_type: Some("complaint".into()),
                state: Some("handling".into()),
                ..Default::default()
            };
            let mut sql = Sql::new(&select);
            push_filter(&mut sql, &scope, &open);
            request.push_page(&mut sql);
            assert!(
                (who, index) == ("city", "code") || filters_on_the_index_entry(store, &sql).await,
                "work orders {who} sort {sort}: the state is read from the table row"
            );
        }
    }
    db.close().await;
}

#[tokio::test]
async fn the_tolerance_list_uses_its_scope_indexes_without_statistics() {
    use crate::guidance::tolerance::{
        push_filter, ToleranceFilter, TOLERANCE_LIST, TOLERANCE_SELECT,
    };
    let db = crate::fresh_sqlite::FreshSqlite::open("plans-tol").await;
    let store = &db.store;
    let cursor = cursor("-created_at", "[1764806400000,5]");
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
                &plan(store, &sql).await,
                index,
            );
        }
    }
    db.close().await;
}
