"""Statements executed per complete_task of a 3-step chain (first, middle, last step).

Counts what the executor runs inside one complete_task call, nested statements and
foreign-key checks included: auto_explain with log_nested_statements, logged at NOTICE
level to this session only. Needs a superuser (LOAD) and the extension installed.
Usage: python bench/statements.py [dbname]   (default pgflow_statements, recreated)
"""

from __future__ import annotations

import re
import sys
from collections import Counter

import psycopg

DB = sys.argv[1] if len(sys.argv) > 1 else "pgflow_statements"
CHAIN = '{"slug": "st_chain", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}'
WORKER = "00000000-0000-0000-0000-000000000001"


def main() -> None:
    with psycopg.connect("dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        admin.execute(f'CREATE DATABASE "{DB}"')
    notices: list[str] = []
    with psycopg.connect(f"dbname={DB}", autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgflow")
        conn.execute("SELECT pgflow.define_flow(%s::jsonb)", (CHAIN,))
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        # warm the session's plan caches with one whole run first
        for measure in (False, True):
            run_id = conn.execute(
                "SELECT run_id FROM pgflow.start_flow('st_chain', '{}')"
            ).fetchone()[0]
            for step in ("a", "b", "c"):
                task = conn.execute(
                    "SELECT run_id, step_slug, task_index, attempt, lease_token FROM pgflow.claim_tasks(%s, 1)",
                    (WORKER,),
                ).fetchone()
                assert task is not None and task[0] == run_id and task[1] == step, task
                if measure:
                    conn.execute("LOAD 'auto_explain'")
                    conn.execute("SET auto_explain.log_min_duration = 0")
                    conn.execute("SET auto_explain.log_nested_statements = on")
                    conn.execute("SET auto_explain.log_level = notice")
                    conn.execute("SET client_min_messages = notice")
                    notices.clear()
                conn.execute(
                    "SELECT 1 FROM pgflow.complete_task(%s, %s, '{}'::jsonb, %s, %s, %s)",
                    task[:5],
                )
                if measure:
                    conn.execute("SET auto_explain.log_min_duration = -1")
                    plans = [n for n in notices if n.startswith("duration:")]
                    # one entry is the top-level SELECT itself
                    kinds = Counter(
                        (
                            re.search(r"Query Text: (\S+(?: \S+)?)", n)
                            or re.search(r"(\w+)", n)
                        )
                        .group(1)
                        .lower()
                        for n in plans
                    )
                    print(
                        f"step {step}: {len(plans) - 1} statements inside complete_task  {dict(kinds)}"
                    )
                    if "-v" in sys.argv:
                        for n in plans:
                            m = re.search(r"Query Text: (.*)", n)
                            print(
                                "    ",
                                (m.group(1) if m else n)[:150].replace("\n", " "),
                            )
            status = conn.execute(
                "SELECT status FROM pgflow.runs WHERE run_id = %s", (run_id,)
            ).fetchone()[0]
            assert status == "completed", status


if __name__ == "__main__":
    main()
