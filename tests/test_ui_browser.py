"""The web UI in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Never ``playwright install``: the system browser is used, and these tests skip
(saying why) only where it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from psycopg.conninfo import make_conninfo
from ui_flows import brittle, brittle_fails, load_may_finish, report

import pgflow
from pgflow import ui

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "ui-run.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(
        f"the browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def running(dsn: str) -> Iterator[ui.Running]:
    for flow in (report, brittle):
        pgflow.deploy(dsn, flow)
    started = ui.start(dsn, "127.0.0.1", 0)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(autouse=True)
def reset_switches() -> Iterator[None]:
    load_may_finish.clear()
    brittle_fails.clear()
    yield
    load_may_finish.set()  # a worker still waiting in load finishes and stops
    brittle_fails.clear()


def node(page: Page, step: str) -> Locator:
    return page.locator(f'g.node[data-step="{step}"]')


def node_status(page: Page, step: str) -> str:
    return str(page.get_attribute(f'g.node[data-step="{step}"]', "data-status"))


def test_the_runs_page_lists_runs_and_links_to_a_run(page: Page, running: ui.Running, dsn: str) -> None:
    runs = [pgflow.start_flow(dsn, "report", {"n": i}) for i in range(3)]
    page.goto(running.url + "/runs")
    assert page.locator("table#runs a.run-link").all_inner_texts() == [str(r.run_id) for r in reversed(runs)]
    page.click(f"text={runs[1].run_id}")
    page.wait_for_url(f"**/runs/{runs[1].run_id}")
    assert str(runs[1].run_id) in page.inner_text("h1")
    assert node_status(page, "load") == "started"  # ready, its task queued (no worker)
    assert node_status(page, "publish") == "created"


def test_a_run_s_page_updates_live_when_a_worker_completes_a_step(
    page: Page, running: ui.Running, dsn: str, worker_factory: Any
) -> None:
    with worker_factory([report]):
        run = pgflow.start_flow(dsn, "report", {"n": 4})
        page.goto(f"{running.url}/runs/{run.run_id}")
        expect(node(page, "load")).to_have_attribute("data-status", "started")
        assert node_status(page, "publish") == "created"
        navigations: list[str] = []
        page.on("framenavigated", lambda frame: navigations.append(frame.url))
        load_may_finish.set()
        # The load step completes, then three more steps run: each change shows within a second.
        expect(node(page, "load")).to_have_attribute("data-status", "completed", timeout=1_500)
        expect(node(page, "publish")).to_have_attribute("data-status", "completed", timeout=5_000)
        assert navigations == []  # swapped in place, never reloaded
        assert all(node_status(page, step) == "completed" for step in ("load", "summarize", "enrich"))
        assert "total 6, enriched [0, 10, 20, 30]" in page.inner_text("#steps")
        # The run ends in the transaction of its last step, but the page may show them one poll apart.
        expect(page.locator("#run-status")).to_have_text("completed", timeout=2_000)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_a_retry_from_the_button_re_drives_a_failed_run(
    page: Page, running: ui.Running, dsn: str, worker_factory: Any
) -> None:
    brittle_fails.set()
    with worker_factory([brittle]):
        run = pgflow.start_flow(dsn, "brittle", {"key": "order-7"})
        page.goto(f"{running.url}/runs/{run.run_id}")
        expect(page.locator("#run-status")).to_have_text("failed")
        assert "cannot parse 'fetched order-7'" in page.inner_text("#attempts")
        page.click("text=traceback")
        assert "Traceback" in page.inner_text("#attempts")
        brittle_fails.clear()
        page.click("#retry")
        page.wait_for_url(f"**/runs/{run.run_id}/retry")
        assert "Retry run" in page.inner_text("h1")
        page.click("#confirm")
        page.wait_for_url(f"**/runs/{run.run_id}")
        expect(page.locator("#run-status")).to_have_text("completed")
        assert node_status(page, "parse") == "completed"
        assert "FETCHED ORDER-7" in page.inner_text("#steps")


def test_a_reader_role_gets_no_buttons(page: Page, dsn: str, conn: psycopg.Connection[Any]) -> None:
    pgflow.deploy(dsn, brittle)
    run = pgflow.start_flow(dsn, "brittle", {"key": "r"})
    conn.execute("SELECT pgflow.cancel_run(%s, 'stop')", (run.run_id,))
    reader = ui.start(make_conninfo(dsn, options="-c role=pgflow_reader"), "127.0.0.1", 0)
    try:
        page.goto(f"{reader.url}/runs/{run.run_id}")
        assert page.inner_text("#run-status") == "cancelled"
        assert page.locator("#retry").count() == 0 and page.locator("#cancel").count() == 0
        assert "read-only" in page.inner_text("header")
        response = page.goto(f"{reader.url}/runs/{run.run_id}/retry")
        assert response is not None and response.status == 403
    finally:
        reader.close()


def test_off_localhost_the_token_is_needed_once(page: Page, dsn: str) -> None:
    pgflow.deploy(dsn, report)
    started = ui.start(dsn, "0.0.0.0", 0, token="browser-token")
    port = started.server.server_address[1]
    try:
        refused = page.goto(f"http://127.0.0.1:{port}/flows")
        assert refused is not None and refused.status == 401 and "needs its token" in page.inner_text("main")
        page.goto(f"http://127.0.0.1:{port}/flows?token=browser-token")
        assert re.search(r"/flows$", page.url)  # the token left the address bar (a cookie holds it)
        page.click("text=report")
        assert "Flow report v1" in page.inner_text("h1")
        assert page.locator('svg.dag g.node[data-step="publish"]').count() == 1
    finally:
        started.close()


def test_a_run_page_links_its_child_runs_and_back(page: Page, running: ui.Running, dsn: str) -> None:
    from pgflow.examples import subflows

    pgflow.deploy(dsn, subflows.flow)  # and its child flow, first
    run = pgflow.start_flow(dsn, subflows.flow, {"customers": [{"id": 1, "name": "Ada"}]})
    with psycopg.connect(dsn, autocommit=True) as conn:  # its first step, as a worker would
        conn.execute("SELECT * FROM pgflow.claim_tasks('w1', 10, ARRAY['customer_report'])")
        conn.execute(
            'SELECT pgflow.complete_task(%s, \'customers\', \'[{"id": 1, "name": "Ada"}]\'::jsonb)',
            (run.run_id,),
        )
    page.goto(f"{running.url}/runs/{run.run_id}")
    child_link = page.locator("table#children a").first
    child_id = child_link.inner_text()
    child_link.click()
    page.wait_for_url(f"**/runs/{child_id}")
    expect(page.locator("#parent")).to_contain_text("step enriched[0]")
    page.click("#parent a")
    page.wait_for_url(f"**/runs/{run.run_id}")


def test_a_signal_sent_from_the_button_completes_the_waiting_step(
    page: Page, running: ui.Running, dsn: str, worker_factory: Any
) -> None:
    from pgflow.examples import approval

    pgflow.deploy(dsn, approval.flow)
    with worker_factory([approval.flow]):
        run = pgflow.start_flow(dsn, approval.flow, {"title": "Notes", "author": "Ada"})
        page.goto(f"{running.url}/runs/{run.run_id}")
        expect(node(page, "approval")).to_have_attribute("data-status", "started")
        assert "waiting for signal since" in page.inner_text("#steps")
        page.click("#signal-approval")
        page.wait_for_url(f"**/runs/{run.run_id}/signal/approval")
        page.fill("#payload", '{"approved": true, "reviewer": "Grace"}')
        page.click("#confirm")
        page.wait_for_url(f"**/runs/{run.run_id}")
        expect(page.locator("#run-status")).to_have_text("completed")
        assert node_status(page, "publish") == "completed" and node_status(page, "archive") == "skipped"
        assert "published 'Notes' (approved by Grace)" in page.inner_text("#steps")
