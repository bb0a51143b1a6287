"""Every statement the client sends is named and described in queries.sql."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pgflow
from pgflow.queries import QueryName, all_queries

PACKAGE = Path(pgflow.__file__).resolve().parent


def test_every_query_has_a_name_a_description_and_a_statement() -> None:
    queries = all_queries()
    assert set(queries) == set(get_args(QueryName))
    for query in queries.values():
        assert query.description and query.sql.rstrip().endswith(";")


def test_no_sql_outside_queries_sql() -> None:
    # The modules only ever pass query("name") to execute(); no SQL literals elsewhere.
    # (to_sql's f-string is a migration it prints, not a statement it sends.)
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.lstrip()
                if text == "SELECT pgflow.define_flow(":
                    continue
                if text.startswith(("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "LISTEN ", "CREATE ")):
                    offenders.append(f"{path.name}: {text[:40]!r}")
    assert offenders == []


def test_only_the_store_calls_query() -> None:
    # Every database call goes through pgflow.store (Store / AsyncStore): one typed method per query.
    callers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("store.py", "queries.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name == "query":
                    callers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and any(alias.name == "query" for alias in node.names):
                callers.append(f"{path.relative_to(PACKAGE)}:{node.lineno} (imports query)")
    assert callers == []


def test_the_store_has_a_method_per_query() -> None:
    from pgflow.store import AsyncStore, Listener, Store

    methods = {name for name in dir(Store) if not name.startswith("_")} | set(dir(AsyncStore)) | set(dir(Listener))
    assert set(get_args(QueryName)) - methods == set()
