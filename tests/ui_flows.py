"""Flows the web UI tests run (importable by the unit and the browser tests)."""

from __future__ import annotations

import threading

from pgflow import Flow

# -- report: load -> (summarize, enrich) -> publish; load waits for the test's go-ahead ----

report = Flow("report")
load_may_finish = threading.Event()


@report.step
def load(run: dict[str, int]) -> list[int]:
    if not load_may_finish.wait(20):
        raise TimeoutError("the test never let load finish")
    return list(range(run.get("n", 3)))


@report.step
def summarize(load: list[int]) -> int:
    return sum(load)


@report.step
def enrich(load: list[int]) -> list[int]:
    return [value * 10 for value in load]


@report.step
def publish(summarize: int, enrich: list[int]) -> str:
    return f"total {summarize}, enriched {enrich}"


# -- brittle: fails while the switch is on (one attempt), so a retry can re-drive it -------

brittle = Flow("brittle", max_attempts=1, base_delay=0)
brittle_fails = threading.Event()


@brittle.step
def fetch(run: dict[str, str]) -> str:
    return f"fetched {run.get('key', '?')}"


@brittle.step
def parse(fetch: str) -> str:
    if brittle_fails.is_set():
        raise ValueError(f"cannot parse {fetch!r}")
    return fetch.upper()
