"""``Worker(pooled=True)`` (``pgflow worker --pooled``) says the DSN goes through a transaction
pooler that detection cannot see (one that passes the server's backend pid through)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pooled_flows import pooled as flow

from pgflow import client
from pgflow.testing import worker_thread
from pgflow.worker import connection, lifecycle


def _capture_pools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    pools: list[Any] = []

    def open_pool(*args: Any, **kwargs: Any) -> Any:
        pool, quiet = connection.open_pool(*args, **kwargs)
        pools.append(pool)
        return pool, quiet

    monkeypatch.setattr(lifecycle, "open_pool", open_pool)
    return pools


@pytest.mark.parametrize("pooled", [True, False])
def test_the_pooled_setting_decides_whether_statements_are_prepared(
    dsn: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, pooled: bool
) -> None:
    pools = _capture_pools(monkeypatch)
    client.deploy(dsn, flow)
    runs = [client.start_flow(dsn, flow, {"n": n}) for n in range(12)]  # > 5 claims: psycopg prepares
    with caplog.at_level(logging.INFO, logger="pgflow.worker"), worker_thread(dsn, [flow], pooled=pooled):
        for run in runs:
            assert client.wait_for_run(dsn, run.run_id, timeout=20).status == "completed"
    [pool] = pools
    assert ("prepare_threshold" in pool.kwargs and pool.kwargs["prepare_threshold"] is None) is pooled
    said = any("connected through a connection pooler" in r.getMessage() for r in caplog.records)
    assert said is pooled
