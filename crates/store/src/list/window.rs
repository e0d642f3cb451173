//! Bounded scans for filters no index serves.
//!
//! Every list index is `(equality prefix, sort column, tie)`. A filter on a
//! column outside the chosen prefix (a rare status, a text search, a second
//! prefix column) is checked row by row while the index is read in sort order,
//! and a rare value would be read for until the page is full: millions of rows
//! at 10M cases. Such a page reads at most [`SCAN_ROWS`] rows of one index
//! instead:
//! 1. the *edge*, the row `SCAN_ROWS` on from the cursor in the window's index,
//!    is found by an index-only read;
//! 2. the page's query is bounded by it;
//! 3. a page not full by the edge is answered `partial`, with `next` past the
//!    edge, so the reader continues where the scan stopped.

use super::{Key, ListRequest};
use crate::db::{Sql, Value};

/// Rows of the window's index a filtered page reads at most (past its offset).
pub const SCAN_ROWS: i64 = 2_000;

/// The index a bounded page is measured on: an equality prefix (`column = value`
/// pairs, possibly none) followed by the list's sort column, and the period
/// filter on that sort column.
#[derive(Debug, Clone)]
pub struct ScanWindow {
    prefix: Vec<(String, Value)>,
    period: Option<(&'static str, Option<i64>, Option<i64>)>,
}

impl ScanWindow {
    /// The window of a list whose filters are `prefixes` (candidate leading
    /// columns of its indexes, in order of preference, each with its value when
    /// filtered) and `unindexed` (whether any filter no index leads with is
    /// set): `None` when one index serves the whole filter, else the window on
    /// the first filtered prefix (or on the sort column alone).
    pub(crate) fn for_filters(
        prefixes: Vec<(String, Option<Value>)>,
        unindexed: bool,
    ) -> Option<Self> {
        let mut set = prefixes
            .into_iter()
            .filter_map(|(column, value)| value.map(|v| (column, v)));
        let first = set.next();
        let served = !unindexed && set.next().is_none();
        (!served).then(|| Self {
            prefix: first.into_iter().collect(),
            period: None,
        })
    }

    /// Also keep the window inside `from <= column < to` (the list's period
    /// filter), when the page is sorted by that column.
    pub(crate) fn within(
        mut self,
        column: &'static str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Self {
        self.period = Some((column, from, to));
        self
    }

    /// ` AND prefix = … AND period` for a query sorted by `sort_column`.
    pub(crate) fn push(&self, sql: &mut Sql, sort_column: &str) {
        for (column, value) in &self.prefix {
            sql.push(&format!(" AND {column} = ")).bind(value.clone());
        }
        if let Some((column, from, to)) = self.period {
            if column == sort_column {
                sql.and_between(column, from, to);
            }
        }
    }
}

impl<T> ListRequest<T> {
    /// ` AND tie = (the edge row's tie)`: appended to the list's select and
    /// the window's prefix, it reads the row [`SCAN_ROWS`] past the page's
    /// start in the window's index (none when the index ends sooner). The tie
    /// is unique, so the edge row is one key lookup.
    pub(crate) fn push_edge(&self, sql: &mut Sql, from_where: &str, window: &ScanWindow) {
        let column = self.sort.field.column;
        let tie = self.spec.tie.column;
        sql.push(&format!(" AND {tie} = (SELECT {tie} {from_where}"));
        window.push(sql, column);
        self.push_after(sql);
        self.push_order(sql);
        sql.push(" LIMIT 1 OFFSET ")
            .bind_int(self.offset_or_zero().saturating_add(SCAN_ROWS))
            .push(")");
    }

    /// Keep the page at or before the edge (in the page's direction).
    pub(crate) fn push_edge_bound(&self, sql: &mut Sql, edge: &T) {
        self.push_edge_keys(sql, &self.keys_of(edge));
    }

    /// Bound a count inside the window at its edge, read in the page's order:
    /// the order makes PostgreSQL read the window's index range (it estimates
    /// a row-value bound from its first column alone, and a long run of equal
    /// sort values made it count by a sequential scan of the table).
    pub(crate) fn push_edge_count_bound(&self, sql: &mut Sql, edge: &T) {
        self.push_edge_count_keys(sql, &self.keys_of(edge));
    }

    /// [`Self::push_edge_count_bound`] for the edge row's cursor keys.
    pub(crate) fn push_edge_count_keys(&self, sql: &mut Sql, keys: &[Key]) {
        self.push_edge_keys(sql, keys);
        self.push_order(sql);
    }

    /// [`Self::push_edge_bound`] for the edge row's cursor keys.
    pub(crate) fn push_edge_keys(&self, sql: &mut Sql, keys: &[Key]) {
        let cmp = if self.sort.descending { ">=" } else { "<=" };
        self.push_key_comparison(sql, cmp, keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &str) -> Option<Value> {
        Some(Value::Text(v.into()))
    }

    fn pushed(window: &ScanWindow, sort: &str) -> String {
        let mut sql = Sql::new("");
        window.push(&mut sql, sort);
        sql.text
    }

    #[test]
    fn a_filter_one_index_serves_needs_no_window() {
        let none = ScanWindow::for_filters(vec![("d".into(), None), ("p".into(), None)], false);
        assert!(none.is_none(), "no filter");
        let one = ScanWindow::for_filters(vec![("d".into(), None), ("p".into(), text("X"))], false);
        assert!(one.is_none(), "one prefix filter reads its own index");
    }

    #[test]
    fn a_second_prefix_or_an_unindexed_filter_is_read_in_a_window_of_the_first() {
        let two = ScanWindow::for_filters(
            vec![("d".into(), text("A")), ("p".into(), text("B"))],
            false,
        )
        .expect("two prefixes");
        assert_eq!(pushed(&two, "t"), " AND d = $1");
        let rare = ScanWindow::for_filters(vec![("d".into(), None), ("p".into(), text("B"))], true)
            .expect("an unindexed filter");
        assert_eq!(pushed(&rare, "t"), " AND p = $1");
        let bare = ScanWindow::for_filters(Vec::new(), true).expect("no prefix at all");
        assert_eq!(pushed(&bare, "t"), "");
    }

    #[test]
    fn the_period_bounds_the_window_only_under_its_own_sort() {
        let window = ScanWindow::for_filters(Vec::new(), true)
            .expect("window")
            .within("t", Some(1), Some(2));
        assert_eq!(pushed(&window, "t"), " AND t >= $1 AND t < $2");
        assert_eq!(pushed(&window, "code"), "");
    }
}
