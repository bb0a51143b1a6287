"""Critique 2.2: automatic retries with exponential backoff.

    const RetryFlow = new Flow<{ value: number }>().step(
      { slug: 'division_step', maxAttempts: 3, baseDelay: 2 },
      async (p) => {
        if (p.run.value === 0) throw new Error("Can't divide by zero!");
        return { result: 100 / p.run.value };
      });

A failing attempt is retried after base_delay * 2^(attempt-1) seconds; after
max_attempts the run fails with the last error (type, message and traceback).
"""

from __future__ import annotations

from typing import TypedDict

from pgflow import Flow


class DivisionInput(TypedDict):
    value: float


class DivisionResult(TypedDict):
    result: float


flow = Flow("retry_division")


@flow.step(max_attempts=3, base_delay=2)
def division_step(run: DivisionInput) -> DivisionResult:
    if run["value"] == 0:
        raise ZeroDivisionError("Can't divide by zero!")
    return {"result": 100 / run["value"]}
