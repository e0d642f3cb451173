//! Output: the Markdown tables for BENCHMARKS.md.

use std::sync::atomic::Ordering;

use super::{dashboard_only, lists_only, memory_kb, Report, LIST_CONNECTIONS};

pub(super) fn print(report: &Report) {
    if !lists_only() {
        print_dashboard(report);
    }
    if !dashboard_only() {
        print_lists(report);
    }
}

/// `0.42 ms`, `3.1 ms`, `250 ms`.
fn ms(value: f64) -> String {
    if value < 1.0 {
        format!("{value:.2} ms")
    } else if value < 100.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.0} ms")
    }
}

/// The tables of issue 10 (titles start with `Lists`: scripts/bench-dashboard.sh
/// puts them in a section of their own).
fn print_lists(report: &Report) {
    let (b, n) = (report.backend, report.cases);
    let l = &report.list_report;
    let r = &l.rows;
    println!("#### Lists (issue 10): rows per list");
    println!();
    println!("| backend | cases | consultations | evaluations | warnings | messages: city / chaoyang | items | departments | users | audit entries | export jobs | reconciliation rows | work orders | list rows added (SQL) | cube build |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {b} | {n} | {} | {} | {} | {} / {} | {} | {} | {} | {} | {} | {} | {} | {:.1} s | {:.1} s |",
        report.consultations,
        r.evaluations,
        report.warnings,
        r.messages.0,
        r.messages.1,
        r.items,
        r.departments,
        r.users,
        r.audit,
        r.exports,
        r.reconciliation,
        r.work_orders,
        r.seconds,
        report.build_s
    );
    println!();
    println!("#### Lists (issue 10): {LIST_CONNECTIONS} connections, wrk --timeout 2s");
    println!();
    println!("| backend | cases | request | user | URLs: first / page=2..10 / after= (deepest page) | seconds | requests | requests/s | % of GET /me | p50 | p90 | p99 | max | non-2xx | socket errors | timeouts |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let me_rps = l.me.as_ref().map_or(0.0, |m| m.rps);
    let rows =
        l.me.iter()
            .map(|m| ("GET /api/v1/me (ceiling)", "city", "–".to_string(), m));
    let lists = l.loads.iter().map(|x| {
        let urls = format!(
            "{} / {} / {} ({})",
            x.urls[0], x.urls[1], x.urls[2], x.deepest
        );
        (x.list, x.user, urls, &x.stats)
    });
    for (request, user, urls, w) in rows.chain(lists) {
        println!(
            "| {b} | {n} | {request} | {user} | {urls} | {} | {} | {:.0} | {:.0} % | {} | {} | {} | {} | {} | {} | {} |",
            l.seconds,
            w.requests,
            w.rps,
            100.0 * w.rps / me_rps.max(1e-9),
            ms(w.p50),
            ms(w.p90),
            ms(w.p99),
            ms(w.max),
            w.non_2xx,
            w.socket,
            w.timeouts
        );
    }
    println!();
    println!("#### Lists (issue 10): single requests (one client, first page = 20 rows, default sort, no filter)");
    println!();
    println!("| backend | cases | list | user | total | first page, cold | first page, warm (median of 5) | after= pages 2..N: median (N) | page=10 (median of 3) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for s in &l.singles {
        let cursor = s.cursor.map_or("– (one page)".to_string(), |(m, deepest)| {
            format!("{} ({deepest})", ms(m))
        });
        println!(
            "| {b} | {n} | {} | {} | {}{} | {} | {} | {cursor} | {} |",
            s.list,
            s.user,
            s.total,
            if s.exact { "" } else { "+" },
            ms(s.cold_ms),
            ms(s.warm_ms),
            ms(s.offset_ms)
        );
    }
    println!();
}

fn print_dashboard(report: &Report) {
    let b = report.backend;
    let n = report.cases;
    println!("#### Dashboard: data and cube");
    println!();
    println!("| backend | cases | consultations | warnings | unread messages (city user) | generate (SQL) | rows/s | ANALYZE | database | cube build | cube cells: cases / consultations / warnings | cube heap (est.) | anon RSS after build | peak anon RSS | peak RSS incl. mapped database |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let rows = report.cases + report.consultations + report.warnings;
    println!(
        "| {b} | {} | {} | {} | {} | {:.1} s | {:.0} | {:.1} s | {:.0} MB | {:.1} s | {} / {} / {} | {:.0} MB | {} MB | {} MB | {} MB |",
        report.cases,
        report.consultations,
        report.warnings,
        report.unread_city,
        report.generate_s,
        rows as f64 / report.generate_s.max(1e-9),
        report.analyze_s,
        report.database_mb,
        report.build_s,
        report.cells[0],
        report.cells[1],
        report.cells[2],
        report.cube_mb,
        report.anon_after_build_mb,
        report.peak_anon_mb.load(Ordering::Relaxed) / 1024,
        memory_kb("VmHWM:") / 1024,
    );
    println!();
    println!("#### Dashboard: overview in process (cube) vs GROUP BY on the database");
    println!();
    println!("| backend | cases | period and scope | cases in period | cube overview (median of 15) | SQL GROUP BY, cases only (5 queries) | SQL ÷ cube |");
    println!("|---|---|---|---|---|---|---|");
    for c in &report.in_process {
        let check = if c.sql_cases == c.cases as i64 {
            String::new()
        } else {
            format!(" (SQL counts {})", c.sql_cases)
        };
        println!(
            "| {b} | {n} | {} | {}{check} | {:.2} ms | {:.0} ms | {:.0}× |",
            c.label,
            c.cases,
            c.cube_ms,
            c.sql_ms,
            c.sql_ms / c.cube_ms.max(1e-9)
        );
    }
    println!(
        "| {b} | {n} | random filter mix of the HTTP load, city (2,000 queries): mean, p99; mean by period {} | – | {:.2} ms, {:.2} ms | – | – |",
        report.mix.2, report.mix.0, report.mix.1
    );
    println!();
    println!("#### Dashboard: parts of one overview request, city user (in process, median of 5)");
    println!();
    println!("| backend | cases | part | time |");
    println!("|---|---|---|---|");
    for (label, ms) in &report.parts {
        println!("| {b} | {n} | {label} | {ms:.2} ms |");
    }
    println!();
    println!(
        "#### Dashboard: change → figures (a batch of case events through the intake pipeline)"
    );
    println!();
    println!("| backend | cases | batch | events | intake (pipeline, commit) | cube refresh | change → figures | partitions logged | completed + |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (i, r) in report.refresh.iter().enumerate() {
        println!(
            "| {b} | {n} | {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {} | {} |",
            i + 1,
            r.events,
            r.intake_ms,
            r.refresh_ms,
            r.intake_ms + r.refresh_ms,
            r.partitions,
            r.completed_delta
        );
    }
    println!();
    println!("#### Dashboard: HTTP (in-process server, loopback)");
    println!();
    println!("| backend | cases | request | concurrency | requests | requests/s | p50 | p95 | p99 | max | errors | p99 by period (ms) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for l in &report.loads {
        let p95 = if l.p95 > 0.0 {
            format!("{:.0} ms", l.p95)
        } else {
            "–".to_string()
        };
        println!(
            "| {b} | {n} | {} | {} | {} | {:.0} | {:.0} ms | {p95} | {:.0} ms | {:.0} ms | {} | {} |",
            l.name,
            l.concurrency,
            l.requests,
            l.requests as f64 / l.seconds.max(1e-9),
            l.p50,
            l.p99,
            l.max,
            l.errors,
            if l.by_class.is_empty() { "–" } else { &l.by_class },
        );
    }
    println!();
    println!("#### Dashboard: single requests (one client)");
    println!();
    println!("| backend | cases | request | rows matched | median |");
    println!("|---|---|---|---|---|");
    println!(
        "| {b} | {n} | hot words, 30 d, cold (segments every question) | {} questions | {:.0} ms |",
        report.questions_30d, report.hotwords_cold_ms
    );
    for (label, total, ms) in &report.lists {
        println!("| {b} | {n} | GET /cases, {label} | {total} | {ms:.1} ms |");
    }
    println!();
    let cube: Vec<String> = report
        .in_process
        .iter()
        .map(|c| format!("{:.3}", c.cube_ms))
        .collect();
    println!("cube-overview-ms: {}", cube.join(","));
}
