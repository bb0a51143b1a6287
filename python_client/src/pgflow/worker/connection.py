"""A worker's connections: how many it opens, and how it waits when the database is unreachable.

A worker opens at most ``connections_per_worker(concurrency)`` connections: its
pool (``pool_size``: claims, heartbeats, reports, lease extensions, run inputs)
plus one LISTEN connection. Reports are batched and short, so a few pooled
connections serve many handlers; a piece that finds the pool busy waits its
turn. When the server refuses connections (down, restarting, ``max_connections``
reached) every piece retries with a bounded backoff, and the worker says so
once (``Outage``), not once per attempt; the pool's own per-attempt warnings
are silenced for the worker's pool.

Behind a transaction pooler (pgbouncer's ``pool_mode = transaction``) each
transaction may run on another server connection, so a worker relies on no
session state: it never SETs, holds no advisory lock beyond a transaction,
creates no temp table, and, when the pool's DSN goes through a pooler
(detected at start, or ``pooled=True``), sends no server-side prepared
statements (psycopg would prepare a statement it ran five times: the next
server connection does not know it). LISTEN needs a session: the listen
connection (``listen_dsn``, a direct one) is tested at start, and without
working notifications the worker polls (see ``claimer``).
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any, Final

import psycopg
import psycopg_pool

__all__ = ["CONNECTION_ERRORS", "Backoff", "Outage", "connections_per_worker", "open_pool", "pool_size"]

log = logging.getLogger("pgflow.worker")

# Pooled connections for reports beyond the claim loop's and the heartbeat's: batching
# makes a few enough for any concurrency (a report waits its turn rather than connect).
MAX_REPORT_CONNECTIONS: Final = 4
# The longest wait between two attempts to reach the database.
MAX_RETRY_DELAY: Final = 5.0
# The pool gives up a reconnection after this long and starts afresh on the next request,
# which bounds its own exponential backoff as well.
POOL_RECONNECT_TIMEOUT: Final = 8.0

CONNECTION_ERRORS: Final = (psycopg.OperationalError, psycopg_pool.PoolTimeout)


def pool_size(concurrency: int) -> int:
    """The most connections a worker's pool opens: reports, plus the claim loop and the heartbeat."""
    return min(concurrency, MAX_REPORT_CONNECTIONS) + 2


def connections_per_worker(concurrency: int) -> int:
    """The most connections a worker holds: its pool and its LISTEN connection."""
    return pool_size(concurrency) + 1


class Backoff:
    """Exponential backoff with jitter, bounded by ``maximum``."""

    def __init__(self, initial: float = 0.2, maximum: float = MAX_RETRY_DELAY) -> None:
        self.initial = initial
        self.maximum = maximum
        self.failures = 0

    def next(self) -> float:
        delay: float = min(self.maximum, self.initial * 2.0**self.failures)
        self.failures += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


class Outage:
    """Says once that the database is unreachable, and once that it is back (every piece reports here)."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.since: float | None = None

    def failed(self, what: str, error: BaseException) -> None:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "worker %s: cannot reach the database (%s: %s); waiting for it, retrying every %.0f s at most",
                self.worker_id,
                what,
                reason,
                MAX_RETRY_DELAY,
            )
        else:
            log.debug("worker %s: still no database (%s: %s)", self.worker_id, what, reason)

    def succeeded(self) -> None:
        if self.since is not None:
            log.info(
                "worker %s: the database is reachable again after %.1f s", self.worker_id, time.monotonic() - self.since
            )
            self.since = None


class _QuietPool(logging.Filter):
    """Drops psycopg_pool's warnings about one pool: per connection attempt, per broken
    connection (the Outage says it once)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.pool_name = name
        self.pool: psycopg_pool.AsyncConnectionPool[Any] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING or not isinstance(record.args, tuple):
            return True
        # A pooled connection knows its pool (psycopg_pool sets conn._pool).
        for arg in record.args:
            if arg == self.pool_name or (self.pool is not None and getattr(arg, "_pool", None) is self.pool):
                return False
        return True


def application_name(pool_name: str) -> str:
    return pool_name[:63]  # NAMEDATALEN - 1


def _log_notice(diagnostic: psycopg.errors.Diagnostic) -> None:
    level = logging.WARNING if diagnostic.severity_nonlocalized == "WARNING" else logging.INFO
    log.log(level, "database: %s", diagnostic.message_primary)


def _drop_notify(notify: psycopg.Notify) -> None:
    """Pooled connections listen to nothing; behind a transaction pooler a server connection that
    another client left listening may still deliver to them (with no handler psycopg would keep
    every such notification in memory)."""


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.add_notice_handler(_log_notice)
    conn.add_notify_handler(_drop_notify)


def open_pool(
    dsn: str, concurrency: int, name: str, *, pooled: bool = False
) -> tuple[psycopg_pool.AsyncConnectionPool[Any], logging.Filter]:
    """The worker's pool (not opened yet) and the log filter installed for it (remove it at close).

    ``pooled``: the DSN goes through a connection pooler, so no statement is prepared on the server.
    """
    kwargs: dict[str, Any] = {"autocommit": True, "fallback_application_name": application_name(name)}
    if pooled:
        kwargs["prepare_threshold"] = None
    quiet = _QuietPool(name)
    logging.getLogger("psycopg.pool").addFilter(quiet)
    pool = psycopg_pool.AsyncConnectionPool(
        dsn,
        min_size=1,
        max_size=pool_size(concurrency),
        open=False,
        # Named in pg_stat_activity unless the DSN names it (libpq's fallback_application_name).
        kwargs=kwargs,
        configure=_configure,
        check=psycopg_pool.AsyncConnectionPool.check_connection,
        reconnect_timeout=POOL_RECONNECT_TIMEOUT,
        timeout=MAX_RETRY_DELAY,  # a request waits this long for a connection (then retried, as an outage)
        name=name,
    )
    quiet.pool = pool
    return pool, quiet


def close_filter(quiet: logging.Filter) -> None:
    logging.getLogger("psycopg.pool").removeFilter(quiet)
