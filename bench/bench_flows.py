"""Flows for the end-to-end benchmark (2): a 3-step chain with no-op handlers.

Loaded by ``pgflow worker bench_flows:chain`` (bench/ is on PYTHONPATH).
"""

from __future__ import annotations

from typing import Any

from pgflow import Flow

chain = Flow("bench_e2e")


@chain.step
async def a(run: dict[str, Any]) -> None:
    return None


@chain.step
async def b(a: None) -> None:
    return None


@chain.step
async def c(b: None) -> None:
    return None
