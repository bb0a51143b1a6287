"""pgflow: a workflow (DAG) engine that lives inside PostgreSQL; this is its Python client.

Define flows with the typed DSL (``Flow``, ``@flow.step``), deploy them
(``deploy`` or ``pgflow deploy``), run a ``Worker``, and start runs
(``start_flow``, ``wait_for_run``, ``get_run``); a signal step (``@flow.signal``) waits
for ``send_signal``.
"""

from typing import TYPE_CHECKING, Any

from .client import (
    Run,
    RunDetails,
    RunTimeout,
    StepState,
    cancel_run,
    deploy,
    flow_definition,
    get_run,
    list_schedules,
    prune,
    recent_runs,
    retry_run,
    start_flow,
    start_flows,
    wait_for_run,
)
from .dsl import Flow, FlowDefinitionError, Step
from .schedules import Schedule
from .signals import SignalError, SignalResult, send_signal

if TYPE_CHECKING:
    from .worker import Worker, current_task


def __getattr__(name: str) -> Any:
    # The worker (asyncio, psycopg_pool) loads on first use: a CLI call that only reads runs stays quick.
    if name in ("Worker", "current_task"):
        from . import worker

        return getattr(worker, name)
    raise AttributeError(f"module 'pgflow' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Flow",
    "FlowDefinitionError",
    "Run",
    "RunDetails",
    "RunTimeout",
    "Schedule",
    "SignalError",
    "SignalResult",
    "Step",
    "StepState",
    "Worker",
    "cancel_run",
    "current_task",
    "deploy",
    "flow_definition",
    "get_run",
    "list_schedules",
    "prune",
    "recent_runs",
    "retry_run",
    "send_signal",
    "start_flow",
    "start_flows",
    "wait_for_run",
]
