"""Release 0.2: a 0.1 database with runs in flight updates in place and finishes them,
and an updated database is the same as a fresh install of the current version."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from conftest import scratch_database
from psycopg.types.json import Jsonb
from sql_driver import claim, complete, define, drain, output_for, start, statuses

from pgflow.install import EXTENSION_VERSION, RELEASED_VERSIONS, install, plain_script

pytestmark = pytest.mark.timeout(120)

# What a database's pgflow is made of, as comparable rows: every function with
# its signature, body and settings, every column, constraint, index and trigger,
# the privileges, and the tables pg_dump includes.
CATALOG: dict[str, str] = {
    "functions": """
        SELECT p.oid::regprocedure::text, pg_get_function_result(p.oid), p.prosrc, p.prosecdef,
               p.provolatile, p.proconfig::text, p.proacl::text
          FROM pg_proc AS p WHERE p.pronamespace = 'pgflow'::regnamespace ORDER BY 1""",
    "columns": """
        SELECT c.table_name, c.column_name, c.data_type, c.column_default, c.is_nullable, c.is_identity,
               c.ordinal_position
          FROM information_schema.columns AS c WHERE c.table_schema = 'pgflow' ORDER BY 1, 2""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'pgflow'::regnamespace ORDER BY 1, 2""",
    "indexes": """
        SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'pgflow' ORDER BY 1""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
          FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'pgflow.%' ORDER BY 1, 2""",
    "privileges": """
        SELECT c.relname, c.relacl::text FROM pg_class AS c
         WHERE c.relnamespace = 'pgflow'::regnamespace ORDER BY 1""",
    "comments": """
        SELECT c.relname, a.attname, col_description(c.oid, a.attnum), obj_description(c.oid, 'pg_class')
          FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0
         WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2""",
    "dumped": """
        SELECT array(SELECT x::regclass::text FROM unnest(e.extconfig) AS x ORDER BY 1)::text
          FROM pg_extension AS e WHERE e.extname = 'pgflow'""",
}


def catalog(dsn: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return {name: conn.execute(statement.encode()).fetchall() for name, statement in CATALOG.items()}


def make_runs_in_every_state(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """On pgflow 0.1: runs leased, delayed, retrying, fanned out half-way, completed, failed, cancelled."""
    define(conn, {"slug": "chain", "timeout": 30, "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]})
    define(conn, {"slug": "later", "steps": [{"slug": "a", "delay_seconds": 2}]})
    define(conn, {"slug": "flaky", "base_delay": 1, "max_attempts": 3, "steps": [{"slug": "a"}]})
    define(conn, {"slug": "once", "max_attempts": 1, "steps": [{"slug": "a"}]})
    define(
        conn,
        {
            "slug": "fan",
            "steps": [
                {"slug": "items"},
                {"slug": "double", "deps": ["items"], "fan_out": True},
                {"slug": "total", "deps": ["double"]},
            ],
        },
    )
    runs: dict[str, Any] = {
        "leased": start(conn, "chain", {"n": 1}),
        "delayed": start(conn, "later", {}),
        "retrying": start(conn, "flaky", {}),
        "fanned_out": start(conn, "fan", {}),
        "completed": start(conn, "once", {}),
        "failed": start(conn, "once", {}),
        "cancelled": start(conn, "chain", {"n": 2}),
    }
    tasks = {(t[0], t[1], t[2]): t for t in claim(conn, ["chain", "flaky", "fan", "once"])}
    by_run = {run: [t for key, t in tasks.items() if key[0] == run_id] for run, run_id in runs.items()}
    complete(conn, by_run["leased"][0], {"a": 1})  # b is now queued; claim it and keep its lease
    (leased_b,) = claim(conn, ["chain"], max_tasks=1)
    assert leased_b[1] == "b"
    (flaky,) = by_run["retrying"]
    conn.execute("SELECT pgflow.fail_task(%s, 'a', 'first try fails', attempt => %s)", [flaky[0], flaky[3]])
    (items,) = by_run["fanned_out"]
    complete(conn, items, output_for(items))
    doubles = claim(conn, ["fan"])
    assert len(doubles) == 4
    for task in doubles[:2]:
        complete(conn, task, output_for(task))
    complete(conn, by_run["completed"][0], {"ok": True})
    (failing,) = by_run["failed"]
    conn.execute("SELECT pgflow.fail_task(%s, 'a', 'gives up')", [failing[0]])
    conn.execute("SELECT pgflow.cancel_run(%s, 'by the test')", [runs["cancelled"]])
    # The leased task and the two fan-out tasks still out are reported after the update.
    runs["leased_task"] = leased_b
    runs["doubles_out"] = doubles[2:]
    return runs


@pytest.mark.parametrize("partitioned", [False, True], ids=["plain", "then-partition-history"])
def test_a_0_1_database_with_runs_in_flight_updates_and_finishes_them(partitioned: bool) -> None:
    assert RELEASED_VERSIONS == ("0.1",) and EXTENSION_VERSION != "0.1"
    with scratch_database("upgrade") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow VERSION '0.1'")
        runs = make_runs_in_every_state(conn)
        before = statuses(conn)

        installation = install(conn)  # what the CLI and the embedded server do on start
        assert installation.updated_from == "0.1" and installation.version == EXTENSION_VERSION
        extversion = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'pgflow'").fetchone()
        assert extversion == (EXTENSION_VERSION,)
        if partitioned:
            # History partitioned with the runs of 0.1 in flight: their rows (UUIDv4 run ids)
            # stay in the DEFAULT partitions, and they finish from there.
            conn.execute("SELECT pgflow.partition_history()")
            kinds = conn.execute("SELECT DISTINCT tableoid::regclass::text FROM pgflow.step_tasks").fetchall()
            assert kinds == [("pgflow.step_tasks_default",)]
        assert statuses(conn) == before

        # The holders of leases taken on 0.1 report on 0.2, and are counted.
        complete(conn, runs["leased_task"], {"b": 1})
        for task in runs["doubles_out"]:
            complete(conn, task, output_for(task))
        alive = [runs[k] for k in ("leased", "delayed", "retrying", "fanned_out")]
        drain(conn, ["chain", "later", "flaky", "fan"], alive)
        after = statuses(conn)
        assert {
            k: after[runs[k]] for k in ("leased", "delayed", "retrying", "fanned_out", "completed")
        } == dict.fromkeys(("leased", "delayed", "retrying", "fanned_out", "completed"), "completed")
        assert after[runs["failed"]] == "failed" and after[runs["cancelled"]] == "cancelled"
        fan_output = conn.execute("SELECT output FROM pgflow.runs WHERE run_id = %s", [runs["fanned_out"]]).fetchone()
        assert fan_output == ({"total": {"step": "total"}},)
        doubled = conn.execute(
            "SELECT output FROM pgflow.step_states WHERE run_id = %s AND step_slug = 'double'", [runs["fanned_out"]]
        ).fetchone()
        assert doubled == ([2, 4, 6, 8],)
        attempts = conn.execute(
            "SELECT attempt FROM pgflow.step_tasks WHERE run_id = %s", [runs["retrying"]]
        ).fetchone()
        assert attempts == (2,)

        # Runs that ended on 0.1 can be retried on 0.2 and finish.
        for name in ("failed", "cancelled"):
            conn.execute("SELECT pgflow.retry_run(%s)", [runs[name]])
        drain(conn, ["chain", "once"], [runs["failed"], runs["cancelled"]])
        assert {statuses(conn)[runs[n]] for n in ("failed", "cancelled")} == {"completed"}


def test_an_updated_database_equals_a_fresh_install() -> None:
    with scratch_database("fresh") as fresh, scratch_database("updated") as updated:
        with psycopg.connect(fresh, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pgflow")
        with psycopg.connect(updated, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pgflow VERSION '0.1'")
            conn.execute("ALTER EXTENSION pgflow UPDATE")
        fresh_catalog, updated_catalog = catalog(fresh), catalog(updated)
        for part in CATALOG:
            missing = sorted(set(fresh_catalog[part]) - set(updated_catalog[part]))
            extra = sorted(set(updated_catalog[part]) - set(fresh_catalog[part]))
            assert (missing, extra) == ([], []), f"{part}: only in a fresh install {missing}; only updated {extra}"


def test_plain_objects_on_0_1_update_in_place() -> None:
    with scratch_database("plain") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("CREATE SCHEMA pgflow")
            conn.execute(plain_script("pgflow--0.1.sql"))
        define(conn, {"slug": "chain", "steps": [{"slug": "a"}]})
        run_id = start(conn, "chain", {})
        (task,) = claim(conn, ["chain"])
        installation = install(conn)
        assert (installation.method, installation.updated_from, installation.version) == (
            "plain",
            "0.1",
            EXTENSION_VERSION,
        )
        assert conn.execute("SELECT pgflow.version()").fetchone() == (EXTENSION_VERSION,)
        complete(conn, task, {"done": True})
        assert statuses(conn)[run_id] == "completed"
        assert install(conn).updated_from is None  # already current: nothing to do


def test_plain_objects_partition_their_history() -> None:
    """Installed as plain objects (no extension), partition_history works the same, with no
    extension to add the partitions to."""
    with scratch_database("plain_partitioned") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        install(conn, plain=True)
        define(conn, {"slug": "chain", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]})
        before = start(conn, "chain", {})
        conn.execute("SELECT pgflow.partition_history()")
        after = start(conn, "chain", {})
        drain(conn, ["chain"], [before, after])
        assert {statuses(conn)[r] for r in (before, after)} == {"completed"}
        kind = conn.execute("SELECT relkind FROM pg_class WHERE oid = 'pgflow.runs'::regclass").fetchone()
        assert kind == ("p",)


def test_a_0_1_database_updated_defines_and_runs_signal_steps() -> None:
    with scratch_database("upgrade_signals") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow VERSION '0.1'")
        define(conn, {"slug": "review", "steps": [{"slug": "draft"}, {"slug": "publish", "deps": ["draft"]}]})
        in_flight = start(conn, "review", {})
        install(conn)

        # A new version of the same flow waits for an approval between its steps.
        define(
            conn,
            {
                "slug": "review",
                "steps": [
                    {"slug": "draft"},
                    {"slug": "approval", "deps": ["draft"], "signal": True, "signal_timeout": 60},
                    {"slug": "publish", "deps": ["approval"]},
                ],
            },
        )
        approved, missed = start(conn, "review", {}), start(conn, "review", {})
        early = conn.execute(
            "SELECT status FROM pgflow.send_signal(%s, 'approval', %s)", [approved, Jsonb({"ok": True})]
        ).fetchone()
        assert early == ("created",)  # kept until draft completes
        drain(conn, ["review"], [in_flight, approved], timeout=10)
        after = statuses(conn)
        assert (after[in_flight], after[approved], after[missed]) == ("completed", "completed", "started")
        approval = conn.execute(
            "SELECT output FROM pgflow.step_states WHERE run_id = %s AND step_slug = 'approval'", [approved]
        ).fetchone()
        assert approval == ({"ok": True},)
        applied = conn.execute("SELECT pgflow._apply_signal_deadlines(now() + interval '61 seconds')").fetchone()
        assert applied == (1,) and statuses(conn)[missed] == "failed"
