//! The export runner: one job at a time per server process. It pages through
//! the list query with the job's stored scope, hands each page to a writer on
//! a blocking thread (so memory stays flat and the runtime never blocks),
//! records progress after every page, and renames the finished file into
//! place. Jobs and files older than 7 days are deleted.

use super::source::{Format, ListQuery, Source};
use super::writer::Sink;
use crate::overload::shutdown::Shutdown;
use crate::state::AppState;
use anyhow::Context;
use govpulse_core::time::now_ms;
use govpulse_store::exports::{scope_from_json, ExportJobRow};
use govpulse_store::org::OrgScope;
use govpulse_store::Store;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Notify};

/// Rows per list query.
const PAGE_ROWS: i64 = 5_000;
/// The largest export: beyond it the filters must be narrower.
const MAX_ROWS: i64 = 5_000_000;
/// Jobs and their files are kept this long after creation.
const KEEP_MS: i64 = 7 * 86_400_000;
/// How often expired jobs and files are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// Idle poll (a new job also wakes the runner at once).
const POLL: Duration = Duration::from_secs(2);

static WAKE: Notify = Notify::const_new();

/// A job was queued: start it now rather than at the next poll.
pub fn wake() {
    WAKE.notify_waiters();
}

/// Queue again what a stopped process left running, then start the runner.
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    let dir = PathBuf::from(&state.config.export_dir);
    tokio::fs::create_dir_all(&dir)
        .await
        .with_context(|| format!("cannot create the export directory {}", dir.display()))?;
    // Jobs keep absolute paths: a restart from another working directory still finds them.
    let dir = tokio::fs::canonicalize(&dir).await?;
    let requeued = state.store.requeue_running_export_jobs().await?;
    if requeued > 0 {
        tracing::info!(
            requeued,
            "export jobs interrupted by a restart queued again"
        );
    }
    let shutdown = state.overload.shutdown.clone();
    let runner = tokio::spawn(run(state.store.clone(), dir, shutdown.clone()));
    shutdown.keep("export runner", runner);
    Ok(())
}

/// Take jobs one after the other until the server drains.
async fn run(store: Store, dir: PathBuf, shutdown: Arc<Shutdown>) {
    let mut swept: Option<Instant> = None;
    while !shutdown.is_draining() {
        if swept.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            sweep(&store, &dir).await;
            swept = Some(Instant::now());
        }
        match store.claim_export_job(now_ms()).await {
            Ok(Some(job)) => {
                run_job(&store, &dir, job, &shutdown).await;
                continue;
            }
            Ok(None) => {}
            Err(_) if store.is_closed() => return,
            Err(err) => tracing::warn!(error = %err, "cannot take an export job"),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = WAKE.notified() => {}
            () = shutdown.draining() => {}
        }
    }
}

/// A failure the job's owner can act on (shown as the job's error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

/// The writer stopped because the feeder did.
#[derive(Debug, thiserror::Error)]
#[error("export cancelled")]
struct Cancelled;

/// The server is stopping: the job goes back to the queue.
#[derive(Debug, thiserror::Error)]
#[error("the server is stopping")]
struct Stopping;

async fn run_job(store: &Store, dir: &Path, job: ExportJobRow, shutdown: &Shutdown) {
    let part = dir.join(format!("export-{}.part", job.id));
    let written = match write_job(store, &part, &job, shutdown).await {
        Ok((format, rows)) => {
            let path = dir.join(format!("export-{}.{}", job.id, format.as_str()));
            tokio::fs::rename(&part, &path)
                .await
                .map(|()| (path, file_name(&job, format), rows))
                .map_err(anyhow::Error::from)
        }
        Err(err) => Err(err),
    };
    let recorded = match written {
        Ok((path, name, rows)) => {
            store
                .finish_export_job(job.id, &name, &path.to_string_lossy(), rows, now_ms())
                .await
        }
        Err(err) if err.is::<Stopping>() => {
            let _ = tokio::fs::remove_file(&part).await;
            tracing::info!(
                job = job.id,
                "export job queued again: the server is stopping"
            );
            store.requeue_export_job(job.id).await
        }
        Err(err) => {
            let _ = tokio::fs::remove_file(&part).await;
            let message = match err.downcast_ref::<Refused>() {
                Some(refused) => refused.0.clone(),
                None => {
                    tracing::error!(job = job.id, error = %format!("{err:#}"), "export job failed");
                    "导出失败：服务器内部错误，请稍后重试".to_string()
                }
            };
            store.fail_export_job(job.id, &message, now_ms()).await
        }
    };
    if let Err(err) = recorded {
        tracing::warn!(job = job.id, error = %err, "cannot record the end of an export job");
    }
}

/// ASCII download name: list, local creation minute and job, e.g.
/// `cases-202611211530-7.xlsx`.
fn file_name(job: &ExportJobRow, format: Format) -> String {
    let stamp: String = govpulse_core::time::to_rfc3339(job.created_at)
        .chars()
        .take(16)
        .filter(char::is_ascii_digit)
        .collect();
    format!("{}-{stamp}-{}.{}", job.source, job.id, format.as_str())
}

/// What the feeder sends the writer.
enum Chunk {
    Rows(Vec<Vec<String>>),
    /// Every row was sent: complete the file.
    End,
}

/// Write the job's file to `part`; the format and the rows written.
async fn write_job(
    store: &Store,
    part: &Path,
    job: &ExportJobRow,
    shutdown: &Shutdown,
) -> anyhow::Result<(Format, i64)> {
    let source = Source::parse(&job.source).map_err(|e| Refused(e.body.message))?;
    let format = Format::parse(Some(&job.format)).map_err(|e| Refused(e.body.message))?;
    let filters: Map<String, Value> =
        serde_json::from_str(&job.filters).context("stored filters")?;
    let owner = super::source::Owner::load(store, &job.owner).await?;
    let query = ListQuery::parse(source, &filters, &owner).map_err(|e| Refused(e.body.message))?;
    let scope = scope_from_json(&job.scope)?;
    let (sender, mut receiver) = mpsc::channel::<Chunk>(2);
    let path = part.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut sink = Sink::create(format, &path, source.sheet_name(), source.headers())?;
        loop {
            match receiver.blocking_recv() {
                Some(Chunk::Rows(rows)) => {
                    for cells in rows {
                        sink.write(cells)?;
                    }
                }
                Some(Chunk::End) => return sink.finish(),
                // The feeder gave up (or the process is stopping): no file.
                None => return Err(Cancelled.into()),
            }
        }
    });
    let fed = feed(store, &query, &scope, job.id, &sender, shutdown).await;
    if fed.is_ok() {
        let _ = sender.send(Chunk::End).await;
    }
    drop(sender);
    let written = writer.await.context("export writer")?;
    match (fed, written) {
        (Ok(rows), Ok(())) => Ok((format, rows)),
        // A writer's own failure (a full disk…) is what stopped the feeder.
        (_, Err(err)) if !err.is::<Cancelled>() => Err(err),
        (Err(err), _) | (Ok(_), Err(err)) => Err(err),
    }
}

/// Where the next page starts: rows of the list time `before` and later are
/// behind us, except the first `skip` rows at the last time seen… which are
/// skipped. Pages so never re-read what they passed (no growing OFFSET).
#[derive(Debug, Default, PartialEq)]
struct Cursor {
    before: Option<i64>,
    skip: i64,
}

impl Cursor {
    /// A row of list time `at` was read (rows come newest first).
    fn passed(&mut self, at: i64) {
        if self.before == Some(at + 1) {
            self.skip += 1;
        } else {
            self.before = Some(at + 1);
            self.skip = 1;
        }
    }
}

/// Send every row of the list to the writer; the number of rows. Stops at a
/// page boundary when the server drains.
async fn feed(
    store: &Store,
    query: &ListQuery,
    scope: &OrgScope,
    job: i64,
    sender: &mpsc::Sender<Chunk>,
    shutdown: &Shutdown,
) -> anyhow::Result<i64> {
    let mut cursor = Cursor::default();
    let mut total = None;
    let mut done = 0;
    loop {
        if shutdown.is_draining() {
            return Err(Stopping.into());
        }
        let page = query
            .page(
                store,
                scope,
                cursor.before,
                (cursor.skip, PAGE_ROWS),
                if total.is_none() { MAX_ROWS } else { 0 },
            )
            .await?;
        let total = *total.get_or_insert(page.total);
        if total > MAX_ROWS {
            return Err(Refused(format!(
                "符合条件的数据有 {total} 行，超过单次导出上限 {MAX_ROWS} 行，请缩小筛选范围"
            ))
            .into());
        }
        let count = page.items.len() as i64;
        let rows = page
            .items
            .into_iter()
            .map(|(at, cells)| {
                cursor.passed(at);
                cells
            })
            .collect();
        if sender.send(Chunk::Rows(rows)).await.is_err() {
            anyhow::bail!("the export writer stopped");
        }
        done += count;
        store.export_progress(job, done, total.max(done)).await?;
        if count < PAGE_ROWS {
            return Ok(done);
        }
    }
}

/// Delete jobs older than 7 days with their files, and any export file no
/// job names any more (a partial file of a killed process, a job deleted).
async fn sweep(store: &Store, dir: &Path) {
    let cutoff = now_ms() - KEEP_MS;
    match store.purge_export_jobs(cutoff).await {
        Ok(paths) => {
            for path in paths {
                remove(Path::new(&path)).await;
            }
        }
        Err(err) => tracing::warn!(error = %err, "cannot delete expired export jobs"),
    }
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    let keep = Duration::from_millis(KEEP_MS as u64);
    while let Ok(Some(entry)) = entries.next_entry().await {
        // Only the runner's own files: the directory may be shared.
        if !entry.file_name().to_string_lossy().starts_with("export-") {
            continue;
        }
        let old = entry
            .metadata()
            .await
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > keep);
        if old {
            remove(&entry.path()).await;
        }
    }
}

async fn remove(path: &Path) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => tracing::info!(path = %path.display(), "expired export file deleted"),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "cannot delete an export file")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn the_cursor_skips_only_rows_sharing_the_last_time() {
        let mut cursor = Cursor::default();
        for at in [50, 40, 40] {
            cursor.passed(at);
        }
        assert_eq!(
            cursor,
            Cursor {
                before: Some(41),
                skip: 2
            }
        );
        // The next page starts with more rows at 40 and moves on.
        cursor.passed(40);
        assert_eq!(cursor.skip, 3);
        cursor.passed(30);
        assert_eq!(
            cursor,
            Cursor {
                before: Some(31),
                skip: 1
            }
        );
    }
}
