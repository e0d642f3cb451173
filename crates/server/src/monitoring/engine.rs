//! The evaluator (MON-5): compiled rules and the calendar held in memory,
//! swapped whole when an administrator changes them; a scheduler that works
//! through the deadline index — subjects marked by intake (due at once) and
//! subjects whose next threshold instant has come — and never scans every case.

use crate::overload::shutdown::Shutdown;
use govpulse_core::monitoring::builtin::builtin_rules;
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::monitoring::condition::Field;
use govpulse_core::monitoring::evaluate::judge;
use govpulse_core::monitoring::rule::{CompiledRule, RuleDef, STAGES};
use govpulse_core::monitoring::template;
use govpulse_core::time::to_rfc3339;
use govpulse_store::monitoring::{
    DecidedLevel, Decision, Evaluation, EvaluationStats, RuleHead, SubjectFacts, SubjectKind,
};
use govpulse_store::{Store, StoreResult};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Subjects evaluated per pass (one transaction per 500).
const PASS_SIZE: i64 = 2_000;
/// The scheduler looks at the index at least this often (other processes,
/// clock changes).
const MAX_SLEEP: Duration = Duration::from_secs(30);

pub struct Monitor {
    rules: RwLock<Arc<Vec<CompiledRule>>>,
    calendar: RwLock<Arc<WorkCalendar>>,
    wake: Notify,
}

impl Default for Monitor {
    fn default() -> Self {
        Self {
            rules: RwLock::new(Arc::new(Vec::new())),
            calendar: RwLock::new(Arc::new(WorkCalendar::bundled())),
            wake: Notify::new(),
        }
    }
}

/// Why a warning closes, from what the subject looks like now.
fn close_reason(case_status: &str, status: Option<&str>) -> String {
    match (status, case_status) {
        (_, "completed" | "decided") => "已办结",
        (_, "withdrawn") => "已撤回",
        (_, "rejected") => "不予受理",
        (Some("suspended"), _) => "暂停计时（补齐补正或特别程序）",
        (Some("completed" | "completed_late"), _) => "环节已完成",
        _ => "条件不再满足",
    }
    .to_string()
}

fn stage_name(stage: &str) -> &'static str {
    STAGES
        .iter()
        .find(|(s, _)| *s == stage)
        .map_or("", |(_, name)| *name)
}

/// The placeholder values of a subject seen through a rule's stage clock.
pub fn placeholders(
    rule: &CompiledRule,
    level_name: &str,
    facts: &SubjectFacts,
    subject: &govpulse_core::monitoring::evaluate::Subject,
) -> BTreeMap<&'static str, String> {
    let mut values = BTreeMap::new();
    values.insert("事项名称", facts.item_name.clone());
    values.insert("事项编码", facts.record.item.clone());
    values.insert("办件编号", facts.case_code.clone());
    values.insert("申请人", facts.applicant_masked.clone());
    values.insert("区划", facts.region_name.clone());
    values.insert("部门", facts.department_name.clone());
    values.insert("环节", stage_name(&rule.def.stage).to_string());
    values.insert("预警级别", level_name.to_string());
    values.insert("规则名称", rule.def.name.clone());
    if let Some(clock) = subject.clock(&rule.def.stage) {
        values.insert(
            "截止时间",
            to_rfc3339(clock.deadline)[..16].replace('T', " "),
        );
        values.insert("剩余工作日", clock.remaining.max(0).to_string());
        values.insert("已用工作日", clock.elapsed.to_string());
        values.insert("已用比例", format!("{:.1}%", clock.used_share * 100.0));
    }
    values
}

/// Threshold instants looked ahead per rule before giving up and re-evaluating.
const LOOKAHEAD_STEPS: usize = 16;

/// The first threshold instant from `first` at which the rule's level differs
/// from `level_now` (absent new events): the subject is due only when its
/// warning would change, so a deadline pass touches only changing cases.
fn next_change(
    rule: &CompiledRule,
    facts: &SubjectFacts,
    calendar: &WorkCalendar,
    level_now: Option<usize>,
    first: Option<i64>,
) -> Option<i64> {
    let mut at = first?;
    for _ in 0..LOOKAHEAD_STEPS {
        let subject = facts.record.subject(calendar, i64::MAX, at);
        let verdict = judge(rule, &subject, calendar, at);
        if verdict.level != level_now {
            return Some(at);
        }
        at = verdict.next_due?;
    }
    Some(at)
}

impl Monitor {
    pub fn rules(&self) -> Arc<Vec<CompiledRule>> {
        self.rules.read().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|_| Arc::new(WorkCalendar::bundled()))
    }

    pub fn set_calendar(&self, calendar: WorkCalendar) {
        if let Ok(mut slot) = self.calendar.write() {
            *slot = Arc::new(calendar);
        }
    }

    /// Load the rules and calendar years from the database.
    pub async fn reload(&self, store: &Store) -> anyhow::Result<()> {
        let mut compiled = Vec::new();
        for row in store.warning_rules().await? {
            let def: RuleDef = serde_json::from_str(&row.definition)?;
            match def.compile(row.version) {
                Ok(rule) => compiled.push(rule),
                Err(problems) => {
                    tracing::error!(rule = %row.code, ?problems, "stored rule does not compile")
                }
            }
        }
        if let Ok(mut slot) = self.rules.write() {
            *slot = Arc::new(compiled);
        }
        self.set_calendar(super::calendar::effective_calendar(store).await?);
        Ok(())
    }

    /// Evaluate now rather than at the next tick.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Every rule's decision on one subject at `now_ms`.
    pub fn decide(
        rules: &[CompiledRule],
        calendar: &WorkCalendar,
        facts: &SubjectFacts,
        now_ms: i64,
    ) -> Evaluation {
        let subject = facts.record.subject(calendar, i64::MAX, now_ms);
        let mut evaluation = Evaluation::default();
        let consultation = facts.kind == SubjectKind::Consultation;
        if !consultation {
            // The dashboard's overdue figure: kept per case, and looked at again
            // the instant a running clock passes its deadline.
            let clocks = &subject.clocks;
            evaluation.overdue = Some(
                clocks
                    .iter()
                    .any(|c| matches!(c.status, "overdue" | "completed_late")),
            );
            evaluation.next_due = clocks
                .iter()
                .filter(|c| c.status == "running")
                .map(|c| c.deadline + 1)
                .min();
        }
        for rule in rules
            .iter()
            .filter(|r| (r.def.stage == "consultation") == consultation)
        {
            let verdict = judge(rule, &subject, calendar, now_ms);
            if let Some(due) = next_change(rule, facts, calendar, verdict.level, verdict.next_due) {
                evaluation.next_due = Some(evaluation.next_due.map_or(due, |d: i64| d.min(due)));
            }
            let clock_status = subject.clock(&rule.def.stage).map(|c| c.status);
            let level = verdict.level.map(|i| {
                let def = &rule.def.levels[i];
                let values = placeholders(rule, &def.name, facts, &subject);
                DecidedLevel {
                    key: def.key.clone(),
                    name: def.name.clone(),
                    rank: i as i32,
                    colour: def.colour.clone(),
                    handling_hours: def.handling_hours,
                    title: format!("【{}】{}", def.name, rule.def.name),
                    body: template::render(&def.template, &values),
                    webhook_url: rule
                        .def
                        .webhook
                        .as_ref()
                        .filter(|w| w.carries(&facts.record.region, &facts.record.department))
                        .map(|w| w.url.clone()),
                }
            });
            evaluation.decisions.push(Decision {
                rule_code: rule.def.code.clone(),
                rule_version: rule.version,
                stage: rule.def.stage.clone(),
                level,
                close_reason: if rule.def.enabled {
                    close_reason(&subject.case_status, clock_status)
                } else {
                    "规则已停用".to_string()
                },
            });
        }
        evaluation
    }

    /// Windowed counts any rule reads.
    pub(crate) fn windows<'a>(
        rules: impl IntoIterator<Item = &'a CompiledRule>,
    ) -> Vec<(Field, u32)> {
        let mut windows: Vec<(Field, u32)> = rules
            .into_iter()
            .flat_map(|r| r.windows.iter().copied())
            .collect();
        windows.sort();
        windows.dedup();
        windows
    }

    /// Evaluate `keys` now.
    pub async fn evaluate(
        &self,
        store: &Store,
        keys: &[String],
        now_ms: i64,
    ) -> StoreResult<EvaluationStats> {
        let rules = self.rules();
        let calendar = self.calendar();
        let windows = Self::windows(rules.iter());
        let decide = |facts: &SubjectFacts| Self::decide(&rules, &calendar, facts, now_ms);
        store
            .evaluate_subjects(keys, &windows, now_ms, &decide)
            .await
    }

    /// Work through everything due at `now_ms`.
    pub async fn run_due(&self, store: &Store, now_ms: i64) -> StoreResult<EvaluationStats> {
        self.run_due_while(store, now_ms, || true).await
    }

    /// Work through what is due at `now_ms` while `go_on` says so (asked
    /// between passes: each pass commits what it evaluated).
    async fn run_due_while(
        &self,
        store: &Store,
        now_ms: i64,
        go_on: impl Fn() -> bool,
    ) -> StoreResult<EvaluationStats> {
        let mut total = EvaluationStats::default();
        while go_on() {
            let keys = store.due_subjects(now_ms, PASS_SIZE).await?;
            if keys.is_empty() {
                return Ok(total);
            }
            let stats = self.evaluate(store, &keys, now_ms).await?;
            total += stats;
        }
        Ok(total)
    }

    /// Run the scheduler until the server drains; it stops between passes, so
    /// what it evaluated is committed and the rest stays due for the next start.
    pub fn spawn(self: Arc<Self>, store: Store, shutdown: Arc<Shutdown>) -> JoinHandle<()> {
        tokio::spawn(async move {
            while !shutdown.is_draining() {
                let now = govpulse_core::time::now_ms();
                match self
                    .run_due_while(&store, now, || !shutdown.is_draining())
                    .await
                {
                    Ok(stats) if stats.subjects > 0 => {
                        metrics::counter!("govpulse_warnings_raised_total").increment(stats.raised);
                        tracing::debug!(?stats, "evaluation pass");
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "evaluation pass failed"),
                }
                let sleep = match store.next_due_at().await {
                    Ok(Some(at)) => Duration::from_millis(
                        u64::try_from(at - govpulse_core::time::now_ms()).unwrap_or(0),
                    )
                    .min(MAX_SLEEP),
                    _ => MAX_SLEEP,
                };
                if sleep.is_zero() {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(sleep) => {}
                    _ = self.wake.notified() => {}
                    () = shutdown.draining() => {}
                }
            }
        })
    }
}

/// Create the built-in models an installation lacks (edited ones are kept).
pub async fn seed_builtin_rules(store: &Store) -> anyhow::Result<()> {
    let existing: Vec<String> = store
        .warning_rules()
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    for rule in builtin_rules() {
        if existing.contains(&rule.code) {
            continue;
        }
        let definition = serde_json::to_string(&rule)?;
        let head = RuleHead {
            code: &rule.code,
            name: &rule.name,
            stage: &rule.stage,
            rule_type: &rule.rule_type,
            enabled: rule.enabled,
            definition: &definition,
        };
        let audit =
            crate::seed::system_record("warning_rule.create", serde_json::json!({"builtin": true}))
                .on_object("warning_rule", &rule.code);
        match store
            .create_warning_rule(&head, true, "system", govpulse_core::time::now_ms(), &audit)
            .await
        {
            Ok(()) | Err(govpulse_store::StoreError::Conflict(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}
