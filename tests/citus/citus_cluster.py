"""A Citus cluster on this machine for `make test-citus` and `make bench-citus`: a coordinator
and worker nodes, each a PostgreSQL cluster of its own (initdb into a temp dir, its own port
and socket dir, ``shared_preload_libraries = 'citus'``), with pgflow installed and distributed.

The binaries are those of ``$PG_CONFIG --bindir`` (where ``make install`` put pgflow and where
``../shared/citus/install.sh`` put Citus). As root the servers run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

SETTINGS = """
listen_addresses = ''
max_connections = 200
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] '
"""


def citus_available(pg_config: str | None = None) -> bool:
    """Whether this PostgreSQL install has Citus (citus.control in its extension dir)."""
    pg_config = pg_config or os.environ.get("PG_CONFIG", "pg_config")
    sharedir = subprocess.run([pg_config, "--sharedir"], check=True, capture_output=True, text=True).stdout.strip()
    return (Path(sharedir) / "extension" / "citus.control").exists()


@dataclass
class Node:
    port: int
    root: Path
    bindir: Path
    as_postgres: bool
    citus: bool = True

    @property
    def data(self) -> Path:
        return self.root / f"data{self.port}"

    @property
    def socket_dir(self) -> Path:
        return self.root / f"socket{self.port}"

    @property
    def log_file(self) -> Path:
        return self.root / f"server{self.port}.log"

    def dsn(self, dbname: str = "postgres") -> str:
        user = "postgres" if self.as_postgres else pwd.getpwuid(os.geteuid()).pw_name
        return make_conninfo(host=str(self.socket_dir), port=self.port, dbname=dbname, user=user)

    def run(self, *command: str) -> None:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, text=True)

    def init_and_start(self) -> None:
        self.socket_dir.mkdir()
        self.log_file.touch()
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (self.socket_dir, self.log_file):
                os.chown(path, user.pw_uid, user.pw_gid)
        self.run("initdb", "-D", str(self.data), "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS + f"port = {self.port}\nunix_socket_directories = '{self.socket_dir}'\n")
            if self.citus:
                conf.write("shared_preload_libraries = 'citus'\n")
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@dataclass
class CitusCluster:
    """Coordinator on ``base_port``, workers on the next ports; ``workers=0``: one plain node, no Citus."""

    base_port: int = 5470
    workers: int = 2
    shard_count: int = 8
    nodes: list[Node] = field(default_factory=list)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pgflow-citus-")))

    def __post_init__(self) -> None:
        pg_config = os.environ.get("PG_CONFIG", "pg_config")
        bindir = Path(
            subprocess.run([pg_config, "--bindir"], check=True, capture_output=True, text=True).stdout.strip()
        )
        as_postgres = os.geteuid() == 0
        if as_postgres:
            user = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        citus = self.workers > 0
        self.nodes = [Node(self.base_port + i, self.root, bindir, as_postgres, citus) for i in range(self.workers + 1)]

    @property
    def coordinator(self) -> Node:
        return self.nodes[0]

    @property
    def worker_nodes(self) -> list[Node]:
        return self.nodes[1:]

    def start(self, install: bool = True) -> None:
        """initdb and start every node, build the Citus cluster; then (install) pgflow, distributed."""
        for node in self.nodes:
            node.init_and_start()
        if not self.worker_nodes:
            if install:
                with psycopg.connect(self.coordinator.dsn(), autocommit=True) as conn:
                    conn.execute("CREATE EXTENSION pgflow")
            return
        for node in self.nodes:
            with psycopg.connect(node.dsn(), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION citus")
        with psycopg.connect(self.coordinator.dsn(), autocommit=True) as conn:
            conn.execute(
                "SELECT citus_set_coordinator_host(%s, %s)",
                (str(self.coordinator.socket_dir), self.coordinator.port),
            )
            for node in self.worker_nodes:
                conn.execute("SELECT citus_add_node(%s, %s)", (str(node.socket_dir), node.port))
            if install:
                # Citus runs CREATE EXTENSION on every node.
                conn.execute("CREATE EXTENSION pgflow")
                conn.execute("SELECT pgflow.distribute(shard_count => %s)", (self.shard_count,)).fetchall()
            else:
                # pgflow.distribute() without shard_count: citus.shard_count, set here for small tests.
                conn.execute(f"ALTER SYSTEM SET citus.shard_count = {int(self.shard_count)}")
                conn.execute("SELECT pg_reload_conf()")

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def wait_ready(dsn: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(dsn).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
