//! Deliberately bad records (issue 14, QC-1): one case per process and
//! general check in the first showcase district (朝阳区, 常州: 天宁区), each marked in its remark (质检示例：<code>), so a
//! data quality run over the demo year finds them (docs/api-quality.md lists
//! them). Intake accepts them all: only the checks see what is wrong.

use super::{ChunkRecords, Generator, DAY_MS, HOUR_MS};
use serde_json::json;

/// `(check code, handling mode, applicant name, events as (kind, hours after submission))`.
type Fault = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static [(&'static str, i64)],
);

const FAULTS: &[Fault] = &[
    ("general.handling_mode", Some("7"), None, &[("accepted", 2)]),
    (
        "general.applicant_name",
        None,
        Some("测试"),
        &[("accepted", 2)],
    ),
    (
        "process.before_submission",
        None,
        None,
        &[("accepted", -20)],
    ),
    (
        "process.missing_acceptance",
        None,
        None,
        &[("completed", 30)],
    ),
    (
        "process.completed_before_accepted",
        None,
        None,
        &[("completed", 20), ("accepted", 30)],
    ),
    (
        "process.after_completion",
        None,
        None,
        &[("accepted", 2), ("completed", 30), ("supplement_start", 50)],
    ),
    (
        "process.out_of_order",
        None,
        None,
        &[("accepted", 30), ("decided", 20)],
    ),
];

impl Generator<'_> {
    pub(super) fn plant_faults(&mut self, out: &mut ChunkRecords) {
        // In the first showcase district (the first demo district operator's).
        let district = self.city.showcase[0];
        let Some(item) = self.items_by_district[district]
            .iter()
            .copied()
            .find(|i| !i.immediate)
        else {
            return;
        };
        for (n, (code, mode, name, events)) in FAULTS.iter().enumerate() {
            let applicant = self.people[district][n % self.people[district].len()].clone();
            // Two weeks before the end of the demo year, an hour apart.
            let submitted = self.until - 14 * DAY_MS + n as i64 * HOUR_MS;
            let (case_code, _) = self.case_record(out, district, item, &applicant, submitted);
            if let Some(record) = out.cases.last_mut() {
                record.insert("remark".into(), json!(format!("质检示例：{code}")));
                if let Some(mode) = mode {
                    record.insert("handling_mode".into(), json!(mode));
                }
                if let Some(name) = name {
                    record.insert("applicant_name".into(), json!(name));
                }
            }
            let mut seq = 0;
            for (kind, hours) in *events {
                Self::event(
                    out,
                    &case_code,
                    &mut seq,
                    kind,
                    submitted + hours * HOUR_MS,
                    None,
                );
            }
        }
    }
}
