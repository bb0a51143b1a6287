"""Rate limits, limit keys, priorities and idempotency keys from Python: the DSL compiles them
into define_flow, and start_flow / start_flows pass them on."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from pgflow import Flow, FlowDefinitionError, deploy, flow_definition, start_flow, start_flows
from pgflow.dsl import diff_definitions


def keyed_flow() -> Flow:
    flow = Flow("keyed", rate_limit=100, rate_period=60, limit_key="customer.id", max_concurrency=5)

    @flow.step(max_concurrency=2, rate_limit=10, rate_period=1, limit_key="customer.id")
    def charge(run: dict[str, Any]) -> int:
        return 1

    return flow


def test_rate_limits_and_limit_keys_compile_into_define_flow(conn: psycopg.Connection[Any]) -> None:
    flow = keyed_flow()
    document = flow.definition()
    assert {k: document[k] for k in ("rate_limit", "rate_period", "limit_key", "max_concurrency")} == {
        "rate_limit": 100,
        "rate_period": 60,
        "limit_key": "customer.id",
        "max_concurrency": 5,
    }
    assert document["steps"] == [
        {
            "slug": "charge",
            "max_concurrency": 2,
            "rate_limit": 10,
            "rate_period": 1,
            "limit_key": "customer.id",
        }
    ]
    deploy(conn, flow)
    assert conn.execute(
        "SELECT step_slug, max_concurrency, rate_limit, rate_period, limit_key FROM pgflow.flow_limits ORDER BY 1"
    ).fetchall() == [("", 5, 100, 60, ["customer", "id"]), ("charge", 2, 10, 1, ["customer", "id"])]
    assert diff_definitions(flow_definition(conn, "keyed"), document) == []


def test_a_changed_rate_limit_is_a_tunable_drift(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, keyed_flow())
    changed = Flow("keyed", rate_limit=50, rate_period=60, limit_key="customer.id", max_concurrency=5)

    @changed.step(max_concurrency=2, rate_limit=10, rate_period=1, limit_key="customer.id")
    def charge(run: dict[str, Any]) -> int:
        return 1

    assert diff_definitions(flow_definition(conn, "keyed"), changed.definition()) == [
        "flow rate_limit: database 100, code 50 (tunable)"
    ]


def test_limit_options_are_checked() -> None:
    with pytest.raises(FlowDefinitionError, match='flow "f": rate_limit needs rate_period'):
        Flow("f", rate_limit=5)
    with pytest.raises(FlowDefinitionError, match='flow "f": rate_limit needs rate_period'):
        Flow("f", rate_period=5)
    with pytest.raises(FlowDefinitionError, match="rate_period must be an integer >= 1, got 0"):
        Flow("f", rate_limit=1, rate_period=0)
    with pytest.raises(
        FlowDefinitionError, match=r'limit_key must be a dotted path into the run input such as "customer\.id"'
    ):
        Flow("f", limit_key="customer..id")
    flow = Flow("f")
    with pytest.raises(FlowDefinitionError, match='step "a" of flow "f": rate_limit must be an integer >= 1, got 0'):

        @flow.step(rate_limit=0, rate_period=1)
        def a() -> None: ...


def test_start_flow_with_an_idempotency_key_returns_the_first_run(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, keyed_flow())
    first = start_flow(conn, "keyed", {"customer": {"id": 1}}, idempotency_key="order-1")
    again = start_flow(conn, "keyed", {"customer": {"id": 2}}, idempotency_key="order-1")
    assert (again.run_id, again.input) == (first.run_id, {"customer": {"id": 1}})
    assert conn.execute("SELECT count(*) FROM pgflow.runs").fetchone() == (1,)


def test_start_flows_passes_keys_per_input_and_one_priority(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, keyed_flow())
    used = start_flow(conn, "keyed", {"customer": {"id": 0}}, idempotency_key="b")
    runs = start_flows(conn, "keyed", [{"n": 1}, {"n": 2}], idempotency_keys=["a", "b"], priority=7)
    assert runs[1].run_id == used.run_id
    assert conn.execute("SELECT priority FROM pgflow.runs WHERE run_id = %s", (runs[0].run_id,)).fetchone() == (7,)


def test_higher_priority_runs_are_claimed_first(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, keyed_flow())
    low = start_flow(conn, "keyed", {"customer": {"id": 1}})
    high = start_flow(conn, "keyed", {"customer": {"id": 2}}, priority=10)
    claim = "SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 1)"
    assert [conn.execute(claim).fetchone() for _ in range(2)] == [(high.run_id,), (low.run_id,)]
