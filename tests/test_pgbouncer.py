"""Behind pgbouncer in transaction pooling mode: the worker and the client with nothing but its DSN.

A transaction pooler hands each transaction to any server connection, so
nothing may live in a session: no server-side prepared statements (psycopg
prepares a statement it ran five times), no LISTEN. The worker detects the
pooler (its backend pid is not the server's), sends no prepared statements,
and polls for work unless ``listen_dsn`` gives it a direct connection for
wake-ups; a start-up self-test says which of the two it uses.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from bouncer import PGBOUNCER, pgbouncer
from conftest import TESTS_DIR, subprocess_env, wait_until
from pooled_flows import pooled
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from test_metrics import free_port, scrape
from worker_processes import worker_process

from pgflow import client, ui
from pgflow.store import behind_pooler
from pgflow.testing import worker_thread
from pgflow.ui.server import Request
from pgflow.worker.metrics import serve_metrics

pytestmark = pytest.mark.skipif(PGBOUNCER is None, reason="pgbouncer is not installed (apt-get install pgbouncer)")

RUNS = 200


@pytest.fixture
def bouncer_dsn(dsn: str) -> Iterator[str]:
    """The test database through pgbouncer (pool_mode = transaction)."""
    with pgbouncer(dsn) as through:
        yield make_conninfo(through, dbname=str(conninfo_to_dict(dsn)["dbname"]))


def _run_all(
    bouncer_dsn: str,
    caplog: pytest.LogCaptureFixture,
    wake_mode: str,
    **worker_options: Any,
) -> list[client.Run]:
    """Deploy, start RUNS two-step runs, run a worker until all end: everything through the pooler."""
    client.deploy(bouncer_dsn, pooled)
    run_ids = [uuid.uuid4() for _ in range(RUNS)]
    with (
        caplog.at_level(logging.INFO, logger="pgflow.worker"),
        worker_thread(bouncer_dsn, [pooled], concurrency=8, poll_interval=0.2, **worker_options) as worker,
    ):
        wait_until(lambda: worker.wake_mode is not None, timeout=10)
        assert worker.wake_mode == wake_mode
        for n, run_id in enumerate(run_ids):  # one call (one connection) each, as a web app would
            client.start_flow(bouncer_dsn, pooled, {"n": n}, run_id=run_id)
        deadline = time.monotonic() + 45
        with psycopg.connect(bouncer_dsn, autocommit=True, prepare_threshold=None) as conn:
            while time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT count(*) FROM pgflow.runs WHERE run_id = ANY(%s) AND status = 'started'",
                    (run_ids,),
                ).fetchone()
                if row is not None and row[0] == 0:
                    break
                time.sleep(0.2)
    runs = []
    for run_id in run_ids:
        details = client.get_run(bouncer_dsn, run_id)
        assert details is not None
        runs.append(details.run)
    return runs


def _assert_all_completed(runs: list[client.Run]) -> None:
    assert [r.status for r in runs] == ["completed"] * RUNS
    assert [r.output for r in runs] == [{"add_one": n * 2 + 1} for n in range(RUNS)]


def test_a_connection_through_pgbouncer_is_detected_as_pooled(dsn: str, bouncer_dsn: str) -> None:
    with (
        psycopg.connect(bouncer_dsn, autocommit=True) as through,
        psycopg.connect(dsn, autocommit=True) as direct,
    ):
        assert behind_pooler(through) is True
        assert behind_pooler(direct) is False


def test_runs_complete_through_pgbouncer_with_a_direct_listen_connection(
    dsn: str, bouncer_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    _assert_all_completed(_run_all(bouncer_dsn, caplog, "listen", listen_dsn=dsn))
    messages = [r.getMessage() for r in caplog.records]
    assert any("connected through a connection pooler" in m for m in messages), messages
    assert any("wake-ups: LISTEN" in m for m in messages), messages


def test_runs_complete_through_pgbouncer_by_polling(bouncer_dsn: str, caplog: pytest.LogCaptureFixture) -> None:
    _assert_all_completed(_run_all(bouncer_dsn, caplog, "polling"))
    messages = [r.getMessage() for r in caplog.records]
    assert any("wake-ups: polling every 0.2 s" in m for m in messages), messages


def test_wait_for_run_through_pgbouncer_returns_once_the_run_ends(dsn: str, bouncer_dsn: str) -> None:
    client.deploy(bouncer_dsn, pooled)
    run = client.start_flow(bouncer_dsn, pooled, {"n": 20})
    with worker_thread(dsn, [pooled]):
        began = time.monotonic()
        finished = client.wait_for_run(bouncer_dsn, run.run_id, timeout=20, recheck_interval=5.0)
        waited = time.monotonic() - began
    assert finished.status == "completed" and finished.output == {"add_one": 41}
    assert waited < 3.0  # polled often, not once per recheck_interval (a LISTEN through the pooler never fires)


def test_a_direct_connection_passes_the_listen_self_test(dsn: str, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.INFO, logger="pgflow.worker"),
        worker_thread(dsn, [pooled]) as worker,
    ):
        wait_until(lambda: worker.wake_mode is not None, timeout=10)
        assert worker.wake_mode == "listen"
    messages = [r.getMessage() for r in caplog.records]
    assert not any("connection pooler" in m for m in messages), messages


def test_pgbouncer_in_session_mode_keeps_listen(dsn: str) -> None:
    """The self-test tells transaction pooling (notifications lost) from session pooling (they arrive)."""
    with pgbouncer(dsn, pool_mode="session") as through:
        session_dsn = make_conninfo(through, dbname=str(conninfo_to_dict(dsn)["dbname"]))
        client.deploy(session_dsn, pooled)
        with worker_thread(session_dsn, [pooled]) as worker:
            wait_until(lambda: worker.wake_mode is not None, timeout=10)
            assert worker.wake_mode == "listen"
            run = client.start_flow(session_dsn, pooled, {"n": 1})
            assert client.wait_for_run(dsn, run.run_id, timeout=20).output == {"add_one": 3}


def test_polling_through_pgbouncer_claims_within_the_poll_interval(
    bouncer_dsn: str,
) -> None:
    client.deploy(bouncer_dsn, pooled)
    with worker_thread(bouncer_dsn, [pooled], poll_interval=0.5) as worker:
        wait_until(lambda: worker.wake_mode == "polling", timeout=10)
        time.sleep(1.0)  # idle: waiting for work with nothing to wake it but the timer
        run = client.start_flow(bouncer_dsn, pooled, {"n": 5})
        assert client.wait_for_run(bouncer_dsn, run.run_id, timeout=20).output == {"add_one": 11}
    with psycopg.connect(bouncer_dsn, autocommit=True, prepare_threshold=None) as conn:
        waits = conn.execute(
            "SELECT extract(epoch FROM t.started_at - t.queued_at) FROM pgflow.step_tasks AS t"
            " WHERE t.run_id = %s ORDER BY t.step_slug",
            (run.run_id,),
        ).fetchall()
    assert len(waits) == 2
    assert all(float(wait) < 0.5 + 0.4 for (wait,) in waits), waits  # a poll interval, and some scheduling slack


def test_the_worker_command_takes_a_listen_dsn(dsn: str, bouncer_dsn: str) -> None:
    client.deploy(bouncer_dsn, pooled)
    runs = [client.start_flow(bouncer_dsn, pooled, {"n": n}) for n in range(20)]
    with worker_process(bouncer_dsn, "pooled_flows:pooled", "--listen-dsn", dsn) as worker:
        for run in runs:
            assert client.wait_for_run(bouncer_dsn, run.run_id, timeout=30).status == "completed"
    assert "connected through a connection pooler" in worker.log
    assert "wake-ups: LISTEN" in worker.log


def test_start_wait_through_pgbouncer_polls_until_the_run_ends(dsn: str, bouncer_dsn: str) -> None:
    """``pgflow start --wait`` re-reads the run on one connection: more than five times, psycopg
    would prepare the statement, which the next server connection does not know."""
    client.deploy(bouncer_dsn, pooled)
    starter = subprocess.Popen(
        [sys.executable, "-m", "pgflow.cli", "start", "pooled", "--input", '{"n": 4}', "--wait", "30"],
        env=subprocess_env(bouncer_dsn),
        cwd=TESTS_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4.0)  # a dozen re-reads before any worker runs
    with worker_thread(dsn, [pooled]):
        out, err = starter.communicate(timeout=30)
    assert starter.returncode == 0, err
    run_id = out.split()[0]
    details = client.get_run(bouncer_dsn, run_id)
    assert details is not None and details.run.output == {"add_one": 9}


def test_the_ui_and_the_metrics_endpoint_work_through_pgbouncer(bouncer_dsn: str) -> None:
    """Both read the same statements over and over on long-lived connections (never prepared)."""
    client.deploy(bouncer_dsn, pooled)
    client.start_flow(bouncer_dsn, pooled, {"n": 1})
    running = ui.start(bouncer_dsn, "127.0.0.1", 0)
    try:
        for _ in range(8):
            response = running.app.respond(Request("GET", "/runs", {}))
            assert response.status == 200, response.body[:300]
    finally:
        running.close()
    metrics = serve_metrics(free_port(), bouncer_dsn)
    try:
        for _ in range(8):
            samples = scrape(metrics.port)
            assert samples["pgflow_queue_stats_up"] == 1
            assert samples['pgflow_queue_queued{flow="pooled",step="double"}'] == 1
    finally:
        metrics.close()
