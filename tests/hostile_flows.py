"""Flows whose handlers attack the worker, as a production user's handlers might (run by worker processes)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping
from typing import Any, TypedDict

from pgflow import Flow


class Order(TypedDict):
    what: str


# -- hung sync handlers: each costs its own slot, and the worker says which one is stuck ------

hung = Flow("hung", timeout=2, max_attempts=1)


@hung.step
def sleeper(run: Order) -> str:
    # 0.8 s: three in a row outlast the 2 s timeout; a nap outlasts it and then returns.
    time.sleep({"hang": 60.0, "nap": 3.5}.get(run["what"], 0.8))
    return f"done: {run['what']}"


# -- outputs that cannot be stored ---------------------------------------------------------

huge = Flow("huge", max_attempts=1)


class Exiting(Mapping[str, Any]):
    """An output whose serialization raises SystemExit (to_json reads its items)."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        raise SystemExit("serializing this output exits")

    def __len__(self) -> int:
        return 1


@huge.step
def number(run: Order) -> Any:
    if run["what"] == "exiting":
        return Exiting()
    return 10**5000 if run["what"] == "huge" else 7  # str() of it raises ValueError (> 4,300 digits)


batch = Flow("batch", max_attempts=1)


@batch.step
async def encode(run: Order) -> Any:
    await asyncio.sleep(0.1)  # runs claimed together finish together: one batch of completions
    return 10**5000 if run["what"] == "huge" else run["what"]


# -- a run input nested too deep for json.loads ---------------------------------------------

deep = Flow("deep", max_attempts=1)


@deep.step
def look(run: Any) -> str:
    return "looked" if isinstance(run, dict) and "shallow" in run else "deep"


# -- async handlers that raise what asyncio re-raises out of the loop -----------------------

exits = Flow("exits", max_attempts=1, timeout=30)


@exits.step
async def leave(run: Order) -> str:
    if run["what"] == "interrupt":
        raise KeyboardInterrupt
    if run["what"] == "exit":
        raise SystemExit(3)
    if run["what"] == "nul":
        raise ValueError("a NUL \x00 inside")
    if run["what"] == "cancel":
        raise asyncio.CancelledError("the handler cancelled itself")
    await asyncio.sleep(1.5)  # still running while the others raise
    return "steady"


# -- an exception whose str() raises ----------------------------------------------------------


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


unprintable = Flow("unprintable", max_attempts=1, timeout=30)


@unprintable.step
def shout() -> None:
    raise Unprintable
