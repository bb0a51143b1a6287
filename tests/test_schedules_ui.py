"""The web UI's flows page shows each flow's schedules with their next slot and last run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import schedule_flows

from pgflow import ui
from pgflow.client import deploy_flow
from pgflow.ui.server import Request


@pytest.fixture
def running(dsn: str) -> Iterator[ui.Running]:
    deploy_flow(dsn, schedule_flows.nightly)
    deploy_flow(dsn, schedule_flows.every_minute)
    started = ui.start(dsn, "127.0.0.1", 0)
    try:
        yield started
    finally:
        started.close()


def page(running: ui.Running, path: str) -> str:
    return running.app.respond(Request("GET", path, {})).body.decode()


def schedule_rows(html: str) -> dict[str, str]:
    table = re.search(r'<table id="schedules">(.*?)</table>', html, re.S)
    assert table is not None, html
    rows = re.findall(r"<tr><td>([a-z_]+)</td>(.*?)</tr>", table.group(1), re.S)
    return dict(rows)


def test_the_flows_page_shows_every_schedule_with_its_next_slot(running: ui.Running) -> None:
    rows = schedule_rows(page(running, "/flows"))
    assert set(rows) == {"nightly_report", "monthly_report", "every_minute"}
    assert "<code>0 3 * * *</code>" in rows["nightly_report"] and "03:00:00 UTC" in rows["nightly_report"]
    assert "Europe/Berlin" in rows["monthly_report"] and "none yet" in rows["monthly_report"]


def test_a_flows_page_shows_its_own_schedules_and_links_the_last_run(
    running: ui.Running, conn: psycopg.Connection[Any]
) -> None:
    conn.execute("UPDATE pgflow.schedules SET next_slot = date_trunc('minute', now()) WHERE flow_slug = 'every_minute'")
    (run_id,) = conn.execute("SELECT run_id FROM pgflow.tick()").fetchone() or (None,)
    rows = schedule_rows(page(running, "/flows/every_minute"))
    assert set(rows) == {"every_minute"}
    assert f'<a href="/runs/{run_id}">started</a>' in rows["every_minute"]
