"""The worker survives anything a handler does (issue 10): each fault against a real worker process."""

from __future__ import annotations

import re
import time
from typing import Any

import hostile_flows
import psycopg
import sample_flows
from conftest import wait_until
from psycopg import sql
from worker_processes import attempts, task_states, worker_process

from pgflow import deploy, start_flow, start_flows, wait_for_run
from pgflow.worker import connections_per_worker


def test_a_hung_sync_handler_costs_its_own_slot_only(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, hostile_flows.hung)
    with worker_process(dsn, "hostile_flows:hung", "--concurrency", "3") as worker:
        hanging = [start_flow(conn, hostile_flows.hung, {"what": "hang"}) for _ in range(2)]
        wait_until(lambda: all(task_states(conn, run.run_id)[0][2] == "started" for run in hanging))
        quick = [start_flow(conn, hostile_flows.hung, {"what": f"quick {i}"}) for i in range(6)]
        finished = [wait_for_run(dsn, run.run_id, timeout=20) for run in quick]
        hung_runs = [wait_for_run(dsn, run.run_id, timeout=10) for run in hanging]
        assert worker.alive
    # Every quick run got a thread when it was claimed and ran (one attempt each), one after the other on
    # the slot the hung ones left: none was claimed to wait for a thread while its timeout ran.
    assert [(run.status, run.output) for run in finished] == [
        ("completed", {"sleeper": f"done: quick {i}"}) for i in range(6)
    ], worker.log
    assert all(task_states(conn, run.run_id)[0][2:] == ("completed", 1) for run in quick)
    for run in hung_runs:
        assert run.status == "failed"
        [(_, _, _, error_type, message)] = attempts(conn, run.run_id)
        assert (error_type, message) == (
            "TimeoutError",
            "the handler ran longer than the step's timeout (2 s)",
        )
    stuck = [line for line in worker.log.splitlines() if " WARNING " in line and "is stuck" in line]
    assert len(stuck) == 2, worker.log
    assert "sync handler (its thread cannot be interrupted) hostile_flows.sleeper is stuck" in stuck[0]


def test_a_stuck_handler_gives_its_slot_back_when_it_returns(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, hostile_flows.hung)
    with worker_process(dsn, "hostile_flows:hung", "--concurrency", "1") as worker:
        napping = start_flow(conn, hostile_flows.hung, {"what": "nap"})  # 3.5 s, past its 2 s timeout
        wait_until(lambda: task_states(conn, napping.run_id)[0][2] == "started")
        quick = start_flow(conn, hostile_flows.hung, {"what": "quick"})
        assert wait_for_run(dsn, napping.run_id, timeout=10).status == "failed"
        time.sleep(0.5)
        assert task_states(conn, quick.run_id)[0][2] == "queued"  # the only slot is still the napper's
        finished = wait_for_run(dsn, quick.run_id, timeout=10)
    assert finished.status == "completed" and task_states(conn, quick.run_id)[0][2:] == ("completed", 1)
    assert "the stuck handler hostile_flows.sleeper returned" in worker.log, worker.log


def test_an_output_that_cannot_be_stored_fails_its_attempt_and_frees_its_slot(
    dsn: str, conn: psycopg.Connection[Any]
) -> None:
    deploy(conn, hostile_flows.huge)
    with worker_process(dsn, "hostile_flows:huge", "--concurrency", "1") as worker:
        bad = start_flow(conn, hostile_flows.huge, {"what": "huge"})
        failed = wait_for_run(dsn, bad.run_id, timeout=10)
        exiting = start_flow(conn, hostile_flows.huge, {"what": "exiting"})
        assert wait_for_run(dsn, exiting.run_id, timeout=10).status == "failed"
        # The only slot is free again: the next run is claimed and completes.
        good = start_flow(conn, hostile_flows.huge, {"what": "small"})
        completed = wait_for_run(dsn, good.run_id, timeout=10)
        assert worker.alive
    assert failed.status == "failed"
    [(_, _, attempt, error_type, message)] = attempts(conn, bad.run_id)
    assert (attempt, error_type) == (1, "ValueError")
    assert message.startswith("cannot report the handler's output: Exceeds the limit (4300 digits)"), message
    assert [(a[3], a[4]) for a in attempts(conn, exiting.run_id)] == [
        ("SystemExit", "cannot report the handler's output: serializing this output exits")
    ]
    assert completed.status == "completed" and completed.output == {"number": 7}


def test_one_unstorable_output_in_a_batch_does_not_stop_the_others(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, hostile_flows.batch)
    runs = start_flows(
        conn,
        hostile_flows.batch,
        [{"what": "huge" if i == 3 else f"item {i}"} for i in range(10)],
    )
    with worker_process(dsn, "hostile_flows:batch", "--concurrency", "10") as worker:
        finished = [wait_for_run(dsn, run.run_id, timeout=10) for run in runs]
        assert worker.alive
    assert [run.status for run in finished] == ["failed" if i == 3 else "completed" for i in range(10)], worker.log
    assert [run.output for run in finished if run.status == "completed"] == [
        {"encode": f"item {i}"} for i in range(10) if i != 3
    ]
    [(_, _, _, error_type, message)] = attempts(conn, runs[3].run_id)
    assert error_type == "ValueError" and "Exceeds the limit (4300 digits)" in message


def test_a_run_input_too_deep_for_json_fails_its_task_and_the_worker_keeps_running(
    dsn: str, conn: psycopg.Connection[Any]
) -> None:
    deploy(conn, hostile_flows.deep)
    nested = '{"a": ' * 5000 + "1" + "}" * 5000  # the database accepts it; json.loads cannot parse it
    [(run_id,)] = conn.execute(
        "SELECT r.run_id FROM pgflow.start_flow(flow_slug => 'deep', input => %s::jsonb) AS r",
        (nested,),
    ).fetchall()
    with worker_process(dsn, "hostile_flows:deep", "--concurrency", "1") as worker:
        # (Polled in SQL: the client's own json.loads could not read this run's input either.)
        wait_until(
            lambda: (
                conn.execute("SELECT status FROM pgflow.runs WHERE run_id = %s", (run_id,)).fetchone() == ("failed",)
            )
        )
        shallow = start_flow(conn, hostile_flows.deep, {"shallow": True})
        completed = wait_for_run(dsn, shallow.run_id, timeout=10)
        assert worker.alive, worker.log
    [(_, _, _, error_type, message)] = attempts(conn, run_id)
    assert error_type == "RecursionError"
    assert message.startswith("cannot build the handler's arguments: maximum recursion depth exceeded"), message
    assert completed.output == {"look": "looked"}


def test_keyboard_interrupt_or_system_exit_in_an_async_handler_fails_only_its_attempt(
    dsn: str, conn: psycopg.Connection[Any]
) -> None:
    deploy(conn, hostile_flows.exits)
    with worker_process(dsn, "hostile_flows:exits", "--concurrency", "4") as worker:
        steady = start_flow(conn, hostile_flows.exits, {"what": "steady"})
        wait_until(lambda: task_states(conn, steady.run_id)[0][2] == "started")
        interrupted = start_flow(conn, hostile_flows.exits, {"what": "interrupt"})
        exited = start_flow(conn, hostile_flows.exits, {"what": "exit"})
        results = [wait_for_run(dsn, run.run_id, timeout=10) for run in (interrupted, exited, steady)]
        assert worker.alive, worker.log
    assert [run.status for run in results] == ["failed", "failed", "completed"], worker.log
    assert [a[3] for a in attempts(conn, interrupted.run_id)] == ["KeyboardInterrupt"]
    assert [(a[3], a[4]) for a in attempts(conn, exited.run_id)] == [("SystemExit", "3")]
    assert task_states(conn, steady.run_id) == [("leave", 0, "completed", 1)]  # the task in flight kept its attempt


def test_an_exception_whose_str_raises_is_reported_with_its_type(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, hostile_flows.unprintable)
    with worker_process(dsn, "hostile_flows:unprintable") as worker:
        began = time.monotonic()
        run = start_flow(conn, hostile_flows.unprintable)
        finished = wait_for_run(dsn, run.run_id, timeout=10)
        assert time.monotonic() - began < 10 and worker.alive  # reported at once, not when the lease expired
    assert finished.status == "failed"
    [(_, _, _, error_type, message)] = attempts(conn, run.run_id)
    assert error_type == "hostile_flows.Unprintable"
    assert message == "<str() of the exception raised RuntimeError>"


def test_an_async_handler_raising_cancelled_error_is_reported_as_a_failed_attempt(
    dsn: str, conn: psycopg.Connection[Any]
) -> None:
    deploy(conn, hostile_flows.exits)
    with worker_process(dsn, "hostile_flows:exits") as worker:
        began = time.monotonic()
        run = start_flow(conn, hostile_flows.exits, {"what": "cancel"})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
        assert time.monotonic() - began < 10 and worker.alive  # the lease (30 s) did not have to expire
    assert finished.status == "failed"
    assert [(a[3], a[4]) for a in attempts(conn, run.run_id)] == [
        ("asyncio.exceptions.CancelledError", "the handler cancelled itself")
    ]


def test_an_error_message_with_a_nul_character_is_reported(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, hostile_flows.exits)
    with worker_process(dsn, "hostile_flows:exits") as worker:
        run = start_flow(conn, hostile_flows.exits, {"what": "nul"})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
        assert worker.alive
    assert finished.status == "failed"
    assert [(a[3], a[4]) for a in attempts(conn, run.run_id)] == [("ValueError", "a NUL \\x00 inside")]


def test_a_worker_that_cannot_connect_at_start_fails_fast_with_one_line(
    dsn: str, conn: psycopg.Connection[Any]
) -> None:
    database = sql.Identifier(conn.info.dbname)
    with psycopg.connect(dsn.replace(conn.info.dbname, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(database))
        try:
            began = time.monotonic()
            with worker_process(dsn, "hostile_flows:huge") as worker:
                worker.process.wait(timeout=15)
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))
    assert worker.process.returncode == 2
    assert time.monotonic() - began < 10
    [line] = worker.log.splitlines()  # one line, no traceback, no "serving flows"
    assert line.startswith("pgflow worker: worker ") and ": cannot connect to the database: " in line
    assert "not currently accepting connections" in worker.log and "check --dsn or PGFLOW_DSN" in worker.log


def test_a_worker_that_loses_its_database_waits_quietly_then_works(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy(conn, hostile_flows.huge)
    database = sql.Identifier(conn.info.dbname)
    with psycopg.connect(dsn.replace(conn.info.dbname, "postgres"), autocommit=True) as admin:
        try:
            with worker_process(dsn, "hostile_flows:huge", "--concurrency", "2") as worker:
                wait_until(lambda: conn.execute("SELECT count(*) FROM pgflow.workers").fetchone() == (1,))
                admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(database))
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND application_name LIKE 'pgflow-worker-%%'",
                    (conn.info.dbname,),
                )
                run = start_flow(conn, hostile_flows.huge, {"what": "small"})
                time.sleep(4)  # refused: every piece retries, with bounded backoff
                assert worker.alive
                admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))
                finished = wait_for_run(dsn, run.run_id, timeout=20)
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))
    assert finished.status == "completed"
    lines = worker.log.splitlines()
    complaints = [line for line in lines if re.search(r" (WARNING|ERROR) ", line)]
    assert len(complaints) == 1, worker.log  # one line for the outage, no pool warning per attempt
    assert "cannot reach the database" in complaints[0]
    assert not [line for line in lines if "psycopg.pool" in line or "Traceback" in line], worker.log
    assert any("the database is reachable again" in line for line in lines), worker.log


def test_a_worker_holds_at_most_its_documented_connections(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any
) -> None:
    assert [connections_per_worker(c) for c in (1, 2, 4, 10, 100)] == [4, 5, 7, 7, 7]  # min(c, 4) + 3
    flow = sample_flows.fan
    deploy(conn, flow)
    seen: list[int] = []
    with worker_factory([flow], concurrency=20) as worker:
        assert worker.connections == 7
        run = start_flow(conn, flow, {"numbers": list(range(40)), "factor": 2})
        while not finished_yet(conn, run.run_id):
            [(count,)] = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name LIKE 'pgflow-worker-%%'"
            ).fetchall()
            seen.append(count)
            time.sleep(0.02)
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    assert 2 <= max(seen) <= 7, seen  # the pool (claims, reports, leases, run input) and the LISTEN connection


def finished_yet(conn: psycopg.Connection[Any], run_id: Any) -> bool:
    return conn.execute("SELECT status <> 'started' FROM pgflow.runs WHERE run_id = %s", (run_id,)).fetchone() == (
        True,
    )
