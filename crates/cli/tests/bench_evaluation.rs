//! `govpulse bench evaluation` on a small year of cases, on every backend, so
//! the benchmark keeps running: every unit level gets values and scores, the
//! test run completes, and the quality run checks every case and finds the
//! planted bad records. `scripts/bench-evaluation.sh` runs it at scale.

mod common;

use common::{govpulse, stdout};
use govpulse_store::testing::TestDb;

/// The cells of the table row whose first cell is `backend` under `title`.
fn rows<'a>(printed: &'a str, title: &str) -> Vec<Vec<&'a str>> {
    printed
        .split("#### ")
        .find(|t| t.starts_with(title))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("| SQLite") || l.starts_with("| PostgreSQL"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect()
}

#[tokio::test]
async fn evaluation_bench_scores_every_level_and_finds_bad_records() {
    for db in TestDb::all().await {
        let label = format!("{:?}", db.backend);
        let run = govpulse(&["bench", "evaluation", "--cases", "2000"], &db.url);
        let printed = stdout(&run);
        assert!(
            run.status.success(),
            "{label}: {printed} {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let data = rows(&printed, "Evaluation and quality: data");
        assert_eq!(data.len(), 1, "{label}: {printed}");
        assert_eq!(data[0][2], "2000", "{label}: {printed}");

        // | backend | cases | period | level | units | facts | values | non-null | scoring | run | RSS |
        let levels = rows(&printed, "Evaluation: indicator values");
        let names: Vec<&str> = levels.iter().map(|r| r[4]).collect();
        assert_eq!(
            names,
            ["district", "city_department", "district_department"],
            "{label}: {printed}"
        );
        for row in &levels {
            assert!(
                row[5].parse::<u32>().unwrap_or(0) > 0,
                "{label}: no units: {printed}"
            );
            assert!(
                row[8].parse::<u32>().unwrap_or(0) > 0,
                "{label}: no values: {printed}"
            );
        }
        assert!(
            levels[0][10].ends_with(" s"),
            "{label}: no test run: {printed}"
        );

        // | backend | cases | state | checked | run | cases/s | failures | checks | RSS |
        let quality = rows(&printed, "Quality run");
        assert_eq!(quality.len(), 1, "{label}: {printed}");
        assert_eq!(
            (quality[0][3], quality[0][4]),
            ("done", "2000"),
            "{label}: {printed}"
        );
        assert!(
            quality[0][7].parse::<u32>().unwrap_or(0) > 0,
            "{label}: no failures found: {printed}"
        );
        assert!(
            quality[0][8].contains("item.not_in_force"),
            "{label}: {printed}"
        );
        db.cleanup().await;
    }
}
