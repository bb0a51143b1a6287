"""The flows `make test-citus` and `make bench-citus` run on Citus: the critique's examples
(pgflow.examples, unchanged) and a three-step chain whose output is checked per run."""

from __future__ import annotations

from typing import TypedDict

from pgflow import Flow
from pgflow.examples import (
    fan_out,
    parallel_analysis,
    retry,
    separation_of_concerns,
    vip,
)


class ChainInput(TypedDict):
    n: int


chain = Flow("citus_chain", base_delay=0)


@chain.step
def first(run: ChainInput) -> int:
    return run["n"] + 1


@chain.step
def second(first: int) -> int:
    return first * 2


@chain.step
def third(second: int) -> int:
    return second + 3


def chain_output(n: int) -> dict[str, int]:
    """What a chain run of input n must end with (its leaf step's output)."""
    return {"third": (n + 1) * 2 + 3}


EXAMPLES = [
    parallel_analysis.flow,
    vip.flow,
    fan_out.flow,
    retry.flow,
    separation_of_concerns.flow,
]
FLOWS = [chain, *EXAMPLES]
