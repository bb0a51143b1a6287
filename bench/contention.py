"""Benchmark (10) of `make bench`: the regimes of issue 11 (fast under contention).

Each regime is measured in the same run as `pgbench -N` at the same client count,
and every throughput is also printed as a fraction of it. The NOTIFY lock wait
share is sampled from pg_stat_activity (wait event Lock/object: the lock a
committing transaction that called pg_notify takes, cluster-wide) while the
regime runs. Runs against whatever pgflow is installed: features an older
engine lacks (limit keys, watch_run) are left out of its table and said so.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
import threading
import time
from typing import Any

import psycopg

import bench

CHAIN_SLUG = "bench_chain"
BACKLOG_SLUG = "bench_backlog"


def has_function(name: str) -> bool:
    with bench.connect() as conn:
        return bool(
            conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = %s AND pronamespace = 'pgflow'::regnamespace)",
                (name,),
            ).fetchone()[0]
        )


def has_argument(function: str, argument: str) -> bool:
    with bench.connect() as conn:
        return bool(
            conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = %s AND pronamespace = 'pgflow'::regnamespace"
                " AND %s = ANY (proargnames))",
                (function, argument),
            ).fetchone()[0]
        )


class WaitSampler:
    """Samples the wait events of this database's active backends every ~2 ms."""

    def __init__(self) -> None:
        self.samples = 0
        self.notify_waits = 0
        self.lock_waits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with bench.connect() as conn:
            while not self._stop.is_set():
                row = conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'object'),"
                    " count(*) FILTER (WHERE wait_event_type = 'Lock')"
                    " FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchone()
                self.samples += row[0]
                self.notify_waits += row[1]
                self.lock_waits += row[2]
                time.sleep(0.002)

    def __enter__(self) -> WaitSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def share(self) -> str:
        if not self.samples:
            return "no samples"
        notify, locks = 100 * self.notify_waits / self.samples, 100 * self.lock_waits / self.samples
        return f"{notify:.1f}% (all lock waits {locks:.1f}%)"


def pgbench_tps(clients: int) -> float:
    got = bench.FIGURES.get("pgbench", {}).get(clients)
    if got:
        return bench.med(got)
    bench.bench_pgbench()
    return bench.med(bench.FIGURES["pgbench"][clients])


def claimer(dsn: str, flow_slugs: list[str] | None, total: int, done: Any, go: Any, batch: int) -> None:
    """Claim `batch` tasks of flow_slugs, complete each in its own transaction, until total are done."""
    conn = bench.connect(dsn)
    claim = "SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks(%s, %s, %s)"
    go.wait()
    while done.value < total:
        tasks = conn.execute(claim, ("c", batch, flow_slugs)).fetchall()
        if not tasks:
            time.sleep(0.001)
            continue
        for run_id, step, idx, att in tasks:
            conn.execute(bench.COMPLETE, (run_id, step, "{}", idx, att))
        with done.get_lock():
            done.value += len(tasks)
    conn.close()


def drain_flow(flow: str, runs: int, workers: int = 4, batch: int = 10) -> float:
    """Start `runs` chain runs of `flow` and drain them with W claimers filtered to it; tasks/s."""
    with bench.connect() as conn:
        bench.start_runs(conn, flow, runs)
    ctx = mp.get_context("fork")
    done, go = ctx.Value("i", 0), ctx.Event()
    procs = [ctx.Process(target=claimer, args=(bench.DSN, [flow], 3 * runs, done, go, batch)) for _ in range(workers)]
    for p in procs:
        p.start()
    time.sleep(0.3)
    t0 = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
    return 3 * runs / (time.perf_counter() - t0)


def make_backlog(flow: str, tasks: int, input_sql: str = "'{}'::jsonb") -> None:
    """`tasks` queued root tasks of a one-step flow, inserted by start_flows in batches."""
    with bench.connect() as conn:
        conn.execute(
            "SELECT count(*) FROM (SELECT pgflow.start_flow(%s, " + input_sql + ") FROM generate_series(1, %s) AS g) x",
            (flow, tasks),
        )
        conn.execute("ANALYZE pgflow.runs, pgflow.step_states, pgflow.step_tasks")


def define(document: dict[str, Any]) -> None:
    with bench.connect() as conn:
        conn.execute("SELECT pgflow.define_flow(%s::jsonb)", (json.dumps(document),))


def clear_flow(flow: str) -> None:
    with bench.connect() as conn:
        conn.execute("DELETE FROM pgflow.runs WHERE flow_slug = %s", (flow,))
        conn.execute("VACUUM ANALYZE pgflow.runs, pgflow.step_states, pgflow.step_tasks")


def claims_per_second(flow: str, seconds: float, complete: bool = True) -> float:
    """One connection claiming 1 task of `flow` at a time (and completing it) for `seconds`."""
    claim = "SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks(%s, 1, %s)"
    n = 0
    with bench.connect() as conn:
        conn.execute(claim, ("probe", [flow])).fetchall()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            rows = conn.execute(claim, ("probe", [flow])).fetchall()
            for run_id, step, idx, att in rows:
                if complete:
                    conn.execute(bench.COMPLETE, (run_id, step, "{}", idx, att))
            n += 1
        return n / (time.perf_counter() - t0)


# -- the regimes ----------------------------------------------------------------------


def regime_complete_vs_pgbench() -> dict[str, Any]:
    runs = bench.SIZES["drain_runs"]
    with bench.connect() as conn:
        bench.reset_runs(conn)
    with WaitSampler() as sampler:
        tps = drain_flow(CHAIN_SLUG, runs, 4, 10)
    pgb = pgbench_tps(4)
    return {"tasks/s": tps, "pgbench": pgb, "ratio": tps / pgb, "notify": sampler.share()}


def python_workers_live_vs_prestarted() -> dict[str, Any]:
    """1,000 runs started one per transaction while 4 Python worker processes wait,
    vs the same 4 processes draining 1,000 runs started beforehand; and the
    producer's time for its starts with 4 idle workers vs none."""
    n = 300 if bench.QUICK else 1000
    out: dict[str, Any] = {}
    env = bench.e2e_env(str(bench.REPO / "python_client" / "src"))
    cli = [sys.executable, "-m", "pgflow.cli"]
    subprocess.run([*cli, "deploy", "bench_flows:chain"], env=env, check=True, capture_output=True)
    with bench.connect() as conn:
        bench.reset_runs(conn)
        t0 = time.perf_counter()
        for _ in range(n):
            conn.execute("SELECT 1 FROM pgflow.start_flow('bench_e2e', '{}'::jsonb)")
        out["producer_alone_s"] = time.perf_counter() - t0
        bench.reset_runs(conn)
    procs = bench.start_python_workers(env, 4)
    try:
        with bench.connect() as conn:
            bench.reset_runs(conn)
            time.sleep(0.5)  # the workers are idle again
            with WaitSampler() as sampler:
                t0 = time.perf_counter()
                for _ in range(n):
                    conn.execute("SELECT 1 FROM pgflow.start_flow('bench_e2e', '{}'::jsonb)")
                out["producer_live_s"] = time.perf_counter() - t0
                out["live_wf_s"] = n / wait_all(conn, n, t0)
            out["live_notify"] = sampler.share()
            bench.reset_runs(conn)
            time.sleep(0.5)
            with conn.transaction():
                conn.execute("SELECT count(pgflow.start_flow('bench_e2e', '{}')) FROM generate_series(1, %s)", (n,))
            t0 = time.perf_counter()
            out["prestarted_wf_s"] = n / wait_all(conn, n, t0)
            bench.reset_runs(conn)
    finally:
        bench.stop_python_workers(procs)
    out["n"] = n
    return out


def wait_all(conn: psycopg.Connection[Any], n: int, t0: float) -> float:
    """Seconds from t0 until n bench_e2e runs are completed (polled every 5 ms)."""
    deadline = time.time() + 300
    while time.time() < deadline:
        done = conn.execute(
            "SELECT count(*) FROM pgflow.runs WHERE flow_slug = 'bench_e2e' AND status = 'completed'"
        ).fetchone()[0]
        if done >= n:
            return time.perf_counter() - t0
        time.sleep(0.005)
    raise RuntimeError("e2e runs did not complete")


def python_worker_latency() -> list[float]:
    """One 3-step run at a time through one warm Python worker: started_at -> finished_at (server clock)."""
    env = bench.e2e_env(str(bench.REPO / "python_client" / "src"))
    procs = bench.start_python_workers(env, 1)
    lat = []
    try:
        with bench.connect() as conn:
            bench.reset_runs(conn)
            for _ in range(40 if bench.QUICK else 150):
                run_id = conn.execute("SELECT run_id FROM pgflow.start_flow('bench_e2e', '{}'::jsonb)").fetchone()[0]
                deadline = time.time() + 10
                while time.time() < deadline:
                    row = conn.execute(
                        "SELECT extract(epoch FROM finished_at - started_at) * 1000 FROM pgflow.runs"
                        " WHERE run_id = %s AND status = 'completed'",
                        (run_id,),
                    ).fetchone()
                    if row:
                        lat.append(float(row[0]))
                        break
                    time.sleep(0.002)
                time.sleep(0.02)  # the worker goes idle again
    finally:
        bench.stop_python_workers(procs)
    return lat[5:]  # warm


def regime_backlog() -> dict[str, Any]:
    size = 20_000 if bench.QUICK else 100_000
    runs = bench.SIZES["drain_runs"]
    define({"slug": BACKLOG_SLUG, "steps": [{"slug": "x"}]})
    clear_flow(BACKLOG_SLUG)
    with bench.connect() as conn:
        bench.reset_runs(conn)
    plain = [drain_flow(CHAIN_SLUG, runs) for _ in range(bench.SIZES["reps"])]
    make_backlog(BACKLOG_SLUG, size)
    # The backlog is older than the drained runs: a claim index in available_at order reads it first.
    with bench.connect() as conn:
        conn.execute(
            "UPDATE pgflow.step_tasks SET available_at = available_at - interval '1 hour' WHERE flow_slug = %s",
            (BACKLOG_SLUG,),
        )
        conn.execute("VACUUM ANALYZE pgflow.step_tasks")
    backed = [drain_flow(CHAIN_SLUG, runs) for _ in range(bench.SIZES["reps"])]
    clear_flow(BACKLOG_SLUG)
    return {"size": size, "plain": plain, "backed": backed, "ratio": bench.med(backed) / bench.med(plain)}


def regime_unrelated_limit() -> dict[str, Any]:
    seconds = 2.0 if bench.QUICK else 5.0
    runs = 3000 if bench.QUICK else 10000
    with bench.connect() as conn:
        bench.reset_runs(conn)
        bench.start_runs(conn, CHAIN_SLUG, runs)
    # Alternated, so that the queue's own aging (dead rows of claimed tasks) does not favour either.
    free, limited = [], []
    for _ in range(2):
        define({"slug": "bench_limited", "steps": [{"slug": "x"}]})
        free.append(claims_per_second(CHAIN_SLUG, seconds / 2))
        define({"slug": "bench_limited", "max_concurrency": 5, "steps": [{"slug": "x", "max_concurrency": 2}]})
        limited.append(claims_per_second(CHAIN_SLUG, seconds / 2))
    define({"slug": "bench_limited", "steps": [{"slug": "x"}]})
    return {"free": bench.med(free), "limited": bench.med(limited), "ratio": bench.med(limited) / bench.med(free)}


def regime_limited_keys() -> dict[str, Any]:
    """Claims/s (claim 1 + complete) of a one-step flow with max_concurrency 2 and 0 / 1 / 1,000 key values."""
    if not has_argument("create_flow", "limit_key"):
        return {"skipped": "the installed engine has no limit_key"}
    seconds = 2.0 if bench.QUICK else 5.0
    tasks = 3000 if bench.QUICK else 10000
    out: dict[str, float] = {}
    for label, document, input_sql in [
        ("no limit", {"slug": "bench_keys", "steps": [{"slug": "x"}]}, "'{}'::jsonb"),
        (
            "max_concurrency 2, no key",
            {"slug": "bench_keys", "steps": [{"slug": "x", "max_concurrency": 2}]},
            "'{}'::jsonb",
        ),
        (
            "max_concurrency 2 per key, 1 key",
            {"slug": "bench_keys", "limit_key": "customer", "max_concurrency": 2, "steps": [{"slug": "x"}]},
            "'{\"customer\": 1}'::jsonb",
        ),
        (
            "max_concurrency 2 per key, 1,000 keys",
            {"slug": "bench_keys", "limit_key": "customer", "max_concurrency": 2, "steps": [{"slug": "x"}]},
            "jsonb_build_object('customer', g %% 1000)",
        ),
    ]:
        clear_flow("bench_keys")
        define(document)
        make_backlog("bench_keys", tasks, input_sql)
        out[label] = claims_per_second("bench_keys", seconds)
        bench.log(f"(10) claims/s, {label}: {out[label]:.0f}")
    clear_flow("bench_keys")
    return out


def regime_fairness() -> dict[str, Any]:
    """A keyed flow (max_concurrency 2 per customer) with a backlog of one customer;
    then one task of a new customer: claims of 1 (each completed) until it is handed out."""
    if not has_argument("create_flow", "limit_key"):
        return {"skipped": "the installed engine has no limit_key"}
    size = 20_000 if bench.QUICK else 100_000
    define({"slug": "bench_fair", "limit_key": "customer", "max_concurrency": 2, "steps": [{"slug": "x"}]})
    clear_flow("bench_fair")
    make_backlog("bench_fair", size, '\'{"customer": "big"}\'::jsonb')
    claim = "SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks(%s, 1, %s)"
    with bench.connect() as conn:
        new_run = conn.execute(
            "SELECT run_id FROM pgflow.start_flow('bench_fair', '{\"customer\": \"new\"}'::jsonb)"
        ).fetchone()[0]
        claims = 0
        t0 = time.perf_counter()
        while claims < 10_000:
            rows = conn.execute(claim, ("fair", ["bench_fair"])).fetchall()
            claims += 1
            if any(r[0] == new_run for r in rows):
                break
            for run_id, step, idx, att in rows:
                conn.execute(bench.COMPLETE, (run_id, step, "{}", idx, att))
        ms = (time.perf_counter() - t0) * 1000
    clear_flow("bench_fair")
    return {"size": size, "claims": claims, "ms": ms}


def bench_contention() -> None:
    results: dict[str, Any] = {}
    for name, fn in [
        ("complete", regime_complete_vs_pgbench),
        ("backlog", regime_backlog),
        ("unrelated_limit", regime_unrelated_limit),
        ("keys", regime_limited_keys),
        ("fairness", regime_fairness),
        ("live", python_workers_live_vs_prestarted),
        ("latency", python_worker_latency),
    ]:
        try:
            results[name] = fn()
        except Exception as error:  # a regime that cannot run on this engine says so in the table
            results[name] = {"skipped": f"{type(error).__name__}: {str(error).strip()[:200]}"}
        bench.log(f"(10) {name}: {results[name] if name != 'latency' else 'done'}")
    bench.FIGURES["contention"] = results


def report_contention() -> None:
    res = bench.FIGURES.get("contention")
    if not res:
        return
    pgb4 = pgbench_tps(4)
    t = bench.Table(
        "(10) Issue 11 regimes: under contention",
        ["regime", "figure", "as fraction", "bar", "NOTIFY lock wait share"],
        note=(
            f"pgbench -N -c 4 in this run: {pgb4:,.0f} tps. NOTIFY lock wait share: of the samples of active "
            "client backends of the bench database (every ~2 ms), those waiting on Lock/object (the "
            "cluster-wide lock a committing transaction that notified takes); all lock waits in brackets."
        ),
    )
    c = res.get("complete", {})
    if "tasks/s" in c:
        t.add(
            "per-task complete_task, 4 connections (claim 10), vs pgbench -N -c 4",
            f"{c['tasks/s']:,.0f} tasks/s",
            f"{c['ratio']:.2f}x pgbench",
            ">= 0.8x",
            c["notify"],
        )
    live = res.get("live", {})
    if "live_wf_s" in live:
        t.add(
            f"{live['n']} runs started one per transaction while 4 Python workers wait, vs pre-started",
            f"{live['live_wf_s']:.0f} vs {live['prestarted_wf_s']:.0f} workflows/s",
            f"{live['live_wf_s'] / live['prestarted_wf_s']:.2f} ({live['live_wf_s'] / pgb4:.3f}x pgbench)",
            ">= 0.7",
            live["live_notify"],
        )
        t.add(
            f"the producer's {live['n']} starts with 4 idle workers vs none",
            f"{live['producer_live_s']:.2f} s vs {live['producer_alone_s']:.2f} s",
            f"{live['producer_live_s'] / live['producer_alone_s']:.2f}x slower",
            "<= 1.3x",
            "",
        )
    elif "skipped" in live:
        t.add("Python workers, live vs pre-started", live["skipped"], "", ">= 0.7", "")
    b = res.get("backlog", {})
    if "ratio" in b:
        t.add(
            f"drain of one flow while another has {b['size']:,} queued tasks, vs no backlog",
            f"{bench.mm(b['backed'])} vs {bench.mm(b['plain'])} tasks/s",
            f"{b['ratio']:.2f} ({bench.med(b['backed']) / pgb4:.3f}x pgbench)",
            ">= 0.9",
            "",
        )
    u = res.get("unrelated_limit", {})
    if "ratio" in u:
        t.add(
            "claims/s (claim 1 + complete, one connection) while an unrelated flow has max_concurrency, vs none",
            f"{u['limited']:,.0f} vs {u['free']:,.0f}",
            f"{u['ratio']:.2f}",
            ">= 0.9",
            "",
        )
    lat = res.get("latency")
    if isinstance(lat, list) and lat:
        t.add(
            "one 3-step run through one warm Python worker, started_at -> finished_at",
            f"p50 {bench.pct(lat, 0.5):.1f} ms, p95 {bench.pct(lat, 0.95):.1f} ms",
            "",
            "<= 8 ms",
            "",
        )
    k = res.get("keys", {})
    if "skipped" in k:
        t.add("claims/s with 0, 1 and 1,000 limited keys", k["skipped"], "", "", "")
    else:
        for label, value in k.items():
            t.add(f"claims/s (claim 1 + complete), {label}", f"{value:,.0f}", f"{value / pgb4:.3f}x pgbench", "", "")
    f = res.get("fairness", {})
    if "claims" in f:
        t.add(
            f"fairness: claims until a new key's task runs behind a {f['size']:,}-task backlog of another key",
            f"{f['claims']} claims ({f['ms']:.1f} ms)",
            "",
            "",
            "",
        )
    elif "skipped" in f:
        t.add("fairness", f["skipped"], "", "", "")
    for name, value in res.items():
        if isinstance(value, dict) and "skipped" in value and name not in ("keys", "fairness", "live"):
            t.add(name, value["skipped"], "", "", "")
    bench.show(t)
