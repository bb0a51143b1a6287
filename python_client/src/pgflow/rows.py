"""The rows the store returns: a frozen dataclass per result shape of ``queries.sql``."""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "cancelled"})


@dataclass(frozen=True)
class Run:
    """A row of ``pgflow.runs``."""

    run_id: uuid.UUID
    flow_slug: str
    flow_version: int
    status: str
    input: Any
    output: Any
    error_message: str | None
    started_at: datetime
    finished_at: datetime | None
    traceparent: str | None = None  # the W3C trace context it was started in
    # A child run (started by a subflow step): the parent run, its step and the task it is an attempt of.
    parent_run_id: uuid.UUID | None = None
    parent_step_slug: str | None = None
    parent_task_index: int | None = None
    # A run tick started for a schedule's slot (None: started otherwise).
    schedule_name: str | None = None
    scheduled_for: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def parent_task(self) -> str | None:
        """``step[index]`` of the parent run whose attempt this child run is (None: not a child)."""
        if self.parent_step_slug is None:
            return None
        return f"{self.parent_step_slug}[{self.parent_task_index}]"


@dataclass(frozen=True)
class ChildRun(Run):
    """A run under another through subflow steps (``run_tree``): 1 is a child, 2 a grandchild, ..."""

    depth: int = 1


@dataclass(frozen=True)
class StepState:
    """A step of a run (``pgflow.step_states``) with a summary of its tasks."""

    step_slug: str
    status: str
    output: Any
    error_message: str | None
    skip_reason: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    step_index: int
    fan_out: bool
    deps: list[str]
    tasks: int
    tasks_completed: int
    max_attempt: int
    attempts: int
    last_task_error: str | None
    worker_id: str | None
    tasks_running: int = 0
    next_available_at: datetime | None = None
    queued_attempts_made: int = 0
    max_attempts: int = 0
    checked_at: datetime | None = None
    subflow: str | None = None  # the flow a subflow step runs
    next_child_at: datetime | None = None  # a subflow task waiting out its retry backoff: when its next child starts
    next_child_attempt: int = 0  # that next child's attempt number
    signal: bool = False
    signal_deadline: datetime | None = None

    @property
    def waiting(self) -> str | None:
        """Why a started step runs nothing right now: "delayed until ...", "retry in 4 s (attempt 2 of 3)",
        "waiting for signal approval since ..., deadline ...", and for a subflow step between two
        child runs "retry in 4 s (attempt 2 of 3: a new child run of enrich_customer)"."""
        if self.signal and self.status == "started" and self.started_at is not None:
            deadline = (
                f"deadline {self.signal_deadline.astimezone():%Y-%m-%d %H:%M:%S}"
                if self.signal_deadline is not None
                else "no deadline"
            )
            since = f"{self.started_at.astimezone():%Y-%m-%d %H:%M:%S}"
            return f"waiting for signal {self.step_slug} since {since}, {deadline}"
        if (
            self.subflow is not None
            and self.status == "started"
            and self.next_child_at is not None
            and self.checked_at is not None
            and self.next_child_at > self.checked_at
        ):
            seconds = math.ceil((self.next_child_at - self.checked_at).total_seconds())
            return (
                f"retry in {seconds} s (attempt {self.next_child_attempt} of {self.max_attempts}:"
                f" a new child run of {self.subflow})"
            )
        if self.status != "started" or self.tasks_running or self.next_available_at is None:
            return None
        if self.checked_at is None or self.next_available_at <= self.checked_at:
            return None
        if self.queued_attempts_made > 0:
            seconds = math.ceil((self.next_available_at - self.checked_at).total_seconds())
            return f"retry in {seconds} s (attempt {self.queued_attempts_made + 1} of {self.max_attempts})"
        return f"delayed until {self.next_available_at.astimezone():%Y-%m-%d %H:%M:%S}"

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class FailedAttempt:
    """A failed attempt of a task (``pgflow.task_attempts``): what the worker reported."""

    step_slug: str
    task_index: int
    attempt: int
    worker_id: str | None
    started_at: datetime | None
    failed_at: datetime
    error_type: str | None
    error_message: str
    error_details: str | None


@dataclass(frozen=True)
class UnservedStep:
    """A step of a run with claimable tasks that no live worker serves (version routing)."""

    flow_slug: str
    flow_version: int
    step_slug: str
    tasks: int

    def __str__(self) -> str:
        return f"waiting for a worker that serves {self.flow_slug} v{self.flow_version} step {self.step_slug}"


@dataclass(frozen=True)
class ClaimedTask:
    """A row of ``pgflow.claim_tasks`` plus the database clock at the claim.

    ``input_json`` is the task's input as the database sent it (JSON text, parsed
    by the executor: see the module docstring). ``lease_token`` identifies this
    claim when the database hands one out; reports carry it when present.
    """

    run_id: uuid.UUID
    flow_slug: str
    step_slug: str
    task_index: int
    attempt: int
    input_json: str | None
    flow_version: int
    lease_expires_at: datetime
    claimed_at: datetime
    lease_token: uuid.UUID | None = None

    @property
    def input(self) -> Any:
        """The parsed input (raises for a value ``json.loads`` cannot parse, e.g. too deep)."""
        return None if self.input_json is None else json.loads(self.input_json)

    @property
    def lease_seconds(self) -> float:
        """The step's timeout as the database applied it (tunables may differ from the code)."""
        return max(1.0, float((self.lease_expires_at - self.claimed_at).total_seconds()))

    def __str__(self) -> str:
        return (
            f'task {self.task_index} of step "{self.step_slug}" (flow "{self.flow_slug}" '
            f"v{self.flow_version}) in run {self.run_id}, attempt {self.attempt}"
        )


@dataclass(frozen=True)
class StepShape:
    """A stored step as version routing compares it (``pgflow.step_shapes``)."""

    flow_slug: str
    flow_version: int
    step_slug: str
    fan_out: bool
    deps: list[str] | None
    signal: bool = False


@dataclass(frozen=True)
class ReportResult:
    """What ``complete_task`` / ``complete_tasks`` / ``fail_task`` say about a report."""

    status: str
    attempt: int
    error_message: str | None = None
    available_at: datetime | None = None  # fail_task: when the retry becomes claimable
    lease_token: uuid.UUID | None = None  # complete_task(s): the claim that holds (or last held) the task

    def of_another_claim(self, lease_token: uuid.UUID | None) -> bool:
        """Whether the task as returned belongs to another claim than the report's.

        A claim lost in a crash or a failover hands its attempt number out again:
        a late report of the lost claim then finds the task under the same attempt,
        perhaps completed by the new claim, and is ignored (a NOTICE). Only the
        lease token tells the two claims apart.
        """
        return lease_token is not None and self.lease_token is not None and self.lease_token != lease_token


@dataclass(frozen=True)
class RetriedRun:
    run_id: uuid.UUID
    flow_slug: str
    status: str


@dataclass(frozen=True)
class CancelledRun:
    run_id: uuid.UUID
    flow_slug: str
    status: str
    error_message: str | None


@dataclass(frozen=True)
class RunProgress:
    """A step of a run, for live progress (``runs_progress``)."""

    run_id: uuid.UUID
    flow_slug: str
    run_status: str
    step_slug: str
    status: str
    attempt: int
    last_error: str | None
    tasks: int
    tasks_completed: int
    signal: bool = False


@dataclass(frozen=True)
class Installed:
    """``installed_schema``: whether schema pgflow exists and holds pgflow's tables."""

    has_schema: bool
    has_tables: bool


@dataclass(frozen=True)
class QueueStats:
    """A row of the view ``pgflow.queue_stats``: one flow's step, its tasks by state."""

    flow_slug: str
    step_slug: str
    queued: int
    claimable_now: int
    delayed: int
    in_flight: int
    oldest_waiting_seconds: float | None


@dataclass(frozen=True)
class FlowVersion:
    """A flow version as the web UI's flows page lists it (``ui_flows``)."""

    flow_slug: str
    version: int
    max_attempts: int
    base_delay: int
    timeout: int
    max_concurrency: int | None
    created_at: datetime
    steps: int
    has_runs: bool


@dataclass(frozen=True)
class FlowStep:
    """A step of a flow version with its dependencies (``ui_flow_steps``), to draw the graph."""

    step_slug: str
    step_index: int
    fan_out: bool
    deps: list[str]


@dataclass(frozen=True)
class FlowSummary:
    """A deployed flow (``list_flows``): its latest version and how much it holds."""

    flow_slug: str
    latest_version: int
    versions: int
    steps: int
    runs: int
    created_at: datetime


@dataclass(frozen=True)
class WorkerInfo:
    """A worker that announced itself (``list_workers``, ``ui_workers``); ``live``: seen within the last 30 s."""

    worker_id: str
    step_keys: list[str] | None
    idle: bool
    started_at: datetime
    last_seen_at: datetime
    last_seen_ago: timedelta
    live: bool


@dataclass(frozen=True)
class QueueDepth:
    """Unfinished tasks of one step of a flow (``ui_queue``)."""

    flow_slug: str
    step_slug: str
    queued: int
    claimable: int
    delayed: int
    in_flight: int
    oldest_waiting_since: datetime | None


@dataclass(frozen=True)
class StepWait:
    """What an unfinished step of a run waits for (``ui_run_waits``)."""

    step_slug: str
    claimable: int
    waiting: int
    waiting_until: datetime | None
    running: int
    retrying: bool

    def __str__(self) -> str:
        if self.running:
            return f"running ({self.running})" if self.running > 1 else "running"
        if self.claimable:
            return "queued"
        if self.waiting_until is not None:
            until = self.waiting_until.astimezone(UTC)
            return f"{'retry' if self.retrying else 'delayed'} at {until:%H:%M:%S} UTC"
        return "waiting"


@dataclass(frozen=True)
class SignalResult:
    """What ``send_signal`` did: the step as it is now, and why the signal was ignored (None: it counted).

    ``status`` "completed": the signal completed the waiting step (``output`` is the payload);
    "created": the step is not ready yet and the signal is kept until it is.
    """

    step_slug: str
    status: str
    output: Any
    ignored: str | None = None

    @property
    def kept(self) -> bool:
        return self.ignored is None and self.status == "created"


@dataclass(frozen=True)
class ScheduleInfo:
    """A row of ``pgflow.schedules`` with the status of the run of its last slot."""

    schedule_name: str
    flow_slug: str
    cron: str
    time_zone: str
    input: Any
    origin: str  # "sql" (pgflow.schedule by hand) or "deploy" (pgflow deploy)
    next_slot: datetime | None  # None: no slot ever again
    last_slot: datetime | None
    last_run_id: uuid.UUID | None
    last_run_status: str | None  # None: no run yet, or pruned
    last_error: str | None  # why the last slot's run could not start
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ScheduledRun:
    """A run ``pgflow.tick`` started."""

    run_id: uuid.UUID
    flow_slug: str
    schedule_name: str
    scheduled_for: datetime
