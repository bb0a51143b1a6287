"""Installing pgflow into a database: as an extension, or as plain objects.

``CREATE EXTENSION pgflow`` needs the extension's files (``pgflow.control`` and
``pgflow--0.1.sql``) in the server's ``share/extension`` directory, which managed
Postgres services do not let you add. There, the same install script, shipped
with this package, runs as plain SQL after ``CREATE SCHEMA pgflow``: the objects
are identical, they are just not owned by an extension (so ``DROP SCHEMA pgflow
CASCADE`` removes them, and upgrades are the migration scripts run the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal

import psycopg

from .queries import query

__all__ = ["EXTENSION_FILES", "InstallError", "Installation", "install", "installed", "packaged_file", "plain_script"]

EXTENSION_VERSION: Final = "0.1"
EXTENSION_FILES: Final = ("pgflow.control", f"pgflow--{EXTENSION_VERSION}.sql")

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

    def describe(self) -> str:
        how = (
            f"as the extension pgflow {self.version}"
            if self.method == "extension"
            else f"as plain objects in schema pgflow (install script {self.version})"
        )
        return f"pgflow is already installed {how}" if self.already else f"installed pgflow {how}"


def packaged_file(name: str) -> bytes:
    """One of EXTENSION_FILES, as shipped in this package (``pgflow/sql/``)."""
    if name not in EXTENSION_FILES:
        raise ValueError(f"not a packaged extension file: {name!r}")
    return resources.files("pgflow").joinpath("sql", name).read_bytes()


def plain_script() -> bytes:
    """The extension's install script without its psql guard, to run after ``CREATE SCHEMA pgflow``."""
    script = packaged_file(EXTENSION_FILES[1]).decode("utf-8")
    stripped, guards = _PSQL_GUARD.subn("", script, count=1)
    if guards != 1:
        raise InstallError(f"{EXTENSION_FILES[1]}: the `\\echo ... \\quit` guard line is missing")
    return stripped.encode("utf-8")


def installed(conn: psycopg.Connection[Any]) -> Installation | None:
    """How pgflow is installed in the connection's database, or None."""
    row = conn.execute(query("installed_extension")).fetchone()
    if row is not None:
        return Installation("extension", str(row[0]), already=True)
    schema = conn.execute(query("installed_schema")).fetchone()
    assert schema is not None
    has_schema, has_tables = bool(schema[0]), bool(schema[1])
    if has_tables:
        return Installation("plain", EXTENSION_VERSION, already=True)
    if has_schema:
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
    with conn.transaction():
        conn.execute(query("install_lock"))
        current = installed(conn)
        if current is not None:
            return current
        available = None if plain else conn.execute(query("available_extension")).fetchone()
        if available is not None:
            conn.execute(query("create_extension"))
            version = conn.execute(query("installed_extension")).fetchone()
            assert version is not None
            return Installation("extension", str(version[0]), already=False)
        conn.execute(query("create_schema"))
        # The script is a file shipped with this package, not user input; psycopg sends
        # a parameterless statement with the simple protocol, so it may hold many.
        conn.execute(plain_script())
        return Installation("plain", EXTENSION_VERSION, already=False)
