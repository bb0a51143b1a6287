"""Handler threads and tasks: a handler starts at once, and whatever it does ends as an ``Outcome``.

Sync handlers each get a thread of their own when they start (the executor never
starts more handlers than the worker has slots, so none waits for a thread and
a task's time starts when its handler does). Async handlers run as tasks of the
worker's loop. Either way any exception the handler raises, including
``KeyboardInterrupt``, ``SystemExit`` and a ``CancelledError`` it raises itself,
becomes the outcome (a failed attempt), never an exception of the worker: an
asyncio task re-raises the first two out of the event loop, which would kill the
worker and every task it runs. Only a cancellation the worker asked for cancels.

While a handler runs, ``current_task()`` (``pgflow.current_task``) is the claim
it serves: its run, step, task index and attempt, say for an idempotency key of
the handler's own side effects. It is a context variable, so each handler sees
its own, in a thread or in an asyncio task.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..dsl import Step
from ..rows import ClaimedTask

__all__ = ["Handlers", "Outcome", "RunningHandler", "current_task"]

_current: contextvars.ContextVar[ClaimedTask | None] = contextvars.ContextVar("pgflow_current_task", default=None)


def current_task() -> ClaimedTask | None:
    """The claim the calling handler serves (run, step, task index, attempt); None outside a handler."""
    return _current.get()


@dataclass(frozen=True)
class Outcome:
    """What a handler did: returned ``value``, or raised ``error``."""

    value: Any = None
    error: BaseException | None = None


@dataclass(frozen=True)
class RunningHandler:
    """A started handler: when it started (loop time) and its outcome (a future that never raises)."""

    name: str
    in_thread: bool
    started: asyncio.Future[float]
    outcome: asyncio.Future[Outcome]
    cancel: Callable[[], object]


def handler_name(step: Step) -> str:
    handler = step.handler
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', repr(handler))}"


class Handlers:
    """Starts handlers and counts the threads still running one (``threads_running``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads = 0

    @property
    def threads_running(self) -> int:
        with self._lock:
            return self._threads

    def start(self, step: Step, kwargs: dict[str, Any], task: ClaimedTask) -> RunningHandler:
        return self._start_task(step, kwargs, task) if step.is_async else self._start_thread(step, kwargs, task)

    def _start_task(self, step: Step, kwargs: dict[str, Any], task: ClaimedTask) -> RunningHandler:
        loop = asyncio.get_running_loop()
        started: asyncio.Future[float] = loop.create_future()

        async def guarded() -> Outcome:
            _current.set(task)  # in this asyncio task's own copy of the context
            started.set_result(loop.time())
            try:
                return Outcome(value=await step.handler(**kwargs))
            except asyncio.CancelledError as error:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # the worker cancelled it (timeout, lost lease, shutdown)
                return Outcome(error=error)  # the handler raised it itself
            except BaseException as error:
                return Outcome(error=error)

        running = asyncio.create_task(guarded(), name=f"pgflow-handler-{step.slug}")
        return RunningHandler(handler_name(step), False, started, running, running.cancel)

    def _start_thread(self, step: Step, kwargs: dict[str, Any], task: ClaimedTask) -> RunningHandler:
        loop = asyncio.get_running_loop()
        started: asyncio.Future[float] = loop.create_future()
        outcome: asyncio.Future[Outcome] = loop.create_future()

        def post(callback: Callable[..., None], *args: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
                loop.call_soon_threadsafe(callback, *args)

        def body() -> None:
            _current.set(task)  # in this thread's copy of the context
            post(_mark_started, started)
            try:
                result = Outcome(value=step.handler(**kwargs))
            except BaseException as error:  # SystemExit, KeyboardInterrupt too: a failed attempt
                result = Outcome(error=error)
            finally:
                with self._lock:
                    self._threads -= 1
            post(_deliver, outcome, result)

        with self._lock:
            self._threads += 1
        # A daemon thread: one whose handler hangs past the worker's shutdown must not keep the process alive.
        # It runs in a copy of the executor's context, as an asyncio task would: the attempt's span is current.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(body,), name=f"pgflow-handler-{step.slug}", daemon=True).start()
        return RunningHandler(handler_name(step), True, started, outcome, lambda: None)


def _deliver(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _mark_started(future: asyncio.Future[float]) -> None:
    if not future.done():  # runs on the loop's thread (call_soon_threadsafe)
        future.set_result(asyncio.get_running_loop().time())
