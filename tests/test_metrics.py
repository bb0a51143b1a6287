"""Prometheus metrics: `pgflow worker --metrics-port P`, scraped from a real worker process after some runs."""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
import uuid
from typing import Any

import observed_flows
import psycopg
import pytest
from conftest import pgflow_cli, wait_until
from psycopg import sql
from psycopg.conninfo import make_conninfo
from worker_processes import worker_process

from pgflow import deploy, start_flow, start_flows, wait_for_run
from pgflow.rows import QueueStats
from pgflow.worker.metrics import WorkerMetrics, serve_metrics

SAMPLE = re.compile(r"^(?P<key>[a-z_]+(?:\{[^}]*\})?) (?P<value>\S+)$")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(port: int) -> dict[str, float]:
    """The samples of the endpoint, by name with labels as exposed: ``name{flow="f",step="a"}``."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            match = SAMPLE.match(line)
            assert match is not None, f"not a sample line: {line!r}"
            samples[match["key"]] = float(match["value"])
    return samples


def step(name: str, step_slug: str, flow: str = "metered", **more: str) -> str:
    labels = [f'flow="{flow}"', f'step="{step_slug}"', *(f'{k}="{v}"' for k, v in more.items())]
    return f"{name}{{{','.join(labels)}}}"


def test_a_worker_process_serves_its_counters_and_the_queue(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, observed_flows.metered)
    deploy(conn, observed_flows.unserved)
    port = free_port()
    with worker_process(dsn, "observed_flows:metered", "--metrics-port", str(port)) as worker:
        runs = start_flows(conn, observed_flows.metered, [{"key": str(i)} for i in range(3)])
        for run in runs:
            assert wait_for_run(dsn, run.run_id, timeout=20).status == "completed"
        for i in range(2):
            start_flow(conn, observed_flows.unserved, {"key": str(i)})
        # The last completion is counted once its report returns, a moment after the run completed.
        samples = wait_until(
            lambda: (s := scrape(port)).get(step("pgflow_tasks_completed_total", "linger")) == 3 and s, timeout=10
        )
        with pytest.raises(urllib.error.HTTPError) as elsewhere:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        assert elsewhere.value.code == 404
    assert "Traceback" not in worker.log

    claimed, completed = "pgflow_tasks_claimed_total", "pgflow_tasks_completed_total"
    failed = "pgflow_tasks_failed_total"
    assert {k: v for k, v in samples.items() if k.startswith(claimed)} == {
        step(claimed, "hopeless"): 6,  # 3 runs x 2 attempts
        step(claimed, "linger"): 3,
        step(claimed, "quick"): 3,
    }
    assert {k: v for k, v in samples.items() if k.startswith(completed)} == {
        step(completed, "linger"): 3,
        step(completed, "quick"): 3,
    }
    assert {k: v for k, v in samples.items() if k.startswith(failed)} == {step(failed, "hopeless"): 6}
    assert samples[step("pgflow_lease_renewals_total", "linger")] >= 3  # every third of its 1 s lease
    assert step("pgflow_lease_renewals_total", "quick") not in samples
    # linger sleeps 0.9 s: all three in the le="1" bucket, none in le="0.5".
    histogram = "pgflow_handler_duration_seconds"
    assert samples[step(f"{histogram}_bucket", "linger", le="0.5")] == 0
    assert samples[step(f"{histogram}_bucket", "linger", le="1")] == 3
    assert samples[step(f"{histogram}_bucket", "linger", le="+Inf")] == 3
    assert samples[step(f"{histogram}_count", "linger")] == 3
    # (timed on the loop, from the moment it learns the thread started: a few ms short of 0.9 s at most)
    assert 2.6 <= samples[step(f"{histogram}_sum", "linger")] < 3.0 + 1.0
    assert samples[step(f"{histogram}_count", "hopeless")] == 6
    assert samples["pgflow_claim_duration_seconds_count"] >= 4  # a claim per wake-up at least
    assert samples['pgflow_claim_duration_seconds_bucket{le="+Inf"}'] == samples["pgflow_claim_duration_seconds_count"]
    # The queue, from pgflow.queue_stats: the unserved flow's two tasks wait; the served flow's queue is empty.
    assert samples["pgflow_queue_stats_up"] == 1
    assert samples[step("pgflow_queue_queued", "waits", flow="unserved")] == 2
    assert samples[step("pgflow_queue_claimable", "waits", flow="unserved")] == 2
    assert samples[step("pgflow_queue_in_flight", "waits", flow="unserved")] == 0
    assert samples[step("pgflow_queue_oldest_waiting_seconds", "waits", flow="unserved")] > 0
    for slug in ("quick", "linger", "hopeless"):
        assert samples[step("pgflow_queue_queued", slug)] == 0
        assert samples[step("pgflow_queue_oldest_waiting_seconds", slug)] == 0


def test_a_metrics_port_in_use_is_one_line_and_exit_2(dsn: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = pgflow_cli(dsn, "worker", "observed_flows:metered", "--metrics-port", str(port), timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip() == f"pgflow worker: cannot serve metrics on 127.0.0.1:{port}: Address already in use"


def test_label_values_are_escaped_and_missing_queue_reads_as_down() -> None:
    metrics = WorkerMetrics()
    text = metrics.exposition([QueueStats('we"ird', "a\\b", 1, 1, 0, 0, 2.5)])
    assert 'pgflow_queue_queued{flow="we\\"ird",step="a\\\\b"} 1' in text.splitlines()
    assert 'pgflow_queue_oldest_waiting_seconds{flow="we\\"ird",step="a\\\\b"} 2.5' in text.splitlines()
    assert "pgflow_queue_stats_up 0" in metrics.exposition(None).splitlines()


def test_a_worker_role_without_pgflow_reader_gets_counters_and_queue_stats_up_0(
    dsn: str, conn: psycopg.Connection[Any], caplog: pytest.LogCaptureFixture
) -> None:
    # pgflow_worker reads no table or view; the queue's gauges need pgflow_reader.
    role = f"pgflow_test_metrics_{uuid.uuid4().hex[:8]}"
    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN IN ROLE pgflow_worker").format(sql.Identifier(role)))
    try:
        metrics = WorkerMetrics()
        # The session takes the role at connection start (as SET ROLE would): no login, no pg_hba entry needed.
        server = serve_metrics(free_port(), make_conninfo(dsn, options=f"-c role={role}"), metrics=metrics)
        try:
            assert scrape(server.port)["pgflow_queue_stats_up"] == 0
            assert scrape(server.port)["pgflow_queue_stats_up"] == 0  # and again, logged once
            conn.execute(sql.SQL("GRANT pgflow_reader TO {}").format(sql.Identifier(role)))
            samples = scrape(server.port)
            assert samples["pgflow_queue_stats_up"] == 1
            assert samples["pgflow_claim_duration_seconds_count"] == 0
        finally:
            server.close()
    finally:
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    warnings = [r.getMessage() for r in caplog.records if "queue_stats" in r.getMessage()]
    assert warnings == ["metrics: cannot read pgflow.queue_stats: permission denied for view queue_stats"]
