"""The claim loop and its wake-ups: claims up to the executor's free slots, never more.

It claims when woken by ``LISTEN pgflow_tasks`` (a connection of its own, which
reconnects forever and tests at each start that notifications reach it: not
behind a transaction pooler), by a freed slot, or by the poll timer (delays,
retry backoff, and without notifications everything, make tasks claimable
without a wake-up). Before waiting for work it
tells the database it is idle and looks once more, so work made claimable
before the database knew is not left to the poll.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Final, Literal

from ..dsl import Flow
from ..store import AsyncStore, ClaimedTask
from .connection import CONNECTION_ERRORS, Backoff, Outage
from .executor import Executor
from .metrics import METRICS
from .routing import Routing

log = logging.getLogger("pgflow.worker")

# How long the listen self-test waits for its own notification (a direct connection: milliseconds).
PROBE_TIMEOUT: Final = 3.0
# How the claim loop learns of work: notifications on its listen connection, or the poll timer only.
WakeMode = Literal["listen", "polling"]


class ClaimLoop:
    """Owns the wake-up event, whether a notification is pending, and whether claiming has stopped."""

    def __init__(
        self,
        worker_id: str,
        flows: Mapping[str, Flow],
        store: AsyncStore,
        routing: Routing,
        executor: Executor,
        outage: Outage,
        stats: collections.Counter[str],
        poll_interval: float,
        ready: threading.Event,
    ) -> None:
        self.worker_id = worker_id
        self.flows = flows
        self.store = store
        self.routing = routing
        self.executor = executor
        self.outage = outage
        self.stats = stats
        self.poll_interval = poll_interval
        self.ready = ready
        self._wake = asyncio.Event()
        self._notified = False
        self.stopped = False
        self.wake_mode: WakeMode | None = None  # once the listen self-test has said

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self.stopped = True
        self._wake.set()

    async def run(self) -> None:
        backoff = Backoff()
        while not self.stopped:
            self._wake.clear()  # before claiming: a notification during the claim wakes the next wait
            free = self.executor.free_slots
            claimed: list[ClaimedTask] = []
            notified, self._notified = self._notified, False
            if free > 0:
                try:
                    claimed = await self._claim_with_routing(free, notified)
                except CONNECTION_ERRORS as error:
                    self.outage.failed("claim_tasks", error)
                    await self._sleep(backoff.next())
                    continue
                backoff.reset()
                self.outage.succeeded()
                self.ready.set()
                for task in claimed:
                    self.executor.spawn(task)
                if claimed:
                    self.routing.idle = False
            if free > 0 and len(claimed) == free:
                continue  # there may be more work right now
            if free > 0 and not self.routing.idle and self.routing.step_keys is not None:
                # About to wait for work: ask for wake-ups, then look once more.
                try:
                    self.routing.idle = True
                    await self.routing.heartbeat()
                except CONNECTION_ERRORS as error:
                    self.outage.failed("worker_heartbeat", error)
                continue
            await self._sleep(self.poll_interval)

    async def _claim_with_routing(self, free: int, notified: bool) -> list[ClaimedTask]:
        if self.routing.due():
            await self.routing.refresh()
        claimed = await self._claim(free)
        if not claimed and notified:
            # Work of our flows we cannot claim: maybe a version deployed since we read them.
            self.routing.suspect()
            if self.routing.due() and await self.routing.refresh():
                claimed = await self._claim(free)
        return claimed

    async def _claim(self, free: int) -> list[ClaimedTask]:
        if not self.routing.can_claim:
            return []  # no stored version of our flows matches the code (yet)
        began = time.monotonic()
        claimed = await self.store.claim_tasks(self.worker_id, free, list(self.flows), self.routing.claim_keys)
        METRICS.claimed(claimed, time.monotonic() - began)
        self.stats["claimed"] += len(claimed)
        return claimed

    async def _sleep(self, seconds: float) -> None:
        """Sleep until woken (notification, free slot, stop) or ``seconds`` pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def listen(self) -> None:
        """Wake the claim loop when tasks of our flows become claimable; reconnects forever.

        Each connection first tests itself: a notification sent from a pooled
        connection (another session) must arrive within ``PROBE_TIMEOUT``. Behind a
        transaction pooler it never does (the LISTEN stayed with a server connection
        that went back to the pool): the worker then polls every ``poll_interval``
        and this task ends. The claim loop polls meanwhile, so the test delays nothing.
        """
        backoff = Backoff()
        while True:
            try:
                if not await self._listen_once(backoff):
                    return
            except Exception as error:  # psycopg.Error mostly; the listener must never die
                self.outage.failed("LISTEN", error)
                await asyncio.sleep(backoff.next())

    async def _listen_once(self, backoff: Backoff) -> bool:
        """Listen on one connection until it fails; False: notifications do not arrive on it."""
        async with self.store.listener() as listener:
            await listener.listen_probe()
            token = uuid.uuid4().hex
            sent = time.monotonic()
            await self.store.notify_probe(token)
            if not await listener.received("pgflow_probe", token, PROBE_TIMEOUT):
                await listener.unlisten_all()
                self._say_mode(
                    "polling",
                    "wake-ups: polling every %.1f s (self-test: a notification did not reach the listen connection "
                    "within %.0f s, as behind a transaction pooler; give a direct connection with --listen-dsn "
                    "for immediate wake-ups)",
                    self.poll_interval,
                    PROBE_TIMEOUT,
                )
                return False
            await listener.listen_tasks()
            self._say_mode(
                "listen",
                "wake-ups: LISTEN on a connection of its own (self-test: a notification arrived in %.0f ms)",
                (time.monotonic() - sent) * 1000,
            )
            backoff.reset()
            self.outage.succeeded()
            self._wake.set()  # anything notified while we were away
            async with listener.notifications() as notifications:
                async for notify in notifications:
                    if notify.payload not in self.flows:
                        continue  # another flow's, or another worker's self-test
                    if notify.channel == "pgflow_definitions":
                        self.routing.invalidate()  # a version was deployed: re-read them first
                    elif notify.channel == "pgflow_tasks":
                        self._notified = True
                    self._wake.set()
        return True

    def _say_mode(self, mode: WakeMode, message: str, *args: object) -> None:
        """Log the wake-up mode once, and again only when it changes (a reconnection that tests otherwise)."""
        if mode != self.wake_mode:
            self.wake_mode = mode
            log.info("worker %s: " + message, self.worker_id, *args)
