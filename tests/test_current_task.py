"""pgflow.current_task(): a handler knows the claim it serves (run, step, task, attempt)."""

from __future__ import annotations

import asyncio
from typing import Any

from pgflow import Flow, current_task
from pgflow.testing import run_flow

flow = Flow("knows_its_task", max_attempts=2, base_delay=0)


def _seen() -> dict[str, Any]:
    task = current_task()
    assert task is not None
    return {"run_id": str(task.run_id), "step": task.step_slug, "index": task.task_index, "attempt": task.attempt}


@flow.step
def sync_step(run: dict[str, Any]) -> dict[str, Any]:
    seen = _seen()
    if seen["attempt"] == 1:
        raise RuntimeError("the first attempt fails, so the second must say attempt 2")
    return seen


@flow.step
async def async_step(run: dict[str, Any]) -> list[dict[str, Any]]:
    await asyncio.sleep(0)
    return [_seen()]


@flow.step(fan_out=True)
async def each(async_step: dict[str, Any]) -> dict[str, Any]:
    return _seen()


def test_a_handler_sees_the_claim_it_serves(dsn: str) -> None:
    outputs = run_flow(dsn, flow, {})
    run_id = outputs["sync_step"]["run_id"]
    assert outputs["sync_step"] == {"run_id": run_id, "step": "sync_step", "index": 0, "attempt": 2}
    assert outputs["async_step"] == [{"run_id": run_id, "step": "async_step", "index": 0, "attempt": 1}]
    assert outputs["each"] == [{"run_id": run_id, "step": "each", "index": 0, "attempt": 1}]
    assert current_task() is None  # outside a handler
