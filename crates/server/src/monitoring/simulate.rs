//! Rule simulation (MON-8): replay a draft rule — and the live version of the
//! same code — over the cases of a past period, event by event and threshold
//! by threshold, and report what each would have raised. Nothing is written.

use super::rules::{compile, rule_from_json};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::monitoring::calendar::WorkCalendar;
use govpulse_core::monitoring::evaluate::judge;
use govpulse_core::monitoring::replay::replay;
use govpulse_core::monitoring::rule::CompiledRule;
use govpulse_core::time::{now_ms, parse_bound, to_rfc3339};
use govpulse_store::monitoring::{case_subject, SubjectFacts};
use govpulse_store::org::OrgScope;
use govpulse_store::{Store, StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Cases replayed per page (one facts query per 500).
const PAGE: i64 = 2_000;
/// Most cases one simulation looks at (the answer says when it stopped).
const MAX_CASES: usize = 2_000_000;
const SAMPLE: usize = 50;
const TOP: usize = 15;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulationInput {
    #[schema(value_type = govpulse_core::monitoring::rule::RuleDef)]
    pub rule: Value,
    /// Period start (`YYYY-MM-DD` or RFC 3339): cases submitted from then.
    pub from: String,
    /// Period end (inclusive day).
    pub to: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountRow {
    pub code: String,
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SampleRow {
    pub case_code: String,
    pub level: String,
    pub item_name: String,
    pub region_code: String,
    pub district_code: String,
    pub region_name: String,
    pub at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LiveSummary {
    pub by_level: BTreeMap<String, u64>,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SimulationDiff {
    pub added: u64,
    pub removed: u64,
    pub changed_level: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimulationResult {
    /// Subjects (cases, or applicant × item for consultation rules) evaluated.
    pub cases: u64,
    /// Stopped at the case limit.
    pub truncated: bool,
    pub by_level: BTreeMap<String, u64>,
    pub by_district: Vec<CountRow>,
    pub by_department: Vec<CountRow>,
    pub by_item: Vec<CountRow>,
    pub sample: Vec<SampleRow>,
    /// The live version of the same code over the same cases (absent for a new code).
    pub live: Option<LiveSummary>,
    pub diff: SimulationDiff,
    pub elapsed_ms: u64,
}

/// What a rule would have raised on one subject: (level index, first raised).
fn outcome(
    rule: &CompiledRule,
    facts: &SubjectFacts,
    calendar: &WorkCalendar,
    horizon: i64,
) -> Option<(usize, i64)> {
    if rule.def.stage == "consultation" {
        let subject = facts.record.subject(calendar, horizon, horizon);
        return judge(rule, &subject, calendar, horizon)
            .level
            .map(|l| (l, facts.record.submitted_at));
    }
    replay(rule, &facts.record, calendar, horizon).map(|r| (r.level, r.raised_at))
}

#[derive(Default)]
struct Tally {
    cases: u64,
    by_level: BTreeMap<String, u64>,
    by_district: HashMap<String, (String, u64)>,
    by_department: HashMap<String, (String, u64)>,
    by_item: HashMap<String, (String, u64)>,
    sample: Vec<SampleRow>,
    live_by_level: BTreeMap<String, u64>,
    diff: SimulationDiff,
}

fn bump(map: &mut HashMap<String, (String, u64)>, code: &str, name: &str) {
    map.entry(code.to_string())
        .or_insert_with(|| (name.to_string(), 0))
        .1 += 1;
}

fn top(map: HashMap<String, (String, u64)>) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> = map
        .into_iter()
        .map(|(code, (name, count))| CountRow { code, name, count })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    rows.truncate(TOP);
    rows
}

impl Tally {
    fn add(
        &mut self,
        draft: &CompiledRule,
        live: Option<&CompiledRule>,
        facts: &SubjectFacts,
        calendar: &WorkCalendar,
        horizon: i64,
    ) {
        self.cases += 1;
        let simulated = outcome(draft, facts, calendar, horizon);
        if let Some((level, at)) = simulated {
            let key = &draft.def.levels[level].key;
            *self.by_level.entry(key.clone()).or_default() += 1;
            let district = govpulse_core::region::district_of(&facts.record.region);
            // Named after the tally from the region tree (a case may sit in a street).
            bump(&mut self.by_district, district, "");
            bump(
                &mut self.by_department,
                &facts.record.department,
                &facts.department_name,
            );
            bump(&mut self.by_item, &facts.record.item, &facts.item_name);
            if self.sample.len() < SAMPLE {
                self.sample.push(SampleRow {
                    case_code: facts.case_code.clone(),
                    level: key.clone(),
                    item_name: facts.item_name.clone(),
                    region_code: facts.record.region.clone(),
                    district_code: district.to_string(),
                    region_name: facts.region_name.clone(),
                    at: to_rfc3339(at),
                });
            }
        }
        let Some(live) = live else { return };
        let before = outcome(live, facts, calendar, horizon);
        if let Some((level, _)) = before {
            *self
                .live_by_level
                .entry(live.def.levels[level].key.clone())
                .or_default() += 1;
        }
        let key = |rule: &CompiledRule, o: Option<(usize, i64)>| {
            o.map(|(l, _)| rule.def.levels[l].key.clone())
        };
        match (key(draft, simulated), key(live, before)) {
            (Some(_), None) => self.diff.added += 1,
            (None, Some(_)) => self.diff.removed += 1,
            (Some(a), Some(b)) if a != b => self.diff.changed_level += 1,
            _ => {}
        }
    }
}

#[utoipa::path(post, path = "/warning-rules/simulate", tag = "monitoring", request_body = SimulationInput,
    responses((status = 200, body = SimulationResult), (status = 400, body = crate::error::ErrorBody)))]
pub async fn simulate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SimulationInput>,
) -> ApiResult<Json<SimulationResult>> {
    caller.require(&state, "rule:write").await?;
    let started = std::time::Instant::now();
    let draft = Arc::new(compile(&rule_from_json(input.rule)?, 0)?);
    let from = parse_bound(&input.from)
        .ok_or_else(|| ApiError::invalid_field("from", "时间格式须为 YYYY-MM-DD 或 RFC 3339"))?;
    let to_start = parse_bound(&input.to)
        .ok_or_else(|| ApiError::invalid_field("to", "时间格式须为 YYYY-MM-DD 或 RFC 3339"))?;
    let to = if input.to.len() == 10 {
        to_start + 86_399_999
    } else {
        to_start
    };
    if to < from {
        return Err(ApiError::invalid_field("to", "结束时间须不早于开始时间"));
    }
    let live: Option<Arc<CompiledRule>> = state
        .monitor
        .rules()
        .iter()
        .find(|r| r.def.code == draft.def.code)
        .cloned()
        .map(Arc::new);
    let period = Period {
        from,
        to,
        horizon: now_ms(),
    };
    let calendar = state.monitor.calendar();
    let mut result = run(
        &state.store,
        calendar,
        draft,
        live,
        &caller.org_scope(),
        period,
    )
    .await?;
    result.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(Json(result))
}

/// The simulated period: cases submitted in `[from, to]`, replayed up to `horizon`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: i64,
    pub to: i64,
    pub horizon: i64,
}

/// Replay `draft` (and `live`, when the code exists) over the period's cases in `scope`.
pub async fn run(
    store: &Store,
    calendar: Arc<WorkCalendar>,
    draft: Arc<CompiledRule>,
    live: Option<Arc<CompiledRule>>,
    scope: &OrgScope,
    period: Period,
) -> StoreResult<SimulationResult> {
    let Period { from, to, horizon } = period;
    let windows = super::engine::Monitor::windows(std::iter::once(&*draft).chain(live.as_deref()));
    let mut tally = Tally::default();
    let mut truncated = false;
    if draft.def.stage == "consultation" {
        let keys = store
            .consultation_subjects_in(scope, from, to, MAX_CASES as i64)
            .await?;
        for facts in store.subject_facts(&keys, &windows).await? {
            tally.add(&draft, live.as_deref(), &facts, &calendar, horizon);
        }
    } else {
        let mut after: Option<(i64, String)> = None;
        loop {
            let page = store
                .cases_submitted_in(scope, from, to, after.as_ref(), PAGE)
                .await?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            let keys: Vec<String> = page.iter().map(|(_, c)| case_subject(c)).collect();
            let facts = store.subject_facts(&keys, &windows).await?;
            // Replay is CPU work: keep it off the request threads.
            let (draft_c, live_c, calendar_c) = (draft.clone(), live.clone(), calendar.clone());
            let mut moved = std::mem::take(&mut tally);
            tally = tokio::task::spawn_blocking(move || {
                for f in &facts {
                    moved.add(&draft_c, live_c.as_deref(), f, &calendar_c, horizon);
                }
                moved
            })
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if (page.len() as i64) < PAGE {
                break;
            }
            if tally.cases as usize >= MAX_CASES {
                truncated = true;
                break;
            }
            after = Some(last);
        }
    }
    let regions = store.list_regions(&OrgScope::default()).await?;
    let mut by_district = top(tally.by_district);
    for row in &mut by_district {
        row.name = regions
            .iter()
            .find(|r| r.code == row.code)
            .map_or_else(|| row.code.clone(), |r| r.name.clone());
    }
    Ok(SimulationResult {
        cases: tally.cases,
        truncated,
        by_level: tally.by_level,
        by_district,
        by_department: top(tally.by_department),
        by_item: top(tally.by_item),
        sample: tally.sample,
        live: live.map(|_| LiveSummary {
            by_level: tally.live_by_level,
        }),
        diff: tally.diff,
        elapsed_ms: 0,
    })
}
