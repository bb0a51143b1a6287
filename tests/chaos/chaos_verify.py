"""The chaos suite's checks, run after the chaos: the database against the handlers' execution logs.

Each invariant collects its violations; the summary table says how many each
has, the figures (crashes, kills, re-executions, reconnect times) follow, and
the violations are listed (the first 20 of each). ``verify`` returns whether
any invariant failed.
"""

from __future__ import annotations

import collections
import json
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaos_flow import DIAMOND, FANOUT, ChaosInput, expected_values

# Seconds from "server up" to a worker's first claim: the worker's reconnect backoff plus a poll interval
# fit well within it; work is there (runs start every 2 s during the chaos).
RECONNECT_LIMIT = 10.0

Task = tuple[str, str, int]  # run id, step, task index


@dataclass
class Plan:
    kind: str  # diamond | fanout
    data: ChaosInput
    cancel: str | None  # "no": never cancelled; else what cancel_run returned (None: not yet called)

    def expected_status(self) -> str:
        if self.data["doom"]:
            return "failed"
        return "cancelled" if self.cancel == "cancelled" else "completed"


@dataclass
class WorkerProcess:
    slot: int
    worker_id: str
    popen: subprocess.Popen[bytes]
    started: float
    ended: float | None = None
    end_reason: str | None = None


@dataclass
class Restart:
    kind: str
    down: float
    up: float
    alive: list[str]  # worker ids running (not stopped) across the restart
    backlog: str = ""  # the tasks there were to claim when the server came back


def read_executions(log_dir: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted(log_dir.glob("exec-*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():  # a SIGKILL cannot cut an O_APPEND write, but be plain about a torn line
                records.append(json.loads(line))
    return records


class Report:
    def __init__(self) -> None:
        self.invariants: dict[str, list[str]] = {}
        self.figures: list[tuple[str, str]] = []

    def check(self, name: str) -> list[str]:
        return self.invariants.setdefault(name, [])

    def figure(self, name: str, value: object) -> None:
        self.figures.append((name, str(value)))

    def print(self) -> bool:
        width = max(len(n) for n in [*self.invariants, *(f for f, _ in self.figures)]) + 2
        print("\n" + "invariant".ljust(width) + "result")
        print("-" * (width + 24))
        for name, violations in self.invariants.items():
            print(name.ljust(width) + ("ok" if not violations else f"FAILED ({len(violations)})"))
        print("\n" + "figure".ljust(width) + "value")
        print("-" * (width + 24))
        for name, value in self.figures:
            print(name.ljust(width) + value)
        failed = False
        for name, violations in self.invariants.items():
            if violations:
                failed = True
                print(f"\n{name}: {len(violations)} violation(s)")
                for violation in violations[:20]:
                    print(f"  - {violation}")
                if len(violations) > 20:
                    print(f"  ... and {len(violations) - 20} more")
        return failed


@dataclass
class Snapshot:
    """What the database holds after the chaos, keyed for the checks."""

    runs: dict[str, tuple[Any, ...]]  # run id -> status, output, remaining_steps, finished_at
    states: dict[tuple[str, str], tuple[Any, ...]]  # (run, step) -> status, output, remaining_deps, remaining_tasks
    tasks: dict[Task, tuple[Any, ...]]  # (run, step, index) -> status, attempt, worker_id, output
    repeated: list[tuple[Any, ...]]  # transitions that happened more than once: kind, run, step, index, status, n
    claims: dict[str, list[float]]  # worker id -> times (epoch) of its committed claims


def snapshot(rows: Callable[..., list[tuple[Any, ...]]]) -> Snapshot:
    claims: dict[str, list[float]] = collections.defaultdict(list)
    for worker_id, at in rows(
        "SELECT worker_id, extract(epoch FROM at)::float8 FROM public.chaos_transitions "
        "WHERE kind = 'task' AND status = 'started' ORDER BY at"
    ):
        claims[worker_id].append(at)
    return Snapshot(
        runs={
            r[0]: r[1:]
            for r in rows("SELECT run_id::text, status, output, remaining_steps, finished_at FROM pgflow.runs")
        },
        states={
            (r[0], r[1]): r[2:]
            for r in rows(
                "SELECT run_id::text, step_slug, status, output, remaining_deps, remaining_tasks "
                "FROM pgflow.step_states"
            )
        },
        tasks={
            (r[0], r[1], r[2]): r[3:]
            for r in rows(
                "SELECT run_id::text, step_slug, task_index, status, attempt, worker_id, output FROM pgflow.step_tasks"
            )
        },
        # A step becomes each status once; a task becomes completed once (it is queued and started per attempt).
        repeated=rows(
            "SELECT kind, run_id::text, step_slug, task_index, status, count(*) FROM public.chaos_transitions "
            "WHERE kind = 'step' OR status = 'completed' GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1"
        ),
        claims=claims,
    )


def verify(
    db: Snapshot,
    executions: list[dict[str, Any]],
    *,
    plans: dict[str, Plan],
    workers: list[WorkerProcess],
    restarts: list[Restart],
    deaths: list[str],
    counts: dict[str, int],
    problems: list[str],
) -> bool:
    """Print the summary table and the violations; True if any invariant failed."""
    report = Report()
    check_runs_ended(report, plans, db)
    check_applied_once(report, plans, db)
    ended = check_provenance(report, executions, db)
    check_outputs(report, plans, db)
    check_reconnects(report, restarts, db.claims, workers)
    report.check("worker deaths caused by handlers: 0").extend(deaths)
    report.check("workers stopped cleanly, runs ended in time").extend(problems)

    statuses = collections.Counter(r[0] for r in db.runs.values())
    kinds = collections.Counter(p.kind for p in plans.values())
    report.figure("runs", f"{len(plans)} ({kinds['diamond']} diamond, {kinds['fanout']} fan-out)")
    report.figure("runs ended", ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    for name, value in counts.items():
        report.figure(name, value)
    reexecutions(report, executions)
    hostile = collections.Counter(e["hostile"] for e in executions if "hostile" in e)
    if hostile:
        report.figure("hostile executions", ", ".join(f"{n} {how}" for how, n in sorted(hostile.items())))
    report.figure("outputs returned but not stored", ended)
    reused: dict[tuple[Any, ...], list[str]] = collections.defaultdict(list)
    for e in executions:
        if e["event"] == "start" and e["attempt"] is not None:
            reused[(e["run"], e["step"], e["index"], e["attempt"])].append(e["worker"])
    twice = [f"{s}[{i}] of run {r} attempt {a} by {', '.join(w)}" for (r, s, i, a), w in reused.items() if len(w) > 1]
    report.figure("attempt numbers handed out twice", len(twice))
    for line in twice[:5]:
        report.figure("  (handed out twice)", line)
    report.figure(
        "executions whose attempt is unknown",
        sum(1 for e in executions if e["attempt"] is None) // 2,
    )
    report.figure("worker processes", f"{len(workers)} ({len(deaths)} died on their own)")
    return report.print()


def check_runs_ended(report: Report, plans: dict[str, Plan], db: Snapshot) -> None:
    runs, states, tasks = db.runs, db.states, db.tasks
    violations = report.check("every run ended as planned")
    for run_id, plan in plans.items():
        if run_id not in runs:
            violations.append(f"run {run_id} ({plan.kind}) is missing: its start_flow was lost")
            continue
        status = runs[run_id][0]
        if status != plan.expected_status():
            violations.append(
                f"run {run_id} ({plan.kind}, doom {plan.data['doom']}, cancel {plan.cancel}) is {status}, "
                f"expected {plan.expected_status()}"
            )
    live = report.check("no step or task left live in an ended run")
    for run_id, (status, _, remaining_steps, finished_at) in runs.items():
        if status == "completed" and remaining_steps != 0:
            live.append(f"completed run {run_id} has remaining_steps {remaining_steps}")
        if (status != "started") != (finished_at is not None):
            live.append(f"{status} run {run_id} has finished_at {finished_at}")
    for (run_id, step), (status, *_) in states.items():
        if runs[run_id][0] != "started" and status in ("created", "started"):
            live.append(f"step {step} of {runs[run_id][0]} run {run_id} is {status}")
    for (run_id, step, index), (status, *_) in tasks.items():
        if runs[run_id][0] != "started" and status in ("queued", "started"):
            live.append(f"task {step}[{index}] of {runs[run_id][0]} run {run_id} is {status}")


def check_applied_once(report: Report, plans: dict[str, Plan], db: Snapshot) -> None:
    states, tasks = db.states, db.tasks
    violations = report.check("no completion applied twice, dependents started once")
    for kind, run_id, step, index, status, times in db.repeated:
        what = step if kind == "step" else f"task {step}[{index}]"
        violations.append(f"{what} of run {run_id} became {status} {times} times")
    per_step = collections.Counter((run_id, step) for run_id, step, _ in tasks)
    for run_id, plan in plans.items():
        for step in DIAMOND if plan.kind == "diamond" else FANOUT:
            state = states.get((run_id, step))
            if state is None:
                violations.append(f"run {run_id} has no step_states row for {step}")
                continue
            status, _, remaining_deps, remaining_tasks = state
            expected = plan.data["items"] if step == "work" else 1
            # A step that never started (cancelled or failed run) has no tasks; one that did, all of them.
            allowed = {expected} if status in ("started", "completed", "failed") else {0, expected}
            if per_step[(run_id, step)] not in allowed:
                violations.append(
                    f"{status} step {step} of run {run_id} has {per_step[(run_id, step)]} task rows, "
                    f"expected {expected}"
                )
            if status == "completed":
                if remaining_deps != 0 or remaining_tasks != 0:
                    violations.append(
                        f"completed step {step} of run {run_id}: remaining_deps {remaining_deps}, "
                        f"remaining_tasks {remaining_tasks}"
                    )
                undone = [i for (r, s, i), t in tasks.items() if (r, s) == (run_id, step) and t[0] != "completed"]
                if undone:
                    violations.append(f"completed step {step} of run {run_id} has unfinished tasks {undone}")
        if plan.kind == "fanout" and (run_id, "work", plan.data["items"]) in tasks:
            violations.append(f"run {run_id}: work has a task beyond its {plan.data['items']} items")


def stored_exec(step: str, output: Any) -> Any:
    if step == "split":
        return output[0]["exec"] if isinstance(output, list) and output else None
    return output.get("exec") if isinstance(output, dict) else None


def check_provenance(report: Report, executions: list[dict[str, Any]], db: Snapshot) -> int:
    """Each completed task's stored output came from an execution of its final attempt, by its final worker.

    Returns how many executions returned an output that was not stored.
    """
    states, tasks = db.states, db.tasks
    violations = report.check("stored output is the final attempt's")
    ended = {e["exec"]: e for e in executions if e["event"] == "end"}
    words = {"end": "returned", "fail": "failed"}
    outcome = {e["exec"]: words[e["event"]] for e in executions if e["event"] != "start"}
    stored = set()
    for (run_id, step, index), (
        status,
        attempt,
        worker_id,
        task_output,
    ) in tasks.items():
        if status != "completed":
            continue
        output = task_output if step == "work" else states[(run_id, step)][1]
        execution_id = stored_exec(step, output)
        stored.add(execution_id)
        what = f"{step}[{index}] of run {run_id} (final: attempt {attempt} by {worker_id})"
        execution = ended.get(execution_id)
        if execution is None:
            violations.append(f"{what}: stored execution {execution_id} is in no handler's log")
        elif (execution["run"], execution["step"], execution["index"]) != (
            run_id,
            step,
            index,
        ):
            violations.append(f"{what}: stored execution {execution_id} ran another task: {execution}")
        elif execution["attempt"] is None:
            violations.append(f"{what}: stored execution {execution_id} does not know its attempt: {execution}")
        elif (execution["attempt"], execution["worker"]) != (attempt, worker_id):
            others = [
                f"attempt {e['attempt']} by {e['worker']} (pid {e['pid']}, {outcome.get(e['exec'], 'no return')})"
                for e in executions
                if e["event"] == "start" and (e["run"], e["step"], e["index"]) == (run_id, step, index)
            ]
            violations.append(
                f"{what}: the stored output is from attempt {execution['attempt']} by {execution['worker']} "
                f"(pid {execution['pid']}); executions of this task: {'; '.join(others)}"
            )
    return len(set(ended) - stored)


def _values(
    plan: Plan,
    states: dict[tuple[str, str], tuple[Any, ...]],
    tasks: dict[Task, tuple[Any, ...]],
) -> Iterable[tuple[str, Any]]:
    run_id = plan.data["run_id"]
    for step in DIAMOND if plan.kind == "diamond" else ("join",):
        status, output, *_ = states[(run_id, step)]
        if status == "completed":
            yield step, output.get("value")
    for (r, step, index), (status, *_, output) in tasks.items():
        if r == run_id and step == "work" and status == "completed":
            yield f"work[{index}]", output.get("value")


def check_outputs(report: Report, plans: dict[str, Plan], db: Snapshot) -> None:
    """Values recomputed from the run input; split's items, the fan-out's aggregate and the run output as stored."""
    runs, states, tasks = db.runs, db.states, db.tasks
    violations = report.check("outputs correct (values, fan-out aggregate, run output)")
    for run_id, plan in plans.items():
        if run_id not in runs:
            continue
        expected = expected_values(plan.kind, plan.data["seed"], plan.data["items"])
        for name, value in _values(plan, states, tasks):
            if value != expected[name]:
                violations.append(f"{name} of run {run_id} is {value!r}, expected {expected[name]!r}")
        if plan.kind == "fanout":
            status, output, *_ = states[(run_id, "split")]
            if status == "completed" and [i["n"] for i in output] != list(range(plan.data["items"])):
                violations.append(f"split of run {run_id} stored {output}")
            if status == "completed" and len({i["exec"] for i in output}) != 1:
                violations.append(f"split of run {run_id} stored items of several executions: {output}")
            status, output, *_ = states[(run_id, "work")]
            parts = [tasks[(run_id, "work", i)][3] for i in range(plan.data["items"]) if (run_id, "work", i) in tasks]
            if status == "completed" and output != parts:
                violations.append(f"work of run {run_id}: step output {output} is not its tasks' outputs {parts}")
        leaf = "d" if plan.kind == "diamond" else "join"
        status, output = runs[run_id][0], runs[run_id][1]
        if status == "completed" and output != {leaf: states[(run_id, leaf)][1]}:
            violations.append(f"run {run_id} output {output} is not {{{leaf!r}: its output}}")


def check_reconnects(
    report: Report, restarts: list[Restart], claims: dict[str, list[float]], workers: list[WorkerProcess]
) -> None:
    """Each worker that lived through a restart claimed again by itself: seconds from "server up" to its first claim.

    A claim is a committed change of a task's attempt (the transitions table), not a handler start: a
    handler may start late for a claim made before the crash.
    """
    violations = report.check(f"workers claimed again within {RECONNECT_LIMIT:.0f} s of each restart")
    # A worker the harness SIGKILLed before it claimed again is excused; one stopped at the end is not.
    killed_at = {p.worker_id: p.ended for p in workers if (p.end_reason or "").startswith("SIGKILL")}
    for number, restart in enumerate(restarts, 1):
        waits = []
        for worker_id in restart.alive:
            killed = killed_at.get(worker_id)
            first = next(
                (t for t in claims.get(worker_id, []) if t >= restart.up and (killed is None or t < killed)), None
            )
            if first is None:
                if killed is None:
                    violations.append(
                        f"worker {worker_id} never claimed a task after restart {number} ({restart.kind})"
                    )
                continue
            waits.append((first - restart.up, worker_id))
            if first - restart.up > RECONNECT_LIMIT:
                violations.append(
                    f"worker {worker_id} claimed its first task {first - restart.up:.1f} s after restart {number} "
                    f"({restart.kind}; limit {RECONNECT_LIMIT:.0f} s; tasks at the restart: {restart.backlog})"
                )
        line = ", ".join(f"{w} {s:.1f}" for s, w in sorted(waits, key=lambda x: x[1]))
        slowest = max((s for s, _ in waits), default=float("nan"))
        report.figure(
            f"restart {number} ({restart.kind})",
            f"down {restart.up - restart.down:.1f} s ({restart.backlog}); first claim after up: max {slowest:.1f} s "
            f"({line})",
        )


def reexecutions(report: Report, executions: list[dict[str, Any]]) -> None:
    """Executions beyond one per task, by what ended the execution before each (at-least-once at work)."""
    outcome = {e["exec"]: e["event"] for e in executions if e["event"] != "start"}
    per_task: dict[Task, list[tuple[float, str]]] = collections.defaultdict(list)
    for e in executions:
        if e["event"] == "start":
            per_task[(e["run"], e["step"], e["index"])].append((e["t"], e["exec"]))
    reasons: collections.Counter[str] = collections.Counter()
    for starts in per_task.values():
        starts.sort()
        for _, previous in starts[:-1]:
            reasons[
                {"fail": "a planned failure", "end": "an output not stored"}.get(
                    outcome.get(previous, ""), "an interrupted execution"
                )
            ] += 1
    report.figure("tasks executed", len(per_task))
    report.figure("handler executions", sum(len(s) for s in per_task.values()))
    report.figure(
        "re-executions (beyond one per task)",
        f"{sum(reasons.values())} on {sum(1 for s in per_task.values() if len(s) > 1)} tasks: "
        + ", ".join(f"{n} after {why}" for why, n in sorted(reasons.items())),
    )
