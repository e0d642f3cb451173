//! The clock rules on real calendars (春节, 国庆, 调休 weekends).

use super::calendar::{local_date, years_without_data, WorkCalendar};
use super::clock::{deadline, progress, Suspension, Unit};
use chrono::NaiveDate;

fn at(text: &str) -> i64 {
    crate::time::parse_rfc3339(text).unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn show(ms: i64) -> String {
    crate::time::to_rfc3339(ms)
}

#[test]
fn bundled_years_match_the_published_working_day_counts() {
    // Working days per calendar year, from the data set's README (an independent count).
    let expected = [
        (2007, 249),
        (2008, 251),
        (2009, 250),
        (2010, 250),
        (2011, 250),
        (2012, 249),
        (2013, 250),
        (2014, 250),
        (2015, 249),
        (2016, 250),
        (2017, 249),
        (2018, 250),
        (2019, 250),
        (2020, 249),
        (2021, 250),
        (2022, 249),
        (2023, 249),
        (2024, 251),
        (2025, 248),
        (2026, 248),
    ];
    let calendar = WorkCalendar::bundled();
    for (year, working) in expected {
        let count = calendar.working_days_between(
            date(&format!("{}-12-31", year - 1)),
            date(&format!("{year}-12-31")),
        );
        assert_eq!(count, working, "{year}");
    }
}

#[test]
fn working_days_across_spring_festival_with_adjusted_saturday() {
    let calendar = WorkCalendar::bundled();
    // Friday 2026-02-13: the next working day is the adjusted Saturday 02-14,
    // then the holiday runs to 02-23.
    let d = deadline(
        &calendar,
        at("2026-02-13T16:00:00+08:00"),
        3,
        Unit::Working,
        &[],
    );
    assert_eq!(
        d.counted_days,
        [date("2026-02-14"), date("2026-02-24"), date("2026-02-25")]
    );
    assert_eq!(show(d.deadline_ms), "2026-02-25T23:59:59+08:00");
}

#[test]
fn working_days_across_national_day() {
    let calendar = WorkCalendar::bundled();
    let d = deadline(
        &calendar,
        at("2026-09-30T09:00:00+08:00"),
        3,
        Unit::Working,
        &[],
    );
    // 10-01…10-07 off, 10-08 Thu, 10-09 Fri, 10-10 adjusted Saturday.
    assert_eq!(
        d.counted_days,
        [date("2026-10-08"), date("2026-10-09"), date("2026-10-10")]
    );
    assert_eq!(show(d.deadline_ms), "2026-10-10T23:59:59+08:00");
    // The start day never counts, even late at night.
    let d = deadline(
        &calendar,
        at("2026-09-29T23:59:00+08:00"),
        1,
        Unit::Working,
        &[],
    );
    assert_eq!(show(d.deadline_ms), "2026-09-30T23:59:59+08:00");
}

#[test]
fn natural_budgets_end_on_a_working_day() {
    let calendar = WorkCalendar::bundled();
    // Day 5 after 09-28 is 10-03, a holiday: the deadline moves to 10-08.
    let d = deadline(
        &calendar,
        at("2026-09-28T10:00:00+08:00"),
        5,
        Unit::Natural,
        &[],
    );
    assert_eq!(d.counted_days.last(), Some(&date("2026-10-03")));
    assert_eq!(show(d.deadline_ms), "2026-10-08T23:59:59+08:00");
    // Day N on a working day stays.
    let d = deadline(
        &calendar,
        at("2026-03-02T10:00:00+08:00"),
        3,
        Unit::Natural,
        &[],
    );
    assert_eq!(show(d.deadline_ms), "2026-03-05T23:59:59+08:00");
}

#[test]
fn suspensions_spanning_holidays_add_only_working_days() {
    let calendar = WorkCalendar::bundled();
    let start = at("2026-09-21T09:00:00+08:00");
    let base = deadline(&calendar, start, 10, Unit::Working, &[]);
    // 09-30 → 10-09: working days after 09-30 and not after 10-09 are 10-08 and 10-09.
    let holiday = Suspension {
        start_ms: at("2026-09-30T10:00:00+08:00"),
        end_ms: Some(at("2026-10-09T09:00:00+08:00")),
    };
    let same_day = Suspension {
        start_ms: at("2026-09-22T09:00:00+08:00"),
        end_ms: Some(at("2026-09-22T17:00:00+08:00")),
    };
    let extended = deadline(&calendar, start, 10, Unit::Working, &[holiday, same_day]);
    assert_eq!(extended.suspended_days, 2);
    assert_eq!(
        local_date(extended.deadline_ms),
        calendar.nth_working_day_after(local_date(base.deadline_ms), 2)
    );
    let two = deadline(&calendar, start, 10, Unit::Working, &[holiday, holiday]);
    assert_eq!(two.suspended_days, 4, "suspensions add up");
}

#[test]
fn used_share_and_remaining() {
    let calendar = WorkCalendar::bundled();
    let start = at("2026-03-02T09:00:00+08:00"); // Monday
    let p = progress(
        &calendar,
        start,
        10,
        Unit::Working,
        &[],
        at("2026-03-06T15:00:00+08:00"),
    );
    assert_eq!((p.elapsed, p.remaining), (4, 6));
    assert!((p.used_share - 0.4).abs() < 1e-9);
    // An open suspension since Wednesday pauses the count.
    let open = Suspension {
        start_ms: at("2026-03-04T09:00:00+08:00"),
        end_ms: None,
    };
    let p = progress(
        &calendar,
        start,
        10,
        Unit::Working,
        &[open],
        at("2026-03-06T15:00:00+08:00"),
    );
    assert_eq!(p.elapsed, 2);
}

#[test]
fn calendars_load_and_edit() {
    let mut calendar = WorkCalendar::weekdays_only();
    assert!(
        calendar.is_working(date("2026-10-01")),
        "a Thursday, before holidays are loaded"
    );
    let loaded = calendar
        .load_holiday_cn(r#"{"year": 2026, "days": [{"name": "国庆节", "date": "2026-10-01", "isOffDay": true}, {"name": "国庆节", "date": "2026-10-10", "isOffDay": false}]}"#)
        .unwrap();
    assert_eq!(loaded, 2);
    assert!(!calendar.is_working(date("2026-10-01")));
    assert!(calendar.is_working(date("2026-10-10")));
    calendar.set(date("2026-10-10"), false);
    assert!(
        calendar
            .year(2026)
            .iter()
            .all(|(d, _)| *d != date("2026-10-10")),
        "back to the weekday rule"
    );
    assert!(calendar.load_holiday_cn("{}").is_err());
    assert!(calendar
        .load_holiday_cn(r#"{"days": [{"date": "2026-13-01", "isOffDay": true}]}"#)
        .is_err());
}

#[test]
fn a_replaced_year_drops_the_bundled_exceptions_of_that_year_only() {
    let mut calendar = WorkCalendar::bundled();
    let national_day = WorkCalendar::bundled_year(2024);
    assert!(national_day
        .iter()
        .any(|(d, name, off)| d == "2024-10-01" && name.contains("国庆") && *off));
    // An administrator moves 2024's National Day to a single day off.
    calendar.replace_year(2024, [(date("2024-10-02"), false)]);
    assert!(
        calendar.is_working(date("2024-10-01")),
        "bundled 2024 holidays are gone"
    );
    assert!(!calendar.is_working(date("2024-10-02")));
    assert!(
        !calendar.is_working(date("2024-10-12")),
        "the 调休 Saturday is an ordinary Saturday again"
    );
    assert!(
        !calendar.is_working(date("2025-10-01")),
        "other years keep their holidays"
    );
    assert!(WorkCalendar::bundled_year(1999).is_empty());
}

mod stage_clocks {
    use super::{at, show};
    use crate::monitoring::calendar::WorkCalendar;
    use crate::monitoring::clock::Unit;
    use crate::monitoring::stages::{case_clocks, CaseTiming, StageEvent};

    fn ev(kind: &'static str, when: &str) -> StageEvent<'static> {
        StageEvent {
            kind,
            at_ms: at(when),
        }
    }

    #[test]
    fn approval_clock_with_a_supplement_across_national_day() {
        let calendar = WorkCalendar::bundled();
        let events = [
            ev("submitted", "2026-09-21T09:00:00+08:00"),
            ev("accepted", "2026-09-21T10:00:00+08:00"),
            ev("supplement_start", "2026-09-30T10:00:00+08:00"),
            ev("supplement_end", "2026-10-09T09:00:00+08:00"),
        ];
        let case = CaseTiming {
            submitted_at: at("2026-09-21T09:00:00+08:00"),
            case_type_code: 2,
            promised_limit: Some(10),
            legal_limit: Some(20),
            unit: Unit::Working,
            events: &events,
        };
        let clocks = case_clocks(&calendar, &case, at("2026-10-12T12:00:00+08:00"));
        assert_eq!(clocks[0].stage, "acceptance");
        assert_eq!(clocks[0].status, "completed");
        let approval = &clocks[1];
        assert_eq!(approval.stage, "approval");
        assert_eq!(approval.suspended_days, 2);
        // Exactly the two suspended working days (10-08, 10-09) are added.
        let plain = crate::monitoring::clock::deadline(
            &calendar,
            case.events[1].at_ms,
            10,
            Unit::Working,
            &[],
        );
        assert_eq!(
            crate::monitoring::calendar::local_date(approval.deadline),
            calendar.nth_working_day_after(
                crate::monitoring::calendar::local_date(plain.deadline_ms),
                2
            )
        );
        assert_eq!(approval.status, "running");
    }

    #[test]
    fn immediate_case_submitted_on_a_friday_evening_and_on_a_holiday_eve() {
        let calendar = WorkCalendar::bundled();
        // Accepted Friday 18:30: due the same day, done Monday → late.
        let events = [
            ev("accepted", "2026-03-06T18:30:00+08:00"),
            ev("completed", "2026-03-09T09:10:00+08:00"),
        ];
        let case = CaseTiming {
            submitted_at: at("2026-03-06T18:20:00+08:00"),
            case_type_code: 1,
            promised_limit: Some(0),
            legal_limit: Some(1),
            unit: Unit::Working,
            events: &events,
        };
        let clocks = case_clocks(&calendar, &case, at("2026-03-10T12:00:00+08:00"));
        let immediate = clocks.iter().find(|c| c.stage == "immediate").unwrap();
        assert_eq!(show(immediate.deadline), "2026-03-06T23:59:59+08:00");
        assert_eq!(immediate.status, "completed_late");
        // Accepted on a holiday (10-01): due at the end of the next working day.
        let events = [ev("accepted", "2026-10-01T10:00:00+08:00")];
        let case = CaseTiming {
            events: &events,
            submitted_at: at("2026-10-01T09:50:00+08:00"),
            ..case
        };
        let clocks = case_clocks(&calendar, &case, at("2026-10-09T12:00:00+08:00"));
        let immediate = clocks.iter().find(|c| c.stage == "immediate").unwrap();
        assert_eq!(show(immediate.deadline), "2026-10-08T23:59:59+08:00");
        assert_eq!(immediate.status, "overdue");
    }

    #[test]
    fn open_special_procedure_suspends_the_approval_clock() {
        let calendar = WorkCalendar::bundled();
        let events = [
            ev("accepted", "2026-03-02T10:00:00+08:00"),
            ev("special_start", "2026-03-04T10:00:00+08:00"),
        ];
        let case = CaseTiming {
            submitted_at: at("2026-03-02T09:00:00+08:00"),
            case_type_code: 2,
            promised_limit: Some(5),
            legal_limit: None,
            unit: Unit::Working,
            events: &events,
        };
        let clocks = case_clocks(&calendar, &case, at("2026-03-20T12:00:00+08:00"));
        let approval = clocks.iter().find(|c| c.stage == "approval").unwrap();
        assert_eq!(approval.status, "suspended");
        assert_eq!(
            approval.remaining, 3,
            "two working days used before the pause"
        );
        let special = clocks
            .iter()
            .find(|c| c.stage == "special_procedure")
            .unwrap();
        assert_eq!(special.status, "running");
    }
}

#[test]
fn years_far_outside_the_bundled_data_have_no_exceptions() {
    for year in [i32::MIN, -2_147_483_647, 0, 2006, 2200, i32::MAX] {
        assert!(WorkCalendar::bundled_year(year).is_empty(), "{year}");
    }
}

#[test]
fn a_year_without_holiday_data_is_reported_from_sixty_days_before_it() {
    let bundled = WorkCalendar::bundled();
    // 2027 ships empty: reported from 2 November 2026 (60 days before), not on 1 November.
    assert_eq!(years_without_data(&bundled, date("2026-10-31")), []);
    assert_eq!(years_without_data(&bundled, date("2026-11-01")), []);
    assert_eq!(
        years_without_data(&bundled, date("2026-11-02")),
        [(2027, 60)]
    );
    assert_eq!(
        years_without_data(&bundled, date("2026-12-31")),
        [(2027, 1)]
    );
    // Inside the empty year it is reported as this year.
    assert_eq!(
        years_without_data(&bundled, date("2027-03-01")),
        [(2027, 0)]
    );
    assert_eq!(
        years_without_data(&bundled, date("2027-12-01")),
        [(2027, 0), (2028, 31)]
    );
    // Data for 2027 ends it.
    let mut filled = bundled.clone();
    filled.replace_year(2027, [(date("2027-02-08"), false)]);
    assert_eq!(years_without_data(&filled, date("2026-12-05")), []);
    // A year with data is never reported.
    assert_eq!(years_without_data(&bundled, date("2025-12-01")), []);
}
