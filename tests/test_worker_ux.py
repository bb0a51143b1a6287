"""The worker's log speaks clearly: a line per task, failures by level, a summary at stop, honest shutdowns."""

from __future__ import annotations

import logging
import re
import signal
import time
from typing import Any

import psycopg
import pytest
import sample_flows
import ux_flows
from conftest import wait_until
from worker_processes import attempts, start_worker_process

from pgflow import deploy, start_flow, wait_for_run


def messages(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pgflow.worker" and r.levelno == level]


def test_a_finished_task_is_one_line_at_info(
    conn: psycopg.Connection[Any], worker_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pgflow")
    deploy(conn, ux_flows.quick)
    with worker_factory([ux_flows.quick]):
        run = start_flow(conn, ux_flows.quick)
        wait_for_run(conn, run.run_id, timeout=10)
    done = [m for m in messages(caplog, logging.INFO) if f"run {run.run_id} ok in" in m]
    assert len(done) == 2, done
    assert re.fullmatch(rf"quick/first run {run.run_id} ok in \d+ ms", done[0])
    assert re.fullmatch(rf"quick/second run {run.run_id} ok in (\d{{3}} ms|\d\.\d s)", done[1])  # it sleeps 0.3 s


def test_a_failed_attempt_is_a_warning_with_the_retry_time_and_the_last_an_error(
    conn: psycopg.Connection[Any], worker_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pgflow")
    deploy(conn, ux_flows.always_fails)
    deploy(conn, ux_flows.once)
    with worker_factory([ux_flows.always_fails, ux_flows.once]):
        retried = start_flow(conn, ux_flows.always_fails)
        final = start_flow(conn, ux_flows.once)
        wait_for_run(conn, final.run_id, timeout=10)
        wait_until(lambda: attempts(conn, retried.run_id))
    [warning] = [m for m in messages(caplog, logging.WARNING) if str(retried.run_id) in m]
    assert re.fullmatch(
        rf"always_fails/broken run {retried.run_id} attempt 1 failed: ValueError: the service said no; "
        r"retry at \d\d:\d\d:\d\d \(in (29|30) s\)",
        warning,
    )
    [error] = [m for m in messages(caplog, logging.ERROR) if str(final.run_id) in m]
    assert error == (
        f"once/fail_once run {final.run_id} attempt 1 failed: ValueError: no attempts left; "
        "no attempts left: the step failed"
    )


def test_a_stopping_worker_logs_a_summary_line(
    conn: psycopg.Connection[Any], worker_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pgflow")
    deploy(conn, ux_flows.quick)
    deploy(conn, ux_flows.once)
    with worker_factory([ux_flows.quick, ux_flows.once], worker_id="summing"):
        wait_for_run(conn, start_flow(conn, ux_flows.quick).run_id, timeout=10)
        wait_for_run(conn, start_flow(conn, ux_flows.once).run_id, timeout=10)
    [summary] = [m for m in messages(caplog, logging.INFO) if m.startswith("worker summing: stopped after ")]
    assert re.fullmatch(
        r"worker summing: stopped after \d+\.\d s: 3 task\(s\) claimed, 2 completed, "
        r"1 attempt\(s\) failed \(1 with no attempts left\)",
        summary,
    )


def test_a_second_signal_says_it_skipped_the_grace_period(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, sample_flows.stolen)
    run = start_flow(conn, sample_flows.stolen)
    process = start_worker_process(dsn, "sample_flows:stolen", "--grace", "30")
    try:
        wait_until(
            lambda: (
                conn.execute("SELECT status FROM pgflow.step_tasks WHERE run_id = %s", (run.run_id,)).fetchone()
                == ("started",)
            )
        )
        process.send_signal(signal.SIGINT)
        time.sleep(0.5)  # the first signal handled: a second one means "now"
        process.send_signal(signal.SIGINT)
        log, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert "received SIGINT again: skipping the grace period" in log, log
    [failure] = attempts(conn, run.run_id)
    assert failure[3:] == (
        "CancelledError",
        "worker shut down before the handler finished (grace period skipped by a second signal)",
    )
    assert "grace period 30 s" not in log
