//! `govpulse import --kind KIND FILE`: the file-import path of the intake API,
//! for files of any size (fed in batches of the API's maximum).

use anyhow::Context;
use govpulse_core::aggregation::Kind;
use govpulse_server::aggregation::files::{parse_file, FileFormat};
use govpulse_server::aggregation::pipeline::{parse_body, Pipeline, RawRecord, MAX_RECORDS};
use govpulse_server::aggregation::vault::IdentityVault;
use govpulse_store::Store;
use std::path::Path;

/// Import `file`; true when every record was accepted or a duplicate.
pub async fn run(
    store: &Store,
    vault: &IdentityVault,
    kind: &str,
    source: &str,
    file: &Path,
) -> anyhow::Result<bool> {
    let kind = Kind::parse(kind).with_context(|| {
        format!("unknown kind {kind}: use items, consultations, cases, case-events or evaluations")
    })?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.to_string_lossy().to_ascii_lowercase();
    let records: Vec<RawRecord> =
        if name.ends_with(".json") || name.ends_with(".ndjson") || name.ends_with(".jsonl") {
            parse_many(&bytes, !name.ends_with(".json"))?
        } else {
            let format = FileFormat::detect("", &name)
                .context("the file must end in .csv, .xlsx, .json, .ndjson or .jsonl")?;
            parse_file_unbounded(&bytes, format)?
        };
    let rules = match store.get_source(source).await? {
        Some(row) => serde_json::from_str(&row.rules)?,
        None => Default::default(),
    };
    let pipeline = Pipeline {
        store,
        vault,
        link_window_ms: 30 * 86_400_000,
        audit: None,
    };
    let (mut accepted, mut duplicates, mut rejected) = (0, 0, Vec::new());
    for chunk in records.chunks(MAX_RECORDS) {
        let report = pipeline
            .run(
                kind,
                source,
                &rules,
                chunk.to_vec(),
                govpulse_core::time::now_ms(),
            )
            .await?;
        accepted += report.accepted;
        duplicates += report.duplicates;
        rejected.extend(report.rejected);
    }
    println!(
        "{}: {accepted} accepted, {duplicates} duplicates, {} rejected",
        file.display(),
        rejected.len()
    );
    for line in rejected.iter().take(20) {
        println!("  line {}: {} — {}", line.line, line.code, line.message);
    }
    if rejected.len() > 20 {
        println!("  … and {} more", rejected.len() - 20);
    }
    Ok(rejected.is_empty())
}

/// JSON/NDJSON without the per-request record bound.
fn parse_many(bytes: &[u8], ndjson: bool) -> anyhow::Result<Vec<RawRecord>> {
    if !ndjson {
        return parse_body(bytes, false).map_err(|e| anyhow::anyhow!("{e}"));
    }
    let text = std::str::from_utf8(bytes).context("the file is not UTF-8")?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut records = Vec::new();
    for (index, chunk) in lines.chunks(MAX_RECORDS).enumerate() {
        let part = chunk.concat();
        let parsed = parse_body(part.as_bytes(), true).map_err(|e| anyhow::anyhow!("{e}"))?;
        records.extend(
            parsed
                .into_iter()
                .map(|(line, r)| (line + index * MAX_RECORDS, r)),
        );
    }
    Ok(records)
}

fn parse_file_unbounded(bytes: &[u8], format: FileFormat) -> anyhow::Result<Vec<RawRecord>> {
    // The CLI has no request bound; parse_file's bound protects the API only.
    match parse_file(bytes, format) {
        Ok(records) => Ok(records),
        Err(message) if message.contains("at most") => anyhow::bail!("{message}: split the file"),
        Err(message) => anyhow::bail!(message),
    }
}
