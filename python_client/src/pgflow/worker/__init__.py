"""The worker: claims tasks, runs their handlers, and reports outputs and errors.

It never decides what runs next (the extension does). Its pieces, each owning its state:

- ``lifecycle``: ``Worker``: starts the pieces, stops on a signal or ``stop()``, shuts down gracefully;
- ``claimer``: the claim loop and its wake-ups (LISTEN, freed slots, the poll timer);
- ``routing``: version routing (which stored steps the code serves) and heartbeats;
- ``executor``: the slots, one task from claim to report, timeouts, lost leases, stuck handlers;
- ``payloads``: a task's arguments (input parsing, secrets, the run-input cache) and output JSON;
- ``handlers``: handler threads and tasks, whatever they raise ending as an outcome;
- ``lease``: the lease keeper (``extend_lease`` every third of the lease);
- ``reporter``: completions (batched), failures, retries of reports;
- ``connection``: the pool's size, the bounded backoff, one log line per outage;
- ``errors``: what a failed attempt records.

Every database call goes through ``pgflow.store.AsyncStore``.
"""

from ..store import ClaimedTask
from .connection import connections_per_worker, pool_size
from .errors import TaskError, WorkerStartError, error_type, format_error
from .handlers import current_task
from .lifecycle import Worker
from .routing import servable_step_keys, step_key

__all__ = [
    "ClaimedTask",
    "TaskError",
    "Worker",
    "WorkerStartError",
    "connections_per_worker",
    "current_task",
    "error_type",
    "format_error",
    "pool_size",
    "servable_step_keys",
    "step_key",
]
