//! Keyset pages, cursors, totals and windows without a database.

use super::*;

struct Row {
    at: i64,
    code: String,
}

static SPEC: ListSpec<Row> = ListSpec {
    fields: &[
        SortField {
            name: "at",
            column: "t.at",
            key: |r| Key::Int(r.at),
        },
        SortField {
            name: "code",
            column: "t.code",
            key: |r| Key::Text(r.code.clone()),
        },
    ],
    default_descending: true,
    tie: SortField {
        name: "code",
        column: "t.code",
        key: |r| Key::Text(r.code.clone()),
    },
};

fn rows(n: i64) -> Vec<Row> {
    (0..n)
        .map(|i| Row {
            at: 100 - i,
            code: format!("C{i}"),
        })
        .collect()
}

#[test]
fn default_and_explicit_sorts() {
    let s = SPEC.sort(None).unwrap();
    assert_eq!(s.as_param(), "-at");
    assert_eq!(SPEC.sort(Some("code")).unwrap().as_param(), "code");
    assert_eq!(SPEC.sort(Some("-code")).unwrap().as_param(), "-code");
    let err = SPEC.sort(Some("secret")).err().unwrap();
    assert!(err.to_string().contains("at, code"), "{err}");
}

#[test]
fn cursor_round_trips_and_belongs_to_its_sort() {
    let req = ListRequest::new(&SPEC, Some("-at"), None, 0, 2).unwrap();
    let page = req.finish(rows(3), None, 3, true);
    assert_eq!(page.items.len(), 2);
    let next = page.next.expect("a third row follows");
    let again = ListRequest::new(&SPEC, Some("-at"), Some(&next), 0, 2).unwrap();
    assert_eq!(
        again.after,
        Some(vec![Key::Int(99), Key::Text("C1".into())])
    );
    assert_eq!(
        ListRequest::new(&SPEC, Some("at"), Some(&next), 0, 2).err(),
        Some(ListError::BadCursor)
    );
    assert_eq!(
        ListRequest::new(&SPEC, None, Some("not a cursor!"), 0, 2).err(),
        Some(ListError::BadCursor)
    );
}

#[test]
fn keyset_sql_follows_direction_and_skips_offset() {
    let req = ListRequest::new(&SPEC, Some("at"), None, 40, 20).unwrap();
    let mut sql = Sql::new("SELECT 1 FROM t WHERE 1 = 1");
    req.push_page(&mut sql);
    assert!(sql
        .text
        .ends_with("ORDER BY t.at ASC, t.code ASC LIMIT $1 OFFSET $2"));
    let cursor = req.finish(rows(21), None, 0, false).next.unwrap();
    let req = ListRequest::new(&SPEC, Some("at"), Some(&cursor), 40, 20).unwrap();
    let mut sql = Sql::new("SELECT 1 FROM t WHERE 1 = 1");
    req.push_page(&mut sql);
    assert!(
        sql.text.contains(" AND (t.at, t.code) > ($1, $2)"),
        "{}",
        sql.text
    );
    // The row value alone: no separate bound on the sort column.
    assert!(!sql.text.contains("t.at >="), "{}", sql.text);
    assert!(!sql.text.contains("OFFSET"));
    let req = ListRequest::new(&SPEC, Some("-code"), None, 0, 20).unwrap();
    let mut sql = Sql::new("");
    req.push_page(&mut sql);
    assert_eq!(sql.text, " ORDER BY t.code DESC LIMIT $1");
}

#[test]
fn a_page_short_of_its_window_edge_is_partial_and_continues_past_the_edge() {
    let req = ListRequest::new(&SPEC, None, None, 0, 5).unwrap();
    let edge = Row {
        at: 10,
        code: "C90".into(),
    };
    let page = req.finish(rows(2), Some(&edge), 0, false);
    assert!(page.partial);
    assert_eq!(page.items.len(), 2);
    let next = ListRequest::new(&SPEC, None, page.next.as_deref(), 0, 5).unwrap();
    assert_eq!(
        next.after,
        Some(vec![Key::Int(10), Key::Text("C90".into())])
    );
    // A full page inside the window is an ordinary page.
    let full = req.finish(rows(6), Some(&edge), 0, false);
    assert!(!full.partial);
    let next = ListRequest::new(&SPEC, None, full.next.as_deref(), 0, 5).unwrap();
    assert_eq!(next.after, Some(vec![Key::Int(96), Key::Text("C4".into())]));
}

#[test]
fn bounded_totals_are_lower_bounds() {
    assert_eq!(bounded_total(10_001, COUNT_LIMIT), (COUNT_LIMIT, false));
    assert_eq!(bounded_total(42, COUNT_LIMIT), (42, true));
    // Deep offset pages beyond the count still report what they prove.
    let req = ListRequest::new(&SPEC, None, None, 20_000, 2).unwrap();
    let page = req.finish(rows(3), None, COUNT_LIMIT, false);
    assert_eq!(page.total, 20_003);
    assert!(!page.total_exact);
}
