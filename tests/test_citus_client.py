"""The client side of pgflow on Citus, as it behaves on one node (make test-citus runs it on Citus)."""

from __future__ import annotations

import uuid

import psycopg
from conftest import pgflow_cli

from pgflow import Flow, deploy, start_flow
from pgflow.client import idempotent_run_id

keyed = Flow("citus_client_keyed")


@keyed.step
def only(run: dict[str, int]) -> int:
    return run["n"]


def test_idempotent_run_id_is_the_servers(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        for flow, key in [("chain", "k1"), ("a", "b"), ("flow_with_ünïcode", "key with spaces\x1f and a separator")]:
            row = conn.execute("SELECT pgflow.idempotent_run_id(%s, %s)", (flow, key)).fetchone()
            assert row is not None
            assert idempotent_run_id(flow, key) == row[0]
    assert idempotent_run_id("chain", "k1") == uuid.UUID("fbd0bdf4-a595-860f-8482-603db085f673")
    assert idempotent_run_id("chain", "k1").version == 8


def test_start_flow_with_a_key_gets_the_keys_run_id_and_starts_once(dsn: str) -> None:
    deploy(dsn, keyed)
    first = start_flow(dsn, keyed, {"n": 1}, idempotency_key="order-7")
    again = start_flow(dsn, keyed, {"n": 2}, idempotency_key="order-7")
    assert first.run_id == again.run_id == idempotent_run_id(keyed.slug, "order-7")


def test_start_flow_chooses_the_run_id_before_the_call(dsn: str) -> None:
    deploy(dsn, keyed)
    run = start_flow(dsn, keyed, {"n": 1})
    mine = uuid.uuid4()
    assert start_flow(dsn, keyed, {"n": 1}, run_id=mine).run_id == mine
    assert run.run_id != mine and run.status == "started"
    assert run.run_id.version == 7  # time-ordered, as the server makes them


def test_install_citus_without_citus_says_so_and_exits_2(dsn: str) -> None:
    result = pgflow_cli(dsn, "install", "--citus")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pgflow.distribute() failed" in result.stderr
    assert "needs the citus extension" in result.stderr
