"""Subflows: a step that runs another flow, here mapped over a list (``fan_out=True``).

``enrich_customer`` is an ordinary flow (it can be started on its own, too).
``customer_report`` runs one child run of it per customer: each child's input is
the element, its output the object of its leaf steps' outputs (``score`` and
``segment``), and the step's output is the list of those in index order. A
failed child is a failed attempt of ``enriched``: its retries start new children.
The function under ``@flow.subflow`` has no body: the child does the work; its
parameter and return annotation are checked against the child flow's types.
"""

from __future__ import annotations

from typing import TypedDict

from pgflow import Flow


class Customer(TypedDict):
    id: int
    name: str


class Profile(TypedDict):
    id: int
    name: str
    orders: int


enrich_customer = Flow("enrich_customer", input_type=Customer)


@enrich_customer.step
def lookup(run: Customer) -> Profile:
    return {"id": run["id"], "name": run["name"], "orders": (run["id"] * 7) % 12}


@enrich_customer.step
def score(lookup: Profile) -> int:
    return min(100, lookup["orders"] * 10)


@enrich_customer.step
def segment(lookup: Profile) -> str:
    return "regular" if lookup["orders"] >= 5 else "occasional"


class Enriched(TypedDict):
    """What a run of enrich_customer outputs: its leaf steps' outputs."""

    score: int
    segment: str


class Batch(TypedDict):
    customers: list[Customer]


class Report(TypedDict):
    customers: int
    regular: int
    best_score: int


flow = Flow("customer_report")


@flow.step
def customers(run: Batch) -> list[Customer]:
    return run["customers"]


@flow.subflow(enrich_customer, fan_out=True, max_attempts=2)
def enriched(customers: Customer) -> Enriched: ...


@flow.step
def report(enriched: list[Enriched]) -> Report:
    return {
        "customers": len(enriched),
        "regular": sum(1 for e in enriched if e["segment"] == "regular"),
        "best_score": max((e["score"] for e in enriched), default=0),
    }
