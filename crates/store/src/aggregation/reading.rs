//! Reading aggregated data: lists, case detail, applicant timelines, linking
//! statistics — always filtered by the caller's scope in SQL.

use crate::audit::escape_like;
use crate::db::Value;
use crate::db::{Sql, Store, StoreResult};
use crate::list::{Key, ListPage, ListRequest, ListSpec, ScanWindow, SortField};
use crate::org::{fact_prefixes, push_fact_region, OrgScope};

/// Scope of fact rows (region subtree or department).
pub type FactScope = OrgScope;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub case_code: String,
    pub item_code: String,
    pub item_name: Option<String>,
    pub item_version: i32,
    pub applicant_type: String,
    pub applicant_name: String,
    pub applicant_masked: String,
    pub applicant_key: String,
    pub region_code: String,
    pub region_name: Option<String>,
    pub department_code: String,
    pub department_name: Option<String>,
    pub channel: String,
    pub submitted_at: i64,
    pub status: String,
    pub accepted_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub consultations: i32,
    pub handling_mode: Option<String>,
    pub remark: Option<String>,
    /// Whether a stage clock ran past its deadline (kept by the evaluator).
    pub overdue: bool,
    /// Of the pinned item version: what the stage clocks need.
    pub case_type_code: Option<i32>,
    pub promised_limit: Option<i32>,
    pub legal_limit: Option<i32>,
    pub limit_unit: Option<String>,
    /// The source's revision of the stored content (0 unless numbered).
    pub revision: i64,
    /// Why an operator marked the record erroneous (it then leaves the figures).
    pub erroneous_reason: Option<String>,
}

pub(crate) const CASE_SELECT: &str = "SELECT c.case_code, c.item_code, i.name AS item_name, c.item_version, c.applicant_type,
        c.applicant_name, c.applicant_masked, c.applicant_key, c.region_code, r.name AS region_name,
        c.department_code, d.name AS department_name, c.channel, c.submitted_at, c.status, c.accepted_at,
        c.completed_at, c.consultations, c.handling_mode, c.remark, c.overdue, i.case_type_code, i.promised_limit,
        i.legal_limit, i.limit_unit, c.revision, c.erroneous_reason
     FROM cases c
     LEFT JOIN items i ON i.item_code = c.item_code AND i.version = c.item_version
     LEFT JOIN regions r ON r.code = c.region_code
     LEFT JOIN departments d ON d.code = c.department_code
     WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub q: Option<String>,
    pub region_range: Option<(String, String)>,
    pub department: Option<String>,
    pub item: Option<String>,
    pub status: Option<String>,
    pub applicant_type: Option<String>,
    pub overdue: Option<bool>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Case list sorts; indexes `(district_code | department_code | item_code |
/// nothing, submitted_at, case_code)` serve each scope with the default sort.
pub static CASE_LIST: ListSpec<CaseRow> = ListSpec {
    fields: &[SortField {
        name: "submitted_at",
        column: "c.submitted_at",
        key: |r| Key::Int(r.submitted_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "case_code",
        column: "c.case_code",
        key: |r| Key::Text(r.case_code.clone()),
    },
};

pub(crate) fn push_case_filters(sql: &mut Sql, scope: &FactScope, f: &CaseFilter) {
    scope.push_fact_scope(sql, "c");
    if let Some(q) = &f.q {
        let pattern = format!("{}%", escape_like(q));
        sql.push(" AND (c.case_code LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR c.applicant_name LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
    push_fact_region(sql, "c", &f.region_range);
    sql.and_eq("c.department_code", &f.department);
    sql.and_eq("c.item_code", &f.item);
    sql.and_eq("c.status", &f.status);
    sql.and_eq("c.applicant_type", &f.applicant_type);
    if let Some(overdue) = f.overdue {
        sql.push(" AND c.overdue = ")
            .bind(crate::db::Value::Bool(overdue));
    }
    sql.and_between("c.submitted_at", f.from_ms, f.to_ms);
}

/// The scan window of a case page whose filters no single index serves.
fn case_window(scope: &FactScope, f: &CaseFilter) -> Option<ScanWindow> {
    let (mut prefixes, street) = fact_prefixes("c", scope, &f.region_range, &f.department);
    prefixes.push(("c.item_code".into(), f.item.clone().map(Value::Text)));
    let unindexed = street
        || f.q.is_some()
        || f.status.is_some()
        || f.applicant_type.is_some()
        || f.overdue.is_some();
    ScanWindow::for_filters(prefixes, unindexed)
        .map(|w| w.within("c.submitted_at", f.from_ms, f.to_ms))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub kind: String,
    pub at: i64,
    pub special_kind: Option<String>,
    pub operator: Option<String>,
    pub note: Option<String>,
    pub out_of_order: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConsultationRow {
    pub code: String,
    pub channel: String,
    pub region_code: String,
    pub region_name: Option<String>,
    pub asked_at: i64,
    pub applicant_type: String,
    pub applicant_masked: Option<String>,
    pub applicant_key: Option<String>,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    pub question: String,
    pub answer: Option<String>,
    pub linked_case_code: Option<String>,
    /// The source's revision of the stored content (0 unless numbered).
    pub revision: i64,
    /// Why an operator marked the record erroneous (it then leaves the figures).
    pub erroneous_reason: Option<String>,
}

pub(crate) const CONSULTATION_SELECT: &str = "SELECT k.code, k.channel, k.region_code, r.name AS region_name, k.asked_at,
        k.applicant_type, k.applicant_masked, k.applicant_key, k.item_code, i.name AS item_name, k.question,
        k.answer, k.linked_case_code, k.revision, k.erroneous_reason
     FROM consultations k
     LEFT JOIN items i ON i.item_code = k.item_code AND i.is_current = TRUE
     LEFT JOIN regions r ON r.code = k.region_code
     WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct ConsultationFilter {
    pub q: Option<String>,
    pub channel: Option<String>,
    pub region_range: Option<(String, String)>,
    pub item: Option<String>,
    pub linked: Option<bool>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Consultation list sorts (indexes `(district_code | item_code | nothing, asked_at, code)`).
pub static CONSULTATION_LIST: ListSpec<ConsultationRow> = ListSpec {
    fields: &[SortField {
        name: "asked_at",
        column: "k.asked_at",
        key: |r| Key::Int(r.asked_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "code",
        column: "k.code",
        key: |r| Key::Text(r.code.clone()),
    },
};

pub(crate) fn push_consultation_filters(sql: &mut Sql, scope: &FactScope, f: &ConsultationFilter) {
    scope.push_fact_scope(sql, "k");
    if let Some(q) = &f.q {
        let pattern = format!("%{}%", escape_like(q));
        sql.push(" AND (k.question LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR k.code LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
    sql.and_eq("k.channel", &f.channel);
    push_fact_region(sql, "k", &f.region_range);
    sql.and_eq("k.item_code", &f.item);
    match f.linked {
        Some(true) => {
            sql.push(" AND k.linked_case_code IS NOT NULL");
        }
        Some(false) => {
            sql.push(" AND k.linked_case_code IS NULL");
        }
        None => {}
    }
    sql.and_between("k.asked_at", f.from_ms, f.to_ms);
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluationRow {
    pub evaluation_id: String,
    pub case_code: Option<String>,
    pub channel: String,
    pub rated_at: i64,
    pub satisfaction: i32,
    pub comment: Option<String>,
    pub region_code: String,
    pub region_name: Option<String>,
    /// The source's revision of the stored content (0 unless numbered).
    pub revision: i64,
    /// Why an operator marked the record erroneous (it then leaves the figures).
    pub erroneous_reason: Option<String>,
}

pub(crate) const EVALUATION_SELECT: &str =
    "SELECT e.evaluation_id, e.case_code, e.channel, e.rated_at, e.satisfaction, e.comment,
        e.region_code, r.name AS region_name, e.revision, e.erroneous_reason
     FROM evaluations e LEFT JOIN regions r ON r.code = e.region_code WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct EvaluationFilter {
    pub region_range: Option<(String, String)>,
    pub satisfaction: Option<i64>,
    pub case_code: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Evaluation list sorts (indexes `(district_code | department_code | nothing, rated_at, evaluation_id)`).
pub static EVALUATION_LIST: ListSpec<EvaluationRow> = ListSpec {
    fields: &[SortField {
        name: "rated_at",
        column: "e.rated_at",
        key: |r| Key::Int(r.rated_at),
    }],
    default_descending: true,
    tie: SortField {
        name: "evaluation_id",
        column: "e.evaluation_id",
        key: |r| Key::Text(r.evaluation_id.clone()),
    },
};

pub(crate) fn push_evaluation_filters(sql: &mut Sql, scope: &FactScope, f: &EvaluationFilter) {
    scope.push_fact_scope(sql, "e");
    push_fact_region(sql, "e", &f.region_range);
    if let Some(s) = f.satisfaction {
        sql.push(" AND e.satisfaction = ").bind_int(s);
    }
    sql.and_eq("e.case_code", &f.case_code);
    sql.and_between("e.rated_at", f.from_ms, f.to_ms);
}

/// The scan window of a consultation page whose filters no single index serves.
fn consultation_window(scope: &FactScope, f: &ConsultationFilter) -> Option<ScanWindow> {
    let (mut prefixes, street) = fact_prefixes("k", scope, &f.region_range, &None);
    prefixes.push(("k.item_code".into(), f.item.clone().map(Value::Text)));
    let unindexed = street || f.q.is_some() || f.channel.is_some() || f.linked.is_some();
    ScanWindow::for_filters(prefixes, unindexed).map(|w| w.within("k.asked_at", f.from_ms, f.to_ms))
}

/// The scan window of an evaluation page whose filters no single index serves
/// (none for one case's evaluations: they are few).
fn evaluation_window(scope: &FactScope, f: &EvaluationFilter) -> Option<ScanWindow> {
    if f.case_code.is_some() {
        return None;
    }
    let (prefixes, street) = fact_prefixes("e", scope, &f.region_range, &None);
    ScanWindow::for_filters(prefixes, street || f.satisfaction.is_some())
        .map(|w| w.within("e.rated_at", f.from_ms, f.to_ms))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    pub kind: String,
    pub code: String,
    pub at: i64,
    pub item_code: Option<String>,
    pub item_name: Option<String>,
    pub status: Option<String>,
    pub applicant_masked: Option<String>,
}

/// One group of the consultation ↔ application statistics.
#[derive(Debug, Clone, Default)]
pub struct LinkingRow {
    pub key: String,
    pub name: Option<String>,
    pub consultations: i64,
    pub consulted_not_applied: i64,
    pub applications: i64,
    pub applied_without_consulting: i64,
    pub consultations_before_applying: i64,
    pub consulted_applications: i64,
}

impl Store {
    pub async fn list_cases(
        &self,
        scope: &FactScope,
        filter: &CaseFilter,
        request: &ListRequest<CaseRow>,
    ) -> StoreResult<ListPage<CaseRow>> {
        list_of!(
            self,
            CaseRow,
            CASE_SELECT,
            "FROM cases c WHERE 1 = 1",
            |sql: &mut Sql| push_case_filters(sql, scope, filter),
            request,
            window: case_window(scope, filter)
        )
    }

    pub async fn get_case(
        &self,
        scope: &FactScope,
        case_code: &str,
    ) -> StoreResult<Option<CaseRow>> {
        let mut sql = Sql::new(CASE_SELECT);
        scope.push_fact_scope(&mut sql, "c");
        sql.push(" AND c.case_code = ").bind_text(case_code);
        Ok(fetch_dynamic!(self, CaseRow, &sql)?.into_iter().next())
    }

    /// The encrypted applicant number of a case in scope.
    pub async fn case_applicant_secret(
        &self,
        scope: &FactScope,
        case_code: &str,
    ) -> StoreResult<Option<String>> {
        let mut sql = Sql::new("SELECT c.applicant_enc FROM cases c WHERE 1 = 1");
        scope.push_fact_scope(&mut sql, "c");
        sql.push(" AND c.case_code = ").bind_text(case_code);
        Ok(fetch_dynamic!(self, (String,), &sql)?
            .into_iter()
            .next()
            .map(|(s,)| s))
    }

    pub async fn case_events(&self, case_code: &str) -> StoreResult<Vec<EventRow>> {
        Ok(on_read!(self, pool => {
            sqlx::query_as::<_, EventRow>(
                "SELECT seq, kind, at, special_kind, operator, note, out_of_order FROM case_events
                 WHERE case_code = $1 ORDER BY at, seq",
            )
            .bind(case_code)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn list_consultations(
        &self,
        scope: &FactScope,
        filter: &ConsultationFilter,
        request: &ListRequest<ConsultationRow>,
    ) -> StoreResult<ListPage<ConsultationRow>> {
        list_of!(
            self,
            ConsultationRow,
            CONSULTATION_SELECT,
            "FROM consultations k WHERE 1 = 1",
            |sql: &mut Sql| push_consultation_filters(sql, scope, filter),
            request,
            window: consultation_window(scope, filter)
        )
    }

    pub async fn consultations_of_case(
        &self,
        case_code: &str,
    ) -> StoreResult<Vec<ConsultationRow>> {
        let mut sql = Sql::new(CONSULTATION_SELECT);
        sql.push(" AND k.linked_case_code = ")
            .bind_text(case_code)
            .push(" ORDER BY k.asked_at");
        Ok(fetch_dynamic!(self, ConsultationRow, &sql)?)
    }

    pub async fn list_evaluations(
        &self,
        scope: &FactScope,
        filter: &EvaluationFilter,
        request: &ListRequest<EvaluationRow>,
    ) -> StoreResult<ListPage<EvaluationRow>> {
        list_of!(
            self,
            EvaluationRow,
            EVALUATION_SELECT,
            "FROM evaluations e WHERE 1 = 1",
            |sql: &mut Sql| push_evaluation_filters(sql, scope, filter),
            request,
            window: evaluation_window(scope, filter)
        )
    }

    /// Consultations and cases of one applicant inside `scope`, oldest first.
    pub async fn applicant_timeline(
        &self,
        scope: &FactScope,
        applicant_key: &str,
    ) -> StoreResult<Vec<TimelineRow>> {
        let mut sql = Sql::new(
            "SELECT 'consultation' AS kind, k.code, k.asked_at AS at, k.item_code, i.name AS item_name,
                k.linked_case_code AS status, k.applicant_masked
             FROM consultations k LEFT JOIN items i ON i.item_code = k.item_code AND i.is_current = TRUE
             WHERE k.applicant_key = ",
        );
        sql.bind_text(applicant_key);
        scope.push_fact_scope(&mut sql, "k");
        sql.push(
            " UNION ALL SELECT 'case' AS kind, c.case_code, c.submitted_at AS at, c.item_code, i.name AS item_name,
                c.status, c.applicant_masked
             FROM cases c LEFT JOIN items i ON i.item_code = c.item_code AND i.version = c.item_version
             WHERE c.applicant_key = ",
        );
        sql.bind_text(applicant_key);
        scope.push_fact_scope(&mut sql, "c");
        sql.push(" ORDER BY at LIMIT 500");
        Ok(fetch_dynamic!(self, TimelineRow, &sql)?)
    }

    /// Consultation ↔ application statistics grouped by `group`
    /// (`region` = district, `department`, `item`).
    pub async fn linking_stats(
        &self,
        scope: &FactScope,
        group: &str,
        from_ms: Option<i64>,
        to_ms: Option<i64>,
    ) -> StoreResult<Vec<LinkingRow>> {
        let (k_key, c_key, names) = match group {
            "department" => (
                "k.department_code",
                "c.department_code",
                "SELECT code, name FROM departments",
            ),
            "item" => (
                "k.item_code",
                "c.item_code",
                "SELECT item_code, name FROM items WHERE is_current = TRUE",
            ),
            _ => (
                "k.district_code",
                "c.district_code",
                "SELECT code, name FROM regions",
            ),
        };
        let mut sql = Sql::new(&format!(
            "SELECT {k_key}, COUNT(*), SUM(CASE WHEN k.linked_case_code IS NULL THEN 1 ELSE 0 END)
             FROM consultations k WHERE {k_key} IS NOT NULL"
        ));
        scope.push_fact_scope(&mut sql, "k");
        sql.and_between("k.asked_at", from_ms, to_ms);
        sql.push(&format!(" GROUP BY {k_key}"));
        let consultations = fetch_dynamic!(self, (String, i64, i64), &sql)?;
        let mut sql = Sql::new(&format!(
            "SELECT {c_key}, COUNT(*), SUM(CASE WHEN c.consultations = 0 THEN 1 ELSE 0 END), SUM(c.consultations),
                SUM(CASE WHEN c.consultations > 0 THEN 1 ELSE 0 END)
             FROM cases c WHERE 1 = 1"
        ));
        scope.push_fact_scope(&mut sql, "c");
        sql.and_between("c.submitted_at", from_ms, to_ms);
        sql.push(&format!(" GROUP BY {c_key}"));
        let cases = fetch_dynamic!(self, (String, i64, i64, i64, i64), &sql)?;
        let mut rows: std::collections::BTreeMap<String, LinkingRow> = Default::default();
        for (key, n, unlinked) in consultations {
            let row = rows.entry(key.clone()).or_insert_with(|| LinkingRow {
                key,
                ..Default::default()
            });
            row.consultations = n;
            row.consulted_not_applied = unlinked;
        }
        for (key, n, without, before, consulted) in cases {
            let row = rows.entry(key.clone()).or_insert_with(|| LinkingRow {
                key,
                ..Default::default()
            });
            row.applications = n;
            row.applied_without_consulting = without;
            row.consultations_before_applying = before;
            row.consulted_applications = consulted;
        }
        let names: std::collections::HashMap<String, String> =
            fetch_dynamic!(self, (String, String), &Sql::new(names))?
                .into_iter()
                .collect();
        Ok(rows
            .into_values()
            .map(|mut row| {
                row.name = names.get(&row.key).cloned();
                row
            })
            .collect())
    }

    /// Number of stored cases (for the demo loader and health reports).
    pub async fn count_cases(&self) -> StoreResult<i64> {
        Ok(on_read!(self, pool => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cases").fetch_one(pool).await?
        }))
    }
}
