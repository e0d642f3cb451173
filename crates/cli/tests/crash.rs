//! The crash harness (`govpulse bench crash`, issue 11 item 12) runs a few
//! rounds on every backend in the test suite, so that it keeps working and
//! keeps finding nothing lost; `scripts/bench-crash.sh` runs 100 per backend.

mod common;

use common::{govpulse, stdout};
use govpulse_store::testing::TestDb;

#[tokio::test]
async fn killed_servers_lose_nothing_acknowledged() {
    for db in TestDb::all().await {
        let label = format!("{:?}", db.backend);
        let demo = govpulse(&["demo", "--cases", "0"], &db.url);
        assert!(demo.status.success(), "{label}");
        let run = govpulse(&["bench", "crash", "--rounds", "3", "--seed", "7"], &db.url);
        let printed = stdout(&run);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{label}: {printed} {}",
            String::from_utf8_lossy(&run.stderr)
        );
        // backend, kills, batches acknowledged, lost, half, …
        let row: Vec<&str> = printed
            .lines()
            .nth(2)
            .unwrap_or_default()
            .split('|')
            .map(str::trim)
            .collect();
        assert_eq!(row.get(2), Some(&"3"), "{label}: {printed}");
        assert!(
            row.get(3).and_then(|n| n.parse::<u32>().ok()) > Some(0),
            "{label}: nothing was acknowledged: {printed}"
        );
        assert_eq!(
            (row.get(4), row.get(5)),
            (Some(&"0"), Some(&"0")),
            "{label}: {printed}"
        );
        db.cleanup().await;
    }
}
