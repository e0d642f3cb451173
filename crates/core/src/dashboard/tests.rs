//! The cube answers as a user would count by hand.

use super::cube::{CaseCounts, CellCodes, Cube, Kind};
use super::query::{day_of_date, Filter};
use chrono::NaiveDate;

fn day(text: &str) -> i64 {
    day_of_date(NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap())
}

fn cell(
    district: &str,
    date: &str,
    region: &str,
    department: &str,
    item: &str,
    applicant: &str,
) -> CellCodes {
    CellCodes {
        district: district.into(),
        day: day(date),
        region: region.into(),
        department: department.into(),
        item: item.into(),
        applicant_type: applicant.into(),
    }
}

fn cases(n: u64, overdue: u64) -> CaseCounts {
    CaseCounts {
        cases: n,
        accepted: n,
        completed: n,
        on_time: n - overdue,
        overdue,
    }
}

fn cube() -> Cube {
    let mut cube = Cube::default();
    cube.add_cases(
        &cell("110105", "2026-03-01", "110105", "D1", "I1", "person"),
        cases(5, 1),
    );
    cube.add_cases(
        &cell("110105", "2026-03-02", "110105001", "D2", "I2", "org"),
        cases(3, 0),
    );
    cube.add_cases(
        &cell("110108", "2026-04-10", "110108", "D1", "I3", "person"),
        cases(7, 2),
    );
    cube.add_consultations(
        &cell("110105", "2026-03-01", "110105", "D1", "I1", "person"),
        4,
    );
    cube.add_warnings(
        &cell("110105", "2026-03-01", "110105", "D1", "I1", "person"),
        "approval",
        "red",
        2,
    );
    cube.add_warnings(
        &cell("110108", "2026-04-10", "110108", "D1", "I3", "person"),
        "acceptance",
        "yellow",
        1,
    );
    cube.rebuild_all_months();
    cube
}

fn period(from: &str, to: &str) -> Filter {
    Filter {
        first_day: day(from),
        last_day: day(to),
        group_by_district: true,
        warnings: true,
        ..Default::default()
    }
}

#[test]
fn totals_breakdowns_and_trend_add_up() {
    let o = cube().overview(&period("2026-03-01", "2026-04-30"));
    assert_eq!(o.cases.cases, 15);
    assert_eq!(o.cases.overdue, 3);
    assert_eq!(o.consultations, 4);
    assert_eq!(o.warnings, 3);
    assert_eq!(o.by_level.get("red"), Some(&2));
    let codes: Vec<_> = o
        .by_region
        .iter()
        .map(|r| (r.code.as_str(), r.cases.cases))
        .collect();
    assert_eq!(
        codes,
        [("110105", 8), ("110108", 7)],
        "districts, most cases first"
    );
    assert_eq!(o.by_department[0].code, "D1");
    assert_eq!(o.by_department[0].cases.cases, 12);
    assert!(!o.monthly, "61 days trend by day");
    assert_eq!(o.trend.len(), 61);
    assert_eq!(o.trend.iter().map(|t| t.cases.cases).sum::<u64>(), 15);
    let year = cube().overview(&period("2026-01-01", "2026-12-31"));
    assert!(year.monthly);
    let months: Vec<_> = year
        .trend
        .iter()
        .filter(|t| t.cases.cases > 0)
        .map(|t| t.date.as_str())
        .collect();
    assert_eq!(months, ["2026-03", "2026-04"]);
}

#[test]
fn filters_and_scope_intersect() {
    let mut f = period("2026-03-01", "2026-04-30");
    f.region_ranges = vec![("110105".into(), "110106".into())];
    assert_eq!(cube().overview(&f).cases.cases, 8);
    f.group_by_district = false;
    let regions: Vec<_> = cube()
        .overview(&f)
        .by_region
        .into_iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(
        regions,
        ["110105", "110105001"],
        "a district breaks down by its regions"
    );
    f.region_ranges.push(("110108".into(), "110109".into()));
    assert_eq!(
        cube().overview(&f).cases.cases,
        0,
        "scope 朝阳 ∩ filter 海淀 = nothing"
    );

    let mut f = period("2026-03-01", "2026-04-30");
    f.departments = vec!["D1".into()];
    assert_eq!(cube().overview(&f).cases.cases, 12);
    f.departments.push("D2".into());
    assert_eq!(
        cube().overview(&f).cases.cases,
        0,
        "a department cannot ask for another"
    );
    let mut f = period("2026-03-01", "2026-04-30");
    f.applicant_type = Some("org".into());
    assert_eq!(cube().overview(&f).cases.cases, 3);
    f.item = Some("nope".into());
    assert_eq!(cube().overview(&f).cases.cases, 0);
}

#[test]
fn the_stage_filter_and_warning_visibility_touch_warnings_only() {
    let mut f = period("2026-03-01", "2026-04-30");
    f.stage = Some("acceptance".into());
    let o = cube().overview(&f);
    assert_eq!((o.cases.cases, o.warnings), (15, 1));
    f.warnings = false;
    let o = cube().overview(&f);
    assert_eq!((o.cases.cases, o.warnings), (15, 0));
}

#[test]
fn a_refreshed_partition_replaces_what_it_held() {
    let mut cube = cube();
    let mut part = Cube::default();
    part.add_cases(
        &cell("110105", "2026-03-01", "110105", "D1", "I1", "person"),
        cases(6, 2),
    );
    cube.clear(
        Kind::Cases,
        Some("110105"),
        day("2026-03-01"),
        day("2026-03-01"),
    );
    cube.absorb(Kind::Cases, &part);
    cube.rebuild_months(Some("110105"), day("2026-03-01"), day("2026-03-01"));
    let o = cube.overview(&period("2026-03-01", "2026-04-30"));
    assert_eq!(
        o.cases.cases, 16,
        "5 replaced by 6; other days and districts untouched"
    );
    assert_eq!(o.consultations, 4, "clearing cases keeps consultations");
    assert_eq!(o.cases.overdue, 4);
}

#[test]
fn long_periods_read_whole_months_and_agree_with_the_days() {
    // 65 days: February and April partly (days), March whole (month level).
    let mut cube = cube();
    let long = period("2026-02-15", "2026-04-20");
    let o = cube.overview(&long);
    assert!(o.monthly);
    assert_eq!((o.cases.cases, o.cases.overdue), (15, 3));
    assert_eq!((o.consultations, o.warnings), (4, 3));
    let by_month: Vec<_> = o
        .trend
        .iter()
        .map(|t| (t.date.as_str(), t.cases.cases))
        .collect();
    assert_eq!(by_month, [("2026-02", 0), ("2026-03", 8), ("2026-04", 7)]);
    // A ragged end excludes the days past it, even inside a month held whole.
    let o = cube.overview(&period("2026-01-01", "2026-04-09"));
    assert_eq!(o.cases.cases, 8, "April 10 lies outside");
    // Months follow a refresh of their days.
    let mut part = Cube::default();
    part.add_cases(
        &cell("110105", "2026-03-02", "110105001", "D2", "I2", "org"),
        cases(10, 0),
    );
    cube.clear(
        Kind::Cases,
        Some("110105"),
        day("2026-03-02"),
        day("2026-03-02"),
    );
    cube.absorb(Kind::Cases, &part);
    cube.rebuild_months(Some("110105"), day("2026-03-02"), day("2026-03-02"));
    assert_eq!(cube.overview(&long).cases.cases, 22, "3 replaced by 10");
}

#[test]
fn districts_outside_the_regions_are_skipped_whole() {
    let mut f = period("2026-01-01", "2026-12-31");
    f.region_ranges = vec![("110108".into(), "110109".into())];
    let o = cube().overview(&f);
    assert_eq!((o.cases.cases, o.warnings), (7, 1));
    f.region_ranges = vec![("110105001".into(), "110105002".into())];
    assert_eq!(cube().overview(&f).cases.cases, 3, "a street of 朝阳区");
    f.region_ranges = vec![("11".into(), "12".into())];
    assert_eq!(cube().overview(&f).cases.cases, 15, "the city");
    assert!(f.admits_district("110105"));
    f.region_ranges = vec![("110105".into(), "110106".into())];
    assert!(!f.admits_district("110108"));
}
