"""make bench: the benchmarks of issue 5, on the local server.

Creates a scratch database (BENCH_DB, default pgflow_bench; dropped and recreated),
runs benchmarks 1-10 and 14, prints one table per benchmark and writes bench/RESULTS.md.
Every figure is the median of several repetitions, with min-max. Nothing asserts
a time. BENCH_QUICK=1 makes a ~1 minute smoke run (smaller sizes, 2 repetitions).

Workers are separate processes (no GIL sharing), each with its own connection,
using prepared statements (prepare_threshold=0) and autocommit: one transaction
per claim and per completion, as a worker does.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing as mp
import os
import platform
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DB = os.environ.get("BENCH_DB", "pgflow_bench")
PGBENCH_DB = DB + "_pgbench"
ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "dbname=postgres")
DSN = os.environ.get("BENCH_DSN", f"dbname={DB}")
RESULTS = Path(os.environ.get("BENCH_RESULTS", HERE / "RESULTS.md"))
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))  # e.g. BENCH_ONLY=1,9

SIZES = {
    # drain: runs per repetition; reps: repetitions of each configuration
    "reps": 2 if QUICK else 3,
    "drain_runs": 150 if QUICK else 400,
    "pgbench_seconds": 2 if QUICK else 5,
    "e2e_runs": 150 if QUICK else 400,
    "latency_runs": 50 if QUICK else 200,
    "start_flow_calls": 300 if QUICK else 1000,
    "wakeups": 20 if QUICK else 50,
    "fan_out": [1000, 10000],
    "define_steps": 1000,
    "history_tasks": 100_000 if QUICK else 10_000_000,
    "prune_tasks": 100_000 if QUICK else 1_000_000,
    "prune_window": 3 if QUICK else 10,  # seconds of claims measured before the prune
    "history_claims": 300 if QUICK else 1000,
}

CHAIN = [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]
DIAMOND = [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["a"]}, {"slug": "d", "deps": ["b", "c"]}]
FAN = [{"slug": "split"}, {"slug": "each", "deps": ["split"], "fan_out": True}, {"slug": "combine", "deps": ["each"]}]
SHAPES = {"chain": CHAIN, "diamond": DIAMOND}

CLAIM = "SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks(%s, %s)"
COMPLETE = "SELECT 1 FROM pgflow.complete_task(%s, %s, %s::jsonb, %s, %s)"
COMPLETE_MANY = "SELECT count(*) FROM pgflow.complete_tasks(%s::jsonb)"


def connect(dsn: str = DSN, **kw: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, prepare_threshold=0, **kw)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- statistics and tables ------------------------------------------------------------


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def fmt(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def mm(xs: Sequence[float]) -> str:
    """median (min-max)"""
    return f"{fmt(med(xs))} ({fmt(min(xs))}-{fmt(max(xs))})"


def pct(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


class Table:
    def __init__(self, title: str, headers: list[str], note: str = "") -> None:
        self.title, self.headers, self.rows, self.note = title, headers, [], note

    def add(self, *cells: Any) -> None:
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        out = [f"### {self.title}", ""]
        if self.note:
            out += [self.note, ""]
        out.append("| " + " | ".join(self.headers) + " |")
        out.append("| " + " | ".join("---" for _ in self.headers) + " |")
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(out) + "\n"


TABLES: list[Table] = []
FIGURES: dict[str, Any] = {}


def show(t: Table) -> None:
    TABLES.append(t)
    print("\n" + t.markdown(), flush=True)


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "meets" if ok else "MISSES"


# -- database setup -------------------------------------------------------------------


def recreate(db: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (db,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
        conn.execute(f'CREATE DATABASE "{db}"')


def setup() -> None:
    recreate(DB)
    with connect() as conn:
        conn.execute("CREATE EXTENSION pgflow")
        for name, steps in [("bench_chain", CHAIN), ("bench_diamond", DIAMOND), ("bench_fan", FAN)]:
            conn.execute("SELECT pgflow.define_flow(%s::jsonb)", (json.dumps({"slug": name, "steps": steps}),))


def reset_runs(conn: psycopg.Connection[Any], keep_history: bool = False) -> None:
    if keep_history:
        conn.execute("DELETE FROM pgflow.runs WHERE NOT input @> '{\"history\": true}'")
        conn.execute("VACUUM pgflow.runs, pgflow.step_states, pgflow.step_tasks")
    else:
        conn.execute("TRUNCATE pgflow.runs CASCADE")


def start_runs(conn: psycopg.Connection[Any], flow: str, n: int, input_json: str = "{}") -> None:
    conn.execute("SELECT count(pgflow.start_flow(%s, %s::jsonb)) FROM generate_series(1, %s)", (flow, input_json, n))
    conn.execute("ANALYZE pgflow.runs, pgflow.step_states, pgflow.step_tasks")


def server_settings() -> dict[str, str]:
    names = [
        "server_version",
        "shared_buffers",
        "synchronous_commit",
        "fsync",
        "wal_sync_method",
        "full_page_writes",
        "max_connections",
        "work_mem",
        "wal_level",
        "max_wal_size",
        "checkpoint_timeout",
        "wal_buffers",
        "commit_delay",
        "jit",
        "track_functions",
        "shared_preload_libraries",
        "effective_io_concurrency",
    ]
    with connect() as conn:
        return {n: conn.execute(f"SHOW {n}").fetchone()[0] for n in names}


def engine_version() -> dict[str, str]:
    out = {}
    try:
        out["git HEAD"] = subprocess.run(
            ["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], check=True, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--short", "extension", "python_client"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        out["uncommitted changes (extension/, python_client/)"] = str(len([d for d in dirty if d.strip()]))
        share = subprocess.run(["pg_config", "--sharedir"], check=True, capture_output=True, text=True).stdout.strip()
        import hashlib

        from pgflow.install import INSTALL_SCRIPT

        out[f"installed {INSTALL_SCRIPT} md5"] = hashlib.md5(
            Path(share, "extension", INSTALL_SCRIPT).read_bytes()
        ).hexdigest()
    except (OSError, subprocess.CalledProcessError) as error:
        out["engine"] = f"unknown ({error})"
    return out


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "psycopg": psycopg.__version__,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# -- the SQL-level worker -------------------------------------------------------------


def sql_worker(
    dsn: str, name: str, batch: int, mode: str, total: int, done: Any, go: Any, outputs: dict[str, str], results: Any
) -> None:
    """Claim `batch` tasks at a time; complete each in its own transaction (mode
    'single') or all of them in one complete_tasks call (mode 'batch'). Exits when
    `total` tasks are done across all workers. Reports timings of the fan-out's
    interesting statements (completing `split`; the last `each` completion)."""
    conn = connect(dsn)
    default_out = "{}"
    split_ms = None
    last_each: tuple[float, float] | None = None
    go.wait()
    idle = 0
    while True:
        tasks = conn.execute(CLAIM, (name, batch)).fetchall()
        if not tasks:
            if done.value >= total:
                break
            idle += 1
            time.sleep(min(0.0005 * 2 ** min(idle, 4), 0.005))
            continue
        idle = 0
        if mode == "single":
            for run_id, step_slug, task_index, attempt in tasks:
                t = time.perf_counter()
                conn.execute(COMPLETE, (run_id, step_slug, outputs.get(step_slug, default_out), task_index, attempt))
                e = time.perf_counter()
                if step_slug == "split":
                    split_ms = (e - t) * 1000
                elif step_slug == "each":
                    last_each = (e, (e - t) * 1000)
        else:
            reports = [
                {
                    "run_id": str(r),
                    "step_slug": s,
                    "output": json.loads(outputs.get(s, default_out)),
                    "task_index": i,
                    "attempt": a,
                }
                for r, s, i, a in tasks
            ]
            t = time.perf_counter()
            conn.execute(COMPLETE_MANY, (json.dumps(reports),))
            e = time.perf_counter()
            slugs = {s for _, s, _, _ in tasks}
            if "split" in slugs:
                split_ms = (e - t) * 1000
            if "each" in slugs:
                last_each = (e, (e - t) * 1000)
        with done.get_lock():
            done.value += len(tasks)
    conn.close()
    results.put({"split_ms": split_ms, "last_each": last_each})


def drain(
    flow: str,
    total_tasks: int,
    workers: int,
    batch: int,
    mode: str,
    outputs: dict[str, str] | None = None,
    before_go: Callable[[], None] | None = None,
    wait_run: Callable[[], float] | None = None,
) -> tuple[float, list[dict[str, Any]]]:
    """Runs W sql_workers until total_tasks are done; returns (seconds, worker reports)."""
    ctx = mp.get_context("fork")
    done = ctx.Value("i", 0)
    go = ctx.Event()
    results = ctx.Queue()
    procs = [
        ctx.Process(target=sql_worker, args=(DSN, f"w{i}", batch, mode, total_tasks, done, go, outputs or {}, results))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    time.sleep(0.3)  # connections made
    t0 = time.perf_counter()
    go.set()
    if before_go:
        before_go()
    end = wait_run() if wait_run else None
    reports = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    if end is None:
        end = time.perf_counter()
    return end - t0, reports


# -- (1) SQL-level throughput, and (9) pgbench ----------------------------------------


def bench_throughput() -> None:
    n = SIZES["drain_runs"]
    rows = []
    for shape in ("chain", "diamond"):
        steps = len(SHAPES[shape])
        for w in (1, 4):
            for b in (1, 10):
                for mode in ("single", "batch"):
                    secs = []
                    for _ in range(SIZES["reps"]):
                        with connect() as conn:
                            reset_runs(conn)
                            start_runs(conn, f"bench_{shape}", n)
                        s, _ = drain(f"bench_{shape}", n * steps, w, b, mode)
                        secs.append(s)
                    tps = [n * steps / s for s in secs]
                    rps = [n / s for s in secs]
                    rows.append((shape, w, b, mode, tps, rps))
                    log(f"(1) {shape} W={w} B={b} {mode}: {med(tps):.0f} tasks/s")
    FIGURES["throughput"] = rows


def bench_pgbench() -> None:
    recreate(PGBENCH_DB)
    subprocess.run(["pgbench", "-i", "-q", "-s", "4", PGBENCH_DB], check=True, capture_output=True)
    out: dict[int, list[float]] = {}
    for c in (1, 4):
        tps = []
        for _ in range(SIZES["reps"]):
            r = subprocess.run(
                [
                    "pgbench",
                    "-N",
                    "-n",
                    "-M",
                    "prepared",
                    "-c",
                    str(c),
                    "-j",
                    str(c),
                    "-T",
                    str(SIZES["pgbench_seconds"]),
                    PGBENCH_DB,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", r.stdout)
            tps.append(float(m.group(1)) if m else float("nan"))
        out[c] = tps
        log(f"(9) pgbench -N -c {c}: {med(tps):.0f} tps")
    FIGURES["pgbench"] = out
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PGBENCH_DB}"')


def report_throughput() -> None:
    rows = FIGURES.get("throughput")
    if not rows:
        return
    pgb = FIGURES.get("pgbench", {})
    t = Table(
        "(1) SQL-level throughput, drain pre-started runs (with (9): pgbench -N at the same client count)",
        [
            "shape",
            "W",
            "claim batch",
            "completion",
            "tasks/s",
            "runs/s",
            "pgbench -N tps (same W)",
            "(9) task lifecycles per pgbench tx",
            "upstream",
            "target",
            "vs target",
        ],
        note=(
            f"{SIZES['drain_runs']} runs per repetition, {SIZES['reps']} repetitions; completion 'single' = one "
            "complete_task transaction per task (what a worker does), 'batch' = one complete_tasks call per claim. "
            "Claims and completions are separate autocommit transactions. pgbench: scale 4, -M prepared, "
            f"-T {SIZES['pgbench_seconds']}, -c W -j W."
        ),
    )
    for shape, w, b, mode, tps, rps in rows:
        up, target = "", ""
        vs = ""
        if shape == "chain" and w == 4 and b == 10:
            up, target, vs = "1,371", ">= 4,113 (3x)", verdict(med(tps), 4113)
        elif shape == "chain" and w == 1 and b == 1:
            up, target, vs = "321", ">= 642 (2x)", verdict(med(tps), 642)
        p = pgb.get(w)
        ratio = f"{med(tps) / med(p):.3f}" if p else ""
        if p and shape == "chain" and w == 4 and b == 10:
            ratio += f" (upstream {1371 / 8073:.3f})"
        t.add(shape, w, b, mode, mm(tps), mm(rps), mm(p) if p else "", ratio, up, target, vs)
    show(t)


# -- (2) end to end with the Python worker -------------------------------------------


def e2e_env(client_src: str | None) -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(HERE)] + ([client_src] if client_src else []) + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PGFLOW_DSN"] = DSN
    return env


def start_python_workers(env: dict[str, str], procs_n: int) -> list[subprocess.Popen[bytes]]:
    cli = [sys.executable, "-m", "pgflow.cli"]
    subprocess.run(cli + ["deploy", "bench_flows:chain"], env=env, check=True, capture_output=True)
    procs = [
        subprocess.Popen(
            cli
            + [
                "worker",
                "bench_flows:chain",
                "--concurrency",
                "10",
                "--log-level",
                "WARNING",
                "--worker-id",
                f"e2e{i}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(procs_n)
    ]
    try:
        with connect() as conn:
            deadline = time.time() + 60
            while True:
                listening = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query ILIKE 'LISTEN%%pgflow_tasks%%'"
                ).fetchone()[0]
                if listening >= procs_n:
                    break
                if time.time() > deadline or any(p.poll() is not None for p in procs):
                    time.sleep(0.5)
                    err = b"".join(p.stderr.read() if p.poll() is not None and p.stderr else b"" for p in procs)
                    raise RuntimeError(f"Python workers did not start: {err.decode().strip()[-500:]}")
                time.sleep(0.1)
        time.sleep(0.5)
        # One probe run end to end: the workers really complete tasks.
        with connect() as conn:
            run_id = conn.execute("SELECT run_id FROM pgflow.start_flow('bench_e2e', '{}'::jsonb)").fetchone()[0]
            deadline = time.time() + 20
            while (
                conn.execute("SELECT status FROM pgflow.runs WHERE run_id = %s", (run_id,)).fetchone()[0] != "completed"
            ):
                if time.time() > deadline or any(p.poll() is not None for p in procs):
                    time.sleep(0.5)
                    err = b"".join(p.stderr.read() if p.poll() is not None and p.stderr else b"" for p in procs)
                    raise RuntimeError(f"Python workers do not complete runs: {err.decode().strip()[-500:]}")
                time.sleep(0.05)
    except BaseException:
        stop_python_workers(procs)
        raise
    return procs


def stop_python_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def committed_client() -> str:
    """python_client/src of git HEAD, extracted to a scratch directory ('' if impossible)."""
    dest = Path("/tmp") / f"pgflow_bench_client_{os.getpid()}"
    try:
        if not dest.exists():
            dest.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", "HEAD", "python_client/src"], check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True, capture_output=True)
        return str(dest / "python_client" / "src")
    except (OSError, subprocess.CalledProcessError):
        return ""


def bench_e2e() -> None:
    """The worker of this repository (python_client/src); if it cannot run (it may be
    mid-change), the pgflow package installed in the interpreter, said in the table."""
    candidates = [
        ("repository python_client/src (working tree)", str(REPO / "python_client" / "src")),
        ("python_client/src as committed (git HEAD)", committed_client()),
        ("installed pgflow package", None),
    ]
    candidates = [(label, src) for label, src in candidates if src != ""]
    n = SIZES["e2e_runs"]
    results: dict[int, list[float]] = {}
    notes: list[str] = []
    used = None
    for procs_n in (1, 4):
        procs = None
        for label, src in candidates:
            if used and label != used:
                continue
            with connect() as conn:
                reset_runs(conn)
            try:
                procs = start_python_workers(e2e_env(src), procs_n)
                used = label
                break
            except (RuntimeError, subprocess.CalledProcessError) as error:
                msg = str(error) if isinstance(error, RuntimeError) else (error.stderr or b"").decode().strip()[-300:]
                notes.append(f"{label}: {msg}")
                log(f"(2) {label} unusable: {msg}")
        if procs is None:
            break
        try:
            secs = []
            for _ in range(SIZES["reps"]):
                with connect() as conn:
                    reset_runs(conn)
                    with conn.transaction():
                        conn.execute(
                            "SELECT count(pgflow.start_flow('bench_e2e', '{}')) FROM generate_series(1, %s)", (n,)
                        )
                    t0 = conn.execute("SELECT clock_timestamp()").fetchone()[0]
                    # Polled: run-end notifications go only to runs someone watches (watch_run).
                    deadline = time.time() + 300
                    while time.time() < deadline and conn.execute(
                        "SELECT count(*) FROM pgflow.runs WHERE flow_slug = 'bench_e2e' AND status = 'completed'"
                    ).fetchone()[0] < n:
                        time.sleep(0.005)
                    left, end = conn.execute(
                        "SELECT count(*) FILTER (WHERE status <> 'completed'), max(finished_at) "
                        "FROM pgflow.runs WHERE flow_slug = 'bench_e2e'"
                    ).fetchone()
                    if left:
                        raise RuntimeError(f"{left} e2e runs did not complete")
                    conn.execute("UNLISTEN *")
                    secs.append((end - t0).total_seconds())
            results[procs_n] = [3 * n / s for s in secs]
            log(f"(2) {procs_n} Python worker process(es) ({used}): {med(results[procs_n]):.0f} tasks/s")
        finally:
            stop_python_workers(procs)
    FIGURES["e2e"] = (results, used, notes)
    import shutil

    shutil.rmtree(Path("/tmp") / f"pgflow_bench_client_{os.getpid()}", ignore_errors=True)


def report_e2e() -> None:
    if "e2e" not in FIGURES:
        return
    res, used, notes = FIGURES["e2e"]
    thr = {(s, w, b, m): tps for s, w, b, m, tps, _ in FIGURES.get("throughput", [])}
    t = Table(
        "(2) End to end: Python worker (pgflow worker CLI), no-op async handlers, 3-step chain",
        [
            "worker processes",
            "tasks/s",
            "(1) same W, batch 10, single completions",
            "ratio to (1)",
            "target",
            "vs target",
        ],
        note=(
            f"{SIZES['e2e_runs']} runs started in one transaction while the workers listen; "
            "time = commit of the starts -> last run's finished_at; --concurrency 10 per process. "
            f"Worker code: {used or 'none could run'}."
            + (" Problems: " + "; ".join(n.replace("|", "/").replace(chr(10), " ") for n in notes) if notes else "")
        ),
    )
    for procs_n, tps in res.items():
        ref = thr.get(("chain", procs_n, 10, "single"))
        ratio = med(tps) / med(ref) if ref else float("nan")
        t.add(procs_n, mm(tps), mm(ref) if ref else "", f"{ratio:.2f}", ">= 0.70", verdict(ratio, 0.70))
    show(t)


# -- (3) single-run latency, (4) start_flow rate -------------------------------------


def bench_latency() -> None:
    n = SIZES["latency_runs"]
    per_run = []
    with connect() as conn:
        reset_runs(conn)
        for _ in range(SIZES["reps"]):
            t0 = time.perf_counter()
            for _ in range(n):
                conn.execute("SELECT 1 FROM pgflow.start_flow(%s, '{}'::jsonb)", ("bench_chain",))
                for _ in range(3):
                    ((run_id, step, idx, att),) = conn.execute(CLAIM, ("lat", 1)).fetchall()
                    conn.execute(COMPLETE, (run_id, step, "{}", idx, att))
            per_run.append((time.perf_counter() - t0) * 1000 / n)
    FIGURES["latency"] = per_run
    log(f"(3) {med(per_run):.2f} ms per run")

    n = SIZES["start_flow_calls"]
    rates = []
    with connect() as conn:
        reset_runs(conn)
        for _ in range(SIZES["reps"]):
            t0 = time.perf_counter()
            for _ in range(n):
                conn.execute("SELECT 1 FROM pgflow.start_flow(%s, '{}'::jsonb)", ("bench_chain",))
            rates.append(n / (time.perf_counter() - t0))
        reset_runs(conn)
        # The same number of runs through start_flows, 100 inputs per call (bulk starts).
        bulk = []
        inputs = json.dumps([{}] * 100)
        for _ in range(SIZES["reps"]):
            t0 = time.perf_counter()
            for _ in range(max(1, n // 100)):
                conn.execute("SELECT count(*) FROM pgflow.start_flows(%s, %s::jsonb)", ("bench_chain", inputs))
            bulk.append(max(1, n // 100) * 100 / (time.perf_counter() - t0))
        reset_runs(conn)
    FIGURES["start_flow"] = rates
    FIGURES["start_flows"] = bulk
    log(f"(4) {med(rates):.0f} start_flow/s; {med(bulk):.0f} runs/s through start_flows(100)")


def report_latency() -> None:
    if "latency" in FIGURES:
        lat = FIGURES["latency"]
        t = Table(
            "(3) Single-run latency, one connection",
            ["figure", "value", "upstream", "target", "vs target"],
            note=(
                f"{SIZES['latency_runs']} runs per repetition: start_flow, then 3 x (claim_tasks(1), "
                "complete_task), 7 autocommit transactions per run."
            ),
        )
        t.add("ms per 3-step run", mm(lat), "10.1 ms", "<= 4 ms", verdict(med(lat), 4, False))
        show(t)
    if "start_flow" in FIGURES:
        r = FIGURES["start_flow"]
        t = Table(
            "(4) start_flow rate, one connection",
            ["figure", "value", "upstream", "target", "vs target"],
            note=f"{SIZES['start_flow_calls']} calls of start_flow('bench_chain') per repetition, one transaction each.",
        )
        t.add("start_flow per second", mm(r), "1,200 /s", ">= 2,500 /s", verdict(med(r), 2500))
        if "start_flows" in FIGURES:
            t.add("runs started per second, start_flows of 100 inputs per call", mm(FIGURES["start_flows"]), "", "", "")
        show(t)


# -- (5) wake-up latency --------------------------------------------------------------


def wake_listener(dsn: str, ready: Any, out: Any, stop: Any) -> None:
    """An idle worker: LISTEN pgflow_tasks; on each notification claim step b of
    bench_chain; report perf_counter when a claim returned a task."""
    conn = connect(dsn)
    conn.execute("LISTEN pgflow_tasks")
    claim = "SELECT run_id FROM pgflow.claim_tasks(%s, 1, NULL, ARRAY['bench_chain/1/b'])"
    conn.execute(claim, ("listener",)).fetchall()  # prepare
    ready.set()
    while not stop.is_set():
        # Drain the generator before querying: no statement while it waits.
        if list(conn.notifies(timeout=0.2, stop_after=1)):
            rows = conn.execute(claim, ("listener",)).fetchall()
            if rows:
                out.put((str(rows[0][0]), time.perf_counter()))
    conn.close()


def bench_wakeup() -> None:
    ctx = mp.get_context("fork")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    reps: list[list[float]] = []
    with connect() as conn:
        reset_runs(conn)
    p = ctx.Process(target=wake_listener, args=(DSN, ready, out, stop), daemon=True)
    p.start()
    ready.wait(30)
    try:
        with connect() as conn:
            claim_a = "SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks(%s, 1, NULL, ARRAY['bench_chain/1/a'])"
            for _ in range(SIZES["reps"]):
                lat = []
                for _ in range(SIZES["wakeups"]):
                    run_id = conn.execute(
                        "SELECT run_id FROM pgflow.start_flow('bench_chain', '{}'::jsonb)"
                    ).fetchone()[0]
                    ((r, s, i, a),) = conn.execute(claim_a, ("completer",)).fetchall()
                    time.sleep(0.03)  # let the listener settle after start_flow's own notification
                    conn.execute(COMPLETE, (r, s, "{}", i, a))
                    t_commit = time.perf_counter()
                    got_run, t_claim = out.get(timeout=10)
                    assert got_run == str(run_id), (got_run, run_id)
                    lat.append((t_claim - t_commit) * 1000)
                reps.append(lat)
    finally:
        stop.set()
        p.join(5)
    FIGURES["wakeup"] = reps
    log(f"(5) wake-up p50 {med([pct(l, 0.5) for l in reps]):.2f} ms")


def report_wakeup() -> None:
    reps = FIGURES.get("wakeup")
    if not reps:
        return
    t = Table(
        "(5) Wake-up latency: dependency completed on one connection -> dependent claimed by an idle LISTENing worker",
        ["figure", "value (ms)", "upstream", "target", "vs target"],
        note=(
            f"{SIZES['wakeups']} wake-ups per repetition; from complete_task returning (commit acknowledged) "
            "to the listener's claim_tasks returning the dependent (perf_counter, same host). A negative "
            "value would mean the claim returned before the completer saw its commit acknowledged."
        ),
    )
    p50 = [pct(l, 0.5) for l in reps]
    p95 = [pct(l, 0.95) for l in reps]
    t.add("p50", mm(p50), "50 ms (100 ms polling)", "<= 5 ms", verdict(med(p50), 5, False))
    t.add("p95", mm(p95), "", "<= 20 ms", verdict(med(p95), 20, False))
    show(t)


# -- (6) fan-out ----------------------------------------------------------------------


def bench_fan_out() -> None:
    res = []
    for n in SIZES["fan_out"]:
        for mode in ("single", "batch"):
            ends, creates, aggs = [], [], []
            reps = SIZES["reps"] if not (QUICK and n >= 10000) else 1
            for _ in range(reps):
                with connect() as conn:
                    reset_runs(conn)
                    conn.execute("ANALYZE pgflow.step_tasks")
                lconn = connect()
                lconn.execute("LISTEN pgflow_runs")
                holder: dict[str, float] = {}

                def start() -> None:
                    with connect() as c:
                        holder["t0"] = time.perf_counter()
                        c.execute("SELECT 1 FROM pgflow.start_flow('bench_fan', '{}'::jsonb)")

                def wait_run() -> float:
                    for _ in lconn.notifies(timeout=600, stop_after=1):
                        pass
                    holder["end"] = time.perf_counter()
                    return holder["end"]

                outputs = {"split": json.dumps(list(range(n)))}
                _, reports = drain("bench_fan", n + 2, 4, 10, mode, outputs, before_go=start, wait_run=wait_run)
                lconn.close()
                with connect() as conn:
                    status = conn.execute("SELECT status FROM pgflow.runs").fetchone()[0]
                    if status != "completed":
                        raise RuntimeError(f"fan-out run is {status}")
                ends.append(holder["end"] - holder["t0"])
                creates.append(next(r["split_ms"] for r in reports if r["split_ms"] is not None))
                agg = max((r["last_each"] for r in reports if r["last_each"]), key=lambda x: x[0])
                aggs.append(agg[1])
            res.append((n, mode, ends, creates, aggs))
            log(
                f"(6) fan-out {n} {mode}: {med(ends):.2f} s, create {med(creates):.1f} ms, aggregate {med(aggs):.1f} ms"
            )
    FIGURES["fan_out"] = res


def report_fan_out() -> None:
    res = FIGURES.get("fan_out")
    if not res:
        return
    t = Table(
        "(6) Fan-out + aggregate, 4 SQL-level workers, claim batch 10",
        [
            "elements",
            "completion",
            "start -> run completed (s)",
            "tasks/s",
            "statement creating the tasks (ms)",
            "... per 1,000 tasks",
            "aggregating statement (ms)",
            "upstream",
            "target",
            "vs target",
        ],
        note=(
            "Flow split -> each (fan_out over split's array) -> combine. Time from calling start_flow to "
            "the run-completed notification (pgflow_runs) arriving at a listener. 'creating' = the complete_task (or complete_tasks batch) of "
            "split, which inserts the N tasks; 'aggregating' = the completion of the last 'each' task "
            "(jsonb_agg of N outputs, starts combine)."
        ),
    )
    for n, mode, ends, creates, aggs in res:
        up = target = vs = ""
        if n == 1000:
            up = "1.15 s; creation 27 ms"
        if n == 10000:
            target, vs = "< 3 s", verdict(med(ends), 3, False)
        t.add(
            f"{n:,}",
            mode,
            mm(ends),
            fmt((n + 2) / med(ends)),
            mm(creates),
            fmt(med(creates) / n * 1000),
            mm(aggs),
            up,
            target,
            vs,
        )
    show(t)


# -- (7) define_flow of a 1,000-step DAG ----------------------------------------------


def dag(n: int, slug: str, seed: int = 7) -> dict[str, Any]:
    rnd = random.Random(seed)
    steps = []
    for i in range(n):
        deps = sorted({f"s{rnd.randrange(i)}" for _ in range(min(i, 3))}) if i else []
        step: dict[str, Any] = {"slug": f"s{i}"}
        if deps:
            step["deps"] = deps
        steps.append(step)
    rnd.shuffle(steps)  # any order
    return {"slug": slug, "steps": steps}


def bench_define() -> None:
    n = SIZES["define_steps"]
    res = {}
    with connect() as conn:
        for kind in ("random DAG, up to 3 deps per step", "chain (depth 1,000)"):
            ms = []
            for rep in range(SIZES["reps"]):
                slug = f"bench_def_{len(res)}_{rep}"
                if kind.startswith("chain"):
                    d = {
                        "slug": slug,
                        "steps": [{"slug": f"s{i}", **({"deps": [f"s{i - 1}"]} if i else {})} for i in range(n)],
                    }
                else:
                    d = dag(n, slug)
                doc = json.dumps(d)
                t0 = time.perf_counter()
                conn.execute("SELECT 1 FROM pgflow.define_flow(%s::jsonb)", (doc,))
                ms.append((time.perf_counter() - t0) * 1000)
            res[kind] = ms
            log(f"(7) define_flow {kind}: {med(ms):.0f} ms")
    FIGURES["define"] = res


def report_define() -> None:
    res = FIGURES.get("define")
    if not res:
        return
    t = Table(
        f"(7) define_flow of a {SIZES['define_steps']:,}-step DAG (validation and cycle check included)",
        ["DAG", "ms", "target", "vs target"],
        note="A new flow slug each repetition, one call, one transaction.",
    )
    for kind, ms in res.items():
        t.add(kind, mm(ms), "< 200 ms", verdict(med(ms), 200, False))
    show(t)


# -- (8) history ----------------------------------------------------------------------

# "plain" is the layout CREATE EXTENSION makes; "partitioned" (daily sets) and
# "partitioned-weekly" are the ones pgflow.partition_history turns it into
# (run-keyed tables PARTITION BY RANGE (run_id), time-ordered run ids).
# Benchmarks (8) and (14) measure each when the installed engine has
# partition_history, the plain one alone otherwise.
HISTORY_SPAN = "30 days"  # generated history: runs started over the 30 days before
HISTORY_END = "1 day"  # ... the last one a day ago, so prune(interval '1 day') takes all of it


def has_function(name: str) -> bool:
    with connect() as conn:
        return bool(
            conn.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = %s AND pronamespace = 'pgflow'::regnamespace)",
                (name,),
            ).fetchone()[0]
        )


# The partitioned layouts and their partition_interval: daily sets (the default)
# and weekly ones (fewer partitions for claims to read, coarser prunes).
PARTITIONED = {"partitioned": "1 day", "partitioned-weekly": "7 days"}


def layouts() -> list[str]:
    return ["plain", *PARTITIONED] if has_function("partition_history") else ["plain"]


def setup_layout(layout: str) -> None:
    """A fresh scratch database in that layout; partitioned: partition sets
    premade over the generated history's span."""
    setup()
    if layout in PARTITIONED:
        with connect() as conn:
            conn.execute("SELECT pgflow.partition_history(%s::interval)", (PARTITIONED[layout],))
            conn.execute("SELECT pgflow._make_history_partitions(now() - interval '40 days', now())")


def is_partitioned() -> bool:
    with connect() as conn:
        kind = conn.execute("SELECT relkind FROM pg_class WHERE oid = 'pgflow.runs'::regclass").fetchone()[0]
        return bool(kind == "p")


def claim_probe(reps: int) -> tuple[list[float], list[float], list[float]]:
    """Claim latency (median and p99 ms per claim_tasks(1) on one connection, runs
    pre-started) and drain throughput (chain, W=4, B=10, single completions)."""
    n_claims = SIZES["history_claims"]
    lat, p99, thr = [], [], []
    for _ in range(reps):
        with connect() as conn:
            reset_runs(conn, keep_history=True)
            start_runs(conn, "bench_chain", n_claims)
            ts = []
            for _ in range(n_claims):
                t0 = time.perf_counter()
                ((r, s, i, a),) = conn.execute(CLAIM, ("probe", 1)).fetchall()
                ts.append((time.perf_counter() - t0) * 1000)
                conn.execute(COMPLETE, (r, s, "{}", i, a))
            lat.append(med(ts))
            p99.append(pct(ts, 0.99))
            reset_runs(conn, keep_history=True)
            start_runs(conn, "bench_chain", SIZES["drain_runs"])
        s, _ = drain("bench_chain", 3 * SIZES["drain_runs"], 4, 10, "single")
        thr.append(3 * SIZES["drain_runs"] / s)
    return lat, p99, thr


def make_history(tasks: int) -> float:
    """Finished 3-step runs of bench_chain (tasks / 3 of them) started over the
    HISTORY_SPAN before HISTORY_END ago, inserted set-based. In the partitioned
    layout the run ids are time-ordered (UUIDv7 of the start), so each run lands
    in the partition of its start time as it would have live."""
    runs = tasks // 3
    run_id = "pgflow._time_ordered_uuid(t)" if is_partitioned() else "gen_random_uuid()"
    t0 = time.perf_counter()
    with connect() as conn:
        with conn.transaction():
            # Set-based, straight into the tables as finished rows; the rows are
            # consistent by construction, so foreign-key triggers are skipped.
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute("SET LOCAL synchronous_commit = off")
            conn.execute(
                f"""
                CREATE TEMP TABLE hist ON COMMIT DROP AS
                SELECT {run_id} AS run_id, t
                  FROM (SELECT now() - %(end)s::interval - %(span)s::interval
                               + g * (%(span)s::interval / %(runs)s) AS t
                          FROM generate_series(1, %(runs)s) AS g) AS starts
                 ORDER BY t""",
                {"runs": runs, "span": HISTORY_SPAN, "end": HISTORY_END},
            )
            conn.execute("""
                INSERT INTO pgflow.runs (run_id, flow_slug, flow_version, status, input, output, remaining_steps,
                                         started_at, finished_at)
                SELECT run_id, 'bench_chain', 1, 'completed', '{"history": true}', '{"c": {}}', 0, t,
                       t + interval '50 ms'
                  FROM hist""")
            conn.execute("""
                INSERT INTO pgflow.step_states (run_id, step_slug, status, remaining_deps, remaining_tasks, output,
                                                created_at, started_at, finished_at)
                SELECT h.run_id, s.slug, 'completed', 0, 0, '{}', h.t, h.t + s.k * interval '10 ms',
                       h.t + s.k * interval '10 ms' + interval '5 ms'
                  FROM hist AS h, (VALUES ('a', 0), ('b', 1), ('c', 2)) AS s(slug, k)""")
            conn.execute("""
                INSERT INTO pgflow.step_tasks (run_id, step_slug, task_index, flow_slug, flow_version, status,
                                               attempt, worker_id, available_at, queued_at, started_at, finished_at)
                SELECT h.run_id, s.slug, 0, 'bench_chain', 1, 'completed', 1, 'history',
                       h.t + s.k * interval '10 ms' + interval '60 s', h.t + s.k * interval '10 ms',
                       h.t + s.k * interval '10 ms', h.t + s.k * interval '10 ms' + interval '5 ms'
                  FROM hist AS h, (VALUES ('a', 0), ('b', 1), ('c', 2)) AS s(slug, k)""")
        conn.execute("VACUUM ANALYZE pgflow.runs, pgflow.step_states, pgflow.step_tasks")
    return time.perf_counter() - t0


def tree_size(conn: psycopg.Connection[Any], table: str) -> tuple[int, int]:
    """(table bytes, index bytes) of a table and, when partitioned, all its partitions."""
    row = conn.execute(
        # pg_partition_tree is empty for a table that is not partitioned.
        "SELECT sum(pg_table_size(relid)), sum(pg_indexes_size(relid))"
        " FROM (SELECT relid FROM pg_partition_tree(%s::regclass) UNION SELECT %s::regclass) AS tree",
        (table, table),
    ).fetchone()
    return int(row[0]), int(row[1])


def mb(n: float) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def bench_history() -> None:
    res = []
    for layout in layouts():
        setup_layout(layout)
        with connect() as conn:
            conn.execute("CHECKPOINT")
        empty = claim_probe(SIZES["reps"])
        log(f"(8) {layout} empty: claim {med(empty[0]):.3f} ms, drain {med(empty[2]):.0f} tasks/s")
        gen = make_history(SIZES["history_tasks"])
        log(f"(8) {layout}: generated {SIZES['history_tasks']:,} finished tasks in {gen:.1f} s")
        with connect() as conn:
            conn.execute("CHECKPOINT")  # so the full-page writes after the load's checkpoint do not count
            size = sum(tree_size(conn, "pgflow.step_tasks"))
        hist = claim_probe(SIZES["reps"])
        log(f"(8) {layout} history: claim {med(hist[0]):.3f} ms, drain {med(hist[2]):.0f} tasks/s")
        res.append((layout, empty, hist, gen, size))
    if layouts() != ["plain"]:
        setup()  # the benchmarks after this one run on the plain layout
    FIGURES["history"] = res


def report_history() -> None:
    res = FIGURES.get("history")
    if not res:
        return
    gens = ", ".join(f"{layout} {gen:.0f} s (step_tasks then {mb(size)})" for layout, _, _, gen, size in res)
    t = Table(
        f"(8) History: {SIZES['history_tasks']:,} finished tasks in the tables vs empty",
        ["layout", "figure", "empty", "with history", "ratio (slowdown)", "target", "vs target"],
        note=(
            f"History generated set-based: {gens}. Claim latency: ms of claim_tasks(1) over "
            f"{SIZES['history_claims']} claims on one connection (each followed by an untimed complete_task), "
            f"median and p99 per repetition. Throughput: chain drain, W=4, batch 10, single completions, "
            f"{SIZES['drain_runs']} runs. Layouts 'partitioned' / 'partitioned-weekly': after "
            "pgflow.partition_history('1 day' / '7 days') and _make_history_partitions(now() - 40 days, now()), "
            "history in those partitions by its time-ordered run ids."
        ),
    )
    for layout, (e_lat, e_p99, e_thr), (h_lat, h_p99, h_thr), _, _ in res:
        r1 = med(h_lat) / med(e_lat)
        r2 = med(h_p99) / med(e_p99)
        r3 = med(e_thr) / med(h_thr)
        t.add(layout, "claim latency p50 (ms)", mm(e_lat), mm(h_lat), f"{r1:.2f}", "<= 1.2", verdict(r1, 1.2, False))
        t.add(layout, "claim latency p99 (ms)", mm(e_p99), mm(h_p99), f"{r2:.2f}", "", "")
        t.add(layout, "drain (tasks/s)", mm(e_thr), mm(h_thr), f"{r3:.2f}", "<= 1.2", verdict(r3, 1.2, False))
    show(t)


# -- profile --------------------------------------------------------------------------


def profile() -> str:
    """A separate pass with track_functions = 'all' (its timing calls would slow the
    benchmarks above): chain drain W=4 B=10, fan-out of 1,000, start_flow."""
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE \"{DB}\" SET track_functions = 'all'")
    with connect() as conn:
        reset_runs(conn)
        conn.execute("SELECT pg_stat_reset()")
        start_runs(conn, "bench_chain", SIZES["drain_runs"])
    drain("bench_chain", 3 * SIZES["drain_runs"], 4, 10, "single")
    with connect() as conn:
        conn.execute("SELECT 1 FROM pgflow.start_flow('bench_fan', '{}'::jsonb)")
    drain("bench_fan", 1002, 4, 10, "single", {"split": json.dumps(list(range(1000)))})
    time.sleep(0.6)  # statistics are flushed at most every 500 ms
    with connect() as conn:
        rows = conn.execute("""
            SELECT funcname, calls, round(total_time::numeric, 1), round(self_time::numeric, 1),
                   round((total_time / nullif(calls, 0))::numeric, 4)
              FROM pg_stat_user_functions WHERE schemaname = 'pgflow'
             ORDER BY self_time DESC LIMIT 15""").fetchall()
    t = Table(
        "Profile: pg_stat_user_functions, separate pass (track_functions = all): "
        f"chain drain W=4 B=10 of {SIZES['drain_runs']} runs + one 1,000-element fan-out",
        ["function", "calls", "total ms", "self ms", "ms per call"],
    )
    for r in rows:
        t.add(*r)
    return t.markdown()


# -- main -----------------------------------------------------------------------------

# (10) lives in bench/contention.py, which reads this module's helpers as `bench`.
sys.modules.setdefault("bench", sys.modules[__name__])
import contention  # noqa: E402
import prune  # noqa: E402


BENCHES: list[tuple[str, Callable[[], None]]] = [
    ("1", bench_throughput),
    ("9", bench_pgbench),
    ("2", bench_e2e),
    ("3", bench_latency),
    ("5", bench_wakeup),
    ("6", bench_fan_out),
    ("7", bench_define),
    ("8", bench_history),
    ("10", contention.bench_contention),
    ("14", prune.bench_prune),
]


def main() -> None:
    started = time.time()
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mach = machine()
    log(f"scratch database {DB} (dropped and recreated); {'QUICK' if QUICK else 'full'} run")
    setup()
    settings = server_settings()
    for key, fn in BENCHES:
        if ONLY and key not in ONLY and not (key == "3" and "4" in ONLY):
            continue
        t = time.time()
        fn()
        log(f"benchmark ({key}) took {time.time() - t:.0f} s")
    for rep in (
        report_throughput,
        report_e2e,
        report_latency,
        report_wakeup,
        report_fan_out,
        report_define,
        report_history,
        contention.report_contention,
        prune.report_prune,
    ):
        rep()
    prof = profile()
    print("\n" + prof)
    elapsed = time.time() - started
    end_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# pgflow benchmarks (`make bench`)",
        "",
        f"Generated by `bench/bench.py` on {when}, {'BENCH_QUICK=1 (smoke sizes)' if QUICK else 'full run'}, "
        f"in {elapsed:.0f} s. Each figure: median of the repetitions (min-max).",
        "",
        "The bar (upstream figures and our targets) is issue 5's, measured on this same machine. "
        "Caveat: this is a 2-core machine that other test suites may be using at the same time; figures "
        "are noisy (see the load averages) and relative comparisons within one run are more reliable "
        "than absolute ones.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in mach.items()],
        f"- load average at end: {end_load}",
        "",
        "## Server",
        "",
        *[f"- {k}: {v}" for k, v in settings.items()],
        "",
        "## Engine measured",
        "",
        *[f"- {k}: {v}" for k, v in engine_version().items()],
        "",
        "## Results",
        "",
        *[t.markdown() for t in TABLES],
        "## Profile",
        "",
        prof,
    ]
    extra = HERE / "NOTES.md"
    if extra.exists():
        lines += ["", extra.read_text()]
    RESULTS.write_text("\n".join(lines))
    log(f"wrote {RESULTS} ({elapsed:.0f} s)")
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (DB,),
        )


if __name__ == "__main__":
    main()
