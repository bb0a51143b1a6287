"""Version routing: a worker claims only the steps its code serves, in every stored version."""

from __future__ import annotations

from typing import Any, TypedDict

import psycopg
from conftest import pgflow_cli, running_worker, wait_until
from psycopg.conninfo import make_conninfo

from pgflow import Flow, deploy, get_run, start_flow, wait_for_run
from pgflow.worker import servable_step_keys


class Text(TypedDict):
    text: str


def analyze_v1() -> Flow:
    flow = Flow("analyze")

    @flow.step
    def fetch(run: Text) -> str:
        return run["text"]

    @flow.step
    def summarize(fetch: str) -> str:
        return fetch[:5]

    @flow.step
    def combine(fetch: str, summarize: str) -> str:
        return f"v1 code: {summarize} of {len(fetch)} chars"

    return flow


def analyze_v2() -> Flow:
    """v1 plus a step "score"; "combine" now depends on summarize and score (its shape changed)."""
    flow = Flow("analyze")

    @flow.step
    def fetch(run: Text) -> str:
        return run["text"]

    @flow.step
    def summarize(fetch: str) -> str:
        return fetch[:5]

    @flow.step
    def score(fetch: str) -> int:
        return len(fetch.split())

    @flow.step
    def combine(summarize: str, score: int) -> str:
        return f"v2 code: {summarize} scored {score}"

    return flow


def step_status(conn: psycopg.Connection[Any], run_id: Any) -> dict[str, tuple[str, str | None]]:
    rows = conn.execute(
        "SELECT ss.step_slug, ss.status, t.worker_id FROM pgflow.step_states AS ss"
        " LEFT JOIN pgflow.step_tasks AS t USING (run_id, step_slug) WHERE ss.run_id = %s",
        (run_id,),
    ).fetchall()
    return {slug: (status, worker) for slug, status, worker in rows}


def test_servable_steps_compare_slug_dependencies_and_fan_out() -> None:
    shapes = [
        {"flow_slug": "analyze", "flow_version": 1, "step_slug": "fetch", "deps": [], "fan_out": False},
        {"flow_slug": "analyze", "flow_version": 1, "step_slug": "summarize", "deps": ["fetch"], "fan_out": True},
        {"flow_slug": "analyze", "flow_version": 1, "step_slug": "combine", "deps": ["fetch", "summarize"]}
        | {"fan_out": False},
        {"flow_slug": "analyze", "flow_version": 1, "step_slug": "gone", "deps": [], "fan_out": False},
        {"flow_slug": "analyze", "flow_version": 2, "step_slug": "combine", "deps": ["score", "summarize"]}
        | {"fan_out": False},
    ]
    served, unserved = servable_step_keys({"analyze": analyze_v2()}, shapes)
    assert served == ["analyze/1/fetch", "analyze/2/combine"]
    assert unserved == [
        "analyze/1/summarize (fan_out True, code False)",
        "analyze/1/combine (dependencies ['fetch', 'summarize'], code ['score', 'summarize'])",
        "analyze/1/gone (no such step in the code)",
    ]


def test_two_versions_in_flight(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    v1, v2 = analyze_v1(), analyze_v2()
    assert deploy(conn, v1) == 1
    old_run = start_flow(conn, v1, {"text": "one two three"})

    with worker_factory([v2], worker_id="new-code", routing_refresh=60.0) as worker:
        # v2 code serves v1's fetch and summarize (unchanged), not v1's combine (its dependencies differ).
        wait_until(lambda: step_status(conn, old_run.run_id)["summarize"][0] == "completed")
        assert worker.step_keys == ["analyze/1/fetch", "analyze/1/summarize"]

        # v2 is deployed while the worker runs: a notification it cannot serve makes it re-read the versions.
        assert deploy(conn, v2) == 2
        new_run = start_flow(conn, v2, {"text": "alpha beta"})
        finished = wait_for_run(dsn, new_run.run_id, timeout=10)
        assert finished.output == {"combine": "v2 code: alpha scored 2"}
        assert "analyze/2/combine" in (worker.step_keys or [])
        [(announced,)] = conn.execute(
            "SELECT step_keys FROM pgflow.workers"
            " WHERE worker_id = 'new-code' AND last_seen_at > now() - '30 s'::interval"
        ).fetchall()
        assert sorted(announced) == [
            "analyze/1/fetch",
            "analyze/1/summarize",
            "analyze/2/combine",
            "analyze/2/fetch",
            "analyze/2/score",
            "analyze/2/summarize",
        ]

        # The old run waits for a worker with v1 code for combine, and says so.
        states = step_status(conn, old_run.run_id)
        assert states["fetch"] == ("completed", "new-code") and states["summarize"] == ("completed", "new-code")
        assert states["combine"] == ("started", None)  # its task is queued, unclaimed
        details = get_run(conn, old_run.run_id)
        assert details is not None and details.run.status == "started"
        assert [str(u) for u in details.unserved] == ["waiting for a worker that serves analyze v1 step combine"]
        status = pgflow_cli(dsn, "status", str(old_run.run_id))
        assert status.returncode == 0, status.stderr
        assert "waiting for a worker that serves analyze v1 step combine" in status.stdout

    with worker_factory([v1], worker_id="old-code") as old_worker:
        finished = wait_for_run(dsn, old_run.run_id, timeout=10)
        # v1 code also serves v2's unchanged steps, but not v2's combine (other dependencies) or score.
        assert old_worker.step_keys == [
            "analyze/1/fetch",
            "analyze/1/summarize",
            "analyze/1/combine",
            "analyze/2/fetch",
            "analyze/2/summarize",
        ]
    assert finished.status == "completed"
    assert finished.output == {"combine": "v1 code: one t of 13 chars"}
    assert step_status(conn, old_run.run_id)["combine"] == ("completed", "old-code")
    details = get_run(conn, old_run.run_id)
    assert details is not None and details.unserved == []
    status = pgflow_cli(dsn, "status", str(old_run.run_id))
    assert "waiting for a worker" not in status.stdout


def test_a_stopped_worker_no_longer_counts_as_serving(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    v1 = analyze_v1()
    deploy(conn, v1)
    with worker_factory([v1], worker_id="short-lived"):
        pass
    [(keys,)] = conn.execute("SELECT step_keys FROM pgflow.workers WHERE worker_id = 'short-lived'").fetchall()
    assert keys == []  # signed off: it serves nothing any more
    run = start_flow(conn, v1, {"text": "x"})
    details = get_run(conn, run.run_id)
    assert details is not None
    assert [str(u) for u in details.unserved] == ["waiting for a worker that serves analyze v1 step fetch"]


def test_a_worker_with_only_the_worker_role_routes_by_version(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    v1 = analyze_v1()
    deploy(conn, v1)
    run = start_flow(conn, v1, {"text": "least privilege"})
    as_worker_role = make_conninfo(dsn, options="-c role=pgflow_worker")
    with running_worker(as_worker_role, [v1], worker_id="restricted") as worker:
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed", finished.error_message
    # pgflow_worker cannot read the definition tables, but step_shapes() is granted to it.
    assert not worker.routing_disabled
    row = conn.execute("SELECT step_keys FROM pgflow.workers WHERE worker_id = 'restricted'").fetchone()
    assert row is not None and row[0] == []  # cleared when it stopped
    assert worker.stats["routing_changes"] >= 1
