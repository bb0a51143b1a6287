"""The worker's lifecycle: start its pieces, stop on a signal or ``stop()``, shut down gracefully.

A worker that cannot reach its database at start fails at once
(``WorkerStartError``, one line); once running, it waits out outages quietly
(see ``connection``). It logs a line per finished task at INFO, a failed
attempt at WARNING (with when it is retried), a final failure at ERROR, and a
summary when it stops.

On SIGTERM/SIGINT it stops claiming, lets in-flight tasks finish for a grace
period, then fails what is left so it is retried elsewhere (a second signal
skips the grace period); a SIGKILLed worker loses nothing either: its tasks
come back when their leases expire.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Sequence

import psycopg

from ..dsl import Flow
from ..encryption import Keyring
from ..store import AsyncStore, behind_pooler_async
from .claimer import ClaimLoop, WakeMode
from .connection import Outage, close_filter, connections_per_worker, open_pool
from .errors import WorkerStartError
from .executor import Executor
from .routing import Routing
from .ticker import Ticker

log = logging.getLogger("pgflow.worker")


class Worker:
    """Runs the handlers of some flows against one database.

    ``run()`` blocks until SIGTERM/SIGINT (or ``stop()`` from another thread);
    ``await run_async()`` is the same inside an event loop. It runs at most
    ``concurrency`` handlers at once and holds at most
    ``connections_per_worker(concurrency)`` connections (``min(concurrency, 4) + 3``:
    a pool for claims, heartbeats and reports, and one LISTEN connection).

    Behind a transaction pooler such as pgbouncer, ``dsn`` may be the pooler's:
    the worker detects it (``pooled=None``; ``True``/``False`` say so instead) and
    then prepares no statement on the server. Wake-ups need a session:
    ``listen_dsn`` names a direct connection for LISTEN (default: ``dsn``); a
    start-up self-test tells whether notifications arrive on it, and without them
    the worker polls every ``poll_interval`` seconds (logged once, either way).
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
        tick_interval: float | None = 5.0,
        listen_dsn: str | None = None,
        pooled: bool | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if not flows:
            raise ValueError("a worker needs at least one flow")
        self.dsn = dsn
        self.listen_dsn = listen_dsn or dsn
        self.pooled = pooled  # None: detected at start
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.shutdown_grace = shutdown_grace
        self.heartbeat_interval = heartbeat_interval
        self.routing_refresh = routing_refresh
        if tick_interval is not None and tick_interval < 0:
            raise ValueError(f"tick_interval must be positive (or 0/None: no ticking), got {tick_interval}")
        # Seconds between calls of pgflow.tick() (the schedules); None: this worker does not tick.
        self.tick_interval = tick_interval or None
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.slug in self.flows:
                raise ValueError(f'flow "{flow.slug}" is given twice')
            flow.validate()
            self.flows[flow.slug] = flow
        # The flows their subflow steps run are served too: a child run's steps are the parent's work.
        pending = [child for flow in self.flows.values() for child in flow.subflows.values()]
        while pending:
            child = pending.pop()
            if child.slug not in self.flows:
                child.validate()
                self.flows[child.slug] = child
                pending.extend(child.subflows.values())
        secret_flows = [slug for slug, flow in self.flows.items() if flow.has_secrets]
        self.keyring: Keyring | None = keyring
        if secret_flows and keyring is None:  # fail at start, not at the first task
            self.keyring = Keyring.from_env(purpose=f"flows {', '.join(secret_flows)} declare secret fields")
        self.stats: collections.Counter[str] = collections.Counter()
        self.ready = threading.Event()
        self.abandoned = 0  # sync handlers still running in threads after shutdown
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending_stop: bool | None = None
        self._claims: ClaimLoop | None = None
        self._routing: Routing | None = None
        self._executor: Executor | None = None
        self._immediate: asyncio.Event | None = None

    @property
    def connections(self) -> int:
        """The most connections this worker holds at once."""
        return connections_per_worker(self.concurrency)

    @property
    def step_keys(self) -> list[str] | None:
        """The stored steps this worker serves (None: not read yet)."""
        return self._routing.step_keys if self._routing is not None else None

    @property
    def wake_mode(self) -> WakeMode | None:
        """How wake-ups arrive, "listen" or "polling", once the listen self-test has said (None: not yet)."""
        return self._claims.wake_mode if self._claims is not None else None

    @property
    def routing_disabled(self) -> bool:
        return self._routing is not None and self._routing.disabled

    @property
    def handlers_running(self) -> int:
        return self._executor.handlers_running if self._executor is not None else 0

    # -- stopping ----------------------------------------------------------------------

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
        claims = self._claims
        if claims is None:
            self._pending_stop = immediate or bool(self._pending_stop)
            return
        if not claims.stopped:
            in_flight = len(self._executor.in_flight) if self._executor is not None else 0
            log.info("worker %s: stopping (no new claims; %d task(s) in flight)", self.worker_id, in_flight)
        claims.stop()
        if immediate and self._immediate is not None:
            self._immediate.set()

    def _on_signal(self, signum: int) -> None:
        immediate = self._claims is not None and self._claims.stopped
        again = " again: skipping the grace period" if immediate else ""
        log.info("worker %s: received %s%s", self.worker_id, signal.Signals(signum).name, again)
        self._request_stop(immediate)

    # -- running -----------------------------------------------------------------------

    async def run_async(self, *, handle_signals: bool = False) -> None:
        """Run until ``stop()`` (or a signal, with ``handle_signals``)."""
        loop = asyncio.get_running_loop()
        await self._check_database()
        began = time.monotonic()
        pool, quiet = open_pool(self.dsn, self.concurrency, f"pgflow-worker-{self.worker_id}", pooled=bool(self.pooled))
        store = AsyncStore(pool, self.listen_dsn)
        outage = Outage(self.worker_id)
        flows, stats = self.flows, self.stats
        routing = Routing(self.worker_id, flows, store, outage, stats, self.routing_refresh, self.heartbeat_interval)

        def slot_freed() -> None:
            claims.wake()

        executor = Executor(
            self.worker_id, flows, self.keyring, self.concurrency, self.shutdown_grace, store, outage, stats, slot_freed
        )
        claims = ClaimLoop(
            self.worker_id, flows, store, routing, executor, outage, stats, self.poll_interval, self.ready
        )
        self._routing, self._executor, self._claims = routing, executor, claims
        self._immediate = asyncio.Event()
        self._loop = loop
        if self._pending_stop is not None:
            self._request_stop(self._pending_stop)
        if handle_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._on_signal, signum)
        await pool.open(wait=False)
        background = [
            asyncio.create_task(claims.listen(), name="pgflow-listen"),
            asyncio.create_task(routing.announce(claims.wake), name="pgflow-heartbeat"),
        ]
        if self.tick_interval is not None:
            ticker = Ticker(self.worker_id, store, outage, stats, self.tick_interval)
            background.append(asyncio.create_task(ticker.run(), name="pgflow-tick"))
        log.info(
            "worker %s: serving flows %s with concurrency %d (at most %d connections)",
            self.worker_id,
            ", ".join(flows),
            self.concurrency,
            self.connections,
        )
        if self.pooled:
            log.info(
                "worker %s: connected through a connection pooler: no server-side prepared statements",
                self.worker_id,
            )
        try:
            await claims.run()
            await executor.drain(self.shutdown_grace, self._immediate)
        finally:
            await executor.reporter.close()
            for running in background:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
            await routing.sign_off()
            await pool.close()
            close_filter(quiet)
            self.abandoned = executor.handlers.threads_running
            if handle_signals:
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(signum)
            self._loop = None
            log.info(
                "worker %s: stopped after %s: %s", self.worker_id, _uptime(time.monotonic() - began), self.summary()
            )

    def summary(self) -> str:
        """What this worker did, as the line it logs when it stops."""
        stats = self.stats
        parts = [f"{stats['claimed']} task(s) claimed", f"{stats['completed']} completed"]
        if stats["failed"]:
            final = stats["failed_for_good"]
            parts.append(f"{stats['failed']} attempt(s) failed ({final} with no attempts left)")
        for key, label in (
            ("timed_out", "timed out"),
            ("lost", "lost their lease"),
            ("stale", "reported too late"),
            ("output_refused", "had their output refused"),
        ):
            if stats[key]:
                parts.append(f"{stats[key]} {label}")
        if self.abandoned:
            parts.append(f"{self.abandoned} sync handler(s) still running in threads")
        return ", ".join(parts)

    async def _check_database(self) -> None:
        """Fail fast, with one line, when the database cannot be reached at start (later outages are
        waited out); find out whether the DSN goes through a connection pooler."""
        try:
            probe = await psycopg.AsyncConnection.connect(
                self.dsn, autocommit=True, connect_timeout=10, prepare_threshold=None
            )
        except psycopg.OperationalError as error:
            reason = " ".join(line.strip() for line in str(error).strip().splitlines() if line.strip())
            reason = reason.removeprefix("connection failed: ")
            raise WorkerStartError(
                f"worker {self.worker_id}: cannot connect to the database: {reason} (check --dsn or PGFLOW_DSN)"
            ) from error
        async with probe:
            if self.pooled is None:
                self.pooled = await behind_pooler_async(probe)


def _uptime(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"
