"""The SQL the client sends, loaded by name from ``queries.sql``.

Every statement lives in that one file with a name and a one-line description
(Procrastinate's convention), so the database boundary can be read, and tested
with psql, in one place. Python code calls ``query("claim_tasks")``; the names are
a ``Literal`` type, so mypy rejects a typo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, LiteralString, get_args

QueryName = Literal[
    "define_flow",
    "flow_definition",
    "start_flow",
    "start_flow_routed",
    "claim_node_tasks",
    "citus_routes",
    "distribute",
    "get_run",
    "run_tree",
    "get_step_states",
    "send_signal",
    "get_failed_attempts",
    "get_unserved_steps",
    "recent_runs",
    "list_flows",
    "list_workers",
    "run_input",
    "run_traceparent",
    "queue_stats",
    "flow_step_shapes",
    "worker_heartbeat",
    "start_flows",
    "claim_tasks",
    "complete_task",
    "complete_tasks",
    "fail_task",
    "extend_lease",
    "listen_tasks",
    "listen_probe",
    "unlisten_all",
    "notify_probe",
    "backend_pid",
    "listen_runs",
    "watch_run",
    "install_lock",
    "installed_extension",
    "installed_schema",
    "available_extension",
    "create_extension",
    "has_version_function",
    "version",
    "update_extension",
    "create_schema",
    "prune",
    "retry_run",
    "cancel_run",
    "runs_progress",
    "run_steps_summary",
    "ui_runs_page",
    "ui_runs_by_key",
    "ui_flows",
    "ui_flow_steps",
    "ui_workers",
    "ui_queue",
    "ui_run_fingerprints",
    "ui_can_operate",
    "ui_listen",
    "ui_run_waits",
    "sync_schedules",
    "list_schedules",
    "tick",
    "tick_at",
]

_HEADER = re.compile(r"^-- name: (?P<name>\w+)\n-- (?P<description>.+)\n", re.MULTILINE)


@dataclass(frozen=True)
class Query:
    name: str
    description: str
    sql: LiteralString


def parse(text: str) -> dict[str, Query]:
    """Split a queries file into its named statements."""
    headers = list(_HEADER.finditer(text))
    queries: dict[str, Query] = {}
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        body = text[header.end() : end].strip()
        name = header["name"]
        if name in queries:
            raise ValueError(f"queries.sql: query {name!r} is defined twice")
        if not body:
            raise ValueError(f"queries.sql: query {name!r} has no statement")
        # The file ships inside the package: it is code, not user input (hence LiteralString).
        queries[name] = Query(name, header["description"], body)
    return queries


@cache
def all_queries() -> dict[str, Query]:
    text = resources.files("pgflow").joinpath("queries.sql").read_text(encoding="utf-8")
    queries = parse(text)
    expected = set(get_args(QueryName))
    if set(queries) != expected:
        raise RuntimeError(
            f"queries.sql and QueryName disagree: missing {sorted(expected - set(queries))}, "
            f"unexpected {sorted(set(queries) - expected)}"
        )
    return queries


def query(name: QueryName) -> LiteralString:
    """The SQL of a named query."""
    return all_queries()[name].sql
