"""The worker: claims tasks, runs their handlers, and reports outputs and errors.

It never decides what runs next (the extension does); it only:

- claims up to its free capacity in one ``claim_tasks`` call, for the flows it
  has handlers for, when woken by ``LISTEN pgflow_tasks`` or by a poll timer
  (delays and retry backoff make tasks claimable without a notification);
- runs sync handlers in a thread pool and async handlers on its event loop,
  each bounded by its step's timeout (the lease the claim gave it);
- extends the lease every third of the timeout while a handler runs, and drops
  a task whose lease it lost (``extend_lease`` returned NULL: someone else owns
  that task now, so its result would be ignored anyway);
- reports ``complete_task`` or ``fail_task`` (type, message and traceback) with
  the claimed attempt, retrying the report while the database is unreachable;
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
import logging
import os
import random
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import psycopg
import psycopg_pool
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from .codec import from_json, to_json
from .dsl import UNANNOTATED, Flow, Step
from .queries import QueryName, query

__all__ = ["ClaimedTask", "Worker", "format_error"]

log = logging.getLogger("pgflow.worker")

RUN_INPUT_CACHE_SIZE: Final = 256
REPORT_ATTEMPTS: Final = 8


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


def format_error(error: BaseException) -> str:
    """``Type: message`` on the first line, then the traceback: what fail_task records."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    message = str(error)
    trace = "".join(traceback.format_exception(error)).rstrip()
    return f"{name}: {message}\n{trace}" if message else f"{name}\n{trace}"


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
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if not flows:
            raise ValueError("a worker needs at least one flow")
        self.dsn = dsn
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.shutdown_grace = shutdown_grace
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.slug in self.flows:
                raise ValueError(f'flow "{flow.slug}" is given twice')
            flow.validate()
            self.flows[flow.slug] = flow
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
        listener = asyncio.create_task(self._listen(), name="pgflow-listen")
        log.info(
            "worker %s: serving flows %s with concurrency %d", self.worker_id, ", ".join(self.flows), self.concurrency
        )
        try:
            await self._claim_loop(pool)
            await self._drain()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
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
            if free > 0:
                try:
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
            if free > 0 and len(claimed) == free:
                continue  # there may be more work right now
            await self._sleep(self.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        """Sleep until woken (notification, free capacity, stop) or ``seconds`` pass."""
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def _claim(self, pool: psycopg_pool.AsyncConnectionPool[Any], free: int) -> list[ClaimedTask]:
        async with pool.connection() as conn:
            cursor = conn.cursor(row_factory=class_row(ClaimedTask))
            await cursor.execute(
                query("claim_tasks"),
                {"worker_id": self.worker_id, "max_tasks": free, "flow_slugs": list(self.flows)},
            )
            claimed: list[ClaimedTask] = await cursor.fetchall()
        self.stats["claimed"] += len(claimed)
        return claimed

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
                        if notify.payload in self.flows:
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

    def _spawn(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask) -> None:
        running = asyncio.create_task(self._execute(pool, task), name=str(task))
        self._in_flight.add(running)

        def finished(done: asyncio.Task[None]) -> None:
            self._in_flight.discard(done)
            if self._wake is not None:
                self._wake.set()  # capacity is free again

        running.add_done_callback(finished)

    async def _execute(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask) -> None:
        flow = self.flows.get(task.flow_slug)
        step = flow.steps.get(task.step_slug) if flow is not None else None
        if step is None:
            await self._fail(
                pool,
                task,
                f"this worker ({self.worker_id}) has no handler for step "
                f'"{task.step_slug}" of flow "{task.flow_slug}" v{task.flow_version}',
            )
            return
        lease = task.lease_seconds
        log.debug("worker %s: running %s (lease %.0f s)", self.worker_id, task, lease)
        try:
            kwargs = await self._arguments(pool, step, task)
        except asyncio.CancelledError:
            await self._fail(pool, task, "worker shut down before the handler started")
            return
        except Exception as error:
            await self._fail(pool, task, "cannot build the handler's arguments: " + format_error(error))
            return

        handler = self._start_handler(step, kwargs)
        heartbeat = asyncio.create_task(self._heartbeat(pool, task, lease))
        try:
            done, _ = await asyncio.wait({handler, heartbeat}, timeout=lease, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            handler.cancel()
            await self._fail(
                pool, task, f"worker shut down before the handler finished (grace period {self.shutdown_grace:.0f} s)"
            )
            return
        finally:
            heartbeat.cancel()

        if handler in done:
            failure = handler.exception()
            if failure is None:
                await self._complete(pool, task, handler.result())
            else:
                await self._fail(pool, task, format_error(failure))
        elif heartbeat in done:
            handler.cancel()
            self.stats["lost"] += 1
            log.warning("worker %s: lost the lease of %s; its result will be dropped", self.worker_id, task)
        else:
            handler.cancel()
            self.stats["timed_out"] += 1
            await self._fail(
                pool, task, f"TimeoutError: the handler ran longer than the step's timeout ({lease:.0f} s)"
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
        self, pool: psycopg_pool.AsyncConnectionPool[Any], step: Step, task: ClaimedTask
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
            annotation = None if parameter.annotation is UNANNOTATED else parameter.annotation
            kwargs[parameter.name] = from_json(raw, annotation)
        return kwargs

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

    async def _complete(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask, output: Any) -> None:
        try:
            document = Jsonb(to_json(output))
        except Exception as error:
            await self._fail(pool, task, "cannot serialize the handler's output: " + format_error(error))
            return
        try:
            await self._report(pool, "complete_task", {**_task_key(task), "output": document})
        except psycopg.Error as error:  # refused by the database, e.g. output not storable as jsonb
            await self._fail(pool, task, "complete_task refused the output: " + format_error(error))
            return
        self.stats["completed"] += 1

    async def _fail(self, pool: psycopg_pool.AsyncConnectionPool[Any], task: ClaimedTask, message: str) -> None:
        log.info("worker %s: %s failed: %s", self.worker_id, task, message.splitlines()[0])
        try:
            await self._report(pool, "fail_task", {**_task_key(task), "error_message": message})
        except psycopg.Error as error:
            log.error("worker %s: fail_task refused for %s: %s", self.worker_id, task, error)
            return
        self.stats["failed"] += 1

    async def _report(
        self, pool: psycopg_pool.AsyncConnectionPool[Any], name: QueryName, params: dict[str, Any]
    ) -> None:
        """Send a report, retrying while the database is unreachable. Reports are safe to
        resend: one for an attempt that was already recorded is ignored with a NOTICE."""
        backoff = _Backoff()
        for remaining in range(REPORT_ATTEMPTS - 1, -1, -1):
            try:
                async with pool.connection() as conn:
                    await conn.execute(query(name), params)
                return
            except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as error:
                if remaining == 0:
                    log.error(
                        "worker %s: giving up on %s for %s: %s (the lease will expire and the task be retried)",
                        self.worker_id,
                        name,
                        params.get("step_slug"),
                        error,
                    )
                    return
                delay = backoff.next()
                log.warning(
                    "worker %s: %s failed (%s); retrying in %.1f s", self.worker_id, name, str(error).strip(), delay
                )
                await asyncio.sleep(delay)


def _task_key(task: ClaimedTask) -> dict[str, Any]:
    return {"run_id": task.run_id, "step_slug": task.step_slug, "task_index": task.task_index, "attempt": task.attempt}


def _log_notice(diagnostic: psycopg.errors.Diagnostic) -> None:
    log.info("database: %s", diagnostic.message_primary)
