"""`make test-citus`: pgflow on a Citus cluster of this machine (coordinator + 2 workers).

    python tests/citus/citus_e2e.py [--runs 1000] [--workers 4] [--keep]
    (PG_CONFIG: the PostgreSQL install that has pgflow (make install) and Citus
    (../shared/citus/install.sh); ports CITUS_PORT.. CITUS_PORT+2, default 5470)

It starts the three nodes, installs pgflow with ``pgflow install --citus`` on the
coordinator, deploys the critique's example flows and a three-step chain, starts
4 ``pgflow worker`` processes against the coordinator, and checks:

- routing: every hot-path call (start_flow_routed, claim_node_tasks, complete_task,
  fail_task, extend_lease, run_input, watch_run, cancel_run, retry_run) is one command
  on one node, the node of the run (``citus.log_remote_commands``: the coordinator
  sends exactly one statement, to that node, and no two-phase commit), and EXPLAIN of
  a call shows one task on that node;
- what Citus cannot do is refused, never wrong: limits (0A000 naming Citus), a claim
  on the coordinator (no shards there), a run_id with someone else's idempotency key;
- the example flows end as they do on one node, with the same outputs;
- RUNS chain runs (default 1000) all complete with the right output, their shards on
  both workers, and both workers' shards were claimed from;
- a ``pgflow worker`` connected to a worker node (not the coordinator) completes runs
  of both nodes; a frozen version stays frozen (add_step, and the shape trigger that
  fires on every node's copy of a definition table); prune empties every node.

Exits 0 when every check passed, 1 otherwise, 0 with a message when Citus is absent.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from citus_cluster import CitusCluster, citus_available
from citus_flows import chain, chain_output
from psycopg.types.json import Jsonb

from pgflow import deploy, start_flow
from pgflow.client import idempotent_run_id
from pgflow.examples import (
    fan_out,
    parallel_analysis,
    retry,
    separation_of_concerns,
    vip,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORKER_SPECS = [
    "citus_flows:chain",
    "pgflow.examples.parallel_analysis:flow",
    "pgflow.examples.vip:flow",
    "pgflow.examples.fan_out:flow",
    "pgflow.examples.retry:flow",
    "pgflow.examples.separation_of_concerns:flow",
]


def log(message: str) -> None:
    print(f"[citus {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def check(self, ok: bool, what: str) -> None:
        if ok:
            self.passed += 1
            log(f"ok    {what}")
        else:
            self.failed.append(what)
            log(f"FAIL  {what}")


def pgflow_cli(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-m", "pgflow.cli", *args, "--dsn", dsn],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def start_workers(
    dsn: str, count: int, log_dir: Path, name: str = "citus-worker"
) -> list[tuple[subprocess.Popen[str], Path]]:
    """``count`` worker processes; each logs to a file of its own (a pipe nobody reads would fill and stall it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    workers = []
    for i in range(count):
        log_path = log_dir / f"{name}-{i}.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "pgflow.cli", "worker", *WORKER_SPECS, "--dsn", dsn, "--concurrency", "16",
                 "--poll-interval", "0.2", "--worker-id", f"{name}-{i}"],
                env=env, cwd=HERE, stdout=log_file, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
        workers.append((process, log_path))
    return workers


def remote_commands(conn: psycopg.Connection[Any], statement: str, params: tuple[Any, ...] = ()) -> list[str]:
    """The commands the coordinator sends to other nodes for one statement (citus.log_remote_commands)."""
    notices: list[str] = []

    def collect(diag: psycopg.errors.Diagnostic) -> None:
        if diag.message_primary and diag.message_primary.startswith("issuing "):
            notices.append(f"{diag.message_primary} [{diag.message_detail or ''}]")

    conn.add_notice_handler(collect)
    try:
        conn.execute("SET citus.log_remote_commands = on")
        conn.execute("SET client_min_messages = log")
        conn.execute(statement.encode(), params).fetchall()
    finally:
        conn.execute("RESET client_min_messages")
        conn.execute("RESET citus.log_remote_commands")
        conn.remove_notice_handler(collect)
    return notices


def node_of_run(conn: psycopg.Connection[Any], run_id: uuid.UUID) -> int:
    row = conn.execute(
        "SELECT n.nodeport FROM pg_dist_placement AS p JOIN pg_dist_node AS n ON n.groupid = p.groupid "
        "WHERE p.shardid = get_shard_id_for_distribution_column('pgflow.runs', %s)",
        (run_id,),
    ).fetchone()
    assert row is not None
    return int(row[0])


def single_node_call(
    checks: Checks,
    conn: psycopg.Connection[Any],
    what: str,
    statement: str,
    params: tuple[Any, ...],
    port: int,
) -> None:
    commands = remote_commands(conn, statement, params)
    to_port = [c for c in commands if re.search(rf":{port} ", c) or f":{port}]" in c or f":{port} connectionId" in c]
    checks.check(
        len(commands) == 1 and len(to_port) == 1 and "PREPARE TRANSACTION" not in " ".join(commands),
        f"{what} is one command to the run's node (:{port}): {commands}",
    )


def check_routing(checks: Checks, cluster: CitusCluster) -> None:
    dsn = cluster.coordinator.dsn()
    with psycopg.connect(dsn, autocommit=True) as conn:
        run_id = uuid.uuid4()
        port = node_of_run(conn, run_id)
        single_node_call(
            checks,
            conn,
            "start_flow_routed",
            "SELECT * FROM pgflow.start_flow_routed(run_id => %s, flow_slug => 'citus_chain', input => %s)",
            (run_id, Jsonb({"n": 1})),
            port,
        )
        explain = "\n".join(
            str(r[0])
            for r in conn.execute(
                "EXPLAIN (VERBOSE) SELECT * FROM pgflow.run_input(run_id => %s)",
                (run_id,),
            ).fetchall()
        )
        checks.check(
            "Task Count: 1" in explain and f"port={port}" in explain,
            f"EXPLAIN of run_input shows one task on node :{port}",
        )
        routes = {int(r[2]): r[0] for r in conn.execute("SELECT * FROM pgflow.citus_routes()").fetchall()}
        checks.check(
            set(routes) == {n.port for n in cluster.worker_nodes},
            f"citus_routes has one route per worker: {routes}",
        )
        claimed: list[Any] = []
        for node_port, route in routes.items():
            commands = remote_commands(
                conn,
                "SELECT * FROM pgflow.claim_node_tasks(route => %s, worker_id => 'routing-check', max_tasks => 1, "
                "flow_slugs => ARRAY['no_such_flow'])",
                (route,),
            )
            checks.check(
                len(commands) == 1 and f":{node_port}" in commands[0],
                f"claim_node_tasks through the route of :{node_port} is one command to that node",
            )
            rows = conn.execute(
                "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_node_tasks("
                "route => %s, worker_id => 'routing-check', max_tasks => 10, flow_slugs => ARRAY['citus_chain'])",
                (route,),
            ).fetchall()
            checks.check(
                all(node_of_run(conn, r[0]) == node_port for r in rows),
                f"the claim on :{node_port} handed out tasks of runs on :{node_port} only ({len(rows)})",
            )
            claimed.extend(rows)
        mine = [r for r in claimed if r[0] == run_id]
        checks.check(len(mine) == 1, "the run's first task was claimed through its node's route")
        if mine:
            _, step, index, attempt, token = mine[0]
            single_node_call(
                checks,
                conn,
                "extend_lease",
                "SELECT pgflow.extend_lease(run_id => %s, step_slug => %s, task_index => %s, "
                "attempt => %s, lease_token => %s)",
                (run_id, step, index, attempt, token),
                port,
            )
            single_node_call(
                checks,
                conn,
                "fail_task",
                "SELECT * FROM pgflow.fail_task(run_id => %s, step_slug => %s, error_message => 'routing check', "
                "task_index => %s, attempt => %s, lease_token => %s)",
                (run_id, step, index, attempt, token),
                port,
            )
        single_node_call(
            checks,
            conn,
            "run_input",
            "SELECT pgflow.run_input(run_id => %s)",
            (run_id,),
            port,
        )
        single_node_call(
            checks,
            conn,
            "watch_run",
            "SELECT * FROM pgflow.watch_run(run_id => %s)",
            (run_id,),
            port,
        )
        single_node_call(
            checks,
            conn,
            "cancel_run",
            "SELECT * FROM pgflow.cancel_run(run_id => %s, reason => 'check')",
            (run_id,),
            port,
        )
        single_node_call(
            checks,
            conn,
            "retry_run",
            "SELECT * FROM pgflow.retry_run(run_id => %s)",
            (run_id,),
            port,
        )
        # A completion, on a run of its own claimed through its route.
        other = uuid.uuid4()
        other_port = node_of_run(conn, other)
        conn.execute(
            "SELECT * FROM pgflow.start_flow_routed(run_id => %s, flow_slug => 'citus_chain', input => %s)",
            (other, Jsonb({"n": 2})),
        )
        task = None
        for _ in range(20):
            rows = conn.execute(
                "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_node_tasks("
                "route => %s, worker_id => 'routing-check', max_tasks => 50, flow_slugs => ARRAY['citus_chain'])",
                (routes[other_port],),
            ).fetchall()
            task = next((r for r in rows if r[0] == other), None)
            if task is not None:
                break
        checks.check(task is not None, "a new run's task is claimable through its node's route")
        if task is not None:
            single_node_call(
                checks,
                conn,
                "complete_task",
                "SELECT * FROM pgflow.complete_task(run_id => %s, step_slug => %s, output => '3', "
                "task_index => %s, attempt => %s, lease_token => %s)",
                (other, task[1], task[2], task[3], task[4]),
                other_port,
            )
        for cancelled in (run_id, other):
            conn.execute("SELECT pgflow.cancel_run(run_id => %s)", (cancelled,))


def check_refusals(checks: Checks, cluster: CitusCluster) -> None:
    with psycopg.connect(cluster.coordinator.dsn(), autocommit=True) as conn:

        def refused(what: str, statement: str, params: tuple[Any, ...], needle: str) -> None:
            try:
                conn.execute(statement.encode(), params)
            except psycopg.Error as error:
                checks.check(
                    error.sqlstate == "0A000" and needle in str(error),
                    f"{what} is refused (0A000): {str(error).splitlines()[0]}",
                )
            else:
                checks.check(False, f"{what} is refused")

        refused(
            "a flow with max_concurrency",
            "SELECT pgflow.define_flow(%s)",
            (Jsonb({"slug": "limited", "max_concurrency": 2, "steps": [{"slug": "a"}]}),),
            "Citus",
        )
        refused(
            "a step with a rate_limit",
            "SELECT pgflow.define_flow(%s)",
            (
                Jsonb(
                    {
                        "slug": "limited",
                        "steps": [{"slug": "a", "rate_limit": 5, "rate_period": 1}],
                    }
                ),
            ),
            "Citus",
        )
        refused(
            "a signal step",
            "SELECT pgflow.define_flow(%s)",
            (Jsonb({"slug": "waits", "steps": [{"slug": "approval", "signal": True}]}),),
            'signal steps of flow "waits" (step "approval") are not supported on Citus',
        )
        refused(
            "a subflow step",
            "SELECT pgflow.define_flow(%s)",
            (Jsonb({"slug": "parent", "steps": [{"slug": "child", "subflow": "citus_chain"}]}),),
            'subflow steps of flow "parent" (step "child") are not supported on Citus',
        )
        refused(
            "a schedule",
            "SELECT pgflow.schedule(flow_slug => 'citus_chain', cron => '0 3 * * *')",
            (),
            'schedules of flow "citus_chain" are not supported on Citus',
        )
        ticked = conn.execute("SELECT count(*) FROM pgflow.tick()").fetchone()
        checks.check(ticked == (0,), f"tick on Citus starts nothing and does not fail: {ticked}")
        refused(
            "claim_tasks on the coordinator (it holds no shards)",
            "SELECT * FROM pgflow.claim_tasks('x')",
            (),
            "claim_node_tasks",
        )
        refused(
            "a run_id of one's own with an idempotency_key",
            "SELECT * FROM pgflow.start_flow(flow_slug => 'citus_chain', run_id => %s, idempotency_key => 'k')",
            (uuid.uuid4(),),
            "Citus",
        )
        keyed = (
            "SELECT run_id FROM pgflow.start_flow(flow_slug => 'citus_chain', input => %s, idempotency_key => 'once')"
        )
        first = conn.execute(keyed, (Jsonb({"n": 5}),)).fetchone()
        again = conn.execute(keyed, (Jsonb({"n": 6}),)).fetchone()
        assert first is not None and again is not None
        checks.check(
            first[0] == again[0] == idempotent_run_id("citus_chain", "once"),
            "an idempotency key starts one run, whose id is the key's (SQL and Python agree)",
        )


EXAMPLE_RUNS: list[tuple[Any, dict[str, Any], str, Callable[[Any], bool]]] = [
    (
        vip.flow,
        {"name": "Ada", "userIsVIP": True},
        "completed",
        lambda out: (
            out == {"send_confirmation": {"msg": "Sent: Completed VIP step: concierge assigned to Ada (gold)."}}
        ),
    ),
    (
        vip.flow,
        {"name": "Bob", "userIsVIP": False},
        "completed",
        lambda out: out == {"send_confirmation": {"msg": "Sent: Completed normal step: standard welcome for Bob."}},
    ),
    (
        fan_out.flow,
        {"items": ["apple", "kiwi", "banana", "fig", "cherry"], "multiplier": 2},
        "completed",
        lambda out: (
            out
            == {
                "combine_results": {
                    "count": 5,
                    "total_length": 48,
                    "items": ["APPLE", "KIWI", "BANANA", "FIG", "CHERRY"],
                }
            }
        ),
    ),
    (
        separation_of_concerns.flow,
        {"userId": "u1"},
        "completed",
        lambda out: out == {"process_data": {"user_id": "u1", "order_count": 3, "total": 49.75}},
    ),
    (
        retry.flow,
        {"value": 4},
        "completed",
        lambda out: out == {"division_step": {"result": 25.0}},
    ),
    (retry.flow, {"value": 0}, "failed", lambda out: out is None),
    (
        parallel_analysis.flow,
        {"text": "I love this great little engine, the docs are good and nothing is awful"},
        "completed",
        lambda out: isinstance(out, dict) and set(out) == {"combine"},
    ),
]


def wait_for(dsn: str, run_ids: list[uuid.UUID], timeout: float) -> dict[uuid.UUID, tuple[str, Any]]:
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            rows = conn.execute(
                "SELECT run_id, status, output FROM pgflow.runs WHERE run_id = ANY (%s)",
                (run_ids,),
            ).fetchall()
            done = {r[0]: (r[1], r[2]) for r in rows if r[1] != "started"}
            if len(done) == len(run_ids) or time.monotonic() > deadline:
                return {r[0]: (r[1], r[2]) for r in rows}
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("CITUS_RUNS", "1000")))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CITUS_PORT", "5470")))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the cluster running (its directory is printed)",
    )
    args = parser.parse_args()
    if not citus_available():
        print(
            "make test-citus: skipped, Citus is not installed in this PostgreSQL "
            "(run ../shared/citus/install.sh as root, or install postgresql-15-citus-13.2)"
        )
        return 0
    checks = Checks()
    cluster = CitusCluster(base_port=args.port, workers=2, shard_count=8)
    workers: list[tuple[subprocess.Popen[str], Path]] = []
    began = time.monotonic()
    try:
        log(f"starting a coordinator and 2 workers on ports {args.port}-{args.port + 2} in {cluster.root}")
        cluster.start(install=False)
        dsn = cluster.coordinator.dsn()
        installed = pgflow_cli(dsn, "install", "--citus")
        checks.check(
            installed.returncode == 0 and "distributed over Citus" in installed.stdout,
            f"pgflow install --citus: {installed.stdout.strip().splitlines()[:2]} {installed.stderr.strip()[-500:]}",
        )
        if installed.returncode != 0:
            return 1
        with psycopg.connect(dsn, autocommit=True) as conn:
            kinds: dict[str, str] = dict(
                conn.execute(
                    "SELECT logicalrelid::text, partmethod FROM pg_dist_partition "
                    "WHERE logicalrelid::text LIKE 'pgflow.%'"
                ).fetchall()
            )
        checks.check(
            all(
                kinds.get(f"pgflow.{t}") == "h"
                for t in (
                    "runs",
                    "step_states",
                    "step_tasks",
                    "fan_out_shards",
                    "task_attempts",
                    "run_watchers",
                )
            ),
            "the run tables are distributed by hash (of run_id)",
        )
        checks.check(
            all(kinds.get(f"pgflow.{t}") == "n" for t in ("flows", "steps", "deps", "flow_locks", "flow_grants")),
            "the definition tables are reference tables",
        )
        for flow in (
            chain,
            parallel_analysis.flow,
            vip.flow,
            fan_out.flow,
            retry.flow,
            separation_of_concerns.flow,
        ):
            deploy(dsn, flow)
        check_refusals(checks, cluster)
        check_routing(checks, cluster)

        workers = start_workers(dsn, args.workers, cluster.root)
        log(
            f"{args.workers} pgflow worker processes against the coordinator; the examples, then {args.runs} chain runs"
        )
        examples = [
            (start_flow(dsn, flow, data).run_id, flow.slug, status, ok) for flow, data, status, ok in EXAMPLE_RUNS
        ]
        chain_runs: dict[uuid.UUID, int] = {}
        started = time.monotonic()
        with psycopg.connect(dsn, autocommit=True) as conn:
            for n in range(args.runs):
                chain_runs[start_flow(conn, chain, {"n": n}).run_id] = n
        log(f"started {args.runs} chain runs in {time.monotonic() - started:.1f} s")
        ended = wait_for(dsn, [r for r, *_ in examples], timeout=60)
        for run_id, slug, status, ok in examples:
            got_status, output = ended.get(run_id, ("missing", None))
            checks.check(
                got_status == status and ok(output),
                f"example {slug} {run_id}: {got_status} {output}",
            )
        ended = wait_for(dsn, list(chain_runs), timeout=240)
        elapsed = time.monotonic() - started
        right = sum(1 for r, n in chain_runs.items() if ended.get(r) == ("completed", chain_output(n)))
        checks.check(
            right == args.runs,
            f"{right} of {args.runs} chain runs completed with the right output "
            f"({3 * args.runs / elapsed:.0f} tasks/s end to end)",
        )
        with psycopg.connect(dsn, autocommit=True) as conn:
            per_node: dict[int, int] = dict(
                conn.execute(
                    "SELECT n.nodeport, sum(p.result::bigint) FROM run_command_on_placements('pgflow.runs', "
                    "'SELECT count(*) FROM %s WHERE flow_slug = ''citus_chain''') AS p "
                    "JOIN pg_dist_node AS n ON n.nodename = p.nodename AND n.nodeport = p.nodeport GROUP BY 1"
                ).fetchall()
            )
            claimed_on: dict[int, int] = dict(
                conn.execute(
                    "SELECT n.nodeport, sum(p.result::bigint) FROM run_command_on_placements('pgflow.step_tasks', "
                    "'SELECT count(DISTINCT worker_id) FROM %s WHERE worker_id LIKE ''citus-worker-%%''') AS p "
                    "JOIN pg_dist_node AS n ON n.nodename = p.nodename AND n.nodeport = p.nodeport GROUP BY 1"
                ).fetchall()
            )
        checks.check(
            len(per_node) == 2 and all(v > args.runs // 4 for v in per_node.values()),
            f"chain runs landed on both workers: {per_node}",
        )
        checks.check(
            len(claimed_on) == 2 and all(v > 0 for v in claimed_on.values()),
            f"workers claimed on both nodes (distinct workers seen per node, summed over shards): {claimed_on}",
        )
        # The Python worker against a worker node's DSN: every node routes, so it claims
        # on both nodes and reports to the runs' nodes through the node it is connected to.
        for process, _ in workers:
            process.terminate()
            process.wait(timeout=15)
        workers.extend(start_workers(cluster.worker_nodes[0].dsn(), 1, cluster.root, name="direct-worker"))
        with psycopg.connect(dsn, autocommit=True) as conn:
            direct_runs = {start_flow(conn, chain, {"n": n}).run_id: n for n in range(40)}
        ended = wait_for(dsn, list(direct_runs), timeout=60)
        right = sum(1 for r, n in direct_runs.items() if ended.get(r) == ("completed", chain_output(n)))
        with psycopg.connect(dsn, autocommit=True) as conn:
            direct_nodes: dict[int, int] = dict(
                conn.execute(
                    "SELECT n.nodeport, sum(p.result::bigint) FROM run_command_on_placements('pgflow.step_tasks', "
                    "'SELECT count(*) FROM %s WHERE worker_id = ''direct-worker-0''') AS p "
                    "JOIN pg_dist_node AS n ON n.nodename = p.nodename AND n.nodeport = p.nodeport GROUP BY 1"
                ).fetchall()
            )
        checks.check(
            right == len(direct_runs) and len(direct_nodes) == 2 and all(v > 0 for v in direct_nodes.values()),
            f"a worker connected to a worker node completes runs of both nodes: {right} of {len(direct_runs)}, "
            f"its tasks per node {direct_nodes}",
        )
        with psycopg.connect(dsn, autocommit=True) as conn:
            try:
                conn.execute(
                    "SELECT pgflow.add_step(flow_slug => 'citus_chain', step_slug => 'extra', deps => ARRAY['third'])"
                )
            except psycopg.Error as error:
                frozen = error.sqlstate == "55000" and "immutable" in str(error)
                checks.check(frozen, f"a version with runs is frozen on Citus too: {str(error).splitlines()[0]}")
            else:
                checks.check(False, "a version with runs is frozen on Citus too (add_step was accepted)")
            try:
                conn.execute(
                    'UPDATE pgflow.steps SET run_if = \'{"run": {"n": 1}}\' '
                    "WHERE flow_slug = 'citus_chain' AND step_slug = 'second'"
                )
            except psycopg.Error as error:
                frozen = error.sqlstate == "55000" and "immutable" in str(error)
                checks.check(
                    frozen, f"the frozen-shape trigger fires on the nodes' copies: {str(error).splitlines()[0]}"
                )
            else:
                checks.check(False, "the frozen-shape trigger fires on the nodes' copies (the UPDATE was accepted)")
        with psycopg.connect(dsn, autocommit=True) as conn:
            removed = 0
            while True:
                row = conn.execute(
                    "SELECT pgflow.prune(older_than => interval '0 seconds', batch_size => 500)"
                ).fetchone()
                assert row is not None
                if not row[0]:
                    break
                removed += int(row[0])
            left = conn.execute("SELECT count(*) FROM pgflow.runs WHERE status <> 'started'").fetchone()
        checks.check(removed > 0 and left is not None and left[0] == 0,
                     f"prune removes every finished run on every node ({removed} rows)")  # fmt: skip
    finally:
        for process, _ in workers:
            process.terminate()
        logs = []
        for process, log_path in workers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            logs.append(log_path.read_text())
        errors = [line for out in logs for line in out.splitlines() if "Traceback" in line or " ERROR " in line]
        if workers:
            # The doomed retry example logs its last failure at ERROR: that one is expected.
            unexpected = [e for e in errors if "division_step" not in e and "ZeroDivisionError" not in e]
            checks.check(
                not unexpected,
                f"worker logs have no unexpected errors ({len(unexpected)}): {unexpected[:3]}",
            )
        if args.keep:
            log(f"cluster left running in {cluster.root}")
        else:
            cluster.remove()
    log(f"{checks.passed} checks passed, {len(checks.failed)} failed, in {time.monotonic() - began:.0f} s")
    for failure in checks.failed:
        log(f"failed: {failure}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
