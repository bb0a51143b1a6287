"""Reports, heartbeats, claims, cancels and retries of the same runs at once.

Worker threads claim fan-out and plain tasks and report them (one at a time or
in batches, sometimes failing, sometimes abandoning a task so its lease expires,
sometimes heartbeating first) while another thread cancels and retries those
runs. No transaction may deadlock or fail; afterwards every run stopped is
retried once, and with nothing injected any more every run must complete, each
fan-out with all its outputs in order (a run can always end; nothing is lost or
applied twice).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

pytestmark = pytest.mark.timeout(120)

FAN_OUT = 24
RUNS = 12
DEFINITION = {
    "slug": "load",
    "max_attempts": 3,
    "base_delay": 0,
    "timeout": 1,
    "steps": [
        {"slug": "items"},
        {"slug": "side"},
        {"slug": "each", "deps": ["items"], "fan_out": True},
        {"slug": "total", "deps": ["each", "side"]},
    ],
}


class Load:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.chaos = threading.Event()
        self.chaos.set()
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stops = 0
        self.retries = 0
        self.started = 0

    def record(self, error: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{type(error).__name__}: {error}")

    def worker(self, seed: int) -> None:
        rng = random.Random(seed)
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                try:
                    self.work_once(conn, rng, f"w{seed}")
                except psycopg.Error as error:
                    self.record(error)

    def work_once(self, conn: psycopg.Connection[Any], rng: random.Random, worker_id: str) -> None:
        tasks = conn.execute(
            "SELECT run_id, step_slug, task_index, attempt, lease_token, input"
            " FROM pgflow.claim_tasks(worker_id => %s, max_tasks => 8)",
            (worker_id,),
        ).fetchall()
        if not tasks:
            time.sleep(0.01)
            return
        batch: list[dict[str, Any]] = []
        for run_id, step_slug, task_index, attempt, lease_token, task_input in tasks:
            chaos = self.chaos.is_set()
            if chaos and rng.random() < 0.05:
                continue  # abandoned: its lease expires and another claim takes it
            if rng.random() < 0.2:
                conn.execute(
                    "SELECT pgflow.extend_lease(run_id => %s, step_slug => %s, task_index => %s,"
                    " attempt => %s, lease_token => %s)",
                    (run_id, step_slug, task_index, attempt, lease_token),
                )
            output: Any = task_input["item"] if step_slug == "each" else None
            if step_slug == "items":
                output = list(range(FAN_OUT))
            if chaos and rng.random() < 0.08:
                conn.execute(
                    "SELECT pgflow.fail_task(run_id => %s, step_slug => %s, error_message => 'injected',"
                    " task_index => %s, attempt => %s, lease_token => %s)",
                    (run_id, step_slug, task_index, attempt, lease_token),
                )
            elif rng.random() < 0.5:
                batch.append(
                    {
                        "run_id": str(run_id),
                        "step_slug": step_slug,
                        "output": output,
                        "task_index": task_index,
                        "attempt": attempt,
                        "lease_token": str(lease_token),
                    }
                )
            else:
                conn.execute(
                    "SELECT pgflow.complete_task(run_id => %s, step_slug => %s, output => %s,"
                    " task_index => %s, attempt => %s, lease_token => %s)",
                    (
                        run_id,
                        step_slug,
                        Jsonb(output),
                        task_index,
                        attempt,
                        lease_token,
                    ),
                )
        if batch:
            conn.execute("SELECT count(*) FROM pgflow.complete_tasks(%s)", (Jsonb(batch),))

    def chaos_monkey(self, run_ids: list[str]) -> None:
        rng = random.Random(7)
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while self.chaos.is_set():
                slot = rng.randrange(len(run_ids))
                run_id = run_ids[slot]
                try:
                    status = conn.execute("SELECT status FROM pgflow.runs WHERE run_id = %s", (run_id,)).fetchone()
                    if status and status[0] == "completed":
                        # A fast machine completes runs before the monkey gets to them: a run
                        # that ended makes room for a new one, so there is always one to race.
                        started = conn.execute("SELECT (pgflow.start_flow(flow_slug => 'load')).run_id").fetchone()
                        assert started is not None
                        run_ids[slot] = str(started[0])
                        self.started += 1
                    elif status and status[0] == "started" and rng.random() < 0.5:
                        conn.execute(
                            "SELECT pgflow.cancel_run(run_id => %s, reason => 'load')",
                            (run_id,),
                        )
                        self.stops += 1
                    elif status and status[0] in ("failed", "cancelled"):
                        conn.execute("SELECT pgflow.retry_run(run_id => %s)", (run_id,))
                        self.retries += 1
                except psycopg.Error as error:
                    self.record(error)
                time.sleep(rng.random() * 0.05)


def test_reports_cancels_and_retries_at_once_neither_deadlock_nor_leave_a_run_unable_to_end(
    dsn: str,
) -> None:
    load = Load(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pgflow.define_flow(%s)", (Jsonb(DEFINITION),))
        run_ids = [
            str(row[0])
            for row in conn.execute(
                "SELECT (pgflow.start_flow(flow_slug => 'load')).run_id FROM generate_series(1, %s)",
                (RUNS,),
            ).fetchall()
        ]
    threads = [threading.Thread(target=load.worker, args=(seed,)) for seed in range(6)]
    monkey = threading.Thread(target=load.chaos_monkey, args=(run_ids,))
    for thread in [*threads, monkey]:
        thread.start()
    try:
        # Race for 6 s at least, and until cancels and retries have raced enough: 30 s at most.
        time.sleep(6)
        racing_until = time.monotonic() + 24
        while (load.stops <= 10 or load.retries <= 10) and time.monotonic() < racing_until:
            time.sleep(0.2)
        load.chaos.clear()
        monkey.join()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT pgflow.retry_run(run_id) FROM pgflow.runs WHERE status IN ('failed', 'cancelled')")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                left = conn.execute("SELECT count(*) FROM pgflow.runs WHERE status <> 'completed'").fetchone()
                if left and left[0] == 0:
                    break
                time.sleep(0.2)
            runs = conn.execute(
                "SELECT r.status, ss.output FROM pgflow.runs AS r"
                " JOIN pgflow.step_states AS ss ON ss.run_id = r.run_id AND ss.step_slug = 'each'"
            ).fetchall()
    finally:
        load.chaos.clear()
        load.stop.set()
        for thread in [*threads, monkey]:
            thread.join()
    assert load.errors == []
    assert load.stops > 10 and load.retries > 10, (
        load.stops,
        load.retries,
    )  # the load did race
    assert [status for status, _ in runs] == ["completed"] * (RUNS + load.started)
    assert all(output == list(range(FAN_OUT)) for _, output in runs)
