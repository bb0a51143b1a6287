"""Flows for the CLI and worker UX tests (importable by CLI subprocesses)."""

from __future__ import annotations

import time
from typing import TypedDict

from pgflow import Flow


class Greeting(TypedDict):
    name: str
    times: int


# Three deployments of one flow: the original, a tunable changed, a step added (a new shape).
greet = Flow("greet", input_type=Greeting)


@greet.step
def hello(run: Greeting) -> str:
    return "hello " + run["name"] * run["times"]


greet_tuned = Flow("greet", input_type=Greeting, max_attempts=5)


@greet_tuned.step(slug="hello")
def hello_tuned(run: Greeting) -> str:
    return "hello " + run["name"]


greet_reshaped = Flow("greet", input_type=Greeting, max_attempts=5)


@greet_reshaped.step(slug="hello")
def hello_reshaped(run: Greeting) -> str:
    return "hello " + run["name"]


@greet_reshaped.step
def shout(hello: str) -> str:
    return hello.upper()


# A step that always fails, with a long backoff: its retry waits, then it fails for good.
always_fails = Flow("always_fails", max_attempts=2, base_delay=30)


@always_fails.step
def broken() -> None:
    raise ValueError("the service said no")


once = Flow("once", max_attempts=1)


@once.step
def fail_once() -> None:
    raise ValueError("no attempts left")


# A step that waits (delay_seconds) before it may run.
later = Flow("later")


@later.step(delay_seconds=600)
def eventually() -> str:
    return "done"


quick = Flow("quick")


@quick.step
def first() -> int:
    return 1


@quick.step
def second(first: int) -> int:
    time.sleep(0.3)
    return first + 1
