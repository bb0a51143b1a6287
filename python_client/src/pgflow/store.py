"""The database boundary: one typed method per named query of ``queries.sql``.

``Store`` wraps a ``psycopg.Connection`` (the client, the CLI, the installer);
``AsyncStore`` wraps the worker's connection pool. This is the only module that
calls ``query()``: every other module talks to the database through these
methods, with typed arguments and a dataclass per row shape (Procrastinate's
connector, River's driver). A method sends its statement and returns rows; it
decides nothing about retries or errors (the callers own those).

Task inputs and run inputs are fetched as JSON text, not parsed here: a value
the database accepted may still be too deep for ``json.loads`` (RecursionError),
and it must fail its own task in the executor, not the claim that fetched it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Literal

import psycopg
import psycopg_pool
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from .queries import QueryName, query
from .rows import (
    TERMINAL_STATUSES,
    CancelledRun,
    ChildRun,
    ClaimedTask,
    FailedAttempt,
    FlowStep,
    FlowSummary,
    FlowVersion,
    Installed,
    QueueDepth,
    QueueStats,
    ReportResult,
    RetriedRun,
    Run,
    RunProgress,
    ScheduledRun,
    ScheduleInfo,
    SignalResult,
    StepShape,
    StepState,
    StepWait,
    UnservedStep,
    WorkerInfo,
)

__all__ = [
    "TERMINAL_STATUSES",
    "AsyncStore",
    "CancelledRun",
    "ChildRun",
    "ClaimedTask",
    "FailedAttempt",
    "FlowSummary",
    "Installed",
    "Listener",
    "QueueStats",
    "ReportResult",
    "RetriedRun",
    "Run",
    "RunProgress",
    "ScheduleInfo",
    "ScheduledRun",
    "SignalResult",
    "StepShape",
    "StepState",
    "Store",
    "UnservedStep",
    "WorkerInfo",
    "behind_pooler",
    "behind_pooler_async",
]


def task_params(task: ClaimedTask) -> dict[str, Any]:
    """The arguments naming a claimed attempt in every report (the one place a report names its task)."""
    return {
        "run_id": task.run_id,
        "step_slug": task.step_slug,
        "task_index": task.task_index,
        "attempt": task.attempt,
        "lease_token": task.lease_token,
    }


def completion_json(task: ClaimedTask, output_json: str) -> str:
    """One report of ``complete_tasks`` as JSON text, around an output already encoded."""
    key: dict[str, Any] = {
        "run_id": str(task.run_id),
        "step_slug": task.step_slug,
        "task_index": task.task_index,
        "attempt": task.attempt,
    }
    if task.lease_token is not None:
        key["lease_token"] = str(task.lease_token)
    # The output was encoded (and checked) by the executor; splicing it keeps it encoded once.
    return json.dumps(key)[:-1] + ', "output": ' + output_json + "}"


def behind_pooler(conn: psycopg.Connection[Any]) -> bool:
    """Whether ``conn`` goes through a connection pooler (pgbouncer, and most others).

    A pooler answers the connection's start-up itself, with a backend key of its
    own: the pid libpq was given is not the pid of the server process that runs
    its statements (a direct connection's always is).
    """
    return Store(conn).backend_pid() != conn.info.backend_pid


async def behind_pooler_async(conn: psycopg.AsyncConnection[Any]) -> bool:
    """``behind_pooler`` for an async connection."""
    cursor = await conn.execute(query("backend_pid"))
    row = await cursor.fetchone()
    return row is not None and int(row[0]) != conn.info.backend_pid


def _encoded(text: str) -> Jsonb:
    return Jsonb(text, dumps=_identity)


def _identity(text: Any) -> str:
    return str(text)


# -- sync -------------------------------------------------------------------------------


class Store:
    """The queries the client, the CLI and the installer send, over one connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def _one(self, name: QueryName, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        return self.conn.execute(query(name), params).fetchone()

    def define_flow(self, definition: dict[str, Any]) -> int:
        row = self._one("define_flow", {"definition": Jsonb(definition)})
        assert row is not None
        return int(row[1])

    def flow_definition(self, flow_slug: str, version: int | None) -> dict[str, Any]:
        row = self._one("flow_definition", {"flow_slug": flow_slug, "version": version})
        assert row is not None
        definition: dict[str, Any] = row[0]
        return definition

    def start_flow(
        self,
        flow_slug: str,
        input: Any,
        run_id: str | None,
        idempotency_key: str | None = None,
        priority: int = 0,
        traceparent: str | None = None,
    ) -> Run:
        cursor = self.conn.cursor(row_factory=class_row(Run))
        params = {
            "flow_slug": flow_slug,
            "input": Jsonb(input),
            "run_id": run_id,
            "idempotency_key": idempotency_key,
            "priority": priority,
            "traceparent": traceparent,
        }
        run = cursor.execute(query("start_flow"), params).fetchone()
        assert run is not None
        return run

    def start_flow_routed(
        self,
        run_id: uuid.UUID | str,
        flow_slug: str,
        input: Any,
        idempotency_key: str | None = None,
        priority: int = 0,
        traceparent: str | None = None,
    ) -> Run:
        """start_flow with the run id chosen here, which Citus routes to the node of the run."""
        cursor = self.conn.cursor(row_factory=class_row(Run))
        params = {
            "run_id": run_id,
            "flow_slug": flow_slug,
            "input": Jsonb(input),
            "idempotency_key": idempotency_key,
            "priority": priority,
            "traceparent": traceparent,
        }
        run = cursor.execute(query("start_flow_routed"), params).fetchone()
        assert run is not None
        return run

    def distribute(self) -> list[str]:
        """pgflow.distribute() on a Citus coordinator: what it changed, one line per object."""
        return [str(row[0]) for row in self.conn.execute(query("distribute")).fetchall()]

    def start_flows(
        self,
        flow_slug: str,
        inputs: Sequence[Any],
        idempotency_keys: Sequence[str | None] | None = None,
        priority: int = 0,
        traceparent: str | None = None,
    ) -> list[Run]:
        cursor = self.conn.cursor(row_factory=class_row(Run))
        params = {
            "flow_slug": flow_slug,
            "inputs": Jsonb(list(inputs)),
            "idempotency_keys": list(idempotency_keys) if idempotency_keys is not None else None,
            "priority": priority,
            "traceparent": traceparent,
        }
        return cursor.execute(query("start_flows"), params).fetchall()

    def queue_stats(self) -> list[QueueStats]:
        cursor = self.conn.cursor(row_factory=class_row(QueueStats))
        return cursor.execute(query("queue_stats")).fetchall()

    def get_run(self, run_id: uuid.UUID | str) -> Run | None:
        cursor = self.conn.cursor(row_factory=class_row(Run))
        return cursor.execute(query("get_run"), {"run_id": str(run_id)}).fetchone()

    def run_tree(self, run_id: uuid.UUID | str) -> list[ChildRun]:
        cursor = self.conn.cursor(row_factory=class_row(ChildRun))
        return cursor.execute(query("run_tree"), {"run_id": str(run_id)}).fetchall()

    def get_step_states(self, run_id: uuid.UUID | str) -> list[StepState]:
        cursor = self.conn.cursor(row_factory=class_row(StepState))
        return cursor.execute(query("get_step_states"), {"run_id": str(run_id)}).fetchall()

    def send_signal(self, run_id: uuid.UUID | str, step_slug: str, payload: Any) -> SignalResult:
        """``pgflow.send_signal``; a signal the database ignored (its NOTICE) comes back as ``ignored``."""
        notices: list[str] = []

        def collect(diagnostic: psycopg.errors.Diagnostic) -> None:
            if diagnostic.severity_nonlocalized == "NOTICE" and diagnostic.message_primary:
                notices.append(diagnostic.message_primary)

        self.conn.add_notice_handler(collect)
        try:
            row = self._one("send_signal", {"run_id": str(run_id), "step_slug": step_slug, "payload": Jsonb(payload)})
        finally:
            self.conn.remove_notice_handler(collect)
        assert row is not None
        ignored = next((n.removeprefix("pgflow: ") for n in notices if " ignored: " in n), None)
        return SignalResult(row[0], row[1], row[2], ignored)

    def get_failed_attempts(self, run_id: uuid.UUID | str) -> list[FailedAttempt]:
        cursor = self.conn.cursor(row_factory=class_row(FailedAttempt))
        return cursor.execute(query("get_failed_attempts"), {"run_id": str(run_id)}).fetchall()

    def get_unserved_steps(self, run_id: uuid.UUID | str, max_age: str) -> list[UnservedStep]:
        cursor = self.conn.cursor(row_factory=class_row(UnservedStep))
        return cursor.execute(query("get_unserved_steps"), {"run_id": str(run_id), "max_age": max_age}).fetchall()

    def recent_runs(self, flow_slug: str | None, status: str | None, limit: int) -> list[Run]:
        cursor = self.conn.cursor(row_factory=class_row(Run))
        params = {"flow_slug": flow_slug, "status": status, "limit": limit}
        return cursor.execute(query("recent_runs"), params).fetchall()

    def list_flows(self, flow_slug: str | None = None) -> list[FlowSummary]:
        cursor = self.conn.cursor(row_factory=class_row(FlowSummary))
        return cursor.execute(query("list_flows"), {"flow_slug": flow_slug}).fetchall()

    def list_workers(self, max_age: str) -> list[WorkerInfo]:
        cursor = self.conn.cursor(row_factory=class_row(WorkerInfo))
        return cursor.execute(query("list_workers"), {"max_age": max_age}).fetchall()

    def sync_schedules(self, flow_slug: str, schedules: list[dict[str, Any]]) -> list[tuple[str, str]]:
        """(schedule name, what deploy did to it) for every schedule of the flow."""
        rows = self.conn.execute(query("sync_schedules"), {"flow_slug": flow_slug, "schedules": Jsonb(schedules)})
        return [(str(name), str(action)) for name, action in rows.fetchall()]

    def list_schedules(self, flow_slug: str | None = None) -> list[ScheduleInfo]:
        cursor = self.conn.cursor(row_factory=class_row(ScheduleInfo))
        return cursor.execute(query("list_schedules"), {"flow_slug": flow_slug}).fetchall()

    def tick_at(self, at: datetime) -> list[ScheduledRun]:
        """The runs of the schedule slots due at ``at`` that this tick started (ahead of the clock: admins only)."""
        cursor = self.conn.cursor(row_factory=class_row(ScheduledRun))
        return cursor.execute(query("tick_at"), {"at": at}).fetchall()

    def backend_pid(self) -> int:
        """The server process running this session's statement (see ``behind_pooler``)."""
        row = self._one("backend_pid")
        assert row is not None
        return int(row[0])

    def listen_runs(self) -> None:
        self.conn.execute(query("listen_runs"))

    def watch_run(self, run_id: uuid.UUID | str) -> Run | None:
        """Ask for the run's end to be notified on pgflow_runs; the run as it is now (None: no such run)."""
        cursor = self.conn.cursor(row_factory=class_row(Run))
        try:
            return cursor.execute(query("watch_run"), {"run_id": str(run_id)}).fetchone()
        except psycopg.errors.NoDataFound:
            return None

    def prune(self, older_than: str, batch_size: int) -> int:
        row = self._one("prune", {"older_than": older_than, "batch_size": batch_size})
        assert row is not None
        return int(row[0])

    def retry_run(self, run_id: uuid.UUID | str) -> RetriedRun:
        cursor = self.conn.cursor(row_factory=class_row(RetriedRun))
        row = cursor.execute(query("retry_run"), {"run_id": str(run_id)}).fetchone()
        assert row is not None
        return row

    def cancel_run(self, run_id: uuid.UUID | str, reason: str | None) -> CancelledRun:
        cursor = self.conn.cursor(row_factory=class_row(CancelledRun))
        row = cursor.execute(query("cancel_run"), {"run_id": str(run_id), "reason": reason}).fetchone()
        assert row is not None
        return row

    def runs_progress(self, run_ids: Sequence[uuid.UUID]) -> list[RunProgress]:
        cursor = self.conn.cursor(row_factory=class_row(RunProgress))
        return cursor.execute(query("runs_progress"), {"run_ids": [str(r) for r in run_ids]}).fetchall()

    def run_steps_summary(self, run_id: uuid.UUID) -> list[tuple[str, str, Any]]:
        rows = self.conn.execute(query("run_steps_summary"), {"run_id": str(run_id)}).fetchall()
        return [(str(slug), str(status), output) for slug, status, output in rows]

    @staticmethod
    def run_steps_summary_sql(run_id: uuid.UUID) -> str:
        """The ``run_steps_summary`` statement as a user would type it in psql (the run id filled in)."""
        return query("run_steps_summary").replace("%(run_id)s::uuid", f"'{uuid.UUID(str(run_id))}'")

    # The web UI's queries (pgflow.ui).

    def ui_runs_page(
        self,
        *,
        flow_slug: str | None,
        status: str | None,
        since: datetime | None,
        until: datetime | None,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[Run]:
        """Runs newest first; ``before``: the (started_at, run_id) of the last row of the previous page."""
        cursor = self.conn.cursor(row_factory=class_row(Run))
        return cursor.execute(
            query("ui_runs_page"), self._runs_page_params(flow_slug, status, since, until, before, limit)
        ).fetchall()

    def explain_ui_runs_page(
        self, *, flow_slug: str | None, status: str | None, before: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> str:
        """The plan PostgreSQL chooses for ``ui_runs_page`` (EXPLAIN ANALYZE), as text: tests check it uses an index."""
        params = self._runs_page_params(flow_slug, status, None, None, before, limit)
        rows = self.conn.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query("ui_runs_page"), params).fetchall()
        return "\n".join(str(row[0]) for row in rows)

    @staticmethod
    def _runs_page_params(
        flow_slug: str | None,
        status: str | None,
        since: datetime | None,
        until: datetime | None,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> dict[str, Any]:
        return {
            "flow_slug": flow_slug,
            "status": status,
            "since": since,
            "until": until,
            "before_started_at": None if before is None else before[0],
            "before_run_id": None if before is None else str(before[1]),
            "limit": limit,
        }

    def ui_runs_by_key(self, key: str, limit: int) -> list[Run]:
        cursor = self.conn.cursor(row_factory=class_row(Run))
        return cursor.execute(query("ui_runs_by_key"), {"key": key, "limit": limit}).fetchall()

    def ui_flows(self) -> list[FlowVersion]:
        return self.conn.cursor(row_factory=class_row(FlowVersion)).execute(query("ui_flows")).fetchall()

    def ui_flow_steps(self, flow_slug: str, version: int) -> list[FlowStep]:
        cursor = self.conn.cursor(row_factory=class_row(FlowStep))
        return cursor.execute(query("ui_flow_steps"), {"flow_slug": flow_slug, "version": version}).fetchall()

    def ui_workers(self, limit: int) -> list[WorkerInfo]:
        cursor = self.conn.cursor(row_factory=class_row(WorkerInfo))
        return cursor.execute(query("ui_workers"), {"limit": limit}).fetchall()

    def ui_queue(self) -> list[QueueDepth]:
        return self.conn.cursor(row_factory=class_row(QueueDepth)).execute(query("ui_queue")).fetchall()

    def ui_run_fingerprints(self, run_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = self.conn.execute(query("ui_run_fingerprints"), {"run_ids": [str(r) for r in run_ids]}).fetchall()
        return {row[0]: str(row[1]) for row in rows}

    def ui_run_waits(self, run_id: uuid.UUID) -> dict[str, StepWait]:
        cursor = self.conn.cursor(row_factory=class_row(StepWait))
        return {w.step_slug: w for w in cursor.execute(query("ui_run_waits"), {"run_id": str(run_id)})}

    def ui_can_operate(self) -> bool:
        row = self._one("ui_can_operate")
        return bool(row and row[0])

    def ui_listen(self) -> None:
        self.conn.execute(query("ui_listen"))

    # The installer's queries.

    def install_lock(self) -> None:
        self.conn.execute(query("install_lock"))

    def installed_extension(self) -> str | None:
        row = self._one("installed_extension")
        return None if row is None else str(row[0])

    def installed_schema(self) -> Installed:
        row = self._one("installed_schema")
        assert row is not None
        return Installed(bool(row[0]), bool(row[1]))

    def available_extension(self) -> str | None:
        row = self._one("available_extension")
        return None if row is None else str(row[0])

    def has_version_function(self) -> bool:
        row = self._one("has_version_function")
        return bool(row and row[0])

    def version(self) -> str:
        row = self._one("version")
        assert row is not None
        return str(row[0])

    def create_extension(self) -> None:
        self.conn.execute(query("create_extension"))

    def update_extension(self) -> None:
        self.conn.execute(query("update_extension"))

    def create_schema(self) -> None:
        self.conn.execute(query("create_schema"))

    def run_script(self, script: bytes) -> None:
        """A packaged install or update script (a file of this package, not user input)."""
        # psycopg sends a parameterless statement with the simple protocol, so it may hold many.
        self.conn.execute(script)


# -- async (the worker) -----------------------------------------------------------------

WorkerReport = Literal["complete_task", "complete_tasks"]


def idempotent_run_id(flow_slug: str, idempotency_key: str) -> uuid.UUID:
    """The run id of a keyed start, as ``pgflow.idempotent_run_id`` computes it (a name-based UUIDv8).

    The client passes it, so that Citus can route a keyed start to its run's node; without
    Citus the key's unique index decides as before and this is just the id a new run gets.
    """
    digest = bytearray(hashlib.sha256(f"pgflow run\x1f{flow_slug}\x1f{idempotency_key}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80
    digest[8] = (digest[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(digest))


def time_ordered_run_id() -> uuid.UUID:
    """A new run id as ``start_flow`` makes one: a UUIDv7 (RFC 9562), Unix milliseconds first, then random."""
    value = bytearray((time.time_ns() // 1_000_000).to_bytes(6, "big") + os.urandom(10))
    value[6] = (value[6] & 0x0F) | 0x70
    value[8] = (value[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(value))


# How long a worker trusts the claim routes it read (Citus: one per node; shards may move).
ROUTES_TTL = 60.0


class AsyncStore:
    """The queries a worker sends, each on a connection of its pool (and a LISTEN connection of its own).

    On Citus (``pgflow.citus_routes()`` has rows) claims go to one node at a time through
    ``claim_node_tasks``: a worker starts on a node of its own (by its id) and, when a node has
    nothing for it, tries the next one in the same claim, so it finds work on any node within
    one poll. Reports then go one by one (each to its run's node) instead of in batches.
    """

    def __init__(self, pool: psycopg_pool.AsyncConnectionPool[Any], listen_dsn: str) -> None:
        self.pool = pool
        self.listen_dsn = listen_dsn  # the pool's DSN, or a direct connection when the pool's is a pooler
        self._routes: list[uuid.UUID] | None = None  # None: not read yet
        self._routes_read_at = 0.0
        self._route_turn: int | None = None

    @property
    def batches_reports(self) -> bool:
        """Whether several completions may share one complete_tasks call (not on Citus: runs live on many nodes)."""
        return not self._routes

    async def citus_routes(self) -> list[uuid.UUID]:
        """One claim route per Citus node holding runs; empty without Citus."""
        async with self.pool.connection() as conn:
            try:
                cursor = await conn.execute(query("citus_routes"))
            except psycopg.errors.UndefinedFunction:  # a server before citus_routes: no Citus support
                return []
            return [row[0] for row in await cursor.fetchall()]

    async def claim_tasks(
        self, worker_id: str, max_tasks: int, flow_slugs: Sequence[str], step_keys: Sequence[str] | None
    ) -> list[ClaimedTask]:
        params = {
            "worker_id": worker_id,
            "max_tasks": max_tasks,
            "flow_slugs": list(flow_slugs),
            "step_keys": None if step_keys is None else list(step_keys),
        }
        if self._routes is None or time.monotonic() - self._routes_read_at > ROUTES_TTL:
            self._routes = await self.citus_routes()
            self._routes_read_at = time.monotonic()
        routes = self._routes
        if not routes:
            async with self.pool.connection() as conn:
                cursor = conn.cursor(row_factory=class_row(ClaimedTask))
                await cursor.execute(query("claim_tasks"), params)
                claimed: list[ClaimedTask] = await cursor.fetchall()
                return claimed
        if self._route_turn is None:
            self._route_turn = zlib.crc32(worker_id.encode())  # workers start on different nodes
        for _ in routes:
            claimed = await self.claim_node_tasks(routes[self._route_turn % len(routes)], params)
            if claimed:
                return claimed
            self._route_turn += 1  # nothing there: the next node
        return []

    async def claim_node_tasks(self, route: uuid.UUID, params: dict[str, Any]) -> list[ClaimedTask]:
        """claim_tasks on the Citus node of ``route`` (params as claim_tasks')."""
        async with self.pool.connection() as conn:
            cursor = conn.cursor(row_factory=class_row(ClaimedTask))
            await cursor.execute(query("claim_node_tasks"), {**params, "route": route})
            claimed: list[ClaimedTask] = await cursor.fetchall()
            return claimed

    async def run_input(self, run_id: uuid.UUID) -> str | None:
        """The run's input as JSON text; raises LookupError for a run that does not exist."""
        return await self._run_text("run_input", run_id)

    async def run_traceparent(self, run_id: uuid.UUID) -> str | None:
        """The W3C traceparent the run was started in (None: none); raises LookupError for an unknown run."""
        return await self._run_text("run_traceparent", run_id)

    async def _run_text(self, name: Literal["run_input", "run_traceparent"], run_id: uuid.UUID) -> str | None:
        """The one text value a per-run query returns; LookupError when it returns no row (no such run)."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(query(name), {"run_id": run_id})
            row = await cursor.fetchone()
        if row is None:
            raise LookupError(f"run {run_id} does not exist")
        return None if row[0] is None else str(row[0])

    async def flow_step_shapes(self, flow_slugs: Sequence[str]) -> list[StepShape]:
        async with self.pool.connection() as conn:
            cursor = conn.cursor(row_factory=class_row(StepShape))
            await cursor.execute(query("flow_step_shapes"), {"flow_slugs": list(flow_slugs)})
            shapes: list[StepShape] = await cursor.fetchall()
            return shapes

    async def worker_heartbeat(
        self, worker_id: str, step_keys: Sequence[str] | None, idle: bool, *, timeout: float | None = None
    ) -> None:
        params = {"worker_id": worker_id, "step_keys": None if step_keys is None else list(step_keys), "idle": idle}
        async with self.pool.connection(timeout=timeout) as conn:
            await conn.execute(query("worker_heartbeat"), params)

    async def tick(self) -> list[ScheduledRun]:
        """The runs of due schedule slots that this tick started (none: nothing was due)."""
        async with self.pool.connection() as conn:
            cursor = conn.cursor(row_factory=class_row(ScheduledRun))
            await cursor.execute(query("tick"))
            started: list[ScheduledRun] = await cursor.fetchall()
            return started

    async def extend_lease(self, task: ClaimedTask) -> datetime | None:
        """A fresh lease, or None when this attempt no longer holds the task."""
        async with self.pool.connection() as conn:
            cursor = await conn.execute(query("extend_lease"), task_params(task))
            row = await cursor.fetchone()
        return None if row is None else row[0]

    async def complete_task(self, task: ClaimedTask, output_json: str) -> ReportResult:
        rows = await self._report("complete_task", {**task_params(task), "output": _encoded(output_json)})
        if len(rows) != 1:
            raise psycopg.DataError(f"complete_task returned {len(rows)} rows for one report")
        return rows[0]

    async def complete_tasks(self, reports: Sequence[tuple[ClaimedTask, str]]) -> list[ReportResult]:
        """Several completions in one transaction; a result per report, in order."""
        document = "[" + ", ".join(completion_json(task, output) for task, output in reports) + "]"
        rows = await self._report("complete_tasks", {"tasks": _encoded(document)})
        if len(rows) != len(reports):
            raise psycopg.DataError(f"complete_tasks returned {len(rows)} row(s) for {len(reports)} report(s)")
        return rows

    async def fail_task(
        self, task: ClaimedTask, error_message: str, error_type: str | None, error_details: str | None
    ) -> ReportResult:
        params = {
            **task_params(task),
            "error_message": error_message,
            "error_type": error_type,
            "error_details": error_details,
        }
        async with self.pool.connection() as conn:
            cursor = await conn.execute(query("fail_task"), params)
            row = await cursor.fetchone()
        if row is None:
            return ReportResult("unknown", task.attempt)
        return ReportResult(str(row[0]), int(row[1]), available_at=row[2])

    async def _report(self, name: WorkerReport, params: dict[str, Any]) -> list[ReportResult]:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(query(name), params)
            rows = await cursor.fetchall()
        return [ReportResult(str(r[0]), int(r[1]), r[2], lease_token=r[3]) for r in rows]

    async def notify_probe(self, token: str) -> None:
        """The listen self-test's notification, sent on a pooled connection: another session (a
        backend's own notifications reach its client even through a transaction pooler)."""
        async with self.pool.connection() as conn:
            await conn.execute(query("notify_probe"), {"token": token})

    @contextlib.asynccontextmanager
    async def listener(self) -> AsyncIterator[Listener]:
        """A connection of its own for LISTEN (never the pool's), on ``listen_dsn``."""
        name = self.pool.name[:63]  # as the pool's connections are named (unless the DSN names them)
        conn = await psycopg.AsyncConnection.connect(
            self.listen_dsn, autocommit=True, fallback_application_name=name, prepare_threshold=None
        )
        async with conn:
            yield Listener(conn)


class Listener:
    """The worker's LISTEN connection: what it subscribes to, and the notifications it receives."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.conn = conn

    async def listen_probe(self) -> None:
        await self.conn.execute(query("listen_probe"))

    async def listen_tasks(self) -> None:
        await self.conn.execute(query("listen_tasks"))

    async def unlisten_all(self) -> None:
        await self.conn.execute(query("unlisten_all"))

    async def received(self, channel: str, payload: str, timeout: float) -> bool:
        """Whether a notification ``payload`` on ``channel`` arrives within ``timeout`` seconds."""
        # Closed at once: a suspended notifies() holds the connection's lock.
        async with contextlib.aclosing(self.conn.notifies(timeout=timeout)) as arriving:
            async for notify in arriving:
                if notify.channel == channel and notify.payload == payload:
                    return True
        return False

    def notifications(self) -> contextlib.aclosing[AsyncGenerator[psycopg.Notify]]:
        """Every notification from now on (``async with ... as n: async for notify in n``)."""
        return contextlib.aclosing(self.conn.notifies())
