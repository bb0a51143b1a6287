"""Fixtures: a template database with the pgflow extension, and a fresh clone per test.

The server comes from PGFLOW_DSN or libpq's PG* variables (default: the local
socket, as the current user), which must be allowed to create databases. The
extension must be installed on the server (`make install`).

Contributors with Docker can instead set PGFLOW_TEST_BACKEND=testcontainers
(`pip install 'testcontainers[postgres]'`): a throwaway postgres:15 container is
started for the session with the extension's files copied into it.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import itertools
import os
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pgflow import Flow, Worker
from pgflow.testing import TestDatabases, worker_thread

TESTS_DIR = Path(__file__).resolve().parent
_counter = itertools.count()


def _start_testcontainer() -> str:
    """A throwaway postgres:15 in Docker with pgflow's control file and install script in place."""
    from testcontainers.postgres import PostgresContainer  # type: ignore[import-not-found,import-untyped,unused-ignore]

    container = PostgresContainer("postgres:15", username="postgres", password="postgres", dbname="postgres")
    container.start()
    atexit.register(container.stop)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for path in (
            TESTS_DIR.parent / "extension" / "pgflow.control",
            *sorted(TESTS_DIR.parent.glob("pgflow--*.sql")),
        ):
            tar.add(str(path), arcname=path.name)
    container.get_wrapped_container().put_archive("/usr/share/postgresql/15/extension", archive.getvalue())
    host, port = container.get_container_host_ip(), container.get_exposed_port(5432)
    dsn = f"host={host} port={port} user=postgres password=postgres dbname=postgres"
    os.environ["PGFLOW_DSN"] = dsn  # for the CLI and worker subprocesses
    return dsn


BASE_DSN = (
    _start_testcontainer()
    if os.environ.get("PGFLOW_TEST_BACKEND") == "testcontainers"
    else os.environ.get("PGFLOW_DSN", "")
)


def dsn_for(dbname: str) -> str:
    return make_conninfo(BASE_DSN, dbname=dbname)


@pytest.fixture(scope="session")
def test_databases() -> Iterator[TestDatabases]:
    """The session's template database with pgflow installed (pgflow.testing, pytest-postgresql's janitor)."""
    with TestDatabases.create(BASE_DSN) as databases:
        yield databases


@pytest.fixture
def dsn(test_databases: TestDatabases) -> Iterator[str]:
    """A fresh database cloned from the template, dropped after the test."""
    with test_databases.clone("pgflow_pytest") as clone:
        yield clone


@contextlib.contextmanager
def scratch_database(prefix: str = "empty") -> Iterator[str]:
    """A new, empty database (pgflow not installed) for the block; its DSN."""
    name = f"pgflow_pytest_{prefix}_{os.getpid()}_{next(_counter)}"
    janitor = TestDatabases(BASE_DSN, template="").janitor(name)
    janitor.init()
    try:
        yield dsn_for(name)
    finally:
        janitor.drop()


@pytest.fixture
def empty_dsn() -> Iterator[str]:
    """A fresh database without pgflow (not cloned from the template)."""
    with scratch_database() as name:
        yield name


@pytest.fixture
def conn(dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(dsn, autocommit=True) as connection:
        yield connection


running_worker = worker_thread  # a Worker in a thread for the duration of a block


@pytest.fixture
def worker_factory(dsn: str) -> Callable[..., contextlib.AbstractContextManager[Worker]]:
    def make(flows: Sequence[Flow], **options: Any) -> contextlib.AbstractContextManager[Worker]:
        return running_worker(dsn, flows, **options)

    return make


def subprocess_env(dsn: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PGFLOW_DSN"] = dsn
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


def pgflow_cli(dsn: str, *args: str, timeout: float = 30, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the `pgflow` command line (as `python -m pgflow.cli`)."""
    return subprocess.run(
        [sys.executable, "-m", "pgflow.cli", *args],
        env=subprocess_env(dsn, **env),
        cwd=TESTS_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A hung worker or LISTEN must fail its test, not the whole suite (pytest-timeout).
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(60))
