"""The CLI shows subflows: `pgflow runs` names a child run's parent, `pgflow status` shows the tree of runs."""

from __future__ import annotations

import json
import re

import psycopg
from conftest import pgflow_cli

from pgflow.client import start_flow, wait_for_run
from pgflow.examples import subflows
from pgflow.testing import worker_thread

CUSTOMERS = {"customers": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bob"}]}


def _finished_report(dsn: str) -> str:
    deployed = pgflow_cli(dsn, "deploy", "pgflow.examples.subflows:flow")
    assert deployed.returncode == 0, deployed.stderr
    # The child flow is deployed first, then the parent that names it.
    assert deployed.stdout.splitlines() == [
        'flow "enrich_customer": version 1 created',
        'flow "customer_report": version 1 created',
    ]
    run = start_flow(dsn, subflows.flow, CUSTOMERS)
    with worker_thread(dsn, [subflows.flow]):
        assert wait_for_run(dsn, run.run_id, timeout=30).status == "completed"
    return str(run.run_id)


def test_runs_names_the_parent_of_each_child_run(dsn: str) -> None:
    parent = _finished_report(dsn)
    listed = pgflow_cli(dsn, "runs")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == [
        "run_id",
        "flow",
        "status",
        "started",
        "duration",
        "error",
        "parent",
    ]
    children = [row for row in rows if "enrich_customer" in row]
    assert sorted(row.split()[-1] for row in children) == [
        f"{parent}/enriched[0]",
        f"{parent}/enriched[1]",
    ]
    as_json = json.loads(pgflow_cli(dsn, "runs", "--json").stdout)
    assert sorted(
        (r["parent_run_id"], r["parent_step_slug"], r["parent_task_index"]) for r in as_json if r["parent_run_id"]
    ) == [
        (parent, "enriched", 0),
        (parent, "enriched", 1),
    ]


def test_status_shows_the_tree_of_a_run_and_its_children(dsn: str) -> None:
    parent = _finished_report(dsn)
    shown = pgflow_cli(dsn, "status", parent)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any(line.startswith("enriched [fan-out] [runs enrich_customer]") for line in lines)
    tree = lines[lines.index("child runs:") + 1 :]
    assert [line.split()[0:2] for line in tree[:2]] == [
        ["enriched[0]", "->"],
        ["enriched[1]", "->"],
    ]
    assert all("enrich_customer v1" in line and "completed" in line for line in tree[:2])

    document = json.loads(pgflow_cli(dsn, "status", parent, "--json").stdout)
    assert [(c["parent_task_index"], c["flow_slug"], c["status"], c["children"]) for c in document["children"]] == [
        (0, "enrich_customer", "completed", []),
        (1, "enrich_customer", "completed", []),
    ]

    child = document["children"][0]["run_id"]
    child_status = pgflow_cli(dsn, "status", child).stdout
    assert f"child run of {parent}, step enriched[0]" in child_status


def test_status_says_when_a_subflow_step_starts_its_next_child(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("""SELECT pgflow.define_flow('{"slug": "kid", "steps": [{"slug": "work", "max_attempts": 1}]}')""")
        conn.execute(
            """SELECT pgflow.define_flow('{"slug": "mom", "steps": [
                 {"slug": "sub", "subflow": "kid", "max_attempts": 2, "base_delay": 60}]}')"""
        )
        started = conn.execute("SELECT run_id FROM pgflow.start_flow('mom')").fetchone()
        child = conn.execute("SELECT run_id, lease_token FROM pgflow.claim_tasks('w1', 1, '{kid}')").fetchone()
        assert started is not None and child is not None
        parent = started[0]
        conn.execute("SELECT pgflow.fail_task(%s, 'work', 'boom', lease_token => %s)", child)
    shown = pgflow_cli(dsn, "status", str(parent))
    assert shown.returncode == 0, shown.stderr
    # The first child failed: the step waits out its backoff before its second child, not "running".
    assert re.search(r"sub: retry in (59|60) s \(attempt 2 of 2: a new child run of kid\)", shown.stdout), shown.stdout
