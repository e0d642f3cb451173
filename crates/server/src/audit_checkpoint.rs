//! The signed checkpoint of the audit chain's head, kept in a file outside
//! the database (issue 11, High-2): written at intervals and at shutdown,
//! checked by `govpulse audit verify`, printed by `govpulse audit anchor`.
//! A new checkpoint is written only when the old one still matches the log,
//! so a cut-off log is never certified afresh.

use anyhow::Context;
use govpulse_core::audit_checkpoint::Checkpoint;
use govpulse_store::audit::chain_key;
use govpulse_store::Store;
use std::path::{Path, PathBuf};

/// Where the checkpoint goes when none is configured: beside the key file,
/// named after the database (one key file may serve several databases, each
/// log has its own head).
pub fn default_checkpoint_path(key_file: &Path, database_url: &str) -> PathBuf {
    let database = crate::identity::secrets::sha256_hex(database_url);
    key_file.with_file_name(format!("audit-{}.checkpoint", &database[..16]))
}

/// The stored checkpoint, if one was written.
pub fn read(path: &Path) -> anyhow::Result<Option<Checkpoint>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("checkpoint file {} is not valid", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Replace the checkpoint file atomically (write beside, then rename), 0600.
fn write(path: &Path, checkpoint: &Checkpoint) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension("checkpoint.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&temporary)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::io::Write::write_all(&mut file, serde_json::to_string(checkpoint)?.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    Ok(())
}

/// Compare the log with `checkpoint`: Err names what is wrong.
pub async fn check(store: &Store, checkpoint: &Checkpoint) -> anyhow::Result<Result<(), String>> {
    let (hash, last) = store.audit_hash_and_last(checkpoint.seq).await?;
    Ok(checkpoint.check_chain(&chain_key()?, hash.as_deref(), last))
}

/// The current head of the log, signed.
pub async fn current(store: &Store) -> anyhow::Result<Checkpoint> {
    let (seq, hash) = store.audit_head().await?;
    Ok(Checkpoint::sign(
        &chain_key()?,
        seq,
        &hash,
        govpulse_core::time::now_ms(),
    ))
}

/// Write a checkpoint of the current head, unless the stored one no longer
/// matches the log (then refuse, keeping the evidence).
pub async fn advance(store: &Store, path: &Path) -> anyhow::Result<Checkpoint> {
    if let Some(previous) = read(path)? {
        if let Err(problem) = check(store, &previous).await? {
            anyhow::bail!("audit log does not match the last checkpoint: {problem}");
        }
    }
    let checkpoint = current(store).await?;
    write(path, &checkpoint)?;
    Ok(checkpoint)
}

/// A restore adopts the backup's signed head as the checkpoint (after the
/// restored log was proved against it): the old checkpoint described a log
/// the restore deliberately replaced.
pub fn adopt(path: &Path, checkpoint: &Checkpoint) -> anyhow::Result<()> {
    write(path, checkpoint)
}

/// Write a checkpoint now if a file is configured; failures are logged (the
/// server keeps serving: verification will report the mismatch).
pub async fn write_configured(state: &crate::AppState) {
    let Some(path) = state.config.audit_checkpoint_file.as_deref().map(Path::new) else {
        return;
    };
    if let Err(err) = advance(&state.store, path).await {
        tracing::error!(error = %err, path = %path.display(), "audit checkpoint not written");
    }
}

/// Write a checkpoint every `audit_checkpoint_secs` until the server drains;
/// `serve_until` writes the last one after the requests have finished.
pub fn spawn_writer(state: crate::AppState) {
    if state.config.audit_checkpoint_file.is_none() {
        return;
    }
    let every = std::time::Duration::from_secs(state.config.audit_checkpoint_secs.max(1));
    let shutdown = state.overload.shutdown.clone();
    tokio::spawn(async move {
        let periodic = async {
            loop {
                write_configured(&state).await;
                tokio::time::sleep(every).await;
            }
        };
        tokio::select! {
            () = periodic => {}
            () = shutdown.draining() => {}
        }
    });
}
