"""``pgflow demo``: the critique's examples, deployed and run end to end in a few seconds.

It installs pgflow if needed, deploys four flows, starts a worker in this
process, starts five runs, prints each step's progress as it happens, then the
results and the SQL to look at them:

- ``analyze_parallel`` (critique 2.3): two steps in parallel and a join;
- ``vip_routing`` (critique 1.1): ``run_if``/``run_unless``, run for a VIP and a
  regular customer, so each takes the other branch;
- ``flaky_quote`` (critique 2.2): a step whose first attempt fails (a simulated
  upstream timeout) and whose retry, one second later, succeeds;
- ``fan_out_items`` (critique 2.8): one task per item, then a fan-in;
- ``document_approval``: a signal step waits for a reviewer's answer (sent by the
  demo a moment later, as ``send_signal``), then the draft is published or archived.
"""

from __future__ import annotations

import asyncio
import collections
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TextIO, TypedDict

import psycopg

from .client import deploy, start_flow
from .dsl import Flow
from .examples import approval, fan_out, parallel_analysis, subflows, vip
from .install import Installation, install
from .signals import send_signal
from .store import TERMINAL_STATUSES, ScheduledRun, Store
from .worker import Worker

__all__ = ["DEMO_FLOWS", "run_demo"]

# -- critique 2.2, as a retry that succeeds: the first call per request fails ---------


class QuoteRequest(TypedDict):
    request_id: str
    symbol: str


class Quote(TypedDict):
    symbol: str
    price: float
    attempts: int


_calls: collections.Counter[str] = collections.Counter()
_calls_lock = threading.Lock()

flaky_quote = Flow("flaky_quote", base_delay=1)


@flaky_quote.step(max_attempts=3)
def fetch_quote(run: QuoteRequest) -> Quote:
    with _calls_lock:
        _calls[run["request_id"]] += 1
        calls = _calls[run["request_id"]]
    if calls == 1:
        raise ConnectionError(f"quote service timed out for {run['symbol']} (simulated: the retry succeeds)")
    return {"symbol": run["symbol"], "price": 42.5, "attempts": calls}


@flaky_quote.step
def format_quote(fetch_quote: Quote) -> str:
    return f"{fetch_quote['symbol']}: {fetch_quote['price']:.2f} (after {fetch_quote['attempts']} attempts)"


# A schedule, deployed with the flow: a quote every weekday at 09:00 UTC. The demo
# starts its next slot ahead of the clock (tick at that slot) to show it.
weekday_quote = flaky_quote.schedule(
    "0 9 * * 1-5", input={"request_id": "weekday_quote", "symbol": "PGF"}, name="weekday_quote"
)


# A subflow's child flow comes before its parent (deploying the parent needs it).
DEMO_FLOWS: Final = (
    parallel_analysis.flow,
    vip.flow,
    flaky_quote,
    fan_out.flow,
    subflows.enrich_customer,
    subflows.flow,
    approval.flow,
)
# The reviewers' answers, sent (send_signal) once the demo's documents wait for them.
_REVIEWS: Final = (
    approval.Approval(approved=True, reviewer="Grace"),
    approval.Approval(approved=False, reviewer="Linus"),
)


def _tick_next_slot(conn: psycopg.Connection[Any], schedule_name: str) -> list[ScheduledRun]:
    """The run of the schedule's next slot, started now by a tick at that slot (the demo's role is an admin)."""
    store = Store(conn)
    schedules = store.list_schedules()
    schedule = next((s for s in schedules if s.schedule_name == schedule_name), None)
    if schedule is None or schedule.next_slot is None:
        return []
    slot = schedule.next_slot
    if any(s.next_slot is not None and s.next_slot <= slot for s in schedules if s.schedule_name != schedule_name):
        return []  # a tick at that slot would start other schedules' slots early too: not in someone's database
    return store.tick_at(slot)


def _demo_runs() -> list[tuple[Flow, dict[str, Any]]]:
    return [
        (parallel_analysis.flow, {"text": "I love this great little engine, the docs are good and nothing is awful"}),
        (vip.flow, {"name": "Ada", "userIsVIP": True}),
        (vip.flow, {"name": "Bob", "userIsVIP": False}),
        (flaky_quote, {"request_id": uuid.uuid4().hex, "symbol": "PGF"}),
        (fan_out.flow, {"items": ["apple", "kiwi", "banana", "fig", "cherry"], "multiplier": 2}),
        (subflows.flow, {"customers": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bob"}, {"id": 3, "name": "Cy"}]}),
        (approval.flow, {"title": "Release notes", "author": "Ada"}),
        (approval.flow, {"title": "Rewrite it all", "author": "Bob"}),
    ]


def _review_when_waiting(dsn: str, run_ids: Sequence[uuid.UUID], emit: Callable[[str], None]) -> threading.Thread:
    """A reviewer in another thread: answers each document once its approval step waits (or after 5 s)."""

    def review() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            store = Store(conn)
            for run_id, answer in zip(run_ids, _REVIEWS, strict=True):
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if any(s.step_slug == "approval" and s.waiting for s in store.get_step_states(run_id)):
                        break
                    time.sleep(0.1)
                time.sleep(0.5)  # the reviewer reads the draft (and the progress shows the wait)
                result = send_signal(conn, run_id, approval.approval, answer)
                verdict = "approves" if answer["approved"] else "rejects"
                emit(f"  (reviewer {answer['reviewer']} {verdict} run {run_id}: send_signal -> step {result.status})")

    thread = threading.Thread(target=review, name="pgflow-demo-reviewer", daemon=True)
    thread.start()
    return thread


# -- running ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _StepView:
    run_status: str
    status: str
    attempt: int
    last_error: str | None
    tasks: int
    tasks_completed: int
    signal: bool = False


class _BackgroundWorker:
    """The package's Worker, run in a thread of this process for the demo's duration."""

    def __init__(self, dsn: str, flows: Sequence[Flow]) -> None:
        self.worker = Worker(dsn, flows, concurrency=8, poll_interval=0.2, shutdown_grace=5.0)
        self.failure: list[BaseException] = []
        self.thread = threading.Thread(target=self._target, name="pgflow-demo-worker", daemon=True)

    def _target(self) -> None:
        try:
            asyncio.run(self.worker.run_async())
        except BaseException as error:
            self.failure.append(error)

    def __enter__(self) -> Worker:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.worker.ready.wait(0.1):
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.worker.stop(immediate=True)
                raise RuntimeError(f"the demo worker did not start: {self.failure or 'no claim within 15 s'}")
        return self.worker

    def __exit__(self, *exc: object) -> None:
        self.worker.stop()
        self.thread.join(15)


def _first_line(text: str | None, width: int = 90) -> str:
    line = (text or "").splitlines()[0] if text else ""
    return line if len(line) <= width else line[: width - 3] + "..."


def _events(view: _StepView, before: _StepView | None) -> list[str]:
    """What changed in a step since the last look, as words (nothing to say: an empty list)."""
    events: list[str] = []
    if view.last_error and (before is None or view.last_error != before.last_error):
        failed = view.attempt - 1 if view.status == "completed" else view.attempt
        events.append(f"attempt {failed} failed: {_first_line(view.last_error, 70)}; retried with backoff")
    if before is not None and view.status == before.status:
        if view.status == "started" and view.tasks_completed != before.tasks_completed:
            events.append(f"started   {view.tasks_completed}/{view.tasks} tasks done")
        return events
    if before is None and view.status == "created":
        return events
    detail = ""
    if view.tasks > 1:
        detail = f"   {view.tasks_completed}/{view.tasks} tasks done"
    if view.status == "completed" and view.attempt > 1:
        detail = f"   on attempt {view.attempt}"
    if view.status == "started" and view.signal:
        detail = "   waiting for a signal (send_signal)"
    events.append(f"{view.status:<9}{detail}")
    return events


def _watch(
    conn: psycopg.Connection[Any],
    run_ids: Sequence[uuid.UUID],
    labels: dict[uuid.UUID, str],
    timeout: float,
    emit: Callable[[str], None],
) -> dict[uuid.UUID, str]:
    """Print a line per step change until every run has finished or ``timeout`` passes."""
    began = time.monotonic()
    seen: dict[tuple[uuid.UUID, str], _StepView] = {}
    run_status: dict[uuid.UUID, str] = {}
    width = max(len(label) for label in labels.values())
    while True:
        rows = Store(conn).runs_progress(run_ids)
        now = f"{time.monotonic() - began:5.1f}s"
        finished: dict[uuid.UUID, str] = {}
        for row in rows:
            run_id, step_slug, status_of_run = row.run_id, row.step_slug, row.run_status
            view = _StepView(
                status_of_run, row.status, row.attempt, row.last_error, row.tasks, row.tasks_completed, row.signal
            )
            key = (run_id, step_slug)
            for event in _events(view, seen.get(key)):
                emit(f"  {now}  {labels[run_id]:<{width}}  {step_slug:<18} {event}".rstrip())
            seen[key] = view
            if run_status.get(run_id) != status_of_run and status_of_run in TERMINAL_STATUSES:
                finished[run_id] = status_of_run
            run_status[run_id] = status_of_run
        for run_id, status_of_run in finished.items():
            emit(f"  {now}  {labels[run_id]:<{width}}  => run {status_of_run}")
        if all(run_status.get(r) in TERMINAL_STATUSES for r in run_ids):
            return run_status
        if time.monotonic() - began > timeout:
            emit(f"  gave up waiting after {timeout:.0f} s")
            return run_status
        time.sleep(0.2)


def run_demo(
    dsn: str,
    *,
    where: str,
    psql_hint: str | None = None,
    timeout: float = 45.0,
    out: TextIO,
    installation: Installation | None = None,
) -> int:
    """Run the demo against ``dsn``; returns 0 when every run completed.

    ``installation``: what an earlier step of this process did (the embedded
    server installs pgflow as it starts), so the demo does not say "already
    installed" of a database it installed a moment ago.
    """

    def emit(line: str = "") -> None:
        print(line, file=out, flush=True)

    emit(f"pgflow demo: {where}")
    with psycopg.connect(dsn, autocommit=True) as conn:
        emit(f"  {(installation or install(conn)).describe()}")
        for flow in DEMO_FLOWS:
            version = deploy(conn, flow)
            steps = ", ".join(flow.steps)
            emit(f'  deployed flow "{flow.slug}" v{version}: {steps}')
        emit()
        with _BackgroundWorker(dsn, DEMO_FLOWS) as worker:
            emit(f"worker {worker.worker_id} is running (in this process); starting runs:")
            run_ids: list[uuid.UUID] = []
            labels: dict[uuid.UUID, str] = {}
            documents: list[uuid.UUID] = []
            for flow, data in _demo_runs():
                run = start_flow(conn, flow, data)
                run_ids.append(run.run_id)
                if flow is approval.flow:
                    documents.append(run.run_id)
                labels[run.run_id] = f"{flow.slug} #{sum(label.startswith(flow.slug) for label in labels.values()) + 1}"
                emit(f"  {labels[run.run_id]:<20} {run.run_id}  input {json.dumps(data)}")
            for scheduled in _tick_next_slot(conn, weekday_quote.name):
                run_ids.append(scheduled.run_id)
                labels[scheduled.run_id] = f"{scheduled.schedule_name} (schedule)"
                slot = f"{scheduled.scheduled_for:%a %Y-%m-%d %H:%M} UTC"
                emit(
                    f"  {labels[scheduled.run_id]:<20} {scheduled.run_id}  slot {slot} of cron {weekday_quote.cron!r},"
                    " started ahead of the clock by pgflow.tick(at => slot)"
                )
            emit()
            emit("progress (a line per step change, read from pgflow.step_states and pgflow.step_tasks):")
            reviewer = _review_when_waiting(dsn, documents, emit)
            statuses = _watch(conn, run_ids, labels, timeout, emit)
            reviewer.join(10)

        emit()
        emit("results (pgflow.runs.output: the outputs of each run's leaf steps):")
        for run_id in run_ids:
            result = Store(conn).get_run(run_id)
            assert result is not None
            status, output, error = result.status, result.output, result.error_message
            shown = json.dumps(output) if status == "completed" else _first_line(error)
            emit(f"  {labels[run_id]:<20} {status:<9} {shown}")

        example = run_ids[2]  # Bob, not a VIP: special_vip_step is skipped, and says why
        emit()
        emit(f"what happened in {labels[example]}, in one SELECT:")
        # The statement as a user would type it: the named query with the run id filled in.
        emit(f"  {Store.run_steps_summary_sql(example)}")
        for step_slug, step_status, output in Store(conn).run_steps_summary(example):
            emit(f"    {step_slug:<18} {step_status:<9} {json.dumps(output)}")
        emit()
        emit("more:")
        emit(f"  pgflow status {run_ids[3]}     # the retried step: attempts, durations, the first error")
        emit(f"  pgflow status {run_ids[5]}     # a subflow step's child runs of enrich_customer, one per customer")
        emit("  pgflow runs                   # recent runs")
        emit("  every failed attempt (error type, message, traceback) is a row of pgflow.task_attempts")
        if psql_hint:
            emit(f"  {psql_hint}")
    failed = [labels[r] for r in run_ids if statuses.get(r) != "completed"]
    if failed:
        emit(f"pgflow demo: not every run completed: {', '.join(failed)}")
        return 1
    emit("pgflow demo: every run completed")
    return 0
