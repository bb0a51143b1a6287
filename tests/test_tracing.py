"""Traces of runs: a span per attempt, all spans of a run in one trace under its caller's span.

Spans are collected with the OpenTelemetry SDK's in-memory exporter; the worker
runs in a thread of this process, so it records into the same tracer provider.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import observed_flows
import psycopg
import pytest
from conftest import TESTS_DIR, subprocess_env, wait_until
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from pgflow import deploy, start_flow, start_flows, wait_for_run


def _sdk_provider() -> TracerProvider:
    """The process's SDK tracer provider (set once per process: OpenTelemetry refuses a second)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider()
    trace.set_tracer_provider(provider)
    return provider


EXPORTER = InMemorySpanExporter()
_sdk_provider().add_span_processor(SimpleSpanProcessor(EXPORTER))
tracer = trace.get_tracer("test_tracing")


@pytest.fixture(autouse=True)
def fresh_spans() -> Iterator[None]:
    EXPORTER.clear()
    observed_flows.seen_traceparents.clear()
    yield


def attempt_spans(run_id: uuid.UUID, count: int) -> list[ReadableSpan]:
    """The attempt spans of a run once ``count`` of them have ended, in the order they ended."""

    def ended() -> list[ReadableSpan] | None:
        spans = [
            s
            for s in EXPORTER.get_finished_spans()
            if s.attributes is not None and s.attributes.get("pgflow.run_id") == str(run_id)
        ]
        return spans if len(spans) >= count else None

    spans: list[ReadableSpan] = wait_until(ended, timeout=10)
    assert len(spans) == count
    return spans


def traceparent_of(span: Any) -> str:
    context = span.get_span_context()
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def run_traced(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any, key: str) -> tuple[Any, Any, Any]:
    """A run of the three-step flow started inside a caller's span: (the caller's span, the run, the worker)."""
    deploy(conn, observed_flows.traced)
    with worker_factory([observed_flows.traced]) as worker:
        with tracer.start_as_current_span("caller") as caller:
            run = start_flow(conn, observed_flows.traced, {"key": key})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    return caller, run, worker


def test_a_run_of_three_steps_is_one_trace_under_the_callers_span(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    caller, run, worker = run_traced(dsn, conn, worker_factory, "chain")
    assert worker.stats["traceparent_fetches"] == 1  # once per run, not per task
    assert run.traceparent == traceparent_of(caller)  # kept with the run at start_flow
    spans = attempt_spans(run.run_id, 3)
    assert [s.name for s in spans] == ["pgflow traced/fetch", "pgflow traced/parse", "pgflow traced/store"]
    caller_context = caller.get_span_context()
    for span in spans:
        assert span.context is not None and span.parent is not None
        assert span.context.trace_id == caller_context.trace_id
        assert span.parent.span_id == caller_context.span_id
        assert span.kind == trace.SpanKind.CONSUMER
        assert span.status.status_code == StatusCode.UNSET
    assert [dict(s.attributes or {}) for s in spans] == [
        {
            "pgflow.flow": "traced",
            "pgflow.flow_version": 1,
            "pgflow.step": step,
            "pgflow.run_id": str(run.run_id),
            "pgflow.task_index": 0,
            "pgflow.attempt": 1,
            "pgflow.outcome": "completed",
        }
        for step in ("fetch", "parse", "store")
    ]


def test_a_handlers_own_spans_nest_under_its_attempt(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    _, run, _ = run_traced(dsn, conn, worker_factory, "nest")
    attempts = {s.attributes["pgflow.step"]: s for s in attempt_spans(run.run_id, 3) if s.attributes}
    handler_spans = {s.name: s for s in EXPORTER.get_finished_spans() if s.name.startswith("handler work ")}
    for step in ("fetch", "parse", "store"):  # sync handlers (threads) and async ones alike
        attempt, own = attempts[step], handler_spans[f"handler work {step}"]
        assert own.parent is not None and attempt.context is not None
        assert (own.context.trace_id, own.parent.span_id) == (attempt.context.trace_id, attempt.context.span_id)
        # current_traceparent() in a handler is its attempt's, to hand on (e.g. as an HTTP header).
        assert observed_flows.seen_traceparents[step] == traceparent_of(attempt)


def test_a_failed_attempt_has_an_error_status_and_the_retry_the_same_trace(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    deploy(conn, observed_flows.flaky)
    with worker_factory([observed_flows.flaky]):
        with tracer.start_as_current_span("caller") as caller:
            run = start_flow(conn, observed_flows.flaky, {"key": f"flaky-{uuid.uuid4()}"})
        assert wait_for_run(dsn, run.run_id, timeout=10).status == "completed"
    failed, retried = attempt_spans(run.run_id, 2)
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.status.description is not None and failed.status.description.startswith("ValueError: first call")
    assert failed.attributes is not None
    assert (failed.attributes["pgflow.attempt"], failed.attributes["pgflow.outcome"]) == (1, "failed")
    assert failed.attributes["error.type"] == "ValueError"
    assert str(failed.attributes["pgflow.error_message"]).startswith("first call for flaky-")
    assert retried.attributes is not None and retried.status.status_code == StatusCode.UNSET
    assert (retried.attributes["pgflow.attempt"], retried.attributes["pgflow.outcome"]) == (2, "completed")
    assert "error.type" not in retried.attributes
    trace_ids = {s.context.trace_id for s in (failed, retried) if s.context is not None}
    assert trace_ids == {caller.get_span_context().trace_id}


def test_a_run_started_outside_any_span_is_one_trace_named_after_the_run(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    deploy(conn, observed_flows.traced)
    with worker_factory([observed_flows.traced]):
        run = start_flow(conn, observed_flows.traced, {"key": "alone"})
        assert wait_for_run(dsn, run.run_id, timeout=10).status == "completed"
    assert run.traceparent is None
    spans = attempt_spans(run.run_id, 3)
    assert {s.context.trace_id for s in spans if s.context is not None} == {run.run_id.int}
    assert len({s.parent.span_id for s in spans if s.parent is not None}) == 1


def test_start_flow_and_start_flows_take_an_explicit_traceparent(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, observed_flows.traced)
    given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with tracer.start_as_current_span("ignored"):  # an explicit one wins over the current span
        run = start_flow(conn, observed_flows.traced, {"key": "x"}, traceparent=given)
    assert run.traceparent == given
    with tracer.start_as_current_span("batch") as batch:
        runs: Sequence[Any] = start_flows(conn, observed_flows.traced, [{"key": "1"}, {"key": "2"}])
    assert [r.traceparent for r in runs] == [traceparent_of(batch)] * 2
    stored = conn.execute("SELECT traceparent FROM pgflow.runs WHERE run_id = %s", (run.run_id,)).fetchone()
    assert stored == (given,)


def test_a_malformed_traceparent_is_refused_naming_the_argument(conn: psycopg.Connection[Any]) -> None:
    deploy(conn, observed_flows.traced)
    with pytest.raises(
        psycopg.errors.InvalidParameterValue, match=r'traceparent must be a W3C traceparent .*, got "abc"'
    ):
        start_flow(conn, observed_flows.traced, {"key": "x"}, traceparent="abc")


NO_OTEL = """
import sys
sys.modules["opentelemetry"] = None  # as if the otel extra were not installed: importing it fails
import observed_flows
from pgflow import deploy, start_flow, tracing, wait_for_run
from pgflow.testing import worker_thread
dsn = sys.argv[1]
assert not tracing.enabled() and tracing.current_traceparent() is None
deploy(dsn, observed_flows.traced)
with worker_thread(dsn, [observed_flows.traced]):
    run = start_flow(dsn, observed_flows.traced, {"key": "plain"})
    print(wait_for_run(dsn, run.run_id, timeout=10).status, run.traceparent, sorted(observed_flows.seen_traceparents))
"""


NO_PROVIDER = """
import sys
import observed_flows
from pgflow import deploy, start_flow, tracing, wait_for_run
from pgflow.testing import worker_thread
dsn = sys.argv[1]
assert tracing.enabled() and not tracing.recording()  # the API installed, no tracer provider set
deploy(dsn, observed_flows.traced)
with worker_thread(dsn, [observed_flows.traced]) as worker:
    run = start_flow(dsn, observed_flows.traced, {"key": "plain"})
    print(wait_for_run(dsn, run.run_id, timeout=10).status, worker.stats["traceparent_fetches"])
"""


@pytest.mark.parametrize(
    ("script", "expected"),
    [(NO_OTEL, "completed None ['fetch', 'parse', 'store']"), (NO_PROVIDER, "completed 0")],
    ids=["not installed", "no provider"],
)
def test_the_package_works_without_opentelemetry_and_costs_nothing_unconfigured(
    dsn: str, script: str, expected: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", script, dsn],
        env=subprocess_env(dsn),
        cwd=TESTS_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == expected
