"""The web UI and signals: a run's page shows the signal steps it waits for (since, deadline), and an
operator sends a signal after a confirmation with a JSON payload; a reader sees no action."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

import pgflow
from pgflow import ui
from pgflow.examples import approval
from pgflow.store import Store
from pgflow.ui.server import Request


@pytest.fixture
def running(dsn: str) -> Iterator[ui.Running]:
    pgflow.deploy(dsn, approval.flow)
    started = ui.start(dsn, "127.0.0.1", 0)
    try:
        yield started
    finally:
        started.close()


def waiting_run(conn: psycopg.Connection[Any]) -> str:
    run = pgflow.start_flow(conn, approval.flow, {"title": "Notes", "author": "Ada"})
    conn.execute("SELECT * FROM pgflow.claim_tasks('ui-test')")
    conn.execute("SELECT pgflow.complete_task(%s, 'draft', %s)", [run.run_id, json.dumps({"title": "N", "text": "t"})])
    return str(run.run_id)


def page(app: ui.App, path: str) -> str:
    return app.respond(Request("GET", path)).body.decode()


def test_a_run_page_shows_the_signals_it_waits_for(running: ui.Running, conn: psycopg.Connection[Any]) -> None:
    run_id = waiting_run(conn)
    html = page(running.app, f"/runs/{run_id}")
    row = re.search(r'<tr id="signal-row-approval">(.*?)</tr>', html)
    assert row is not None and "Signals waited for" in html
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row.group(1))  # since
    assert row.group(1).count("<td>20") == 2  # since and a deadline (3 days later)
    assert 'id="signal-approval"' in row.group(1)
    assert "waiting for signal since " in html  # the steps table


def test_sending_a_signal_needs_a_confirmation_and_the_page_s_form(
    running: ui.Running, conn: psycopg.Connection[Any]
) -> None:
    run_id = waiting_run(conn)
    confirmation = page(running.app, f"/runs/{run_id}/signal/approval")
    csrf = re.search(r'name="csrf" value="([^"]+)"', confirmation)
    assert csrf is not None and 'id="payload"' in confirmation and 'id="confirm"' in confirmation
    path = f"/runs/{run_id}/signal/approval"
    forged = running.app.respond(Request("POST", path, form={"csrf": "guess", "payload": "null"}))
    assert forged.status == 403
    bad = running.app.respond(Request("POST", path, form={"csrf": csrf.group(1), "payload": "{nope"}))
    assert bad.status == 400 and "not valid JSON" in bad.body.decode()
    wrong = running.app.respond(Request("POST", f"/runs/{run_id}/signal/draft", form={"csrf": csrf.group(1)}))
    assert wrong.status == 409 and "is not a signal step" in wrong.body.decode()
    assert conn.execute("SELECT count(*) FROM pgflow.signals").fetchone() == (0,)
    payload = '{"approved": true, "reviewer": "Grace"}'
    done = running.app.respond(Request("POST", path, form={"csrf": csrf.group(1), "payload": payload}))
    assert done.status == 303 and done.headers["Location"] == f"/runs/{run_id}"
    steps = {s.step_slug: s for s in Store(conn).get_step_states(run_id)}
    assert (steps["approval"].status, steps["approval"].output) == ("completed", json.loads(payload))
    assert "Signals waited for" not in page(running.app, f"/runs/{run_id}")
    again = running.app.respond(Request("POST", path, form={"csrf": csrf.group(1), "payload": "null"}))
    assert again.status == 200 and "the first one wins" in again.body.decode()


def test_a_reader_sees_the_wait_but_cannot_send_a_signal(dsn: str, conn: psycopg.Connection[Any]) -> None:
    pgflow.deploy(dsn, approval.flow)
    run_id = waiting_run(conn)
    reader = ui.start(make_conninfo(dsn, options="-c role=pgflow_reader"), "127.0.0.1", 0)
    try:
        html = page(reader.app, f"/runs/{run_id}")
        assert 'id="signal-row-approval"' in html and 'id="signal-approval"' not in html
        assert reader.app.respond(Request("GET", f"/runs/{run_id}/signal/approval")).status == 403
        form = {"csrf": reader.app.csrf, "payload": "null"}
        assert reader.app.respond(Request("POST", f"/runs/{run_id}/signal/approval", form=form)).status == 403
    finally:
        reader.close()
    assert conn.execute("SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'").fetchone() == ("started",)
