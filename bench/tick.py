"""What a tick costs: nothing due among many schedules (what every worker runs every ~5 s),
a batch of due slots, and the cron slot search for a few expressions.

Prints a table; asserts nothing. Needs the extension installed.
Usage: python bench/tick.py [dbname]   (default pgflow_bench_tick, recreated)
Sizes: BENCH_TICK_SCHEDULES (default 10000 schedules), BENCH_TICK_DUE (default 100).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import psycopg

DB = sys.argv[1] if len(sys.argv) > 1 else "pgflow_bench_tick"
SCHEDULES = int(os.environ.get("BENCH_TICK_SCHEDULES", "10000"))
DUE = int(os.environ.get("BENCH_TICK_DUE", "100"))
CALLS = 500


def timed(conn: psycopg.Connection[object], statement: str, calls: int = CALLS) -> tuple[float, float]:
    """Median and 95th percentile, in ms, of one statement sent `calls` times (round trip included)."""
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        conn.execute(statement).fetchall()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    with psycopg.connect("dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        admin.execute(f'CREATE DATABASE "{DB}"')
    rows: list[tuple[str, str]] = []
    with psycopg.connect(f"dbname={DB}", autocommit=True, prepare_threshold=0) as conn:
        conn.execute("CREATE EXTENSION pgflow")
        conn.execute("""SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}')""")
        conn.execute(
            "INSERT INTO pgflow.schedules (schedule_name, flow_slug, cron, next_slot) "
            "SELECT 's' || i, 'f', '0 3 * * *', now() + interval '1 hour' + i * interval '1 second' "
            "FROM generate_series(1, %s) AS i",
            [SCHEDULES],
        )
        conn.execute("ANALYZE pgflow.schedules")
        median, p95 = timed(conn, "SELECT count(*) FROM pgflow.tick()")
        rows.append((f"tick, nothing due among {SCHEDULES} schedules", f"{median:.3f} ms (p95 {p95:.3f})"))
        plan = conn.execute(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT s.* FROM pgflow.schedules AS s"
            " WHERE s.next_slot <= now() ORDER BY s.next_slot, s.schedule_name FOR UPDATE SKIP LOCKED"
        ).fetchall()
        scan = next(line for (line,) in plan if "Scan" in line).strip()
        buffers = next(line for (line,) in plan if "Buffers" in line).strip()
        rows.append(("  its query", f"{scan}; {buffers}"))
        conn.execute(
            "UPDATE pgflow.schedules SET next_slot = now() - interval '1 minute'"
            " WHERE schedule_name IN (SELECT 's' || i FROM generate_series(1, %s) AS i)",
            [DUE],
        )
        began = time.perf_counter()
        started = len(conn.execute("SELECT * FROM pgflow.tick()").fetchall())
        elapsed = (time.perf_counter() - began) * 1000
        rows.append(
            (f"tick with {DUE} slots due", f"{started} runs in {elapsed:.1f} ms ({elapsed / DUE:.2f} ms per run)")
        )
        for cron, zone in (
            ("0 3 * * *", "UTC"),
            ("*/5 9-17 * * mon-fri", "Europe/Berlin"),
            ("30 2 * * *", "America/New_York"),
            ("0 0 29 2 *", "UTC"),
        ):
            median, p95 = timed(conn, f"SELECT * FROM pgflow.cron_slots('{cron}', now(), '{zone}')", 200)
            rows.append((f"cron_slots('{cron}', {zone})", f"{median:.3f} ms (p95 {p95:.3f})"))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)}  figure")
    for name, figure in rows:
        print(f"{name.ljust(width)}  {figure}")


if __name__ == "__main__":
    main()
