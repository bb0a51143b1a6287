"""Helpers for testing flows with pytest: a fresh database per test, a worker in a thread, ``run_flow``.

Enable the plugin in your ``conftest.py``::

    pytest_plugins = ["pgflow.testing"]

and write tests against a real PostgreSQL::

    def test_greeting(pgflow_dsn: str) -> None:
        outputs = run_flow(pgflow_dsn, greet.flow, {"name": "Ada"})
        assert outputs["shout"] == "HELLO, ADA!"

The server is ``PGFLOW_TEST_DSN`` (any libpq connection string whose user may
create databases), else ``PGFLOW_DSN`` or libpq's ``PG*`` variables, else the
embedded server (``pgflow-engine[embedded]``). pgflow is installed once into a
template database, and each test gets its own clone of it (pytest-postgresql's
``DatabaseJanitor``, ~0.1 s), dropped afterwards; so a test may commit, run
workers and leave anything behind. Needs the ``testing`` extra:
``pip install 'pgflow-engine[testing]'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .client import deploy, get_run, start_flow, wait_for_run
from .dsl import Flow
from .install import install
from .signals import send_signal
from .worker import Worker

__all__ = ["TestDatabases", "run_flow", "worker_thread"]

_serial = itertools.count()


@dataclass(frozen=True)
class TestDatabases:
    """A server to test on: a template database with pgflow, cloned per test."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    base_dsn: str
    template: str

    @staticmethod
    def server_dsn() -> str:
        """Where tests run: PGFLOW_TEST_DSN, PGFLOW_DSN or PG*, else the embedded server."""
        if os.environ.get("PGFLOW_TEST_DSN"):
            return os.environ["PGFLOW_TEST_DSN"]
        from . import embedded

        if embedded.wanted():  # nothing configured (no PGFLOW_DSN, no PG*) and the extra installed
            return embedded.start().dsn
        return os.environ.get("PGFLOW_DSN", "")

    def dsn(self, dbname: str) -> str:
        return make_conninfo(self.base_dsn, dbname=dbname)

    def janitor(self, dbname: str, *, template: str | None = None, as_template: bool = False) -> Any:
        """pytest-postgresql's DatabaseJanitor for ``dbname`` on this server."""
        from pytest_postgresql.janitor import DatabaseJanitor

        params = conninfo_to_dict(make_conninfo(self.base_dsn, dbname="postgres"))
        # A DSN without user or host means libpq's defaults: the OS user and the local socket.
        return DatabaseJanitor(
            user=str(params.get("user") or os.environ.get("PGUSER") or _os_user()),
            host=str(params.get("host") or os.environ.get("PGHOST") or "/var/run/postgresql"),
            port=str(params.get("port") or os.environ.get("PGPORT") or 5432),
            password=str(params["password"]) if params.get("password") else os.environ.get("PGPASSWORD"),
            dbname=dbname,
            template_dbname=template,
            as_template=as_template,
        )

    @classmethod
    @contextlib.contextmanager
    def create(cls, base_dsn: str | None = None) -> Iterator[TestDatabases]:
        """The template database (pgflow installed) for the block; dropped at the end."""
        base = cls.server_dsn() if base_dsn is None else base_dsn
        databases = cls(base, f"pgflow_test_template_{os.getpid()}_{next(_serial)}")
        template = databases.janitor(databases.template, as_template=True)
        template.drop()
        template.init()
        try:
            with psycopg.connect(databases.dsn(databases.template), autocommit=True) as conn:
                install(conn)
            yield databases
        finally:
            template.drop()

    @contextlib.contextmanager
    def clone(self, prefix: str = "pgflow_test") -> Iterator[str]:
        """A fresh database cloned from the template for the block; its DSN."""
        name = f"{prefix}_{os.getpid()}_{next(_serial)}"
        janitor = self.janitor(name, template=self.template)
        janitor.init()
        try:
            yield self.dsn(name)
        finally:
            janitor.drop()


def _os_user() -> str:
    import getpass

    return getpass.getuser()


@contextlib.contextmanager
def worker_thread(dsn: str, flows: Sequence[Flow], **options: Any) -> Iterator[Worker]:
    """A ``Worker`` serving ``flows`` in a thread for the duration of the block.

    Options are the Worker's (``concurrency``, ``poll_interval``, ...); errors the
    worker dies of are raised here when the block ends.
    """
    options.setdefault("poll_interval", 0.2)
    options.setdefault("concurrency", 4)
    options.setdefault("shutdown_grace", 5.0)
    worker = Worker(dsn, flows, **options)
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(worker.run_async())
        except BaseException as error:  # surfaced in the caller's thread
            failure.append(error)

    thread = threading.Thread(target=target, name="pgflow-test-worker", daemon=True)
    thread.start()
    try:
        if not worker.ready.wait(10):
            raise RuntimeError(f"the worker did not start: {failure}")
        yield worker
    finally:
        worker.stop()
        thread.join(15)
        if thread.is_alive():
            raise RuntimeError("the worker did not stop within 15 s")
        if failure:
            raise failure[0]


class RunFailed(AssertionError):
    """``run_flow``'s run ended failed or cancelled."""


def run_flow(
    dsn: str,
    flow: Flow,
    input: Any = None,
    *,
    timeout: float = 30,
    signals: Mapping[str, Any] | None = None,
    **worker_options: Any,
) -> dict[str, Any]:
    """Deploy ``flow``, run it once on ``input`` with a worker in a thread, return each step's output.

    ``signals``: a payload per signal step, sent as the run starts (each is kept
    until its step is ready, and checked against the step's type first); a signal
    step without one waits, and the run times out. Skipped steps are absent.
    Raises ``RunFailed`` (with the failed steps' errors) when the run does not
    complete, ``RunTimeout`` after ``timeout`` s.
    """
    deploy(dsn, flow)
    run = start_flow(dsn, flow, input, run_id=uuid.uuid4())
    for step_slug, payload in (signals or {}).items():
        send_signal(dsn, run.run_id, step_slug, payload, flow=flow)
    with worker_thread(dsn, [flow], **worker_options):
        finished = wait_for_run(dsn, run.run_id, timeout=timeout)
    details = get_run(dsn, finished.run_id)
    assert details is not None
    if finished.status != "completed":
        errors = "; ".join(f"{s.step_slug}: {s.error_message}" for s in details.steps if s.error_message)
        raise RunFailed(f"run {finished.run_id} of flow {flow.slug!r} ended {finished.status}: {errors}")
    return {s.step_slug: s.output for s in details.steps if s.status == "completed"}


# -- the pytest plugin ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pgflow_databases() -> Iterator[TestDatabases]:
    """The session's template database with pgflow installed."""
    with TestDatabases.create() as databases:
        yield databases


@pytest.fixture
def pgflow_dsn(pgflow_databases: TestDatabases) -> Iterator[str]:
    """A fresh database with pgflow, cloned from the template, dropped after the test."""
    with pgflow_databases.clone() as dsn:
        yield dsn
