"""Statements executed per call on the hot path of a 3-step chain: its start_flow, and each
claim_tasks and complete_task (first, middle, last step).

Counts what the executor runs inside one call, nested statements and foreign-key checks
included: auto_explain with log_nested_statements, logged at NOTICE level to this session
only. Needs a superuser (LOAD) and the extension installed. A flow without subflow (or
other 0.2) steps must run the same statements as before they existed: compare the output
of two checkouts. One exception, by design: claim_tasks looks at signal deadlines at most
once a second per session, so the first claim after a pause runs two more statements (a
probe of the empty signal_deadlines_deadline_idx and the note of when to look next).
Usage: python bench/statements.py [dbname] [-v]   (default pgflow_statements, recreated)
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import Any

import psycopg

DB = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "pgflow_statements"
CHAIN = '{"slug": "st_chain", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}'
WORKER = "00000000-0000-0000-0000-000000000001"


def counted(conn: psycopg.Connection[Any], notices: list[str], label: str, sql: str, params: Any = None) -> Any:
    """Run one call, print how many statements ran inside it, return its first row."""
    conn.execute("SET auto_explain.log_min_duration = 0")
    notices.clear()
    row = conn.execute(sql, params).fetchone()
    conn.execute("SET auto_explain.log_min_duration = -1")
    plans = [n for n in notices if n.startswith("duration:")]
    # one entry is the top-level SELECT itself
    kinds = Counter(
        (re.search(r"Query Text: (\S+(?: \S+)?)", n) or re.search(r"(\w+)", n)).group(1).lower()  # type: ignore[union-attr]
        for n in plans
    )
    print(f"{label}: {len(plans) - 1} statements  {dict(kinds)}")
    if "-v" in sys.argv:
        for n in plans:
            m = re.search(r"Query Text: (.*)", n)
            print("    ", (m.group(1) if m else n)[:150].replace("\n", " "))
    return row


def main() -> None:
    with psycopg.connect("dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        admin.execute(f'CREATE DATABASE "{DB}"')
    notices: list[str] = []
    with psycopg.connect(f"dbname={DB}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow")
        conn.execute("SELECT pgflow.define_flow(%s::jsonb)", (CHAIN,))
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        conn.execute("LOAD 'auto_explain'")
        conn.execute("SET auto_explain.log_min_duration = -1")
        conn.execute("SET auto_explain.log_nested_statements = on")
        conn.execute("SET auto_explain.log_level = notice")
        conn.execute("SET client_min_messages = notice")
        # warm the session's plan caches with one whole run first
        for measure in (False, True):

            def call(label: str, sql: str, params: Any = None, measure: bool = measure) -> Any:
                if measure:
                    return counted(conn, notices, label, sql, params)
                return conn.execute(sql, params).fetchone()

            run_id = call("start_flow", "SELECT run_id FROM pgflow.start_flow('st_chain', '{}')")[0]
            for step in ("a", "b", "c"):
                task = call(
                    f"step {step}: claim_tasks",
                    "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_tasks(%s, 1)",
                    (WORKER,),
                )
                assert task is not None and task[0] == run_id and task[1] == step, task
                call(
                    f"step {step}: complete_task",
                    "SELECT 1 FROM pgflow.complete_task(%s, %s, '{}'::jsonb, %s, %s, %s)",
                    task[:5],
                )
            status = conn.execute("SELECT status FROM pgflow.runs WHERE run_id = %s", (run_id,)).fetchone()
            assert status == ("completed",), status


if __name__ == "__main__":
    main()
