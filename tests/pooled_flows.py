"""The two-step flow of the pgbouncer tests (importable by worker subprocesses)."""

from __future__ import annotations

from pgflow import Flow

pooled = Flow("pooled")


@pooled.step()
def double(run: dict[str, int]) -> int:
    return run["n"] * 2


@pooled.step()
def add_one(double: int) -> int:
    return double + 1
