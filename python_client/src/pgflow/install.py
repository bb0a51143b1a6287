"""Installing pgflow into a database: as an extension, or as plain objects.

``CREATE EXTENSION pgflow`` needs the extension's files (``pgflow.control``, the
install script and the update scripts) in the server's ``share/extension`` directory, which managed
Postgres services do not let you add. There, the same install script, shipped
with this package, runs as plain SQL after ``CREATE SCHEMA pgflow``: the objects
are identical, they are just not owned by an extension (so ``DROP SCHEMA pgflow
CASCADE`` removes them, and upgrades are the update scripts run the same way).

A database on an older version is updated by ``install``: ``ALTER EXTENSION pgflow
UPDATE`` for the extension, the packaged update script for plain objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal

import psycopg

from .store import Store

__all__ = ["EXTENSION_FILES", "InstallError", "Installation", "install", "installed", "packaged_file", "plain_script"]


def _control_version() -> str:
    """default_version of the packaged pgflow.control: the one place the version is written."""
    control = resources.files("pgflow").joinpath("sql", "pgflow.control").read_text("utf-8")
    found = re.search(r"^default_version\s*=\s*'([^']+)'", control, re.MULTILINE)
    if found is None:
        raise RuntimeError("the packaged pgflow.control has no default_version")
    return found.group(1)


EXTENSION_VERSION: Final = _control_version()
# Released versions that a database may be on, oldest first; each has an update script to EXTENSION_VERSION.
RELEASED_VERSIONS: Final = ("0.1",)
INSTALL_SCRIPT: Final = f"pgflow--{EXTENSION_VERSION}.sql"
EXTENSION_FILES: Final = (
    "pgflow.control",
    INSTALL_SCRIPT,
    *(f"pgflow--{v}.sql" for v in RELEASED_VERSIONS),
    *(f"pgflow--{v}--{EXTENSION_VERSION}.sql" for v in RELEASED_VERSIONS),
)

# The install script's guard against `psql -f`: meaningless (and not SQL) outside psql.
_PSQL_GUARD = re.compile(r"^\\echo .*\\quit[ \t]*$\n?", re.MULTILINE)

Method = Literal["extension", "plain"]


class InstallError(Exception):
    """pgflow cannot be installed in this database as asked."""


@dataclass(frozen=True)
class Installation:
    """How pgflow is installed in a database, and whether this call installed it."""

    method: Method
    version: str
    already: bool
    updated_from: str | None = None

    def describe(self) -> str:
        how = (
            f"as the extension pgflow {self.version}"
            if self.method == "extension"
            else f"as plain objects in schema pgflow (install script {self.version})"
        )
        if self.updated_from is not None:
            return f"updated pgflow from {self.updated_from} to {self.version}, installed {how}"
        return f"pgflow is already installed {how}" if self.already else f"installed pgflow {how}"


def packaged_file(name: str) -> bytes:
    """One of EXTENSION_FILES, as shipped in this package (``pgflow/sql/``)."""
    if name not in EXTENSION_FILES:
        raise ValueError(f"not a packaged extension file: {name!r}")
    return resources.files("pgflow").joinpath("sql", name).read_bytes()


def plain_script(name: str = INSTALL_SCRIPT) -> bytes:
    """A packaged script without its psql guard: the install script runs after ``CREATE SCHEMA pgflow``."""
    script = packaged_file(name).decode("utf-8")
    stripped, guards = _PSQL_GUARD.subn("", script, count=1)
    if guards != 1:
        raise InstallError(f"{name}: the `\\echo ... \\quit` guard line is missing")
    return stripped.encode("utf-8")


def installed(conn: psycopg.Connection[Any]) -> Installation | None:
    """How pgflow is installed in the connection's database, or None."""
    store = Store(conn)
    extension = store.installed_extension()
    if extension is not None:
        return Installation("extension", extension, already=True)
    schema = store.installed_schema()
    if schema.has_tables:
        version = store.version() if store.has_version_function() else "0.1"
        return Installation("plain", version, already=True)
    if schema.has_schema:
        raise InstallError(
            "a schema pgflow exists but holds no pgflow tables: drop it (DROP SCHEMA pgflow) or "
            "install into another database"
        )
    return None


def install(conn: psycopg.Connection[Any], *, plain: bool = False) -> Installation:
    """Install pgflow unless it is installed already (idempotent; safe to run concurrently).

    As an extension when its files are on the server, unless ``plain``; otherwise
    the packaged install script as plain objects in schema ``pgflow``. Runs in
    one transaction: nothing is left half-installed. The connection must not be
    inside a transaction.
    """
    store = Store(conn)
    with conn.transaction():
        store.install_lock()
        current = installed(conn)
        if current is not None:
            return _update(store, current)
        available = None if plain else store.available_extension()
        if available is not None:
            store.create_extension()
            version = store.installed_extension()
            assert version is not None
            return Installation("extension", version, already=False)
        store.create_schema()
        store.run_script(plain_script())
        return Installation("plain", EXTENSION_VERSION, already=False)


def _update(store: Store, current: Installation) -> Installation:
    """Bring an installation on a released older version to EXTENSION_VERSION (in the caller's transaction)."""
    if current.version == EXTENSION_VERSION:
        return current
    if current.version not in RELEASED_VERSIONS:
        raise InstallError(
            f"pgflow {current.version} is installed in this database, and this package ({EXTENSION_VERSION}) "
            f"can update only from {', '.join(RELEASED_VERSIONS)}: install a pgflow-engine release that knows it"
        )
    if current.method == "extension":
        available = store.available_extension()
        if available != EXTENSION_VERSION:
            raise InstallError(
                f"the extension pgflow {current.version} is installed, but the server's extension files are "
                f"for {available or 'no version'}, not {EXTENSION_VERSION}: copy this "
                "package's files to the server (make install) and run pgflow install again"
            )
        store.update_extension()
    else:
        store.run_script(plain_script(f"pgflow--{current.version}--{EXTENSION_VERSION}.sql"))
    return Installation(current.method, EXTENSION_VERSION, already=True, updated_from=current.version)
