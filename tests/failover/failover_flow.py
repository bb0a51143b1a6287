"""The failover test's flow: three steps in a chain, each output naming the execution that made it.

Every handler execution appends a line to this process's events file
(``FAILOVER_EVENTS``) before it returns; the worker's acknowledgements of
completions are appended to the same file (see ``failover_worker``), so the
file says, in order, which execution each acknowledged completion reported.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
import uuid
from typing import TypedDict

from pgflow import Flow
from pgflow.worker import current_task

# Lease (seconds) of a task: a claim lost in the failover comes back this long after it was made.
TIMEOUT = 8


class FailoverInput(TypedDict):
    n: int


class Out(TypedDict):
    v: int
    execution: str


flow = Flow("failover", max_attempts=5, base_delay=0, timeout=TIMEOUT)

_lock = threading.Lock()


def record(kind: str, run_id: str, step: str, detail: str = "") -> None:
    """One line of this process's events file: time, kind, run, step, detail."""
    path = os.environ["FAILOVER_EVENTS"]
    with _lock, open(path, "a") as events:
        events.write(f"{time.time():.6f} {kind} {run_id} {step} {detail}\n")


async def _execute(step: str, value: int) -> Out:
    task = current_task()
    assert task is not None
    await asyncio.sleep(random.uniform(0.1, 0.3))  # long enough for runs to be in flight at the crash
    execution = uuid.uuid4().hex
    record("exec", str(task.run_id), step, f"{task.attempt} {execution}")
    return {"v": value, "execution": execution}


@flow.step()
async def a(run: FailoverInput) -> Out:
    return await _execute("a", run["n"] + 1)


@flow.step()
async def b(a: Out) -> Out:
    return await _execute("b", a["v"] * 2)


@flow.step()
async def c(b: Out) -> Out:
    return await _execute("c", b["v"] + 3)


def expected_output(n: int) -> int:
    return (n + 1) * 2 + 3
