# mypy: disable-error-code="empty-body"
"""Signals from Python: ``@flow.signal`` compiles into define_flow, ``send_signal`` checks the
payload against the signal's return type before the database stores it, and runs wait for
signals (and their deadlines) with no worker held."""

from __future__ import annotations

import time
from typing import Any, TypedDict

import psycopg
import pytest
from conftest import wait_until

from pgflow import Flow, FlowDefinitionError, SignalError, deploy, flow_definition, get_run, send_signal, start_flow
from pgflow.dsl import diff_definitions
from pgflow.rows import StepShape
from pgflow.worker.routing import servable_step_keys


class Approval(TypedDict):
    approved: bool
    reviewer: str


def approval_flow(timeout: int | None = 3600, when_exhausted: Any = "fail") -> Flow:
    flow = Flow("approve_it")

    @flow.step
    def draft(run: dict[str, Any]) -> str:
        return "text"

    @flow.signal(timeout=timeout, when_exhausted=when_exhausted)
    def approval(draft: str) -> Approval: ...

    if when_exhausted == "fail":

        @flow.step
        def publish(draft: str, approval: Approval) -> str:
            return f"{draft} approved by {approval['reviewer']}"

    return flow


def test_a_signal_step_compiles_into_define_flow(conn: psycopg.Connection[Any]) -> None:
    flow = approval_flow()
    document = flow.definition()
    assert document["steps"][1] == {"slug": "approval", "deps": ["draft"], "signal": True, "signal_timeout": 3600}
    assert flow.steps["approval"].signal and flow.steps["approval"].return_type is Approval
    deploy(conn, flow)
    assert conn.execute("SELECT step_slug, signal, signal_timeout FROM pgflow.steps WHERE signal").fetchall() == [
        ("approval", True, 3600)
    ]
    assert diff_definitions(flow_definition(conn, "approve_it"), document) == []


def test_signal_is_shape_and_its_timeout_a_tunable_in_the_drift_report(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, approval_flow(timeout=3600))
    stored = flow_definition(conn, "approve_it")
    assert diff_definitions(stored, approval_flow(timeout=60).definition()) == [
        'step "approval" signal_timeout: database 3600, code 60 (tunable)'
    ]
    turned = approval_flow().definition()
    turned["steps"][1] = {"slug": "approval", "deps": ["draft"]}
    assert 'step "approval" signal: database true, code false (shape)' in diff_definitions(stored, turned)


def test_a_signal_function_has_no_body() -> None:
    flow = Flow("f")
    with pytest.raises(FlowDefinitionError, match=r'signal step "approval" of flow "f": .* body must be `\.\.\.`'):

        @flow.signal
        def approval() -> int:
            return 1


def test_a_signal_timeout_is_at_least_one_second() -> None:
    flow = Flow("f")
    with pytest.raises(FlowDefinitionError, match='signal step "approval" of flow "f": timeout must be'):

        @flow.signal(timeout=0)
        def approval() -> int: ...


def test_a_signal_that_may_time_out_is_optional_for_its_dependents() -> None:
    flow = approval_flow(when_exhausted="skip")
    with pytest.raises(FlowDefinitionError, match=r'parameter "approval" must be annotated Approval \| None'):

        @flow.step
        def publish(approval: Approval) -> str:
            return approval["reviewer"]


def test_a_worker_never_serves_a_signal_step() -> None:
    flow = approval_flow()
    shapes = [
        StepShape("approve_it", 1, "draft", False, [], False),
        StepShape("approve_it", 1, "approval", False, ["draft"], True),
        StepShape("approve_it", 2, "approval", False, ["draft"], False),
    ]
    served, unserved = servable_step_keys({"approve_it": flow}, shapes)
    assert served == ["approve_it/1/draft"]
    assert unserved == ["approve_it/2/approval (signal False, code True)"]


def test_a_signal_completes_the_waiting_step_and_the_worker_runs_its_dependent(dsn: str, worker_factory: Any) -> None:
    flow = approval_flow()
    deploy(dsn, flow)
    run = start_flow(dsn, flow, {})
    with worker_factory([flow]):
        details = wait_until(
            lambda: (d := get_run(dsn, run.run_id)) is not None and d.step("approval").status == "started" and d
        )
        assert details.step("approval").waiting.startswith("waiting for signal approval since ")
        result = send_signal(dsn, run.run_id, flow.steps["approval"].handler, {"approved": True, "reviewer": "Ada"})
        assert (result.status, result.output, result.ignored) == (
            "completed",
            {"approved": True, "reviewer": "Ada"},
            None,
        )
        finished = wait_until(lambda: (d := get_run(dsn, run.run_id)) is not None and d.run.finished and d)
    assert finished.run.output == {"publish": "text approved by Ada"}


def test_a_payload_that_does_not_fit_is_refused_before_it_is_stored(conn: psycopg.Connection[Any]) -> None:
    flow = approval_flow()
    deploy(conn, flow)
    run = start_flow(conn, flow, {})
    with pytest.raises(
        SignalError,
        match=r'payload of signal "approval" lacks "reviewer".*nothing was sent: .* takes Approval',
    ):
        send_signal(conn, run.run_id, flow.steps["approval"].handler, {"approved": True})
    with pytest.raises(SignalError, match="nothing was sent"):
        send_signal(conn, run.run_id, "approval", {"approved": "yes", "reviewer": "Ada"}, flow=flow)
    assert conn.execute("SELECT count(*) FROM pgflow.signals").fetchone() == (0,)


def test_a_slug_the_flow_does_not_declare_as_a_signal_is_refused(conn: psycopg.Connection[Any]) -> None:
    flow = approval_flow()
    with pytest.raises(SignalError, match='flow "approve_it" has a step, not a signal step, named "draft"'):
        send_signal(conn, "00000000-0000-0000-0000-000000000001", "draft", 1, flow=flow)
    with pytest.raises(SignalError, match="function len is not a signal step"):
        send_signal(conn, "00000000-0000-0000-0000-000000000001", len, 1)


def test_without_the_flow_the_database_still_refuses_what_is_not_a_signal(conn: psycopg.Connection[Any]) -> None:
    flow = approval_flow()
    deploy(conn, flow)
    run = start_flow(conn, flow, {})
    with pytest.raises(psycopg.errors.WrongObjectType, match='step "draft" of flow "approve_it" is not a signal step'):
        send_signal(conn, run.run_id, "draft", 1)
    with pytest.raises(psycopg.errors.NoDataFound, match="does not exist"):
        send_signal(conn, "00000000-0000-0000-0000-000000000009", "approval", 1)


def test_an_early_signal_is_kept_and_a_second_one_ignored(conn: psycopg.Connection[Any]) -> None:
    flow = approval_flow()
    deploy(conn, flow)
    run = start_flow(conn, flow, {})
    first = send_signal(conn, run.run_id, "approval", {"approved": False, "reviewer": "Bob"}, flow=flow)
    assert (first.status, first.kept, first.ignored) == ("created", True, None)
    second = send_signal(conn, run.run_id, "approval", {"approved": True, "reviewer": "Ada"}, flow=flow)
    assert second.status == "created" and not second.kept
    assert second.ignored is not None and "the first one wins" in second.ignored
    assert conn.execute("SELECT payload FROM pgflow.signals").fetchone() == ({"approved": False, "reviewer": "Bob"},)


def test_a_signal_to_a_finished_run_is_ignored(conn: psycopg.Connection[Any]) -> None:
    flow = approval_flow()
    deploy(conn, flow)
    run = start_flow(conn, flow, {})
    conn.execute("SELECT pgflow.cancel_run(%s)", [run.run_id])
    result = send_signal(conn, run.run_id, "approval", {"approved": True, "reviewer": "Ada"}, flow=flow)
    assert result.status == "cancelled" and result.ignored is not None and "the run is cancelled" in result.ignored


@pytest.mark.timeout(30)
def test_claim_tasks_fails_a_signal_step_past_its_deadline(dsn: str, worker_factory: Any) -> None:
    flow = approval_flow(timeout=1)
    deploy(dsn, flow)
    run = start_flow(dsn, flow, {})
    with worker_factory([flow]):  # its claims apply the deadline: no cron job
        began = time.monotonic()
        finished = wait_until(lambda: (d := get_run(dsn, run.run_id)) is not None and d.run.finished and d)
    assert time.monotonic() - began < 5
    assert finished.run.status == "failed"
    error = finished.step("approval").error_message
    assert error is not None and error.startswith(
        'signal step "approval" received no signal within its signal_timeout (1 s'
    )


def test_run_flow_sends_the_signals_it_is_given(dsn: str) -> None:
    from pgflow.examples import approval
    from pgflow.testing import run_flow

    outputs = run_flow(
        dsn,
        approval.flow,
        {"title": "Notes", "author": "Ada"},
        signals={"approval": {"approved": False, "reviewer": "L"}},
    )
    assert outputs["archive"] == "archived 'Notes' (rejected by L)" and "publish" not in outputs


def test_a_misspelt_signal_option_names_the_closest_one() -> None:
    flow = Flow("f")
    with pytest.raises(
        FlowDefinitionError, match=r'@flow.signal\(...\) has no option "timout" \(did you mean "timeout"\?\)'
    ):
        flow.signal(timout=5)(lambda: None)  # type: ignore[call-overload]
