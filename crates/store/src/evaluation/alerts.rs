//! Indicator warning rules (IND-2): the rule library (every save a version
//! with history, as in the indicator library), the rules due by their
//! schedule, and the sync of one run's outcome into the monitoring warnings
//! (`warnings` rows of rule `ind:<code>`, subject `ind:<code>|<unit>`) through
//! the standalone-warning machinery: same inbox, handling and false-positive
//! marking as every other warning.

use super::library::VersionRow;
use super::versioned::{Kind, VersionedSave};
use crate::audit::{escape_like, AuditRecord};
use crate::db::{Sql, Store, StoreResult, Value};
use crate::list::{Key, ListPage, ListRequest, ListSpec, SortField};
use crate::monitoring::standalone::{
    close_standalone_warnings, raise_standalone_warning, StandaloneWarning,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRuleRow {
    pub code: String,
    pub name: String,
    pub indicator_code: String,
    pub state: String,
    /// The level keys it uses, `,red,yellow,`.
    pub levels: String,
    pub version: i64,
    pub definition: String,
    pub next_run_at: Option<i64>,
    pub last_run_at: Option<i64>,
    pub last_period: Option<String>,
    pub updated_at: i64,
    pub updated_by: String,
}

const RULES: Kind = Kind {
    table: "indicator_alert_rules",
    versions: "indicator_alert_rule_versions",
    versions_keep_name: true,
    object: "indicator_alert_rule",
};

/// Rule list sorts.
pub static ALERT_RULE_LIST: ListSpec<AlertRuleRow> = ListSpec {
    fields: &[
        SortField {
            name: "code",
            column: "code",
            key: |r| Key::Text(r.code.clone()),
        },
        SortField {
            name: "updated_at",
            column: "updated_at",
            key: |r| Key::Int(r.updated_at),
        },
        SortField {
            name: "name",
            column: "name",
            key: |r| Key::Text(r.name.clone()),
        },
    ],
    default_descending: false,
    tie: SortField {
        name: "code",
        column: "code",
        key: |r| Key::Text(r.code.clone()),
    },
};

/// Rule list filters: `q` is contained in the code or name; `level` is one
/// of the rule's level keys.
#[derive(Debug, Clone, Default)]
pub struct AlertRuleFilter {
    pub q: Option<String>,
    pub state: Option<String>,
    pub level: Option<String>,
    pub indicator: Option<String>,
}

const COLUMNS: &str =
    "SELECT code, name, indicator_code, state, levels, version, definition, next_run_at,
    last_run_at, last_period, updated_at, updated_by FROM indicator_alert_rules WHERE 1 = 1";

fn push_filter(sql: &mut Sql, filter: &AlertRuleFilter) {
    sql.and_eq("state", &filter.state);
    sql.and_eq("indicator_code", &filter.indicator);
    if let Some(level) = &filter.level {
        sql.push(" AND levels LIKE ")
            .bind_text(&format!("%,{},%", escape_like(level)))
            .push(" ESCAPE '\\'");
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        sql.push(" AND (code LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\' OR name LIKE ")
            .bind_text(&pattern)
            .push(" ESCAPE '\\')");
    }
}

/// One unit's outcome of a run: the level it is at (none: well).
#[derive(Debug, Clone)]
pub struct AlertOutcome {
    pub unit_code: String,
    pub region: String,
    /// The unit's department code (departments), empty for a district.
    pub department: String,
    pub level: Option<AlertOutcomeLevel>,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct AlertOutcomeLevel {
    pub key: String,
    pub rank: i64,
    pub name: String,
    pub colour: String,
}

/// Hours to handle an indicator warning (three working days' worth).
const HANDLING_HOURS: i64 = 72;

/// The warnings' rule code of an indicator warning rule.
pub fn warning_rule(code: &str) -> String {
    format!("ind:{code}")
}

impl Store {
    /// A page of rules.
    pub async fn list_alert_rules(
        &self,
        filter: &AlertRuleFilter,
        request: &ListRequest<AlertRuleRow>,
    ) -> StoreResult<ListPage<AlertRuleRow>> {
        list_of!(
            self,
            AlertRuleRow,
            COLUMNS,
            "FROM indicator_alert_rules WHERE 1 = 1",
            |sql: &mut Sql| push_filter(sql, filter),
            request
        )
    }

    /// Every rule, by code (the export).
    pub async fn alert_rules(&self) -> StoreResult<Vec<AlertRuleRow>> {
        let sql = Sql::new(&format!("{COLUMNS} ORDER BY code"));
        Ok(fetch_dynamic!(self, AlertRuleRow, &sql)?)
    }

    pub async fn alert_rule(&self, code: &str) -> StoreResult<Option<AlertRuleRow>> {
        let mut sql = Sql::new(&format!("{COLUMNS} AND code = "));
        sql.bind_text(code);
        Ok(fetch_dynamic!(self, AlertRuleRow, &sql)?.into_iter().next())
    }

    /// Enabled rules whose next run is due at `now_ms`.
    pub async fn due_alert_rules(&self, now_ms: i64) -> StoreResult<Vec<AlertRuleRow>> {
        let mut sql = Sql::new(&format!(
            "{COLUMNS} AND state = 'enabled' AND next_run_at <= "
        ));
        sql.bind_int(now_ms).push(" ORDER BY next_run_at, code");
        Ok(fetch_dynamic!(self, AlertRuleRow, &sql)?)
    }

    /// Store a new version of a rule (as [`Store::save_indicator`]): the
    /// whole definition is kept in its version history.
    pub async fn save_alert_rule(
        &self,
        row: &AlertRuleRow,
        read_version: Option<i64>,
        audit: &AuditRecord,
    ) -> StoreResult<Option<i64>> {
        let columns = vec![
            ("indicator_code", Value::Text(row.indicator_code.clone())),
            ("state", Value::Text(row.state.clone())),
            ("levels", Value::Text(row.levels.clone())),
            ("next_run_at", Value::OptInt(row.next_run_at)),
        ];
        let saved = saved_of!(row);
        let save = VersionedSave::new(&RULES, &saved, columns, Vec::new());
        self.save_version(save, read_version, audit).await
    }

    /// Every version of a rule, newest first.
    pub async fn alert_rule_versions(&self, code: &str) -> StoreResult<Vec<VersionRow>> {
        self.versions_of(&RULES, code).await
    }

    /// Record a run of a rule: the period it assessed and its next run.
    pub async fn mark_alert_run(
        &self,
        code: &str,
        period: &str,
        ran_at: i64,
        next_run_at: Option<i64>,
    ) -> StoreResult<()> {
        on_write!(self, pool => {
            sqlx::query(
                "UPDATE indicator_alert_rules SET last_run_at = $2, last_period = $3, next_run_at = $4 WHERE code = $1",
            )
            .bind(code)
            .bind(ran_at)
            .bind(period)
            .bind(next_run_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Bring the warnings of rule `code` in step with one run over `period`:
    /// raise a warning for a unit at a level that has none active, raise it
    /// again when its level or the period changed, close it when the unit is
    /// well. A warning marked false positive stays dismissed for the period it
    /// was raised for. Returns `(raised, closed)`.
    pub async fn sync_alert_warnings(
        &self,
        code: &str,
        period: &str,
        outcomes: &[AlertOutcome],
        now_ms: i64,
    ) -> StoreResult<(u64, u64)> {
        let users = self.recipients().await?;
        let rule = warning_rule(code);
        let reference = format!("{code}/{period}");
        Ok(on_write!(self, pool => {
            let mut tx = crate::db::PoolOps::begin_write(pool).await?;
            let active: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT subject_key, level, status, case_code FROM warnings WHERE rule_code = $1 AND status <> 'closed'",
            )
            .bind(&rule)
            .fetch_all(&mut *tx)
            .await?;
            let (mut raised, mut closed) = (0, 0);
            for outcome in outcomes {
                let subject = format!("{rule}|{}", outcome.unit_code);
                let current = active.iter().find(|(s, ..)| *s == subject);
                match (&outcome.level, current) {
                    (None, Some((_, _, status, _))) if status != "false_positive" => {
                        close_standalone_warnings!(tx, &subject, "指标已恢复正常", now_ms, "system");
                        closed += 1;
                    }
                    (Some(level), current) => {
                        let action = match current {
                            Some((_, _, status, was)) if status == "false_positive" && *was == reference => continue,
                            Some((_, old, _, was)) if *old == level.key && *was == reference => continue,
                            Some(_) => "escalated",
                            None => "raised",
                        };
                        let district = outcome.region.get(..6).unwrap_or(&outcome.region);
                        let warning = StandaloneWarning {
                            rule: &rule,
                            subject: &subject,
                            reference: &reference,
                            stage: "indicator",
                            district,
                            region: &outcome.region,
                            department: &outcome.department,
                            item: "",
                            level: &level.key,
                            level_rank: level.rank,
                            level_name: &level.name,
                            colour: &level.colour,
                            handling_hours: HANDLING_HOURS,
                            action,
                            title: outcome.title.clone(),
                            body: outcome.body.clone(),
                        };
                        raise_standalone_warning!(pool, tx, &users, &warning, now_ms);
                        raised += 1;
                    }
                    _ => {}
                }
            }
            tx.commit().await?;
            (raised, closed)
        }))
    }
}
