"""Starting runs and reading their state: ``deploy``, ``start_flow``, ``get_run``, ``wait_for_run``.

Each function takes a DSN or an open ``psycopg.Connection``. With a connection,
the statement runs in it and is not committed here, so a run can be started in
the same transaction as the caller's own writes; with a DSN, a short-lived
autocommit connection is used.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from .codec import to_json
from .dsl import Flow
from .encryption import Keyring
from .queries import query

__all__ = [
    "FailedAttempt",
    "Run",
    "RunDetails",
    "RunTimeout",
    "StepState",
    "UnservedStep",
    "deploy",
    "flow_definition",
    "get_run",
    "recent_runs",
    "start_flow",
    "wait_for_run",
]

Connectable = str | psycopg.Connection[Any]
TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "cancelled"})
# A worker that has not sent a heartbeat for this long is not counted as serving anything.
LIVE_WORKER_AGE: Final = "30 seconds"


class RunTimeout(TimeoutError):
    """``wait_for_run`` gave up before the run finished."""


@dataclass(frozen=True)
class Run:
    """A row of ``pgflow.runs``."""

    run_id: uuid.UUID
    flow_slug: str
    flow_version: int
    status: str
    input: Any
    output: Any
    error_message: str | None
    started_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES


@dataclass(frozen=True)
class StepState:
    """A step of a run (``pgflow.step_states``) with a summary of its tasks."""

    step_slug: str
    status: str
    output: Any
    error_message: str | None
    skip_reason: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    step_index: int
    fan_out: bool
    deps: list[str]
    tasks: int
    tasks_completed: int
    max_attempt: int
    attempts: int
    last_task_error: str | None
    worker_id: str | None

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class FailedAttempt:
    """A failed attempt of a task (``pgflow.task_attempts``): what the worker reported."""

    step_slug: str
    task_index: int
    attempt: int
    worker_id: str | None
    started_at: datetime | None
    failed_at: datetime
    error_type: str | None
    error_message: str
    error_details: str | None


@dataclass(frozen=True)
class UnservedStep:
    """A step of a run with claimable tasks that no live worker serves (version routing)."""

    flow_slug: str
    flow_version: int
    step_slug: str
    tasks: int

    def __str__(self) -> str:
        return f"waiting for a worker that serves {self.flow_slug} v{self.flow_version} step {self.step_slug}"


@dataclass(frozen=True)
class RunDetails:
    """A run, its steps in topological order, its failed attempts, and what it waits for."""

    run: Run
    steps: list[StepState]
    failed_attempts: list[FailedAttempt] = field(default_factory=list)
    unserved: list[UnservedStep] = field(default_factory=list)

    def step(self, slug: str) -> StepState:
        for state in self.steps:
            if state.step_slug == slug:
                return state
        raise KeyError(slug)


@contextlib.contextmanager
def _connection(conn_or_dsn: Connectable) -> Iterator[psycopg.Connection[Any]]:
    if isinstance(conn_or_dsn, psycopg.Connection):
        yield conn_or_dsn
        return
    with psycopg.connect(conn_or_dsn, autocommit=True) as conn:
        yield conn


def deploy(conn_or_dsn: Connectable, flow: Flow) -> int:
    """``pgflow.define_flow`` with the flow's definition; returns the flow's current version."""
    with _connection(conn_or_dsn) as conn:
        row = conn.execute(query("define_flow"), {"definition": Jsonb(flow.definition())}).fetchone()
    assert row is not None
    return int(row[1])


def flow_definition(conn_or_dsn: Connectable, flow_slug: str, version: int | None = None) -> dict[str, Any]:
    """The stored definition of a flow version (latest by default), as a define_flow document.

    Raises ``psycopg.errors.NoDataFound`` when the flow (version) does not exist.
    """
    with _connection(conn_or_dsn) as conn:
        row = conn.execute(query("flow_definition"), {"flow_slug": flow_slug, "version": version}).fetchone()
    assert row is not None
    definition: dict[str, Any] = row[0]
    return definition


def start_flow(
    conn_or_dsn: Connectable,
    flow: Flow | str,
    input: Any = None,
    run_id: uuid.UUID | str | None = None,
    *,
    keyring: Keyring | None = None,
    idempotency_key: str | None = None,
    priority: int = 0,
) -> Run:
    """Start a run of the latest version of ``flow`` (idempotent on ``run_id``).

    A second start of the flow with the same ``idempotency_key`` returns the first
    run (whatever its status) and starts nothing. Tasks of runs with a higher
    ``priority`` are claimed first.

    ``input`` may be any JSON value, TypedDict, dataclass or pydantic model. The
    fields the flow declares in ``secret_input`` are encrypted here, with
    ``keyring`` or the keys of ``PGFLOW_SECRET_KEYS`` (pass the Flow, not its slug,
    for that: a slug says nothing about secrets).
    """
    slug = flow.slug if isinstance(flow, Flow) else flow
    params = {
        "flow_slug": slug,
        "input": Jsonb(_input_document(flow, input, keyring)),
        "run_id": str(run_id) if run_id is not None else None,
        "idempotency_key": idempotency_key,
        "priority": priority,
    }
    with _connection(conn_or_dsn) as conn:
        cursor = conn.cursor(row_factory=class_row(Run))
        run = cursor.execute(query("start_flow"), params).fetchone()
    assert run is not None
    return run


def start_flows(
    conn_or_dsn: Connectable,
    flow: Flow | str,
    inputs: Sequence[Any],
    *,
    keyring: Keyring | None = None,
    idempotency_keys: Sequence[str | None] | None = None,
    priority: int = 0,
) -> list[Run]:
    """Start one run per input, in one call and one transaction (bulk starts), in order.

    Same input handling as ``start_flow``; all or nothing. ``idempotency_keys``, when
    given, has one key (or None) per input; ``priority`` applies to every run.
    """
    slug = flow.slug if isinstance(flow, Flow) else flow
    documents = [_input_document(flow, value, keyring) for value in inputs]
    with _connection(conn_or_dsn) as conn:
        cursor = conn.cursor(row_factory=class_row(Run))
        params = {
            "flow_slug": slug,
            "inputs": Jsonb(documents),
            "idempotency_keys": list(idempotency_keys) if idempotency_keys is not None else None,
            "priority": priority,
        }
        return cursor.execute(query("start_flows"), params).fetchall()


def _input_document(flow: Flow | str, input: Any, keyring: Keyring | None) -> Any:
    """A flow input as JSON, with the fields the flow declares secret encrypted."""
    document = to_json({} if input is None else input)
    if isinstance(flow, Flow) and flow.secret_input:
        keys = keyring or Keyring.from_env(purpose=f'flow "{flow.slug}" has secret input fields')
        document = keys.seal_fields(document, flow.secret_input, f'the input of flow "{flow.slug}"')
    return document


def get_run(conn_or_dsn: Connectable, run_id: uuid.UUID | str) -> RunDetails | None:
    """The run and its steps (status, attempts, durations, skip reasons, errors); None if unknown."""
    with _connection(conn_or_dsn) as conn:
        run = conn.cursor(row_factory=class_row(Run)).execute(query("get_run"), {"run_id": str(run_id)}).fetchone()
        if run is None:
            return None
        steps = (
            conn.cursor(row_factory=class_row(StepState))
            .execute(query("get_step_states"), {"run_id": str(run_id)})
            .fetchall()
        )
        attempts = (
            conn.cursor(row_factory=class_row(FailedAttempt))
            .execute(query("get_failed_attempts"), {"run_id": str(run_id)})
            .fetchall()
        )
        unserved: list[UnservedStep] = []
        if not run.finished:
            unserved = (
                conn.cursor(row_factory=class_row(UnservedStep))
                .execute(query("get_unserved_steps"), {"run_id": str(run_id), "max_age": LIVE_WORKER_AGE})
                .fetchall()
            )
    return RunDetails(run, steps, attempts, unserved)


def recent_runs(
    conn_or_dsn: Connectable, *, flow_slug: str | None = None, status: str | None = None, limit: int = 20
) -> list[Run]:
    """The most recent runs, newest first."""
    params: Mapping[str, Any] = {"flow_slug": flow_slug, "status": status, "limit": limit}
    with _connection(conn_or_dsn) as conn:
        return conn.cursor(row_factory=class_row(Run)).execute(query("recent_runs"), params).fetchall()


def wait_for_run(
    conn_or_dsn: Connectable,
    run_id: uuid.UUID | str,
    timeout: float | None = None,
    *,
    recheck_interval: float = 5.0,
) -> Run:
    """Block until the run is completed, failed or cancelled; return it.

    Listens on ``pgflow_runs`` and watches the run (``pgflow.watch_run``: only
    watched runs notify their end), so it returns as soon as the run finishes, and
    re-reads the run every ``recheck_interval`` seconds as a safety net. A
    connection passed in must be in autocommit mode (notifications are only
    delivered between transactions). Raises ``RunTimeout`` after ``timeout``
    seconds, and ``LookupError`` for an unknown run.
    """
    if isinstance(conn_or_dsn, psycopg.Connection) and not conn_or_dsn.autocommit:
        raise ValueError("wait_for_run needs an autocommit connection (or a DSN)")
    target = str(run_id)
    deadline = None if timeout is None else time.monotonic() + timeout
    with _connection(conn_or_dsn) as conn:
        conn.execute(query("listen_runs"))
        # Watched after LISTEN: an end before the watch is in the run it returns, one after is notified.
        while True:
            try:
                run = conn.cursor(row_factory=class_row(Run)).execute(query("watch_run"), {"run_id": target}).fetchone()
            except psycopg.errors.NoDataFound:
                raise LookupError(f"run {target} does not exist") from None
            assert run is not None
            if run.finished:
                return run
            wait = recheck_interval
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RunTimeout(f"run {target} is still {run.status} after {timeout} s")
                wait = min(wait, left)
            for notify in conn.notifies(timeout=wait):
                if notify.payload == target:
                    break
