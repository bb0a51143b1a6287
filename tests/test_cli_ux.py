"""The command line speaks clearly: one line per mistake, documented exit codes, JSON, terminal-only tables."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import ux_flows
from conftest import TESTS_DIR, pgflow_cli, subprocess_env, wait_until

from pgflow import deploy, start_flow, wait_for_run

NOT_A_TRACEBACK = ("Traceback", "CONTEXT", "LINE ", 'File "')


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr (and nothing else that looks like insides)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert not any(marker in result.stderr for marker in NOT_A_TRACEBACK), result.stderr
    return lines[0]


def with_modules(tmp_path: Path, **modules: str) -> dict[str, Any]:
    for name, source in modules.items():
        (tmp_path / f"{name}.py").write_text(source)
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}


def in_terminal(dsn: str, *args: str, **env: str) -> str:
    """The output of a command whose stdout is a terminal (a pty)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pgflow.cli", *args],
        env=subprocess_env(dsn, **env),
        cwd=TESTS_DIR,
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode().replace("\r\n", "\n")


# -- mistakes: one line, what to do, exit code 2 ---------------------------------------------


def test_start_wait_without_a_worker_says_what_the_run_waits_for_and_exits_1(
    dsn: str,
) -> None:
    assert pgflow_cli(dsn, "deploy", "ux_flows:quick").returncode == 0
    result = pgflow_cli(dsn, "start", "quick", "--wait", "1")
    assert result.returncode == 1
    line = one_line(result)
    run_id = result.stdout.strip()
    assert line == (
        f"pgflow start: run {run_id} is still running after 1 s (waiting for a worker that serves quick v1 step "
        "first); start a worker (`pgflow worker MODULE`) or wait longer"
    )


def test_a_module_with_a_syntax_error_is_one_line_naming_the_file_and_line(tmp_path: Path, dsn: str) -> None:
    env = with_modules(tmp_path, broken_syntax="x = 1\ndef f(:\n    pass\n")
    result = pgflow_cli(dsn, "worker", "broken_syntax", **env)
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("pgflow worker: cannot import 'broken_syntax': invalid syntax (")
    assert line.endswith(f"{tmp_path / 'broken_syntax.py'}, line 2); fix the module")


def test_a_module_that_raises_at_import_is_one_line_naming_the_error(tmp_path: Path, dsn: str) -> None:
    env = with_modules(tmp_path, raises_at_import="import os\nraise RuntimeError('no API key set')\n")
    result = pgflow_cli(dsn, "deploy", "raises_at_import:flow", **env)
    assert result.returncode == 2
    assert one_line(result) == (
        "pgflow deploy: cannot import 'raises_at_import': RuntimeError: no API key set "
        "(raises_at_import.py, line 2); fix the module"
    )


def test_a_missing_module_says_where_python_looks(dsn: str) -> None:
    result = pgflow_cli(dsn, "worker", "no_such_module")
    assert result.returncode == 2
    assert "no module named 'no_such_module' (run from the directory that holds it" in one_line(result)


def test_start_of_an_unknown_flow_is_one_line_with_the_hint(dsn: str) -> None:
    result = pgflow_cli(dsn, "start", "no_such_flow")
    assert result.returncode == 2
    assert one_line(result) == (
        'pgflow start: flow "no_such_flow" does not exist; hint: Define it first with pgflow.define_flow or '
        "pgflow.create_flow."
    )


@pytest.mark.parametrize("command", ["status", "retry", "cancel"])
def test_a_malformed_run_id_is_a_usage_error(dsn: str, command: str) -> None:
    result = pgflow_cli(dsn, command, "not-a-uuid")
    assert result.returncode == 2
    assert one_line(result) == (
        f"pgflow {command}: argument RUN_ID: 'not-a-uuid' is not a run id (a UUID, as `pgflow start` and "
        f"`pgflow runs` print) (see `pgflow {command} --help`)"
    )


def test_an_unknown_run_says_how_to_find_runs(dsn: str) -> None:
    run_id = uuid.uuid4()
    result = pgflow_cli(dsn, "status", str(run_id))
    assert result.returncode == 2
    assert one_line(result) == f"pgflow status: run {run_id} does not exist (`pgflow runs` lists recent runs)"


def test_a_database_without_pgflow_says_to_run_pgflow_install(empty_dsn: str) -> None:
    for command in (["runs"], ["flows"], ["workers"], ["start", "anything"]):
        result = pgflow_cli(empty_dsn, *command)
        assert result.returncode == 2
        line = one_line(result)
        assert "pgflow is not installed in this database" in line, line
        assert line.endswith("run `pgflow install` (with the same --dsn)")


def test_a_wrong_dsn_is_one_line_saying_to_check_it(dsn: str) -> None:
    wrong = psycopg.conninfo.make_conninfo(dsn, dbname="pgflow_no_such_database")
    for command in (["runs"], ["worker", "ux_flows:quick"]):
        result = pgflow_cli(wrong, *command)
        assert result.returncode == 2
        line = one_line(result)
        assert "cannot connect to the database: " in line and 'database "pgflow_no_such_database"' in line
        assert line.endswith("(check --dsn or PGFLOW_DSN)")


def test_runs_of_an_unknown_flow_says_it_does_not_exist(dsn: str) -> None:
    assert pgflow_cli(dsn, "deploy", "ux_flows:quick").returncode == 0
    result = pgflow_cli(dsn, "runs", "--flow", "nosuchflow")
    assert result.returncode == 2
    assert one_line(result) == 'pgflow runs: flow "nosuchflow" does not exist; deployed flows: quick'


def test_start_checks_the_input_against_the_flows_input_type(dsn: str) -> None:
    assert pgflow_cli(dsn, "deploy", "ux_flows:greet").returncode == 0
    missing = pgflow_cli(dsn, "start", "ux_flows:greet", "--input", '{"name": "Ada"}')
    assert missing.returncode == 2
    assert one_line(missing) == 'pgflow start: --input lacks "times" (Greeting); flow "greet" takes Greeting'
    mistyped = pgflow_cli(dsn, "start", "ux_flows:greet", "--input", '{"name": "Ada", "times": "2"}')
    assert mistyped.returncode == 2
    assert one_line(mistyped) == (
        'pgflow start: --input["times"] must be int, not a string ("2"); flow "greet" takes Greeting'
    )
    good = pgflow_cli(dsn, "start", "ux_flows:greet", "--input", '{"name": "Ada", "times": 2}')
    assert good.returncode == 0, good.stderr
    uuid.UUID(good.stdout.strip())


def test_help_documents_the_exit_codes_and_version(dsn: str) -> None:
    for args in (["--help"], ["start", "--help"], ["runs", "--help"]):
        text = " ".join(pgflow_cli(dsn, *args).stdout.split())
        assert (
            "Exit codes: 0 ok; 1 a run failed" in text and "2 a usage, flow definition or database connection" in text
        )
    version = pgflow_cli(dsn, "--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"pgflow {__import__('importlib.metadata').metadata.version('pgflow-engine')}"


# -- output ------------------------------------------------------------------------------


def test_runs_status_flows_and_workers_print_json(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    deploy(conn, ux_flows.quick)
    with worker_factory([ux_flows.quick], worker_id="json-worker"):
        run = start_flow(conn, ux_flows.quick)
        wait_for_run(conn, run.run_id, timeout=10)
        workers = json.loads(pgflow_cli(dsn, "workers", "--json").stdout)
    assert [(w["worker_id"], w["live"]) for w in workers] == [("json-worker", True)]
    runs = json.loads(pgflow_cli(dsn, "runs", "--json").stdout)
    assert [(r["run_id"], r["flow_slug"], r["status"], r["output"]) for r in runs] == [
        (str(run.run_id), "quick", "completed", {"second": 2})
    ]
    status = json.loads(pgflow_cli(dsn, "status", str(run.run_id), "--json").stdout)
    assert status["run"]["status"] == "completed"
    assert [(s["step_slug"], s["status"], s["output"]) for s in status["steps"]] == [
        ("first", "completed", 1),
        ("second", "completed", 2),
    ]
    flows = json.loads(pgflow_cli(dsn, "flows", "--json").stdout)
    assert [(f["flow_slug"], f["latest_version"], f["steps"], f["runs"]) for f in flows] == [("quick", 1, 2, 1)]


def test_tables_and_colour_only_on_a_terminal(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, ux_flows.quick)
    run = start_flow(conn, ux_flows.quick)
    piped = pgflow_cli(dsn, "runs").stdout.splitlines()
    assert piped[0].split("\t") == [
        "run_id",
        "flow",
        "status",
        "started",
        "duration",
        "error",
    ]
    assert piped[1].split("\t")[:3] == [str(run.run_id), "quick v1", "started"] and "\033[" not in piped[1]
    terminal = in_terminal(dsn, "runs").splitlines()
    assert terminal[0].split() == [
        "run_id",
        "flow",
        "status",
        "started",
        "duration",
        "error",
    ]
    assert set(terminal[1].replace(" ", "")) == {"-"}
    assert "\033[33mstarted" in terminal[2]  # yellow
    plain = in_terminal(dsn, "runs", NO_COLOR="1").splitlines()
    assert "\033[" not in "".join(plain) and plain[2].split()[:4] == [
        str(run.run_id),
        "quick",
        "v1",
        "started",
    ]


def test_status_watch_follows_a_run_until_it_finishes(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    deploy(conn, ux_flows.quick)
    run = start_flow(conn, ux_flows.quick)
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pgflow.cli",
            "status",
            str(run.run_id),
            "--watch",
            "0.1",
        ],
        env=subprocess_env(dsn),
        cwd=TESTS_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The first frame, before any worker runs (however slowly the watcher starts on a busy machine).
    assert watcher.stdout is not None
    first_frame: list[str] = []
    while not any("waiting for a worker" in line for line in first_frame):
        line = watcher.stdout.readline()
        assert line, f"the watcher ended before its first frame: {''.join(first_frame)}"
        first_frame.append(line)
    assert watcher.poll() is None  # still watching: no worker yet
    with worker_factory([ux_flows.quick]):
        out, err = watcher.communicate(timeout=15)
    out = "".join(first_frame) + out
    assert watcher.returncode == 0, err
    frames = out.split("\n\n" + f"run {run.run_id}")
    assert "waiting for a worker that serves quick v1 step first" in frames[0]
    assert f"run {run.run_id}  flow quick v1  completed" in out.rsplit("\n\nrun ", 1)[-1] or "completed" in frames[-1]
    assert len(frames) >= 2  # redrawn when it changed


def test_status_watch_exits_1_when_the_run_fails(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    deploy(conn, ux_flows.once)
    run = start_flow(conn, ux_flows.once)
    with worker_factory([ux_flows.once]):
        wait_for_run(conn, run.run_id, timeout=10)
    result = pgflow_cli(dsn, "status", str(run.run_id), "--watch", "0.1")
    assert result.returncode == 1
    assert "fail_once: attempt 1 failed: ValueError: no attempts left" in result.stdout


def test_status_says_delayed_until(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, ux_flows.later)
    run = start_flow(conn, ux_flows.later)
    row = conn.execute("SELECT available_at FROM pgflow.step_tasks WHERE run_id = %s", (run.run_id,)).fetchone()
    assert row is not None
    available_at: datetime = row[0]
    status = pgflow_cli(dsn, "status", str(run.run_id))
    shown = f"delayed until {available_at.astimezone():%Y-%m-%d %H:%M:%S}"
    assert status.stdout.splitlines()[2].split("\t")[:2] == ["eventually", shown]
    assert f"eventually: {shown}" in status.stdout
    assert "waiting for a worker" not in status.stdout  # not claimable yet: nobody is missing


def test_status_says_retry_in_with_the_attempt(dsn: str, conn: psycopg.Connection[Any], worker_factory: Any) -> None:
    deploy(conn, ux_flows.always_fails)
    run = start_flow(conn, ux_flows.always_fails)
    with worker_factory([ux_flows.always_fails]):
        wait_until(lambda: conn.execute("SELECT count(*) FROM pgflow.task_attempts").fetchone() == (1,))
    status = pgflow_cli(dsn, "status", str(run.run_id)).stdout
    lines = status.splitlines()
    row = lines[2].split("\t")
    assert row[0] == "broken" and row[1] in {
        "retry in 30 s (attempt 2 of 2)",
        "retry in 29 s (attempt 2 of 2)",
    }
    assert lines[-2] == "broken: attempt 1 failed: ValueError: the service said no"
    assert lines[-1] == f"broken: {row[1]}"


def test_status_notes_are_in_time_order(dsn: str, conn: psycopg.Connection[Any]) -> None:
    definition = {"slug": "ordered", "steps": [{"slug": "b"}, {"slug": "a"}], "max_attempts": 2, "base_delay": 0}
    conn.execute("SELECT pgflow.define_flow(definition => %s::jsonb)", (json.dumps(definition),))
    row = conn.execute("SELECT run_id FROM pgflow.start_flow(flow_slug => 'ordered')").fetchone()
    assert row is not None
    run_id = row[0]
    # a fails, then b, then a again (for good): the table lists b first, the notes follow the clock.
    for step, attempt in (("a", 1), ("b", 1), ("a", 2)):
        conn.execute("SELECT pgflow.claim_tasks(worker_id => 'w', max_tasks => 5, flow_slugs => '{ordered}')")
        conn.execute(
            "SELECT pgflow.fail_task(run_id => %s, step_slug => %s, error_message => %s, attempt => %s)",
            (run_id, step, f"{step} broke ({attempt})", attempt),
        )
    lines = pgflow_cli(dsn, "status", str(run_id)).stdout.splitlines()
    notes = lines[lines.index("") + 1 :]
    assert notes[:3] == [
        "a: attempt 1 failed: a broke (1)",
        "b: attempt 1 failed: b broke (1)",
        "a: attempt 2 failed: a broke (2)",
    ]
    assert notes[3].startswith('a: error: task 0 of step "a" failed after 2 attempts')


# -- deploy ------------------------------------------------------------------------------


def test_deploy_says_created_unchanged_tunables_updated_or_new_version(
    dsn: str,
) -> None:
    first = pgflow_cli(dsn, "deploy", "ux_flows:greet")
    assert first.stdout.strip() == 'flow "greet": version 1 created'
    again = pgflow_cli(dsn, "deploy", "ux_flows:greet")
    assert again.stdout.strip() == 'flow "greet": unchanged (version 1)'
    tuned = pgflow_cli(dsn, "deploy", "ux_flows:greet_tuned")
    assert tuned.stdout.strip().startswith('flow "greet": version 1, tunables updated (')
    assert "max_attempts" in tuned.stdout
    reshaped = pgflow_cli(dsn, "deploy", "ux_flows:greet_reshaped")
    assert reshaped.stdout.strip() == 'flow "greet": version 2 created'
