"""The web UI's routes, without a browser: pages, keyset pagination, actions, roles, the token, live events."""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from conftest import subprocess_env, wait_until
from psycopg.conninfo import make_conninfo
from ui_flows import brittle, report

import pgflow
from pgflow import ui
from pgflow.store import Store
from pgflow.ui.graph import Node, columns, dag_svg
from pgflow.ui.server import PAGE_SIZE, Request, resolve_token


@pytest.fixture
def running(dsn: str) -> Iterator[ui.Running]:
    for flow in (report, brittle):
        pgflow.deploy(dsn, flow)
    started = ui.start(dsn, "127.0.0.1", 0)
    try:
        yield started
    finally:
        started.close()


def get(running: ui.Running, path: str, **query: str) -> ui.Response:
    return running.app.respond(Request("GET", path, query))


def text(response: ui.Response) -> str:
    return response.body.decode()


def failed_brittle_run(conn: psycopg.Connection[Any], details: str = "Traceback: line 1") -> str:
    """A run of brittle whose `parse` failed its only attempt (fetch done), made with the SQL API."""
    run_id = str(conn.execute("SELECT run_id FROM pgflow.start_flow('brittle', '{\"key\": \"k\"}')").fetchone()[0])  # type: ignore[index]
    conn.execute("SELECT * FROM pgflow.claim_tasks('w1', 10)")
    conn.execute("SELECT pgflow.complete_task(%s, 'fetch', '\"fetched k\"'::jsonb)", (run_id,))
    conn.execute("SELECT * FROM pgflow.claim_tasks('w1', 10)")
    conn.execute(
        "SELECT pgflow.fail_task(run_id => %s, step_slug => 'parse', error_message => 'cannot parse',"
        " error_type => 'ValueError', error_details => %s)",
        (run_id, details),
    )
    return run_id


def test_runs_page_lists_runs_newest_first_and_links_to_each_run(running: ui.Running, dsn: str) -> None:
    runs = [pgflow.start_flow(dsn, "brittle", {"key": str(i)}) for i in range(3)]
    page = text(get(running, "/runs"))
    links = re.findall(r'href="/runs/([0-9a-f-]{36})"', page)
    assert links == [str(r.run_id) for r in reversed(runs)]
    run_page = get(running, f"/runs/{runs[0].run_id}")
    assert run_page.status == 200 and str(runs[0].run_id) in text(run_page)


def test_runs_page_filters_by_flow_status_and_time(
    running: ui.Running, dsn: str, conn: psycopg.Connection[Any]
) -> None:
    failed = failed_brittle_run(conn)
    started = pgflow.start_flow(dsn, "report", {"n": 1})
    assert re.findall(r'href="/runs/([0-9a-f-]{36})"', text(get(running, "/runs", status="failed"))) == [failed]
    assert re.findall(r'href="/runs/([0-9a-f-]{36})"', text(get(running, "/runs", flow="report"))) == [
        str(started.run_id)
    ]
    assert "No runs match" in text(get(running, "/runs", since="2999-01-01T00:00"))
    assert "No runs match" in text(get(running, "/runs", until="2000-01-01T00:00"))


def test_runs_page_pages_through_every_run_once_by_keyset(running: ui.Running, dsn: str) -> None:
    started = pgflow.start_flows(dsn, "brittle", [{"key": str(i)} for i in range(PAGE_SIZE * 2 + 7)])
    seen: list[str] = []
    query: dict[str, str] = {}
    pages = 0
    while True:
        page = text(get(running, "/runs", **query))
        seen += re.findall(r'href="/runs/([0-9a-f-]{36})"', page)
        pages += 1
        older = re.search(r'class="older" href="/runs\?([^"]+)"', page)
        if older is None:
            break
        query = {k: v[0] for k, v in urllib.parse.parse_qs(older.group(1).replace("&amp;", "&")).items()}
    assert pages == 3
    assert sorted(seen) == sorted(str(r.run_id) for r in started) and len(seen) == len(set(seen))


def test_search_finds_a_run_by_id_and_says_when_nothing_matches(running: ui.Running, dsn: str) -> None:
    run = pgflow.start_flow(dsn, "brittle", {"key": "x"})
    found = get(running, "/runs", q=str(run.run_id))
    assert found.status == 303 and found.headers["Location"] == f"/runs/{run.run_id}"
    assert "No run has the id or idempotency key" in text(get(running, "/runs", q="no-such-key"))
    assert get(running, f"/runs/{uuid.uuid4()}").status == 404
    assert get(running, "/runs/not-a-uuid").status == 404


def test_run_page_shows_the_dag_attempts_with_tracebacks_and_secrets_as_secret(
    running: ui.Running, conn: psycopg.Connection[Any]
) -> None:
    run_id = failed_brittle_run(conn, details='Traceback (most recent call last):\n  File "flows.py", line 9')
    conn.execute(
        'UPDATE pgflow.runs SET input = \'{"key": "k", "token": {"$pgflow_secret": "gAAAAciphertext"}}\''
        " WHERE run_id = %s",
        (run_id,),
    )
    page = text(get(running, f"/runs/{run_id}"))
    assert re.search(r'<g class="node s-completed" data-step="fetch"', page)
    assert re.search(r'<g class="node s-failed" data-step="parse"', page)
    assert 'data-from="fetch" data-to="parse"' in page
    assert "ValueError" in page and "cannot parse" in page and "File &quot;flows.py&quot;, line 9" in page
    assert "«secret»" in page and "gAAAAciphertext" not in page
    assert 'id="retry"' in page  # failed: retry offered, not cancel
    assert 'id="cancel"' not in page


def test_retry_needs_a_confirmation_and_the_page_s_form(running: ui.Running, conn: psycopg.Connection[Any]) -> None:
    run_id = failed_brittle_run(conn)
    confirmation = text(get(running, f"/runs/{run_id}/retry"))
    csrf = re.search(r'name="csrf" value="([^"]+)"', confirmation)
    assert csrf is not None and 'id="confirm"' in confirmation
    forged = running.app.respond(Request("POST", f"/runs/{run_id}/retry", form={"csrf": "guess"}))
    assert forged.status == 403
    assert Store(conn).get_run(run_id).status == "failed"  # type: ignore[union-attr]
    done = running.app.respond(Request("POST", f"/runs/{run_id}/retry", form={"csrf": csrf.group(1)}))
    assert done.status == 303 and done.headers["Location"] == f"/runs/{run_id}"
    assert Store(conn).get_run(run_id).status == "started"  # type: ignore[union-attr]
    again = running.app.respond(Request("POST", f"/runs/{run_id}/retry", form={"csrf": csrf.group(1)}))
    assert again.status == 409 and "error" in text(again)  # a started run cannot be retried


def test_cancel_with_a_reason(running: ui.Running, dsn: str, conn: psycopg.Connection[Any]) -> None:
    run = pgflow.start_flow(dsn, "report", {"n": 2})
    page = text(get(running, f"/runs/{run.run_id}"))
    assert 'id="cancel"' in page and 'id="retry"' not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', text(get(running, f"/runs/{run.run_id}/cancel")))
    assert csrf is not None
    form = {"csrf": csrf.group(1), "reason": "wrong input"}
    assert running.app.respond(Request("POST", f"/runs/{run.run_id}/cancel", form=form)).status == 303
    cancelled = Store(conn).get_run(run.run_id)
    assert (
        cancelled is not None and cancelled.status == "cancelled" and "wrong input" in (cancelled.error_message or "")
    )


def test_a_reader_role_sees_no_actions_and_its_posts_are_refused(dsn: str, conn: psycopg.Connection[Any]) -> None:
    pgflow.deploy(dsn, brittle)
    run_id = failed_brittle_run(conn)
    reader = ui.start(make_conninfo(dsn, options="-c role=pgflow_reader"), "127.0.0.1", 0)
    try:
        assert reader.app.can_operate is False
        page = text(reader.app.respond(Request("GET", f"/runs/{run_id}")))
        assert "cannot parse" in page and "read-only" in page and 'id="retry"' not in page
        assert reader.app.respond(Request("GET", f"/runs/{run_id}/retry")).status == 403
        post = reader.app.respond(Request("POST", f"/runs/{run_id}/retry", form={"csrf": reader.app.csrf}))
        assert post.status == 403
        for path in ("/runs", "/flows", "/flows/brittle", "/workers", "/queue"):
            assert reader.app.respond(Request("GET", path)).status == 200, path
    finally:
        reader.close()
    assert Store(conn).get_run(run_id).status == "failed"  # type: ignore[union-attr]


def test_binding_off_localhost_needs_a_token(dsn: str) -> None:
    with pytest.raises(ValueError, match="needs a token"):
        ui.start(dsn, "0.0.0.0", 0, token=None)
    assert resolve_token("127.0.0.1", {}) is None
    assert resolve_token("0.0.0.0", {"PGFLOW_UI_TOKEN": "s3cret"}) == "s3cret"
    generated = resolve_token("0.0.0.0", {})
    assert generated is not None and len(generated) >= 24


def test_a_token_is_asked_for_then_kept_in_a_cookie(dsn: str) -> None:
    started = ui.start(dsn, "0.0.0.0", 0, token="s3cret-token")
    port = started.server.server_address[1]
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/runs", timeout=5)
        assert refused.value.code == 401
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/runs?token=s3cret-token")
        response = connection.getresponse()
        response.read()
        assert response.status == 303 and response.getheader("Location") == "/runs"
        cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
        assert cookie == "pgflow_ui_token=s3cret-token"
        connection.request("GET", "/runs", headers={"Cookie": cookie})
        page = connection.getresponse()
        assert page.status == 200 and b"<h1>Runs</h1>" in page.read()
        connection.request("GET", "/runs", headers={"Cookie": "pgflow_ui_token=wrong"})
        wrong = connection.getresponse()
        wrong.read()
        assert wrong.status == 401
    finally:
        started.close()


def test_flows_workers_and_queue_pages(running: ui.Running, dsn: str, conn: psycopg.Connection[Any]) -> None:
    pgflow.start_flows(dsn, "report", [{"n": 1}, {"n": 2}])
    conn.execute("SELECT pgflow.worker_heartbeat('ui-test-worker', ARRAY['report/1/load'], true)")
    flows = text(get(running, "/flows"))
    assert 'href="/flows/report?version=1"' in flows and 'href="/flows/brittle?version=1"' in flows
    graph = text(get(running, "/flows/report"))
    assert 'data-from="summarize" data-to="publish"' in graph and 'data-from="enrich" data-to="publish"' in graph
    workers = text(get(running, "/workers"))
    assert "ui-test-worker" in workers and "report/1/load" in workers and "waiting for work" in workers
    queue = text(get(running, "/queue"))
    row = re.search(r"<tr><td>report</td><td>load</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", queue)
    assert row is not None and row.groups() == ("2", "2", "0", "0")
    assert get(running, "/flows/nosuchflow").status == 404


def test_the_event_stream_pushes_a_new_fingerprint_within_a_second_of_a_change(
    running: ui.Running, dsn: str, conn: psycopg.Connection[Any]
) -> None:
    run = pgflow.start_flow(dsn, "brittle", {"key": "live"})
    connection = http.client.HTTPConnection("127.0.0.1", running.server.server_address[1], timeout=5)
    connection.request("GET", f"/runs/{run.run_id}/events")
    stream = connection.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"

    def next_fingerprint() -> str:
        while True:
            line = stream.readline().decode()
            if line.startswith("data: "):
                return line.removeprefix("data: ").strip()

    first = next_fingerprint()
    conn.execute("SELECT * FROM pgflow.claim_tasks('w1', 10)")
    changed_at = time.monotonic()
    second = next_fingerprint()
    assert second != first and time.monotonic() - changed_at < 1.0
    assert running.hub.watched() == 1
    stream.close()
    connection.close()


def test_the_runs_page_query_uses_an_index_at_100k_runs(running: ui.Running, conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        "INSERT INTO pgflow.runs (flow_slug, flow_version, status, remaining_steps, started_at, finished_at)"
        " SELECT CASE WHEN i % 10 = 0 THEN 'report' ELSE 'brittle' END, 1, 'completed', 0,"
        "        now() - i * interval '1 second', now() FROM generate_series(1, 100000) AS i"
    )
    conn.execute("ANALYZE pgflow.runs")
    store = Store(conn)
    deep = conn.execute(
        "SELECT started_at, run_id FROM pgflow.runs ORDER BY started_at DESC, run_id DESC OFFSET 90000 LIMIT 1"
    ).fetchone()
    assert deep is not None
    for flow_slug, before in ((None, None), (None, (deep[0], deep[1])), ("report", (deep[0], deep[1]))):
        plan = store.explain_ui_runs_page(flow_slug=flow_slug, status=None, before=before, limit=PAGE_SIZE + 1)
        assert re.search(r"Index Scan Backward using runs_(flow_)?started_idx", plan), plan
        assert "Seq Scan" not in plan and "Sort" not in plan, plan
    timings = []
    for query in ({}, {"before": f"{deep[0].isoformat()}|{deep[1]}"}, {"flow": "report"}):
        began = time.perf_counter()
        page = get(running, "/runs", **query)
        timings.append(time.perf_counter() - began)
        assert page.status == 200 and len(re.findall(r'href="/runs/[0-9a-f-]{36}"', text(page))) == PAGE_SIZE
    assert max(timings) < 0.5, timings


def test_one_listening_connection_serves_every_browser(
    running: ui.Running, dsn: str, conn: psycopg.Connection[Any]
) -> None:
    runs = pgflow.start_flows(dsn, "brittle", [{"key": "a"}, {"key": "b"}])
    port = running.server.server_address[1]
    streams = []
    for run in [*runs, runs[0]]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", f"/runs/{run.run_id}/events")
        streams.append((connection, connection.getresponse()))
    wait_until(lambda: running.hub.watched() == 3)
    listeners = conn.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = 'pgflow ui listener' AND datname = current_database()"
    ).fetchone()
    assert listeners is not None and listeners[0] == 1
    for connection, response in streams:
        response.close()
        connection.close()
    wait_until(lambda: running.hub.watched() == 0, timeout=15)  # noticed at the next keep-alive or two


def test_a_wrong_dsn_or_a_database_without_pgflow_fails_at_start(empty_dsn: str) -> None:
    # PostgreSQL 15 says the schema does not exist, 16 and later that the function does not.
    missing = (psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedFunction)
    with pytest.raises(missing, match=r'(schema "pgflow"|function "pgflow\.retry_run\(uuid\)") does not exist'):
        ui.start(empty_dsn, "127.0.0.1", 0)
    with pytest.raises(psycopg.OperationalError):
        ui.start(make_conninfo(empty_dsn, dbname="no_such_database_for_ui"), "127.0.0.1", 0)


@pytest.mark.parametrize(("host", "token_printed"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_the_cli_serves_the_ui_and_prints_where(dsn: str, host: str, token_printed: bool) -> None:
    env = subprocess_env(dsn)
    env.pop("PGFLOW_UI_TOKEN", None)
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "pgflow.cli", "ui", "--host", host, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        # Started with SIGINT ignored, as a shell's background job starts it: Ctrl-C still stops it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.match(rf"pgflow ui: serving http://{re.escape(host)}:{port}/(\?token=(\S+))?; Ctrl-C stops", line)
        assert match is not None, line
        assert (match.group(2) is not None) is token_printed
        suffix = f"runs?token={match.group(2)}" if token_printed else "runs"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())  # keeps the token's cookie
        with browser.open(f"http://127.0.0.1:{port}/{suffix}", timeout=5) as page:
            assert b"<h1>Runs</h1>" in page.read()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0


def test_search_by_idempotency_key_where_runs_have_one(
    running: ui.Running, dsn: str, conn: psycopg.Connection[Any]
) -> None:
    # The column comes with a parallel branch (start options); the search reads it whenever it exists.
    run = pgflow.start_flow(dsn, "brittle", {"key": "k"})
    assert "No run has the id or idempotency key" in text(get(running, "/runs", q="order-42"))
    conn.execute("ALTER TABLE pgflow.runs ADD COLUMN IF NOT EXISTS idempotency_key text")
    conn.execute("UPDATE pgflow.runs SET idempotency_key = 'order-42' WHERE run_id = %s", (run.run_id,))
    page = text(get(running, "/runs", q="order-42"))
    assert re.findall(r'href="/runs/([0-9a-f-]{36})"', page) == [str(run.run_id)]


def test_the_graph_puts_each_step_one_column_right_of_its_furthest_dependency() -> None:
    nodes = [
        Node("load", []),
        Node("summarize", ["load"]),
        Node("enrich", ["load"]),
        Node("audit", ["summarize"]),
        Node("publish", ["audit", "enrich"]),
    ]
    assert columns(nodes) == {"load": 0, "summarize": 1, "enrich": 1, "audit": 2, "publish": 3}
    svg = dag_svg(nodes, href=lambda node: f"#step-{node.slug}")
    assert svg.count('<path class="edge"') == 5 and '<a href="#step-publish">' in svg
    assert "<script" not in dag_svg([Node("<script>", [])])  # slugs are escaped


def test_a_run_s_page_says_what_each_unfinished_step_waits_for(
    running: ui.Running, dsn: str, conn: psycopg.Connection[Any]
) -> None:
    run = pgflow.start_flow(dsn, "report", {"n": 1})
    page = text(get(running, f"/runs/{run.run_id}"))
    assert re.search(r'data-step="load" data-status="started"><title>load: queued</title>', page)
    conn.execute("SELECT * FROM pgflow.claim_tasks('w1', 10)")
    assert "<title>load: running</title>" in text(get(running, f"/runs/{run.run_id}"))
    conn.execute("UPDATE pgflow.steps SET max_attempts = 3, base_delay = 60 WHERE flow_slug = 'report'")
    conn.execute("SELECT pgflow.fail_task(run_id => %s, step_slug => 'load', error_message => 'flaky')", (run.run_id,))
    retry_at = conn.execute(
        "SELECT to_char(available_at AT TIME ZONE 'UTC', 'HH24:MI:SS') FROM pgflow.step_tasks WHERE run_id = %s",
        (run.run_id,),
    ).fetchone()
    assert retry_at is not None
    assert f"<title>load: retry at {retry_at[0]} UTC</title>" in text(get(running, f"/runs/{run.run_id}"))
