"""The `pgflow` command line, run as a subprocess like a user would."""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import sample_flows
from conftest import pgflow_cli
from psycopg.types.json import Jsonb

from pgflow import wait_for_run
from pgflow.dsl import normalize_definition
from pgflow.examples import fan_out, parallel_analysis


def test_help_is_available_for_every_command(dsn: str) -> None:
    for command in ["", "compile", "deploy", "check", "worker", "start", "status", "runs", "graph"]:
        result = pgflow_cli(dsn, *([command] if command else []), "--help")
        assert result.returncode == 0, result.stderr
        assert "usage: pgflow" in result.stdout


def test_compile_prints_sql_that_defines_the_flow(dsn: str, conn: psycopg.Connection[Any]) -> None:
    result = pgflow_cli(dsn, "compile", "pgflow.examples.fan_out:flow")
    assert result.returncode == 0, result.stderr
    assert fan_out.flow.to_sql() in result.stdout
    conn.execute(result.stdout.encode())  # a migration tool would run exactly this
    stored = conn.execute("SELECT pgflow.flow_definition(flow_slug => 'fan_out_items')").fetchone()
    assert stored is not None
    assert normalize_definition(stored[0]) == normalize_definition(fan_out.flow.definition())


def test_compile_output_survives_quotes_and_backslashes(dsn: str, conn: psycopg.Connection[Any]) -> None:
    from pgflow import Flow

    flow = Flow("quoting")

    @flow.step(run_if={"run": {"name": 'O\'Brien \\ "x" é'}})
    def greet(run: dict[str, str]) -> None: ...

    conn.execute(flow.to_sql().encode())
    stored = conn.execute(
        "SELECT pgflow.flow_definition(flow_slug => 'quoting') -> 'steps' -> 0 -> 'run_if'"
    ).fetchone()
    assert stored == ({"run": {"name": 'O\'Brien \\ "x" é'}},)


def test_deploy_then_check_is_clean(dsn: str) -> None:
    deployed = pgflow_cli(dsn, "deploy", "pgflow.examples.parallel_analysis:flow")
    assert deployed.returncode == 0, deployed.stderr
    assert 'flow "analyze_parallel": version 1 created' in deployed.stdout
    checked = pgflow_cli(dsn, "check", "pgflow.examples.parallel_analysis:flow")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "matches the code" in checked.stdout


def test_check_shows_drift_and_fails(dsn: str, conn: psycopg.Connection[Any]) -> None:
    drifted = parallel_analysis.flow.definition()
    drifted["timeout"] = 120
    drifted["steps"] = [s for s in drifted["steps"] if s["slug"] != "summary"]
    drifted["steps"][-1]["deps"] = ["sentiment"]
    conn.execute("SELECT pgflow.define_flow(definition => %s)", (Jsonb(drifted),))
    checked = pgflow_cli(dsn, "check", "pgflow.examples.parallel_analysis:flow")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert checked.stdout.splitlines() == [
        'flow "analyze_parallel": the database differs from the code:',
        "  flow timeout: database 120, code 60 (tunable)",
        '  step "summary": only in the code (shape)',
        '  step "combine" deps: database ["sentiment"], code ["sentiment", "summary"] (shape)',
        "  `pgflow deploy` would create a new version",
    ]


def test_check_of_a_flow_never_deployed_fails(dsn: str) -> None:
    checked = pgflow_cli(dsn, "check", "pgflow.examples.retry:flow")
    assert checked.returncode == 1
    assert 'flow "retry_division": not in the database' in checked.stdout


def test_a_definition_error_is_one_readable_line(dsn: str, tmp_path: Any) -> None:
    (tmp_path / "broken_flow.py").write_text(
        "from pgflow import Flow\n"
        "flow = Flow('broken')\n"
        "@flow.step\n"
        "def a() -> int:\n    return 1\n"
        "@flow.step\n"
        "def b(a: str) -> None: ...\n"
    )
    result = pgflow_cli(dsn, "compile", "broken_flow:flow", PYTHONPATH=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        'pgflow compile: step "b" of flow "broken": parameter "a" is annotated str, but step "a" returns int'
    )


def test_start_then_status_shows_the_steps(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    assert pgflow_cli(dsn, "deploy", "sample_flows:conditional").returncode == 0
    run_id = str(uuid.uuid4())
    started = pgflow_cli(
        dsn, "start", "conditional", "--input", json.dumps({"name": "Eve", "vip": True}), "--run-id", run_id
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == run_id
    with worker_factory([sample_flows.conditional]):
        wait_for_run(dsn, run_id, timeout=10)
    status = pgflow_cli(dsn, "status", run_id)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith(f"run {run_id}  flow conditional v1  completed")
    assert lines[1].split("\t") == ["step", "status", "attempts", "tasks", "duration", "after"]  # piped: TSV
    table = {cells[0]: (cells[1], cells[2], cells[5]) for cells in (line.split("\t") for line in lines[2:6])}
    assert table == {
        "vip_gift": ("completed", "1", ""),
        "upsell": ("skipped", "", ""),
        "after_upsell": ("skipped", "", "upsell"),
        "letter": ("completed", "1", "vip_gift"),
    }
    assert 'upsell: skipped: run_unless {"run": {"vip": true}} is met' in status.stdout
    assert 'after_upsell: skipped: upstream step "upsell" was skipped with skip-cascade' in status.stdout

    runs = pgflow_cli(dsn, "runs", "--flow", "conditional")
    assert runs.returncode == 0 and run_id in runs.stdout and "completed" in runs.stdout


def test_start_with_wait_prints_the_output(dsn: str, worker_factory: Any) -> None:
    assert pgflow_cli(dsn, "deploy", "pgflow.examples.retry:flow").returncode == 0
    from pgflow.examples import retry

    with worker_factory([retry.flow]):
        result = pgflow_cli(dsn, "start", "retry_division", "--input", '{"value": 4}', "--wait", "10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == 'completed: {"division_step": {"result": 25.0}}'


def test_status_of_a_failed_run_shows_the_error(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    assert pgflow_cli(dsn, "deploy", "sample_flows:too_slow").returncode == 0
    started = pgflow_cli(dsn, "start", "too_slow")
    run_id = started.stdout.strip()
    with worker_factory([sample_flows.too_slow]):
        wait_for_run(dsn, run_id, timeout=10)
    status = pgflow_cli(dsn, "status", run_id)
    assert "failed" in status.stdout.splitlines()[0]
    assert 'forever: error: task 0 of step "forever" failed after 1 attempt: the handler ran longer' in status.stdout
    assert "forever: attempt 1 failed: TimeoutError: the handler ran longer than the step's timeout" in status.stdout


def test_graph_prints_mermaid_from_the_database(dsn: str) -> None:
    assert pgflow_cli(dsn, "deploy", "pgflow.examples.fan_out:flow").returncode == 0
    graph = pgflow_cli(dsn, "graph", "fan_out_items")
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.splitlines()[0] == "flowchart TD"
    assert '  process_each_item[["process_each_item<br/>fan-out"]]' in graph.stdout
    assert "  split_items --> process_each_item" in graph.stdout
    missing = pgflow_cli(dsn, "graph", "nope")
    assert missing.returncode == 2 and 'flow "nope" does not exist' in missing.stderr
