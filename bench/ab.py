"""A/B of two builds of the extension on one server, alternated in one run.

The machine is shared, so single figures drift by 2x between minutes; this runs
each regime of issue 11's table on build A, then B, then A, then B ... and
`pgbench -N -c 4` next to each, so every pair is measured at the same moment.

    python bench/ab.py BEFORE.sql [rounds]      (default 2 rounds)

BEFORE.sql is the "before" build's pgflow--0.2.sql (e.g. `git show
481cae3:pgflow--0.2.sql > /tmp/before.sql`); it is installed into the server's
extension directory as version 0.2ab_before. "after" is the installed 0.2
(`make install`). Databases pgflow_ab_before / pgflow_ab_after (recreated).
BENCH_QUICK=1 uses the quick sizes. Besides each figure it prints the wait
events of the database's active backends (samples every ~2 ms; "CPU" = not
waiting) and the CPU seconds the backends, the Python worker processes and the
producer used (/proc), and what the rest of the machine used meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any, Self

HERE = Path(__file__).resolve().parent
CLK = os.sysconf("SC_CLK_TCK")


class CpuSampler:
    """CPU seconds by kind of process, from /proc, sampled every 50 ms so processes
    that exit within the interval (the worker processes) are counted too."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.t0 = self.t1 = 0.0
        self.total0 = self.total1 = 0.0

    @staticmethod
    def machine() -> float:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
        return (
            int(fields[0]) + int(fields[1]) + int(fields[2])
        ) / CLK  # user + nice + system

    def kind(self, pid: int) -> str | None:
        try:
            cmd = (
                Path(f"/proc/{pid}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
            )
        except OSError:
            return None
        if pid == os.getpid():
            return "producer (bench client)"
        if cmd.startswith("postgres: ") and f" {self.db} " in cmd:
            return "backends"
        if "pgflow.cli worker" in cmd:
            return "python workers"
        if (
            "ab.py --child" in cmd
            or "multiprocessing" in cmd
            and str(os.getpid()) in cmd
        ):
            return "bench client"
        return None

    def snap(self, initial: bool) -> None:
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            pid = int(d)
            try:
                parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            cpu = (int(parts[11]) + int(parts[12])) / CLK
            if pid not in self.last:
                k = self.kind(pid)
                if k is None:
                    continue
                self.first[pid] = cpu if initial else 0.0
                self.last[pid] = (k, cpu)
            else:
                self.last[pid] = (self.last[pid][0], cpu)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.snap(False)
            time.sleep(0.05)

    def __enter__(self) -> Self:
        self.t0, self.total0 = time.perf_counter(), self.machine()
        self.snap(True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.snap(False)
        self.t1, self.total1 = time.perf_counter(), self.machine()

    def result(self) -> dict[str, float]:
        out: Counter[str] = Counter()
        for pid, (k, cpu) in self.last.items():
            out[k] += cpu - self.first[pid]
        ours = sum(out.values())
        out["wall s"] = self.t1 - self.t0
        out["machine (all processes)"] = self.total1 - self.total0
        out["rest of the machine"] = self.total1 - self.total0 - ours
        return {k: round(v, 2) for k, v in out.items()}


class EventSampler:
    """wait_event_type:wait_event of the database's active client backends, every ~2 ms."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.events: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.is_set():
                for (ev,) in conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity"
                    " WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
                    " AND backend_type = 'client backend'"
                ).fetchall():
                    self.events[ev] += 1
                time.sleep(0.002)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def result(self) -> dict[str, str]:
        n = sum(self.events.values()) or 1
        return {k: f"{100 * v / n:.1f}%" for k, v in self.events.most_common(8)}


def child(regime: str) -> None:
    """Runs one regime against BENCH_DB and prints its figures as JSON."""
    sys.path.insert(0, str(HERE))
    import importlib

    bench = importlib.import_module("bench")  # before contention, which imports it
    contention = importlib.import_module("contention")

    db = os.environ["BENCH_DB"]
    out: dict[str, Any] = {}
    with EventSampler(bench.DSN) as events, CpuSampler(db) as cpu:
        if regime == "complete":
            with bench.connect() as conn:
                bench.reset_runs(conn)
            out["tasks/s"] = contention.drain_flow(
                contention.CHAIN_SLUG, bench.SIZES["drain_runs"], 4, 10
            )
        elif regime == "live":
            out.update(contention.python_workers_live_vs_prestarted())
        elif regime == "latency":
            lat = sorted(contention.python_worker_latency())
            out["p50 ms"] = lat[len(lat) // 2]
    out["waits"] = events.result()
    out["cpu s"] = cpu.result()
    print(json.dumps(out))


def pgbench(db: str, seconds: int) -> float:
    r = subprocess.run(
        [
            "pgbench",
            "-N",
            "-n",
            "-M",
            "prepared",
            "-c",
            "4",
            "-j",
            "4",
            "-T",
            str(seconds),
            db,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", r.stdout)
    return float(m.group(1)) if m else float("nan")


def main() -> None:
    import psycopg

    before_sql = Path(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    sharedir = subprocess.run(
        [os.environ.get("PG_CONFIG", "pg_config"), "--sharedir"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    shutil.copy(before_sql, Path(sharedir) / "extension" / "pgflow--0.2ab_before.sql")
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    variants = {"before": "0.2ab_before", "after": "0.2"}
    flows = [
        (
            "bench_chain",
            [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}],
        ),
    ]
    with psycopg.connect("dbname=postgres", autocommit=True) as admin:
        for name, version in [*variants.items(), ("pgbench", None)]:
            db = f"pgflow_ab_{name}"
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (db,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
            admin.execute(f'CREATE DATABASE "{db}"')
            if version is None:
                subprocess.run(
                    ["pgbench", "-i", "-q", "-s", "4", db],
                    check=True,
                    capture_output=True,
                )
                continue
            with psycopg.connect(f"dbname={db}", autocommit=True) as conn:
                conn.execute(f"CREATE EXTENSION pgflow VERSION '{version}'")
                for slug, steps in flows:
                    conn.execute(
                        "SELECT pgflow.define_flow(%s::jsonb)",
                        (json.dumps({"slug": slug, "steps": steps}),),
                    )
    results: dict[str, dict[str, list[Any]]] = {}
    for rnd in range(rounds):
        for regime in ("complete", "live", "latency"):
            order = list(variants) if rnd % 2 == 0 else list(reversed(variants))
            for name in order:
                env = dict(os.environ, BENCH_DB=f"pgflow_ab_{name}")
                pgb = pgbench("pgflow_ab_pgbench", 2 if quick else 5)
                r = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--child", regime],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if r.returncode != 0:
                    print(
                        f"round {rnd + 1} {regime} {name}: failed:\n{r.stderr[-3000:]}",
                        flush=True,
                    )
                    continue
                fig = json.loads(r.stdout.strip().splitlines()[-1])
                fig["pgbench -N -c 4 tps (just before)"] = pgb
                results.setdefault(regime, {}).setdefault(name, []).append(fig)
                print(f"round {rnd + 1} {regime} {name}: {json.dumps(fig)}", flush=True)
    print("\nsummary")
    for regime, by in results.items():
        for name, figs in by.items():
            for f in figs:
                pgb = f["pgbench -N -c 4 tps (just before)"]
                if regime == "complete":
                    line = f"{f['tasks/s']:.0f} tasks/s = {f['tasks/s'] / pgb:.2f}x pgbench {pgb:.0f}"
                elif regime == "live":
                    line = (
                        f"live {f['live_wf_s']:.0f} vs pre-started {f['prestarted_wf_s']:.0f} wf/s ="
                        f" {f['live_wf_s'] / f['prestarted_wf_s']:.2f}; producer {f['producer_live_s']:.2f} s with"
                        f" workers vs {f['producer_alone_s']:.2f} s alone = {f['producer_live_s'] / f['producer_alone_s']:.2f}x"
                        f" (pgbench {pgb:.0f})"
                    )
                else:
                    line = f"p50 {f['p50 ms']:.1f} ms (pgbench {pgb:.0f})"
                print(f"{regime:9} {name:7} {line}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
