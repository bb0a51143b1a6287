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
