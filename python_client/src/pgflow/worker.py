"""The worker: claims tasks, runs their handlers, and reports outputs and errors.

It never decides what runs next (the extension does); it only:

- claims up to its free capacity in one ``claim_tasks`` call, when woken by
  ``LISTEN pgflow_tasks`` or by a poll timer (delays and retry backoff make tasks
  claimable without a notification);
- claims only the steps its code can serve (version routing): for every stored
  version of its flows, the steps whose slug, dependencies and fan-out equal
  the code's. The set is refreshed periodically and when a notification finds
  nothing to claim (a new version may have been deployed), and announced with
  ``worker_heartbeat`` so ``pgflow status`` can tell when nobody serves a run;
- runs sync handlers in a thread pool and async handlers on its event loop,
  each bounded by its step's timeout (the lease the claim gave it);
- extends the lease every third of the timeout while a handler runs, and drops
  a task whose lease it lost (``extend_lease`` returned NULL: someone else owns
  that task now, so its result would be ignored anyway);
- reports outputs with the claimed attempt, batching completions that finish
  close together into one ``complete_tasks`` call (no waiting when no other
  handler is running), and failures with ``fail_task`` (type, message and
  traceback); reports are retried while the database is unreachable (they are
  idempotent: a report for an attempt already recorded is ignored);
- decrypts secret values in a task's input before the handler sees them, and
  encrypts the outputs a step declares secret before reporting them; decrypted
  values are scrubbed from error messages, and an output that would store one
  in clear is refused (see ``pgflow.encryption``);
- on SIGTERM/SIGINT stops claiming, lets in-flight tasks finish for a grace
  period, then fails what is left so it is retried elsewhere (a second signal
  skips the grace period); a SIGKILLed worker loses nothing either: its tasks
  come back when their leases expire.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import logging
import math
import os
import random
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import psycopg
import psycopg_pool
from psycopg.rows import class_row, dict_row
from psycopg.types.json import Jsonb

from .codec import from_json, to_json
from .dsl import UNANNOTATED, Flow, Step
from .encryption import Keyring, SecretError, plaintext_strings, scrub
from .queries import QueryName, query

__all__ = ["ClaimedTask", "Worker", "format_error"]

log = logging.getLogger("pgflow.worker")

RUN_INPUT_CACHE_SIZE: Final = 256
REPORT_ATTEMPTS: Final = 8
# Completions wait at most this long for others to share their round trip; never
# when no other handler is running.
COMPLETION_LINGER: Final = 0.003
MAX_COMPLETION_BATCH: Final = 100
# A notification that finds nothing to claim re-reads the flow versions, at most this often.
ROUTING_REFRESH_ON_NOTIFY: Final = 1.0


@dataclass(frozen=True)
class ClaimedTask:
    """A row of ``pgflow.claim_tasks`` plus the database clock at the claim."""

    run_id: uuid.UUID
    flow_slug: str
    step_slug: str
    task_index: int
    attempt: int
    input: Any
    flow_version: int
    lease_expires_at: datetime
    claimed_at: datetime

    @property
    def lease_seconds(self) -> float:
        """The step's timeout as the database applied it (tunables may differ from the code)."""
        return max(1.0, float((self.lease_expires_at - self.claimed_at).total_seconds()))

    def __str__(self) -> str:
        return (
            f'task {self.task_index} of step "{self.step_slug}" (flow "{self.flow_slug}" '
            f"v{self.flow_version}) in run {self.run_id}, attempt {self.attempt}"
        )


class _Backoff:
    """Exponential backoff with jitter, for reconnecting."""

    def __init__(self, initial: float = 0.2, maximum: float = 30.0) -> None:
        self.initial = initial
        self.maximum = maximum
        self.failures = 0

    def next(self) -> float:
        delay: float = min(self.maximum, self.initial * 2.0**self.failures)
        self.failures += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


def error_type(error: BaseException) -> str:
    """The exception's class name (qualified by its module unless it is a builtin)."""
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def format_error(error: BaseException) -> str:
    """``Type: message`` on the first line, then the traceback."""
    name = error_type(error)
    message = str(error)
    trace = "".join(traceback.format_exception(error)).rstrip()
    return f"{name}: {message}\n{trace}" if message else f"{name}\n{trace}"


@dataclass(frozen=True)
class TaskError:
    """What ``fail_task`` records: a message, and optionally a type and details (a traceback)."""

    message: str
    type: str | None = None
    details: str | None = None

    @classmethod
    def of(cls, error: BaseException, context: str = "") -> TaskError:
        message = str(error) or error_type(error)
        trace = "".join(traceback.format_exception(error)).rstrip()
        return cls(f"{context}: {message}" if context else message, error_type(error), trace)

    def scrubbed(self, plaintexts: Sequence[str]) -> TaskError:
        """Decrypted secrets replaced by ``«secret»`` (a handler may quote its input in an error)."""
        if not plaintexts:
            return self
        return TaskError(
            scrub(self.message, plaintexts),
            self.type,
            scrub(self.details, plaintexts) if self.details is not None else None,
        )


def step_key(flow_slug: str, version: int, step_slug: str) -> str:
    """A step of a flow version as claim_tasks' step_keys spell it."""
    return f"{flow_slug}/{version}/{step_slug}"


def servable_step_keys(flows: Mapping[str, Flow], shapes: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """Which stored steps this code serves: same slug, same dependencies, same fan-out.

    ``shapes``: rows (flow_slug, flow_version, step_slug, deps, fan_out) of every
    stored version. Returns the keys served and, for the log, those not served.
    """
    served: list[str] = []
    unserved: list[str] = []
    for row in shapes:
        flow = flows.get(row["flow_slug"])
        step = flow.steps.get(row["step_slug"]) if flow is not None else None
        key = step_key(row["flow_slug"], row["flow_version"], row["step_slug"])
        if step is None:
            unserved.append(f"{key} (no such step in the code)")
        elif sorted(step.deps) != sorted(row["deps"] or []):
            unserved.append(f"{key} (dependencies {sorted(row['deps'] or [])}, code {sorted(step.deps)})")
        elif bool(row["fan_out"]) != step.fan_out:
            unserved.append(f"{key} (fan_out {bool(row['fan_out'])}, code {step.fan_out})")
        else:
            served.append(key)
    return served, unserved


@dataclass
class _Completion:
    task: ClaimedTask
    output: Any  # the JSON document reported
    result: asyncio.Future[tuple[str, int, str | None] | None]


class _CompletionBatcher:
    """Buffers completions and reports them together (``complete_tasks``): one round trip
    and one transaction for the outputs of handlers that finish close together.

    A batch is sent at once when no other handler is still running (nothing to wait
    for: a lone task pays no delay), when it is full, or after ``linger`` seconds.
    A batch the database refuses as a whole (e.g. one report names a pruned run) is
    resent report by report, so one bad report cannot fail the others; a lost
    connection is retried like any report.
    """

    def __init__(self, worker: Worker, pool: psycopg_pool.AsyncConnectionPool[Any]) -> None:
        self._worker = worker
        self._pool = pool
        self._buffer: list[_Completion] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    def submit(self, task: ClaimedTask, output: Any) -> asyncio.Future[tuple[str, int, str | None] | None]:
        result: asyncio.Future[tuple[str, int, str | None] | None] = asyncio.get_running_loop().create_future()
        self._buffer.append(_Completion(task, output, result))
        if len(self._buffer) >= MAX_COMPLETION_BATCH or self._worker.handlers_running == 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(COMPLETION_LINGER, self.flush)
        return result

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        sending = asyncio.create_task(self._send(batch), name=f"pgflow-complete-{len(batch)}")
        self._flushes.add(sending)
        sending.add_done_callback(self._flushes.discard)

    async def close(self) -> None:
        """Send what is buffered and wait for every batch in flight."""
        self.flush()
        while self._flushes:
            await asyncio.wait(set(self._flushes))

    async def _send(self, batch: list[_Completion]) -> None:
        worker = self._worker
        try:
            rows = await worker._report_batch(self._pool, batch)
        except psycopg.Error as error:
            if len(batch) == 1:
                _settle(batch[0].result, error=error)
                return
            log.warning(
                "worker %s: complete_tasks refused a batch of %d (%s); reporting them one by one",
                worker.worker_id,
                len(batch),
                str(error).strip().splitlines()[0],
            )
            for completion in batch:
                await self._send([completion])
            return
        if rows is None:  # gave up while the database was unreachable (logged)
            for completion in batch:
                _settle(completion.result, value=None)
            return
        worker.stats["completion_batches"] += 1
        for completion, row in zip(batch, rows, strict=True):
            _settle(completion.result, value=row)


def _settle(
    future: asyncio.Future[tuple[str, int, str | None] | None],
    *,
    value: tuple[str, int, str | None] | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():  # its waiter was cancelled (shutdown); the report was sent all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


class Worker:
    """Runs the handlers of some flows against one database.

    ``run()`` blocks until SIGTERM/SIGINT (or ``stop()`` from another thread);
    ``await run_async()`` is the same inside an event loop.
    """

    def __init__(
        self,
        dsn: str,
        flows: Sequence[Flow],
        *,
        concurrency: int = 10,
        worker_id: str | None = None,
        poll_interval: float = 1.0,
        shutdown_grace: float = 30.0,
        heartbeat_interval: float = 5.0,
        routing_refresh: float = 15.0,
        keyring: Keyring | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if not flows:
            raise ValueError("a worker needs at least one flow")
        self.dsn = dsn
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.shutdown_grace = shutdown_grace
        self.heartbeat_interval = heartbeat_interval
        self.routing_refresh = routing_refresh
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.slug in self.flows:
                raise ValueError(f'flow "{flow.slug}" is given twice')
            flow.validate()
            self.flows[flow.slug] = flow
        secret_flows = [slug for slug, flow in self.flows.items() if flow.has_secrets]
        self.keyring: Keyring | None = keyring
        if secret_flows and keyring is None:  # fail at start, not at the first task
            self.keyring = Keyring.from_env(purpose=f"flows {', '.join(secret_flows)} declare secret fields")
        self.step_keys: list[str] | None = None  # None: not read yet
        self._routing_read_at = -math.inf
        self._routing_lock: asyncio.Lock | None = None
        self._notified = False
        # Whether the database knows we wait for work: only then do completions send
        # wake-ups (pgflow._wake_workers). Set before sleeping for work; cleared lazily
        # by the next heartbeat, since a worker wrongly marked idle costs only a
        # notification, while one wrongly marked busy would miss its wake-ups.
        self._idle = False
        self._routing_suspect = False
        self.routing_disabled = False  # the role cannot read definitions: claim without step_keys
        self._reporting: set[tuple[uuid.UUID, str, int]] = set()
        self._completions: _CompletionBatcher | None = None
        self.stats: collections.Counter[str] = collections.Counter()
        self.ready = threading.Event()
        self.abandoned = 0  # sync handlers still running in threads after shutdown
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._immediate: asyncio.Event | None = None
        self._pending_stop: bool | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._run_inputs: collections.OrderedDict[uuid.UUID, asyncio.Task[Any]] = collections.OrderedDict()
        self._executor: ThreadPoolExecutor | None = None
        self._threads_lock = threading.Lock()
        self._threads_running = 0

    # -- lifecycle ---------------------------------------------------------------------

    def run(self) -> None:
        """Run until SIGTERM/SIGINT (signals are handled when called from the main thread)."""
        asyncio.run(self.run_async(handle_signals=threading.current_thread() is threading.main_thread()))

    def stop(self, *, immediate: bool = False) -> None:
        """Stop claiming and shut down gracefully (``immediate``: no grace period). Thread-safe."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self._pending_stop = immediate or bool(self._pending_stop)
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._request_stop, immediate)

    def _request_stop(self, immediate: bool) -> None:
        if not self._stopping:
            log.info("worker %s: stopping (no new claims; %d task(s) in flight)", self.worker_id, len(self._in_flight))
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if immediate and self._immediate is not None:
            self._immediate.set()

    def _on_signal(self, signum: int) -> None:
        immediate = self._stopping
        log.info(
            "worker %s: received %s%s",
            self.worker_id,
            signal.Signals(signum).name,
            " again: skipping the grace period" if immediate else "",
        )
        self._request_stop(immediate)

    async def run_async(self, *, handle_signals: bool = False) -> None:
        """Run until ``stop()`` (or a signal, with ``handle_signals``)."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._wake = asyncio.Event()
        self._immediate = asyncio.Event()
        self._stopping = False
        if self._pending_stop is not None:
            self._request_stop(self._pending_stop)
        if handle_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._on_signal, signum)
        self._executor = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="pgflow-handler")
        pool = psycopg_pool.AsyncConnectionPool(
            self.dsn,
            min_size=1,
            max_size=min(self.concurrency, 20) + 2,
            open=False,
            kwargs={"autocommit": True},
            configure=self._configure,
            check=psycopg_pool.AsyncConnectionPool.check_connection,
            name=f"pgflow-worker-{self.worker_id}",
        )
        await pool.open(wait=False)
        self._routing_lock = asyncio.Lock()
        self._completions = _CompletionBatcher(self, pool)
        listener = asyncio.create_task(self._listen(), name="pgflow-listen")
        announcer = asyncio.create_task(self._announce(pool), name="pgflow-heartbeat")
        log.info(
            "worker %s: serving flows %s with concurrency %d", self.worker_id, ", ".join(self.flows), self.concurrency
        )
        try:
            await self._claim_loop(pool)
            await self._drain()
        finally:
            await self._completions.close()
            for background in (listener, announcer):
                background.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await background
            await self._sign_off(pool)
            await pool.close()
            self.abandoned = self._threads_running
            self._executor.shutdown(wait=False, cancel_futures=True)
            if handle_signals:
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(signum)
            self._loop = None
            log.info("worker %s: stopped (%s)", self.worker_id, dict(self.stats))

    async def _drain(self) -> None:
        """Graceful shutdown: wait for in-flight tasks, then release what is left."""
        if not self._in_flight:
            return
        assert self._immediate is not None
        log.info(
            "worker %s: waiting up to %.0f s for %d task(s) in flight",
            self.worker_id,
            self.shutdown_grace,
            len(self._in_flight),
        )
        immediate = asyncio.create_task(self._immediate.wait())
        deadline = asyncio.get_running_loop().time() + self.shutdown_grace
        while self._in_flight and not immediate.done():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await asyncio.wait({*self._in_flight, immediate}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        immediate.cancel()
        left = set(self._in_flight)
        if left:
            log.warning("worker %s: releasing %d unfinished task(s)", self.worker_id, len(left))
            for task in left:
                task.cancel()
            await asyncio.wait(left, timeout=10)

    async def _configure(self, conn: psycopg.AsyncConnection[Any]) -> None:
        conn.add_notice_handler(_log_notice)

    # -- claiming ----------------------------------------------------------------------

    async def _claim_loop(self, pool: psycopg_pool.AsyncConnectionPool[Any]) -> None:
        assert self._wake is not None
        backoff = _Backoff()
        while not self._stopping:
            self._wake.clear()  # before claiming: a notification during the claim wakes the next wait
            free = self.concurrency - len(self._in_flight)
            claimed: list[ClaimedTask] = []
            notified, self._notified = self._notified, False
            if free > 0:
                try:
                    if self._routing_due():
                        await self._refresh_routing(pool)
                    claimed = await self._claim(pool, free)
                    if not claimed and notified:
                        # Work of our flows we cannot claim: maybe a version deployed since we read them.
                        self._routing_suspect = True
                        if self._routing_due() and await self._refresh_routing(pool):
                            claimed = await self._claim(pool, free)
                except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                    delay = backoff.next()
                    log.warning(
                        "worker %s: cannot claim (%s); retrying in %.1f s", self.worker_id, str(error).strip(), delay
                    )
                    await self._sleep(delay)
                    continue
                backoff.reset()
                self.ready.set()
                for task in claimed:
                    self._spawn(pool, task)
                if claimed:
                    self._idle = False
            if free > 0 and len(claimed) == free:
                continue  # there may be more work right now
            if free > 0 and not self._idle and self.step_keys is not None:
                # About to wait for work: ask for wake-ups, then look once more, so work made
                # claimable before the database knew we were idle is not left to the poll.
                try:
                    self._idle = True
                    await self._heartbeat_now(pool)
                except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                    log.warning("worker %s: cannot announce idleness (%s)", self.worker_id, str(error).strip())
                continue
            await self._sleep(self.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        """Sleep until woken (notification, free capacity, stop) or ``seconds`` pass."""
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def _claim(self, pool: psycopg_pool.AsyncConnectionPool[Any], free: int) -> list[ClaimedTask]:
        if not self.step_keys and not self.routing_disabled:
            return []  # no stored version of our flows matches the code (yet)
        async with pool.connection() as conn:
            cursor = conn.cursor(row_factory=class_row(ClaimedTask))
            await cursor.execute(
                query("claim_tasks"),
                {
                    "worker_id": self.worker_id,
                    "max_tasks": free,
                    "flow_slugs": list(self.flows),
                    "step_keys": None if self.routing_disabled else self.step_keys,
                },
            )
            claimed: list[ClaimedTask] = await cursor.fetchall()
        self.stats["claimed"] += len(claimed)
        return claimed

    # -- version routing ---------------------------------------------------------------

    def _routing_due(self) -> bool:
        age = asyncio.get_running_loop().time() - self._routing_read_at
        return (
            self.step_keys is None
            or age >= self.routing_refresh
            or (self._routing_suspect and age >= ROUTING_REFRESH_ON_NOTIFY)
        )

    async def _refresh_routing(self, pool: psycopg_pool.AsyncConnectionPool[Any]) -> bool:
        """Re-read the stored versions of our flows; returns whether the served steps changed."""
        assert self._routing_lock is not None
        async with self._routing_lock:
            try:
                async with pool.connection() as conn:
                    cursor = conn.cursor(row_factory=dict_row)
                    await cursor.execute(query("flow_step_shapes"), {"flow_slugs": list(self.flows)})
                    shapes = await cursor.fetchall()
            except psycopg.errors.InsufficientPrivilege as error:
                # A role that may claim but not read definitions: serve every step, as before routing.
                self._routing_read_at = math.inf
                if not self.routing_disabled:
                    self.routing_disabled = True
                    log.warning(
                        "worker %s: cannot read the flow versions (%s): claiming every step of %s without "
                        "version routing; grant SELECT on pgflow.steps and pgflow.deps to enable it",
                        self.worker_id,
                        str(error).strip().splitlines()[0],
                        ", ".join(self.flows),
                    )
                    self.step_keys = []
                    await self._heartbeat_now(pool)
                return False
            self._routing_read_at = asyncio.get_running_loop().time()
            self._routing_suspect = False
            served, unserved = servable_step_keys(self.flows, shapes)
            if served == self.step_keys:
                return False
            first = self.step_keys is None
            self.step_keys = served
        self.stats["routing_changes"] += 1
        log.info(
            "worker %s: %s %d step(s) of the stored flow versions%s",
            self.worker_id,
            "serving" if first else "now serving",
            len(served),
            f"; not serving (code differs): {'; '.join(unserved)}" if unserved else "",
        )
        missing = [slug for slug in self.flows if not any(k.startswith(slug + "/") for k in served)]
        if missing:
            log.warning(
                "worker %s: no stored version of flow(s) %s matches this code: deploy it (`pgflow deploy`)",
                self.worker_id,
                ", ".join(missing),
            )
        await self._heartbeat_now(pool)
        return True

    async def _announce(self, pool: psycopg_pool.AsyncConnectionPool[Any]) -> None:
        """Every heartbeat_interval: say we are alive and what we serve; re-read versions when due."""
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                due = asyncio.get_running_loop().time() - self._routing_read_at >= self.routing_refresh
                if due and await self._refresh_routing(pool):
                    self._wake_up()
                    continue  # the refresh sent a heartbeat
                await self._heartbeat_now(pool)
            except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                log.warning("worker %s: heartbeat failed (%s)", self.worker_id, str(error).strip())

    async def _heartbeat_now(self, pool: psycopg_pool.AsyncConnectionPool[Any]) -> None:
        if self.step_keys is None:
            return
        async with pool.connection() as conn:
            keys = None if self.routing_disabled else self.step_keys  # NULL: serves any step
            await conn.execute(
                query("worker_heartbeat"), {"worker_id": self.worker_id, "step_keys": keys, "idle": self._idle}
            )

    async def _sign_off(self, pool: psycopg_pool.AsyncConnectionPool[Any]) -> None:
        """On shutdown: announce that this worker serves nothing any more."""
        if self.step_keys is None:
            return
        try:
            async with pool.connection(timeout=2) as conn:
                await conn.execute(
                    query("worker_heartbeat"), {"worker_id": self.worker_id, "step_keys": [], "idle": False}
                )
        except (psycopg.Error, psycopg_pool.PoolTimeout) as error:
            log.info("worker %s: could not sign off (%s)", self.worker_id, str(error).strip())

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _listen(self) -> None:
        """Wake the claim loop when tasks of our flows become claimable; reconnects forever."""
        assert self._wake is not None
        backoff = _Backoff()
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
                async with conn:
                    await conn.execute(query("listen_tasks"))
                    backoff.reset()
                    self._wake.set()  # anything notified while we were away
                    async for notify in conn.notifies():
                        if notify.payload not in self.flows:
                            continue
                        if notify.channel == "pgflow_definitions":
                            self._routing_read_at = -math.inf  # a version was deployed: re-read them first
                        else:
                            self._notified = True
                        self._wake.set()
            except psycopg.Error as error:
                delay = backoff.next()
                log.warning(
                    "worker %s: LISTEN connection lost (%s); reconnecting in %.1f s",
                    self.worker_id,
                    str(error).strip(),
                    delay,
                )
                await asyncio.sleep(delay)

    # -- running a task ----------------------------------------------------------------

    @property
    def handlers_running(self) -> int:
        """Tasks in flight that have not reached their report yet."""
        return len(self._in_flight) - len(self._reporting)

    def _spawn(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask) -> None:
        running = asyncio.create_task(self._execute(pool, task), name=str(task))
        self._in_flight.add(running)

        def finished(done: asyncio.Task[None]) -> None:
            self._in_flight.discard(done)
            self._reporting.discard(_identity(task))
            if self._wake is not None:
                self._wake.set()  # capacity is free again

        running.add_done_callback(finished)

    async def _execute(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask) -> None:
        flow = self.flows.get(task.flow_slug)
        step = flow.steps.get(task.step_slug) if flow is not None else None
        if step is None or flow is None:
            await self._fail(
                pool,
                task,
                TaskError(
                    f"this worker ({self.worker_id}) has no handler for step "
                    f'"{task.step_slug}" of flow "{task.flow_slug}" v{task.flow_version}',
                    "LookupError",
                ),
            )
            return
        lease = task.lease_seconds
        log.debug("worker %s: running %s (lease %.0f s)", self.worker_id, task, lease)
        revealed: list[Any] = []  # secrets decrypted for this task: never to leave the worker in clear
        try:
            kwargs = await self._arguments(pool, flow, step, task, revealed)
        except asyncio.CancelledError:
            await self._fail(pool, task, TaskError("worker shut down before the handler started", "CancelledError"))
            return
        except Exception as error:
            failure = TaskError.of(error, "cannot build the handler's arguments")
            await self._fail(pool, task, failure.scrubbed(plaintext_strings(revealed)))
            return

        handler = self._start_handler(step, kwargs)
        heartbeat = asyncio.create_task(self._heartbeat(pool, task, lease))
        try:
            done, _ = await asyncio.wait({handler, heartbeat}, timeout=lease, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            handler.cancel()
            await self._fail(
                pool,
                task,
                TaskError(
                    f"worker shut down before the handler finished (grace period {self.shutdown_grace:.0f} s)",
                    "CancelledError",
                ),
            )
            return
        finally:
            heartbeat.cancel()

        if handler in done:
            exception = handler.exception()
            if exception is None:
                await self._complete(pool, task, step, handler.result(), revealed)
            else:
                await self._fail(pool, task, TaskError.of(exception).scrubbed(plaintext_strings(revealed)))
        elif heartbeat in done:
            handler.cancel()
            self.stats["lost"] += 1
            log.warning("worker %s: lost the lease of %s; its result will be dropped", self.worker_id, task)
        else:
            handler.cancel()
            self.stats["timed_out"] += 1
            await self._fail(
                pool,
                task,
                TaskError(f"the handler ran longer than the step's timeout ({lease:.0f} s)", "TimeoutError"),
            )

    def _start_handler(self, step: Step, kwargs: dict[str, Any]) -> asyncio.Future[Any]:
        if step.is_async:
            coroutine: Coroutine[Any, Any, Any] = step.handler(**kwargs)
            return asyncio.ensure_future(coroutine)
        assert self._executor is not None
        call = functools.partial(self._call_sync, step, kwargs)
        return asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _call_sync(self, step: Step, kwargs: dict[str, Any]) -> Any:
        with self._threads_lock:
            self._threads_running += 1
        try:
            return step.handler(**kwargs)
        finally:
            with self._threads_lock:
                self._threads_running -= 1

    async def _arguments(
        self,
        pool: psycopg_pool.AsyncConnectionPool[Any],
        flow: Flow,
        step: Step,
        task: ClaimedTask,
        revealed: list[Any],
    ) -> dict[str, Any]:
        payload: dict[str, Any] = task.input or {}
        kwargs: dict[str, Any] = {}
        for parameter in step.parameters:
            if parameter.role == "index":
                kwargs[parameter.name] = payload["index"]
                continue
            if parameter.role == "run":
                raw = await self._run_input(pool, task.run_id) if step.fan_out else payload.get("run")
            elif parameter.role == "item":
                raw = payload.get("item")
            else:  # a dependency; a skipped one is absent
                raw = payload.get(parameter.source or parameter.name)
            if flow.has_secrets:
                raw = self._keys(flow).reveal(raw, revealed)
            annotation = None if parameter.annotation is UNANNOTATED else parameter.annotation
            kwargs[parameter.name] = from_json(raw, annotation)
        return kwargs

    def _keys(self, flow: Flow) -> Keyring:
        if self.keyring is None:
            raise SecretError(f'flow "{flow.slug}" holds secret values, but this worker has no keys')
        return self.keyring

    async def _run_input(self, pool: psycopg_pool.AsyncConnectionPool[Any], run_id: uuid.UUID) -> Any:
        """The run's input, fetched once per run (fan-out task inputs do not carry it)."""
        fetch = self._run_inputs.get(run_id)
        if fetch is None or (fetch.done() and (fetch.cancelled() or fetch.exception() is not None)):
            fetch = asyncio.create_task(self._fetch_run_input(pool, run_id))
            self._run_inputs[run_id] = fetch
            while len(self._run_inputs) > RUN_INPUT_CACHE_SIZE:
                self._run_inputs.popitem(last=False)
        else:
            self._run_inputs.move_to_end(run_id)
        return await asyncio.shield(fetch)

    async def _fetch_run_input(self, pool: psycopg_pool.AsyncConnectionPool[Any], run_id: uuid.UUID) -> Any:
        self.stats["run_input_fetches"] += 1
        async with pool.connection() as conn:
            cursor = await conn.execute(query("run_input"), {"run_id": run_id})
            row = await cursor.fetchone()
        if row is None:
            raise LookupError(f"run {run_id} does not exist")
        return row[0]

    async def _heartbeat(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask, lease: float) -> None:
        """Extends the lease every third of it; returns only when the lease is lost."""
        interval = max(lease / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                async with pool.connection() as conn:
                    cursor = await conn.execute(query("extend_lease"), _task_key(task))
                    row = await cursor.fetchone()
            except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                log.warning("worker %s: cannot extend the lease of %s (%s)", self.worker_id, task, str(error).strip())
                continue
            except psycopg.Error as error:
                log.warning("worker %s: extend_lease refused for %s: %s", self.worker_id, task, str(error).strip())
                return
            self.stats["lease_extensions"] += 1
            if row is None or row[0] is None:
                return

    # -- reporting ---------------------------------------------------------------------

    def _output_document(self, flow: Flow, step: Step, output: Any, revealed: list[Any]) -> Any:
        """The JSON reported for a handler's output: secret parts encrypted, no secret left in clear."""
        document = to_json(output)
        what = f'the output of step "{step.slug}" of flow "{flow.slug}"'
        if step.secret_output is True:
            return self._keys(flow).seal(document)
        if step.secret_output:
            document = self._keys(flow).seal_fields(document, step.secret_output, what)
        plaintexts = plaintext_strings(revealed, minimum=6)
        if plaintexts:
            text = json.dumps(document, ensure_ascii=False)
            if any(plain in text for plain in plaintexts):
                raise SecretError(
                    f"{what} contains a secret value of its input in clear; it was not stored. Declare the "
                    "fields that carry it with @step(secret_output=[...]) (or secret_output=True)"
                )
        return document

    async def _complete(
        self,
        pool: psycopg_pool.AsyncConnectionPool[Any],
        task: ClaimedTask,
        step: Step,
        output: Any,
        revealed: list[Any],
    ) -> None:
        flow = self.flows[task.flow_slug]
        try:
            document = self._output_document(flow, step, output, revealed)
        except Exception as error:
            failure = TaskError.of(error, "cannot report the handler's output")
            await self._fail(pool, task, failure.scrubbed(plaintext_strings(revealed)))
            return
        self._reporting.add(_identity(task))
        assert self._completions is not None
        try:
            row = await self._completions.submit(task, document)
        except psycopg.Error as error:  # refused by the database, e.g. output not storable as jsonb
            await self._fail(pool, task, TaskError.of(error, "complete_task refused the output"))
            return
        if row is None:
            return  # gave up while the database was unreachable (logged): the lease will expire
        status, attempt, message = row
        if attempt != task.attempt or status not in ("completed", "queued", "failed"):
            self.stats["stale"] += 1  # someone else holds the task now; the database said so (NOTICE)
        elif status == "completed":
            self.stats["completed"] += 1
        else:
            # The database did not keep the output (e.g. over max_output_bytes): the attempt failed.
            self.stats["output_refused"] += 1
            log.warning(
                "worker %s: %s: the database refused the output: %s; %s",
                self.worker_id,
                task,
                message,
                "the task will be retried" if status == "queued" else "no attempts left, the task failed",
            )

    async def _report_batch(
        self, pool: psycopg_pool.AsyncConnectionPool[Any], batch: Sequence[_Completion]
    ) -> list[tuple[str, int, str | None]] | None:
        """Send completions (``complete_task`` for one, ``complete_tasks`` for several); rows in order."""
        if len(batch) == 1:
            only = batch[0]
            name: QueryName = "complete_task"
            params: dict[str, Any] = {**_task_key(only.task), "output": Jsonb(only.output)}
        else:
            name = "complete_tasks"
            params = {
                "tasks": Jsonb([{**_task_key(c.task), "run_id": str(c.task.run_id), "output": c.output} for c in batch])
            }
        rows = await self._report(pool, name, params)
        if rows is None:
            return None
        if len(rows) != len(batch):
            raise psycopg.DataError(f"{name} returned {len(rows)} row(s) for {len(batch)} report(s)")
        return [(str(r[0]), int(r[1]), r[2]) for r in rows]

    async def _fail(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask, error: TaskError) -> None:
        self._reporting.add(_identity(task))
        kind = f"{error.type}: " if error.type else ""
        log.info("worker %s: %s failed: %s%s", self.worker_id, task, kind, error.message.splitlines()[0])
        params = {
            **_task_key(task),
            "error_message": error.message,
            "error_type": error.type,
            "error_details": error.details,
        }
        try:
            rows = await self._report(pool, "fail_task", params)
        except psycopg.Error as refused:
            log.error("worker %s: fail_task refused for %s: %s", self.worker_id, task, refused)
            return
        if rows is not None:
            self.stats["failed"] += 1

    async def _report(
        self, pool: psycopg_pool.AsyncConnectionPool[Any], name: QueryName, params: dict[str, Any]
    ) -> list[tuple[Any, ...]] | None:
        """Send a report and return its rows, retrying while the database is unreachable
        (None: gave up). Reports are safe to resend: one for an attempt that was already
        recorded is ignored with a NOTICE."""
        backoff = _Backoff()
        for remaining in range(REPORT_ATTEMPTS - 1, -1, -1):
            try:
                async with pool.connection() as conn:
                    cursor = await conn.execute(query(name), params)
                    rows: list[tuple[Any, ...]] = await cursor.fetchall()
                    return rows
            except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                if remaining == 0:
                    log.error(
                        "worker %s: giving up on %s for %s: %s (the lease will expire and the task be retried)",
                        self.worker_id,
                        name,
                        params.get("step_slug", "a batch"),
                        error,
                    )
                    return None
                delay = backoff.next()
                log.warning(
                    "worker %s: %s failed (%s); retrying in %.1f s", self.worker_id, name, str(error).strip(), delay
                )
                await asyncio.sleep(delay)
        return None


def _identity(task: ClaimedTask) -> tuple[uuid.UUID, str, int]:
    return (task.run_id, task.step_slug, task.task_index)


def _task_key(task: ClaimedTask) -> dict[str, Any]:
    return {"run_id": task.run_id, "step_slug": task.step_slug, "task_index": task.task_index, "attempt": task.attempt}


def _log_notice(diagnostic: psycopg.errors.Diagnostic) -> None:
    level = logging.WARNING if diagnostic.severity_nonlocalized == "WARNING" else logging.INFO
    log.log(level, "database: %s", diagnostic.message_primary)
