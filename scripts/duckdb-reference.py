#!/usr/bin/env python3
"""DuckDB reference for `govpulse bench dashboard`.

Runs the dashboard overview's case figures — totals (cases, accepted, completed,
on time, overdue), by district (or by region inside one district), the top 20
departments, the top 10 items and the trend (daily up to 62 days, else monthly)
— on the same case rows, exported as CSV, for 30 and 365 days, city-wide and for
one district, and prints a Markdown table with the median time of the five
queries and the ratio govpulse cube ÷ DuckDB.

    scripts/duckdb-reference.py cases.csv --govpulse-ms 2.1,24.4,0.3,14.2

The CSV has a header and the columns district_code, region_code,
department_code, item_code, applicant_type, day (local day number, UTC+8),
status, overdue (0/1), accepted (0/1); scripts/bench-dashboard.sh writes it with
the sqlite3 shell. Needs the `duckdb` package (pip install duckdb).
"""

import argparse
import statistics
import time

import duckdb

COLUMNS = {
    "district_code": "VARCHAR",
    "region_code": "VARCHAR",
    "department_code": "VARCHAR",
    "item_code": "VARCHAR",
    "applicant_type": "VARCHAR",
    "day": "INTEGER",
    "status": "VARCHAR",
    "overdue": "INTEGER",
    "accepted": "INTEGER",
}

SUMS = """COUNT(*) AS cases, SUM(accepted) AS accepted,
    SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
    SUM(CASE WHEN status = 'completed' AND overdue = 0 THEN 1 ELSE 0 END) AS on_time,
    SUM(overdue) AS overdue"""

# The same four queries, in the same order, as `govpulse bench dashboard`
# prints them (`cube-overview-ms:`).
COMBOS = [
    ("30 d, city", 30, False),
    ("365 d, city", 365, False),
    ("30 d, one district", 30, True),
    ("365 d, one district", 365, True),
]


def overview(first_day, last_day, district):
    where = f"day BETWEEN {first_day} AND {last_day}"
    if district:
        where += f" AND district_code = '{district}'"
    group = "region_code" if district else "district_code"
    if last_day - first_day + 1 <= 62:
        bucket = "day"
    else:
        bucket = "strftime(DATE '1970-01-01' + day, '%Y-%m')"
    return [
        f"SELECT {SUMS} FROM cases WHERE {where}",
        f"SELECT {group}, {SUMS} FROM cases WHERE {where} GROUP BY {group}",
        f"SELECT department_code, {SUMS} FROM cases WHERE {where} GROUP BY department_code ORDER BY 2 DESC LIMIT 20",
        f"SELECT item_code, {SUMS} FROM cases WHERE {where} GROUP BY item_code ORDER BY 2 DESC LIMIT 10",
        f"SELECT {bucket} AS bucket, {SUMS} FROM cases WHERE {where} GROUP BY bucket",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="the exported case rows")
    parser.add_argument("--backend", default="SQLite", help="where the rows came from (table label)")
    parser.add_argument("--last-day", type=int, help="local day number the periods end on (default: today, UTC+8)")
    parser.add_argument("--district", default="110105", help="the district of the one-district queries")
    parser.add_argument("--govpulse-ms", default="", help="the cube's times for the four queries, comma-separated")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query set (after one warm-up)")
    args = parser.parse_args()

    last_day = args.last_day or (int(time.time() * 1000) + 8 * 3_600_000) // 86_400_000
    cube = [float(v) for v in args.govpulse_ms.split(",") if v.strip()]

    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    started = time.perf_counter()
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    con.execute(f"CREATE TABLE cases AS SELECT * FROM read_csv(?, header = true, columns = {columns})", [args.csv])
    load_s = time.perf_counter() - started
    rows = con.execute("SELECT COUNT(*) FROM cases").fetchone()[0]

    print(f"#### Dashboard: DuckDB {duckdb.__version__} reference (in memory, {threads} threads, cases only)")
    print()
    print("| source | cases | period and scope | cases in period | DuckDB, 5 queries (median) | govpulse cube overview | cube ÷ DuckDB |")
    print("|---|---|---|---|---|---|---|")
    for i, (label, days, one_district) in enumerate(COMBOS):
        queries = overview(last_day - days + 1, last_day, args.district if one_district else None)
        for query in queries:
            con.execute(query).fetchall()
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            for query in queries:
                con.execute(query).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
        duck_ms = statistics.median(samples)
        in_period = con.execute(queries[0]).fetchone()[0]
        if i < len(cube):
            govpulse = f"{cube[i]:.2f} ms"
            ratio = f"{cube[i] / duck_ms:.3f}"
        else:
            govpulse, ratio = "–", "–"
        print(
            f"| {args.backend} rows as CSV (load {load_s:.1f} s) | {rows} | {label} | {in_period} "
            f"| {duck_ms:.1f} ms | {govpulse} | {ratio} |"
        )
    print()


if __name__ == "__main__":
    main()
