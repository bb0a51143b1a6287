"""pgflow.testing: the pytest plugin users enable to test their flows against a real PostgreSQL."""

from __future__ import annotations

import textwrap

import psycopg
import pytest
from conftest import BASE_DSN

from pgflow.examples import parallel_analysis
from pgflow.testing import RunFailed, TestDatabases, run_flow

pytest_plugins = ["pytester"]


def test_run_flow_returns_each_step_output(dsn: str) -> None:
    outputs = run_flow(dsn, parallel_analysis.flow, {"text": "a great day"})
    assert outputs["sentiment"] == {"label": "positive", "score": 1.0}
    assert outputs["combine"] == {"combined": "Summary: a great day, Sentiment: positive"}


def test_run_flow_raises_with_the_failed_step_error(dsn: str) -> None:
    from pgflow import Flow

    flow = Flow("always_fails", max_attempts=1)

    @flow.step
    def explode(run: dict) -> int:  # type: ignore[type-arg]
        raise ValueError("no luck today")

    with pytest.raises(RunFailed, match=r"explode: .*no luck today"):
        run_flow(dsn, flow, {})


def test_each_clone_is_a_fresh_database() -> None:
    with TestDatabases.create(BASE_DSN) as databases:
        with databases.clone() as first, psycopg.connect(first, autocommit=True) as conn:
            conn.execute("""SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}')""")
            conn.execute("SELECT pgflow.start_flow('f')")
            assert conn.execute("SELECT count(*) FROM pgflow.runs").fetchone() == (1,)
        with databases.clone() as second, psycopg.connect(second, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM pgflow.runs").fetchone() == (0,)
            assert conn.execute("SELECT pgflow.version()").fetchone() is not None
        with psycopg.connect(databases.dsn("postgres"), autocommit=True) as admin:
            left = admin.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [f"{databases.template}%"])
            assert left.fetchone() == (1,)  # the clones are gone, the template stays until the block ends


def test_the_plugin_gives_a_user_test_a_database_with_pgflow(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGFLOW_TEST_DSN", BASE_DSN or "dbname=postgres")
    pytester.makeconftest('pytest_plugins = ["pgflow.testing"]\n')
    pytester.makepyfile(
        test_user_flow=textwrap.dedent(
            """
            from pgflow.examples import parallel_analysis
            from pgflow.testing import run_flow

            def test_analysis(pgflow_dsn):
                outputs = run_flow(pgflow_dsn, parallel_analysis.flow, {"text": "bad news"})
                assert outputs["sentiment"]["label"] == "negative"
            """
        )
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
