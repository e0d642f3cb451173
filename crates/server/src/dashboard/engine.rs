//! The dashboard's in-memory state: the cube, kept current from the change log
//! (every read first applies what intake and the evaluator logged, so figures
//! always agree with the lists), and hot-word counts per (district, day),
//! segmented on first use and dropped when that day's consultations change.

use govpulse_core::dashboard::cube::{Cube, Interner, Kind};
use govpulse_core::dashboard::hotwords::Segmenter;
use govpulse_store::dashboard::{ranges_of, CellRange};
use govpulse_store::{Store, StoreResult};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use tokio::sync::{Mutex, RwLockReadGuard};

/// Log entries re-read behind the newest applied one: on PostgreSQL a lower
/// sequence can commit after a higher one.
const OVERLAP: i64 = 10_000;
/// Settings key of the administrators' hot-word dictionary.
pub const DICTIONARY_KEY: &str = "dashboard.dictionary";

#[derive(Default)]
pub struct CubeState {
    pub cube: Cube,
    built: bool,
    /// Sequences applied at or above `max_applied - OVERLAP`.
    applied: BTreeSet<i64>,
}

impl CubeState {
    fn max_applied(&self) -> i64 {
        self.applied.last().copied().unwrap_or(0)
    }
}

/// Word counts of one (day, district): (region, department, word, count).
type WordCells = Vec<(u32, u32, u32, u32)>;

#[derive(Default)]
pub struct HotwordCache {
    pub regions: Interner,
    pub departments: Interner,
    pub words: Interner,
    pub partitions: HashMap<(i64, String), Arc<WordCells>>,
}

#[derive(Default)]
pub struct Dashboard {
    state: tokio::sync::RwLock<CubeState>,
    refreshing: Mutex<()>,
    segmenter: RwLock<Option<Arc<Segmenter>>>,
    pub hotwords: Mutex<HotwordCache>,
}

impl Dashboard {
    /// The cube with everything logged so far applied.
    pub async fn fresh(&self, store: &Store) -> StoreResult<RwLockReadGuard<'_, CubeState>> {
        if self.is_current(store).await? {
            return Ok(self.state.read().await);
        }
        let _one_refresher = self.refreshing.lock().await;
        if !self.is_current(store).await? {
            self.refresh(store).await?;
        }
        Ok(self.state.read().await)
    }

    /// The current cube once it exists; `None` while it is first being built
    /// (at 10M cases that takes minutes, and lists must not wait for it).
    pub async fn fresh_if_built(
        &self,
        store: &Store,
    ) -> StoreResult<Option<RwLockReadGuard<'_, CubeState>>> {
        if !self.state.read().await.built {
            return Ok(None);
        }
        self.fresh(store).await.map(Some)
    }

    async fn is_current(&self, store: &Store) -> StoreResult<bool> {
        let (built, low, applied, max) = {
            let state = self.state.read().await;
            let max = state.max_applied();
            (state.built, max - OVERLAP, state.applied.len(), max)
        };
        if !built {
            return Ok(false);
        }
        let (count, newest) = store.dashboard_log_window(low).await?;
        Ok(count == applied as i64 && newest.unwrap_or(0) <= max)
    }

    async fn refresh(&self, store: &Store) -> StoreResult<()> {
        let (built, max) = {
            let state = self.state.read().await;
            (state.built, state.max_applied())
        };
        let (changes, oldest) = store.dashboard_changes(max - OVERLAP).await?;
        let fell_behind = oldest.is_some_and(|o| o > max + 1) && max > 0;
        if !built || fell_behind {
            let started = std::time::Instant::now();
            let mut cube = Cube::default();
            let all = CellRange::all();
            load(store, &mut cube, Kind::Cases, &all).await?;
            load(store, &mut cube, Kind::Consultations, &all).await?;
            load(store, &mut cube, Kind::Warnings, &all).await?;
            cube.rebuild_all_months();
            tracing::info!(
                cells = cube.cells(),
                ms = started.elapsed().as_millis() as u64,
                "dashboard cube built"
            );
            let mut state = self.state.write().await;
            state.cube = cube;
            state.built = true;
            state.applied = window(&changes);
            self.hotwords.lock().await.partitions.clear();
            return Ok(());
        }
        let fresh: Vec<_> = {
            let state = self.state.read().await;
            changes
                .iter()
                .filter(|c| !state.applied.contains(&c.seq))
                .cloned()
                .collect()
        };
        // Load outside the write lock, swap in under it.
        let mut loaded = Vec::new();
        for (kind, range) in ranges_of(&fresh) {
            let mut part = Cube::default();
            load(store, &mut part, kind, &range).await?;
            loaded.push((kind, range, part));
        }
        {
            let mut state = self.state.write().await;
            for (kind, range, part) in &loaded {
                state.cube.clear(
                    *kind,
                    range.district.as_deref(),
                    range.first_day,
                    range.last_day,
                );
                state.cube.absorb(*kind, part);
                state.cube.rebuild_months(
                    range.district.as_deref(),
                    range.first_day,
                    range.last_day,
                );
            }
            state.applied = window(&changes);
        }
        let mut hotwords = self.hotwords.lock().await;
        for change in fresh.iter().filter(|c| c.kind == "consultations") {
            hotwords
                .partitions
                .remove(&(change.day, change.district_code.clone()));
        }
        Ok(())
    }

    /// The segmenter with the administrators' dictionary (loaded on first use).
    pub async fn segmenter(&self, store: &Store) -> StoreResult<Arc<Segmenter>> {
        if let Some(segmenter) = self.segmenter.read().ok().and_then(|s| s.clone()) {
            return Ok(segmenter);
        }
        let words = dictionary(store).await?;
        let segmenter = build_segmenter(words).await;
        if let Ok(mut slot) = self.segmenter.write() {
            *slot = Some(segmenter.clone());
        }
        Ok(segmenter)
    }

    /// Swap in a segmenter for a new dictionary and forget counted words.
    pub async fn set_dictionary(&self, words: Vec<String>) {
        let segmenter = build_segmenter(words).await;
        if let Ok(mut slot) = self.segmenter.write() {
            *slot = Some(segmenter);
        }
        let mut hotwords = self.hotwords.lock().await;
        *hotwords = HotwordCache::default();
    }
}

/// The sequences a reader keeps: those within `OVERLAP` of the newest.
fn window(changes: &[govpulse_store::dashboard::Change]) -> BTreeSet<i64> {
    let low = changes.last().map_or(0, |c| c.seq) - OVERLAP;
    changes.iter().map(|c| c.seq).filter(|s| *s > low).collect()
}

async fn build_segmenter(words: Vec<String>) -> Arc<Segmenter> {
    tokio::task::spawn_blocking(move || Arc::new(Segmenter::new(&words)))
        .await
        .unwrap_or_else(|_| Arc::new(Segmenter::default()))
}

/// The administrators' words (empty until one is saved).
pub async fn dictionary(store: &Store) -> StoreResult<Vec<String>> {
    Ok(store
        .get_setting(DICTIONARY_KEY)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

async fn load(store: &Store, cube: &mut Cube, kind: Kind, range: &CellRange) -> StoreResult<()> {
    match kind {
        Kind::Cases => {
            store
                .case_cells(range, |cell, counts| cube.add_cases(&cell, counts))
                .await
        }
        Kind::Consultations => {
            store
                .consultation_cells(range, |cell, n| cube.add_consultations(&cell, n))
                .await
        }
        Kind::Warnings => {
            store
                .warning_cells(range, |cell, stage, level, n| {
                    cube.add_warnings(&cell, stage, level, n)
                })
                .await
        }
    }
}
