"""The soak test's flow: a chain, a fan-out and a join, with handlers that misbehave on schedule.

Each run's input carries a plan: for each step, how many calls fail first
(``fail``) and how many then exceed the step's timeout (``slow``). Calls are
counted per task in the table ``soak_calls`` (in the soak database, through a
connection of the handler's own), so the plan holds across worker processes
and across a worker killed mid-call. A run whose plan has a step failing more
often than ``MAX_ATTEMPTS`` must end failed; every other run must complete,
even with the chaos (a SIGKILLed worker, terminated connections) costing a
task an attempt or two.
"""

from __future__ import annotations

import asyncio
import os
from typing import Final, TypedDict

import psycopg

from pgflow import Flow

MAX_ATTEMPTS: Final = 6
TIMEOUT: Final = 2  # seconds; a "slow" call sleeps longer than this


class StepPlan(TypedDict):
    fail: int
    slow: int


class SoakInput(TypedDict):
    key: str
    items: list[int]
    plan: dict[str, StepPlan]


class SoakFailure(RuntimeError):
    """A planned failure."""


async def _misbehave(run: SoakInput, step: str, task_index: int = 0) -> None:
    """Count this call, then fail, exceed the timeout or return, as the run's plan says."""
    async with await psycopg.AsyncConnection.connect(
        os.environ["SOAK_DSN"], autocommit=True, application_name="soak-handler"
    ) as conn:
        cursor = await conn.execute(
            "WITH call AS (INSERT INTO soak_calls (key, step, task_index) VALUES (%(key)s, %(step)s, %(i)s)) "
            "SELECT count(*) + 1 FROM soak_calls WHERE key = %(key)s AND step = %(step)s AND task_index = %(i)s",
            {"key": run["key"], "step": step, "i": task_index},
        )
        row = await cursor.fetchone()
    assert row is not None
    call = int(row[0])
    plan = run["plan"].get(step, {"fail": 0, "slow": 0})
    if call <= plan["fail"]:
        raise SoakFailure(f"planned failure {call}/{plan['fail']} of {step}[{task_index}] in {run['key']}")
    if call <= plan["fail"] + plan["slow"]:
        await asyncio.sleep(TIMEOUT + 1.5)  # the worker gives up at TIMEOUT and fails the attempt


flow = Flow("soak", max_attempts=MAX_ATTEMPTS, base_delay=0, timeout=TIMEOUT)


@flow.step
async def chain_a(run: SoakInput) -> int:
    await _misbehave(run, "chain_a")
    return len(run["key"])


@flow.step
async def chain_b(chain_a: int, run: SoakInput) -> int:
    await _misbehave(run, "chain_b")
    return chain_a * 10


@flow.step
async def split(run: SoakInput) -> list[int]:
    await _misbehave(run, "split")
    return run["items"]


@flow.step(fan_out=True)
async def work(split: int, index: int, run: SoakInput) -> int:
    await _misbehave(run, "work", index)
    return split * 2


@flow.step
async def join(chain_b: int, work: list[int], run: SoakInput) -> int:
    await _misbehave(run, "join")
    return chain_b + sum(work)


def expected_output(run: SoakInput) -> int:
    return len(run["key"]) * 10 + sum(2 * item for item in run["items"])
