"""Flows used by the end-to-end and CLI tests (importable by worker subprocesses)."""

from __future__ import annotations

import asyncio
import collections
import os
import threading
import time
from dataclasses import dataclass
from typing import TypedDict

from pydantic import BaseModel

from pgflow import Flow

# -- retries: fails on the first call for a key, then succeeds ---------------------------

calls: collections.Counter[str] = collections.Counter()
calls_lock = threading.Lock()


class Keyed(TypedDict):
    key: str


flaky = Flow("flaky", base_delay=1)


@flaky.step(max_attempts=3)
def wobbly(run: Keyed) -> str:
    with calls_lock:
        calls[run["key"]] += 1
        count = calls[run["key"]]
    if count == 1:
        raise RuntimeError(f"first call for {run['key']} fails")
    return f"ok after {count} calls"


# -- conditions --------------------------------------------------------------------------


class Customer(TypedDict):
    name: str
    vip: bool


conditional = Flow("conditional")


@conditional.step(run_if={"run": {"vip": True}})
def vip_gift(run: Customer) -> str:
    return f"gift for {run['name']}"


@conditional.step(run_unless={"run": {"vip": True}}, when_unmet="skip-cascade")
def upsell(run: Customer) -> str:
    return f"upsell to {run['name']}"


@conditional.step
def after_upsell(upsell: str) -> str:  # never runs without upsell: no `| None` needed
    return upsell + "!"


@conditional.step
def letter(run: Customer, vip_gift: str | None) -> str:
    return f"Dear {run['name']}" + (f", enjoy your {vip_gift}" if vip_gift else "")


# -- fan-out, with results finishing out of order ---------------------------------------


class Numbers(TypedDict):
    numbers: list[int]
    factor: int


@dataclass
class Scaled:
    index: int
    value: int


fan = Flow("fan")


@fan.step
def numbers(run: Numbers) -> list[int]:
    return run["numbers"]


@fan.step(fan_out=True)
async def scale(numbers: int, index: int, run: Numbers) -> Scaled:
    await asyncio.sleep(0.05 * (len(run["numbers"]) - index))  # later items finish first
    return Scaled(index, numbers * run["factor"])


@fan.step
def total(scale: list[Scaled]) -> list[int]:
    return [s.value for s in scale]


# -- pydantic models in and out ---------------------------------------------------------


class Order(BaseModel):
    order_id: int
    amount: float


class Invoice(BaseModel):
    order_id: int
    total_with_tax: float


models = Flow("models")


@models.step
def invoice(run: Order) -> Invoice:
    return Invoice(order_id=run.order_id, total_with_tax=round(run.amount * 1.2, 2))


@models.step
def describe(invoice: Invoice) -> str:
    assert isinstance(invoice, Invoice)
    return f"invoice {invoice.order_id}: {invoice.total_with_tax}"


# -- a delay ---------------------------------------------------------------------------

delayed = Flow("delayed")


@delayed.step
def first() -> float:
    return time.time()


@delayed.step(delay_seconds=1)
def second(first: float) -> float:
    return time.time() - first


# -- slow work: shutdown, SIGKILL, timeouts, lost leases --------------------------------

slow = Flow("slow", timeout=2, base_delay=0)


@slow.step
def nap() -> str:
    time.sleep(float(os.environ.get("PGFLOW_TEST_SLEEP", "0")))
    return f"slept in {os.getpid()}"


too_slow = Flow("too_slow", timeout=1, max_attempts=1)


@too_slow.step
async def forever() -> None:
    await asyncio.sleep(30)


stolen_cancelled = threading.Event()
stolen = Flow("stolen", timeout=3)


@stolen.step
async def long_task() -> str:
    try:
        await asyncio.sleep(20)
    except asyncio.CancelledError:
        stolen_cancelled.set()
        raise
    return "finished"
