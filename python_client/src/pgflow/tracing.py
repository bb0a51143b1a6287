"""OpenTelemetry traces of runs, with the ``otel`` extra (``opentelemetry-api``; the SDK to export).

A run lives in one trace. ``start_flow`` stores the W3C ``traceparent`` of the
caller's current span with the run (``pgflow.runs.traceparent``), and the
worker makes every attempt of the run a span under it: one span per attempt,
named ``pgflow flow/step``, with the flow, step, run id, task index, attempt,
outcome and, for a failure, the error's type and message (status ERROR). The
handler runs inside its attempt's span, so the spans it makes nest under it,
and ``current_traceparent()`` inside a handler is the attempt's, to hand on.

A run started without a traceparent (from SQL, by a schedule, or by a caller
with no current span) still has one trace: its trace id is the run id (hex),
and its attempts hang under a parent span id derived from it that nobody
records.

Without OpenTelemetry installed, or with no tracer provider configured, this
module does nothing and costs nothing: the worker fetches no traceparent, and
the client sends none unless given one (or unless its caller has a span).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

try:
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError:  # the otel extra is not installed
    trace = None  # type: ignore[assignment]
    TraceContextTextMapPropagator = None  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    from .rows import ClaimedTask

__all__ = ["AttemptSpan", "attempt_span", "current_traceparent", "enabled", "recording"]

TRACER_NAME = "pgflow.worker"
MAX_MESSAGE_CHARS = 4096


def enabled() -> bool:
    """Whether OpenTelemetry is installed (spans are recorded when an SDK is configured too)."""
    return trace is not None


def recording() -> bool:
    """Whether spans may be recorded: OpenTelemetry installed and a tracer provider configured.

    With the API alone (say, pulled in by another package) and no provider set,
    every span is a no-op: the worker then fetches no run's traceparent at all.
    """
    return trace is not None and not isinstance(
        trace.get_tracer_provider(), (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
    )


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span; None without OpenTelemetry or outside a span."""
    if trace is None or not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier.get("traceparent")


def _parent_context(run_id: uuid.UUID, traceparent: str | None) -> Any:
    """The context an attempt's span starts in: the run's stored traceparent, or one derived from its id."""
    assert trace is not None
    if traceparent is not None:
        context = TraceContextTextMapPropagator().extract({"traceparent": traceparent})
        if trace.get_current_span(context).get_span_context().is_valid:
            return context
    span_id = (run_id.int >> 64) or 1  # never 0, which W3C makes invalid
    parent = trace.SpanContext(
        trace_id=run_id.int, span_id=span_id, is_remote=True, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)
    )
    return trace.set_span_in_context(trace.NonRecordingSpan(parent))


class AttemptSpan:
    """The span of one attempt (a no-op without OpenTelemetry): the executor records its outcome here."""

    def __init__(self, span: Any) -> None:
        self._span = span
        self.outcome = "unreported"

    def succeeded(self, outcome: str = "completed") -> None:
        self.outcome = outcome
        if self._span is not None:
            self._span.set_attribute("pgflow.outcome", outcome)

    def failed(self, outcome: str, error_type: str | None, error_message: str) -> None:
        self.outcome = outcome
        if self._span is None:
            return
        assert trace is not None
        self._span.set_attribute("pgflow.outcome", outcome)
        if error_type:
            self._span.set_attribute("error.type", error_type)
        first_line = error_message.splitlines()[0] if error_message else ""
        # As the database keeps it, bounded: an exporter may refuse (or a backend drop) huge attributes.
        self._span.set_attribute("pgflow.error_message", error_message[:MAX_MESSAGE_CHARS])
        description = f"{error_type}: {first_line}" if error_type else first_line
        self._span.set_status(trace.Status(trace.StatusCode.ERROR, description))


@contextlib.contextmanager
def attempt_span(task: ClaimedTask, traceparent: str | None) -> Iterator[AttemptSpan]:
    """The span of ``task``'s attempt, current for the block (handlers started in it nest under it)."""
    if trace is None:
        yield AttemptSpan(None)
        return
    tracer = trace.get_tracer(TRACER_NAME)
    attributes: dict[str, str | int] = {
        "pgflow.flow": task.flow_slug,
        "pgflow.flow_version": task.flow_version,
        "pgflow.step": task.step_slug,
        "pgflow.run_id": str(task.run_id),
        "pgflow.task_index": task.task_index,
        "pgflow.attempt": task.attempt,
    }
    with tracer.start_as_current_span(
        f"pgflow {task.flow_slug}/{task.step_slug}",
        context=_parent_context(task.run_id, traceparent),
        kind=trace.SpanKind.CONSUMER,
        attributes=attributes,
        record_exception=False,  # failures are recorded by the executor (failed()), not as exceptions
        set_status_on_exception=False,
    ) as span:
        attempt = AttemptSpan(span)
        yield attempt
        if attempt.outcome == "unreported":
            span.set_attribute("pgflow.outcome", "unreported")
