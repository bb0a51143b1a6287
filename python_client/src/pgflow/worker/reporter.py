"""The reporter: sends completions (batched) and failures, and retries them while the database is away.

A batch is sent at once when no other handler is still running (nothing to wait
for: a lone task pays no delay), when it is full, or after ``COMPLETION_LINGER``.
A batch the database refuses as a whole (e.g. one report names a pruned run) is
resent report by report, so one bad report cannot fail the others. Reports are
safe to resend: one for an attempt that was already recorded is ignored with a
NOTICE. Outputs arrive encoded (``output_json``): an output that cannot be
stored failed its attempt in the executor before it got here.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, TypeVar

import psycopg

from ..store import AsyncStore, ClaimedTask, ReportResult
from .connection import CONNECTION_ERRORS, Backoff, Outage
from .errors import TaskError, safe_str, task_name

log = logging.getLogger("pgflow.worker")

T = TypeVar("T")

REPORT_ATTEMPTS: Final = 8
# Completions wait at most this long for others to share their round trip; never
# when no other handler is running.
COMPLETION_LINGER: Final = 0.003
MAX_COMPLETION_BATCH: Final = 100


@dataclass
class _Completion:
    task: ClaimedTask
    output_json: str
    result: asyncio.Future[ReportResult | None]


class Reporter:
    """Owns the completion buffer, the batches in flight and the retries of reports."""

    def __init__(
        self,
        worker_id: str,
        store: AsyncStore,
        outage: Outage,
        stats: collections.Counter[str],
        others_running: Callable[[], int],
    ) -> None:
        self.worker_id = worker_id
        self.store = store
        self.outage = outage
        self.stats = stats
        self._others_running = others_running  # handlers that may still report soon
        self._buffer: list[_Completion] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    # -- completions -------------------------------------------------------------------

    async def complete(self, task: ClaimedTask, output_json: str) -> ReportResult | None:
        """Report an output; the database's answer, or None when it stayed unreachable (logged).

        Raises ``psycopg.Error`` when the database refuses this report.
        """
        result: asyncio.Future[ReportResult | None] = asyncio.get_running_loop().create_future()
        self._buffer.append(_Completion(task, output_json, result))
        if len(self._buffer) >= MAX_COMPLETION_BATCH or self._others_running() == 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(COMPLETION_LINGER, self.flush)
        return await result

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
        if len(batch) > 1 and not self.store.batches_reports:
            # On Citus each report is a call routed to its run's node, never one call across nodes.
            await asyncio.gather(*(self._send([completion]) for completion in batch))
            return
        try:
            if len(batch) == 1:
                only = batch[0]
                rows: list[ReportResult] | None = await self._retrying(
                    "complete_task", lambda: _one(self.store.complete_task(only.task, only.output_json))
                )
            else:
                reports = [(c.task, c.output_json) for c in batch]
                rows = await self._retrying("complete_tasks", lambda: self.store.complete_tasks(reports))
        except psycopg.Error as error:
            if len(batch) == 1:
                _settle(batch[0].result, error=error)
                return
            log.warning(
                "worker %s: complete_tasks refused a batch of %d (%s); reporting them one by one",
                self.worker_id,
                len(batch),
                safe_str(error).strip().splitlines()[0],
            )
            for completion in batch:
                await self._send([completion])
            return
        except BaseException as error:  # never leave a waiter (and its slot) unsettled
            for completion in batch:
                _settle(completion.result, error=error)
            if not isinstance(error, Exception):
                raise
            return
        if rows is None:  # gave up while the database was unreachable (logged)
            for completion in batch:
                _settle(completion.result, value=None)
            return
        self.stats["completion_batches"] += 1
        for completion, row in zip(batch, rows, strict=True):
            _settle(completion.result, value=row)

    # -- failures ----------------------------------------------------------------------

    async def fail(self, task: ClaimedTask, error: TaskError, fan_out: bool = False) -> None:
        """Report a failed attempt; log it at WARNING when it will be retried (with when), ERROR when final."""
        error = error.storable()
        kind = f"{error.type}: " if error.type else ""
        first_line = error.message.splitlines()[0] if error.message else ""
        name = task_name(task.flow_slug, task.step_slug, task.task_index, fan_out)
        what = f"{name} run {task.run_id} attempt {task.attempt} failed: {kind}{first_line}"
        try:
            row = await self._retrying(
                "fail_task", lambda: self.store.fail_task(task, error.message, error.type, error.details)
            )
        except psycopg.Error as refused:
            log.error("worker %s: %s; fail_task refused it: %s", self.worker_id, what, refused)
            return
        if row is None:
            log.warning("%s (not recorded: the database stayed unreachable; its lease will expire)", what)
            return
        self.stats["failed"] += 1
        if row.status == "queued":
            when = ""
            if row.available_at is not None:
                wait = max(0.0, (row.available_at - datetime.now(UTC)).total_seconds())
                when = f" at {row.available_at.astimezone():%H:%M:%S} (in {wait:.0f} s)"
            log.warning("%s; retry%s", what, when)
        elif row.status == "failed":
            self.stats["failed_for_good"] += 1
            log.error("%s; no attempts left: the step failed", what)
        else:  # someone else holds the task now (the database said so with a NOTICE)
            log.info("%s (not recorded: %s)", what, row.status)

    # -- retries -----------------------------------------------------------------------

    async def _retrying(self, name: str, send: Callable[[], Awaitable[T]]) -> T | None:
        """``send()``, retried while the database is unreachable; None: gave up (logged)."""
        backoff = Backoff()
        for remaining in range(REPORT_ATTEMPTS - 1, -1, -1):
            try:
                answer = await send()
            except CONNECTION_ERRORS as error:
                if remaining == 0:
                    log.error(
                        "worker %s: giving up on %s: %s (the lease will expire and the task be retried)",
                        self.worker_id,
                        name,
                        safe_str(error).strip(),
                    )
                    return None
                self.outage.failed(name, error)
                await asyncio.sleep(backoff.next())
                continue
            self.outage.succeeded()
            return answer
        return None


async def _one(result: Awaitable[ReportResult]) -> list[ReportResult]:
    return [await result]


def _settle(
    future: asyncio.Future[ReportResult | None],
    *,
    value: ReportResult | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():  # its waiter was cancelled (shutdown); the report was sent all the same
        return
    if isinstance(error, Exception):
        future.set_exception(error)
    elif error is not None:  # cancelled: so is its waiter
        future.cancel()
    else:
        future.set_result(value)
