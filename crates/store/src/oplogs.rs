//! Operation logs of business systems and the checks comparing a sample of
//! cases with them (QC-3).

use crate::audit::AuditRecord;
use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::org::{push_fact_region, OrgScope};
use serde::Serialize;

/// One logged operation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OperationRow {
    pub source: String,
    pub case_code: String,
    pub action: String,
    pub operator: String,
    pub at: i64,
    pub note: Option<String>,
}

/// A sampled case: code, district, region, submission time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SampledCase {
    pub case_code: String,
    pub district_code: String,
    pub region_code: String,
    pub submitted_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OplogCheckRow {
    pub id: i64,
    pub period_from: i64,
    pub period_to: i64,
    pub region: Option<String>,
    pub sample_size: i64,
    pub cases_checked: i64,
    pub anomalous: i64,
    pub counts: String,
    pub created_at: i64,
}

/// An anomalous case of a check (one row per case and code).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AnomalyRow {
    pub case_code: String,
    pub code: String,
    pub district_code: String,
    pub region_code: String,
    pub submitted_at: i64,
    pub reason: String,
}

/// A check's totals and findings, as stored.
pub struct NewOplogCheck<'a> {
    pub owner: &'a str,
    pub period: (i64, i64),
    pub region: Option<&'a str>,
    pub sample_size: i64,
    pub cases_checked: i64,
    pub counts: &'a str,
    pub anomalies: &'a [AnomalyRow],
}

pub static ANOMALY_LIST: ListSpec<AnomalyRow> = ListSpec {
    fields: &[SortField {
        name: "submitted_at",
        column: "a.submitted_at",
        key: |r| Key::Int(r.submitted_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "key",
        column: "(a.case_code || '|' || a.code)",
        key: |r| Key::Text(format!("{}|{}", r.case_code, r.code)),
    },
};

const CHECK_SELECT: &str = "SELECT id, period_from, period_to, region, sample_size, cases_checked, anomalous, counts, created_at
     FROM oplog_checks WHERE owner = ";

impl Store {
    /// Store operations (an entry already stored is a duplicate). Returns how
    /// many were new; the audit row goes in the same transaction.
    pub async fn record_operations(
        &self,
        rows: &[OperationRow],
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<u64> {
        Ok(audited_write!(self, audit, tx => {
            let mut added = 0;
            for r in rows {
                added += sqlx::query(
                    "INSERT INTO operation_logs (source, case_code, action, operator, at, note, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (case_code, at, action, operator, source) DO NOTHING",
                )
                .bind(&r.source)
                .bind(&r.case_code)
                .bind(&r.action)
                .bind(&r.operator)
                .bind(r.at)
                .bind(&r.note)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            added
        }))
    }

    /// The operation log of a case, oldest first.
    pub async fn operations_of(&self, case_code: &str) -> StoreResult<Vec<OperationRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, OperationRow>(
                "SELECT source, case_code, action, operator, at, note FROM operation_logs
                 WHERE case_code = $1 ORDER BY at, id",
            )
            .bind(case_code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Operations of many cases, by case then time.
    pub async fn operations_of_cases(&self, codes: &[&str]) -> StoreResult<Vec<OperationRow>> {
        let mut rows = Vec::new();
        for chunk in codes.chunks(crate::db::ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "SELECT source, case_code, action, operator, at, note FROM operation_logs WHERE case_code IN ",
            );
            sql.push_list(chunk.iter().copied());
            sql.push(" ORDER BY case_code, at, id");
            rows.extend(fetch_dynamic!(self, OperationRow, &sql)?);
        }
        Ok(rows)
    }

    /// A random sample of at most `size` cases submitted in the period, in
    /// scope (and the region subtree), that have an operation log.
    pub async fn sample_logged_cases(
        &self,
        scope: &OrgScope,
        region_range: &Option<(String, String)>,
        (from, to): (i64, i64),
        size: i64,
    ) -> StoreResult<Vec<SampledCase>> {
        let mut sql = Sql::new(
            "SELECT c.case_code, c.district_code, c.region_code, c.submitted_at FROM cases c
             WHERE c.erroneous_reason IS NULL",
        );
        sql.and_between("c.submitted_at", Some(from), Some(to));
        scope.push_fact_scope(&mut sql, "c");
        push_fact_region(&mut sql, "c", region_range);
        sql.push(" AND EXISTS (SELECT 1 FROM operation_logs l WHERE l.case_code = c.case_code)");
        sql.push(" ORDER BY random() LIMIT ").bind_int(size);
        Ok(fetch_dynamic!(self, SampledCase, &sql)?)
    }

    /// Store a finished check with its anomalies; its audit row in the same
    /// transaction. Returns the check's id.
    pub async fn create_oplog_check(
        &self,
        check: &NewOplogCheck<'_>,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        let anomalous = {
            let mut cases: Vec<&str> = check
                .anomalies
                .iter()
                .map(|a| a.case_code.as_str())
                .collect();
            cases.sort_unstable();
            cases.dedup();
            cases.len() as i64
        };
        Ok(audited_write!(self, audit, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO oplog_checks (owner, period_from, period_to, region, sample_size, cases_checked,
                    anomalous, counts, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(check.owner)
            .bind(check.period.0)
            .bind(check.period.1)
            .bind(check.region)
            .bind(check.sample_size)
            .bind(check.cases_checked)
            .bind(anomalous)
            .bind(check.counts)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for a in check.anomalies {
                sqlx::query(
                    "INSERT INTO oplog_anomalies (check_id, case_code, code, district_code, region_code, submitted_at, reason)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(&a.case_code)
                .bind(a.code.as_str())
                .bind(&a.district_code)
                .bind(&a.region_code)
                .bind(a.submitted_at)
                .bind(&a.reason)
                .execute(&mut *tx)
                .await?;
            }
            id
        }))
    }

    /// A check of `owner`'s.
    pub async fn oplog_check(&self, owner: &str, id: i64) -> StoreResult<Option<OplogCheckRow>> {
        let mut sql = Sql::new(CHECK_SELECT);
        sql.bind_text(owner).push(" AND id = ").bind_int(id);
        Ok(fetch_dynamic!(self, OplogCheckRow, &sql)?
            .into_iter()
            .next())
    }

    /// `owner`'s latest checks, newest first.
    pub async fn oplog_checks_of(
        &self,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<OplogCheckRow>> {
        let mut sql = Sql::new(CHECK_SELECT);
        sql.bind_text(owner)
            .push(" ORDER BY id DESC LIMIT ")
            .bind_int(limit);
        Ok(fetch_dynamic!(self, OplogCheckRow, &sql)?)
    }

    /// The anomalous cases of a check (optionally of one code).
    pub async fn list_oplog_anomalies(
        &self,
        id: i64,
        code: &Option<String>,
        request: &ListRequest<AnomalyRow>,
    ) -> StoreResult<ListPage<AnomalyRow>> {
        let push = |sql: &mut Sql| {
            sql.push(" AND a.check_id = ").bind_int(id);
            sql.and_eq("a.code", code);
        };
        list_of!(
            self,
            AnomalyRow,
            "SELECT a.case_code, a.code, a.district_code, a.region_code, a.submitted_at, a.reason
             FROM oplog_anomalies a WHERE 1 = 1",
            "FROM oplog_anomalies a WHERE 1 = 1",
            push,
            request
        )
    }
}
