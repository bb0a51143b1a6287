"""A claim lost in a crash or a failover (it committed asynchronously and never reached the
new primary) hands its attempt number out again. The lost claim's late completion must
not count as acknowledged, even when it finds the task completed under that attempt."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import psycopg_pool

from pgflow.store import AsyncStore


def _lose_the_claim(conn: psycopg.Connection[Any]) -> None:
    """What the new primary has of a claim that never reached it: the task as it was before."""
    conn.execute(
        "UPDATE pgflow.step_tasks SET status = 'queued', attempt = 0, worker_id = NULL, started_at = NULL,"
        " lease_token = NULL, available_at = now()"
    )


async def _late_report_of_a_lost_claim(dsn: str, conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    async with psycopg_pool.AsyncConnectionPool(dsn, kwargs={"autocommit": True}, open=False) as pool:
        store = AsyncStore(pool, dsn)
        [lost] = await store.claim_tasks("old-primary-worker", 1, ["lost"], None)
        _lose_the_claim(conn)
        [reissued] = await store.claim_tasks("new-primary-worker", 1, ["lost"], None)
        assert (reissued.attempt, lost.attempt) == (1, 1) and reissued.lease_token != lost.lease_token
        accepted = await store.complete_task(reissued, '"from the new claim"')
        late = await store.complete_task(lost, '"from the lost claim"')
        return lost, reissued, accepted, late


def test_a_late_completion_of_a_lost_claim_is_not_acknowledged(dsn: str, conn: psycopg.Connection[Any]) -> None:
    conn.execute("""SELECT pgflow.define_flow('{"slug": "lost", "steps": [{"slug": "a"}]}')""")
    run_id = conn.execute("SELECT run_id FROM pgflow.start_flow(flow_slug => 'lost')").fetchone()[0]  # type: ignore[index]
    lost, reissued, accepted, late = asyncio.run(_late_report_of_a_lost_claim(dsn, conn))
    assert (accepted.status, accepted.attempt) == ("completed", 1)
    assert not accepted.of_another_claim(reissued.lease_token)
    # Same status and attempt as an acknowledgement: only the lease token says it is not ours.
    assert (late.status, late.attempt) == ("completed", 1)
    assert late.of_another_claim(lost.lease_token)
    output = conn.execute("SELECT output FROM pgflow.step_states WHERE run_id = %s", (run_id,)).fetchone()
    assert output == ("from the new claim",)


def test_a_retried_completion_whose_commit_was_unknown_is_acknowledged(dsn: str, conn: psycopg.Connection[Any]) -> None:
    """A connection lost during the commit: the worker sends the report again, and the database,
    which did commit the first, answers with the task completed under the same claim."""
    conn.execute("""SELECT pgflow.define_flow('{"slug": "lost", "steps": [{"slug": "a"}]}')""")
    conn.execute("SELECT pgflow.start_flow(flow_slug => 'lost')")

    async def twice() -> tuple[Any, ...]:
        async with psycopg_pool.AsyncConnectionPool(dsn, kwargs={"autocommit": True}, open=False) as pool:
            store = AsyncStore(pool, dsn)
            [task] = await store.claim_tasks("w", 1, ["lost"], None)
            first = await store.complete_task(task, '"out"')
            again = await store.complete_task(task, '"out"')
            return task, first, again

    task, first, again = asyncio.run(twice())
    assert (first.status, again.status, again.attempt) == ("completed", "completed", task.attempt)
    assert not again.of_another_claim(task.lease_token)
