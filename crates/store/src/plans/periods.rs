//! A period on a list's sort column beside a cursor or a window's edge: the
//! row value must be the index bound on its side (the period is still
//! tested). With both as bounds SQLite ranged on the period and tested the
//! row value entry by entry, so a window's count read its whole period and a
//! cursor page read from the period's end down to its cursor.

use super::{cursor, plan};
use crate::aggregation::{
    push_case_filters, push_consultation_filters, CaseFilter, ConsultationFilter, CASE_LIST,
    CASE_SELECT, CONSULTATION_LIST, CONSULTATION_SELECT,
};
use crate::audit::{AuditFilter, AUDIT_COLUMNS, AUDIT_LIST};
use crate::db::Sql;
use crate::list::{bounded_count, close_bounded_count, Key, ListRequest, ListSpec};

/// One list under a period: its spec, select, FROM … WHERE, filter, and the
/// row value its keys make in SQLite's plan (`(sort,tie)`).
struct Periodic<T: 'static> {
    spec: &'static ListSpec<T>,
    select: &'static str,
    from_where: &'static str,
    push: Box<dyn Fn(&mut Sql)>,
    keys: &'static str,
    cursor: String,
}

async fn assert_row_value_bounds<T>(store: &crate::Store, label: &str, list: Periodic<T>) {
    // A window's count: the edge bounds it from below (newest first).
    let request = ListRequest::new(list.spec, None, None, 0, 20).expect("request");
    let mut count = bounded_count(list.from_where);
    count.with_key_bounds(request.key_bounds(false, true));
    (list.push)(&mut count);
    request.push_edge_count_keys(&mut count, &[Key::Int(1), Key::Text("X1".into())]);
    close_bounded_count(&mut count, 10_000);
    let text = plan(store, &count).await.join(" | ");
    assert!(
        text.contains(&format!("{}>(?,?)", list.keys)),
        "{label}: the window's count ranges on the period, not its edge: {text}"
    );
    // A cursor page: the cursor bounds it from above.
    let request =
        ListRequest::new(list.spec, None, Some(&list.cursor), 0, 20).expect("cursor request");
    let mut page = Sql::new(list.select);
    page.with_key_bounds(request.key_bounds(true, false));
    (list.push)(&mut page);
    request.push_page(&mut page);
    let text = plan(store, &page).await.join(" | ");
    assert!(
        text.contains(&format!("{}<(?,?)", list.keys)),
        "{label}: the cursor page ranges on the period, not its cursor: {text}"
    );
}

#[tokio::test]
async fn a_period_leaves_the_index_bounds_to_the_cursor_and_the_edge() {
    let db = crate::fresh_sqlite::FreshSqlite::open("plans-periods").await;
    let store = &db.store;
    let (from_ms, to_ms) = (Some(1), Some(2_000_000_000_000));
    let cases = CaseFilter {
        status: Some("withdrawn".into()),
        from_ms,
        to_ms,
        ..Default::default()
    };
    assert_row_value_bounds(
        store,
        "cases",
        Periodic {
            spec: &CASE_LIST,
            select: CASE_SELECT,
            from_where: "FROM cases c WHERE 1 = 1",
            push: Box::new(move |sql| push_case_filters(sql, &super::city(), &cases)),
            keys: "(submitted_at,case_code)",
            cursor: cursor("-submitted_at", r#"[5,"C5"]"#),
        },
    )
    .await;
    let consultations = ConsultationFilter {
        channel: Some("wechat".into()),
        from_ms,
        to_ms,
        ..Default::default()
    };
    assert_row_value_bounds(
        store,
        "consultations",
        Periodic {
            spec: &CONSULTATION_LIST,
            select: CONSULTATION_SELECT,
            from_where: "FROM consultations k WHERE 1 = 1",
            push: Box::new(move |sql| {
                push_consultation_filters(sql, &super::district(), &consultations)
            }),
            keys: "(asked_at,code)",
            cursor: cursor("-asked_at", r#"[5,"K5"]"#),
        },
    )
    .await;
    let audit = AuditFilter {
        result: Some("failure".into()),
        from_ms,
        to_ms,
        ..Default::default()
    };
    assert_row_value_bounds(
        store,
        "audit",
        Periodic {
            spec: &AUDIT_LIST,
            select: AUDIT_COLUMNS,
            from_where: crate::audit::AUDIT_FROM,
            push: Box::new(move |sql| audit.push_where(sql)),
            keys: "(at_ms,seq)",
            cursor: cursor("-seq", "[5,5]"),
        },
    )
    .await;
    db.close().await;
}
