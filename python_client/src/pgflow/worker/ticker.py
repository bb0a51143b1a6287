"""The schedule ticker: ``pgflow.tick()`` every few seconds, so schedules need no cron daemon.

Every worker ticks (by default every 5 s, jittered so that many workers spread
out); the database makes each slot start exactly once however many tick at
once, so more workers only make a slot start sooner after it comes, never twice.
When nothing is due a tick is one index probe. A failed tick is logged, never
fatal: a lost connection is the worker's outage (said once), any other error
is logged once per streak; a database without ``pgflow.tick`` (0.1) or a role
that may not call it turns ticking off with one warning. ``tick_interval=None``
(``pgflow worker --tick-interval 0``) turns it off, e.g. when pg_cron ticks.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import random

import psycopg

from ..store import AsyncStore
from .connection import CONNECTION_ERRORS, Outage

log = logging.getLogger("pgflow.worker")

JITTER = 0.2  # each wait is the interval +/- 20 %


class Ticker:
    """Calls ``pgflow.tick()`` every ``interval`` seconds (jittered) until cancelled."""

    def __init__(
        self, worker_id: str, store: AsyncStore, outage: Outage, stats: collections.Counter[str], interval: float
    ) -> None:
        self.worker_id = worker_id
        self.store = store
        self.outage = outage
        self.stats = stats
        self.interval = interval
        self.disabled = False
        self._failing = False

    async def run(self) -> None:
        # The first tick comes within one interval of the start, at a random point of it.
        await asyncio.sleep(random.uniform(0, self.interval))
        while not self.disabled:
            await self.tick()
            await asyncio.sleep(self.interval * random.uniform(1 - JITTER, 1 + JITTER))

    async def tick(self) -> int:
        """One tick; the number of runs it started (0 when it failed)."""
        try:
            started = await self.store.tick()
        except (psycopg.errors.UndefinedFunction, psycopg.errors.InsufficientPrivilege) as error:
            self.disabled = True
            reason = str(error).strip().splitlines()[0]
            log.warning(
                "worker %s: cannot tick the schedules (%s): this worker starts no scheduled runs "
                "(update the extension to 0.2, or grant the role pgflow_worker)",
                self.worker_id,
                reason,
            )
            return 0
        except CONNECTION_ERRORS as error:
            self.outage.failed("tick", error)
            return 0
        except psycopg.Error as error:
            if not self._failing:
                log.warning("worker %s: tick failed: %s (retrying)", self.worker_id, str(error).strip().splitlines()[0])
            self._failing = True
            return 0
        self.outage.succeeded()
        if self._failing:
            log.info("worker %s: ticking again", self.worker_id)
            self._failing = False
        for run in started:
            log.info(
                "schedule %s: started run %s of flow %s for %s",
                run.schedule_name,
                run.run_id,
                run.flow_slug,
                f"{run.scheduled_for:%Y-%m-%d %H:%M %Z}",
            )
        self.stats["scheduled_runs"] += len(started)
        return len(started)
