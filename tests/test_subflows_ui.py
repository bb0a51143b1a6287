"""The web UI's run page links a run's child runs (subflows), and a child's page links its parent."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from pgflow import ui
from pgflow.client import deploy_flow, start_flow, wait_for_run
from pgflow.examples import subflows
from pgflow.testing import worker_thread
from pgflow.ui.server import Request


@pytest.fixture
def running(dsn: str) -> Iterator[ui.Running]:
    started = ui.start(dsn, "127.0.0.1", 0)
    try:
        yield started
    finally:
        started.close()


def page(running: ui.Running, path: str) -> str:
    response = running.app.respond(Request("GET", path, {}))
    assert response.status == 200
    return response.body.decode()


def test_run_page_links_its_children_and_a_child_page_its_parent(dsn: str, running: ui.Running) -> None:
    deploy_flow(dsn, subflows.flow)
    run = start_flow(
        dsn,
        subflows.flow,
        {"customers": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bob"}]},
    )
    with worker_thread(dsn, [subflows.flow]):
        wait_for_run(dsn, run.run_id, timeout=30)

    parent_page = page(running, f"/runs/{run.run_id}")
    children = re.search(r'<table id="children">(.*?)</table>', parent_page, re.S)
    assert children is not None
    rows = re.findall(
        r'<tr><td>(enriched\[\d\])</td><td><a href="/runs/([0-9a-f-]{36})">',
        children.group(1),
    )
    assert [task for task, _ in rows] == ["enriched[0]", "enriched[1]"]

    child_page = page(running, f"/runs/{rows[0][1]}")
    assert f'child run of <a href="/runs/{run.run_id}">{run.run_id}</a>, step enriched[0]' in child_page
    assert '<table id="children">' not in child_page
