"""Subflows from Python: ``@flow.subflow`` checks its types at definition, deploys its child first, and runs."""

from __future__ import annotations

from typing import Any, TypedDict

import psycopg
import pytest

from pgflow import Flow, FlowDefinitionError
from pgflow.client import (
    deploy_flow,
    flow_definition,
    get_run,
    start_flow,
    wait_for_run,
)
from pgflow.examples import subflows
from pgflow.testing import run_flow, worker_thread

CUSTOMERS = {
    "customers": [
        {"id": 1, "name": "Ada"},
        {"id": 2, "name": "Bob"},
        {"id": 3, "name": "Cy"},
    ]
}


Customer = subflows.Customer
Enriched = subflows.Enriched


class OnlyScore(TypedDict):
    score: int


class WrongType(TypedDict):
    score: str
    segment: str


def _parent() -> Flow:
    parent = Flow("report_again")

    @parent.step
    def customers(run: dict[str, Any]) -> list[Customer]:
        return []

    return parent


def test_a_subflow_step_compiles_to_a_step_naming_the_child_flow() -> None:
    steps = {s["slug"]: s for s in subflows.flow.definition()["steps"]}
    assert steps["enriched"] == {
        "slug": "enriched",
        "deps": ["customers"],
        "fan_out": True,
        "max_attempts": 2,
        "subflow": "enrich_customer",
    }
    assert subflows.flow.subflows == {"enrich_customer": subflows.enrich_customer}
    assert subflows.flow.steps["report"].parameters[0].annotation == list[subflows.Enriched]


def test_a_subflow_parameter_must_take_the_child_input() -> None:
    parent = _parent()
    with pytest.raises(
        FlowDefinitionError,
        match=r'parameter "customers" is annotated int, but the elements',
    ):

        @parent.subflow(subflows.enrich_customer, fan_out=True)
        def enriched(customers: int) -> Enriched: ...

    other = Flow("other_input")

    @other.step
    def names(run: dict[str, Any]) -> list[str]:
        return []

    with pytest.raises(FlowDefinitionError, match=r'flow "enrich_customer" takes Customer as its input'):

        @other.subflow(subflows.enrich_customer, fan_out=True)
        def enriched_names(names: str) -> Enriched: ...


def test_a_subflow_return_annotation_must_be_the_child_output() -> None:
    parent = _parent()
    with pytest.raises(
        FlowDefinitionError,
        match=r"outputs an object of its leaf steps' outputs \(score, segment\)",
    ):

        @parent.subflow(subflows.enrich_customer, fan_out=True)
        def enriched(customers: Customer) -> int: ...

    with pytest.raises(
        FlowDefinitionError,
        match=r"has the keys \['score'\], but .* leaf steps \['score', 'segment'\]",
    ):

        @parent.subflow(subflows.enrich_customer, fan_out=True)
        def enriched2(customers: Customer) -> OnlyScore: ...

    with pytest.raises(
        FlowDefinitionError,
        match=r'"score" is str, but step "score" of flow "enrich_customer" returns int',
    ):

        @parent.subflow(subflows.enrich_customer, fan_out=True)
        def enriched3(customers: Customer) -> WrongType: ...

    @parent.subflow(subflows.enrich_customer, fan_out=True)
    def enriched4(
        customers: Customer,
    ) -> dict[str, Any]: ...  # a plain object type is fine too


def test_a_subflow_step_has_no_body_and_one_parameter() -> None:
    parent = _parent()
    with pytest.raises(FlowDefinitionError, match=r"a subflow step has no body .* write `...`"):

        @parent.subflow(subflows.enrich_customer, fan_out=True)
        def enriched(customers: Customer) -> Enriched:
            return {"score": 1, "segment": "x"}

    with pytest.raises(FlowDefinitionError, match=r"takes one parameter"):

        @parent.subflow(subflows.enrich_customer)
        def enriched2(customers: list[Customer], run: dict[str, Any]) -> Enriched: ...

    @parent.subflow(subflows.enrich_customer, fan_out=True, slug="documented")
    def documented(customers: Customer) -> Enriched:
        """A docstring is no body, and neither is raise NotImplementedError (what mypy accepts)."""
        raise NotImplementedError


def test_flows_that_run_each_other_are_refused_at_definition() -> None:
    a = Flow("loop_a")

    @a.step
    def start(run: dict[str, Any]) -> dict[str, Any]:
        return {}

    b = Flow("loop_b")

    @b.subflow(a)
    def call_a(run: dict[str, Any]) -> dict[str, Any]: ...

    with pytest.raises(
        FlowDefinitionError,
        match=r"flows would run each other: loop_a -> loop_b -> loop_a",
    ):

        @a.subflow(b)
        def call_b(start: dict[str, Any]) -> dict[str, Any]: ...


def test_deploying_a_parent_deploys_its_child_first(dsn: str) -> None:
    deployment = deploy_flow(dsn, subflows.flow)
    assert deployment.change == "created"
    assert [s["slug"] for s in flow_definition(dsn, "enrich_customer")["steps"]] == [
        "lookup",
        "score",
        "segment",
    ]
    assert deploy_flow(dsn, subflows.flow).change == "unchanged"


def test_a_fan_out_subflow_maps_a_flow_over_a_list(dsn: str) -> None:
    outputs = run_flow(dsn, subflows.flow, CUSTOMERS)
    assert outputs["enriched"] == [
        {"score": 70, "segment": "regular"},
        {"score": 20, "segment": "occasional"},
        {"score": 90, "segment": "regular"},
    ]
    assert outputs["report"] == {"customers": 3, "regular": 2, "best_score": 90}
    with psycopg.connect(dsn) as conn:
        children = conn.execute(
            "SELECT c.parent_step_slug, c.parent_task_index, c.input, c.status FROM pgflow.runs AS c"
            " WHERE c.parent_run_id IS NOT NULL ORDER BY c.parent_task_index"
        ).fetchall()
    assert children == [("enriched", i, CUSTOMERS["customers"][i], "completed") for i in range(3)]


def test_a_failed_child_is_retried_with_a_new_child(dsn: str) -> None:
    calls: list[int] = []
    child = Flow("flaky_child", max_attempts=1)

    @child.step
    def work(run: dict[str, Any]) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first child fails")
        return len(calls)

    parent = Flow("retrying_parent", base_delay=0)

    @parent.subflow(child, max_attempts=2)
    def call(run: dict[str, Any]) -> dict[str, Any]: ...

    outputs = run_flow(dsn, parent, {})
    assert outputs == {"call": {"work": 2}}
    with psycopg.connect(dsn) as conn:
        statuses = conn.execute(
            "SELECT status FROM pgflow.runs WHERE flow_slug = 'flaky_child' ORDER BY started_at"
        ).fetchall()
    assert statuses == [("failed",), ("completed",)]


def test_get_run_lists_the_child_runs(dsn: str) -> None:
    deploy_flow(dsn, subflows.flow)
    run = start_flow(dsn, subflows.flow, CUSTOMERS)
    with worker_thread(dsn, [subflows.flow]):  # it serves the child flow's steps too
        wait_for_run(dsn, run.run_id, timeout=30)
    details = get_run(dsn, run.run_id)
    assert details is not None and details.step("enriched").subflow == "enrich_customer"
    assert [(c.parent_task, c.flow_slug, c.status, c.depth) for c in details.children] == [
        (f"enriched[{i}]", "enrich_customer", "completed", 1) for i in range(3)
    ]
    child = get_run(dsn, details.children[0].run_id)
    assert child is not None and child.run.parent_run_id == run.run_id and child.children == []
