"""A real pgbouncer for tests: transaction pooling in front of the test server, in a temp dir.

It listens on a Unix socket in a directory of its own (no TCP port to collide
with), trusts every user named in its userlist, and forwards every database name
to the test server, so the per-test clones are reachable through it. It keeps
several server connections and hands them out in turn, so that anything that
relies on a session fails every time, not only under load. pgbouncer
refuses to run as root: as root it is started with ``-u postgres``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

PGBOUNCER = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None)
# The socket's name only (.s.PGSQL.5480 in a directory of its own): no TCP port is opened.
BOUNCER_PORT = 5480


@contextlib.contextmanager
def pgbouncer(server_dsn: str, pool_mode: str = "transaction", pool_size: int = 8) -> Iterator[str]:
    """pgbouncer in ``pool_mode`` in front of ``server_dsn``'s server for the block; a DSN template
    (make_conninfo(it, dbname=...)) to reach the server through it."""
    assert PGBOUNCER is not None, "pgbouncer is not installed"
    params = conninfo_to_dict(server_dsn)
    host = str(params.get("host") or os.environ.get("PGHOST") or "/var/run/postgresql")
    port = str(params.get("port") or os.environ.get("PGPORT") or 5432)
    user = str(params.get("user") or os.environ.get("PGUSER") or pwd.getpwuid(os.getuid()).pw_name)
    workdir = Path(tempfile.mkdtemp(prefix="pgflow-bouncer-", dir="/tmp"))
    run_as: list[str] = []
    # As root, pgbouncer runs as the postgres OS user; a server that authenticates local
    # connections by peer (Debian's default pg_hba.conf) then admits it only as the postgres
    # role, so it logs in as that (a superuser, as the tests' own role is).
    server_login = ""
    if os.getuid() == 0:
        run_as = ["-u", "postgres"]
        shutil.chown(workdir, "postgres", "postgres")
        server_login = " user=postgres"
    (workdir / "userlist.txt").write_text(f'"{user}" ""\n"postgres" ""\n')
    (workdir / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={host} port={port}{server_login}

[pgbouncer]
listen_addr =
listen_port = {BOUNCER_PORT}
unix_socket_dir = {workdir}
auth_type = trust
auth_file = {workdir}/userlist.txt
pool_mode = {pool_mode}
default_pool_size = {pool_size}
; Several server connections, used in turn: consecutive transactions of one client land on
; different ones, as on a busy pooler (session state then fails at once, not by bad luck).
min_pool_size = 4
server_round_robin = 1
max_client_conn = 500
max_db_connections = {pool_size}
logfile = {workdir}/pgbouncer.log
pidfile = {workdir}/pgbouncer.pid
admin_users = {user}
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
"""
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (workdir / name).chmod(0o644)
    # Its log goes to stderr too: a file, never a pipe nobody reads (pgbouncer would block on it).
    output = (workdir / "pgbouncer.out").open("wb")
    process = subprocess.Popen(
        [PGBOUNCER, *run_as, str(workdir / "pgbouncer.ini")],
        stdout=output,
        stderr=output,
    )
    dsn = make_conninfo(server_dsn, host=str(workdir), port=str(BOUNCER_PORT))
    try:
        _wait_ready(dsn, process, workdir)
        yield dsn
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        output.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(dsn: str, process: subprocess.Popen[bytes], workdir: Path) -> None:
    deadline = time.monotonic() + 10
    while True:
        if process.poll() is not None:
            output = (workdir / "pgbouncer.out").read_text(errors="replace")
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {output}")
        try:
            with psycopg.connect(
                make_conninfo(dsn, dbname="pgbouncer"),
                autocommit=True,
                connect_timeout=2,
            ) as conn:
                conn.execute("SHOW VERSION")
                return
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
