"""A throwaway PostgreSQL cluster for the chaos suite, which it may crash at will.

The binaries are those of ``$PG_CONFIG --bindir`` (default ``pg_config``), the
install that ``make install`` put pgflow into. initdb runs into a temp dir, the
server listens on its own port and socket dir only; as root everything runs as
the ``postgres`` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from psycopg.conninfo import make_conninfo

SETTINGS = """
listen_addresses = ''
max_connections = 100
shared_buffers = 64MB
log_min_messages = warning
log_line_prefix = '%m [%p] '
"""


class Cluster:
    def __init__(self, port: int) -> None:
        pg_config = os.environ.get("PG_CONFIG", "pg_config")
        self.bindir = Path(
            subprocess.run([pg_config, "--bindir"], check=True, capture_output=True, text=True).stdout.strip()
        )
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="pgflow-chaos-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log_file = self.root / "server.log"
        self.socket_dir.mkdir()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            for path in (self.socket_dir,):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.log_file.touch()
            os.chown(self.log_file, user.pw_uid, user.pw_gid)
            os.chown(self.root, user.pw_uid, user.pw_gid)

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, check=check, capture_output=True, text=True)

    def dsn(self, dbname: str = "postgres") -> str:
        user = "postgres" if self.as_postgres else pwd.getpwuid(os.geteuid()).pw_name
        return make_conninfo(host=str(self.socket_dir), port=self.port, dbname=dbname, user=user)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS + f"port = {self.port}\nunix_socket_directories = '{self.socket_dir}'\n")

    def start(self) -> float:
        """Start the server and wait until it accepts connections (after crash recovery); returns the time."""
        for _ in range(60):
            result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-w", "-t", "60", "start",
                               check=False)  # fmt: skip
            if result.returncode == 0:
                return time.time()
            # After a SIGKILL of the postmaster its children may still hold the shared memory for a moment.
            time.sleep(0.5)
        raise RuntimeError(f"the chaos cluster did not start: {result.stderr.strip()} (see {self.log_file})")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def crash_immediate(self) -> None:
        """``pg_ctl stop -m immediate``: every process exits without a checkpoint; the next start recovers."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def crash_sigkill(self) -> None:
        """SIGKILL of the postmaster; its backends notice and exit; the next start recovers."""
        pid = self.postmaster_pid()
        children = [int(p) for p in self._children(pid)]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in [pid, *children]):
            time.sleep(0.1)

    @staticmethod
    def _children(pid: int) -> list[str]:
        result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
        return result.stdout.split()

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of ours counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False
