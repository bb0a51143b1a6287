"""Version routing and heartbeats: which stored steps this worker serves, announced to the database.

For every stored version of its flows, the worker serves the steps whose slug,
dependencies and fan-out equal the code's. The set is re-read every
``routing_refresh`` seconds, when a definition is deployed (``pgflow_definitions``),
and when a wake-up finds nothing to claim (maybe a version deployed since);
``worker_heartbeat`` announces it, and whether the worker waits for work (only
then do completions send it wake-ups).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import psycopg

from ..dsl import Flow
from ..store import AsyncStore, StepShape
from .connection import CONNECTION_ERRORS, Outage

log = logging.getLogger("pgflow.worker")

# A notification that finds nothing to claim re-reads the flow versions, at most this often.
ROUTING_REFRESH_ON_NOTIFY: Final = 1.0
SIGN_OFF_TIMEOUT: Final = 2.0


def step_key(flow_slug: str, version: int, step_slug: str) -> str:
    """A step of a flow version as claim_tasks' step_keys spell it."""
    return f"{flow_slug}/{version}/{step_slug}"


def servable_step_keys(
    flows: Mapping[str, Flow], shapes: Sequence[StepShape | Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """Which stored steps this code serves: same slug, dependencies, fan-out; signal steps never.

    ``shapes``: the rows of ``flow_step_shapes`` (or mappings of their columns).
    Returns the keys served and, for the log, those not served.
    """
    served: list[str] = []
    unserved: list[str] = []
    for shape in shapes:
        row = shape if isinstance(shape, StepShape) else StepShape(**shape)
        flow = flows.get(row.flow_slug)
        step = flow.steps.get(row.step_slug) if flow is not None else None
        key = step_key(row.flow_slug, row.flow_version, row.step_slug)
        stored_deps = sorted(row.deps or [])
        if step is None:
            unserved.append(f"{key} (no such step in the code)")
        elif sorted(step.deps) != stored_deps:
            unserved.append(f"{key} (dependencies {stored_deps}, code {sorted(step.deps)})")
        elif bool(row.fan_out) != step.fan_out:
            unserved.append(f"{key} (fan_out {bool(row.fan_out)}, code {step.fan_out})")
        elif bool(row.signal) != step.signal:
            unserved.append(f"{key} (signal {bool(row.signal)}, code {step.signal})")
        elif step.signal:
            continue  # a signal step has no task for anyone: nothing to serve
        else:
            served.append(key)
    return served, unserved


class Routing:
    """Owns the served step keys, when they were read, and what the heartbeat announces."""

    def __init__(
        self,
        worker_id: str,
        flows: Mapping[str, Flow],
        store: AsyncStore,
        outage: Outage,
        stats: collections.Counter[str],
        refresh_interval: float,
        heartbeat_interval: float,
    ) -> None:
        self.worker_id = worker_id
        self.flows = flows
        self.store = store
        self.outage = outage
        self.stats = stats
        self.refresh_interval = refresh_interval
        self.heartbeat_interval = heartbeat_interval
        self.step_keys: list[str] | None = None  # None: not read yet
        self.disabled = False  # the role cannot read definitions: claim without step_keys
        # Whether the database knows we wait for work: only then do completions send
        # wake-ups (pgflow._wake_workers). Set before sleeping for work; cleared lazily
        # by the next heartbeat, since a worker wrongly marked idle costs only a
        # notification, while one wrongly marked busy would miss its wake-ups.
        self.idle = False
        self._read_at = -math.inf
        self._suspect = False
        self._lock = asyncio.Lock()

    @property
    def claim_keys(self) -> list[str] | None:
        """claim_tasks' step_keys: None claims any step (routing disabled)."""
        return None if self.disabled else self.step_keys

    @property
    def can_claim(self) -> bool:
        return self.disabled or bool(self.step_keys)

    def due(self) -> bool:
        age = asyncio.get_running_loop().time() - self._read_at
        return (
            self.step_keys is None
            or age >= self.refresh_interval
            or (self._suspect and age >= ROUTING_REFRESH_ON_NOTIFY)
        )

    def suspect(self) -> None:
        """Work of our flows that we could not claim: re-read soon."""
        self._suspect = True

    def invalidate(self) -> None:
        """A version was deployed: re-read before the next claim."""
        self._read_at = -math.inf

    async def refresh(self) -> bool:
        """Re-read the stored versions of our flows; returns whether the served steps changed."""
        async with self._lock:
            try:
                shapes = await self.store.flow_step_shapes(list(self.flows))
            except psycopg.errors.InsufficientPrivilege as error:
                self._disable(error)
                await self.heartbeat()
                return False
            self._read_at = asyncio.get_running_loop().time()
            self._suspect = False
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
        await self.heartbeat()
        return True

    def _disable(self, error: psycopg.Error) -> None:
        # A role that may claim but not read definitions: serve every step, as before routing.
        self._read_at = math.inf
        if self.disabled:
            return
        self.disabled = True
        self.step_keys = []
        log.warning(
            "worker %s: cannot read the flow versions (%s): claiming every step of %s without "
            "version routing; grant SELECT on pgflow.steps and pgflow.deps to enable it",
            self.worker_id,
            str(error).strip().splitlines()[0],
            ", ".join(self.flows),
        )

    async def heartbeat(self) -> None:
        if self.step_keys is None:
            return
        await self.store.worker_heartbeat(self.worker_id, self.claim_keys, self.idle)

    async def announce(self, on_change: Callable[[], None]) -> None:
        """Every heartbeat_interval: say we are alive and what we serve; re-read versions when due."""
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                due = asyncio.get_running_loop().time() - self._read_at >= self.refresh_interval
                if due and await self.refresh():
                    on_change()
                    continue  # the refresh sent a heartbeat
                await self.heartbeat()
            except CONNECTION_ERRORS as error:
                self.outage.failed("heartbeat", error)
                continue
            self.outage.succeeded()

    async def sign_off(self) -> None:
        """On shutdown: announce that this worker serves nothing any more."""
        if self.step_keys is None:
            return
        try:
            await self.store.worker_heartbeat(self.worker_id, [], False, timeout=SIGN_OFF_TIMEOUT)
        except (psycopg.Error, *CONNECTION_ERRORS) as error:
            log.info("worker %s: could not sign off (%s)", self.worker_id, str(error).strip())
