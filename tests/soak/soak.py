"""Soak test (`make soak`): several worker processes, misbehaving handlers, and chaos.

    python tests/soak/soak.py [--runs 150] [--workers 4] [--seed 7] [--deadline 120]

In a fresh database with the extension (on the server of PGFLOW_DSN or libpq's
PG* variables), it deploys ``soak_flow.flow`` (a chain, a fan-out and a join),
starts `pgflow worker` subprocesses, and starts runs in waves. Each run's plan
(seeded) makes some calls fail and some exceed the step's timeout; a few runs
are doomed (a step that fails more often than max_attempts). During the runs it
SIGKILLs a worker mid-task (and starts a replacement) and terminates every
worker's database connections with pg_terminate_backend. Then, within a bounded
wait, it checks:

- every run ended, completed with the expected output, or failed when doomed;
- no task and no step was completed twice (triggers count every transition);
- no step or task is left unfinished in a finished run;
- the counts add up (steps per run, fan-out tasks per item, completions).

Exits 1 on any violation, printing each.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from soak_flow import MAX_ATTEMPTS, SoakInput, expected_output, flow

from pgflow import deploy, start_flow

HERE = Path(__file__).resolve().parent
STEPS = ("chain_a", "chain_b", "split", "work", "join")

# Test scaffolding in the soak database (not pgflow): the handlers' call log, and
# triggers that record every transition to completed.
SCAFFOLDING = """
CREATE TABLE soak_calls (key text NOT NULL, step text NOT NULL, task_index int NOT NULL,
                         called_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE soak_completions (kind text NOT NULL, run_id uuid NOT NULL, step_slug text NOT NULL,
                               task_index int NOT NULL, attempt int, at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE FUNCTION soak_record_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.soak_completions (kind, run_id, step_slug, task_index, attempt)
  VALUES ('task', NEW.run_id, NEW.step_slug, NEW.task_index, NEW.attempt);
  RETURN NEW;
END $$;
CREATE FUNCTION soak_record_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.soak_completions (kind, run_id, step_slug, task_index)
  VALUES ('step', NEW.run_id, NEW.step_slug, -1);
  RETURN NEW;
END $$;
CREATE TRIGGER soak_task_completed AFTER INSERT OR UPDATE OF status ON pgflow.step_tasks
  FOR EACH ROW WHEN (NEW.status = 'completed') EXECUTE FUNCTION soak_record_task();
CREATE TRIGGER soak_step_completed AFTER INSERT OR UPDATE OF status ON pgflow.step_states
  FOR EACH ROW WHEN (NEW.status = 'completed') EXECUTE FUNCTION soak_record_step();
"""


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


def plan_run(rng: random.Random, index: int, doomed: bool) -> SoakInput:
    items = list(range(rng.randint(0, 6)))
    plan: dict[str, Any] = {}
    for step in STEPS:
        roll = rng.random()
        if roll < 0.25:
            plan[step] = {"fail": rng.randint(1, 2), "slow": 0}
        elif roll < 0.35:
            plan[step] = {"fail": 0, "slow": 1}
        elif roll < 0.45:
            plan[step] = {"fail": 1, "slow": 1}
    if doomed:
        victim = rng.choice([s for s in STEPS if s != "work" or items])
        plan[victim] = {"fail": MAX_ATTEMPTS + 5, "slow": 0}
    return {
        "key": f"run{index:03d}-{uuid.uuid4().hex[:6]}",
        "items": items,
        "plan": plan,
    }


class Workers:
    def __init__(self, dsn: str, concurrency: int) -> None:
        self.dsn = dsn
        self.concurrency = concurrency
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs = Path(tempfile.mkdtemp(prefix="pgflow-soak-logs-"))

    def start(self) -> subprocess.Popen[bytes]:
        number = len(self.processes)
        env = dict(os.environ)
        env.update(
            PGFLOW_DSN=self.dsn,
            SOAK_DSN=self.dsn,
            PYTHONPATH=os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )
        output = (self.logs / f"worker-{number}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable, "-m", "pgflow.cli", "worker", "soak_flow:flow",
                "--concurrency", str(self.concurrency), "--poll-interval", "0.5", "--grace", "5",
                "--worker-id", f"soak-{number}", "--log-level", "WARNING",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=HERE,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def stop_all(self) -> list[str]:
        problems = []
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for number, process in enumerate(self.processes):
            try:
                code = process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                problems.append(f"worker {number} did not stop within 20 s of SIGTERM")
                continue
            if code not in (0, -signal.SIGKILL):
                problems.append(f"worker {number} exited with {code} (see {self.logs}/worker-{number}.log)")
        return problems


def busy_worker(conn: psycopg.Connection[Any], workers: Sequence[subprocess.Popen[bytes]]) -> int | None:
    """The index of a live worker that holds a started task right now."""
    rows = conn.execute("SELECT DISTINCT worker_id FROM pgflow.step_tasks WHERE status = 'started'").fetchall()
    holders = {r[0] for r in rows}
    for number, process in enumerate(workers):
        if process.poll() is None and f"soak-{number}" in holders:
            return number
    return None


def check(conn: psycopg.Connection[Any], runs: dict[str, SoakInput]) -> list[str]:
    violations: list[str] = []

    def fetch(query: str, *params: Any) -> list[tuple[Any, ...]]:
        return conn.execute(query.encode(), params or None).fetchall()

    doomed = {
        run_id
        for run_id, data in runs.items()
        if any(plan["fail"] >= MAX_ATTEMPTS for step, plan in data["plan"].items() if step != "work" or data["items"])
    }
    for run_id, status, output, error in fetch("SELECT run_id::text, status, output, error_message FROM pgflow.runs"):
        data = runs[run_id]
        if run_id in doomed:
            if status != "failed":
                violations.append(f"run {run_id} ({data['key']}) is {status}, expected failed (plan {data['plan']})")
        elif status != "completed":
            violations.append(
                f"run {run_id} ({data['key']}) is {status}, expected completed: {(error or '').splitlines()[:1]} "
                f"(plan {data['plan']})"
            )
        elif output != {"join": expected_output(data)}:
            violations.append(f"run {run_id} output {output}, expected {{'join': {expected_output(data)}}}")

    for kind, run_id, step, index, times in fetch(
        "SELECT kind, run_id, step_slug, task_index, count(*) FROM soak_completions "
        "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1"
    ):
        violations.append(f"{kind} {step}[{index}] of run {run_id} was completed {times} times")

    for run_id, step, status in fetch(
        "SELECT ss.run_id, ss.step_slug, ss.status FROM pgflow.step_states AS ss JOIN pgflow.runs AS r USING (run_id) "
        "WHERE r.status <> 'started' AND ss.status IN ('created', 'started')"
    ):
        violations.append(f"step {step} of finished run {run_id} is stuck {status}")
    for run_id, step, index, status in fetch(
        "SELECT t.run_id, t.step_slug, t.task_index, t.status FROM pgflow.step_tasks AS t "
        "JOIN pgflow.runs AS r USING (run_id) WHERE r.status <> 'started' AND t.status IN ('queued', 'started')"
    ):
        violations.append(f"task {step}[{index}] of finished run {run_id} is stuck {status}")

    # The counts add up.
    for run_id, steps, completed_steps, remaining in fetch(
        "SELECT r.run_id::text, count(ss.step_slug), count(ss.step_slug) FILTER (WHERE ss.status = 'completed'), "
        "r.remaining_steps FROM pgflow.runs AS r JOIN pgflow.step_states AS ss USING (run_id) "
        "WHERE r.status = 'completed' GROUP BY r.run_id"
    ):
        if (steps, completed_steps, remaining) != (len(STEPS), len(STEPS), 0):
            violations.append(
                f"completed run {run_id}: {completed_steps}/{steps} steps completed, remaining_steps {remaining}"
            )
    for run_id, tasks, completed_tasks in fetch(
        "SELECT t.run_id::text, count(*), count(*) FILTER (WHERE t.status = 'completed') FROM pgflow.step_tasks AS t "
        "JOIN pgflow.runs AS r USING (run_id) WHERE r.status = 'completed' AND t.step_slug = 'work' GROUP BY t.run_id"
    ):
        items = len(runs[run_id]["items"])
        if (tasks, completed_tasks) != (items, items):
            violations.append(f"completed run {run_id}: {completed_tasks}/{tasks} work tasks, {items} items")
    [(logged, table)] = fetch(
        "SELECT (SELECT count(*) FROM soak_completions WHERE kind = 'task'), "
        "(SELECT count(*) FROM pgflow.step_tasks WHERE status = 'completed')"
    )
    if logged != table:
        violations.append(f"{logged} task completions were recorded, but {table} tasks are completed")
    for run_id, step, index, attempt in fetch(
        "SELECT a.run_id, a.step_slug, a.task_index, a.attempt FROM pgflow.task_attempts AS a "
        "JOIN pgflow.step_tasks AS t USING (run_id, step_slug, task_index) "
        "WHERE t.status = 'completed' AND a.attempt >= t.attempt"
    ):
        violations.append(
            f"task {step}[{index}] of run {run_id}: failed attempt {attempt} recorded at/after the one that completed"
        )
    return violations


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--waves", type=int, default=6)
    parser.add_argument("--wave-gap", type=float, default=8.0, help="seconds between waves of runs")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--doomed", type=float, default=0.15, help="share of runs planned to fail")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--deadline",
        type=float,
        default=120.0,
        help="seconds to wait for every run to end",
    )
    parser.add_argument("--keep", action="store_true", help="keep the soak database")
    args = parser.parse_args(argv)

    base = os.environ.get("PGFLOW_DSN", "")
    name = f"pgflow_soak_{os.getpid()}"
    with psycopg.connect(make_conninfo(base, dbname="postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    dsn = make_conninfo(base, dbname=name)
    rng = random.Random(args.seed)
    workers = Workers(dsn, args.concurrency)
    violations: list[str] = []
    began = time.monotonic()
    try:
        with psycopg.connect(dsn, autocommit=True, application_name="soak-controller") as conn:
            conn.execute("CREATE EXTENSION pgflow")
            conn.execute(SCAFFOLDING.encode())
            deploy(conn, flow)
            for _ in range(args.workers):
                workers.start()
            log(f"database {name}; {args.workers} workers; {args.runs} runs in {args.waves} waves; seed {args.seed}")

            runs: dict[str, SoakInput] = {}
            per_wave = -(-args.runs // args.waves)
            killed = terminated = False
            next_wave = time.monotonic()
            while len(runs) < args.runs or not (killed and terminated):
                if len(runs) < args.runs and time.monotonic() >= next_wave:
                    for _ in range(min(per_wave, args.runs - len(runs))):
                        index = len(runs)
                        data = plan_run(rng, index, doomed=rng.random() < args.doomed)
                        runs[str(start_flow(conn, flow, data).run_id)] = data
                    log(f"started {len(runs)} runs")
                    next_wave = time.monotonic() + args.wave_gap
                elapsed = time.monotonic() - began
                if not killed and elapsed > 3:
                    victim = busy_worker(conn, workers.processes)
                    if victim is not None:
                        workers.processes[victim].kill()
                        log(f"SIGKILLed worker soak-{victim} while it held tasks; starting a replacement")
                        workers.start()
                        killed = True
                if killed and not terminated and elapsed > 7:
                    count = conn.execute(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND application_name NOT IN ('soak-handler', 'soak-controller')"
                    ).fetchone()
                    log(f"terminated {count[0] if count else 0} worker connections")
                    terminated = True
                if elapsed > args.deadline:
                    violations.append("the chaos phase did not finish (no worker ever held a task?)")
                    break
                time.sleep(0.2)

            deadline = began + args.deadline
            while True:
                [(unfinished,)] = conn.execute("SELECT count(*) FROM pgflow.runs WHERE status = 'started'").fetchall()
                if unfinished == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            if unfinished:
                violations.append(f"{unfinished} runs still started after {args.deadline:.0f} s")
            log(f"runs ended after {time.monotonic() - began:.1f} s; stopping workers")
            violations.extend(workers.stop_all())
            violations.extend(check(conn, runs))
            summary = conn.execute(
                "SELECT (SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM "
                "(SELECT status, count(*) AS n FROM pgflow.runs GROUP BY status) AS s), "
                "(SELECT count(*) FROM soak_calls), (SELECT count(*) FROM pgflow.task_attempts), "
                "(SELECT count(*) FROM soak_completions WHERE kind = 'task')"
            ).fetchone()
            assert summary is not None
            log(
                f"runs: {summary[0]}; handler calls {summary[1]}; failed attempts {summary[2]}; "
                f"task completions {summary[3]}"
            )
    finally:
        for process in workers.processes:
            if process.poll() is None:
                process.kill()
        if not args.keep:
            with psycopg.connect(make_conninfo(base, dbname="postgres"), autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    if violations:
        log(f"FAILED: {len(violations)} violation(s):")
        for violation in violations:
            print(f"  - {violation}")
        return 1
    log(f"passed in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
