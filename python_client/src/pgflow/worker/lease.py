"""The lease keeper: extends a running task's lease, and says when it is lost."""

from __future__ import annotations

import asyncio
import collections
import logging

import psycopg

from ..store import AsyncStore, ClaimedTask
from .connection import CONNECTION_ERRORS, Outage
from .metrics import METRICS

log = logging.getLogger("pgflow.worker")

# Never extend more often than this (a 1 s lease is extended every 0.33 s, not in a busy loop).
MIN_EXTENSION_INTERVAL = 0.2


class LeaseKeeper:
    """Extends leases every third of their length while handlers run (``extend_lease``)."""

    def __init__(self, worker_id: str, store: AsyncStore, outage: Outage, stats: collections.Counter[str]) -> None:
        self.worker_id = worker_id
        self.store = store
        self.outage = outage
        self.stats = stats

    async def keep(self, task: ClaimedTask) -> None:
        """Extend ``task``'s lease until cancelled; return only when the lease is lost.

        Lost: ``extend_lease`` returned NULL (someone else holds the task now, so a
        result would be ignored) or refused the call. An unreachable database is not
        a loss: the lease may still be ours when it comes back.
        """
        interval = max(task.lease_seconds / 3, MIN_EXTENSION_INTERVAL)
        while True:
            await asyncio.sleep(interval)
            try:
                lease = await self.store.extend_lease(task)
            except CONNECTION_ERRORS as error:
                self.outage.failed(f"extend_lease of {task}", error)
                continue
            except psycopg.Error as error:
                log.warning("worker %s: extend_lease refused for %s: %s", self.worker_id, task, str(error).strip())
                return
            self.outage.succeeded()
            self.stats["lease_extensions"] += 1
            METRICS.lease_renewed(task)
            if lease is None:
                return
