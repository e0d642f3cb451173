//! Planner-proof lists: on an SQLite database that was never ANALYZEd (the
//! state of any installation fed only by intake), every list query must read
//! the index built for its scope prefix and sort, never sort rows in a
//! temporary B-tree, and reach joined tables by key, never by scanning them.

use crate::aggregation::{
    push_case_filters, push_consultation_filters, push_evaluation_filters, CaseFilter,
    ConsultationFilter, EvaluationFilter, CASE_LIST, CASE_SELECT, CONSULTATION_LIST,
    CONSULTATION_SELECT, EVALUATION_LIST, EVALUATION_SELECT,
};
use crate::db::{Backend, Sql, Store};
use crate::list::{ListRequest, ListSpec};
use crate::monitoring::{
    push_filters as push_warning_filters, WarningFilter, WARNING_LIST, WARNING_SELECT,
};
use crate::org::OrgScope;

fn city() -> OrgScope {
    OrgScope {
        region_range: Some(("11".into(), "12".into())),
        department: None,
    }
}

fn district() -> OrgScope {
    OrgScope {
        region_range: Some(("110105".into(), "110106".into())),
        department: None,
    }
}

fn department() -> OrgScope {
    OrgScope {
        region_range: Some(("110105".into(), "110106".into())),
        department: Some("D1".into()),
    }
}

/// The EXPLAIN QUERY PLAN lines of `sql`.
async fn plan(store: &Store, sql: &Sql) -> Vec<String> {
    let text = format!("EXPLAIN QUERY PLAN {}", sql.text_for(Backend::Sqlite));
    let rows: Vec<(i64, i64, i64, String)> = on_read!(store, pool => {
        bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(text)), &sql.args)
            .fetch_all(pool)
            .await
            .expect("plan")
    });
    rows.into_iter().map(|r| r.3).collect()
}

/// The page query a list runs: scope and filters, then the keyset page (a
/// second page, from a cursor, when `after` is given).
fn page_sql<T>(
    select: &str,
    spec: &'static ListSpec<T>,
    after: Option<&str>,
    push: impl Fn(&mut Sql),
) -> Sql {
    let request = ListRequest::new(spec, None, after, 0, 20).expect("request");
    let mut sql = Sql::new(select);
    push(&mut sql);
    request.push_page(&mut sql);
    sql
}

/// Whether `sql` tests its filters on the index entry before it reads the
/// table row: in SQLite's program the seek into the table is deferred
/// (`DeferredSeek`) and the first column read after it comes from the index.
async fn filters_on_the_index_entry(store: &Store, sql: &Sql) -> bool {
    use sqlx::Row as _;
    let text = format!("EXPLAIN {}", sql.text_for(Backend::Sqlite));
    let ops: Vec<(String, i64)> = on_read!(store, pool => {
        bind_all!(sqlx::query(sqlx::AssertSqlSafe(text)), &sql.args)
            .fetch_all(pool)
            .await
            .expect("explain")
            .iter()
            .map(|r| (r.get::<String, _>(1), r.get::<i64, _>(2)))
            .collect()
    });
    let Some(at) = ops.iter().position(|(op, _)| op == "DeferredSeek") else {
        return false;
    };
    let index_cursor = ops[at].1;
    ops[at + 1..]
        .iter()
        .find(|(op, _)| op == "Column")
        .is_some_and(|(_, cursor)| *cursor == index_cursor)
}

fn assert_plan(label: &str, plan: &[String], index: &str) {
    let text = plan.join(" | ");
    let main = &plan[0];
    assert!(
        main.contains(&format!("USING INDEX {index}"))
            || main.contains(&format!("USING COVERING INDEX {index}")),
        "{label}: expected {index} first: {text}"
    );
    assert!(!text.contains("TEMP B-TREE"), "{label}: sorts rows: {text}");
    for line in &plan[1..] {
        assert!(
            line.starts_with("SEARCH")
                || line.starts_with("CORRELATED")
                || line.starts_with("SCALAR"),
            "{label}: a joined table is scanned: {text}"
        );
    }
}

/// A cursor as the store encodes it: the sort and the last row's keys (a JSON
/// array).
fn cursor(sort: &str, keys: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!(r#"{{"s":"{sort}","k":{keys}}}"#))
}

#[tokio::test]
async fn list_queries_use_their_indexes_without_statistics() {
    let db = crate::fresh_sqlite::FreshSqlite::open("plans").await;
    let store = &db.store;
    let stats: i64 = on_read!(store, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            .fetch_one(pool)
            .await
            .expect("stat table")
    });
    assert_eq!(stats, 0, "the database must have no statistics");
    let cursor = cursor("-submitted_at", r#"[1764806400000,"X1"]"#);

    let scopes = [
        ("city", city(), "cases_list_time"),
        ("district", district(), "cases_list_district"),
        ("department", department(), "cases_list_department"),
    ];
    for (who, scope, index) in &scopes {
        for after in [None, Some(cursor.as_str())] {
            let sql = page_sql(CASE_SELECT, &CASE_LIST, after, |sql| {
                push_case_filters(sql, scope, &CaseFilter::default())
            });
            assert_plan(
                &format!("cases {who} {after:?}"),
                &plan(store, &sql).await,
                index,
            );
        }
    }
    // Filters a person picks keep the scope's index (or one as selective).
    let filtered = CaseFilter {
        status: Some("completed".into()),
        overdue: Some(true),
        applicant_type: Some("org".into()),
        from_ms: Some(1),
        to_ms: Some(2),
        ..Default::default()
    };
    let sql = page_sql(CASE_SELECT, &CASE_LIST, None, |sql| {
        push_case_filters(sql, &district(), &filtered)
    });
    assert_plan(
        "cases district filtered",
        &plan(store, &sql).await,
        "cases_list_district",
    );
    let open = WarningFilter {
        status: Some("open".into()),
        ..Default::default()
    };
    for (who, scope, index) in [
        ("city", city(), "warnings_list_status"),
        ("district", district(), "warnings_list_district_status"),
    ] {
        let sql = page_sql(WARNING_SELECT, &WARNING_LIST, None, |sql| {
            push_warning_filters(sql, &scope, &open)
        });
        assert_plan(
            &format!("open warnings {who}"),
            &plan(store, &sql).await,
            index,
        );
    }
    let by_item = CaseFilter {
        item: Some("I1".into()),
        ..Default::default()
    };
    let sql = page_sql(CASE_SELECT, &CASE_LIST, None, |sql| {
        push_case_filters(sql, &city(), &by_item)
    });
    assert_plan(
        "cases city by item",
        &plan(store, &sql).await,
        "cases_list_item",
    );

    for (who, scope, suffix) in [
        ("city", city(), "time"),
        ("district", district(), "district"),
    ] {
        let sql = page_sql(CONSULTATION_SELECT, &CONSULTATION_LIST, None, |sql| {
            push_consultation_filters(sql, &scope, &ConsultationFilter::default())
        });
        assert_plan(
            &format!("consultations {who}"),
            &plan(store, &sql).await,
            &format!("consultations_list_{suffix}"),
        );
        let sql = page_sql(EVALUATION_SELECT, &EVALUATION_LIST, None, |sql| {
            push_evaluation_filters(sql, &scope, &EvaluationFilter::default())
        });
        assert_plan(
            &format!("evaluations {who}"),
            &plan(store, &sql).await,
            &format!("evaluations_list_{suffix}"),
        );
        let sql = page_sql(WARNING_SELECT, &WARNING_LIST, None, |sql| {
            push_warning_filters(sql, &scope, &WarningFilter::default())
        });
        assert_plan(
            &format!("warnings {who}"),
            &plan(store, &sql).await,
            &format!("warnings_list_{suffix}"),
        );
    }
    // Consultations linked to a case: the partial index of linked ones must not
    // be read and sorted in place of the list's index.
    let linked = ConsultationFilter {
        linked: Some(true),
        ..Default::default()
    };
    let sql = page_sql(CONSULTATION_SELECT, &CONSULTATION_LIST, None, |sql| {
        push_consultation_filters(sql, &city(), &linked)
    });
    assert_plan(
        "consultations city linked",
        &plan(store, &sql).await,
        "consultations_list_time",
    );
    // The inbox's 未读 tab reads the user's unread messages alone.
    use crate::monitoring::inbox::{push_message_filter, MESSAGE_SELECT};
    use crate::monitoring::{MessageFilter, MESSAGE_LIST};
    for (unread, index) in [
        (false, "messages_list_user"),
        (true, "messages_unread_list"),
    ] {
        let filter = MessageFilter {
            unread,
            level: None,
        };
        let sql = page_sql(MESSAGE_SELECT, &MESSAGE_LIST, None, |sql| {
            push_message_filter(sql, 7, &filter)
        });
        assert_plan(
            &format!("messages unread={unread}"),
            &plan(store, &sql).await,
            index,
        );
    }
    // The audit log: a period (or an actor) under either sort is a range of
    // an index in page order, never a sort of the period's rows.
    use crate::audit::{AuditFilter, AUDIT_COLUMNS, AUDIT_LIST};
    let period = AuditFilter {
        from_ms: Some(1),
        to_ms: Some(2),
        ..Default::default()
    };
    let actor = AuditFilter {
        actor: Some("city".into()),
        ..period.clone()
    };
    for (label, filter, index) in [
        ("period", &period, "audit_log_list_at"),
        ("actor", &actor, "audit_log_list_actor"),
    ] {
        for sort in ["seq", "-seq", "at", "-at"] {
            let request = ListRequest::new(&AUDIT_LIST, Some(sort), None, 0, 20).expect("request");
            let mut sql = Sql::new(AUDIT_COLUMNS);
            filter.push_where(&mut sql);
            request.push_page(&mut sql);
            assert_plan(
                &format!("audit {label} sort={sort}"),
                &plan(store, &sql).await,
                index,
            );
        }
    }
    db.close().await;
}

/// A filtered page under its scan window: the probe for the edge row reads
/// the window's index alone (a covering read of 2,000 entries), and the page
/// bounded by the edge still reads its scope's index in order.
#[tokio::test]
async fn windowed_pages_read_their_index_without_statistics() {
    use crate::list::{Key, ScanWindow};
    let db = crate::fresh_sqlite::FreshSqlite::open("plans-window").await;
    let store = &db.store;
    let rare = CaseFilter {
        status: Some("withdrawn".into()),
        ..Default::default()
    };
    for (who, scope, prefix, index) in [
        ("city", city(), None, "cases_list_time"),
        (
            "district",
            district(),
            Some("110105"),
            "cases_list_district",
        ),
    ] {
        let prefixes = vec![(
            "c.district_code".to_string(),
            prefix.map(|p| crate::db::Value::Text(p.into())),
        )];
        let window = ScanWindow::for_filters(prefixes, true).expect("a rare status is windowed");
        let request = ListRequest::new(&CASE_LIST, None, None, 0, 20).expect("request");
        let mut probe = Sql::new(CASE_SELECT);
        window.push(&mut probe, "c.submitted_at");
        request.push_edge(&mut probe, "FROM cases c WHERE 1 = 1", &window);
        let text = plan(store, &probe).await.join(" | ");
        // The edge row itself is looked up by its keys, not searched for.
        assert!(
            text.starts_with("SEARCH c USING INDEX"),
            "probe {who}: {text}"
        );
        assert!(
            text.contains(&format!("USING COVERING INDEX {index}")),
            "probe {who}: {text}"
        );
        assert!(!text.contains("TEMP B-TREE"), "probe {who}: {text}");
        let mut page = Sql::new(CASE_SELECT);
        push_case_filters(&mut page, &scope, &rare);
        request.push_edge_keys(&mut page, &[Key::Int(1), Key::Text("X1".into())]);
        request.push_page(&mut page);
        assert_plan(
            &format!("windowed page {who}"),
            &plan(store, &page).await,
            index,
        );
        assert!(
            filters_on_the_index_entry(store, &page).await,
            "windowed page {who}: the status is read from the table row"
        );
        // The first page's count inside the window reads the same range of
        // the same index, in order, without sorting.
        let mut count = crate::list::bounded_count("FROM cases c WHERE 1 = 1");
        push_case_filters(&mut count, &scope, &rare);
        request.push_edge_count_keys(&mut count, &[Key::Int(1), Key::Text("X1".into())]);
        crate::list::close_bounded_count(&mut count, 10_000);
        let text = plan(store, &count).await.join(" | ");
        assert!(
            text.contains(&format!("INDEX {index} (")) && !text.contains("TEMP B-TREE"),
            "windowed count {who}: {text}"
        );
    }
    // Every fact list's windowed filters are columns of its scope indexes, so
    // a window costs index entries, and table rows only for the matches.
    let mut pages = Vec::new();
    for filter in [
        CaseFilter {
            applicant_type: Some("org".into()),
            overdue: Some(true),
            ..Default::default()
        },
        CaseFilter {
            region_range: Some(("110105001".into(), "110105001~".into())),
            department: Some("D1".into()),
            ..Default::default()
        },
    ] {
        pages.push((
            "cases",
            page_sql(CASE_SELECT, &CASE_LIST, None, |sql| {
                push_case_filters(sql, &district(), &filter)
            }),
        ));
    }
    let channel = ConsultationFilter {
        channel: Some("hotline".into()),
        linked: Some(false),
        ..Default::default()
    };
    pages.push((
        "consultations",
        page_sql(CONSULTATION_SELECT, &CONSULTATION_LIST, None, |sql| {
            push_consultation_filters(sql, &district(), &channel)
        }),
    ));
    let satisfaction = EvaluationFilter {
        satisfaction: Some(5),
        ..Default::default()
    };
    pages.push((
        "evaluations",
        page_sql(EVALUATION_SELECT, &EVALUATION_LIST, None, |sql| {
            push_evaluation_filters(sql, &district(), &satisfaction)
        }),
    ));
    let red = WarningFilter {
        status: Some("open".into()),
        level: Some("red".into()),
        stage: Some("approval".into()),
        ..Default::default()
    };
    for scope in [city(), district()] {
        pages.push((
            "warnings",
            page_sql(WARNING_SELECT, &WARNING_LIST, None, |sql| {
                push_warning_filters(sql, &scope, &red)
            }),
        ));
    }
    let denied = crate::audit::AuditFilter {
        action: Some("auth.".into()),
        result: Some("denied".into()),
        ..Default::default()
    };
    pages.push((
        "audit",
        page_sql(
            crate::audit::AUDIT_COLUMNS,
            &crate::audit::AUDIT_LIST,
            None,
            |sql| denied.push_where(sql),
        ),
    ));
    for unread in [false, true] {
        let level = crate::monitoring::MessageFilter {
            unread,
            level: Some("red".into()),
        };
        pages.push((
            "messages",
            page_sql(
                crate::monitoring::inbox::MESSAGE_SELECT,
                &crate::monitoring::MESSAGE_LIST,
                None,
                |sql| crate::monitoring::inbox::push_message_filter(sql, 7, &level),
            ),
        ));
    }
    for (label, sql) in pages {
        assert!(
            filters_on_the_index_entry(store, &sql).await,
            "{label}: a windowed filter is read from the table row: {}",
            sql.text
        );
    }
    db.close().await;
}

// A period beside a cursor or a window's edge.
mod periods;
// The workbench lists (work orders, tolerance cases): the same rules.
mod workbench;
