//! wrk on loopback: a Lua script drawing each request from weighted groups of
//! `(path, cookie)`, and the figures of its report.

use anyhow::ensure;
use std::sync::atomic::{AtomicUsize, Ordering};

pub(super) fn wrk_installed() -> bool {
    std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok()
}

/// What one wrk run measured. Latencies in ms; requests that timed out are
/// counted in `timeouts`, not in the latencies.
#[derive(Debug, Default, Clone)]
pub(super) struct WrkStats {
    pub(super) requests: usize,
    pub(super) rps: f64,
    pub(super) p50: f64,
    pub(super) p75: f64,
    pub(super) p90: f64,
    pub(super) p99: f64,
    pub(super) max: f64,
    pub(super) non_2xx: usize,
    /// Connect, read and write errors.
    pub(super) socket: usize,
    pub(super) timeouts: usize,
}

/// Requests for wrk: groups of `(path, cookie)` with the share of requests
/// each group gets (a request picks a group by share, then one of its entries
/// at random). Empty groups are left out and the shares renormalised.
pub(super) type WrkGroups = Vec<(f64, Vec<(String, String)>)>;

/// wrk (2 threads, `connections` connections, `seconds`, `--timeout`
/// `timeout_s` seconds) against `base` with a Lua script drawing from `groups`.
pub(super) async fn wrk(
    base: &str,
    groups: WrkGroups,
    connections: usize,
    seconds: f64,
    timeout_s: u64,
) -> anyhow::Result<WrkStats> {
    let groups: WrkGroups = groups.into_iter().filter(|g| !g.1.is_empty()).collect();
    ensure!(!groups.is_empty(), "wrk: no requests");
    let sum: f64 = groups.iter().map(|g| g.0).sum();
    let mut lua = String::from("local groups = {\n");
    for (share, requests) in &groups {
        lua.push_str(&format!("  {{{}, {{\n", share / sum));
        for (path, cookie) in requests {
            lua.push_str(&format!("    {{{path:?}, {cookie:?}}},\n"));
        }
        lua.push_str("  }},\n");
    }
    lua.push_str(
        "}\nrequest = function()\n  local r = math.random()\n  local g = groups[#groups][2]\n  for _, group in ipairs(groups) do\n    if r < group[1] then g = group[2]; break end\n    r = r - group[1]\n  end\n  local q = g[math.random(#g)]\n  return wrk.format(\"GET\", q[1], {[\"Cookie\"] = q[2]})\nend\n",
    );
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let script = std::env::temp_dir().join(format!(
        "govpulse-bench-{}-{}.lua",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&script, lua)?;
    let args = vec![
        "-t2".to_string(),
        format!("-c{connections}"),
        format!("-d{}s", seconds.round().max(1.0) as u64),
        "--timeout".to_string(),
        format!("{timeout_s}s"),
        "--latency".to_string(),
        "-s".to_string(),
        script.display().to_string(),
        base.to_string(),
    ];
    let output =
        tokio::task::spawn_blocking(move || std::process::Command::new("wrk").args(&args).output())
            .await??;
    let _ = std::fs::remove_file(&script);
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    ensure!(output.status.success(), "wrk failed: {text}");
    Ok(parse_wrk(&text))
}

/// Milliseconds of a wrk duration (`850.12us`, `12.3ms`, `1.2s`, `1.1m`).
fn wrk_ms(text: &str) -> f64 {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let value: f64 = text[..split].parse().unwrap_or(0.0);
    match &text[split..] {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        "m" => value * 60_000.0,
        _ => value,
    }
}

fn parse_wrk(text: &str) -> WrkStats {
    let line = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix) && !l.contains("Distribution"))
    };
    let field = |prefix: &str, index: usize| -> Option<String> {
        line(prefix).and_then(|l| l.split_whitespace().nth(index).map(String::from))
    };
    let percent = |p: &str| field(p, 1).map_or(0.0, |v| wrk_ms(&v));
    // `Socket errors: connect 0, read 0, write 0, timeout 12`
    let socket = |kind: &str| -> usize {
        line("Socket errors")
            .and_then(|l| l.split(kind).nth(1))
            .and_then(|rest| rest.trim_start().split(',').next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    WrkStats {
        requests: text
            .lines()
            .find(|l| l.contains("requests in"))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        rps: field("Requests/sec:", 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0),
        p50: percent("50%"),
        p75: percent("75%"),
        p90: percent("90%"),
        p99: percent("99%"),
        max: field("Latency", 3).map_or(0.0, |v| wrk_ms(&v)),
        non_2xx: field("Non-2xx", 4)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        socket: socket("connect ") + socket("read ") + socket("write "),
        timeouts: socket("timeout "),
    }
}
