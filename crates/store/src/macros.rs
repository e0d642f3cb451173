//! Backend dispatch: the same query text runs on whichever pool is active.
//! Each macro expands its body once per backend, so the body is ordinary typed
//! sqlx code checked against both drivers.

/// Run `$body` with `$pool` bound to the pool used for reads.
macro_rules! on_read {
    ($store:expr, $pool:ident => $body:expr) => {
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
    };
}

/// Run `$body` with `$pool` bound to the pool used for writes.
macro_rules! on_write {
    ($store:expr, $pool:ident => $body:expr) => {
        match &*$store.pools {
            $crate::db::Pools::Sqlite { write, .. } => {
                let $pool = write;
                $body
            }
            $crate::db::Pools::Postgres(pg) => {
                let $pool = pg;
                $body
            }
        }
    };
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

/// A page query: count with the filters, then the page in `$order`.
macro_rules! page_of {
    ($store:expr, $row:ty, $select:expr, $count:expr, $push:expr, $order:expr, $offset:expr, $limit:expr) => {{
        let mut count = $crate::db::Sql::new($count);
        $push(&mut count);
        let total = count_dynamic!($store, &count)?;
        let mut sql = $crate::db::Sql::new($select);
        $push(&mut sql);
        sql.push($order)
            .push(" LIMIT ")
            .bind_int($limit)
            .push(" OFFSET ")
            .bind_int($offset);
        Ok($crate::db::Page {
            total,
            items: fetch_dynamic!($store, $row, &sql)?,
        })
    }};
}

/// Multi-row INSERT of `rows` (already converted to values) in chunks.
macro_rules! insert_rows {
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
