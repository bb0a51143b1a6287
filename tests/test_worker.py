"""End-to-end runs: the worker against a real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import psycopg
import sample_flows
from conftest import TESTS_DIR, subprocess_env, wait_until

from pgflow import deploy, get_run, start_flow, start_flows, wait_for_run
from pgflow.examples import parallel_analysis


def task_rows(conn: psycopg.Connection[Any], run_id: Any) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT step_slug, task_index, status, attempt, worker_id, error_message FROM pgflow.step_tasks"
        " WHERE run_id = %s ORDER BY step_slug, task_index",
        (run_id,),
    ).fetchall()


def test_parallel_flow_with_async_and_sync_handlers(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    flow = parallel_analysis.flow
    deploy(conn, flow)
    with worker_factory([flow]):
        run = start_flow(conn, flow, {"text": "I love this great product"})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    assert finished.output == {"combine": {"combined": "Summary: I love this great product, Sentiment: positive"}}
    details = get_run(conn, run.run_id)
    assert details is not None
    assert [(s.step_slug, s.status, s.max_attempt) for s in details.steps] == [
        ("sentiment", "completed", 1),
        ("summary", "completed", 1),
        ("combine", "completed", 1),
    ]


def test_a_failing_handler_is_retried_then_succeeds(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    deploy(conn, sample_flows.flaky)
    with worker_factory([sample_flows.flaky]):
        run = start_flow(conn, sample_flows.flaky, {"key": f"retry-{os.getpid()}-{time.time()}"})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    assert finished.output == {"wobbly": "ok after 2 calls"}
    [(_, _, status, attempt, _, error)] = task_rows(conn, run.run_id)
    assert (status, attempt) == ("completed", 2)
    # The first attempt's failure was recorded with its type, message and traceback.
    [(failed_attempt, error_type, message, details)] = conn.execute(
        "SELECT attempt, error_type, error_message, error_details FROM pgflow.task_attempts WHERE run_id = %s",
        (run.run_id,),
    ).fetchall()
    assert (failed_attempt, error_type) == (1, "RuntimeError")
    assert message.startswith("first call for retry-") and message.endswith(" fails")
    assert error == message
    assert details.startswith("Traceback (most recent call last)") and "in wobbly" in details
    assert details.rstrip().endswith(f"RuntimeError: {message}")


def test_conditions_skip_steps_and_dependents_get_none(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    flow = sample_flows.conditional
    deploy(conn, flow)
    with worker_factory([flow]):
        vip = start_flow(conn, flow, {"name": "Ada", "vip": True})
        regular = start_flow(conn, flow, {"name": "Bob", "vip": False})
        vip_run = wait_for_run(dsn, vip.run_id, timeout=10)
        regular_run = wait_for_run(dsn, regular.run_id, timeout=10)
    assert vip_run.output == {"letter": "Dear Ada, enjoy your gift for Ada"}
    assert regular_run.output == {"letter": "Dear Bob", "after_upsell": "upsell to Bob!"}
    details = get_run(conn, vip.run_id)
    assert details is not None
    assert details.step("upsell").status == "skipped"
    assert details.step("after_upsell").status == "skipped"
    assert "skip-cascade" in (details.step("after_upsell").skip_reason or "")
    regular_details = get_run(conn, regular.run_id)
    assert regular_details is not None
    assert regular_details.step("vip_gift").status == "skipped"
    assert "run_if" in (regular_details.step("vip_gift").skip_reason or "")


def test_fan_out_results_are_in_index_order(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    flow = sample_flows.fan
    deploy(conn, flow)
    with worker_factory([flow], concurrency=5) as worker:
        run = start_flow(conn, flow, {"numbers": [1, 2, 3, 4, 5], "factor": 10})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed", finished.error_message
    assert finished.output == {"total": [10, 20, 30, 40, 50]}
    # The five tasks ran concurrently, finishing last-to-first; `run` was fetched once.
    assert worker.stats["run_input_fetches"] == 1
    finish_order = conn.execute(
        "SELECT task_index FROM pgflow.step_tasks WHERE run_id = %s AND step_slug = 'scale' ORDER BY finished_at",
        (run.run_id,),
    ).fetchall()
    assert [i for (i,) in finish_order] == [4, 3, 2, 1, 0]


def test_pydantic_models_are_serialized_and_rebuilt(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    flow = sample_flows.models
    deploy(conn, flow)
    with worker_factory([flow]):
        run = start_flow(conn, flow, sample_flows.Order(order_id=7, amount=10))
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed", finished.error_message
    assert finished.output == {"describe": "invoice 7: 12.0"}
    assert finished.input == {"order_id": 7, "amount": 10.0}


def test_a_delayed_step_waits(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    flow = sample_flows.delayed
    deploy(conn, flow)
    with worker_factory([flow]):
        run = start_flow(conn, flow)
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    assert 1.0 <= finished.output["second"] < 3.0


def test_a_handler_running_past_its_timeout_fails(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    flow = sample_flows.too_slow
    deploy(conn, flow)
    with worker_factory([flow]) as worker:
        run = start_flow(conn, flow)
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "failed"
    assert "the handler ran longer than the step's timeout (1 s)" in (finished.error_message or "")
    assert worker.stats["timed_out"] == 1
    [(error_type,)] = conn.execute(
        "SELECT error_type FROM pgflow.task_attempts WHERE run_id = %s", (run.run_id,)
    ).fetchall()
    assert error_type == "TimeoutError"


def test_a_lost_lease_drops_the_result(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    flow = sample_flows.stolen
    deploy(conn, flow)
    sample_flows.stolen_cancelled.clear()
    with worker_factory([flow]) as worker:
        run = start_flow(conn, flow)
        wait_until(lambda: task_rows(conn, run.run_id)[0][2] == "started")
        # Someone else takes the task over: its lease expired and another worker claimed it.
        # One transaction, so the worker's own heartbeat cannot renew the lease in between.
        with conn.transaction():
            conn.execute(
                "UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second' WHERE run_id = %s",
                (run.run_id,),
            )
            [claim] = conn.execute("SELECT attempt FROM pgflow.claim_tasks(worker_id => 'thief')").fetchall()
        assert claim == (2,)
        assert sample_flows.stolen_cancelled.wait(5), "the worker kept running a task it no longer holds"
        conn.execute(
            "SELECT pgflow.complete_task(run_id => %s, step_slug => 'long_task', output => '\"thief\"', attempt => 2)",
            (run.run_id,),
        )
    assert worker.stats["lost"] == 1 and worker.stats["completed"] == 0 and worker.stats["failed"] == 0
    details = get_run(conn, run.run_id)
    assert details is not None and details.run.output == {"long_task": "thief"}


def test_the_worker_reconnects_after_its_connections_are_terminated(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    flow = parallel_analysis.flow
    deploy(conn, flow)
    with worker_factory([flow]):
        killed = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
        assert killed is not None and killed[0] >= 2  # the pool's and the listener's
        run = start_flow(conn, flow, {"text": "sad"})
        finished = wait_for_run(dsn, run.run_id, timeout=15)
    assert finished.status == "completed"


def start_worker_process(dsn: str, spec: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pgflow.cli", "worker", spec, "--poll-interval", "0.2", *args],
        env=subprocess_env(dsn, **env),
        cwd=TESTS_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_sigterm_finishes_in_flight_tasks_and_claims_no_more(dsn: str, conn: psycopg.Connection[Any]) -> None:
    flow = sample_flows.slow
    deploy(conn, flow)
    process = start_worker_process(dsn, "sample_flows:slow", "--concurrency", "1", PGFLOW_TEST_SLEEP="1.5")
    try:
        first = start_flow(conn, flow)
        wait_until(lambda: task_rows(conn, first.run_id)[0][2] == "started")
        second = start_flow(conn, flow)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, output
    [(_, _, status, attempt, _, _)] = task_rows(conn, first.run_id)
    assert (status, attempt) == ("completed", 1), output
    [(_, _, status, attempt, _, _)] = task_rows(conn, second.run_id)
    assert (status, attempt) == ("queued", 0), output


def test_a_sigkilled_worker_loses_nothing(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    flow = sample_flows.slow  # timeout (lease) 2 s
    deploy(conn, flow)
    process = start_worker_process(dsn, "sample_flows:slow", "--worker-id", "doomed", PGFLOW_TEST_SLEEP="30")
    try:
        run = start_flow(conn, flow)
        wait_until(lambda: task_rows(conn, run.run_id)[0][2:5] == ("started", 1, "doomed"))
        process.kill()
        process.wait(5)
    finally:
        process.kill()
    with worker_factory([flow], worker_id="survivor"):
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    assert finished.output == {"nap": f"slept in {os.getpid()}"}
    [(_, _, status, attempt, worker_id, _)] = task_rows(conn, run.run_id)
    assert (status, attempt, worker_id) == ("completed", 2, "survivor")


def test_start_flows_starts_many_runs_in_one_call(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    flow = parallel_analysis.flow
    deploy(conn, flow)
    runs = start_flows(conn, flow, [{"text": "good"}, {"text": "bad"}, {"text": "so so"}])
    assert [run.input for run in runs] == [{"text": "good"}, {"text": "bad"}, {"text": "so so"}]
    with worker_factory([flow]):
        finished = [wait_for_run(dsn, run.run_id, timeout=15) for run in runs]
    assert [run.status for run in finished] == ["completed"] * 3
