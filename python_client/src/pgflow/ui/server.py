"""``pgflow ui``: runs, a run (live), flows, workers and the queue, served by the stdlib.

``App.respond`` maps a request to a response (the routes, tested without a
browser); ``serve`` puts it behind a ``ThreadingHTTPServer``. Every database call
goes through ``pgflow.store``; retry, cancel and send-signal call the client API. Off the
loopback interface a token is required (``?token=`` once, then a cookie); a role
that may not execute ``retry_run``/``cancel_run`` (only ``pgflow_reader``) gets
the pages without their actions, and a POST is refused.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

import psycopg
import psycopg_pool

from .. import client
from ..encryption import redact
from ..rows import StepState, StepWait
from ..signals import SignalError, send_signal
from ..store import ScheduleInfo, Store
from .graph import Node, dag_svg
from .live import LiveHub

log = logging.getLogger("pgflow.ui")

PAGE_SIZE: Final = 50
# Seconds between comments on an idle event stream: a browser that left is noticed (and unsubscribed) by then.
KEEP_ALIVE: Final = 2.0
LOOPBACK: Final = frozenset({"127.0.0.1", "::1", "localhost"})
COOKIE: Final = "pgflow_ui_token"
RUN_STATUSES: Final = ("started", "completed", "failed", "cancelled")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    authorization: str | None = None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterator[bytes]] | None = None  # server-sent events


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


class App:
    """The routes of the web UI over a connection pool and a live hub."""

    def __init__(
        self, pool: psycopg_pool.ConnectionPool[Any], hub: LiveHub, *, token: str | None, can_operate: bool
    ) -> None:
        self.pool = pool
        self.hub = hub
        self.token = token
        self.can_operate = can_operate  # the role may execute retry_run and cancel_run
        self.csrf = secrets.token_urlsafe(24)  # forms carry it: another site cannot post to this one

    # -- dispatch -------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        if self.token is not None:
            denied = self._check_token(request)
            if denied is not None:
                return denied
        parts = [p for p in request.path.split("/") if p]
        try:
            return self._route(request, parts)
        except psycopg.Error as error:
            log.warning("pgflow ui: %s %s: %s", request.method, request.path, str(error).strip())
            message = (getattr(error.diag, "message_primary", None) or str(error)).strip()
            return self._page("Database error", f'<p class="error">{escape(message)}</p>', status=500)

    def _route(self, request: Request, parts: list[str]) -> Response:
        if request.method == "POST":
            if len(parts) == 3 and parts[0] == "runs" and parts[2] in ("retry", "cancel"):
                return self.action(request, parts[1], parts[2])
            if len(parts) == 4 and parts[0] == "runs" and parts[2] == "signal":
                return self.signal(request, parts[1], parts[3])
            return self._page("Not found", "<p>No such action.</p>", status=404)
        if request.method != "GET":
            return Response(405, b"method not allowed", "text/plain")
        if not parts:
            return Response(303, headers={"Location": "/runs"})
        if parts[0] == "static" and len(parts) == 2 and parts[1] in ("ui.js", "ui.css"):
            kind = "text/javascript" if parts[1].endswith(".js") else "text/css"
            body = resources.files("pgflow.ui").joinpath("static", parts[1]).read_bytes()
            return Response(200, body, f"{kind}; charset=utf-8", {"Cache-Control": "max-age=300"})
        if parts == ["runs"]:
            return self.runs(request)
        if parts[0] == "runs" and len(parts) >= 2:
            run_id = _uuid(parts[1])
            if run_id is None:
                return self._page("Not found", f"<p>{escape(parts[1])} is not a run id.</p>", status=404)
            if len(parts) == 2:
                return self.run(run_id)
            if parts[2:] == ["fragment"]:
                return self.run_fragment(run_id)
            if parts[2:] == ["events"]:
                return self.events(run_id)
            if parts[2:] in (["retry"], ["cancel"]):
                return self.confirm(run_id, parts[2])
            if len(parts) == 4 and parts[2] == "signal":
                return self.confirm_signal(run_id, parts[3])
        if parts == ["flows"]:
            return self.flows()
        if parts[0] == "flows" and len(parts) == 2:
            return self.flow(parts[1], request.query.get("version"))
        if parts == ["workers"]:
            return self.workers()
        if parts == ["queue"]:
            return self.queue()
        return self._page("Not found", "<p>No such page.</p>", status=404)

    def _check_token(self, request: Request) -> Response | None:
        assert self.token is not None
        offered = request.query.get("token")
        if offered is not None and hmac.compare_digest(offered, self.token):
            rest = {k: v for k, v in request.query.items() if k != "token"}
            location = request.path + ("?" + urlencode(rest) if rest else "")
            cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            return Response(303, headers={"Location": location, "Set-Cookie": cookie})
        bearer = (request.authorization or "").removeprefix("Bearer ").strip()
        for candidate in (request.cookies.get(COOKIE, ""), bearer):
            if candidate and hmac.compare_digest(candidate, self.token):
                return None
        body = "<p>This pgflow ui needs its token: open the URL it printed at start (…?token=…).</p>"
        return self._page("Token required", body, status=401, nav=False)

    # -- pages ----------------------------------------------------------------------------

    def runs(self, request: Request) -> Response:
        q = request.query
        flow_slug = q.get("flow") or None
        status = q.get("status") if q.get("status") in RUN_STATUSES else None
        since, until = _time(q.get("since")), _time(q.get("until"))
        before = _cursor(q.get("before"))
        search = (q.get("q") or "").strip()
        notice = ""
        with self.pool.connection() as conn:
            store = Store(conn)
            if search:
                run_id = _uuid(search)
                if run_id is not None and store.get_run(run_id) is not None:
                    return Response(303, headers={"Location": f"/runs/{run_id}"})
                runs = store.ui_runs_by_key(search, PAGE_SIZE)
                if not runs:
                    notice = f"No run has the id or idempotency key {search!r}."
            else:
                runs = store.ui_runs_page(
                    flow_slug=flow_slug, status=status, since=since, until=until, before=before, limit=PAGE_SIZE + 1
                )
            flows = sorted({f.flow_slug for f in store.ui_flows()})
        more = len(runs) > PAGE_SIZE
        runs = runs[:PAGE_SIZE]
        options = "".join(
            f'<option value="{escape(f)}"{" selected" if f == flow_slug else ""}>{escape(f)}</option>' for f in flows
        )
        statuses = "".join(
            f'<option value="{s}"{" selected" if s == status else ""}>{s}</option>' for s in RUN_STATUSES
        )
        filters = (
            '<form class="filters" method="get" action="/runs">'
            f'<label>flow<select name="flow"><option value="">any</option>{options}</select></label>'
            f'<label>status<select name="status"><option value="">any</option>{statuses}</select></label>'
            f'<label>started since (UTC)<input type="datetime-local" name="since" value="{_attr_time(since)}"></label>'
            f'<label>started until (UTC)<input type="datetime-local" name="until" value="{_attr_time(until)}"></label>'
            f'<label>run id or idempotency key<input name="q" value="{escape(search)}" size="38"></label>'
            '<button class="button" type="submit">Show</button></form>'
        )
        rows = "".join(
            f'<tr><td><a class="run-link" href="/runs/{r.run_id}"><code>{r.run_id}</code></a></td>'
            f'<td><a href="/flows/{escape(r.flow_slug)}?version={r.flow_version}">{escape(r.flow_slug)}</a>'
            f' <span class="muted">v{r.flow_version}</span></td><td>{_status(r.status)}</td>'
            f"<td>{_when(r.started_at)}</td><td>{_duration(r.started_at, r.finished_at)}</td>"
            f"<td>{escape(_short(r.error_message or ''))}</td></tr>"
            for r in runs
        )
        table = (
            '<table id="runs"><tr><th>run</th><th>flow</th><th>status</th><th>started</th><th>took</th>'
            f"<th>error</th></tr>{rows}</table>"
            if runs
            else f'<p class="muted">{escape(notice or "No runs match.")}</p>'
        )
        pager = []
        if before is not None:
            pager.append(f'<a href="/runs?{_keep(q, before=None)}">« newest</a>')
        if more and not search:
            last = runs[-1]
            pager.append(
                f'<a class="older" href="/runs?{_keep(q, before=f"{last.started_at.isoformat()}|{last.run_id}")}">'
                "older »</a>"
            )
        return self._page("Runs", filters + table + f'<div class="pager">{"".join(pager)}</div>')

    def run(self, run_id: uuid.UUID) -> Response:
        with self.pool.connection() as conn:
            store = Store(conn)
            if store.get_run(run_id) is None:
                return self._page("Not found", f"<p>No run {run_id}.</p>", status=404)
            fingerprint = store.ui_run_fingerprints([run_id]).get(run_id, "")
            inner = self._run_body(store, run_id)
        body = (
            f'<div id="live" data-live="/runs/{run_id}" data-fingerprint="{escape(fingerprint)}">{inner}</div>'
            '<script src="/static/ui.js"></script>'
        )
        return self._page(f"Run {run_id}", body)

    def run_fragment(self, run_id: uuid.UUID) -> Response:
        with self.pool.connection() as conn:
            store = Store(conn)
            if store.get_run(run_id) is None:
                return Response(404, b"no such run", "text/plain")
            fingerprint = store.ui_run_fingerprints([run_id]).get(run_id, "")
            inner = self._run_body(store, run_id)
        return Response(200, inner.encode(), headers={"X-Pgflow-Fingerprint": fingerprint, "Cache-Control": "no-store"})

    def _run_body(self, store: Store, run_id: uuid.UUID) -> str:
        run = store.get_run(run_id)
        assert run is not None
        steps = store.get_step_states(run_id)
        attempts = store.get_failed_attempts(run_id)
        waits = store.ui_run_waits(run_id)
        nodes = [
            Node(
                s.step_slug,
                s.deps,
                s.status,
                ("waiting for signal" if s.signal and s.status == "started" else "")
                or (str(waits[s.step_slug]) if s.step_slug in waits else s.status)
                + (f" {s.tasks_completed}/{s.tasks}" if s.fan_out else "")
                + (f" · attempt {s.max_attempt}" if s.max_attempt > 1 else ""),
            )
            for s in steps
        ]
        actions = ""
        if self.can_operate:
            buttons = []
            if run.status in ("failed", "cancelled"):
                buttons.append(f'<a class="button" id="retry" href="/runs/{run_id}/retry">Retry…</a>')
            if run.status == "started":
                buttons.append(f'<a class="button danger" id="cancel" href="/runs/{run_id}/cancel">Cancel…</a>')
            actions = f'<div class="actions">{"".join(buttons)}</div>'
        signals = self._signals_waited_for(run_id, run.status, steps)
        summary = (
            f'<p>flow <a href="/flows/{escape(run.flow_slug)}?version={run.flow_version}">{escape(run.flow_slug)}</a>'
            f' v{run.flow_version} · <span id="run-status">{_status(run.status)}</span> · started '
            f"{_when(run.started_at)} · took {_duration(run.started_at, run.finished_at)}</p>"
            + (f'<p class="error">{escape(run.error_message)}</p>' if run.error_message else "")
            + (
                f'<p id="parent">child run of <a href="/runs/{run.parent_run_id}">{run.parent_run_id}</a>, '
                f"step {escape(run.parent_task or '')}</p>"
                if run.parent_run_id is not None
                else ""
            )
        )
        # The runs its subflow steps started (each page lists its own children in turn).
        children = [c for c in store.run_tree(run_id) if c.depth == 1] if any(s.subflow for s in steps) else []
        child_rows = "".join(
            f'<tr><td>{escape(c.parent_task or "")}</td><td><a href="/runs/{c.run_id}">{c.run_id}</a></td>'
            f"<td>{escape(c.flow_slug)} v{c.flow_version}</td><td>{_status(c.status)}</td>"
            f"<td>{_duration(c.started_at, c.finished_at)}</td><td>{escape(c.error_message or '')}</td></tr>"
            for c in children
        )
        step_rows = "".join(
            f'<tr id="step-{escape(s.step_slug)}"><td>{escape(s.step_slug)}</td><td class="step-status">'
            f"{_status(s.status)}{_signal_wait(s) or _wait(waits.get(s.step_slug))}</td>"
            f"<td>{s.tasks_completed}/{s.tasks}</td><td>{s.attempts}</td>"
            f"<td>{_duration(s.started_at, s.finished_at)}</td><td>{escape(s.worker_id or '')}</td>"
            f"<td>{escape(s.skip_reason or s.error_message or s.last_task_error or '')}</td>"
            f"<td>{_json(s.output)}</td></tr>"
            for s in steps
        )
        attempt_rows = "".join(
            f"<tr><td>{escape(a.step_slug)}</td><td>{a.task_index}</td><td>{a.attempt}</td>"
            f"<td>{_when(a.failed_at)}</td><td>{escape(a.worker_id or '')}</td>"
            f"<td><strong>{escape(a.error_type or '')}</strong> {escape(a.error_message)}"
            + (
                f"<details><summary>traceback</summary><pre>{escape(a.error_details)}</pre></details>"
                if a.error_details
                else ""
            )
            + "</td></tr>"
            for a in attempts
        )
        return (
            summary
            + actions
            + signals
            + dag_svg(nodes)
            + '<h2>Steps</h2><table id="steps"><tr><th>step</th><th>status</th><th>tasks</th><th>attempts</th>'
            "<th>took</th><th>worker</th><th>reason / error</th><th>output</th></tr>"
            + step_rows
            + "</table>"
            + (
                '<h2>Child runs</h2><table id="children"><tr><th>task</th><th>run</th><th>flow</th><th>status</th>'
                f"<th>took</th><th>error</th></tr>{child_rows}</table>"
                if children
                else ""
            )
            + "<h2>Failed attempts</h2>"
            + (
                '<table id="attempts"><tr><th>step</th><th>task</th><th>attempt</th><th>failed at</th>'
                f"<th>worker</th><th>error</th></tr>{attempt_rows}</table>"
                if attempts
                else '<p class="muted">None.</p>'
            )
            + f"<h2>Input</h2>{_json(run.input)}<h2>Output</h2>{_json(run.output)}"
        )

    def events(self, run_id: uuid.UUID) -> Response:
        hub = self.hub

        def stream() -> Iterator[bytes]:
            inbox = hub.subscribe(run_id)
            try:
                yield b"retry: 1000\n\n"
                while not hub.stopping.is_set():
                    try:
                        fingerprint = inbox.get(timeout=KEEP_ALIVE)
                    except Exception:  # queue.Empty: a comment keeps proxies from closing the stream
                        yield b": keep-alive\n\n"
                        continue
                    yield f"data: {fingerprint}\n\n".encode()
            finally:
                hub.unsubscribe(run_id, inbox)

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return Response(200, content_type="text/event-stream", headers=headers, stream=stream)

    def confirm(self, run_id: uuid.UUID, action: str) -> Response:
        if not self.can_operate:
            return self._read_only()
        what = "Retry" if action == "retry" else "Cancel"
        consequence = (
            "Failed and cancelled steps run again with fresh attempts; completed steps keep their outputs."
            if action == "retry"
            else "Its unfinished steps are cancelled and queued tasks never run."
        )
        reason = '<label>reason <input name="reason" size="40"></label> ' if action == "cancel" else ""
        body = (
            f"<p>{what} run <a href='/runs/{run_id}'><code>{run_id}</code></a>? {consequence}</p>"
            f'<form method="post" action="/runs/{run_id}/{action}">'
            f'<input type="hidden" name="csrf" value="{self.csrf}">{reason}'
            f'<button class="button danger" id="confirm" type="submit">{what} this run</button> '
            f'<a href="/runs/{run_id}">no, go back</a></form>'
        )
        return self._page(f"{what} run?", body)

    def action(self, request: Request, run_text: str, action: str) -> Response:
        run_id = _uuid(run_text)
        if not self.can_operate:
            return self._read_only()
        if run_id is None or not hmac.compare_digest(request.form.get("csrf", ""), self.csrf):
            return self._page("Refused", "<p>This form is stale or came from elsewhere.</p>", status=403)
        with self.pool.connection() as conn:
            try:
                if action == "retry":
                    client.retry_run(conn, run_id)
                else:
                    outcome = client.cancel_run(conn, run_id, request.form.get("reason") or None)
                    if outcome.notice is not None:
                        return self._page("Not cancelled", f'<p class="notice">{escape(outcome.notice)}</p>')
            except (psycopg.errors.NoDataFound, psycopg.errors.ObjectNotInPrerequisiteState) as error:
                message = (error.diag.message_primary or str(error)).removeprefix("pgflow: ")
                return self._page("Not done", f'<p class="error">{escape(message)}</p>', status=409)
        return Response(303, headers={"Location": f"/runs/{run_id}"})

    def _signals_waited_for(self, run_id: uuid.UUID, run_status: str, steps: list[StepState]) -> str:
        """The run's signal steps that wait (since, deadline), each with a send-signal action for operators."""
        rows = ""
        for s in steps:
            if not s.signal or s.status not in ("created", "started") or run_status != "started":
                continue
            since = _when(s.started_at) if s.status == "started" else "not ready yet (a signal now is kept)"
            deadline = _when(s.signal_deadline) if s.signal_deadline is not None else "none"
            send = (
                f'<a class="button" id="signal-{escape(s.step_slug)}" '
                f'href="/runs/{run_id}/signal/{escape(s.step_slug)}">Send signal…</a>'
                if self.can_operate
                else ""
            )
            rows += (
                f'<tr id="signal-row-{escape(s.step_slug)}"><td>{escape(s.step_slug)}</td><td>{since}</td>'
                f"<td>{deadline}</td><td>{send}</td></tr>"
            )
        if not rows:
            return ""
        return (
            '<h2>Signals waited for</h2><table id="signals"><tr><th>step</th><th>waiting since</th>'
            f"<th>deadline</th><th></th></tr>{rows}</table>"
        )

    def confirm_signal(self, run_id: uuid.UUID, step_slug: str) -> Response:
        if not self.can_operate:
            return self._read_only()
        body = (
            f"<p>Send signal <strong>{escape(step_slug)}</strong> to run <a href='/runs/{run_id}'><code>{run_id}"
            "</code></a>? Its payload becomes the step's output and the steps after it start; the first signal "
            "wins, later ones are ignored.</p>"
            f'<form method="post" action="/runs/{run_id}/signal/{escape(step_slug)}">'
            f'<input type="hidden" name="csrf" value="{self.csrf}">'
            '<label>payload (JSON)<br><textarea name="payload" id="payload" rows="6" cols="60">null</textarea>'
            "</label><br>"
            f'<button class="button danger" id="confirm" type="submit">Send this signal</button> '
            f'<a href="/runs/{run_id}">no, go back</a></form>'
        )
        return self._page(f"Send signal {step_slug}?", body)

    def signal(self, request: Request, run_text: str, step_slug: str) -> Response:
        run_id = _uuid(run_text)
        if not self.can_operate:
            return self._read_only()
        if run_id is None or not hmac.compare_digest(request.form.get("csrf", ""), self.csrf):
            return self._page("Refused", "<p>This form is stale or came from elsewhere.</p>", status=403)
        try:
            payload = json.loads(request.form.get("payload", "null") or "null")
        except json.JSONDecodeError as error:
            return self._page(
                "Not sent", f'<p class="error">The payload is not valid JSON: {escape(str(error))}</p>', status=400
            )
        with self.pool.connection() as conn:
            try:
                result = send_signal(conn, run_id, step_slug, payload)
            except (
                SignalError,
                psycopg.errors.NoDataFound,
                psycopg.errors.WrongObjectType,
                psycopg.errors.ProgramLimitExceeded,
            ) as error:
                message = getattr(getattr(error, "diag", None), "message_primary", None) or str(error)
                return self._page("Not sent", f'<p class="error">{escape(message)}</p>', status=409)
        if result.ignored is not None:
            return self._page("Signal ignored", f'<p class="notice">{escape(result.ignored)}</p>')
        return Response(303, headers={"Location": f"/runs/{run_id}"})

    def flows(self) -> Response:
        with self.pool.connection() as conn:
            versions = Store(conn).ui_flows()
            schedules = Store(conn).list_schedules()
        rows = "".join(
            f'<tr><td><a href="/flows/{escape(f.flow_slug)}?version={f.version}">{escape(f.flow_slug)}</a></td>'
            f"<td>{f.version}</td><td>{f.steps}</td><td>{f.max_attempts}</td><td>{f.base_delay} s</td>"
            f"<td>{f.timeout} s</td><td>{f.max_concurrency or '—'}</td><td>{_when(f.created_at)}</td>"
            f"<td>{'yes' if f.has_runs else 'no'}</td></tr>"
            for f in versions
        )
        table = (
            '<table id="flows"><tr><th>flow</th><th>version</th><th>steps</th><th>max attempts</th>'
            "<th>base delay</th><th>timeout</th><th>max concurrency</th><th>defined</th><th>has runs</th></tr>"
            f"{rows}</table>"
        )
        body = table if versions else '<p class="muted">No flows defined.</p>'
        return self._page("Flows", body + "<h2>Schedules</h2>" + _schedules_table(schedules))

    def flow(self, flow_slug: str, version_text: str | None) -> Response:
        with self.pool.connection() as conn:
            store = Store(conn)
            versions = [f for f in store.ui_flows() if f.flow_slug == flow_slug]
            if not versions:
                return self._page("Not found", f"<p>No flow {escape(flow_slug)}.</p>", status=404)
            digits = version_text or ""
            version = int(digits) if digits.isdigit() else versions[0].version
            steps = store.ui_flow_steps(flow_slug, version)
            schedules = store.list_schedules(flow_slug)
        links = " ".join(
            f'<a href="/flows/{escape(flow_slug)}?version={f.version}">{"<b>" if f.version == version else ""}'
            f"v{f.version}{'</b>' if f.version == version else ''}</a>"
            for f in versions
        )
        nodes = [Node(s.step_slug, s.deps, "defined", "fan-out" if s.fan_out else "") for s in steps]
        body = f"<p>versions: {links} · <a href='/runs?flow={escape(flow_slug)}'>its runs</a></p>" + (
            dag_svg(nodes) if steps else f"<p>No version {version}.</p>"
        )
        body += "<h2>Schedules</h2>" + _schedules_table(schedules)
        return self._page(f"Flow {flow_slug} v{version}", body)

    def workers(self) -> Response:
        with self.pool.connection() as conn:
            workers = Store(conn).ui_workers(500)
        rows = "".join(
            f"<tr><td><code>{escape(w.worker_id)}</code></td>"
            f"<td>{escape(', '.join(w.step_keys)) if w.step_keys is not None else 'every flow'}</td>"
            f"<td>{'waiting for work' if w.idle else 'busy'}</td><td>{_when(w.started_at)}</td>"
            f"<td>{_ago(w.last_seen_ago)}</td></tr>"
            for w in workers
        )
        table = (
            '<table id="workers"><tr><th>worker</th><th>serves (flow/version/step)</th><th>state</th>'
            f"<th>started</th><th>last seen</th></tr>{rows}</table>"
        )
        return self._page("Workers", table if workers else '<p class="muted">No worker has sent a heartbeat.</p>')

    def queue(self) -> Response:
        with self.pool.connection() as conn:
            depths = Store(conn).ui_queue()
        now = datetime.now(UTC)
        rows = "".join(
            f"<tr><td>{escape(d.flow_slug)}</td><td>{escape(d.step_slug)}</td><td>{d.queued}</td>"
            f"<td>{d.claimable}</td><td>{d.delayed}</td><td>{d.in_flight}</td>"
            f"<td>{_ago(now - d.oldest_waiting_since) if d.oldest_waiting_since else '—'}</td></tr>"
            for d in depths
        )
        table = (
            '<table id="queue"><tr><th>flow</th><th>step</th><th>queued</th><th>claimable now</th>'
            f"<th>delayed</th><th>in flight</th><th>oldest waiting</th></tr>{rows}</table>"
        )
        return self._page("Queue", table if depths else '<p class="muted">Nothing queued or in flight.</p>')

    # -- helpers --------------------------------------------------------------------------

    def _read_only(self) -> Response:
        body = "<p>This role may only read pgflow (pgflow_reader): retry, cancel and signals need pgflow_admin.</p>"
        return self._page("Read-only", body, status=403)

    def _page(self, title: str, body: str, *, status: int = 200, nav: bool = True) -> Response:
        links = (
            '<a class="brand" href="/runs">pgflow</a><a href="/runs">Runs</a><a href="/flows">Flows</a>'
            '<a href="/workers">Workers</a><a href="/queue">Queue</a>'
            + ('<span class="role">read-only</span>' if not self.can_operate else "")
            if nav
            else '<span class="brand">pgflow</span>'
        )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)} · pgflow</title>"
            '<link rel="stylesheet" href="/static/ui.css"></head>'
            f"<body><header>{links}</header><main><h1>{escape(title)}</h1>{body}</main></body></html>"
        )
        return Response(status, page.encode())


# -- formatting -------------------------------------------------------------------------


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _attr_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _cursor(text: str | None) -> tuple[datetime, uuid.UUID] | None:
    started, _, run_text = (text or "").partition("|")
    at, run_id = _time(started), _uuid(run_text)
    return None if at is None or run_id is None else (at, run_id)


def _keep(query: dict[str, str], **changes: str | None) -> str:
    merged = {**query, **changes}
    return escape(urlencode({k: v for k, v in merged.items() if v and k != "token"}))


def _status(status: str) -> str:
    return f'<span class="status {escape(status)}">{escape(status)}</span>'


def _when(value: datetime | None) -> str:
    return "—" if value is None else escape(value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        return "—"
    if end is None:
        return "running"
    seconds = (end - start).total_seconds()
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def _signal_wait(step: StepState) -> str:
    if not step.signal or step.status != "started":
        return ""
    deadline = f", deadline {_when(step.signal_deadline)}" if step.signal_deadline is not None else ""
    return f' <span class="muted wait">waiting for signal since {_when(step.started_at)}{deadline}</span>'


def _wait(wait: StepWait | None) -> str:
    return "" if wait is None else f' <span class="muted wait">{escape(str(wait))}</span>'


def _short(text: str, limit: int = 120) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _json(value: Any) -> str:
    """A JSON value for display, every encrypted field shown as «secret» (never its ciphertext)."""
    if value is None:
        return '<span class="muted">—</span>'
    shown = redact(value)
    compact = json.dumps(shown, ensure_ascii=False)
    text = compact if len(compact) <= 80 else json.dumps(shown, indent=2, ensure_ascii=False)
    return f"<pre>{escape(text)}</pre>"


# -- the HTTP server --------------------------------------------------------------------


class UIServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"


class Handler(BaseHTTPRequestHandler):
    server: UIServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        form: dict[str, str] = {}
        if method == "POST":
            length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        cookies = SimpleCookie(self.headers.get("Cookie") or "")
        request = Request(
            method,
            split.path,
            {k: v[0] for k, v in parse_qs(split.query).items()},
            form,
            {k: m.value for k, m in cookies.items()},
            self.headers.get("Authorization"),
        )
        response = self.server.app.respond(request)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.stream is None:
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)
            return
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in response.stream():
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser left

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


@dataclass
class Running:
    """A started UI: its server (``url``), app and hub; ``close()`` stops it all."""

    server: UIServer
    app: App
    hub: LiveHub
    pool: psycopg_pool.ConnectionPool[Any]
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def close(self) -> None:
        self.hub.stop()
        self.server.shutdown()
        self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)
        self.pool.close()


def start(
    dsn: str,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    token: str | None = None,
    poll_interval: float = 0.5,
    in_thread: bool = True,
) -> Running:
    """Start the UI. ``token`` is required off the loopback interface (pass one, or let ``resolve_token`` pick one)."""
    if token is None and not is_loopback(host):
        raise ValueError(f"binding to {host} (not the loopback interface) needs a token")
    # One connection first: a wrong DSN, or a database without pgflow, fails here with the server's message.
    with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
        can_operate = Store(conn).ui_can_operate()
    pool: psycopg_pool.ConnectionPool[Any] = psycopg_pool.ConnectionPool(
        # No server-side prepared statements: the DSN may be pgbouncer's, in transaction pooling mode.
        dsn,
        min_size=1,
        max_size=8,
        kwargs={"autocommit": True, "prepare_threshold": None},
        name="pgflow-ui",
        open=True,
    )
    try:
        hub = LiveHub(pool, dsn, poll_interval)
        app = App(pool, hub, token=token, can_operate=can_operate)
        server = UIServer((host, port), app)
    except BaseException:
        pool.close()
        raise
    hub.start()
    running = Running(server, app, hub, pool)
    if in_thread:
        running.thread = threading.Thread(target=server.serve_forever, name="pgflow-ui", daemon=True)
        running.thread.start()
    return running


def resolve_token(host: str, environ: dict[str, str]) -> str | None:
    """PGFLOW_UI_TOKEN when set; else a fresh random token off the loopback interface, none on it."""
    configured = environ.get("PGFLOW_UI_TOKEN") or None
    if configured is not None or is_loopback(host):
        return configured
    return secrets.token_urlsafe(24)


def _schedules_table(schedules: list[ScheduleInfo]) -> str:
    """The schedules with their next slot (in UTC, as the rest of the UI) and the run of their last slot."""
    if not schedules:
        return '<p class="muted">No schedules (flow.schedule(...) and pgflow deploy, or pgflow.schedule).</p>'
    rows = []
    for s in schedules:
        if s.last_slot is None:
            last = "none yet"
        elif s.last_error is not None:
            last = f'{_when(s.last_slot)}: <span class="error">{escape(s.last_error)}</span>'
        elif s.last_run_id is not None and s.last_run_status is not None:
            last = f'{_when(s.last_slot)}: <a href="/runs/{s.last_run_id}">{escape(s.last_run_status)}</a>'
        else:
            last = f"{_when(s.last_slot)}: pruned"
        rows.append(
            f"<tr><td>{escape(s.schedule_name)}</td>"
            f'<td><a href="/flows/{escape(s.flow_slug)}">{escape(s.flow_slug)}</a></td>'
            f"<td><code>{escape(s.cron)}</code></td><td>{escape(s.time_zone)}</td>"
            f"<td>{_when(s.next_slot) if s.next_slot is not None else 'never'}</td><td>{last}</td>"
            f"<td>{'deploy' if s.origin == 'deploy' else 'by hand'}</td></tr>"
        )
    return (
        '<table id="schedules"><tr><th>schedule</th><th>flow</th><th>cron</th><th>time zone</th>'
        f"<th>next slot</th><th>last run</th><th>made by</th></tr>{''.join(rows)}</table>"
    )
