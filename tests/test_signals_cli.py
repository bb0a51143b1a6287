"""`pgflow signal` and what `pgflow status` says of a signal step: one line per mistake, exit codes per DESIGN.md."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from conftest import pgflow_cli

from pgflow import deploy, start_flow
from pgflow.examples import approval


def waiting_run(conn: psycopg.Connection[Any]) -> str:
    """A run of the approval example whose draft is done: its approval step waits for a signal."""
    deploy(conn, approval.flow)
    run = start_flow(conn, approval.flow, {"title": "Notes", "author": "Ada"})
    (task,) = conn.execute("SELECT run_id, step_slug FROM pgflow.claim_tasks('cli-test')").fetchall()
    conn.execute(
        "SELECT pgflow.complete_task(%s, %s, %s)", [task[0], task[1], json.dumps({"title": "Notes", "text": "t"})]
    )
    return str(run.run_id)


def test_status_says_what_the_run_waits_for(dsn: str, conn: psycopg.Connection[Any]) -> None:
    run_id = waiting_run(conn)
    result = pgflow_cli(dsn, "status", run_id)
    assert result.returncode == 0, result.stderr
    assert "approval: waiting for signal approval since " in result.stdout
    assert ", deadline " in result.stdout
    document = json.loads(pgflow_cli(dsn, "status", run_id, "--json").stdout)
    (step,) = [s for s in document["steps"] if s["step_slug"] == "approval"]
    assert step["signal"] is True and step["signal_deadline"] is not None
    assert step["waiting"].startswith("waiting for signal approval since ")


def test_pgflow_signal_delivers_the_payload(dsn: str, conn: psycopg.Connection[Any]) -> None:
    run_id = waiting_run(conn)
    payload = '{"approved": true, "reviewer": "Grace"}'
    result = pgflow_cli(dsn, "signal", run_id, "approval", "--payload", payload)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == f'signal "approval" delivered: step "approval" of run {run_id} is completed'
    assert conn.execute("SELECT status FROM pgflow.step_states WHERE step_slug = 'publish'").fetchone() == ("started",)
    again = pgflow_cli(dsn, "signal", run_id, "approval", "--payload", payload)
    assert again.returncode == 0
    assert "a signal was received first, and the first one wins" in again.stderr


def test_pgflow_signal_checks_the_payload_against_the_flow_in_code(dsn: str, conn: psycopg.Connection[Any]) -> None:
    run_id = waiting_run(conn)
    result = pgflow_cli(
        dsn, "signal", run_id, "approval", "--payload", '{"approved": 1}', "--flow", "pgflow.examples.approval:flow"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith('pgflow signal: the payload of signal "approval"')
    assert conn.execute("SELECT count(*) FROM pgflow.signals").fetchone() == (0,)


def test_pgflow_signal_mistakes_are_one_line_with_exit_2(dsn: str, conn: psycopg.Connection[Any]) -> None:
    run_id = waiting_run(conn)
    cases = {
        ("00000000-0000-0000-0000-000000000009", "approval", "--payload", "1"): "does not exist",
        (run_id, "draft", "--payload", "1"): 'step "draft" of flow "document_approval" is not a signal step',
        (run_id, "aproval"): 'signal steps of flow "document_approval" version 1: approval',
        (run_id, "approval", "--payload", "{nope"): "--payload is not valid JSON",
        ("not-a-uuid", "approval"): "",
    }
    for args, expected in cases.items():
        result = pgflow_cli(dsn, "signal", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and "CONTEXT" not in result.stderr, result.stderr
        assert expected in result.stderr, (args, result.stderr)
