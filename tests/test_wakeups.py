"""Wake-ups: completions notify listeners unless every live registered worker is busy."""

from __future__ import annotations

from typing import Any

import psycopg


def _define_and_start(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        """SELECT pgflow.define_flow('{"slug": "w", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}')"""
    )
    conn.execute("SELECT pgflow.start_flow(flow_slug => 'w')")
    conn.execute("SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'sql')")


def _notified_after_completion(dsn: str, conn: psycopg.Connection[Any]) -> list[str]:
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN pgflow_tasks")
        conn.execute(
            "SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1', attempt => 1)"
            " FROM pgflow.step_tasks WHERE step_slug = 'a'"
        )
        return [n.payload for n in listener.notifies(timeout=0.5, stop_after=1)]


def test_listeners_are_woken_when_no_worker_is_registered(dsn: str, conn: psycopg.Connection[Any]) -> None:
    _define_and_start(conn)
    assert _notified_after_completion(dsn, conn) == ["w"]


def test_no_wake_up_while_every_registered_worker_is_busy(dsn: str, conn: psycopg.Connection[Any]) -> None:
    _define_and_start(conn)
    conn.execute("SELECT pgflow.worker_heartbeat(worker_id => 'busy', step_keys => ARRAY['w/1/a'], idle => false)")
    assert _notified_after_completion(dsn, conn) == []


def test_an_idle_worker_is_woken(dsn: str, conn: psycopg.Connection[Any]) -> None:
    _define_and_start(conn)
    conn.execute("SELECT pgflow.worker_heartbeat(worker_id => 'busy', step_keys => ARRAY['w/1/a'], idle => false)")
    conn.execute("SELECT pgflow.worker_heartbeat(worker_id => 'idle', step_keys => ARRAY['w/1/b'], idle => true)")
    assert _notified_after_completion(dsn, conn) == ["w"]


def test_signed_off_and_silent_workers_do_not_count(dsn: str, conn: psycopg.Connection[Any]) -> None:
    _define_and_start(conn)
    conn.execute("SELECT pgflow.worker_heartbeat(worker_id => 'gone', step_keys => '{}', idle => false)")
    conn.execute("SELECT pgflow.worker_heartbeat(worker_id => 'silent', step_keys => ARRAY['w/1/b'], idle => false)")
    conn.execute("UPDATE pgflow.workers SET last_seen_at = now() - interval '1 minute' WHERE worker_id = 'silent'")
    assert _notified_after_completion(dsn, conn) == ["w"]


def test_a_woken_worker_is_not_woken_again_until_its_claim_leaves_it_room(
    dsn: str, conn: psycopg.Connection[Any]
) -> None:
    conn.execute(
        """SELECT pgflow.define_flow('{"slug": "w", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}')"""
    )
    conn.execute("SELECT pgflow.worker_heartbeat(worker_id => 'idle', step_keys => ARRAY['w/1/b'], idle => true)")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN pgflow_tasks")
        conn.execute("SELECT pgflow.start_flow(flow_slug => 'w')")
        assert [n.payload for n in listener.notifies(timeout=0.5, stop_after=1)] == ["w"]
        conn.execute("SELECT pgflow.start_flow(flow_slug => 'w')")
        assert [n.payload for n in listener.notifies(timeout=0.3, stop_after=1)] == [], "a wake-up is pending"
        # The woken worker claims and is left with room: it wants the next wake-up.
        conn.execute("SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'idle', max_tasks => 10)")
        conn.execute("SELECT pgflow.start_flow(flow_slug => 'w')")
        assert [n.payload for n in listener.notifies(timeout=0.5, stop_after=1)] == ["w"]


def test_run_ends_are_notified_to_watchers_only(dsn: str, conn: psycopg.Connection[Any]) -> None:
    conn.execute("""SELECT pgflow.define_flow('{"slug": "w", "steps": [{"slug": "a"}]}')""")
    unwatched, watched = (
        row[0] for row in conn.execute("SELECT run_id FROM pgflow.start_flows(flow_slug => 'w', inputs => '[{}, {}]')")
    )
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN pgflow_runs")
        listener.execute("SELECT pgflow.watch_run(run_id => %s)", (watched,))
        conn.execute("SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'sql', max_tasks => 2)")
        for run_id in (unwatched, watched):
            conn.execute(
                "SELECT pgflow.complete_task(run_id => %s, step_slug => 'a', output => '1')",
                (run_id,),
            )
        assert [n.payload for n in listener.notifies(timeout=0.5, stop_after=2)] == [str(watched)]
