"""Live updates for every browser at once: one LISTEN connection and one shared probe.

Browsers subscribe to runs (a server-sent events stream each). The hub keeps a
fingerprint of each watched run's state (``ui_run_fingerprints``: statuses of the
run, its steps and tasks, and its attempt count) and pushes the new fingerprint to
a run's subscribers when it changes. It probes every ``poll_interval`` seconds,
and at once when a notification arrives on the one listening connection
(``pgflow_tasks``, ``pgflow_runs``): notifications make updates quicker, the
probe makes them certain (run-end notifications may be opt-in, and a task that
completes without making another claimable notifies nobody).
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections import defaultdict
from typing import Any

import psycopg
import psycopg_pool

from ..store import Store

log = logging.getLogger("pgflow.ui")


class LiveHub:
    """Subscriptions of browsers to runs, fed by one listener thread and one probe thread."""

    def __init__(self, pool: psycopg_pool.ConnectionPool[Any], dsn: str, poll_interval: float = 0.5) -> None:
        self.pool = pool
        self.dsn = dsn
        self.poll_interval = poll_interval
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._subscribers: dict[uuid.UUID, set[queue.Queue[str]]] = defaultdict(set)
        self._fingerprints: dict[uuid.UUID, str] = {}
        self._threads = [
            threading.Thread(target=self._listen, name="pgflow-ui-listen", daemon=True),
            threading.Thread(target=self._probe_loop, name="pgflow-ui-probe", daemon=True),
        ]
        self.notifications = 0  # received on the listening connection (for tests and the log)
        self.probes = 0

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def subscribe(self, run_id: uuid.UUID) -> queue.Queue[str]:
        """A queue that receives the run's fingerprint each time it changes (the current one first)."""
        inbox: queue.Queue[str] = queue.Queue()
        with self._lock:
            self._subscribers[run_id].add(inbox)
            known = self._fingerprints.get(run_id)
        if known is not None:
            inbox.put(known)
        self._wake.set()
        return inbox

    def unsubscribe(self, run_id: uuid.UUID, inbox: queue.Queue[str]) -> None:
        with self._lock:
            subscribers = self._subscribers.get(run_id)
            if subscribers is not None:
                subscribers.discard(inbox)
                if not subscribers:
                    del self._subscribers[run_id]
                    self._fingerprints.pop(run_id, None)

    def watched(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscribers.values())

    def probe(self) -> None:
        """One shared probe of every watched run; subscribers of a changed run get its new fingerprint."""
        with self._lock:
            run_ids = list(self._subscribers)
        if not run_ids:
            return
        with self.pool.connection() as conn:
            fingerprints = Store(conn).ui_run_fingerprints(run_ids)
        self.probes += 1
        with self._lock:
            for run_id, fingerprint in fingerprints.items():
                if run_id not in self._subscribers or self._fingerprints.get(run_id) == fingerprint:
                    continue
                self._fingerprints[run_id] = fingerprint
                for inbox in self._subscribers[run_id]:
                    inbox.put(fingerprint)

    def _probe_loop(self) -> None:
        while not self.stopping.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self.stopping.is_set():
                return
            try:
                self.probe()
            except (psycopg.Error, psycopg_pool.PoolTimeout) as error:
                log.warning("pgflow ui: probing runs failed (%s); trying again", str(error).strip())
                self.stopping.wait(1.0)

    def _listen(self) -> None:
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True, application_name="pgflow ui listener") as conn:
                    Store(conn).ui_listen()
                    while not self.stopping.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.notifications += 1
                            self._wake.set()
            except psycopg.Error as error:
                log.warning("pgflow ui: the listening connection failed (%s); reconnecting", str(error).strip())
                self.stopping.wait(1.0)
