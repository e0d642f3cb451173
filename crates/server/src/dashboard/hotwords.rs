//! Hot words (咨询热点, DASH-5): the meaningful words of consultation questions
//! in the period, counted per (day, district) on first use and ranked by
//! tf-idf or frequency; and the administrators' dictionary, which takes effect
//! without a restart.

use super::engine::{dictionary, HotwordCache, DICTIONARY_KEY};
use super::{DashboardQuery, Resolved};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::identity::caller::Caller;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use govpulse_core::dashboard::hotwords::{rank, validate_dictionary, Hotword, Ranking, Segmenter};
use govpulse_store::dashboard::CellRange;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Longest period hot words cover (segmentation is per question).
pub const MAX_DAYS: i64 = 92;
const DEFAULT_LIMIT: usize = 100;
/// (day, district) word counts kept before the cache starts over (≈ a year of
/// every district).
const MAX_CACHED_PARTITIONS: usize = 8_000;
const MAX_LIMIT: usize = 200;
/// Questions read and segmented at a time (~2.5 MB of 1 KB questions).
const QUESTIONS_PER_PAGE: i64 = 2_000;

/// Word counts per (day, region, department) while a partition is counted.
type Counted = HashMap<(i64, String, String), HashMap<String, u32>>;

/// Hot-word options; the period, region and department come as in the overview.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotwordQuery {
    /// 1–200, default 100
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// tfidf (default) | frequency
    #[param(pattern = "^(tfidf|frequency)?$")]
    pub method: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HotwordView {
    pub word: String,
    pub weight: f64,
    pub count: u64,
}

impl From<Hotword> for HotwordView {
    fn from(h: Hotword) -> Self {
        Self {
            word: h.word,
            weight: h.weight,
            count: h.count,
        }
    }
}

/// Whether district `code` can hold regions inside every range.
fn district_relevant(code: &str, ranges: &[(String, String)]) -> bool {
    ranges
        .iter()
        .all(|(lo, hi)| lo.starts_with(code) || (code >= lo.as_str() && code < hi.as_str()))
}

/// Count the words of the (day, district) partitions not yet counted.
async fn count_missing(
    state: &AppState,
    cache: &mut HotwordCache,
    segmenter: Arc<Segmenter>,
    districts: &[String],
    first_day: i64,
    last_day: i64,
) -> ApiResult<()> {
    for district in districts {
        let missing: Vec<i64> = (first_day..=last_day)
            .filter(|day| !cache.partitions.contains_key(&(*day, district.clone())))
            .collect();
        let (Some(&first), Some(&last)) = (missing.first(), missing.last()) else {
            continue;
        };
        let range = CellRange {
            district: Some(district.clone()),
            first_day: first,
            last_day: last,
        };
        // Read and counted a page at a time, question by question: the
        // questions of one large intake batch would take tens of MB at once,
        // and the words of all of them some 50 bytes per word of text; the
        // distinct words per partition take little.
        let mut segmented: Counted = HashMap::new();
        let mut after = None;
        loop {
            let mut page = Vec::new();
            let next = state
                .store
                .consultation_questions(
                    &range,
                    after.as_ref(),
                    QUESTIONS_PER_PAGE,
                    |day, region, department, question| {
                        page.push((day, region, department, question));
                    },
                )
                .await?;
            let segmenter = segmenter.clone();
            segmented = tokio::task::spawn_blocking(move || {
                for (day, region, department, question) in page {
                    let words = segmented.entry((day, region, department)).or_default();
                    for word in segmenter.terms(&question) {
                        *words.entry(word).or_default() += 1;
                    }
                }
                segmented
            })
            .await
            .map_err(ApiError::internal)?;
            match next {
                Some(key) => after = Some(key),
                None => break,
            }
        }
        let mut counts: BTreeMap<i64, HashMap<(u32, u32, u32), u32>> = BTreeMap::new();
        for ((day, region, department), words) in segmented {
            let region = cache.regions.intern(&region);
            let department = cache.departments.intern(&department);
            let day_counts = counts.entry(day).or_default();
            for (word, n) in words {
                let word = cache.words.intern(&word);
                *day_counts.entry((region, department, word)).or_default() += n;
            }
        }
        for day in missing {
            let cells = counts
                .remove(&day)
                .unwrap_or_default()
                .into_iter()
                .map(|((r, d, w), n)| (r, d, w, n))
                .collect();
            cache
                .partitions
                .insert((day, district.clone()), Arc::new(cells));
        }
    }
    Ok(())
}

/// Count the default period's words ahead of the first request, one district
/// at a time (the cache is free between districts): run by the dashboard's
/// background tick, so it also re-counts the days new consultations changed.
pub async fn warm(state: &AppState) -> ApiResult<()> {
    let last_day = govpulse_store::dashboard::local_day(govpulse_core::time::now_ms());
    let first_day = last_day - (super::DEFAULT_DAYS - 1);
    let districts: Vec<String> = {
        let fresh = state.dashboard.fresh(&state.store).await?;
        fresh
            .cube
            .districts
            .iter()
            .map(|(_, code)| code.to_string())
            .collect()
    };
    let segmenter = state.dashboard.segmenter(&state.store).await?;
    for district in districts {
        let mut cache = state.dashboard.hotwords.lock().await;
        count_missing(
            state,
            &mut cache,
            segmenter.clone(),
            &[district],
            first_day,
            last_day,
        )
        .await?;
    }
    Ok(())
}

/// Ranked hot words for a resolved query.
pub async fn ranked(
    state: &AppState,
    resolved: &Resolved,
    ranking: Ranking,
    limit: usize,
) -> ApiResult<Vec<Hotword>> {
    let districts: Vec<String> = {
        let fresh = state.dashboard.fresh(&state.store).await?;
        fresh
            .cube
            .districts
            .iter()
            .map(|(_, code)| code.to_string())
            .filter(|code| district_relevant(code, &resolved.filter.region_ranges))
            .collect()
    };
    let segmenter = state.dashboard.segmenter(&state.store).await?;
    let mut cache = state.dashboard.hotwords.lock().await;
    if cache.partitions.len() > MAX_CACHED_PARTITIONS {
        *cache = HotwordCache::default();
    }
    count_missing(
        state,
        &mut cache,
        segmenter.clone(),
        &districts,
        resolved.first_day,
        resolved.last_day,
    )
    .await?;
    let filter = &resolved.filter;
    let region_ok: Vec<bool> = cache
        .regions
        .iter()
        .map(|(_, code)| filter.admits_region(code))
        .collect();
    let department_ok: Vec<bool> = cache
        .departments
        .iter()
        .map(|(_, code)| filter.admits_department(code))
        .collect();
    let mut counts: HashMap<u32, u64> = HashMap::new();
    for district in &districts {
        for day in resolved.first_day..=resolved.last_day {
            let Some(cells) = cache.partitions.get(&(day, district.clone())) else {
                continue;
            };
            for &(region, department, word, n) in cells.iter() {
                if region_ok[region as usize] && department_ok[department as usize] {
                    *counts.entry(word).or_default() += u64::from(n);
                }
            }
        }
    }
    let counts: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(word, n)| (cache.words.code(word).to_string(), n))
        .collect();
    Ok(rank(&counts, ranking, &segmenter, limit))
}

/// Resolve the filters hot words take: the period, region and department.
/// Questions carry no item, stage or applicant type worth counting by, so the
/// dashboard's other filters do not apply (the export of the hot-word table
/// receives them all from the dashboard's filter bar).
pub fn resolve_for_hotwords(filters: &DashboardQuery, caller: &Caller) -> ApiResult<Resolved> {
    let applicable = DashboardQuery {
        from: filters.from.clone(),
        to: filters.to.clone(),
        region: filters.region.clone(),
        department: filters.department.clone(),
        ..Default::default()
    };
    applicable.resolve(caller, MAX_DAYS)
}

impl HotwordQuery {
    /// The ranking method and the word limit.
    pub fn method_and_limit(&self) -> ApiResult<(Ranking, usize)> {
        let ranking = match self.method.as_deref().filter(|m| !m.is_empty()) {
            None => Ranking::TfIdf,
            Some(m) => Ranking::parse(m).ok_or_else(|| {
                ApiError::invalid_field("method", "排序方式须为 tfidf 或 frequency")
            })?,
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_field(
                "limit",
                format!("数量须为 1–{MAX_LIMIT}"),
            ));
        }
        Ok((ranking, limit))
    }
}

/// The dashboard filters hot words take: words are counted per day, region
/// and department only.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotwordFilters {
    /// First day `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day `YYYY-MM-DD`, inclusive (default: today).
    pub to: Option<String>,
    /// Region code: its whole subtree.
    #[param(pattern = "^[A-Za-z0-9-]*$")]
    pub region: Option<String>,
    #[param(pattern = "^[A-Za-z0-9-]*$")]
    pub department: Option<String>,
}

impl From<HotwordFilters> for DashboardQuery {
    fn from(f: HotwordFilters) -> Self {
        Self {
            from: f.from,
            to: f.to,
            region: f.region,
            department: f.department,
            ..Default::default()
        }
    }
}

#[utoipa::path(get, path = "/dashboard/hotwords", tag = "dashboard", params(HotwordQuery, HotwordFilters),
    responses((status = 200, body = [HotwordView])))]
pub async fn hotwords(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HotwordQuery>,
    ApiQuery(filters): ApiQuery<HotwordFilters>,
) -> ApiResult<Json<Vec<HotwordView>>> {
    caller.require(&state, "data:read").await?;
    let resolved = resolve_for_hotwords(&filters.into(), &caller)?;
    let (ranking, limit) = q.method_and_limit()?;
    let words = ranked(&state, &resolved, ranking, limit).await?;
    Ok(Json(words.into_iter().map(HotwordView::from).collect()))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Dictionary {
    pub words: Vec<String>,
}

#[utoipa::path(get, path = "/dashboard/dictionary", tag = "dashboard",
    responses((status = 200, body = Dictionary)))]
pub async fn get_dictionary(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Dictionary>> {
    caller.require(&state, "data:read").await?;
    Ok(Json(Dictionary {
        words: dictionary(&state.store).await?,
    }))
}

#[utoipa::path(put, path = "/dashboard/dictionary", tag = "dashboard", request_body = Dictionary,
    responses((status = 200, body = Dictionary)))]
pub async fn put_dictionary(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Dictionary>,
) -> ApiResult<Json<Dictionary>> {
    caller.require(&state, "config:write").await?;
    let words = validate_dictionary(&body.words).map_err(|problems| {
        ApiError::invalid_field("words", problems.first().cloned().unwrap_or_default())
            .with_details(serde_json::json!({ "problems": problems }))
    })?;
    let value = serde_json::to_string(&words).map_err(ApiError::internal)?;
    let audit = caller.audit(
        "dashboard.dictionary",
        "setting",
        DICTIONARY_KEY,
        serde_json::json!({ "words": words.len() }),
    );
    state
        .store
        .put_setting(DICTIONARY_KEY, &value, &audit)
        .await?;
    state.dashboard.set_dictionary(words.clone()).await;
    Ok(Json(Dictionary { words }))
}
