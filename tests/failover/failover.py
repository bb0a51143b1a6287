"""Failover test (`make failover`): a primary dies mid-run and its synchronous standby takes over.

    python tests/failover/failover.py [--runs 200] [--workers 3] [--port 5482] [--async] [--keep]
    (environment: FAILOVER_RUNS, FAILOVER_PORT; PG_CONFIG: the install `make install` put pgflow into)

Two clusters of its own (initdb into a temp dir; ports PORT and PORT+1, Unix
sockets only): a primary and a standby made with ``pg_basebackup -R`` that
streams from it, with synchronous replication (``synchronous_standby_names`` on
the primary, ``synchronous_commit = on``; ``--async``: none). Worker processes
(``failover_worker``) and the client reach them through one multi-host DSN
(``host=A,B port=PA,PB target_session_attrs=read-write``). It starts the first
half of the runs (three steps in a chain), stops the primary with ``pg_ctl stop
-m immediate`` while they are in flight, promotes the standby (``pg_ctl
promote``), and starts the second half through the same DSN (the client retries
``start_flow`` with its run_id until the new primary answers: idempotent, so a
start whose commit result was lost is not started twice). Then it checks:

- every run completed, with the right output;
- every completion a worker saw acknowledged (its "ok" line; see
  ``failover_worker``) is the one stored on the new primary: the output names
  the execution that the worker reported (with ``--async`` this may fail: the
  count is printed, and the test does not fail on it);
- every worker process is alive, and completed work again after the promotion.

It prints the runs, the re-executions (tasks with attempt > 1, and handler
executions beyond one per task) and how long each worker needed to resume
(from the promotion to its first acknowledged completion). Exits 1 when a
check fails; the clusters and logs are kept then (and with ``--keep``).
"""

from __future__ import annotations

import argparse
import collections
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from failover_flow import expected_output, flow
from psycopg.conninfo import make_conninfo

from pgflow import client

HERE = Path(__file__).resolve().parent
SETTINGS = """
listen_addresses = ''
max_connections = 100
shared_buffers = 64MB
wal_level = replica
max_wal_senders = 5
log_min_messages = warning
log_line_prefix = '%m [%p] '
"""
RUN_TIMEOUT = 120.0  # seconds for every run to end after the failover


def log(message: str) -> None:
    print(f"[failover {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Server:
    """One cluster of the pair: a data dir, a socket dir and a port; as root it runs as postgres."""

    def __init__(self, name: str, root: Path, bindir: Path, port: int) -> None:
        self.name, self.bindir, self.port = name, bindir, port
        self.data = root / f"{name}-data"
        self.socket_dir = root / name
        self.log_file = root / f"{name}.log"
        self.socket_dir.mkdir()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            self.log_file.touch()
            for path in (self.socket_dir, self.log_file):
                os.chown(path, user.pw_uid, user.pw_gid)

    @property
    def user(self) -> str:
        return "postgres" if self.as_postgres else pwd.getpwuid(os.geteuid()).pw_name

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        result = subprocess.run(argv, check=False, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr.strip()} (see {self.log_file})")
        return result

    def dsn(self, dbname: str) -> str:
        return make_conninfo(host=str(self.socket_dir), port=self.port, dbname=dbname, user=self.user)

    def configure(self, extra: str) -> None:
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"{SETTINGS}port = {self.port}\nunix_socket_directories = '{self.socket_dir}'\n{extra}")

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)


class Pair:
    """The primary and its streaming standby."""

    def __init__(self, port: int, synchronous: bool) -> None:
        pg_config = os.environ.get("PG_CONFIG", "pg_config")
        found = subprocess.run([pg_config, "--bindir"], check=True, capture_output=True, text=True)
        bindir = Path(found.stdout.strip())
        self.root = Path(tempfile.mkdtemp(prefix="pgflow-failover-", dir="/tmp"))  # short socket paths
        os.chmod(self.root, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary = Server("a", self.root, bindir, port)
        self.standby = Server("b", self.root, bindir, port + 1)
        self.synchronous = synchronous

    def create(self) -> None:
        self.primary.run("initdb", "-D", str(self.primary.data), "-A", "trust", "--no-sync")
        # The primary waits for the standby's flush of each commit (synchronous_commit = on, the default).
        self.primary.configure("synchronous_standby_names = 'standby'\n" if self.synchronous else "")
        self.primary.start()
        source = ["-h", str(self.primary.socket_dir), "-p", str(self.primary.port), "-U", self.primary.user]
        self.standby.run("pg_basebackup", "-D", str(self.standby.data), "-R", "-X", "stream", "-c", "fast", *source)
        # The copy of the primary's settings, overridden: its own port and socket, named "standby"
        # (its walreceiver's application_name), and, once promoted, no synchronous standby to wait for.
        self.standby.configure("cluster_name = 'standby'\nsynchronous_standby_names = ''\n")
        self.standby.start()
        deadline = time.monotonic() + 30
        wanted = "sync" if self.synchronous else "async"
        with psycopg.connect(self.primary.dsn("postgres"), autocommit=True) as conn:
            while True:
                row = conn.execute(
                    "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'"
                ).fetchone()
                if row is not None and row[0] == wanted:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the standby did not stream ({wanted}) within 30 s: {row}")
                time.sleep(0.2)

    def multi_host_dsn(self, dbname: str) -> str:
        return make_conninfo(
            host=f"{self.primary.socket_dir},{self.standby.socket_dir}",
            port=f"{self.primary.port},{self.standby.port}",
            dbname=dbname,
            user=self.primary.user,
            target_session_attrs="read-write",
            connect_timeout=3,
        )

    def stop(self) -> None:
        self.standby.stop()
        self.primary.stop()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def start_batch(dsn: str, ns: range) -> dict[int, uuid.UUID]:
    """Start a run per n in one call (idempotency keys: a retry after a lost commit starts nothing twice)."""
    while True:
        try:
            runs = client.start_flows(dsn, flow, [{"n": n} for n in ns], idempotency_keys=[f"n{n}" for n in ns])
            return {n: run.run_id for n, run in zip(ns, runs, strict=True)}
        except psycopg.OperationalError as error:
            log(f"start_flows: {str(error).strip().splitlines()[-1]}; retrying")
            time.sleep(0.5)


def start_runs(dsn: str, ns: range, run_ids: dict[int, uuid.UUID]) -> None:
    """Start a run per n, retrying each while no read-write server answers (same run_id: idempotent)."""
    for n in ns:
        while True:
            try:
                client.start_flow(dsn, flow, {"n": n}, run_id=run_ids[n])
                break
            except psycopg.OperationalError as error:
                log(f"start_flow of run {n}: {str(error).strip().splitlines()[-1]}; retrying")
                time.sleep(0.5)


def wait_for_line(path: Path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path.name} does not say {text!r} within {timeout:.0f} s")
        time.sleep(0.1)


def completed_tasks(dsn: str) -> int:
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
            row = conn.execute("SELECT count(*) FROM pgflow.step_tasks WHERE status = 'completed'").fetchone()
            return int(row[0]) if row else 0
    except psycopg.OperationalError:
        return 0


def read_events(events_dir: Path) -> dict[str, list[list[str]]]:
    """Per worker process (events file name): its lines, split, in order."""
    return {
        path.stem: [line.split() for line in path.read_text().splitlines() if line.strip()]
        for path in sorted(events_dir.glob("*.events"))
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=int(os.environ.get("FAILOVER_RUNS", "200")))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAILOVER_PORT", "5482")))
    parser.add_argument("--async", dest="asynchronous", action="store_true", help="asynchronous replication")
    parser.add_argument("--keep", action="store_true", help="keep the clusters and logs")
    args = parser.parse_args()

    pair = Pair(args.port, synchronous=not args.asynchronous)
    events_dir = pair.root / "events"
    events_dir.mkdir()
    workers: list[subprocess.Popen[str]] = []
    ok = False
    try:
        log(f"primary and standby in {pair.root} ({'asynchronous' if args.asynchronous else 'synchronous'})")
        pair.create()
        with psycopg.connect(pair.primary.dsn("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE failover")
        with psycopg.connect(pair.primary.dsn("failover"), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pgflow")
        dsn = pair.multi_host_dsn("failover")
        client.deploy(dsn, flow)

        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        for index in range(args.workers):
            worker_env = dict(env, FAILOVER_EVENTS=str(events_dir / f"worker{index}.events"))
            output = (pair.root / f"worker{index}.log").open("w")
            workers.append(
                subprocess.Popen(
                    [sys.executable, str(HERE / "failover_worker.py"), dsn],
                    env=worker_env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )

        for index in range(args.workers):  # every worker serving first
            wait_for_line(pair.root / f"worker{index}.log", "serving 3 step(s)")
        half = args.runs // 2
        run_ids = start_batch(dsn, range(half))
        run_ids.update({n: uuid.uuid4() for n in range(half, args.runs)})
        log(f"started {half} runs in one call; {args.workers} worker processes")
        # Kill the primary while runs are in flight: after 30% of the first half's tasks completed.
        deadline = time.monotonic() + 60
        while completed_tasks(pair.primary.dsn("failover")) < max(1, half * 3 // 10):
            if time.monotonic() > deadline:
                raise RuntimeError("the workers completed too little within 60 s")
            time.sleep(0.1)
        before = completed_tasks(pair.primary.dsn("failover"))
        pair.primary.stop("immediate")
        killed_at = time.time()
        log(f"primary stopped (immediate) after {before} completed tasks of {half * 3}")
        time.sleep(1.0)  # a failover is not instantaneous: workers find no read-write server meanwhile
        pair.standby.run("pg_ctl", "-D", str(pair.standby.data), "-w", "promote")
        promoted_at = time.time()
        log(f"standby promoted {promoted_at - killed_at:.1f} s after the crash")
        start_runs(dsn, range(half, args.runs), run_ids)
        log(f"started {args.runs - half} more runs through the same DSN")

        new_primary = pair.standby.dsn("failover")
        deadline = time.monotonic() + RUN_TIMEOUT
        with psycopg.connect(new_primary, autocommit=True) as conn:
            while True:
                row = conn.execute("SELECT count(*) FROM pgflow.runs WHERE status = 'started'").fetchone()
                left = int(row[0]) if row else 0
                total = conn.execute("SELECT count(*) FROM pgflow.runs").fetchone()
                if left == 0 and total is not None and total[0] == args.runs:
                    break
                if time.monotonic() > deadline:
                    log(f"{left} run(s) still started after {RUN_TIMEOUT:.0f} s")
                    break
                time.sleep(0.5)
            ok = report(conn, args, run_ids, read_events(events_dir), workers, promoted_at, killed_at)
    finally:
        for process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in workers:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        pair.stop()
        if ok and not args.keep:
            pair.remove()
        else:
            log(f"kept {pair.root} (clusters, worker logs, events)")
    return 0 if ok else 1


def report(
    conn: psycopg.Connection[Any],
    args: argparse.Namespace,
    run_ids: dict[int, uuid.UUID],
    events: dict[str, list[list[str]]],
    workers: list[subprocess.Popen[str]],
    promoted_at: float,
    killed_at: float,
) -> bool:
    failures: list[str] = []
    runs = {
        row[0]: (row[1], row[2])
        for row in conn.execute("SELECT run_id, status, output FROM pgflow.runs WHERE flow_slug = 'failover'")
    }
    by_status = collections.Counter(status for status, _ in runs.values())
    wrong = [
        n
        for n, run_id in run_ids.items()
        if runs.get(run_id, (None, None))[0] != "completed"
        or (runs[run_id][1] or {}).get("c", {}).get("v") != expected_output(n)
    ]
    if wrong:
        failures.append(f"{len(wrong)} run(s) not completed with the right output (e.g. n = {wrong[:5]})")

    stored = {
        (str(row[0]), row[1]): row[2]
        for row in conn.execute("SELECT run_id, step_slug, output ->> 'execution' FROM pgflow.step_states")
    }
    # Acknowledged: the worker's last execution of that (run, step) before its "ok" line.
    acknowledged = lost = 0
    lost_examples: list[str] = []
    executions: collections.Counter[tuple[str, str]] = collections.Counter()
    resume: dict[str, float | None] = {}
    for worker, lines in events.items():
        last_execution: dict[tuple[str, str], str] = {}
        resume[worker] = None
        for line in lines:
            at, kind, run_id, step = float(line[0]), line[1], line[2], line[3]
            if kind == "exec":
                last_execution[(run_id, step)] = line[5]
                executions[(run_id, step)] += 1
            elif kind == "ack":
                acknowledged += 1
                if stored.get((run_id, step)) != last_execution.get((run_id, step)):
                    lost += 1
                    lost_examples.append(f"{worker}: run {run_id} step {step}")
                if at > promoted_at and resume[worker] is None:
                    resume[worker] = at - promoted_at
    if lost and not args.asynchronous:
        failures.append(f"{lost} acknowledged completion(s) lost: {lost_examples[:5]}")
    for worker, seconds in resume.items():
        if seconds is None:
            failures.append(f"{worker} completed nothing after the promotion")
    dead = [index for index, process in enumerate(workers) if process.poll() is not None]
    if dead:
        failures.append(f"worker process(es) {dead} died")

    retried = conn.execute(
        "SELECT count(*), coalesce(sum(attempt - 1), 0) FROM pgflow.step_tasks WHERE attempt > 1"
    ).fetchone()
    assert retried is not None
    extra_executions = sum(count - 1 for count in executions.values() if count > 1)

    print()
    print(f"  runs                              {len(run_ids)} ({', '.join(f'{v} {k}' for k, v in by_status.items())})")
    print(f"  right outputs                     {len(run_ids) - len(wrong)} of {len(run_ids)}")
    print(f"  tasks re-executed (attempt > 1)   {retried[0]} ({retried[1]} extra attempt(s))")
    print(f"  handler executions beyond one     {extra_executions}")
    print(f"  acknowledged completions          {acknowledged}")
    print(f"  ... lost on the new primary       {lost}" + (" (asynchronous replication)" if args.asynchronous else ""))
    print("  resumed after the promotion (s)   " + ", ".join(
        f"{w} {s:.1f}" if s is not None else f"{w} never" for w, s in resume.items()
    ))  # fmt: skip
    print(f"  promotion, after the crash (s)    {promoted_at - killed_at:.1f}")
    print()
    for failure in failures:
        log(f"FAILED: {failure}")
    if not failures:
        log("every run completed, no acknowledged completion lost, every worker resumed")
    return not failures


if __name__ == "__main__":
    sys.exit(main())
