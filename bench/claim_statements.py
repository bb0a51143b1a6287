"""Statements executed inside claim_tasks, per claim of a 3-step chain with no signal steps.

What a flow that uses no signals pays for signal deadlines: claim_tasks looks at
them (pgflow._apply_signal_deadlines) at most once a second per session, so the
first claim after a pause runs the look (a range probe of signal_deadlines_deadline_idx
and the note of when to look next) and the claims within the next second run
exactly the statements they ran before signals existed. Counted like statements.py
(auto_explain with log_nested_statements, at NOTICE, this session only). Needs a
superuser and the extension installed.
Usage: python bench/claim_statements.py [dbname]   (default pgflow_claim_statements, recreated)
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any

import psycopg

DB = sys.argv[1] if len(sys.argv) > 1 else "pgflow_claim_statements"
CHAIN = '{"slug": "st_chain", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}'
WORKER = "00000000-0000-0000-0000-000000000001"


def counted(
    conn: psycopg.Connection[Any], notices: list[str], sql: str, args: tuple[Any, ...]
) -> tuple[Any, list[str]]:
    conn.execute("LOAD 'auto_explain'")
    conn.execute("SET auto_explain.log_min_duration = 0")
    conn.execute("SET auto_explain.log_nested_statements = on")
    conn.execute("SET auto_explain.log_level = notice")
    conn.execute("SET client_min_messages = notice")
    notices.clear()
    row = conn.execute(sql, args).fetchone()
    conn.execute("SET auto_explain.log_min_duration = -1")
    plans = [n for n in notices if n.startswith("duration:")][:-1]  # the last is the top-level SELECT
    return row, [
        (m.group(1) if (m := re.search(r"Query Text: (.*)", n)) else n)[:100].replace("\n", " ") for n in plans
    ]


def main() -> None:
    with psycopg.connect("dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        admin.execute(f'CREATE DATABASE "{DB}"')
    notices: list[str] = []
    with psycopg.connect(f"dbname={DB}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow")
        conn.execute("SELECT pgflow.define_flow(%s::jsonb)", (CHAIN,))
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        for measure in (False, True):  # warm the session's plan caches with one whole run first
            conn.execute("SELECT pgflow.start_flow('st_chain', '{}')")
            time.sleep(1.05)  # the first claim below comes more than a second after the last look
            for step in ("a", "b", "c"):
                task, statements = counted(
                    conn,
                    notices,
                    "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_tasks(%s, 1)",
                    (WORKER,),
                )
                assert task is not None and task[1] == step, task
                if measure:
                    looked = [s for s in statements if "signal_deadline" in s]
                    print(
                        f"claim of {step}: {len(statements)} statements inside claim_tasks, "
                        f"{len(looked)} of them the deadline look"
                    )
                    if "-v" in sys.argv:
                        for text in statements:
                            print("    ", text)
                conn.execute("SELECT 1 FROM pgflow.complete_task(%s, %s, '{}'::jsonb, %s, %s, %s)", task[:5])


if __name__ == "__main__":
    main()
