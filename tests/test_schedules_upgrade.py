"""A 0.1 database updated to 0.2 schedules flows, and its 0.1 runs have no schedule."""

from __future__ import annotations

import psycopg
from conftest import scratch_database
from sql_driver import define, start

from pgflow.install import install


def test_a_0_1_database_updated_to_0_2_can_schedule() -> None:
    with (
        scratch_database("upgrade_schedules") as dsn,
        psycopg.connect(dsn, autocommit=True) as conn,
    ):
        conn.execute("CREATE EXTENSION pgflow VERSION '0.1'")
        define(conn, {"slug": "nightly", "steps": [{"slug": "a"}]})
        old_run = start(conn, "nightly", {})
        install(conn)
        conn.execute("SELECT pgflow.schedule(flow_slug => 'nightly', cron => '0 3 * * *', input => '{\"k\": 1}')")
        started = conn.execute(
            "SELECT schedule_name, input FROM pgflow.tick(at => now() + interval '1 day')"
        ).fetchall()
        assert started == [("nightly", {"k": 1})]
        assert conn.execute(
            "SELECT schedule_name, scheduled_for FROM pgflow.runs WHERE run_id = %s",
            [old_run],
        ).fetchone() == (
            None,
            None,
        )
        assert conn.execute("SELECT pgflow.unschedule(schedule_name => 'nightly')").fetchone() == (True,)
