"""Worker processes for tests about processes: `python -m pgflow.cli worker ...` with a test flow module."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import psycopg
from conftest import TESTS_DIR, subprocess_env


def start_worker_process(dsn: str, spec: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pgflow.cli",
            "worker",
            spec,
            "--poll-interval",
            "0.2",
            *args,
        ],
        env=subprocess_env(dsn, **env),
        cwd=TESTS_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class WorkerProcess:
    """A running worker process; ``log`` is its output once it has stopped."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.log = ""

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


@contextlib.contextmanager
def worker_process(dsn: str, spec: str, *args: str, **env: str) -> Iterator[WorkerProcess]:
    """A worker process for the block, stopped (SIGTERM, then SIGKILL) after it; its output kept."""
    worker = WorkerProcess(start_worker_process(dsn, spec, *args, "--grace", "1", **env))
    try:
        yield worker
    finally:
        if worker.alive:
            worker.process.terminate()
        try:
            worker.log, _ = worker.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.log, _ = worker.process.communicate(timeout=5)


def attempts(conn: psycopg.Connection[Any], run_id: Any) -> list[tuple[Any, ...]]:
    """(step_slug, task_index, attempt, error_type, error_message) of every failed attempt of a run."""
    return conn.execute(
        "SELECT step_slug, task_index, attempt, error_type, error_message FROM pgflow.task_attempts"
        " WHERE run_id = %s ORDER BY step_slug, task_index, attempt",
        (run_id,),
    ).fetchall()


def task_states(conn: psycopg.Connection[Any], run_id: Any) -> list[tuple[Any, ...]]:
    """(step_slug, task_index, status, attempt) of every task of a run."""
    return conn.execute(
        "SELECT step_slug, task_index, status, attempt FROM pgflow.step_tasks WHERE run_id = %s"
        " ORDER BY step_slug, task_index",
        (run_id,),
    ).fetchall()
