"""Flows for the tests of traces and metrics (importable by worker subprocesses)."""

from __future__ import annotations

import asyncio
import collections
import threading
import time
from typing import TypedDict

from pgflow import Flow, tracing

try:
    from opentelemetry import trace
except ImportError:  # the no-OTel test imports this module too
    trace = None  # type: ignore[assignment]


class Keyed(TypedDict):
    key: str


# -- a chain of three steps, each handler making a span of its own ------------------------

traced = Flow("traced")
# What each handler saw: step slug -> the traceparent current inside it.
seen_traceparents: dict[str, str | None] = {}


def _handler_span(name: str) -> None:
    seen_traceparents[name] = tracing.current_traceparent()
    if trace is not None:
        with trace.get_tracer("observed_flows").start_as_current_span(f"handler work {name}"):
            pass


@traced.step()
def fetch(run: Keyed) -> str:  # sync: runs in a thread of its own
    _handler_span("fetch")
    return run["key"]


@traced.step()
async def parse(fetch: str) -> str:  # async: a task of the worker's loop
    _handler_span("parse")
    await asyncio.sleep(0)
    return fetch.upper()


@traced.step()
def store(parse: str) -> str:
    _handler_span("store")
    return f"stored {parse}"


# -- fails on the first call for a key, then succeeds --------------------------------------

calls: collections.Counter[str] = collections.Counter()
calls_lock = threading.Lock()
flaky = Flow("flaky_traced", base_delay=1)


@flaky.step(max_attempts=2)
def wobble(run: Keyed) -> str:
    with calls_lock:
        calls[run["key"]] += 1
        first = calls[run["key"]] == 1
    if first:
        raise ValueError(f"first call for {run['key']} fails")
    return "ok"


# Deployed but served by no worker of the tests: its tasks stay in the queue.
unserved = Flow("unserved")


@unserved.step()
def waits(run: Keyed) -> str:
    return run["key"]


# -- for the metrics: three roots, one quick, one that renews its lease, one that always fails -

metered = Flow("metered", base_delay=1)


@metered.step()
def quick(run: Keyed) -> str:
    return run["key"]


@metered.step(timeout=1)
def linger(run: Keyed) -> str:
    time.sleep(0.9)  # a lease of 1 s is extended every third of a second
    return run["key"]


@metered.step(max_attempts=2, when_exhausted="skip")
def hopeless(run: Keyed) -> str:
    raise RuntimeError(f"never works ({run['key']})")
