"""Driving pgflow by its SQL functions alone, as a worker would, for tests that need no Python worker."""

from __future__ import annotations

import time
from typing import Any

import psycopg
from psycopg.types.json import Jsonb


def define(conn: psycopg.Connection[Any], definition: dict[str, Any]) -> None:
    conn.execute("SELECT pgflow.define_flow(%s)", [Jsonb(definition)])


def start(conn: psycopg.Connection[Any], flow: str, run_input: dict[str, Any]) -> str:
    row = conn.execute("SELECT run_id::text FROM pgflow.start_flow(%s, %s)", [flow, Jsonb(run_input)]).fetchone()
    assert row is not None
    return str(row[0])


def claim(conn: psycopg.Connection[Any], flows: list[str], max_tasks: int = 100) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT run_id::text, step_slug, task_index, attempt, input FROM pgflow.claim_tasks('upgrade-test', %s, %s)",
        [max_tasks, flows],
    ).fetchall()


def complete(conn: psycopg.Connection[Any], task: tuple[Any, ...], output: Any) -> None:
    run_id, step_slug, task_index, attempt, _ = task
    conn.execute(
        "SELECT pgflow.complete_task(run_id => %s, step_slug => %s, output => %s, task_index => %s, attempt => %s)",
        [run_id, step_slug, Jsonb(output), task_index, attempt],
    )


def output_for(task: tuple[Any, ...]) -> Any:
    """What the test's handlers return: an array for the fan-out source, the item doubled in a fan-out."""
    _, step_slug, _, _, task_input = task
    if step_slug == "items":
        return [1, 2, 3, 4]
    if step_slug == "double":
        return task_input["item"] * 2
    return {"step": step_slug}


def statuses(conn: psycopg.Connection[Any]) -> dict[str, str]:
    return dict(conn.execute("SELECT run_id::text, status FROM pgflow.runs").fetchall())


def drain(conn: psycopg.Connection[Any], flows: list[str], run_ids: list[str], timeout: float = 30) -> None:
    """Claim and complete until every named run has ended."""
    deadline = time.monotonic() + timeout
    while any(statuses(conn)[r] == "started" for r in run_ids):
        assert time.monotonic() < deadline, f"runs still started: {statuses(conn)}"
        tasks = claim(conn, flows)
        for task in tasks:
            complete(conn, task, output_for(task))
        if not tasks:
            time.sleep(0.1)
