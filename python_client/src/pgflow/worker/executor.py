"""The executor: runs claimed tasks, one slot each, and hands their results to the reporter.

It owns the worker's slots: a task holds one from its claim until its report,
and a handler that outlives its task (a sync handler past its timeout: threads
cannot be interrupted) keeps holding one until it returns, so the claim loop
never claims more than can start at once (``free_slots``). A task's time starts
when its handler starts. Everything that can go wrong with a task (a missing
handler, an input ``json.loads`` cannot parse, arguments that do not decode,
secrets, the handler itself, an output that cannot be stored) ends as a
report about that task, never as an exception of the worker.

Each attempt runs in its span (``pgflow.tracing``: the run's trace, when
OpenTelemetry is installed) and is counted in the process's metrics
(``metrics.METRICS``): ``_execute`` opens the span, and the places that decide
an attempt's outcome (``_fail``, ``_complete``, a lost lease) record it.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import psycopg

from ..dsl import Flow, Step
from ..encryption import Keyring, plaintext_strings
from ..store import AsyncStore, ClaimedTask
from ..tracing import AttemptSpan, attempt_span
from .connection import Outage
from .errors import TaskError, task_name
from .handlers import Handlers, Outcome, RunningHandler
from .lease import LeaseKeeper
from .metrics import METRICS
from .payloads import Payloads
from .reporter import Reporter

log = logging.getLogger("pgflow.worker")

# An async handler still running this long after being cancelled ignores cancellation: say so.
CANCEL_GRACE: Final = 1.0
# What became of a task whose handler did not finish (compared by identity).
LOST: Final = Outcome()
TIMED_OUT: Final = Outcome()
# The span of the attempt an executor's asyncio task serves (each task has its own context).
_span: contextvars.ContextVar[AttemptSpan | None] = contextvars.ContextVar("pgflow_attempt_span", default=None)


class Executor:
    """Runs tasks: arguments (with secrets and the run-input cache), handlers, timeouts, results."""

    def __init__(
        self,
        worker_id: str,
        flows: Mapping[str, Flow],
        keyring: Keyring | None,
        concurrency: int,
        shutdown_grace: float,
        store: AsyncStore,
        outage: Outage,
        stats: collections.Counter[str],
        on_slot_free: Callable[[], None],
    ) -> None:
        self.worker_id = worker_id
        self.flows = flows
        self.concurrency = concurrency
        self.shutdown_grace = shutdown_grace
        self.store = store
        self.stats = stats
        self._on_slot_free = on_slot_free
        self.payloads = Payloads(keyring, store, stats)
        self.handlers = Handlers()
        self.leases = LeaseKeeper(worker_id, store, outage, stats)
        self.reporter = Reporter(worker_id, store, outage, stats, lambda: self.handlers_running)
        self.in_flight: set[asyncio.Task[None]] = set()
        self._reporting: set[asyncio.Task[None]] = set()
        self._stuck: set[asyncio.Future[Outcome]] = set()  # handlers that outlived their task
        self._skip: asyncio.Task[Any] | None = None  # set when draining: done if a second signal skipped the grace

    @property
    def free_slots(self) -> int:
        return self.concurrency - len(self.in_flight) - len(self._stuck)

    @property
    def handlers_running(self) -> int:
        """Tasks in flight that have not reached their report yet."""
        return len(self.in_flight) - len(self._reporting)

    def spawn(self, task: ClaimedTask) -> None:
        running = asyncio.create_task(self._execute(task), name=str(task))
        self.in_flight.add(running)

        def finished(done: asyncio.Task[None]) -> None:
            self.in_flight.discard(done)
            self._reporting.discard(done)
            self._on_slot_free()

        running.add_done_callback(finished)

    async def drain(self, grace: float, immediate: asyncio.Event) -> None:
        """Graceful shutdown: wait up to ``grace`` for the tasks in flight, then release what is left."""
        if not self.in_flight:
            return
        log.info("worker %s: waiting up to %.0f s for %d task(s) in flight", self.worker_id, grace, len(self.in_flight))
        skip = asyncio.create_task(immediate.wait())
        self._skip = skip
        deadline = asyncio.get_running_loop().time() + grace
        while self.in_flight and not skip.done():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await asyncio.wait({*self.in_flight, skip}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        skip.cancel()
        left = set(self.in_flight)
        if left:
            log.warning("worker %s: releasing %d unfinished task(s)", self.worker_id, len(left))
            for running in left:
                running.cancel()
            await asyncio.wait(left, timeout=10)

    # -- one task ----------------------------------------------------------------------

    async def _execute(self, task: ClaimedTask) -> None:
        """One attempt, in its span: the handler runs inside it, so the spans it makes nest under it."""
        try:
            traceparent = await self.payloads.traceparent(task.run_id)
        except asyncio.CancelledError:
            await self._fail(task, TaskError("worker shut down before the handler started", "CancelledError"))
            return
        with attempt_span(task, traceparent) as span:
            _span.set(span)
            await self._attempt(task)

    async def _attempt(self, task: ClaimedTask) -> None:
        flow = self.flows.get(task.flow_slug)
        step = flow.steps.get(task.step_slug) if flow is not None else None
        if step is None or flow is None:
            message = (
                f"this worker ({self.worker_id}) has no handler for step "
                f'"{task.step_slug}" of flow "{task.flow_slug}" v{task.flow_version}'
            )
            await self._fail(task, TaskError(message, "LookupError"))
            return
        revealed: list[Any] = []  # secrets decrypted for this task: never to leave the worker in clear
        try:
            kwargs = await self.payloads.arguments(flow, step, task, revealed)
        except asyncio.CancelledError:
            await self._fail(task, TaskError("worker shut down before the handler started", "CancelledError"))
            return
        except BaseException as error:  # RecursionError of a too deep input, a validator's SystemExit
            failure = TaskError.of(error, "cannot build the handler's arguments")
            await self._fail(task, failure.scrubbed(plaintext_strings(revealed)))
            return
        log.debug("worker %s: running %s (lease %.0f s)", self.worker_id, task, task.lease_seconds)
        began = time.monotonic()
        handler = self.handlers.start(step, kwargs, task)
        lease = asyncio.create_task(self.leases.keep(task))
        try:
            outcome = await self._outcome(handler, lease, task.lease_seconds)
        except asyncio.CancelledError:
            self._abandon(handler, task, "the worker shut down")
            skipped = self._skip is not None and self._skip.done() and not self._skip.cancelled()
            grace = (
                "grace period skipped by a second signal" if skipped else f"grace period {self.shutdown_grace:.0f} s"
            )
            message = f"worker shut down before the handler finished ({grace})"
            await self._fail(task, TaskError(message, "CancelledError"))
            return
        finally:
            lease.cancel()
        if handler.started.done():
            METRICS.handler_finished(task, asyncio.get_running_loop().time() - handler.started.result())
        if outcome is LOST:
            self._abandon(handler, task, "its lease was lost")
            self.stats["lost"] += 1
            METRICS.lease_lost(task)
            self._record(lambda span: span.failed("lost", "LeaseLost", "the lease was lost; the result was dropped"))
            log.warning("worker %s: lost the lease of %s; its result will be dropped", self.worker_id, task)
        elif outcome is TIMED_OUT:
            self._abandon(handler, task, f"its timeout ({task.lease_seconds:.0f} s)")
            self.stats["timed_out"] += 1
            message = f"the handler ran longer than the step's timeout ({task.lease_seconds:.0f} s)"
            await self._fail(task, TaskError(message, "TimeoutError"))
        elif outcome.error is not None:
            await self._fail(task, TaskError.of(outcome.error).scrubbed(plaintext_strings(revealed)))
        else:
            await self._complete(task, flow, step, outcome.value, revealed, time.monotonic() - began)

    async def _outcome(self, handler: RunningHandler, lease: asyncio.Task[None], timeout: float) -> Outcome:
        """The handler's outcome, or LOST (the lease) or TIMED_OUT (counted from the handler's start)."""
        starting: set[asyncio.Future[Any]] = {handler.started, lease}
        await asyncio.wait(starting, return_when=asyncio.FIRST_COMPLETED)
        if lease.done():
            return LOST
        running: set[asyncio.Future[Any]] = {handler.outcome, lease}
        done, _ = await asyncio.wait(running, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if handler.outcome in done:
            return handler.outcome.result()
        return LOST if lease in done else TIMED_OUT

    def _abandon(self, handler: RunningHandler, task: ClaimedTask, why: str) -> None:
        """The task is over but its handler may still run: it keeps its slot until it returns."""
        handler.cancel()
        if handler.outcome.done():
            return
        outcome = handler.outcome
        self._stuck.add(outcome)
        began = asyncio.get_running_loop().time()
        warned: list[bool] = []

        def warn() -> None:
            if not outcome.done():
                warned.append(True)
                kind = "sync handler (its thread cannot be interrupted)" if handler.in_thread else "async handler"
                log.warning(
                    "worker %s: the %s %s is stuck: still running after %s, for %s; it holds one of the %d slots "
                    "until it returns",
                    self.worker_id,
                    kind,
                    handler.name,
                    why,
                    task,
                    self.concurrency,
                )

        def released(_: asyncio.Future[Outcome]) -> None:
            self._stuck.discard(outcome)
            if warned:
                seconds = asyncio.get_running_loop().time() - began
                log.info("worker %s: the stuck handler %s returned %.1f s later", self.worker_id, handler.name, seconds)
            self._on_slot_free()

        outcome.add_done_callback(released)
        if handler.in_thread:
            warn()
        else:  # a cancelled task usually ends at its next await
            asyncio.get_running_loop().call_later(CANCEL_GRACE, warn)

    async def _complete(
        self, task: ClaimedTask, flow: Flow, step: Step, output: Any, revealed: list[Any], seconds: float
    ) -> None:
        try:
            output_json = self.payloads.output_json(flow, step, output, revealed)
        except BaseException as error:  # user code runs here too (a model's serializer, a Mapping's items)
            failure = TaskError.of(error, "cannot report the handler's output")
            await self._fail(task, failure.scrubbed(plaintext_strings(revealed)))
            return
        self._mark_reporting()
        try:
            row = await self.reporter.complete(task, output_json)
        except psycopg.Error as error:  # refused by the database, e.g. output not storable as jsonb
            await self._fail(task, TaskError.of(error, "complete_task refused the output"))
            return
        if row is None:
            return  # gave up while the database was unreachable (logged): the lease will expire
        if (
            row.attempt != task.attempt
            or row.status not in ("completed", "queued", "failed")
            or row.of_another_claim(task.lease_token)  # our claim was lost and its attempt number reissued
        ):
            self.stats["stale"] += 1  # someone else holds the task now; the database said so (NOTICE)
            self._record(lambda span: span.succeeded("stale"))
        elif row.status == "completed":
            self.stats["completed"] += 1
            METRICS.completed(task)
            self._record(lambda span: span.succeeded("completed"))
            name = task_name(task.flow_slug, task.step_slug, task.task_index, step.fan_out)
            log.info("%s run %s ok in %s", name, task.run_id, _elapsed(seconds))
        else:
            # The database did not keep the output (e.g. over max_output_bytes): the attempt failed.
            self.stats["output_refused"] += 1
            METRICS.failed(task)
            self._record(lambda span: span.failed("output_refused", None, row.error_message or "output refused"))
            log.warning(
                "worker %s: %s: the database refused the output: %s; %s",
                self.worker_id,
                task,
                row.error_message,
                "the task will be retried" if row.status == "queued" else "no attempts left, the task failed",
            )

    async def _fail(self, task: ClaimedTask, error: TaskError) -> None:
        flow = self.flows.get(task.flow_slug)
        step = flow.steps.get(task.step_slug) if flow is not None else None
        self._mark_reporting()
        METRICS.failed(task)
        self._record(lambda span: span.failed("failed", error.type, error.message))
        await self.reporter.fail(task, error, step is not None and step.fan_out)

    @staticmethod
    def _record(outcome: Callable[[AttemptSpan], None]) -> None:
        span = _span.get()
        if span is not None:
            outcome(span)

    def _mark_reporting(self) -> None:
        current = asyncio.current_task()
        if current is not None and current in self.in_flight:
            self._reporting.add(current)  # type: ignore[arg-type,unused-ignore]


def _elapsed(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
