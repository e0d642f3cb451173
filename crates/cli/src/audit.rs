//! `govpulse audit verify` and `govpulse audit anchor`: the keyed chain and
//! the signed checkpoint kept outside the database (issue 11, High-2).

use govpulse_server::audit_checkpoint;
use govpulse_store::Store;
use std::path::Path;

/// Re-hash the chain, then compare it with the checkpoint file. Prints the
/// finding; true when intact.
pub async fn verify(store: &Store, checkpoint_file: &Path) -> anyhow::Result<bool> {
    let verification = store.verify_audit().await?;
    if let Some(broken) = verification.first_broken {
        println!(
            "audit log BROKEN at entry {}: {} ({} entries verified before it)",
            broken.seq, broken.reason, verification.checked
        );
        return Ok(false);
    }
    match audit_checkpoint::read(checkpoint_file)? {
        None => println!(
            "audit log intact: {} entries verified (no checkpoint at {} yet: truncation cannot be checked)",
            verification.checked,
            checkpoint_file.display()
        ),
        Some(checkpoint) => {
            if let Err(problem) = audit_checkpoint::check(store, &checkpoint).await? {
                println!("audit log BROKEN against the checkpoint: {problem}");
                return Ok(false);
            }
            println!(
                "audit log intact: {} entries verified; checkpoint at entry {} matches",
                verification.checked, checkpoint.seq
            );
        }
    }
    Ok(true)
}

/// Print the signed checkpoint of the current head (JSON, one line) after
/// verifying the log; nothing is printed for a broken log.
pub async fn anchor(store: &Store, checkpoint_file: &Path) -> anyhow::Result<bool> {
    if !verify(store, checkpoint_file).await? {
        return Ok(false);
    }
    let checkpoint = audit_checkpoint::current(store).await?;
    println!("{}", serde_json::to_string(&checkpoint)?);
    Ok(true)
}
