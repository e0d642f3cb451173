//! Cases placed just before the end of the demo year so that every built-in
//! warning model has live warnings on a fresh `make run`: repeated
//! consultations, repeated applications and rejections, late acceptance,
//! approval at 80 % and past its limit, a long special procedure and an
//! unfinished 即办件 — in the city's three showcase districts (Beijing: 朝阳区
//! among them, 常州: 天宁区).

use super::{office_hours, ChunkRecords, Generator, DAY_MS, HOUR_MS};
use crate::seed::catalogue::DemoItem;
use crate::seed::people::Applicant;
use rand::Rng;

impl<'a> Generator<'a> {
    fn showcase_item(&mut self, district: &str, immediate: bool) -> Option<&'a DemoItem> {
        let pool: Vec<&'a DemoItem> = self.items_by_district[district]
            .iter()
            .copied()
            .filter(|i| i.immediate == immediate && (immediate || i.promised_limit >= 5))
            .collect();
        (!pool.is_empty()).then(|| pool[self.rng.gen_range(0..pool.len())])
    }

    fn showcase_applicant(&mut self, district: &str) -> Applicant {
        let people = &self.people[district];
        people[self.rng.gen_range(0..people.len())].clone()
    }

    /// `days` calendar days before the end of the demo year, in office hours.
    fn days_before_end(&mut self, days: i64) -> i64 {
        office_hours(self.until - days * DAY_MS, &mut self.rng).min(self.until - HOUR_MS)
    }

    /// A case with the given `(kind, days before the end)` events.
    fn showcase_case(
        &mut self,
        out: &mut ChunkRecords,
        district: &str,
        item: &DemoItem,
        applicant: &Applicant,
        submitted_days: i64,
        events: &[(&str, i64)],
    ) {
        let submitted = self.days_before_end(submitted_days);
        let (case_code, _) = self.case_record(out, district, item, applicant, submitted);
        let mut seq = 0;
        Self::event(out, &case_code, &mut seq, "submitted", submitted, None);
        for (kind, days) in events {
            let at = self.days_before_end(*days).max(submitted + HOUR_MS);
            let special = kind.starts_with("special").then_some("1");
            Self::event(out, &case_code, &mut seq, kind, at, special);
        }
    }

    pub(super) fn showcase(&mut self, out: &mut ChunkRecords) {
        for district in self.city.showcase {
            let (Some(item), Some(quick)) = (
                self.showcase_item(district, false),
                self.showcase_item(district, true),
            ) else {
                continue;
            };
            // 咨询次数: three and five questions on one item, no application.
            for times in [3, 5] {
                let applicant = self.showcase_applicant(district);
                for n in 0..times {
                    let at = self.days_before_end(2 + 4 * n);
                    self.consultation(out, district, Some(&applicant), item, at);
                }
            }
            // 受理次数: applied three times in a month, rejected twice.
            let applicant = self.showcase_applicant(district);
            self.showcase_case(out, district, item, &applicant, 24, &[("rejected", 23)]);
            self.showcase_case(out, district, item, &applicant, 14, &[("rejected", 13)]);
            self.showcase_case(out, district, item, &applicant, 3, &[("accepted", 2)]);
            // 受理超期: waiting for acceptance nine and six calendar days.
            for days in [9, 6] {
                let applicant = self.showcase_applicant(district);
                self.showcase_case(out, district, item, &applicant, days, &[]);
            }
            // 审批超期: accepted 1.3 and 0.95 of the limit ago (working days ≈ 7/5 calendar days).
            let limit_days = item.promised_limit * 7 / 5;
            for share in [13, 9] {
                let applicant = self.showcase_applicant(district);
                let accepted = limit_days * share / 10;
                self.showcase_case(
                    out,
                    district,
                    item,
                    &applicant,
                    accepted + 1,
                    &[("accepted", accepted)],
                );
            }
            // 特殊环节超期: an expert review running for five weeks.
            let applicant = self.showcase_applicant(district);
            self.showcase_case(
                out,
                district,
                item,
                &applicant,
                40,
                &[("accepted", 39), ("special_start", 35)],
            );
            // 即办件: accepted three days ago, still not done.
            let applicant = self.showcase_applicant(district);
            self.showcase_case(out, district, quick, &applicant, 3, &[("accepted", 3)]);
        }
        // The demo department user's own items: late approvals in the first
        // two showcase districts.
        let demo_department = self.city.demo_department();
        let own: Vec<&'a DemoItem> = self
            .city_items
            .iter()
            .copied()
            .filter(|i| {
                i.department_code == demo_department && !i.immediate && i.promised_limit >= 5
            })
            .collect();
        if let Some(item) = own.first() {
            let limit_days = item.promised_limit * 7 / 5;
            for (share, district) in [(13, self.city.showcase[0]), (9, self.city.showcase[1])] {
                let applicant = self.showcase_applicant(district);
                let accepted = limit_days * share / 10;
                self.showcase_case(
                    out,
                    district,
                    item,
                    &applicant,
                    accepted + 1,
                    &[("accepted", accepted)],
                );
            }
        }
    }
}
