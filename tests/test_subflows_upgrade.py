"""Subflows through the upgrade path: a 0.1 database updated to 0.2 runs them, with flows defined on 0.1."""

from __future__ import annotations

import psycopg
import pytest
from conftest import scratch_database
from sql_driver import define, drain, start, statuses

from pgflow.install import install

pytestmark = pytest.mark.timeout(120)


def test_a_0_1_database_updated_to_0_2_runs_subflows() -> None:
    with (
        scratch_database("subflow_upgrade") as dsn,
        psycopg.connect(dsn, autocommit=True) as conn,
    ):
        conn.execute("CREATE EXTENSION pgflow VERSION '0.1'")
        # Defined on 0.1, and with a run in flight through the update.
        define(
            conn,
            {
                "slug": "fan",
                "steps": [
                    {"slug": "items"},
                    {"slug": "double", "deps": ["items"], "fan_out": True},
                ],
            },
        )
        in_flight = start(conn, "fan", {})
        install(conn)

        define(
            conn,
            {
                "slug": "nested",
                "steps": [
                    {"slug": "items"},
                    {
                        "slug": "each",
                        "deps": ["items"],
                        "fan_out": True,
                        "subflow": "fan",
                    },
                ],
            },
        )
        parent = start(conn, "nested", {})
        drain(conn, ["fan", "nested"], [in_flight, parent])
        # Every child had the fan flow's items ([1, 2, 3, 4], see sql_driver.output_for) doubled.
        assert conn.execute("SELECT output FROM pgflow.runs WHERE run_id = %s", [parent]).fetchone() == (
            {"each": [{"double": [2, 4, 6, 8]}] * 4},
        )
        children = conn.execute(
            "SELECT count(*) FROM pgflow.runs WHERE parent_run_id = %s AND status = 'completed'",
            [parent],
        ).fetchone()
        assert children == (4,)
        assert statuses(conn)[in_flight] == "completed"
