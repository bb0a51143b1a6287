"""Chaos suite (`make chaos`): pgflow as a user's production would see it when things break.

    python tests/chaos/chaos.py [--runs 300] [--quick] [--seed 1] [--port 5450] [--keep]
    (environment: CHAOS_RUNS, CHAOS_QUICK=1, CHAOS_SEED, CHAOS_PORT, CHAOS_HOSTILE; PG_CONFIG: the install)

On a PostgreSQL cluster of its own (initdb into a temp dir, its own port and
socket; binaries of ``$PG_CONFIG --bindir``, where ``make install`` put pgflow),
it deploys the diamond and fan-out flows of ``chaos_flow``, starts 4
``pgflow worker`` processes and starts runs in waves, while it:

- crashes the server: ``pg_ctl stop -m immediate`` three times (twice with
  --quick) and a SIGKILL of the postmaster, each followed by a restart with
  crash recovery (once, in the full run, after a 15 s outage); the workers
  must reconnect by themselves;
- SIGKILLs workers that hold tasks (and starts replacements), SIGSTOPs one past
  its lease and resumes it (SIGCONT), and terminates every worker connection
  (``pg_terminate_backend``);
- cancels a few runs; a few others are doomed (a step that always fails);
  with --hostile SHARE (CHAOS_HOSTILE), that share of handler executions
  misbehaves (SystemExit, KeyboardInterrupt, ..., see ``chaos_flow``).

Handlers log every execution to per-process files outside the database (see
``chaos_flow``). Then it checks (``chaos_verify``) and prints a summary table:
every run ended as its plan says; each stored output is the one the final
attempt reported (same execution, attempt and worker as ``step_tasks``); no
completion was applied twice; every worker claimed again within 10 s of each
restart (and how long it took); handler re-executions (at-least-once is the contract); and worker
processes that died on their own (must be 0). Exits 1 if any invariant fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psycopg
from chaos_cluster import Cluster
from chaos_flow import TIMEOUT, ChaosInput, diamond, fanout
from chaos_verify import Plan, Restart, WorkerProcess, read_executions, snapshot, verify
from psycopg.types.json import Jsonb

from pgflow import deploy

HERE = Path(__file__).resolve().parent
WORKERS = 4
CONCURRENCY = 8
STOP_SECONDS = TIMEOUT + 3  # a SIGSTOPped worker stays stopped past its lease
LONG_OUTAGE = 15.0  # seconds the server stays down once in the full run

# (seconds into the chaos phase, action). Load runs until the last entry, which comes more than
# RECONNECT_LIMIT after the last crash: every worker must have work to claim after each restart.
FULL_SCHEDULE = [
    (4, "terminate"), (8, "kill_worker"), (14, "crash_immediate"), (24, "stop_worker"),
    (34, "crash_immediate"), (42, "kill_worker"), (46, "terminate"), (52, "crash_sigkill"),
    (62, "stop_worker"), (72, "crash_immediate_long"), (92, "kill_worker"), (96, "terminate"), (104, "end"),
]  # fmt: skip
QUICK_SCHEDULE = [
    (3, "terminate"), (6, "kill_worker"), (10, "crash_immediate"), (17, "stop_worker"),
    (26, "crash_sigkill"), (30, "kill_worker"), (34, "crash_immediate"), (48, "end"),
]  # fmt: skip


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Harness:
    """The harness's own connection to the chaos database; every call survives the crashes it causes."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: psycopg.Connection[Any] | None = None

    def call(self, work: Callable[[psycopg.Connection[Any]], Any], patience: float = 60.0) -> Any:
        """Run ``work`` on a live connection, reconnecting and retrying until ``patience`` runs out.

        ``work`` must be safe to repeat: a call cut by a crash may or may not have committed.
        """
        deadline = time.monotonic() + patience
        while True:
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = psycopg.connect(self.dsn, autocommit=True, application_name="chaos-harness")
                return work(self.conn)
            except psycopg.OperationalError:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def rows(self, query: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        result: list[tuple[Any, ...]] = self.call(lambda conn: conn.execute(query.encode(), params).fetchall())
        return result


@dataclass
class Workers:
    """Four slots of `pgflow worker` processes; a replacement gets a new worker id (slot and generation)."""

    dsn: str
    log_dir: Path
    hostile: str  # CHAOS_HOSTILE for the handlers: the share of executions that misbehave
    processes: list[WorkerProcess] = field(default_factory=list)

    def start(self, slot: int) -> WorkerProcess:
        generation = sum(1 for p in self.processes if p.slot == slot)
        worker_id = f"chaos-{slot}-{generation}"
        env = dict(os.environ, CHAOS_WORKER_ID=worker_id, CHAOS_LOG_DIR=str(self.log_dir), CHAOS_HOSTILE=self.hostile)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
        output = (self.log_dir / f"{worker_id}.log").open("wb")
        popen = subprocess.Popen(
            [
                sys.executable, "-m", "pgflow.cli", "worker", "chaos_flow:diamond", "chaos_flow:fanout",
                "--dsn", self.dsn, "--worker-id", worker_id, "--concurrency", str(CONCURRENCY),
                "--poll-interval", "0.5", "--grace", "5", "--log-level", "WARNING",
            ],
            env=env, stdout=output, stderr=subprocess.STDOUT, cwd=HERE,
        )  # fmt: skip
        process = WorkerProcess(slot, worker_id, popen, started=time.time())
        self.processes.append(process)
        return process

    def live(self) -> list[WorkerProcess]:
        return [p for p in self.processes if p.ended is None]

    def reap(self) -> list[WorkerProcess]:
        """Workers that exited on their own since the last look: each is a death, replaced at once."""
        died = []
        for process in self.live():
            if process.popen.poll() is not None:
                process.ended, process.end_reason = (
                    time.time(),
                    f"died (exit {process.popen.returncode})",
                )
                died.append(process)
                self.start(process.slot)
        return died

    def kill(self, process: WorkerProcess) -> None:
        process.ended, process.end_reason = time.time(), "SIGKILL (harness)"
        process.popen.kill()
        process.popen.wait()
        self.start(process.slot)

    def stop_all(self) -> list[str]:
        problems = []
        for process in self.live():
            process.popen.send_signal(signal.SIGCONT)
            process.popen.send_signal(signal.SIGTERM)
        for process in self.live():
            try:
                code = process.popen.wait(30)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                problems.append(f"worker {process.worker_id} did not stop within 30 s of SIGTERM")
                code = None
            process.ended, process.end_reason = (
                time.time(),
                f"SIGTERM (harness), exit {code}",
            )
            if code is not None and code != 0:
                problems.append(f"worker {process.worker_id} exited with {code} on SIGTERM")
        return problems


class Chaos:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.cluster = Cluster(args.port)
        self.log_dir = self.cluster.root / "logs"
        self.log_dir.mkdir()
        self.dsn = self.cluster.dsn("chaos")
        self.harness = Harness(self.dsn)
        self.workers = Workers(self.dsn, self.log_dir, str(args.hostile))
        self.plans: dict[str, Plan] = {}
        self.restarts: list[Restart] = []
        self.deaths: list[str] = []
        self.counts: dict[str, int] = {}
        self.pending_cancels: list[tuple[float, str]] = []
        self.stopped: list[tuple[float, WorkerProcess]] = []

    def setup(self) -> None:
        self.cluster.init()
        self.cluster.start()
        with psycopg.connect(self.cluster.dsn(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE chaos")
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pgflow")
            conn.execute((HERE / "transitions.sql").read_bytes())
            deploy(conn, diamond)
            deploy(conn, fanout)
        for slot in range(WORKERS):
            self.workers.start(slot)

    # -- load ------------------------------------------------------------------------------------

    def start_runs(self, count: int) -> None:
        for _ in range(count):
            run_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            kind = self.rng.choice(("diamond", "fanout"))
            steps = ("a", "b", "c", "d") if kind == "diamond" else ("split", "work", "join")
            roll = self.rng.random()
            doom = self.rng.choice(steps) if roll < 0.04 else None
            data: ChaosInput = {
                "run_id": run_id,
                "seed": self.rng.randrange(1 << 30),
                "items": self.rng.randint(5, 20) if kind == "fanout" else 0,
                "doom": doom,
            }
            self.plans[run_id] = Plan(kind, data, cancel=None if 0.04 <= roll < 0.08 else "no")
            slug = (diamond if kind == "diamond" else fanout).slug
            # Idempotent on run_id: a start cut by a crash is simply repeated.
            self.harness.rows("SELECT pgflow.start_flow(%s, %s, %s::uuid)", (slug, Jsonb(data), run_id))
            if self.plans[run_id].cancel is None:
                self.pending_cancels.append((time.monotonic() + self.rng.uniform(0.1, 1.5), run_id))

    def cancel_due(self) -> None:
        now = time.monotonic()
        for due, run_id in [c for c in self.pending_cancels if c[0] <= now]:
            self.pending_cancels.remove((due, run_id))
            [(status,)] = self.harness.rows("SELECT status FROM pgflow.cancel_run(%s::uuid, 'chaos')", (run_id,))
            self.plans[run_id].cancel = status  # cancelled, or how the run had ended already
            self.counts["cancel_run calls"] = self.counts.get("cancel_run calls", 0) + 1

    # -- chaos -----------------------------------------------------------------------------------

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def busy_worker(self) -> WorkerProcess:
        """A live, running worker that holds a started task (any live one if none does)."""
        holders = {r[0] for r in self.harness.rows("SELECT worker_id FROM pgflow.step_tasks WHERE status = 'started'")}
        stopped = {id(p) for _, p in self.stopped}
        candidates = [p for p in self.workers.live() if id(p) not in stopped]
        busy = [p for p in candidates if p.worker_id in holders]
        return self.rng.choice(busy or candidates)

    def crash(self, kind: str) -> None:
        down = time.time()
        long = kind.endswith("_long")
        kind = kind.removesuffix("_long")
        if kind == "crash_sigkill":
            self.cluster.crash_sigkill()
        else:
            self.cluster.crash_immediate()
        if self.harness.conn is not None:
            self.harness.conn.close()
        # The outage: a restart, or (once in the full run) a longer one, as a failover would be.
        time.sleep(LONG_OUTAGE if long else self.rng.uniform(0.5, 2.0))
        up = self.cluster.start()
        stopped = [id(s) for _, s in self.stopped]
        alive = [p.worker_id for p in self.workers.live() if id(p) not in stopped]
        [(queued, leased)] = self.harness.rows(
            "SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'started') "
            "FROM pgflow.step_tasks"
        )
        self.restarts.append(Restart(kind, down, up, alive, f"{queued} queued, {leased} leased"))
        self.count(kind)
        log(f"{kind}: server down {up - down:.1f} s, recovered; tasks {queued} queued, {leased} leased")

    def act(self, action: str) -> None:
        if action.startswith("crash_"):
            self.crash(action)
        elif action == "kill_worker":
            victim = self.busy_worker()
            self.workers.kill(victim)
            self.count("worker SIGKILL")
            log(f"SIGKILLed worker {victim.worker_id}; replacement started")
        elif action == "stop_worker":
            victim = self.busy_worker()
            victim.popen.send_signal(signal.SIGSTOP)
            self.stopped.append((time.monotonic() + STOP_SECONDS, victim))
            self.count("worker SIGSTOP/SIGCONT")
            log(f"SIGSTOPped worker {victim.worker_id} for {STOP_SECONDS} s (lease {TIMEOUT} s)")
        elif action == "terminate":
            self.wait_for_connections()
            [(n,)] = self.harness.rows(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'chaos-harness'"
            )
            self.counts["connections terminated"] = self.counts.get("connections terminated", 0) + n
            self.count("pg_terminate_backend rounds")
            log(f"terminated {n} worker connections")

    def wait_for_connections(self) -> None:
        """Until every live worker has its connections (LISTEN and pool), for at most 10 s."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            [(n,)] = self.harness.rows(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND application_name <> 'chaos-harness'"
            )
            if n >= 2 * len(self.workers.live()):
                return
            time.sleep(0.1)

    def resume_due(self) -> None:
        now = time.monotonic()
        for due, process in [s for s in self.stopped if s[0] <= now]:
            self.stopped.remove((due, process))
            process.popen.send_signal(signal.SIGCONT)
            log(f"SIGCONT to worker {process.worker_id}")

    def watch(self) -> None:
        for process in self.workers.reap():
            tail = (self.log_dir / f"{process.worker_id}.log").read_text(errors="replace").splitlines()[-5:]
            self.deaths.append(f"worker {process.worker_id} {process.end_reason}; its log ends: {' | '.join(tail)}")
            log(f"worker {process.worker_id} DIED on its own: {process.end_reason}; replacement started")

    def run(self) -> int:
        args = self.args
        schedule = QUICK_SCHEDULE if args.quick else FULL_SCHEDULE
        if args.schedule:
            schedule = [(int(at), action) for at, action in (e.split(":") for e in args.schedule.split(","))]
        load_seconds = schedule[-1][0]
        began = time.monotonic()
        self.setup()
        log(f"cluster {self.cluster.root} port {args.port}; {WORKERS} workers x {CONCURRENCY}; "
            f"{args.runs} runs over {load_seconds} s; seed {args.seed}")  # fmt: skip
        chaos_began = time.monotonic()
        events = list(schedule)
        started_waves = 0
        waves = load_seconds // 2
        while events or self.stopped or self.pending_cancels:
            elapsed = time.monotonic() - chaos_began
            if started_waves < waves and elapsed >= started_waves * 2:
                target = args.runs * (started_waves + 1) // waves
                self.start_runs(target - len(self.plans))
                started_waves += 1
            if events and elapsed >= events[0][0]:
                _, action = events.pop(0)
                if action != "end":
                    self.act(action)
            self.resume_due()
            self.cancel_due()
            self.watch()
            time.sleep(0.1)
        if len(self.plans) < args.runs:
            self.start_runs(args.runs - len(self.plans))
        log(f"chaos phase over after {time.monotonic() - chaos_began:.0f} s; {len(self.plans)} runs started")

        deadline = time.monotonic() + args.deadline
        while True:
            self.watch()
            [(unfinished,)] = self.harness.rows("SELECT count(*) FROM pgflow.runs WHERE status = 'started'")
            if unfinished == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        log(f"{unfinished} runs unfinished; stopping workers")
        problems = self.workers.stop_all()
        if unfinished:
            problems.append(f"{unfinished} runs still started {args.deadline:.0f} s after the chaos phase")
        report = (self.cluster.root / "report.txt").open("w")
        with report, contextlib.redirect_stdout(_Tee(sys.stdout, report)):
            failed = self.verify(problems)
        log(f"{'FAILED' if failed else 'passed'} in {time.monotonic() - began:.0f} s (logs: {self.log_dir})")
        return 1 if failed else 0

    def verify(self, problems: list[str]) -> bool:
        return verify(
            snapshot(self.harness.rows),
            read_executions(self.log_dir),
            plans=self.plans,
            workers=self.workers.processes,
            restarts=self.restarts,
            deaths=self.deaths,
            counts=self.counts,
            problems=problems,
        )

    def close(self, keep: bool) -> None:
        for process in self.workers.live():
            process.popen.send_signal(signal.SIGCONT)
            process.popen.kill()
        if self.harness.conn is not None:
            self.harness.conn.close()
        self.cluster.stop()
        if keep:
            log(f"kept the cluster and the logs in {self.cluster.root}")
        else:
            self.cluster.remove()


class _Tee:
    """The summary goes to stdout and to report.txt in the cluster's directory (kept when a check fails)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", default=env("CHAOS_QUICK", "") not in ("", "0"))
    parser.add_argument("--runs", type=int, default=int(env("CHAOS_RUNS") or "0") or None)
    parser.add_argument("--seed", type=int, default=int(env("CHAOS_SEED") or "1"))
    parser.add_argument("--port", type=int, default=int(env("CHAOS_PORT") or "5450"))
    parser.add_argument(
        "--deadline",
        type=float,
        default=120.0,
        help="seconds for the runs to end after the chaos",
    )
    parser.add_argument("--keep", action="store_true", help="keep the cluster and the logs")
    parser.add_argument(
        "--hostile",
        type=float,
        default=float(env("CHAOS_HOSTILE") or 0),
        help="share of handler executions that misbehave (SystemExit, KeyboardInterrupt, ...; default 0)",
    )
    parser.add_argument(
        "--schedule",
        help="to reproduce a finding: SECONDS:ACTION,... (actions: crash_immediate[_long], crash_sigkill, "
        "kill_worker, stop_worker, terminate; the last one is end), e.g. 4:stop_worker,20:crash_immediate,30:end",
    )
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 80 if args.quick else 300
    chaos = Chaos(args)
    status = 1
    try:
        status = chaos.run()
    finally:
        chaos.close(keep=args.keep or status != 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
