"""Starting runs and reading their state: ``deploy``, ``start_flow``, ``get_run``, ``wait_for_run``.

Each function takes a DSN or an open ``psycopg.Connection``. With a connection,
the statement runs in it and is not committed here, so a run can be started in
the same transaction as the caller's own writes; with a DSN, a short-lived
autocommit connection is used, which prepares no statement on the server (so a
DSN of pgbouncer in transaction pooling mode works; a connection passed in
through such a pooler needs ``prepare_threshold=None``).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import psycopg

from .codec import to_json
from .dsl import Flow, diff_definitions
from .encryption import Keyring
from .store import (
    TERMINAL_STATUSES,
    CancelledRun,
    ChildRun,
    FailedAttempt,
    FlowSummary,
    RetriedRun,
    Run,
    ScheduleInfo,
    StepState,
    Store,
    UnservedStep,
    WorkerInfo,
    behind_pooler,
    idempotent_run_id,
    time_ordered_run_id,
)
from .tracing import current_traceparent

__all__ = [
    "TERMINAL_STATUSES",
    "CancelOutcome",
    "ChildRun",
    "Deployment",
    "FailedAttempt",
    "FlowSummary",
    "PruneResult",
    "RetriedRun",
    "Run",
    "RunDetails",
    "RunTimeout",
    "ScheduleInfo",
    "StepState",
    "UnservedStep",
    "WorkerInfo",
    "cancel_run",
    "deploy",
    "deploy_flow",
    "distribute",
    "flow_definition",
    "get_run",
    "idempotent_run_id",
    "list_flows",
    "list_schedules",
    "list_workers",
    "prune",
    "recent_runs",
    "retry_run",
    "start_flow",
    "start_flows",
    "wait_for_run",
]

Connectable = str | psycopg.Connection[Any]
# A worker that has not sent a heartbeat for this long is not counted as serving anything.
LIVE_WORKER_AGE: Final = "30 seconds"
# How often wait_for_run re-reads a run through a connection pooler (where LISTEN cannot work).
POOLED_RECHECK_INTERVAL: Final = 0.5


class RunTimeout(TimeoutError):
    """``wait_for_run`` gave up before the run finished."""


@dataclass(frozen=True)
class RunDetails:
    """A run, its steps in topological order, its failed attempts, and what it waits for."""

    run: Run
    steps: list[StepState]
    failed_attempts: list[FailedAttempt] = field(default_factory=list)
    unserved: list[UnservedStep] = field(default_factory=list)
    # The runs its subflow steps started, and theirs, depth-first (``depth`` 1: a child).
    children: list[ChildRun] = field(default_factory=list)

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
    # Short-lived: preparing would gain nothing, and a transaction pooler would lose the statements.
    with psycopg.connect(conn_or_dsn, autocommit=True, prepare_threshold=None) as conn:
        yield conn


def deploy(conn_or_dsn: Connectable, flow: Flow) -> int:
    """``pgflow.define_flow`` with the flow's definition; returns the flow's current version."""
    return deploy_flow(conn_or_dsn, flow).version


@dataclass(frozen=True)
class Deployment:
    """What ``deploy_flow`` changed: ``change`` is "created" (a new version, or the first),
    "tunables" (updated in place: ``differences`` says which) or "unchanged"."""

    flow_slug: str
    version: int
    change: Literal["created", "tunables", "unchanged"]
    differences: list[str] = field(default_factory=list)
    # (schedule name, "created" | "updated" | "unchanged" | "removed" | "kept") per schedule of the flow
    schedules: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        if self.change == "created":
            text = f'flow "{self.flow_slug}": version {self.version} created'
        elif self.change == "tunables":
            text = f'flow "{self.flow_slug}": version {self.version}, tunables updated ({"; ".join(self.differences)})'
        else:
            text = f'flow "{self.flow_slug}": unchanged (version {self.version})'
        changed = [f"{name} {action}" for name, action in self.schedules if action != "unchanged"]
        if changed:
            text += f"; schedules: {', '.join(changed)}"
        return text


def deploy_flow(conn_or_dsn: Connectable, flow: Flow) -> Deployment:
    """``deploy``, saying what it changed: the stored definition is compared before and after.

    The flows its subflow steps run are deployed first (children before parents), since
    the database refuses a subflow step naming a flow it does not have; the Deployment
    returned is the flow's own.

    The flow's schedules are made those of the code in the same transaction
    (``pgflow.sync_schedules``): new ones created, changed ones updated, the ones
    an earlier deploy made and the code no longer declares removed. Schedules
    made by hand with ``pgflow.schedule`` are kept (reported as "kept") unless
    the code declares one of the same name, which deploy then takes over."""
    with _connection(conn_or_dsn) as conn:
        for child in flow.subflows.values():
            deploy_flow(conn, child)
        store = Store(conn)
        known = store.list_flows(flow.slug)
        before = store.flow_definition(flow.slug, None) if known else None
        # Only the writes share a transaction: on Citus a transaction that read a
        # distributed table in parallel (list_flows counts runs) cannot then write
        # a reference table (the definitions).
        with conn.transaction():
            version = store.define_flow(flow.definition())
            schedules = store.sync_schedules(flow.slug, [s.document() for s in flow.schedules])
        if before is None or version != known[0].latest_version:
            return Deployment(flow.slug, version, "created", schedules=schedules)
        after = store.flow_definition(flow.slug, version)
    differences = diff_definitions(before, after)
    if not differences:
        return Deployment(flow.slug, version, "unchanged", schedules=schedules)
    return Deployment(flow.slug, version, "tunables", differences, schedules=schedules)


def list_schedules(conn_or_dsn: Connectable, flow_slug: str | None = None) -> list[ScheduleInfo]:
    """The schedules in the database (or one flow's), by flow and name, with their next slot and last run."""
    with _connection(conn_or_dsn) as conn:
        return Store(conn).list_schedules(flow_slug)


def list_flows(conn_or_dsn: Connectable, flow_slug: str | None = None) -> list[FlowSummary]:
    """The deployed flows (or the one named), by slug."""
    with _connection(conn_or_dsn) as conn:
        return Store(conn).list_flows(flow_slug)


def list_workers(conn_or_dsn: Connectable) -> list[WorkerInfo]:
    """The workers that announced themselves, most recently seen first (``live``: within LIVE_WORKER_AGE)."""
    with _connection(conn_or_dsn) as conn:
        return Store(conn).list_workers(LIVE_WORKER_AGE)


def flow_definition(conn_or_dsn: Connectable, flow_slug: str, version: int | None = None) -> dict[str, Any]:
    """The stored definition of a flow version (latest by default), as a define_flow document.

    Raises ``psycopg.errors.NoDataFound`` when the flow (version) does not exist.
    """
    with _connection(conn_or_dsn) as conn:
        return Store(conn).flow_definition(flow_slug, version)


def start_flow(
    conn_or_dsn: Connectable,
    flow: Flow | str,
    input: Any = None,
    run_id: uuid.UUID | str | None = None,
    *,
    keyring: Keyring | None = None,
    idempotency_key: str | None = None,
    priority: int = 0,
    traceparent: str | None = None,
) -> Run:
    """Start a run of the latest version of ``flow`` (idempotent on ``run_id``).

    A second start of the flow with the same ``idempotency_key`` returns the first
    run (whatever its status) and starts nothing. Tasks of runs with a higher
    ``priority`` are claimed first.

    ``input`` may be any JSON value, TypedDict, dataclass or pydantic model. The
    fields the flow declares in ``secret_input`` are encrypted here, with
    ``keyring`` or the keys of ``PGFLOW_SECRET_KEYS`` (pass the Flow, not its slug,
    for that: a slug says nothing about secrets).

    The run's attempts are spans of one trace (``pgflow.tracing``): under
    ``traceparent`` (a W3C traceparent header), by default the caller's current
    OpenTelemetry span when OpenTelemetry is installed.
    """
    slug = flow.slug if isinstance(flow, Flow) else flow
    document = _input_document(flow, input, keyring)
    trace = traceparent if traceparent is not None else current_traceparent()
    # The run id is chosen here, so that on Citus the start is routed to the node of the run.
    chosen: uuid.UUID | str
    if run_id is not None:
        chosen = str(run_id)  # checked by the server, as before
    elif idempotency_key is not None:
        chosen = idempotent_run_id(slug, idempotency_key)
    else:
        chosen = time_ordered_run_id()
    with _connection(conn_or_dsn) as conn:
        return Store(conn).start_flow_routed(chosen, slug, document, idempotency_key, priority, trace)


def distribute(conn_or_dsn: Connectable) -> list[str]:
    """Distribute pgflow over the Citus cluster of this coordinator (``pgflow.distribute()``).

    Runs and everything about them are sharded by run id, co-located; definitions become
    reference tables; the hot-path functions are routed to the node of the run. Idempotent.
    Returns what changed, one line per object (empty: distributed already).
    """
    with _connection(conn_or_dsn) as conn:
        return Store(conn).distribute()


def start_flows(
    conn_or_dsn: Connectable,
    flow: Flow | str,
    inputs: Sequence[Any],
    *,
    keyring: Keyring | None = None,
    idempotency_keys: Sequence[str | None] | None = None,
    priority: int = 0,
    traceparent: str | None = None,
) -> list[Run]:
    """Start one run per input, in one call and one transaction (bulk starts), in order.

    Same input handling, and trace context, as ``start_flow``; all or nothing.
    ``idempotency_keys``, when given, has one key (or None) per input; ``priority``
    applies to every run.
    """
    slug = flow.slug if isinstance(flow, Flow) else flow
    documents = [_input_document(flow, value, keyring) for value in inputs]
    trace = traceparent if traceparent is not None else current_traceparent()
    with _connection(conn_or_dsn) as conn:
        return Store(conn).start_flows(slug, documents, idempotency_keys, priority, trace)


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
        store = Store(conn)
        run = store.get_run(run_id)
        if run is None:
            return None
        steps = store.get_step_states(run_id)
        attempts = store.get_failed_attempts(run_id)
        unserved = [] if run.finished else store.get_unserved_steps(run_id, LIVE_WORKER_AGE)
        children = store.run_tree(run_id) if any(step.subflow for step in steps) else []
    return RunDetails(run, steps, attempts, unserved, children)


def recent_runs(
    conn_or_dsn: Connectable, *, flow_slug: str | None = None, status: str | None = None, limit: int = 20
) -> list[Run]:
    """The most recent runs, newest first."""
    with _connection(conn_or_dsn) as conn:
        return Store(conn).recent_runs(flow_slug, status, limit)


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
    delivered between transactions). Through a connection pooler (pgbouncer in
    transaction mode drops LISTEN) it re-reads the run every
    ``POOLED_RECHECK_INTERVAL`` seconds instead. Raises ``RunTimeout`` after
    ``timeout`` seconds, and ``LookupError`` for an unknown run.
    """
    if isinstance(conn_or_dsn, psycopg.Connection) and not conn_or_dsn.autocommit:
        raise ValueError("wait_for_run needs an autocommit connection (or a DSN)")
    target = str(run_id)
    deadline = None if timeout is None else time.monotonic() + timeout
    with _connection(conn_or_dsn) as conn:
        store = Store(conn)
        listening = not behind_pooler(conn)
        if listening:
            store.listen_runs()
        else:
            recheck_interval = min(recheck_interval, POOLED_RECHECK_INTERVAL)
        # Watched after LISTEN: an end before the watch is in the run it returns, one after is notified.
        while True:
            run = store.watch_run(target) if listening else store.get_run(target)
            if run is None:
                raise LookupError(f"run {target} does not exist")
            if run.finished:
                return run
            wait = recheck_interval
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RunTimeout(f"run {target} is still {run.status} after {timeout} s")
                wait = min(wait, left)
            if not listening:
                time.sleep(wait)
                continue
            for notify in conn.notifies(timeout=wait):
                if notify.payload == target:
                    break


# -- operations (what `pgflow prune`, `retry` and `cancel` run) ---------------------------


@dataclass(frozen=True)
class PruneResult:
    """What ``prune`` removed: rows (runs with their steps, tasks and attempts) and batches."""

    removed: int
    batches: int


def prune(conn_or_dsn: Connectable, older_than: str, *, batch_size: int = 10000) -> PruneResult:
    """Delete runs finished more than ``older_than`` (a PostgreSQL interval) ago, in bounded batches.

    One batch per call of ``pgflow.prune``; with a DSN each batch is its own
    transaction, so none holds locks for long.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    removed = batches = 0
    with _connection(conn_or_dsn) as conn:
        store = Store(conn)
        while (batch := store.prune(older_than, batch_size)) > 0:
            removed += batch
            batches += 1
    return PruneResult(removed, batches)


def retry_run(conn_or_dsn: Connectable, run_id: uuid.UUID | str) -> RetriedRun:
    """Re-drive a failed or cancelled run from where it broke (completed steps keep their outputs).

    Raises ``psycopg.errors.NoDataFound`` for an unknown run and
    ``psycopg.errors.ObjectNotInPrerequisiteState`` for a run that did not fail.
    """
    with _connection(conn_or_dsn) as conn:
        return Store(conn).retry_run(run_id)


@dataclass(frozen=True)
class CancelOutcome:
    """The run after ``cancel_run``; ``notice``: why nothing changed (e.g. it had finished already)."""

    run: CancelledRun
    notice: str | None


def cancel_run(conn_or_dsn: Connectable, run_id: uuid.UUID | str, reason: str | None = None) -> CancelOutcome:
    """Cancel a started run and its unfinished steps; a finished run is left as it is (see ``notice``).

    Raises ``psycopg.errors.NoDataFound`` for an unknown run.
    """
    notices: list[str] = []
    with _connection(conn_or_dsn) as conn:

        def collect(diagnostic: psycopg.errors.Diagnostic) -> None:
            notices.append((diagnostic.message_primary or "").removeprefix("pgflow: "))

        conn.add_notice_handler(collect)
        try:
            run = Store(conn).cancel_run(run_id, reason)
        finally:
            conn.remove_notice_handler(collect)
    return CancelOutcome(run, notices[-1] if notices else None)
