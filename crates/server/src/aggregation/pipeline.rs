//! The intake pipeline shared by the API, file import, `govpulse import` and the
//! demo generator: collection rules → validation → lookups and protection of
//! identity numbers → one storage transaction per batch → per-line report.

use super::checked::{Checked, Inputs};
use super::vault::IdentityVault;
use govpulse_core::aggregation::items::ItemInput;
use govpulse_core::aggregation::records::{
    CaseInput, ConsultationInput, EvaluationInput, EventInput,
};
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::{IntakeReport, Kind, Rejection};
use govpulse_core::idnumber::mask;
use govpulse_core::region::district_of;
use govpulse_store::aggregation::{
    Batch, ItemVersionRow, LineOutcome, NewCase, NewConsultation, NewEvaluation, NewEvent, NewItem,
};
use govpulse_store::audit::AuditRecord;
use govpulse_store::org::OrgScope;
use govpulse_store::{Store, StoreResult};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

pub use govpulse_core::aggregation::files::{RawRecord, MAX_RECORDS};

pub struct Pipeline<'a> {
    pub store: &'a Store,
    pub vault: &'a IdentityVault,
    pub link_window_ms: i64,
    /// The request's audit record: each batch appends it (with the batch's
    /// counts) in its own transaction. `None` for the demo and benchmarks.
    pub audit: Option<AuditRecord>,
}

fn content_hash(input: &impl serde::Serialize, extra: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(input).unwrap_or_default());
    hasher.update(extra.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// Receipt day in Asia/Shanghai, `YYYY-MM-DD`.
fn day_of(ms: i64) -> String {
    govpulse_core::time::to_rfc3339(ms)[..10].to_string()
}

struct Collected<T> {
    rows: Vec<(usize, T)>,
    refused: Vec<(usize, Rejection)>,
}

impl<T> Collected<T> {
    /// The checked `inputs` made into store rows by `convert` (which may
    /// still refuse one), each moved, not copied.
    fn of<I>(inputs: Checked<I>, mut convert: impl FnMut(I) -> Result<T, Rejection>) -> Self {
        let mut collected = Self {
            rows: Vec::with_capacity(inputs.len()),
            refused: Vec::new(),
        };
        for (line, input) in inputs {
            match input.and_then(&mut convert) {
                Ok(row) => collected.rows.push((line, row)),
                Err(rejection) => collected.refused.push((line, rejection)),
            }
        }
        collected
    }

    fn into_batch(
        self,
        source: &str,
        kind: Kind,
        now_ms: i64,
        audit: Option<AuditRecord>,
    ) -> (Batch<T>, Vec<(usize, Rejection)>) {
        let mut refused_by_code = BTreeMap::new();
        for (_, r) in &self.refused {
            *refused_by_code.entry(r.code.clone()).or_insert(0_u64) += 1;
        }
        let batch = Batch {
            source: source.to_string(),
            kind: kind.as_str(),
            day: day_of(now_ms),
            received_at: now_ms,
            refused_by_code,
            rows: self.rows,
            audit,
        };
        (batch, self.refused)
    }
}

fn report(outcomes: Vec<(usize, LineOutcome)>, refused: Vec<(usize, Rejection)>) -> IntakeReport {
    let mut report = IntakeReport::default();
    for (line, outcome) in outcomes {
        match outcome {
            LineOutcome::Accepted => report.accepted += 1,
            LineOutcome::Corrected { key } => {
                report.corrected += 1;
                report.corrected_keys.push(key);
            }
            LineOutcome::Duplicate => report.duplicates += 1,
            LineOutcome::Rejected { code, message } => {
                report.reject(line, Rejection { code, message })
            }
        }
    }
    for (line, rejection) in refused {
        report.reject(line, rejection);
    }
    report.rejected.sort_by_key(|r| r.line);
    report
}

/// Sorted, de-duplicated keys (for one lookup per batch).
fn distinct<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Refuse a region code that is not in the region tree.
fn known_region(regions: &HashSet<String>, code: &str) -> Result<(), Rejection> {
    if regions.contains(code) {
        Ok(())
    } else {
        Err(Rejection::new(
            "region.unknown",
            format!("区划 {code} 不在区划树中"),
        ))
    }
}

/// The version of an item in force at `at`.
fn version_at(versions: &[ItemVersionRow], at: i64) -> Option<&ItemVersionRow> {
    versions
        .iter()
        .find(|v| v.valid_from <= at && v.valid_to.is_none_or(|to| at < to))
}

impl Pipeline<'_> {
    /// Run one batch of `kind` from `source` through `rules`.
    pub async fn run(
        &self,
        kind: Kind,
        source: &str,
        rules: &CollectionRules,
        records: Vec<RawRecord>,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        let inputs = Inputs::of(kind, records, rules, now_ms);
        self.run_checked(source, inputs, now_ms).await
    }

    /// Run one batch of records already checked (see [`Inputs`]) from `source`.
    pub async fn run_checked(
        &self,
        source: &str,
        inputs: Inputs,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        match inputs {
            Inputs::Items(inputs) => self.items(source, inputs, now_ms).await,
            Inputs::Cases(inputs) => self.cases(source, inputs, now_ms).await,
            Inputs::CaseEvents(inputs) => self.events(source, inputs, now_ms).await,
            Inputs::Consultations(inputs) => self.consultations(source, inputs, now_ms).await,
            Inputs::Evaluations(inputs) => self.evaluations(source, inputs, now_ms).await,
        }
    }

    async fn known_regions(&self) -> StoreResult<HashSet<String>> {
        Ok(self
            .store
            .list_regions(&OrgScope::default())
            .await?
            .into_iter()
            .map(|r| r.code)
            .collect())
    }

    async fn items(
        &self,
        source: &str,
        inputs: Checked<ItemInput>,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        let collected = Collected::of(inputs, |input| {
            Ok(NewItem {
                content_hash: content_hash(&input, ""),
                item_code: input.item_code,
                basic_code: input.basic_code,
                name: input.name,
                item_type_code: input.item_type_code,
                exercise_level: input.exercise_level,
                department_code: input.department_code,
                department_name: input.department_name,
                region_code: input.region_code,
                legal_limit: input.legal_limit,
                promised_limit: input.promised_limit,
                limit_unit: input.limit_unit,
                case_type_code: input.case_type_code,
                handling_modes: serde_json::to_string(&input.handling_modes).unwrap_or_default(),
                materials: serde_json::to_string(&input.materials).unwrap_or_default(),
                elements: Value::Object(input.elements).to_string(),
                valid_from: input.valid_from,
            })
        });
        let (batch, refused) =
            collected.into_batch(source, Kind::Items, now_ms, self.audit.clone());
        Ok(report(self.store.ingest_items(&batch).await?, refused))
    }

    async fn cases(
        &self,
        source: &str,
        inputs: Checked<CaseInput>,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        let item_codes = distinct(
            inputs
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok())
                .map(|c| c.item_code.as_str()),
        );
        let mut versions: HashMap<String, Vec<ItemVersionRow>> = HashMap::new();
        for v in self.store.versions_of_items(&item_codes).await? {
            versions.entry(v.item_code.clone()).or_default().push(v);
        }
        let regions = self.known_regions().await?;
        let collected = Collected::of(inputs, |c| {
            let versions = versions.get(&c.item_code).ok_or_else(|| {
                Rejection::new(
                    "item.unknown",
                    format!("事项 {} 不在事项目录中", c.item_code),
                )
            })?;
            let version = version_at(versions, c.submitted_at).ok_or_else(|| {
                Rejection::new(
                    "item.not_in_force",
                    format!("事项 {} 在申请时间 submitted_at 时未生效", c.item_code),
                )
            })?;
            known_region(&regions, &c.region_code)?;
            let key = self.vault.key(&c.applicant_id);
            Ok(NewCase {
                content_hash: content_hash(&c, &key),
                district_code: district_of(&c.region_code).to_string(),
                item_version: i64::from(version.version),
                applicant_enc: self.vault.encrypt(&c.applicant_id),
                applicant_masked: mask(&c.applicant_id),
                applicant_key: key,
                applicant_type: c.applicant_type.as_str().to_string(),
                case_code: c.case_code,
                region_code: c.region_code,
                department_code: c.department_code,
                item_code: c.item_code,
                applicant_name: c.applicant_name,
                channel: c.channel,
                submitted_at: c.submitted_at,
                handling_mode: c.handling_mode,
                remark: c.remark,
                revision: c.revision,
            })
        });
        let (batch, refused) =
            collected.into_batch(source, Kind::Cases, now_ms, self.audit.clone());
        Ok(report(
            self.store.ingest_cases(&batch, self.link_window_ms).await?,
            refused,
        ))
    }

    async fn events(
        &self,
        source: &str,
        inputs: Checked<EventInput>,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        let collected = Collected::of(inputs, |e| {
            Ok(NewEvent {
                content_hash: content_hash(&e, ""),
                case_code: e.case_code,
                seq: e.seq,
                kind: e.kind,
                at: e.at,
                special_kind: e.special_kind,
                operator: e.operator,
                note: e.note,
                revision: e.revision,
            })
        });
        let (batch, refused) =
            collected.into_batch(source, Kind::CaseEvents, now_ms, self.audit.clone());
        Ok(report(self.store.ingest_events(&batch).await?, refused))
    }

    async fn consultations(
        &self,
        source: &str,
        inputs: Checked<ConsultationInput>,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        let item_codes = distinct(
            inputs
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok())
                .filter_map(|c| c.item_code.as_deref()),
        );
        let mut departments: HashMap<String, String> = HashMap::new();
        for v in self.store.versions_of_items(&item_codes).await? {
            departments.insert(v.item_code, v.department_code);
        }
        let regions = self.known_regions().await?;
        let collected = Collected::of(inputs, |c| {
            let department = match &c.item_code {
                Some(item) => Some(departments.get(item).cloned().ok_or_else(|| {
                    Rejection::new("item.unknown", format!("事项 {item} 不在事项目录中"))
                })?),
                None => None,
            };
            known_region(&regions, &c.region_code)?;
            if !govpulse_core::aggregation::consult_code::is_valid(&c.code) {
                return Err(Rejection::new(
                    "field.invalid",
                    "`code` 不是有效的咨询编码（见 docs/consultation-codes.md）",
                ));
            }
            let key = c.applicant_id.as_deref().map(|id| self.vault.key(id));
            Ok(NewConsultation {
                content_hash: content_hash(&c, key.as_deref().unwrap_or("")),
                district_code: district_of(&c.region_code).to_string(),
                department_code: department,
                applicant_enc: c.applicant_id.as_deref().map(|id| self.vault.encrypt(id)),
                applicant_masked: c.applicant_id.as_deref().map(mask),
                applicant_key: key,
                applicant_type: c.applicant_type.as_str().to_string(),
                code: c.code,
                region_code: c.region_code,
                channel: c.channel,
                asked_at: c.asked_at,
                item_code: c.item_code,
                question: c.question,
                answer: c.answer,
                revision: c.revision,
            })
        });
        let (batch, refused) =
            collected.into_batch(source, Kind::Consultations, now_ms, self.audit.clone());
        Ok(report(
            self.store
                .ingest_consultations(&batch, self.link_window_ms)
                .await?,
            refused,
        ))
    }

    async fn evaluations(
        &self,
        source: &str,
        inputs: Checked<EvaluationInput>,
        now_ms: i64,
    ) -> StoreResult<IntakeReport> {
        let regions = self.known_regions().await?;
        let collected = Collected::of(inputs, |e| {
            if let Some(region) = &e.region_code {
                known_region(&regions, region)?;
            }
            Ok(NewEvaluation {
                content_hash: content_hash(&e, ""),
                evaluation_id: e.evaluation_id,
                case_code: e.case_code,
                region_code: e.region_code,
                channel: e.channel,
                rated_at: e.rated_at,
                satisfaction: e.satisfaction,
                comment: e.comment,
                revision: e.revision,
            })
        });
        let (batch, refused) =
            collected.into_batch(source, Kind::Evaluations, now_ms, self.audit.clone());
        Ok(report(
            self.store
                .ingest_evaluations(
                    &batch,
                    &*crate::workorders::bad_review_follow_up(self.store, &batch).await?,
                )
                .await?,
            refused,
        ))
    }
}

/// Why a whole request body was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyError {
    Malformed(String),
    TooManyRecords(usize),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(m) => f.write_str(m),
            Self::TooManyRecords(n) => write!(f, "{n} records; at most {MAX_RECORDS} per request"),
        }
    }
}

/// Split a JSON array or NDJSON body into records. A body that is not a JSON
/// array is read as NDJSON, one record per non-empty line; a bad line is
/// rejected on its own.
pub fn parse_body(body: &[u8], ndjson: bool) -> Result<Vec<RawRecord>, BodyError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| BodyError::Malformed("请求内容不是 UTF-8 编码".to_string()))?;
    let trimmed = text.trim_start();
    // No body at all is a client error; `[]` is a (valid) empty batch.
    if trimmed.is_empty() {
        return Err(BodyError::Malformed(
            "请求体为空：须为 JSON 数组或 NDJSON".to_string(),
        ));
    }
    let records: Vec<RawRecord> = if !ndjson && trimmed.starts_with('[') {
        let values: Vec<Value> = serde_json::from_str(trimmed)
            .map_err(|e| BodyError::Malformed(format!("JSON 数组格式不正确：{e}")))?;
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, as_object(v)))
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter_map(|(i, l)| ndjson_line(i + 1, l))
            .collect()
    };
    if records.len() > MAX_RECORDS {
        return Err(BodyError::TooManyRecords(records.len()));
    }
    Ok(records)
}

impl From<BodyError> for crate::error::ApiError {
    fn from(err: BodyError) -> Self {
        match err {
            BodyError::Malformed(m) => Self::new(
                axum::http::StatusCode::BAD_REQUEST,
                "request.invalid_json",
                m,
            ),
            BodyError::TooManyRecords(_) => crate::extract::too_large()
                .with_details(serde_json::json!({ "reason": err.to_string() })),
        }
    }
}

/// Line `number` of an NDJSON body as a record; `None` for a blank line.
pub(crate) fn ndjson_line(number: usize, line: &str) -> Option<RawRecord> {
    if line.trim().is_empty() {
        return None;
    }
    let parsed = serde_json::from_str::<Value>(line)
        .map_err(|e| Rejection::new("record.invalid_json", format!("该行不是 JSON：{e}")))
        .and_then(as_object);
    Some((number, parsed))
}

fn as_object(value: Value) -> Result<Map<String, Value>, Rejection> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(Rejection::new("record.invalid", "每条记录须为 JSON 对象")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_and_ndjson() {
        let records = parse_body(br#"[{"a":1}, 2]"#, false).unwrap();
        assert_eq!(records.len(), 2);
        assert!(records[0].1.is_ok());
        assert_eq!(records[1].1.as_ref().unwrap_err().code, "record.invalid");
        let records = parse_body(b"{\"a\":1}\n\n{oops\n{\"b\":2}\n", true).unwrap();
        assert_eq!(records.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(
            records[1].1.as_ref().unwrap_err().code,
            "record.invalid_json"
        );
        assert!(parse_body(b"[{\"a\":1}", false).is_err());
        assert!(parse_body(b"", false).is_err(), "no body");
        assert!(parse_body(b" \n", true).is_err(), "only blanks");
        assert!(
            parse_body(b"[]", false).unwrap().is_empty(),
            "an empty batch"
        );
    }
}
