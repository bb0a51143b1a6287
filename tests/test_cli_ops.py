"""`pgflow install`, `demo`, `prune`, `retry` and `cancel`, run as a subprocess like a user would."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from conftest import TESTS_DIR, dsn_for, pgflow_cli, running_worker, wait_until
from psycopg.types.json import Jsonb

from pgflow import deploy, start_flow, wait_for_run
from pgflow.examples import fan_out
from pgflow.install import EXTENSION_VERSION

REPO = TESTS_DIR.parent


PLAIN = "{} as plain objects in schema pgflow (install script " + EXTENSION_VERSION + ")"


def _one(dsn: str, statement: str, *params: Any) -> Any:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(statement.encode(), params or None).fetchone()
    return None if row is None else row[0]


def test_help_is_available_for_the_operations_commands(dsn: str) -> None:
    for command in ["install", "demo", "prune", "retry", "cancel"]:
        result = pgflow_cli(dsn, command, "--help")
        assert result.returncode == 0, result.stderr
        assert f"usage: pgflow {command}" in result.stdout


def test_packaged_extension_files_are_the_built_ones() -> None:
    packaged = REPO / "python_client" / "src" / "pgflow" / "sql"
    for built in [*sorted(REPO.glob("pgflow--*.sql")), REPO / "extension" / "pgflow.control"]:
        assert (packaged / built.name).read_bytes() == built.read_bytes(), (
            f"python_client/src/pgflow/sql/{built.name} differs from {built.relative_to(REPO)}: "
            f"cp {built.relative_to(REPO)} python_client/src/pgflow/sql/"
        )


# -- install --------------------------------------------------------------------------------


def test_install_creates_the_extension_then_says_it_is_installed(
    empty_dsn: str,
) -> None:
    first = pgflow_cli(empty_dsn, "install")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"installed pgflow as the extension pgflow {EXTENSION_VERSION}"
    assert _one(empty_dsn, "SELECT extversion FROM pg_extension WHERE extname = 'pgflow'") == EXTENSION_VERSION
    second = pgflow_cli(empty_dsn, "install")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"pgflow is already installed as the extension pgflow {EXTENSION_VERSION}"


def test_install_plain_runs_flows_without_the_extension(empty_dsn: str) -> None:
    first = pgflow_cli(empty_dsn, "install", "--plain")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == PLAIN.format("installed pgflow")
    assert _one(empty_dsn, "SELECT count(*) FROM pg_extension WHERE extname = 'pgflow'") == 0
    # The same privileges as the extension: nothing for PUBLIC.
    assert _one(empty_dsn, "SELECT has_schema_privilege('public', 'pgflow', 'USAGE')") is False

    deploy(empty_dsn, fan_out.flow)
    run = start_flow(empty_dsn, fan_out.flow, {"items": ["a", "bb"], "multiplier": 3})
    with running_worker(empty_dsn, [fan_out.flow]):
        finished = wait_for_run(empty_dsn, run.run_id, timeout=15)
    assert finished.status == "completed"
    assert finished.output == {"combine_results": {"count": 2, "total_length": 9, "items": ["A", "BB"]}}

    again = pgflow_cli(empty_dsn, "install")  # even without --plain: it is there, as plain objects
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == PLAIN.format("pgflow is already installed")
    assert _one(empty_dsn, "SELECT count(*) FROM pg_extension WHERE extname = 'pgflow'") == 0


def test_install_refuses_a_schema_pgflow_that_is_not_pgflow(empty_dsn: str) -> None:
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA pgflow")
        conn.execute("CREATE TABLE pgflow.mine (x int)")
    result = pgflow_cli(empty_dsn, "install", "--plain")
    assert result.returncode == 2
    assert "a schema pgflow exists but holds no pgflow tables" in result.stderr
    assert (
        _one(
            empty_dsn,
            "SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgflow'::regnamespace",
        )
        == 0
    )


# -- prune, retry, cancel -------------------------------------------------------------------

ONE_STEP = {"slug": "ops", "max_attempts": 1, "steps": [{"slug": "only"}]}


def _start(conn: psycopg.Connection[Any]) -> str:
    row = conn.execute("SELECT run_id FROM pgflow.start_flow(flow_slug => 'ops')").fetchone()
    assert row is not None
    return str(row[0])


def _claim_all(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute("SELECT run_id FROM pgflow.claim_tasks(worker_id => 'pytest', max_tasks => 100)").fetchall()
    return [str(r[0]) for r in rows]


def test_prune_removes_old_finished_runs_in_batches(dsn: str, conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT pgflow.define_flow(definition => %s)", (Jsonb(ONE_STEP),))
    runs = [_start(conn) for _ in range(4)]
    claimed = _claim_all(conn)
    assert sorted(claimed) == sorted(runs)
    for run_id in runs[:3]:
        conn.execute(
            "SELECT pgflow.complete_task(run_id => %s, step_slug => 'only', output => '1')",
            (run_id,),
        )
    # Two runs finished long ago, one recently, one still running.
    conn.execute(
        "UPDATE pgflow.runs SET finished_at = now() - interval '40 days' WHERE run_id = ANY (%s::uuid[])",
        (runs[:2],),
    )
    result = pgflow_cli(dsn, "prune", "--older-than", "30 days", "--batch-size", "1")
    assert result.returncode == 0, result.stderr
    # Each pruned run: its run, step state and task rows.
    assert result.stdout.strip() == (
        "pruned 6 rows (runs finished more than 30 days ago, with their steps, tasks and attempts) in 2 batches"
    )
    remaining = conn.execute("SELECT run_id::text FROM pgflow.runs ORDER BY started_at").fetchall()
    assert sorted(r[0] for r in remaining) == sorted(runs[2:])

    nothing = pgflow_cli(dsn, "prune", "--older-than", "30 days")
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.startswith("pruned 0 rows") and "in 0 batches" in nothing.stdout


def test_prune_rejects_a_bad_interval_or_batch_size(dsn: str) -> None:
    bad = pgflow_cli(dsn, "prune", "--older-than", "-1 days")
    assert bad.returncode == 2
    assert "older_than must be a non-negative interval" in bad.stderr
    garbage = pgflow_cli(dsn, "prune", "--older-than", "thirty days")
    assert garbage.returncode == 2 and 'invalid input syntax for type interval: "thirty days"' in garbage.stderr
    assert len(garbage.stderr.splitlines()) == 1 and "CONTEXT" not in garbage.stderr
    zero = pgflow_cli(dsn, "prune", "--older-than", "1 day", "--batch-size", "0")
    assert zero.returncode == 2 and "--batch-size must be at least 1" in zero.stderr


def test_retry_redrives_a_failed_run(dsn: str, conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT pgflow.define_flow(definition => %s)", (Jsonb(ONE_STEP),))
    run_id = _start(conn)
    assert _claim_all(conn) == [run_id]
    conn.execute(
        "SELECT pgflow.fail_task(run_id => %s, step_slug => 'only', error_message => 'boom')",
        (run_id,),
    )
    assert _one(dsn, "SELECT status FROM pgflow.runs WHERE run_id = %s", run_id) == "failed"

    result = pgflow_cli(dsn, "retry", run_id)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f'run {run_id} of flow "ops" is started again')
    assert _one(dsn, "SELECT status FROM pgflow.runs WHERE run_id = %s", run_id) == "started"
    assert _claim_all(conn) == [run_id]  # a fresh attempt
    conn.execute(
        "SELECT pgflow.complete_task(run_id => %s, step_slug => 'only', output => '2')",
        (run_id,),
    )
    assert _one(dsn, "SELECT output FROM pgflow.runs WHERE run_id = %s", run_id) == {"only": 2}

    completed = pgflow_cli(dsn, "retry", run_id)
    assert completed.returncode == 2
    assert "only failed or cancelled runs can be retried" in completed.stderr
    unknown = pgflow_cli(dsn, "retry", str(uuid.uuid4()))
    assert unknown.returncode == 2 and "does not exist" in unknown.stderr


def test_cancel_cancels_a_started_run_once(dsn: str, conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT pgflow.define_flow(definition => %s)", (Jsonb(ONE_STEP),))
    run_id = _start(conn)
    result = pgflow_cli(dsn, "cancel", run_id, "--reason", "no longer needed")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f'run {run_id} of flow "ops" is cancelled (cancelled: no longer needed)'
    assert _claim_all(conn) == []  # its queued task is never claimed
    assert _one(dsn, "SELECT status FROM pgflow.step_states WHERE run_id = %s", run_id) == "cancelled"

    again = pgflow_cli(dsn, "cancel", run_id)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"run {run_id} is already cancelled; nothing to cancel"
    unknown = pgflow_cli(dsn, "cancel", str(uuid.uuid4()))
    assert unknown.returncode == 2 and "does not exist" in unknown.stderr


# -- demo -----------------------------------------------------------------------------------


@pytest.mark.timeout(90)
def test_demo_runs_every_example_to_completion(dsn: str) -> None:
    result = pgflow_cli(dsn, "demo", timeout=80)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "pgflow demo: the configured database (dbname=" in out
    assert f"pgflow is already installed as the extension pgflow {EXTENSION_VERSION}" in out
    for slug in [
        "analyze_parallel",
        "vip_routing",
        "flaky_quote",
        "fan_out_items",
        "enrich_customer",
        "customer_report",
        "document_approval",
    ]:
        assert f'deployed flow "{slug}" v1' in out
    assert "fetch_quote        attempt 1 failed: ConnectionError: quote service timed out" in out
    assert "process_each_item  completed   5/5 tasks done" in out
    assert "SELECT step_slug, status, output FROM pgflow.step_states WHERE run_id = '" in out
    assert out.rstrip().endswith("pgflow demo: every run completed")

    # The database holds what the demo printed.
    statuses = dict(
        _all(
            dsn,
            "SELECT flow_slug || ':' || (input ->> 'name'), status FROM pgflow.runs WHERE flow_slug = 'vip_routing'",
        )
    )
    assert statuses == {"vip_routing:Ada": "completed", "vip_routing:Bob": "completed"}
    skipped = _all(
        dsn,
        "SELECT r.input ->> 'name', ss.step_slug FROM pgflow.step_states AS ss JOIN pgflow.runs AS r USING (run_id) "
        "WHERE ss.status = 'skipped' AND r.flow_slug = 'vip_routing' ORDER BY 1",
    )
    assert skipped == [("Ada", "normal_step"), ("Bob", "special_vip_step")]
    # The schedule deployed with flaky_quote started the run of its next slot (a weekday, 09:00 UTC), once.
    assert "weekday_quote (schedule)" in out and "of cron '0 9 * * 1-5'" in out
    scheduled = _all(
        dsn,
        "SELECT status, extract(isodow FROM scheduled_for AT TIME ZONE 'UTC') BETWEEN 1 AND 5, "
        "to_char(scheduled_for AT TIME ZONE 'UTC', 'HH24:MI') FROM pgflow.runs WHERE schedule_name = 'weekday_quote'",
    )
    assert scheduled == [("completed", True, "09:00")]
    # The subflow example mapped enrich_customer over three customers, one child run each.
    children = _all(
        dsn,
        "SELECT c.input ->> 'name', c.status FROM pgflow.runs AS c JOIN pgflow.runs AS p ON p.run_id = c.parent_run_id "
        "WHERE p.flow_slug = 'customer_report' ORDER BY c.parent_task_index",
    )
    assert children == [("Ada", "completed"), ("Bob", "completed"), ("Cy", "completed")]
    # The documents waited for their reviewers' signals: one published, one archived.
    assert "approval           started     waiting for a signal (send_signal)" in out
    documents = _all(
        dsn,
        "SELECT r.input ->> 'title', r.status, r.output FROM pgflow.runs AS r "
        "WHERE r.flow_slug = 'document_approval' ORDER BY 1",
    )
    assert documents == [
        ("Release notes", "completed", {"publish": "published 'Release notes' (approved by Grace)"}),
        ("Rewrite it all", "completed", {"archive": "archived 'Rewrite it all' (rejected by Linus)"}),
    ]
    assert (
        _one(
            dsn,
            "SELECT max(attempt) FROM pgflow.step_tasks WHERE step_slug = 'fetch_quote'",
        )
        == 2
    )
    wait_until(
        lambda: _one(dsn, "SELECT count(*) FROM pgflow.runs WHERE status <> 'completed'") == 0,
        timeout=1,
    )


def _all(dsn: str, statement: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute(statement.encode()).fetchall()


# -- pg_cron (only where it is installed and preloaded) -------------------------------------


def test_prune_can_be_scheduled_with_pg_cron(dsn: str) -> None:
    with psycopg.connect(dsn_for("postgres"), autocommit=True) as admin:
        available = admin.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron'").fetchone()
        preloaded = admin.execute("SELECT current_setting('shared_preload_libraries') ~ 'pg_cron'").fetchone()
        if available is None or preloaded is None or not preloaded[0]:
            pytest.skip("pg_cron is not installed and preloaded (Debian: postgresql-15-cron)")
        cron_db = admin.execute("SELECT current_setting('cron.database_name')").fetchone()
    assert cron_db is not None
    dbname = psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]
    command = "SELECT pgflow.prune(older_than => interval '30 days')"
    with psycopg.connect(dsn_for(cron_db[0]), autocommit=True) as cron:
        cron.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
        job = cron.execute(
            "SELECT cron.schedule_in_database('pgflow-prune-pytest', '17 3 * * *', %s, %s)", (command, dbname)
        ).fetchone()
        assert job is not None
        try:
            stored = cron.execute("SELECT command, database FROM cron.job WHERE jobid = %s", (job[0],)).fetchone()
            assert stored == (command, dbname)
        finally:
            cron.execute("SELECT cron.unschedule(%s)", (job[0],))
    assert _one(dsn, command) == 0  # what the job runs works in that database
