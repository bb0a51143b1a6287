"""make bench-citus: pgflow on one node vs on Citus (coordinator + 2 workers), on this machine.

    python bench/citus.py     (BENCH_QUICK=1: smaller; CITUS_PORT: first port, default 5470)

Both set-ups are clusters of their own from ``$PG_CONFIG``'s binaries: one plain
PostgreSQL node, then a Citus coordinator and 2 worker nodes with pgflow distributed
(8 shards). On each it measures, with W worker processes (each one connection,
autocommit, one transaction per call, as the Python worker):

- start: ``start_flow`` calls per second from one client (routed on Citus:
  ``start_flow_routed`` with the run id chosen by the client);
- drain: tasks per second of pre-started 3-step chain runs, each process claiming up to
  10 tasks and completing them one by one (``complete_task``); on Citus each claim goes
  to one node (``claim_node_tasks``), the process moving to the next node when one is
  empty, as the Python worker does.

All nodes share this machine's cores (2 here): the Citus figure shows that the routed
hot path works and what its overhead is, not how it scales. README "Scaling out"
gives the arithmetic for machines of their own. Prints a table; asserts nothing.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "citus"))

from citus_cluster import CitusCluster, citus_available  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
RUNS = 300 if QUICK else 1000
STARTS = 200 if QUICK else 500
WORKERS = [1, 4]
PORT = int(os.environ.get("CITUS_PORT", "5470"))
CHAIN = {"slug": "bench_chain", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}
STARTED = {"slug": "bench_start", "steps": [{"slug": "a"}]}  # the start figure's runs, never claimed


def log(message: str) -> None:
    print(f"[bench-citus {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def drainer(dsn: str, routes: list[uuid.UUID], index: int, done: Any) -> None:
    """Claim 10 and complete each, until a round over every node claims nothing."""
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0) as conn:
        turn = index
        empty_rounds = 0
        while empty_rounds < 2:
            if routes:
                rows = []
                for _ in routes:
                    rows = conn.execute(
                        "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_node_tasks("
                        "route => %s, worker_id => %s, max_tasks => 10, flow_slugs => ARRAY['bench_chain'])",
                        (routes[turn % len(routes)], f"bench-{index}"),
                    ).fetchall()
                    if rows:
                        break
                    turn += 1
            else:
                rows = conn.execute(
                    "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_tasks("
                    "worker_id => %s, max_tasks => 10, flow_slugs => ARRAY['bench_chain'])",
                    (f"bench-{index}",),
                ).fetchall()
            if not rows:
                empty_rounds += 1
                time.sleep(0.05)
                continue
            empty_rounds = 0
            for run_id, step, task_index, attempt, token in rows:
                conn.execute(
                    "SELECT 1 FROM pgflow.complete_task(run_id => %s, step_slug => %s, output => '1', "
                    "task_index => %s, attempt => %s, lease_token => %s)",
                    (run_id, step, task_index, attempt, token),
                ).fetchall()
            with done.get_lock():
                done.value += len(rows)


def measure(cluster: CitusCluster) -> dict[str, float]:
    dsn = cluster.coordinator.dsn()
    figures: dict[str, float] = {}
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0) as conn:
        conn.execute("SELECT pgflow.define_flow(%s)", (Jsonb(CHAIN),))
        conn.execute("SELECT pgflow.define_flow(%s)", (Jsonb(STARTED),))
        routes = [r[0] for r in conn.execute("SELECT route FROM pgflow.citus_routes()").fetchall()]
        began = time.perf_counter()
        for n in range(STARTS):
            conn.execute(
                "SELECT 1 FROM pgflow.start_flow_routed(run_id => %s, flow_slug => 'bench_start', input => %s)",
                (uuid.uuid4(), Jsonb({"n": n})),
            ).fetchall()
        figures["start"] = STARTS / (time.perf_counter() - began)
        for workers in WORKERS:
            conn.execute(
                "SELECT count(*) FROM pgflow.start_flows('bench_chain', "
                "(SELECT jsonb_agg(jsonb_build_object('n', g)) FROM generate_series(1, %s) AS g))",
                (RUNS,),
            ).fetchall()
            done = mp.Value("i", 0)
            began = time.perf_counter()
            processes = [mp.Process(target=drainer, args=(dsn, routes, i, done)) for i in range(workers)]
            for process in processes:
                process.start()
            for process in processes:
                process.join()
            elapsed = time.perf_counter() - began - 0.1  # the final empty rounds
            left = conn.execute(
                "SELECT count(*) FROM pgflow.runs WHERE status = 'started' AND flow_slug = 'bench_chain'"
            ).fetchone()
            if left and left[0]:
                log(f"{left[0]} runs left unfinished with W={workers}")
            figures[f"drain W={workers}"] = done.value / elapsed
    return figures


def main() -> int:
    if not citus_available():
        print("make bench-citus: skipped, Citus is not installed in this PostgreSQL (../shared/citus/install.sh)")
        return 0
    results: dict[str, dict[str, float]] = {}
    for label, workers in (("1 node", 0), ("coordinator + 2 workers", 2)):
        cluster = CitusCluster(base_port=PORT, workers=workers, shard_count=8)
        try:
            log(f"{label}: starting")
            cluster.start()
            results[label] = measure(cluster)
            log(f"{label}: {results[label]}")
        finally:
            cluster.remove()
    keys = list(next(iter(results.values())))
    print(f"\npgflow on one node vs Citus on this machine ({os.cpu_count()} cores shared by every node), "
          f"{RUNS} chain runs of 3 tasks per drain, {STARTS} starts\n")  # fmt: skip
    print("| set-up | " + " | ".join(f"{k} ({'runs' if k == 'start' else 'tasks'}/s)" for k in keys) + " |")
    print("| --- |" + " --- |" * len(keys))
    for label, figures in results.items():
        print(f"| {label} | " + " | ".join(f"{figures[k]:,.0f}" for k in keys) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
