"""Workers tick by themselves: a due slot runs once however many workers (or callers) tick."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import psycopg
import pytest
import schedule_flows
from conftest import dsn_for, running_worker, wait_until

from pgflow.client import deploy_flow


def make_due(conn: psycopg.Connection[Any]) -> None:
    """As if the schedules were made before the current minute began: that slot is due now."""
    conn.execute("UPDATE pgflow.schedules SET next_slot = date_trunc('minute', now())")


def scheduled_runs(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT schedule_name, scheduled_for, status, output FROM pgflow.runs WHERE schedule_name IS NOT NULL"
    ).fetchall()


def test_a_worker_ticks_and_runs_the_due_slot(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    make_due(conn)
    with running_worker(dsn, [schedule_flows.every_minute], tick_interval=0.2):
        (run,) = wait_until(lambda: [r for r in scheduled_runs(conn) if r[2] == "completed"])
    assert run[0] == "every_minute" and run[3] == {"beat": 42}
    slot = conn.execute("SELECT date_trunc('minute', now())").fetchone()
    assert slot is not None and run[1] <= slot[0]


def test_two_workers_ticking_start_one_run_per_slot(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    make_due(conn)
    with (
        running_worker(dsn, [schedule_flows.every_minute], tick_interval=0.05),
        running_worker(dsn, [schedule_flows.every_minute], tick_interval=0.05),
    ):
        wait_until(lambda: scheduled_runs(conn))
        threading.Event().wait(1.0)  # both keep ticking meanwhile
        runs = scheduled_runs(conn)
    slots = [r[1] for r in runs]
    assert len(slots) == len(set(slots)) >= 1


def test_concurrent_ticks_start_each_slot_once(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    for i in range(20):
        conn.execute(
            "SELECT pgflow.schedule(flow_slug => 'every_minute', cron => '* * * * *', schedule_name => %s)",
            [f"s{i}"],
        )
    make_due(conn)
    started: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def ticker() -> None:
        try:
            with psycopg.connect(dsn, autocommit=True) as own:
                barrier.wait()
                for _ in range(5):
                    started.append(len(own.execute("SELECT * FROM pgflow.tick()").fetchall()))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=ticker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []  # every tick succeeded
    assert sum(started) == 21  # 20 + the deployed one: once each, between them
    per_slot = conn.execute(
        "SELECT count(*) FROM pgflow.runs WHERE schedule_name IS NOT NULL GROUP BY schedule_name, scheduled_for"
    ).fetchall()
    assert {row[0] for row in per_slot} == {1} and len(per_slot) == 21


def test_tick_interval_zero_turns_ticking_off(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    make_due(conn)
    with running_worker(dsn, [schedule_flows.every_minute], tick_interval=0):
        threading.Event().wait(1.0)
    assert scheduled_runs(conn) == []


def test_a_failing_tick_is_logged_and_the_worker_goes_on(
    dsn: str, conn: psycopg.Connection[Any], caplog: pytest.LogCaptureFixture
) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    # As on a database still at 0.1: no pgflow.tick.
    conn.execute("ALTER EXTENSION pgflow DROP FUNCTION pgflow.tick(timestamptz)")
    conn.execute("DROP FUNCTION pgflow.tick(timestamptz)")
    caplog.set_level(logging.INFO, logger="pgflow.worker")
    with running_worker(dsn, [schedule_flows.every_minute], tick_interval=0.05):
        wait_until(lambda: "cannot tick the schedules" in caplog.text)
        run_id = conn.execute("SELECT run_id FROM pgflow.start_flow('every_minute')").fetchone()
        assert run_id is not None
        wait_until(
            lambda: (
                conn.execute("SELECT status FROM pgflow.runs WHERE run_id = %s", run_id).fetchone() == ("completed",)
            )
        )
    warnings = [r for r in caplog.records if "cannot tick" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING  # said once, then ticking is off


# -- pg_cron, the documented alternative to workers ticking ------------------------------


def test_pg_cron_can_tick_the_schedules(dsn: str) -> None:
    """`SELECT pgflow.tick()` as a pg_cron job. The job is stored and its command works; with
    PGFLOW_TEST_PG_CRON_RUN=1 the test also waits (up to ~75 s) for pg_cron to run it and
    start the due slot itself."""
    with psycopg.connect(dsn_for("postgres"), autocommit=True) as admin:
        available = admin.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron'").fetchone()
        preloaded = admin.execute("SELECT current_setting('shared_preload_libraries') ~ 'pg_cron'").fetchone()
        if available is None or preloaded is None or not preloaded[0]:
            pytest.skip("pg_cron is not installed and preloaded (Debian: postgresql-15-cron)")
        cron_db = admin.execute("SELECT current_setting('cron.database_name')").fetchone()
    assert cron_db is not None
    deploy_flow(dsn, schedule_flows.every_minute)
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    command = "SELECT count(*) FROM pgflow.tick()"
    with psycopg.connect(dsn_for(cron_db[0]), autocommit=True) as cron, psycopg.connect(dsn, autocommit=True) as conn:
        cron.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
        job = cron.execute(
            "SELECT cron.schedule_in_database(%s, '* * * * *', %s, %s)", (f"pgflow-tick-{dbname}", command, dbname)
        ).fetchone()
        assert job is not None
        try:
            stored = cron.execute("SELECT command, database FROM cron.job WHERE jobid = %s", job).fetchone()
            assert stored == (command, dbname)
            if os.environ.get("PGFLOW_TEST_PG_CRON_RUN") != "1":
                make_due(conn)
                assert conn.execute(command).fetchone() == (1,)  # what the job runs starts the due slot
                return
            make_due(conn)
            run = wait_until(lambda: scheduled_runs(conn), timeout=75, interval=0.5)
            details = cron.execute(
                "SELECT status, return_message FROM cron.job_run_details WHERE jobid = %s ORDER BY runid", job
            ).fetchall()
            assert details and details[0][0] == "succeeded", details  # pg_cron ran the tick that started it
            assert len(run) == 1 and run[0][0] == "every_minute"
        finally:
            cron.execute("SELECT cron.unschedule(%s)", job)
