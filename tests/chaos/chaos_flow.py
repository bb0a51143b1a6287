"""The chaos suite's flows: a diamond and a fan-out, whose handlers log every execution outside the database.

``diamond``: a -> (b, c) -> d.  ``fanout``: split -> work (one task per item) -> join.

Each handler does a little real work (hashing its inputs), sleeps a random
while, now and then fails on purpose (a retry must absorb it), and fails for
good when the run input dooms its step. With ``CHAOS_HOSTILE=<share>`` that
share of executions misbehaves instead (SystemExit, KeyboardInterrupt,
CancelledError, an exception whose ``str()`` raises, an output JSON cannot
encode): each must fail its attempt, and never kill the worker. Before it returns it appends one JSON
line per event to its worker process's own log file (``$CHAOS_LOG_DIR``, one
file per process, ``O_APPEND`` writes that a SIGKILL cannot lose):

    {"event": "start" | "end" | "fail", "exec": uuid4, "run": run id, "step": ..., "index": ...,
     "attempt": ..., "worker": worker id, "pid": ..., "t": wall clock}

and returns the execution id in its output, so the harness can tell which
execution's output the database kept, and whether that execution belonged to
the attempt (and the worker) that ``step_tasks`` names as final.

The attempt number comes from ``pgflow.current_task()``, the claim the running
handler serves. Should it ever name another task, the attempt is logged as null
and the harness's "stored output from the final attempt" check fails loudly
rather than passing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import time
import uuid
from typing import Any, Final, TypedDict

from pgflow import Flow, current_task

MAX_ATTEMPTS: Final = 12  # crashes, kills and stops each cost in-flight tasks an attempt
TIMEOUT: Final = 4  # seconds: the lease; the harness stops workers for longer than this
FAILURE_RATE: Final = 0.03  # planned, retried failures
# --hostile: the share of executions that misbehave as issue 10 lists (each must cost an attempt, not the worker).
HOSTILE_RATE: Final = float(os.environ.get("CHAOS_HOSTILE") or 0)
HOSTILE: Final = ("SystemExit", "KeyboardInterrupt", "CancelledError", "unprintable exception", "unencodable output")
DIAMOND: Final = ("a", "b", "c", "d")
FANOUT: Final = ("split", "work", "join")


class ChaosInput(TypedDict):
    run_id: str
    seed: int
    items: int  # fan-out runs: how many items split produces
    doom: str | None  # a step that always fails: the run must end failed


class Result(TypedDict):
    exec: str
    value: str


class Item(TypedDict):
    n: int
    exec: str


class ChaosFailure(RuntimeError):
    """A planned failure."""


def digest(*parts: object) -> str:
    """The handlers' "real work": a few rounds of SHA-256 over the inputs (the harness recomputes it)."""
    data = json.dumps(parts, sort_keys=True).encode()
    for _ in range(200):
        data = hashlib.sha256(data).digest()
    return data.hex()[:16]


_log_fd: int | None = None


def _log(record: dict[str, object]) -> None:
    global _log_fd
    if _log_fd is None:
        worker = os.environ.get("CHAOS_WORKER_ID", "unknown")
        path = os.path.join(os.environ["CHAOS_LOG_DIR"], f"exec-{worker}-{os.getpid()}.jsonl")
        _log_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(_log_fd, (json.dumps(record) + "\n").encode())


def _attempt(run_id: str, step: str, index: int) -> int | None:
    """The attempt this handler serves, from pgflow.current_task(); None (the harness fails it) if that disagrees."""
    task = current_task()
    if task is None or (str(task.run_id), task.step_slug, task.task_index) != (run_id, step, index):
        return None
    return task.attempt


async def _execute(run: ChaosInput, step: str, index: int = 0) -> Any:
    """Log the start, work, maybe fail, log the end; the execution id goes into the output.

    (Any: with CHAOS_HOSTILE, in place of the id, maybe a value the worker cannot encode.)
    """
    execution = str(uuid.uuid4())
    record: dict[str, object] = {
        "exec": execution,
        "run": run["run_id"],
        "step": step,
        "index": index,
        "attempt": _attempt(run["run_id"], step, index),
        "worker": os.environ.get("CHAOS_WORKER_ID"),
        "pid": os.getpid(),
    }
    _log({"event": "start", "t": time.time(), **record})
    await asyncio.sleep(random.choice((0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0)))
    if run["doom"] == step or random.random() < FAILURE_RATE:
        _log({"event": "fail", "t": time.time(), **record})
        raise ChaosFailure(f"planned failure of {step}[{index}] in run {run['run_id']} (doomed: {run['doom']})")
    if HOSTILE_RATE and random.random() < HOSTILE_RATE:
        return _misbehave(record)
    _log({"event": "end", "t": time.time(), **record})
    return execution


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("this exception cannot be printed")


def _misbehave(record: dict[str, object]) -> Any:
    """What a hostile handler does (CHAOS_HOSTILE): each must fail this attempt only, never the worker."""
    how = random.choice(HOSTILE)
    _log({"event": "fail", "t": time.time(), "hostile": how, **record})
    if how == "SystemExit":
        raise SystemExit(3)
    if how == "KeyboardInterrupt":
        raise KeyboardInterrupt
    if how == "CancelledError":
        raise asyncio.CancelledError
    if how == "unprintable exception":
        raise _Unprintable
    return 10**5000  # the execution id's place in the output: an int JSON cannot encode (over 4,300 digits)


diamond = Flow("chaos_diamond", max_attempts=MAX_ATTEMPTS, base_delay=0, timeout=TIMEOUT)


@diamond.step
async def a(run: ChaosInput) -> Result:
    return {"exec": await _execute(run, "a"), "value": digest("a", run["seed"])}


@diamond.step
async def b(a: Result, run: ChaosInput) -> Result:
    return {"exec": await _execute(run, "b"), "value": digest("b", a["value"])}


@diamond.step
async def c(a: Result, run: ChaosInput) -> Result:
    return {"exec": await _execute(run, "c"), "value": digest("c", a["value"])}


@diamond.step
async def d(b: Result, c: Result, run: ChaosInput) -> Result:
    return {
        "exec": await _execute(run, "d"),
        "value": digest("d", b["value"], c["value"]),
    }


fanout = Flow("chaos_fanout", max_attempts=MAX_ATTEMPTS, base_delay=0, timeout=TIMEOUT)


@fanout.step
async def split(run: ChaosInput) -> list[Item]:
    execution = await _execute(run, "split")
    return [{"n": n, "exec": execution} for n in range(run["items"])]


@fanout.step(fan_out=True)
async def work(split: Item, index: int, run: ChaosInput) -> Result:
    return {
        "exec": await _execute(run, "work", index),
        "value": digest("work", run["seed"], split["n"]),
    }


@fanout.step
async def join(work: list[Result], run: ChaosInput) -> Result:
    return {
        "exec": await _execute(run, "join"),
        "value": digest("join", [r["value"] for r in work]),
    }


def expected_values(kind: str, seed: int, items: int) -> dict[str, str]:
    """What each step's ``value`` must be (fan-out tasks as ``work[i]``), recomputed by the harness."""
    if kind == "diamond":
        va = digest("a", seed)
        vb, vc = digest("b", va), digest("c", va)
        return {"a": va, "b": vb, "c": vc, "d": digest("d", vb, vc)}
    values = {f"work[{n}]": digest("work", seed, n) for n in range(items)}
    values["join"] = digest("join", [values[f"work[{n}]"] for n in range(items)])
    return values
