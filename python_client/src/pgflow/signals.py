"""Signals: ``send_signal`` delivers the outside world's answer to a signal step of a run.

A signal step (``@flow.signal``) waits, holding no worker, until ``send_signal``
arrives; the payload becomes its output and its dependents start, in that one
transaction (``pgflow.send_signal``). A signal sent before the step is ready is
kept and applied when it becomes ready; the first signal wins.

The payload is checked against the signal function's return annotation before it
is sent, when the client knows the flow: pass the decorated function itself as
``step`` (``send_signal(dsn, run_id, approval, {...})``), or the step's slug with
``flow=``. With a bare slug and no flow the database only checks what it can (the
step exists and is a signal step, the payload's size).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .client import Connectable, _connection
from .codec import json_mismatch, to_json
from .dsl import UNANNOTATED, Flow, Step, signal_step_of
from .store import SignalResult, Store

__all__ = ["SignalError", "SignalResult", "send_signal"]


class SignalError(ValueError):
    """A signal the client refuses before sending it: not a signal step of the flow, or a payload that does not fit."""


def send_signal(
    conn_or_dsn: Connectable,
    run_id: uuid.UUID | str,
    step: str | Callable[..., Any],
    payload: Any = None,
    *,
    flow: Flow | None = None,
) -> SignalResult:
    """Send ``payload`` as the signal for ``step`` of run ``run_id``; returns the step as it is now.

    ``result.status`` is "completed" when the signal completed the waiting step, "created"
    when the step is not ready yet and the signal is kept; ``result.ignored`` says why a
    signal changed nothing (a signal was received first, the run finished, the step was
    skipped). An unknown run, an unknown step or a step that is not a signal step raises
    (``psycopg`` errors, from the database; ``SignalError`` when the flow is known here).
    """
    declared = _declared_step(step, flow)
    slug = declared.slug if declared is not None else step
    if not isinstance(slug, str):
        raise SignalError(f"{step!r} is not a signal step: declare it with @flow.signal, or pass its slug")
    document = to_json(payload)
    if declared is not None and declared.return_type is not UNANNOTATED:
        problem = json_mismatch(document, declared.return_type, f'the payload of signal "{slug}"')
        if problem:
            raise SignalError(
                f'{problem}; nothing was sent: signal step "{slug}" of flow "{declared.flow_slug}" takes '
                f"{_type_text(declared.return_type)}"
            )
    with _connection(conn_or_dsn) as conn:
        return Store(conn).send_signal(run_id, slug, document)


def _declared_step(step: str | Callable[..., Any], flow: Flow | None) -> Step | None:
    if not isinstance(step, str):
        declared = signal_step_of(step)
        if declared is None:
            name = getattr(step, "__name__", repr(step))
            raise SignalError(f"function {name} is not a signal step: declare it with @flow.signal")
        if flow is not None and declared.flow_slug != flow.slug:
            raise SignalError(
                f'signal step "{declared.slug}" belongs to flow "{declared.flow_slug}", not "{flow.slug}"'
            )
        return declared
    if flow is None:
        return None
    found = flow.steps.get(step)
    if found is None or not found.signal:
        signals = [s.slug for s in flow.steps.values() if s.signal]
        what = "has no step" if found is None else "has a step, not a signal step, named"
        raise SignalError(f'flow "{flow.slug}" {what} "{step}" (its signal steps: {", ".join(signals) or "none"})')
    return found


def _type_text(annotation: Any) -> str:
    return getattr(annotation, "__qualname__", None) or repr(annotation).replace("typing.", "")
