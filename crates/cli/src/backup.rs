//! `govpulse backup` and `govpulse restore` (issue 11, OPS-1).
//!
//! A backup is two files: the copy (a SQLite file made by `VACUUM INTO`, or a
//! `pg_dump` custom-format archive of the store's schema) and beside it a
//! manifest with the copy's SHA-256 and the audit chain's signed head taken
//! just before the copy (so the copy holds at least that head). A restore
//! refuses a copy that does not match its manifest, refuses to overwrite a
//! database that holds data, and proves the restored audit chain against the
//! manifest's head before the restored database is certified afresh.
//!
//! The key file (identity-number and audit chain keys) is not in the backup:
//! it is kept apart from the data on purpose and backed up on its own.

use anyhow::{bail, ensure, Context};
use govpulse_core::audit_checkpoint::Checkpoint;
use govpulse_server::audit_checkpoint;
use govpulse_store::{Backend, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a backup holds and how to prove it; written beside the copy.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// `sqlite` (a database file) or `pg_dump` (a custom-format archive).
    pub format: String,
    pub created_at: String,
    /// The PostgreSQL schema dumped (`main` for SQLite).
    pub schema: String,
    pub bytes: u64,
    pub sha256: String,
    /// The audit chain's signed head just before the copy was taken.
    pub audit_head: Checkpoint,
    pub govpulse_version: String,
}

/// The manifest's path for a backup file: `FILE.manifest.json`.
pub fn manifest_path(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

/// Copy the live database into `out` and write its manifest.
pub async fn backup(store: &Store, database_url: &str, out: &Path) -> anyhow::Result<Manifest> {
    ensure!(
        !out.exists(),
        "{} exists: a backup never overwrites a file",
        out.display()
    );
    let audit_head = audit_checkpoint::current(store).await?;
    let schema = store.current_schema().await?;
    let format = match store.backend() {
        Backend::Sqlite => {
            store.snapshot_sqlite(out).await?;
            "sqlite"
        }
        Backend::Postgres => {
            pg_tool(
                Command::new("pg_dump")
                    .args([
                        "--format=custom",
                        "--no-owner",
                        "--schema",
                        &schema,
                        "--file",
                    ])
                    .arg(out)
                    .arg(database_url),
            )?;
            "pg_dump"
        }
    };
    restrict_to_owner(out)?;
    let (bytes, sha256) = digest(out)?;
    let manifest = Manifest {
        format: format.to_string(),
        created_at: govpulse_core::time::to_rfc3339(govpulse_core::time::now_ms()),
        schema,
        bytes,
        sha256,
        audit_head,
        govpulse_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let manifest_file = manifest_path(out);
    std::fs::write(&manifest_file, serde_json::to_vec_pretty(&manifest)?)
        .with_context(|| format!("cannot write {}", manifest_file.display()))?;
    Ok(manifest)
}

/// Put the copy in `from` in place as the database at `database_url`;
/// the caller then opens it and calls [`certify`].
pub async fn restore(database_url: &str, from: &Path, force: bool) -> anyhow::Result<Manifest> {
    let manifest_file = manifest_path(from);
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(&manifest_file).with_context(|| {
            format!("no manifest {} beside the backup", manifest_file.display())
        })?)
        .with_context(|| format!("{} is not a backup manifest", manifest_file.display()))?;
    let (bytes, sha256) = digest(from)?;
    ensure!(
        bytes == manifest.bytes && sha256 == manifest.sha256,
        "{} does not match its manifest (SHA-256 {sha256}, expected {}): the copy was changed or damaged; nothing restored",
        from.display(),
        manifest.sha256
    );
    match (manifest.format.as_str(), sqlite_path(database_url)) {
        ("sqlite", Some(target)) => place_sqlite_file(from, &target, force)?,
        ("pg_dump", None) => restore_pg_dump(database_url, from, &manifest.schema).await?,
        (format, _) => bail!("a `{format}` backup cannot be restored into {database_url}"),
    }
    Ok(manifest)
}

/// Prove the restored chain against the backup's head, then adopt that head
/// as the checkpoint (the restore itself is audited after it, so the next
/// checkpoint certifies the restore too). False when the chain does not prove.
pub async fn certify(
    store: &Store,
    manifest: &Manifest,
    checkpoint_file: &Path,
    record: &govpulse_store::audit::AuditRecord,
) -> anyhow::Result<bool> {
    let verification = store.verify_audit().await?;
    if let Some(broken) = verification.first_broken {
        println!(
            "restored audit log BROKEN at entry {}: {} (is this the key file the backup was made with?)",
            broken.seq, broken.reason
        );
        return Ok(false);
    }
    if let Err(problem) = audit_checkpoint::check(store, &manifest.audit_head).await? {
        println!("restored audit log does not reach the backup's head: {problem}");
        return Ok(false);
    }
    audit_checkpoint::adopt(checkpoint_file, &manifest.audit_head)?;
    store.audit(record).await?;
    audit_checkpoint::advance(store, checkpoint_file).await?;
    Ok(true)
}

/// The file path of a SQLite URL; `None` for another backend.
fn sqlite_path(database_url: &str) -> Option<PathBuf> {
    database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|path| PathBuf::from(path.split('?').next().unwrap_or(path)))
}

/// Copy beside the target, sync, then rename over it: a crash leaves either
/// the old state or the whole copy. Stale WAL files of a replaced database go.
fn place_sqlite_file(from: &Path, target: &Path, force: bool) -> anyhow::Result<()> {
    ensure!(
        force || !target.exists(),
        "{} exists: restore into a new file, or pass --force to replace it (stop the server first)",
        target.display()
    );
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let partial = target.with_extension("restoring");
    std::fs::copy(from, &partial)
        .with_context(|| format!("cannot copy {} to {}", from.display(), partial.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let mut stale = target.as_os_str().to_owned();
        stale.push(suffix);
        match std::fs::remove_file(PathBuf::from(stale)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err.into()),
            _ => {}
        }
    }
    std::fs::rename(&partial, target)?;
    restrict_to_owner(target)
}

/// `pg_restore` into a database whose schema holds no tables yet. A dump of
/// `public` skips its `CREATE SCHEMA` (every database already has `public`).
async fn restore_pg_dump(database_url: &str, from: &Path, schema: &str) -> anyhow::Result<()> {
    let target = Store::connect(database_url)
        .await
        .with_context(|| format!("cannot connect to {database_url}"))?;
    let occupied = !target.table_row_counts().await?.is_empty();
    target.close().await;
    ensure!(
        !occupied,
        "the target schema already holds tables: restore into an empty database"
    );
    let listing = pg_tool(Command::new("pg_restore").arg("--list").arg(from))?;
    let skip = format!("SCHEMA - {schema} ");
    let entries: String = listing
        .lines()
        .filter(|line| !(schema == "public" && line.contains(&skip)))
        .map(|line| format!("{line}\n"))
        .collect();
    let list_file = tempfile::NamedTempFile::new()?;
    std::fs::write(list_file.path(), entries)?;
    pg_tool(
        Command::new("pg_restore")
            .args([
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--use-list",
            ])
            .arg(list_file.path())
            .arg("--dbname")
            .arg(database_url)
            .arg(from),
    )?;
    Ok(())
}

/// Run a PostgreSQL client tool; its standard output, or its error text.
fn pg_tool(command: &mut Command) -> anyhow::Result<String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .with_context(|| format!("cannot run {program} (install the PostgreSQL client tools)"))?;
    if !output.status.success() {
        bail!(
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Size and SHA-256 (hex) of a file, read in blocks.
fn digest(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let read = file.read(&mut block)?;
        if read == 0 {
            break;
        }
        hasher.update(&block[..read]);
        bytes += read as u64;
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// A copy holds encrypted identity numbers and the audit log: owner only.
fn restrict_to_owner(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
