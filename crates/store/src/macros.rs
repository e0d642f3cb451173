//! Backend dispatch: the same query text runs on whichever pool is active.
//! Each macro expands its body once per backend, so the body is ordinary typed
//! sqlx code checked against both drivers.

/// Run `$body` with `$pool` bound to the pool used for reads.
/// Each call is timed (slow calls are counted, see [`crate::interrupt`]).
macro_rules! on_read {
    ($store:expr, $pool:ident => $body:expr) => {{
        let _timer = $crate::interrupt::CallTimer::start();
        match &*$store.pools {
            $crate::db::Pools::Sqlite { read, .. } => {
                let $pool = read;
                $body
            }
            $crate::db::Pools::Postgres(pg) => {
                let $pool = pg;
                $body
            }
        }
    }};
}

/// Run `$body` with `$pool` bound to the pool for large scans: on SQLite the
/// scan connections (no memory map, small cache; see `SQLITE_SCANNERS`) unless
/// `$mapped`, then the memory-mapped readers; on PostgreSQL its one pool.
macro_rules! on_scan {
    ($store:expr, $mapped:expr, $pool:ident => $body:expr) => {{
        let _timer = $crate::interrupt::CallTimer::start();
        match &*$store.pools {
            $crate::db::Pools::Sqlite { read, scan, .. } => {
                let $pool = if $mapped { read } else { scan };
                $body
            }
            $crate::db::Pools::Postgres(pg) => {
                let $pool = pg;
                $body
            }
        }
    }};
}

/// Run `$body` with `$pool` bound to the pool used for writes. Every write
/// forgets the list totals counted before it (and again once it succeeded, so
/// a count taken while it ran is not kept either).
///
/// `forget: …` names what to forget instead (an audit record appended on its
/// own forgets only the counts over the audit log).
macro_rules! on_write {
    ($store:expr, $pool:ident => $body:expr) => {
        on_write!($store, forget: $store.totals.forget(), $pool => $body)
    };
    ($store:expr, forget: $forget:expr, $pool:ident => $body:expr) => {{
        let _timer = $crate::interrupt::CallTimer::start();
        $forget;
        let result = match &*$store.pools {
            $crate::db::Pools::Sqlite { write, .. } => {
                let $pool = write;
                $body
            }
            $crate::db::Pools::Postgres(pg) => {
                let $pool = pg;
                $body
            }
        };
        $forget;
        result
    }};
}

/// Bind every value of a dynamic [`Sql`](crate::db::Sql) to a sqlx query.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                $crate::db::Value::Int(v) => query.bind(*v),
                $crate::db::Value::Text(v) => query.bind(v.clone()),
                $crate::db::Value::OptInt(v) => query.bind(*v),
                $crate::db::Value::OptText(v) => query.bind(v.clone()),
                $crate::db::Value::Bool(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// Fetch all rows of a dynamic query as `$row`.
macro_rules! fetch_dynamic {
    ($store:expr, $row:ty, $sql:expr) => {{
        let sql: &$crate::db::Sql = $sql;
        let result: Result<Vec<$row>, sqlx::Error> = on_read!($store, pool => {
            bind_all!(
                sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe(sql.text_for($crate::db::PoolOps::kind(pool)))),
                &sql.args
            )
            .fetch_all(pool)
            .await
        });
        result
    }};
}

/// Fetch the single integer a dynamic `SELECT COUNT(*)` returns.
macro_rules! count_dynamic {
    ($store:expr, $sql:expr) => {{
        let sql: &$crate::db::Sql = $sql;
        let result: Result<i64, sqlx::Error> = on_read!($store, pool => {
            bind_all!(
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.text_for($crate::db::PoolOps::kind(pool)))),
                &sql.args
            )
            .fetch_one(pool)
            .await
        });
        result
    }};
}

/// Execute a dynamic statement on an open transaction or connection; yields rows affected.
macro_rules! execute_dynamic {
    ($pool:expr, $conn:expr, $sql:expr) => {{
        let sql: &$crate::db::Sql = $sql;
        bind_all!(
            sqlx::query(sqlx::AssertSqlSafe(
                sql.text_for($crate::db::PoolOps::kind($pool))
            )),
            &sql.args
        )
        .execute(&mut *$conn)
        .await
        .map(|r| r.rows_affected())
    }};
}

/// Fetch rows of a dynamic query on an open transaction or connection.
macro_rules! fetch_dynamic_on {
    ($pool:expr, $conn:expr, $row:ty, $sql:expr) => {{
        let sql: &$crate::db::Sql = $sql;
        bind_all!(
            sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe(
                sql.text_for($crate::db::PoolOps::kind($pool))
            )),
            &sql.args
        )
        .fetch_all(&mut *$conn)
        .await
    }};
}

/// One page of a list (see [`crate::list`]): the rows of `$select` with the
/// filters `$push` adds, in the request's sort from its cursor or offset; the
/// total from the request when known, from the page itself when it holds every
/// row, else a bounded count over `$from_where` with the same filters.
///
/// With `window: Some(ScanWindow)` (filters no single index serves) the page
/// reads at most `SCAN_ROWS` rows of the window's index (see
/// [`crate::list::ScanWindow`]); only a first page counts, inside its window,
/// so its total is a lower bound unless the window held every row.
macro_rules! list_of {
    ($store:expr, $row:ty, $select:expr, $from_where:expr, $push:expr, $request:expr) => {
        list_of!($store, $row, $select, $from_where, $push, $request, window: None)
    };
    ($store:expr, $row:ty, $select:expr, $from_where:expr, $push:expr, $request:expr, window: $window:expr) => {{
        let request: &$crate::list::ListRequest<$row> = $request;
        let window: Option<$crate::list::ScanWindow> = $window;
        let window = window.filter(|_| request.scan_bounded);
        let edge: Option<$row> = match &window {
            Some(window) => {
                let mut probe = $crate::db::Sql::new($select);
                probe.with_key_bounds(request.key_bounds(true, false));
                window.push(&mut probe, request.sort.field.column);
                request.push_edge(&mut probe, $from_where, window);
                fetch_dynamic!($store, $row, &probe)?.into_iter().next()
            }
            None => None,
        };
        let mut sql = $crate::db::Sql::new($select);
        sql.with_key_bounds(request.key_bounds(true, edge.is_some()));
        $push(&mut sql);
        if let Some(edge) = &edge {
            request.push_edge_bound(&mut sql, edge);
        }
        request.push_page(&mut sql);
        let rows = fetch_dynamic!($store, $row, &sql)?;
        // A first page short of its limit read every row up to its bound: the
        // end of the list (no edge), or its window's edge.
        let read_to_bound = request.after.is_none()
            && (rows.len() as i64) <= request.limit
            && (request.offset == 0 || !rows.is_empty());
        // Under a window only a first page counts, and only inside its window:
        // counting past it would read what the window spares the page.
        let may_count = window.is_none() || request.after.is_none();
        let (total, exact) = match request.known_total {
            Some(total) => (total, true),
            // Its rows are the total: exact at the end of the list; under a
            // window, what a count inside it would find, without reading the
            // window again (the rare filters, whose pages are rarely full).
            None if read_to_bound => (request.offset + rows.len() as i64, edge.is_none()),
            // `finish` raises it to the rows this page proves.
            None if !may_count => (0, false),
            None => {
                let mut count = $crate::list::bounded_count($from_where);
                count.with_key_bounds(request.key_bounds(false, edge.is_some()));
                $push(&mut count);
                if let Some(edge) = &edge {
                    request.push_edge_count_bound(&mut count, edge);
                }
                $crate::list::close_bounded_count(&mut count, request.count_limit);
                let key = count.cache_key();
                let counted = match $store.totals.get(&key) {
                    Some(counted) => counted,
                    None => {
                        let generation = $store.totals.generation_of(&key);
                        let counted = count_dynamic!($store, &count)?;
                        let capped = counted > request.count_limit;
                        $store.totals.put(key, generation, counted, capped);
                        counted
                    }
                };
                let (total, exact) = $crate::list::bounded_total(counted, request.count_limit);
                // Rows past the window were not counted.
                (total, exact && edge.is_none())
            }
        };
        Ok(request.finish(rows, edge.as_ref(), total, exact))
    }};
}

/// Multi-row INSERT in chunks of [`ROWS_PER_STATEMENT`](crate::db::ROWS_PER_STATEMENT)
/// rows: either of `rows` already converted to values, or of the items of a
/// slice converted by `$row` one statement at a time — a large batch (an
/// intake body of 64 MiB) then never exists as values whole beside itself.
macro_rules! insert_rows {
    ($pool:expr, $tx:expr, $head:expr, $items:expr, $row:expr) => {{
        for chunk in $items.chunks($crate::db::ROWS_PER_STATEMENT) {
            let mut sql = $crate::db::Sql::new($head);
            sql.push(" VALUES ").push_rows(chunk.iter().map($row));
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
    ($pool:expr, $tx:expr, $head:expr, $rows:expr) => {{
        let rows: Vec<Vec<$crate::db::Value>> = $rows;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<$crate::db::Value>> =
                rows.by_ref().take($crate::db::ROWS_PER_STATEMENT).collect();
            let mut sql = $crate::db::Sql::new($head);
            sql.push(" VALUES ").push_rows(chunk);
            execute_dynamic!($pool, $tx, &sql)?;
        }
    }};
}
