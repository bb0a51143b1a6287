"""How the worker reports: batched completions, refused outputs, failures with type and traceback,
and fan-out over nothing."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, TypedDict

import psycopg
import pytest
from conftest import pgflow_cli

from pgflow import Flow, FlowDefinitionError, deploy, flow_definition, get_run, start_flow, wait_for_run
from pgflow.dsl import diff_definitions


class Items(TypedDict):
    items: list[int]


def test_limits_are_part_of_the_definition(conn: psycopg.Connection[Any]) -> None:
    flow = Flow("limited", max_concurrency=4, max_output_bytes=2048)

    @flow.step(max_concurrency=2, max_output_bytes=100)
    def small() -> int:
        return 1

    document = flow.definition()
    assert (document["max_concurrency"], document["max_output_bytes"]) == (4, 2048)
    assert document["steps"] == [{"slug": "small", "max_concurrency": 2, "max_output_bytes": 100}]
    deploy(conn, flow)
    assert conn.execute(
        "SELECT f.max_concurrency, f.max_output_bytes, s.max_concurrency, s.max_output_bytes"
        " FROM pgflow.flows AS f JOIN pgflow.steps AS s USING (flow_slug) WHERE f.flow_slug = 'limited'"
    ).fetchall() == [(4, 2048, 2, 100)]
    assert diff_definitions(flow_definition(conn, "limited"), document) == []

    unlimited = Flow("limited")  # the code drops the limits: a tunable drift, the default output limit
    unlimited.step(small)
    assert diff_definitions(flow_definition(conn, "limited"), unlimited.definition()) == [
        "flow max_concurrency: database 4, code None (tunable)",
        "flow max_output_bytes: database 2048, code 1048576 (tunable)",
        'step "small" max_concurrency: database 2, code null (tunable)',
        'step "small" max_output_bytes: database 100, code null (tunable)',
    ]


def test_limits_are_checked() -> None:
    with pytest.raises(FlowDefinitionError, match="max_concurrency must be an integer >= 1, got 0"):
        Flow("f", max_concurrency=0)
    with pytest.raises(FlowDefinitionError, match="max_output_bytes must be an integer >= 1, got -5"):
        Flow("f", max_output_bytes=-5)
    flow = Flow("f")
    with pytest.raises(FlowDefinitionError, match='step "a" of flow "f": max_output_bytes must be an integer >= 1'):

        @flow.step(max_output_bytes=0)
        def a() -> None: ...

    with pytest.raises(FlowDefinitionError, match='step "b" of flow "f": max_concurrency must be an integer >= 1'):

        @flow.step(max_concurrency=-1)
        def b() -> None: ...


def test_an_output_over_the_limit_fails_the_attempt_and_says_so(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    flow = Flow("oversized", base_delay=0, max_attempts=2)

    @flow.step(max_output_bytes=1000)
    def blob() -> str:
        return "x" * 5000

    deploy(conn, flow)
    caplog.set_level(logging.INFO, logger="pgflow")
    with worker_factory([flow]) as worker:
        run = start_flow(conn, flow)
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "failed"
    assert worker.stats["output_refused"] == 2 and worker.stats["completed"] == 0
    attempts = conn.execute(
        "SELECT attempt, error_type, error_message FROM pgflow.task_attempts WHERE run_id = %s ORDER BY attempt",
        (run.run_id,),
    ).fetchall()
    match = re.fullmatch(r"output too large: (\d+) bytes, max_output_bytes is 1000", attempts[0][2])
    assert match is not None, attempts
    size = int(match[1])
    assert 5000 < size < 5100  # the jsonb size of the string
    assert [(a, t) for a, t, _ in attempts] == [(1, "OutputTooLarge"), (2, "OutputTooLarge")]
    assert {m for _, _, m in attempts} == {f"output too large: {size} bytes, max_output_bytes is 1000"}
    # Nothing oversized was stored.
    assert conn.execute("SELECT output FROM pgflow.step_states WHERE run_id = %s", (run.run_id,)).fetchall() == [
        (None,)
    ]
    refused = [r.getMessage() for r in caplog.records if "refused the output" in r.getMessage()]
    assert len(refused) == 2
    assert f"output too large: {size} bytes, max_output_bytes is 1000; the task will be retried" in refused[0]
    assert "no attempts left, the task failed" in refused[1]
    assert any(r.levelno == logging.WARNING and "over max_output_bytes 1000" in r.getMessage() for r in caplog.records)


def test_completions_that_finish_together_are_reported_in_batches(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    flow = Flow("batched")

    @flow.step
    def split(run: Items) -> list[int]:
        return run["items"]

    @flow.step(fan_out=True)
    async def square(split: int) -> int:
        await asyncio.sleep(0.05)  # all twenty finish at about the same time
        return split * split

    @flow.step
    def total(square: list[int]) -> int:
        return sum(square)

    deploy(conn, flow)
    with worker_factory([flow], concurrency=20) as worker:
        run = start_flow(conn, flow, {"items": list(range(20))})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed", finished.error_message
    assert finished.output == {"total": sum(i * i for i in range(20))}
    assert worker.stats["completed"] == 22
    # split and total ran alone (a report each, sent at once); the twenty squares shared a few round trips.
    assert worker.stats["completion_batches"] <= 8, dict(worker.stats)
    assert conn.execute(
        "SELECT count(*) FROM pgflow.step_tasks WHERE run_id = %s AND status = 'completed'", (run.run_id,)
    ).fetchone() == (22,)


def test_status_shows_each_failed_attempt_with_its_type_and_traceback(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    flow = Flow("divide", base_delay=0, max_attempts=2)

    class Division(TypedDict):
        value: int

    @flow.step
    def divide(run: Division) -> float:
        return 100 / run["value"]

    deploy(conn, flow)
    with worker_factory([flow]):
        run = start_flow(conn, flow, {"value": 0})
        wait_for_run(dsn, run.run_id, timeout=10)
    details = get_run(conn, run.run_id)
    assert details is not None
    assert [(a.attempt, a.error_type, a.error_message) for a in details.failed_attempts] == [
        (1, "ZeroDivisionError", "division by zero"),
        (2, "ZeroDivisionError", "division by zero"),
    ]
    status = pgflow_cli(dsn, "status", str(run.run_id))
    assert "divide: attempt 1 failed: ZeroDivisionError: division by zero" in status.stdout
    assert "divide: attempt 2 failed: ZeroDivisionError: division by zero" in status.stdout
    assert "Traceback" not in status.stdout
    verbose = pgflow_cli(dsn, "status", str(run.run_id), "-v")
    assert "    Traceback (most recent call last):" in verbose.stdout
    assert 'return 100 / run["value"]' in verbose.stdout


def test_fan_out_over_an_empty_list_or_a_skipped_step_gives_an_empty_list(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    class Maybe(TypedDict):
        items: list[int]
        go: bool

    flow = Flow("fan_nothing")

    @flow.step(run_if={"run": {"go": True}})
    def source(run: Maybe) -> list[int]:
        return run["items"]

    @flow.step(fan_out=True)
    def double(source: int) -> int:
        return source * 2

    @flow.step
    def collect(double: list[int]) -> dict[str, Any]:
        return {"doubled": double, "count": len(double)}

    deploy(conn, flow)
    with worker_factory([flow]):
        empty = start_flow(conn, flow, {"items": [], "go": True})
        skipped = start_flow(conn, flow, {"items": [1, 2], "go": False})
        some = start_flow(conn, flow, {"items": [1, 2], "go": True})
        runs = [wait_for_run(dsn, r.run_id, timeout=10) for r in (empty, skipped, some)]
    assert [r.output for r in runs] == [
        {"collect": {"doubled": [], "count": 0}},
        {"collect": {"doubled": [], "count": 0}},
        {"collect": {"doubled": [2, 4], "count": 2}},
    ]
    for run, source_status in ((empty, "completed"), (skipped, "skipped")):
        details = get_run(conn, run.run_id)
        assert details is not None
        assert details.step("source").status == source_status
        assert (details.step("double").status, details.step("double").output, details.step("double").tasks) == (
            "completed",
            [],
            0,
        )
