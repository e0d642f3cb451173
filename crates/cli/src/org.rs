//! `govpulse org import --regions FILE [--departments FILE]`.

use super::cli_record;
use anyhow::Context;
use govpulse_server::org_import::{self, OrgFile};
use govpulse_store::Store;
use std::path::PathBuf;

/// Import the files; true when everything was stored.
pub async fn import(
    store: &Store,
    regions: Option<PathBuf>,
    departments: Option<PathBuf>,
) -> anyhow::Result<bool> {
    if regions.is_none() && departments.is_none() {
        anyhow::bail!("give --regions FILE and/or --departments FILE");
    }
    let read = |path: &Option<PathBuf>| -> anyhow::Result<Option<(String, Vec<u8>)>> {
        path.as_ref()
            .map(|p| {
                let bytes =
                    std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                Ok((p.to_string_lossy().into_owned(), bytes))
            })
            .transpose()
    };
    let (regions, departments) = (read(&regions)?, read(&departments)?);
    let names: Vec<&str> = [&regions, &departments]
        .iter()
        .filter_map(|f| f.as_ref().map(|(n, _)| n.as_str()))
        .collect();
    let audit = cli_record("org.import", serde_json::json!({ "files": names }));
    match org_import::import(store, file(&regions), file(&departments), &audit).await? {
        Ok((regions, departments)) => {
            println!("organisation imported: {regions} regions, {departments} departments");
            Ok(true)
        }
        Err(problems) => {
            println!("nothing imported: {} problem(s)", problems.len());
            for line in problems.iter().take(20) {
                println!("  {line}");
            }
            if problems.len() > 20 {
                println!("  … and {} more", problems.len() - 20);
            }
            Ok(false)
        }
    }
}

fn file(f: &Option<(String, Vec<u8>)>) -> Option<OrgFile<'_>> {
    f.as_ref().map(|(name, bytes)| OrgFile { name, bytes })
}
