//! The demo data set (`govpulse demo --cases N --seed S --city CODE`): a realistic
//! year of a city's government service — items, consultations preceding many cases, stage
//! events with a realistic overdue tail, supplements, special procedures,
//! rejections, withdrawals and evaluations. Deterministic for a seed and an end
//! day, any size, and fed through the same intake pipeline as real data.

mod faults;
mod feed;
mod oplogs;
mod questions;
mod showcase;

use super::catalogue::{self, DemoItem, SampleItem};
use super::city::DemoCity;
use super::people::{organisation, person, Applicant};
use crate::aggregation::pipeline::{Pipeline, RawRecord};
use govpulse_core::aggregation::consult_code;
use govpulse_core::aggregation::rules::CollectionRules;
use govpulse_core::aggregation::{IntakeReport, Kind};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Cases per intake batch.
const CHUNK: usize = 5_000;
/// The source name demo records carry.
const SOURCE: &str = "demo";
/// Demo consultation codes use serials from here on, leaving the low range to
/// codes issued through the API on the same days.
const DEMO_SERIAL_BASE: u32 = 500_000;

pub struct DemoOptions {
    pub cases: u64,
    pub seed: u64,
    /// Epoch ms of the end of the demo year (normally now).
    pub until_ms: i64,
    /// Items whose real names the demo uses (`catalogue::builtin_sample()`).
    pub sample: Vec<SampleItem>,
    /// The city whose organisation the data belongs to.
    pub city: &'static DemoCity,
}

/// Totals of a demo load, and how long the intake pipeline (validation,
/// identity protection, storage) took for them — generation excluded.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub items: u64,
    pub cases: u64,
    pub events: u64,
    pub consultations: u64,
    pub evaluations: u64,
    pub rejected: u64,
    /// Seconds spent in the pipeline per kind.
    pub seconds: HashMap<&'static str, f64>,
    /// Events per second over the first and the last tenth of the load (how
    /// intake speed changes as the tables grow).
    pub event_rate_first_tenth: f64,
    pub event_rate_last_tenth: f64,
}

impl DemoSummary {
    /// Records of `kind` stored per second of pipeline time.
    pub fn rate(&self, kind: Kind) -> f64 {
        let count = match kind {
            Kind::Items => self.items,
            Kind::Cases => self.cases,
            Kind::CaseEvents => self.events,
            Kind::Consultations => self.consultations,
            Kind::Evaluations => self.evaluations,
        };
        count as f64
            / self
                .seconds
                .get(kind.as_str())
                .copied()
                .unwrap_or(f64::INFINITY)
    }
}

impl DemoSummary {
    fn add(&mut self, kind: Kind, report: &IntakeReport, seconds: f64) {
        *self.seconds.entry(kind.as_str()).or_default() += seconds;
        let accepted = report.accepted + report.duplicates;
        match kind {
            Kind::Items => self.items += accepted,
            Kind::Cases => self.cases += accepted,
            Kind::CaseEvents => self.events += accepted,
            Kind::Consultations => self.consultations += accepted,
            Kind::Evaluations => self.evaluations += accepted,
        }
        self.rejected += report.rejected.len() as u64;
        if let Some(first) = report.rejected.first() {
            tracing::warn!(kind = kind.as_str(), code = %first.code, message = %first.message, "demo records rejected");
        }
    }
}

const COMMENTS: &[&str] = &[
    "办事效率高，工作人员态度好",
    "网上办理很方便",
    "一次办好，不用跑腿",
    "等待时间有点长",
    "材料要求解释得很清楚",
    "窗口指引不够清楚",
];

fn time(ms: i64) -> Value {
    Value::String(govpulse_core::time::to_rfc3339(ms))
}

/// A time on a weekday office hour at or after `ms` (days are approximate:
/// the working-day calendar belongs to the monitoring module).
fn office_hours(ms: i64, rng: &mut ChaCha8Rng) -> i64 {
    let day_start = (ms + 8 * HOUR_MS).div_euclid(DAY_MS) * DAY_MS - 8 * HOUR_MS;
    let mut day = day_start;
    // 1970-01-01 was a Thursday: weekday index 0 = Monday.
    while ((day + 8 * HOUR_MS).div_euclid(DAY_MS) + 3).rem_euclid(7) >= 5 {
        day += DAY_MS;
    }
    day + 9 * HOUR_MS + rng.gen_range(0..8 * HOUR_MS)
}

struct Generator<'a> {
    rng: ChaCha8Rng,
    city: &'static DemoCity,
    until: i64,
    items_by_district: HashMap<&'static str, Vec<&'a DemoItem>>,
    city_items: Vec<&'a DemoItem>,
    districts: Vec<(&'static str, u32)>,
    people: HashMap<&'static str, Vec<Applicant>>,
    serials: HashMap<(String, String, char), u32>,
    case_serial: u64,
}

#[derive(Default)]
struct ChunkRecords {
    consultations: Vec<Map<String, Value>>,
    cases: Vec<Map<String, Value>>,
    events: Vec<Map<String, Value>>,
    evaluations: Vec<Map<String, Value>>,
}

impl Generator<'_> {
    fn consultation_code(&mut self, district: &str, at: i64, channel: &str) -> String {
        let date = govpulse_core::time::to_rfc3339(at);
        let yymmdd = format!("{}{}{}", &date[2..4], &date[5..7], &date[8..10]);
        let letter = consult_code::channel_letter(channel).unwrap_or('Z');
        let serial = self
            .serials
            .entry((district.to_string(), yymmdd.clone(), letter))
            .or_insert(DEMO_SERIAL_BASE);
        *serial += 1;
        consult_code::compose(district, &yymmdd, channel, *serial).unwrap_or_default()
    }

    fn pick_district(&mut self) -> &'static str {
        let total: u32 = self.districts.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.gen_range(0..total);
        for (code, weight) in &self.districts {
            if roll < *weight {
                return code;
            }
            roll -= weight;
        }
        self.districts[0].0
    }

    fn consultation(
        &mut self,
        out: &mut ChunkRecords,
        district: &str,
        applicant: Option<&Applicant>,
        item: &DemoItem,
        at: i64,
    ) {
        let channel = *["hotline", "online", "wechat", "window", "app"]
            .choose(&mut self.rng)
            .unwrap_or(&"online");
        let code = self.consultation_code(district, at, channel);
        // How far into the last month (seasonal topics grow towards its end).
        let month_start = self.until - 30 * DAY_MS;
        let season = (at >= month_start).then(|| (at - month_start) as f64 / (30 * DAY_MS) as f64);
        let question = questions::question(&item.name, season, &mut self.rng);
        let mut record = Map::new();
        record.insert("code".into(), json!(code));
        record.insert("channel".into(), json!(channel));
        record.insert("region_code".into(), json!(district));
        record.insert("asked_at".into(), time(at));
        record.insert(
            "applicant_type".into(),
            json!(applicant.map(|a| a.kind).unwrap_or("person")),
        );
        if let Some(applicant) = applicant {
            record.insert("applicant_id".into(), json!(applicant.id));
        }
        record.insert("item_code".into(), json!(item.item_code));
        record.insert("question".into(), json!(question));
        record.insert(
            "answer".into(),
            json!(format!(
                "您好，{}的办理要求请参见北京市政务服务网办事指南，如有疑问可拨打12345。",
                item.name
            )),
        );
        out.consultations.push(record);
    }

    fn event(
        out: &mut ChunkRecords,
        case_code: &str,
        seq: &mut i64,
        kind: &str,
        at: i64,
        special: Option<&str>,
    ) {
        *seq += 1;
        let mut record = Map::new();
        record.insert("case_code".into(), json!(case_code));
        record.insert("seq".into(), json!(*seq));
        record.insert("kind".into(), json!(kind));
        record.insert("at".into(), time(at));
        if let Some(special) = special {
            record.insert("special_kind".into(), json!(special));
        }
        record.insert("operator".into(), json!("窗口工作人员"));
        out.events.push(record);
    }

    /// A case record (new case code, random channel); returns (code, channel).
    fn case_record(
        &mut self,
        out: &mut ChunkRecords,
        district: &str,
        item: &DemoItem,
        applicant: &Applicant,
        submitted: i64,
    ) -> (String, &'static str) {
        self.case_serial += 1;
        let case_code = format!("BJ{}{:010}", &district[2..], self.case_serial);
        let channel = *["online", "online", "window", "window", "app", "wechat"]
            .choose(&mut self.rng)
            .unwrap_or(&"online");
        let mut record = Map::new();
        record.insert("case_code".into(), json!(case_code));
        record.insert("item_code".into(), json!(item.item_code));
        record.insert("applicant_type".into(), json!(applicant.kind));
        record.insert("applicant_id".into(), json!(applicant.id));
        record.insert("applicant_name".into(), json!(applicant.name));
        record.insert("region_code".into(), json!(district));
        record.insert("department_code".into(), json!(item.department_code));
        record.insert("channel".into(), json!(channel));
        record.insert("submitted_at".into(), time(submitted));
        out.cases.push(record);
        (case_code, channel)
    }

    /// One case with its consultations, events and evaluation.
    fn case(&mut self, out: &mut ChunkRecords) {
        let district = self.pick_district();
        let city_item = self.rng.gen_bool(0.3);
        let pool = if city_item {
            &self.city_items
        } else {
            &self.items_by_district[district]
        };
        let item: &DemoItem = pool[self.rng.gen_range(0..pool.len())];
        let people = &self.people[district];
        let applicant_index = self.rng.gen_range(0..people.len());
        let year_start = self.until - 365 * DAY_MS;
        let submitted = office_hours(self.rng.gen_range(year_start..self.until), &mut self.rng)
            .min(self.until - HOUR_MS);
        let applicant = self.people[district][applicant_index].clone();

        // Consultations before applying (most cases), 1–3 of them within 20 days.
        if self.rng.gen_bool(0.6) {
            let times = *[1, 1, 1, 2, 2, 3].choose(&mut self.rng).unwrap_or(&1);
            for _ in 0..times {
                let at = submitted - self.rng.gen_range(HOUR_MS..20 * DAY_MS);
                self.consultation(out, district, Some(&applicant), item, at.max(year_start));
            }
        }
        let (case_code, channel) = self.case_record(out, district, item, &applicant, submitted);

        let mut seq = 0;
        let until = self.until;
        let push = |out: &mut ChunkRecords,
                    seq: &mut i64,
                    kind: &str,
                    at: i64,
                    special: Option<&str>|
         -> bool {
            if at > until {
                return false; // still open: the rest lies in the future
            }
            Self::event(out, &case_code, seq, kind, at, special);
            true
        };
        push(out, &mut seq, "submitted", submitted, None);
        let accepted = submitted
            + self
                .rng
                .gen_range(10 * 60_000..if item.immediate { HOUR_MS } else { DAY_MS });
        let roll: f64 = self.rng.gen();
        if roll < 0.04 {
            push(out, &mut seq, "rejected", accepted, None);
            return;
        }
        if !push(out, &mut seq, "accepted", accepted, None) {
            return;
        }
        if roll < 0.05 {
            push(
                out,
                &mut seq,
                "withdrawn",
                accepted + self.rng.gen_range(HOUR_MS..5 * DAY_MS),
                None,
            );
            return;
        }
        // Handling time relative to the promised limit (calendar days ≈ working days × 7/5).
        let budget_ms = (item.promised_limit.max(1) * DAY_MS * 7) / 5;
        let share: f64 = match self.rng.gen::<f64>() {
            r if r < 0.80 => self.rng.gen_range(0.15..0.85),
            r if r < 0.93 => self.rng.gen_range(0.85..1.0),
            _ => self.rng.gen_range(1.05..1.8), // the overdue tail
        };
        let mut clock = accepted;
        let mut paused = 0;
        if !item.immediate && self.rng.gen_bool(0.08) {
            let start = clock + self.rng.gen_range(HOUR_MS..2 * DAY_MS);
            let length = self.rng.gen_range(DAY_MS..6 * DAY_MS);
            if !push(out, &mut seq, "supplement_start", start, None)
                || !push(out, &mut seq, "supplement_end", start + length, None)
            {
                return;
            }
            paused += length;
        }
        if !item.immediate && self.rng.gen_bool(0.03) {
            let start = clock + self.rng.gen_range(2 * DAY_MS..4 * DAY_MS);
            let length = self.rng.gen_range(3 * DAY_MS..15 * DAY_MS);
            let kind = if self.rng.gen_bool(0.5) { "1" } else { "2" };
            if !push(out, &mut seq, "special_start", start, Some(kind))
                || !push(out, &mut seq, "special_end", start + length, Some(kind))
            {
                return;
            }
            paused += length;
        }
        clock += paused;
        let decided = if item.immediate {
            // 即办件: done on the spot, a few not until the next day.
            accepted
                + if self.rng.gen_bool(0.95) {
                    self.rng.gen_range(10 * 60_000..2 * HOUR_MS)
                } else {
                    DAY_MS + HOUR_MS
                }
        } else {
            clock + (budget_ms as f64 * share) as i64
        };
        if !push(out, &mut seq, "decided", decided, None) {
            return;
        }
        let completed = decided + self.rng.gen_range(10 * 60_000..4 * HOUR_MS);
        if !push(out, &mut seq, "completed", completed, None) {
            return;
        }
        if self.rng.gen_bool(0.6) {
            let rated = completed + self.rng.gen_range(HOUR_MS..3 * DAY_MS);
            if rated <= self.until {
                let satisfaction = match self.rng.gen::<f64>() {
                    r if r < 0.70 => 1,
                    r if r < 0.90 => 2,
                    r if r < 0.96 => 3,
                    r if r < 0.99 => 4,
                    _ => 5,
                };
                let mut record = Map::new();
                record.insert("evaluation_id".into(), json!(format!("EV{case_code}")));
                record.insert("case_code".into(), json!(case_code));
                record.insert("channel".into(), json!(channel));
                record.insert("rated_at".into(), time(rated));
                record.insert("satisfaction".into(), json!(satisfaction));
                if self.rng.gen_bool(0.3) {
                    record.insert(
                        "comment".into(),
                        json!(COMMENTS.choose(&mut self.rng).unwrap_or(&COMMENTS[0])),
                    );
                }
                out.evaluations.push(record);
            }
        }
    }

    /// Consultations that no application follows.
    fn stray_consultations(&mut self, out: &mut ChunkRecords, count: usize) {
        for _ in 0..count {
            let district = self.pick_district();
            let item = {
                let pool = &self.items_by_district[district];
                pool[self.rng.gen_range(0..pool.len())]
            };
            let at = office_hours(
                self.rng.gen_range(self.until - 365 * DAY_MS..self.until),
                &mut self.rng,
            )
            .min(self.until - HOUR_MS);
            let anonymous = self.rng.gen_bool(0.3);
            let applicant = (!anonymous).then(|| {
                if self.rng.gen_bool(0.85) {
                    person(&mut self.rng, district)
                } else {
                    organisation(&mut self.rng, district)
                }
            });
            self.consultation(out, district, applicant.as_ref(), item, at);
        }
    }
}

fn numbered(records: Vec<Map<String, Value>>) -> Vec<RawRecord> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i + 1, Ok(r)))
        .collect()
}

/// Generate and load the demo data set; `progress(done_cases)` is called per chunk.
pub async fn load(
    pipeline: &Pipeline<'_>,
    options: &DemoOptions,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<DemoSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let sample = &options.sample;
    let second_version_day =
        govpulse_core::time::to_rfc3339(options.until_ms - 120 * DAY_MS)[..10].to_string();
    let items = catalogue::demo_items(
        options.city,
        sample,
        100,
        300,
        &mut rng,
        &second_version_day,
    );
    let rules = CollectionRules::default();
    let now = govpulse_core::time::now_ms().max(options.until_ms);
    let mut summary = DemoSummary::default();
    let first: Vec<Map<String, Value>> = items.iter().map(|i| i.record.clone()).collect();
    let second: Vec<Map<String, Value>> = items
        .iter()
        .filter_map(|i| i.second_version.clone())
        .collect();
    for records in [first, second] {
        for chunk in records.chunks(CHUNK) {
            let started = std::time::Instant::now();
            let report = pipeline
                .run(Kind::Items, SOURCE, &rules, numbered(chunk.to_vec()), now)
                .await?;
            summary.add(Kind::Items, &report, started.elapsed().as_secs_f64());
        }
    }
    let mut items_by_district: HashMap<&'static str, Vec<&DemoItem>> = HashMap::new();
    let mut city_items = Vec::new();
    for item in &items {
        match options
            .city
            .districts
            .iter()
            .find(|(code, _, _)| *code == item.region_code)
        {
            Some((code, _, _)) => items_by_district.entry(code).or_default().push(item),
            None => city_items.push(item),
        }
    }
    let people_per_district = ((options.cases / 10).clamp(200, 200_000)) as usize;
    let mut people = HashMap::new();
    for (code, _, _) in options.city.districts {
        let list: Vec<Applicant> = (0..people_per_district)
            .map(|_| {
                if rng.gen_bool(0.85) {
                    person(&mut rng, code)
                } else {
                    organisation(&mut rng, code)
                }
            })
            .collect();
        people.insert(*code, list);
    }
    let mut generator = Generator {
        rng,
        city: options.city,
        until: options.until_ms,
        items_by_district,
        city_items,
        districts: options
            .city
            .districts
            .iter()
            .map(|(code, _, _)| (*code, options.city.weight(code)))
            .collect(),
        people,
        serials: HashMap::new(),
        case_serial: 0,
    };
    let mut done = 0_u64;
    let tenth = (options.cases / 10).max(1);
    let (mut first_tenth, mut last_tenth) = ((0_u64, 0.0_f64), (0_u64, 0.0_f64));
    while done < options.cases {
        let size = (options.cases - done).min(CHUNK as u64);
        let mut out = ChunkRecords::default();
        for _ in 0..size {
            generator.case(&mut out);
        }
        generator.stray_consultations(&mut out, (size as usize * 3) / 10);
        let in_first_tenth = done < tenth;
        let in_last_tenth = done + size > options.cases - tenth;
        ingest(pipeline, out, now, &mut summary, |events, seconds| {
            let window = if in_first_tenth {
                Some(&mut first_tenth)
            } else if in_last_tenth {
                Some(&mut last_tenth)
            } else {
                None
            };
            if let Some((count, secs)) = window {
                *count += events;
                *secs += seconds;
            }
        })
        .await?;
        done += size;
        if done.is_multiple_of(20 * CHUNK as u64) {
            // Keep planner statistics in step with the growing tables.
            pipeline.store.analyze().await?;
        }
        progress(done);
    }
    let mut out = ChunkRecords::default();
    generator.showcase(&mut out);
    generator.plant_faults(&mut out);
    ingest(pipeline, out, now, &mut summary, |_, _| {}).await?;
    // The work-order and guidance scenarios are written for Beijing's items.
    if options.city.is_beijing() {
        super::demo_work_orders::load(pipeline, now).await?;
        // Dated from the demo's last day, like the showcase: the same seed and
        // day give the same data.
        super::demo_guidance::load(pipeline, options.until_ms).await?;
    }
    oplogs::register(pipeline.store, options.city.showcase[0], options.until_ms).await?;
    // Last: the feed's manifest declares what arrived today plus a lost batch.
    feed::register(pipeline.store, now).await?;
    summary.event_rate_first_tenth = first_tenth.0 as f64 / first_tenth.1.max(1e-9);
    summary.event_rate_last_tenth = last_tenth.0 as f64 / last_tenth.1.max(1e-9);
    Ok(summary)
}

/// Load one chunk's records, consultations first (a case links the
/// consultations that preceded it); `on_events(accepted, seconds)` per event batch.
async fn ingest(
    pipeline: &Pipeline<'_>,
    mut out: ChunkRecords,
    now: i64,
    summary: &mut DemoSummary,
    mut on_events: impl FnMut(u64, f64),
) -> anyhow::Result<()> {
    let rules = CollectionRules::default();
    for (kind, records) in [
        (Kind::Consultations, std::mem::take(&mut out.consultations)),
        (Kind::Cases, std::mem::take(&mut out.cases)),
        (Kind::CaseEvents, std::mem::take(&mut out.events)),
        (Kind::Evaluations, std::mem::take(&mut out.evaluations)),
    ] {
        for chunk in records.chunks(CHUNK * 2) {
            let started = std::time::Instant::now();
            let report = pipeline
                .run(kind, SOURCE, &rules, numbered(chunk.to_vec()), now)
                .await?;
            let seconds = started.elapsed().as_secs_f64();
            summary.add(kind, &report, seconds);
            if kind == Kind::CaseEvents {
                on_events(report.accepted, seconds);
            }
        }
    }
    Ok(())
}
