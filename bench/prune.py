"""Benchmark (14) of `make bench`: pruning finished history, by partition vs by DELETE.

The same generated history (bench.make_history: finished 3-step runs started over
the 30 days before a day ago) in each layout bench.layouts() offers, then
prune(interval '1 day', 10000) called until it returns 0. Measured: the prune's
time, the WAL written meanwhile, the sizes of runs/step_states/step_tasks (their
whole partition trees) before and after, and what a worker sees during the prune:
one process doing claim_tasks(1) + complete_task on live runs of another flow,
its claims/s and p99 claim latency during the prune vs the seconds before it.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from typing import Any

import bench

LIVE_SLUG = "bench_live"
TABLES = ("pgflow.runs", "pgflow.step_states", "pgflow.step_tasks")


def live_worker(dsn: str, stop: Any, results: Any) -> None:
    """Claims one task at a time of LIVE_SLUG and completes it; starts more live
    runs (untimed) when none is queued. Reports (claim start, claim ms) pairs."""
    conn = bench.connect(dsn)
    claims: list[tuple[float, float]] = []
    while not stop.is_set():
        t0 = time.perf_counter()
        tasks = conn.execute(
            "SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks('live', 1, %s)", ([LIVE_SLUG],)
        ).fetchall()
        ms = (time.perf_counter() - t0) * 1000
        if not tasks:
            conn.execute("SELECT count(pgflow.start_flow(%s, '{}'::jsonb)) FROM generate_series(1, 100)", (LIVE_SLUG,))
            continue
        claims.append((t0, ms))
        for run_id, step_slug, task_index, attempt in tasks:
            conn.execute(bench.COMPLETE, (run_id, step_slug, "{}", task_index, attempt))
    conn.close()
    results.put(claims)


def sizes() -> dict[str, tuple[int, int]]:
    with bench.connect() as conn:
        return {t: bench.tree_size(conn, t) for t in TABLES}


def wal_lsn() -> str:
    with bench.connect() as conn:
        return str(conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0])


def wal_bytes(since: str) -> int:
    with bench.connect() as conn:
        return int(conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", (since,)).fetchone()[0])


def window(claims: list[tuple[float, float]], start: float, end: float) -> tuple[float, float, int]:
    """(claims/s, p99 claim ms, claims) of the claims started in [start, end)."""
    ms = [c for t, c in claims if start <= t < end]
    if not ms:
        return 0.0, float("nan"), 0
    return len(ms) / (end - start), bench.pct(ms, 0.99), len(ms)


def prune_layout(layout: str) -> dict[str, Any]:
    bench.setup_layout(layout)
    with bench.connect() as conn:
        conn.execute("SELECT pgflow.define_flow(%s::jsonb)", (json.dumps({"slug": LIVE_SLUG, "steps": bench.CHAIN}),))
    gen = bench.make_history(bench.SIZES["prune_tasks"])
    with bench.connect() as conn:
        conn.execute("CHECKPOINT")
        history_tasks = conn.execute("SELECT count(*) FROM pgflow.step_tasks").fetchone()[0]
    before = sizes()
    bench.log(f"(14) {layout}: generated {history_tasks:,} finished tasks in {gen:.1f} s")

    ctx = mp.get_context("fork")
    stop = ctx.Event()
    results = ctx.Queue()
    proc = ctx.Process(target=live_worker, args=(bench.DSN, stop, results))
    proc.start()
    time.sleep(1)  # connected, first live runs started
    quiet_start = time.perf_counter()
    quiet_lsn = wal_lsn()
    time.sleep(bench.SIZES["prune_window"])
    quiet_wal = wal_bytes(quiet_lsn)
    prune_lsn = wal_lsn()
    calls, removed = 0, 0
    t0 = time.perf_counter()
    with bench.connect() as conn:
        while True:
            n = conn.execute("SELECT pgflow.prune(interval '1 day', 10000)").fetchone()[0]
            calls += 1
            removed += n
            if n == 0:
                break
    t1 = time.perf_counter()
    wal = wal_bytes(prune_lsn)
    stop.set()
    claims = results.get(timeout=120)
    proc.join()
    with bench.connect() as conn:
        left = conn.execute("SELECT count(*) FROM pgflow.step_tasks WHERE worker_id = 'history'").fetchone()[0]
    after = sizes()
    quiet = window(claims, quiet_start, t0)
    during = window(claims, t0, t1)
    res = {
        "layout": layout,
        "gen": gen,
        "seconds": t1 - t0,
        "calls": calls,
        "removed": removed,
        "left": left,
        "wal": wal,
        "live_wal_per_s": quiet_wal / (t0 - quiet_start),
        "before": before,
        "after": after,
        "quiet": quiet,
        "during": during,
    }
    bench.log(
        f"(14) {layout}: prune {t1 - t0:.1f} s in {calls} calls, {removed:,} rows, WAL {bench.mb(wal)}; "
        f"claims/s {quiet[0]:.0f} -> {during[0]:.0f}, p99 {quiet[1]:.2f} -> {during[1]:.2f} ms"
    )
    return res


def bench_prune() -> None:
    res = [prune_layout(layout) for layout in bench.layouts()]
    bench.setup()  # the benchmarks after this one run on a fresh plain layout
    bench.FIGURES["prune"] = res


def report_prune() -> None:
    res = bench.FIGURES.get("prune")
    if not res:
        return
    n = bench.SIZES["prune_tasks"]
    t = bench.Table(
        f"(14) Prune {n:,} finished tasks: by partition vs by DELETE",
        [
            "layout",
            "prune (s)",
            "prune calls",
            "rows removed",
            "history tasks left",
            "WAL during prune",
            "... of it the live worker's (est.)",
            *[f"{t.removeprefix('pgflow.')} table+indexes before -> after" for t in TABLES],
            "claims/s before -> during",
            "p99 claim ms before -> during",
        ],
        note=(
            f"The same history in each layout ({n:,} finished tasks: 3-step runs started over the 30 days "
            "before a day ago; 'partitioned' / 'partitioned-weekly' = after pgflow.partition_history('1 day' / "
            "'7 days') and "
            "_make_history_partitions(now() - 40 days, now()), time-ordered run ids), then "
            "pgflow.prune(interval '1 day', 10000) until it returns 0. Sizes: pg_table_size + pg_indexes_size "
            "over the table's pg_partition_tree, right after the prune (no VACUUM). WAL: pg_wal_lsn_diff over "
            "the prune, which includes the live worker's; its share is its WAL rate in the seconds before "
            "times the prune's duration. Live worker: one process, claim_tasks(1) + complete_task on runs of "
            f"another flow; 'before' = the {bench.SIZES['prune_window']} s before the prune."
        ),
    )
    for r in res:
        cells = []
        for table in TABLES:
            b, a = r["before"][table], r["after"][table]
            cells.append(f"{bench.mb(b[0])}+{bench.mb(b[1])} -> {bench.mb(a[0])}+{bench.mb(a[1])}")
        t.add(
            r["layout"],
            bench.fmt(r["seconds"]),
            r["calls"],
            f"{r['removed']:,}",
            f"{r['left']:,}",
            bench.mb(r["wal"]),
            bench.mb(r["live_wal_per_s"] * r["seconds"]),
            *cells,
            f"{bench.fmt(r['quiet'][0])} -> {bench.fmt(r['during'][0])}",
            f"{bench.fmt(r['quiet'][1])} -> {bench.fmt(r['during'][1])}",
        )
    bench.show(t)
