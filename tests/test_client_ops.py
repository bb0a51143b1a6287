"""prune, retry_run and cancel_run in the client API (what `pgflow prune`, `retry` and `cancel` print)."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from pgflow import cancel_run, prune, retry_run
from pgflow.client import PruneResult

ONE_STEP = {"slug": "ops", "max_attempts": 1, "steps": [{"slug": "only"}]}


def _failed_run(conn: psycopg.Connection[Any]) -> str:
    conn.execute("SELECT pgflow.define_flow(definition => %s)", (Jsonb(ONE_STEP),))
    [(run_id,)] = conn.execute("SELECT run_id::text FROM pgflow.start_flow(flow_slug => 'ops')").fetchall()
    conn.execute("SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'pytest')")
    conn.execute("SELECT pgflow.fail_task(run_id => %s, step_slug => 'only', error_message => 'boom')", (run_id,))
    return str(run_id)


def test_retry_run_returns_the_run_started_again(conn: psycopg.Connection[Any]) -> None:
    run_id = _failed_run(conn)
    retried = retry_run(conn, run_id)
    assert (str(retried.run_id), retried.flow_slug, retried.status) == (run_id, "ops", "started")
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
        retry_run(conn, run_id)  # started: nothing to retry
    with pytest.raises(psycopg.errors.NoDataFound):
        retry_run(conn, uuid.uuid4())


def test_cancel_run_says_why_nothing_changed_for_a_finished_run(dsn: str, conn: psycopg.Connection[Any]) -> None:
    run_id = _failed_run(conn)
    outcome = cancel_run(dsn, run_id, "no longer needed")
    assert outcome.run.status == "failed"
    assert outcome.notice is not None and "already failed" in outcome.notice
    retry_run(conn, run_id)
    cancelled = cancel_run(conn, run_id, "no longer needed")
    assert (cancelled.run.status, cancelled.notice) == ("cancelled", None)
    assert "no longer needed" in (cancelled.run.error_message or "")


def test_prune_counts_rows_and_batches(dsn: str, conn: psycopg.Connection[Any]) -> None:
    run_id = _failed_run(conn)
    conn.execute("UPDATE pgflow.runs SET finished_at = now() - interval '2 days' WHERE run_id = %s", (run_id,))
    # The run, its step state, its task and its failed attempt.
    assert prune(dsn, "1 day", batch_size=1) == PruneResult(removed=4, batches=1)
    assert prune(dsn, "1 day") == PruneResult(0, 0)
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        prune(dsn, "1 day", batch_size=0)
