"""Backups: pg_dump of a database with pgflow keeps definitions, runs in flight and
history, and the runs finish in the restored database."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import scratch_database
from sql_driver import claim, complete, define, drain, output_for, start, statuses

pytestmark = pytest.mark.timeout(120)


def snapshot(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    tables = ["flows", "steps", "deps", "runs", "step_states", "step_tasks", "fan_out_shards", "task_attempts"]
    return {t: conn.execute(f"SELECT * FROM pgflow.{t} ORDER BY 1, 2, 3".encode()).fetchall() for t in tables}


def history_layout(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """The run-keyed tables' kinds and partitions (with their bounds)."""
    return conn.execute(
        "SELECT c.relname, c.relkind, pg_get_expr(c.relpartbound, c.oid) FROM pg_class AS c"
        " WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'p')"
        " AND (c.relispartition OR c.oid = ANY (pgflow._history_tables())) ORDER BY 1"
    ).fetchall()


def placement(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """Which partition (or plain table) holds each run's rows."""
    return conn.execute(
        "SELECT t.tableoid::regclass::text, t.run_id, t.step_slug FROM pgflow.step_tasks AS t"
        " UNION ALL SELECT r.tableoid::regclass::text, r.run_id, '' FROM pgflow.runs AS r ORDER BY 2, 3, 1"
    ).fetchall()


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not on PATH")
@pytest.mark.parametrize("partitioned", [False, True], ids=["plain", "partitioned-history"])
def test_dump_and_restore_keep_runs_in_flight_and_they_finish(tmp_path: Path, partitioned: bool) -> None:
    with scratch_database("dumped") as source, psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow")
        if partitioned:
            # A set ten days back holds an old finished run; a caller's UUIDv4 run lives in DEFAULT.
            conn.execute("SELECT pgflow.partition_history()")
            ten_days_ago = "now() - interval '10 days'"
            conn.execute(f"SELECT pgflow._make_history_partitions({ten_days_ago}, {ten_days_ago})")
            define(conn, {"slug": "old", "steps": []})
            conn.execute(
                "SELECT pgflow.start_flow('old', run_id => pgflow._time_ordered_uuid(now() - interval '10 days'))"
            )
            conn.execute("SELECT pgflow.start_flow('old', run_id => '00000000-0000-4000-8000-0000000000aa')")
        define(conn, {"slug": "chain", "timeout": 60, "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]})
        define(conn, {"slug": "later", "steps": [{"slug": "a", "delay_seconds": 2}]})
        define(conn, {"slug": "flaky", "base_delay": 0, "steps": [{"slug": "a"}]})
        define(
            conn,
            {
                "slug": "fan",
                "steps": [{"slug": "items"}, {"slug": "double", "deps": ["items"], "fan_out": True}],
            },
        )
        leased_run, delayed_run = start(conn, "chain", {}), start(conn, "later", {})
        fan_run, flaky_run = start(conn, "fan", {}), start(conn, "flaky", {})
        for task in claim(conn, ["fan", "flaky"]):
            if task[1] == "items":
                complete(conn, task, output_for(task))
            else:  # one failed attempt, kept in task_attempts
                conn.execute("SELECT pgflow.fail_task(%s, 'a', 'try again', attempt => %s)", [task[0], task[3]])
        doubles = claim(conn, ["fan"])
        complete(conn, doubles[0], output_for(doubles[0]))  # half-done fan-out: 1 of 4 completed, 3 leased
        (leased,) = claim(conn, ["chain"])  # a leased task, its holder still working
        before = snapshot(conn)

        layout, placed = history_layout(conn), placement(conn)

        dump = tmp_path / "pgflow.dump"
        # Partitioned history is dumped through its parents (README, "Backups").
        options = ["--load-via-partition-root"] if partitioned else []
        subprocess.run(["pg_dump", "-Fc", *options, "-f", str(dump), "-d", source], check=True, capture_output=True)

    with scratch_database("restored") as target, psycopg.connect(target, autocommit=True) as conn:
        restored = subprocess.run(["pg_restore", "-d", target, str(dump)], capture_output=True, text=True)
        assert restored.returncode == 0, restored.stderr
        assert snapshot(conn) == before
        # The layout row made the layout again: the same parents and partitions (and empty ones
        # for any interval between the oldest set and today that had none), each row in its own.
        assert set(layout) <= set(history_layout(conn))
        assert placement(conn) == placed
        # The holder of the lease reports to the restored database; the rest is claimed there.
        complete(conn, leased, {"a": 1})
        for task in doubles[1:]:
            complete(conn, task, output_for(task))
        drain(conn, ["chain", "later", "fan", "flaky"], [leased_run, delayed_run, fan_run, flaky_run])
        assert {statuses(conn)[r] for r in (leased_run, delayed_run, fan_run, flaky_run)} == {"completed"}
        doubled = conn.execute(
            "SELECT output FROM pgflow.step_states WHERE run_id = %s AND step_slug = 'double'", [fan_run]
        ).fetchone()
        assert doubled == ([2, 4, 6, 8],)
        # History came along, and new history does not collide with it.
        conn.execute("SELECT pgflow.start_flow('flaky')")
        for task in claim(conn, ["flaky"]):
            conn.execute("SELECT pgflow.fail_task(%s, 'a', 'after restore', attempt => %s)", [task[0], task[3]])
        messages = [r[0] for r in conn.execute("SELECT error_message FROM pgflow.task_attempts ORDER BY attempt_id")]
        assert messages == ["try again", "after restore"]


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not on PATH")
def test_a_partitioned_dump_without_load_via_partition_root_fails_loudly(tmp_path: Path) -> None:
    """Without the option pg_dump names each partition, which a fresh install does not have:
    pg_restore reports the errors (it never restores less and says nothing)."""
    with scratch_database("dumped") as source, psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow")
        conn.execute("SELECT pgflow.partition_history()")
        define(conn, {"slug": "f", "steps": [{"slug": "a"}]})
        start(conn, "f", {})
        dump = tmp_path / "pgflow.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", source], check=True, capture_output=True)
    with scratch_database("restored") as target:
        restored = subprocess.run(["pg_restore", "-d", target, str(dump)], capture_output=True, text=True)
        assert restored.returncode != 0
        assert 'relation "pgflow.runs_p' in restored.stderr
