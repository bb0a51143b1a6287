"""The chaos suite's checks fail on the faults they exist for (no database: a world built by hand).

`make chaos` passing means something only if its checks can fail: here each
fault the suite looks for is put into an otherwise consistent world, and the
check that names it must fail, and only that one.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from chaos_flow import expected_values
from chaos_verify import Plan, Restart, Snapshot, verify

RUN = str(uuid.UUID(int=1))
SEED = 42
STEPS = ("a", "b", "c", "d")


def world() -> tuple[Snapshot, list[dict[str, Any]], dict[str, Plan]]:
    """One completed diamond run, each step done by attempt 1 of worker w1, as the database and the logs say."""
    values = expected_values("diamond", SEED, 0)
    executions: list[dict[str, Any]] = []
    states: dict[tuple[str, str], tuple[Any, ...]] = {}
    tasks: dict[tuple[str, str, int], tuple[Any, ...]] = {}
    for number, step in enumerate(STEPS):
        execution = str(uuid.UUID(int=100 + number))
        record = {"exec": execution, "run": RUN, "step": step, "index": 0, "attempt": 1, "worker": "w1", "pid": 7}
        executions += [{"event": "start", "t": 10.0 + number, **record}, {"event": "end", "t": 10.5 + number, **record}]
        states[(RUN, step)] = ("completed", {"exec": execution, "value": values[step]}, 0, 0)
        tasks[(RUN, step, 0)] = ("completed", 1, "w1", None)
    db = Snapshot(
        runs={RUN: ("completed", {"d": states[(RUN, "d")][1]}, 0, "finished")},
        states=states,
        tasks=tasks,
        repeated=[],
        claims={"w1": [10.0, 11.0, 12.0, 13.0]},
    )
    plans = {RUN: Plan("diamond", {"run_id": RUN, "seed": SEED, "items": 0, "doom": None}, cancel="no")}
    return db, executions, plans


def failures(
    capsys: pytest.CaptureFixture[str],
    db: Snapshot,
    executions: list[dict[str, Any]],
    plans: dict[str, Plan],
    deaths: list[str] | None = None,
) -> list[str]:
    failed = verify(
        db,
        executions,
        plans=plans,
        workers=[],
        restarts=[Restart("crash_immediate", 9.0, 9.5, ["w1"])],
        deaths=deaths or [],
        counts={},
        problems=[],
    )
    lines = [line for line in capsys.readouterr().out.splitlines() if "FAILED (" in line]
    assert failed == bool(lines)
    return [line.split("  ")[0] for line in lines]


def test_a_consistent_world_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert failures(capsys, *world()) == []


def test_an_output_reported_for_a_lost_claim_fails(capsys: pytest.CaptureFixture[str]) -> None:
    # The known crash race: w2's claim of attempt 1 was lost, w1 claimed attempt 1 again, w2's report counted.
    db, executions, plans = world()
    phantom = {"exec": str(uuid.uuid4()), "run": RUN, "step": "b", "index": 0, "attempt": 1, "worker": "w2", "pid": 8}
    executions += [{"event": "start", "t": 10.9, **phantom}, {"event": "end", "t": 11.2, **phantom}]
    db.states[(RUN, "b")] = ("completed", {"exec": phantom["exec"], "value": db.states[(RUN, "b")][1]["value"]}, 0, 0)
    assert failures(capsys, db, executions, plans) == ["stored output is the final attempt's"]


def test_an_output_of_an_earlier_attempt_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.tasks[(RUN, "c", 0)] = ("completed", 2, "w1", None)
    assert failures(capsys, db, executions, plans) == ["stored output is the final attempt's"]


def test_an_execution_of_unknown_attempt_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    for e in executions:
        if e["step"] == "a":
            e["attempt"] = None
    assert failures(capsys, db, executions, plans) == ["stored output is the final attempt's"]


def test_a_step_completed_twice_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.repeated = [("step", RUN, "d", -1, "completed", 2)]
    assert failures(capsys, db, executions, plans) == ["no completion applied twice, dependents started once"]


def test_a_second_task_row_for_a_plain_step_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.tasks[(RUN, "b", 1)] = ("completed", 1, "w1", None)
    assert "no completion applied twice, dependents started once" in failures(capsys, db, executions, plans)


def test_a_wrong_value_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.states[(RUN, "c")] = ("completed", {"exec": db.states[(RUN, "c")][1]["exec"], "value": "0" * 16}, 0, 0)
    assert failures(capsys, db, executions, plans) == ["outputs correct (values, fan-out aggregate, run output)"]


def test_a_run_not_ended_as_planned_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    plans[RUN].cancel = "cancelled"  # cancel_run said it cancelled the run, yet it completed
    assert failures(capsys, db, executions, plans) == ["every run ended as planned"]


def test_a_worker_that_never_claims_after_a_restart_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.claims = {"w1": [8.0]}
    assert failures(capsys, db, executions, plans) == ["workers claimed again within 10 s of each restart"]


def test_a_worker_slow_to_claim_after_a_restart_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.claims = {"w1": [8.0, 30.0]}
    assert failures(capsys, db, executions, plans) == ["workers claimed again within 10 s of each restart"]


def test_a_worker_death_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert failures(capsys, *world(), deaths=["worker w1 died (exit 1)"]) == ["worker deaths caused by handlers: 0"]


def test_a_completed_run_with_steps_remaining_fails(capsys: pytest.CaptureFixture[str]) -> None:
    db, executions, plans = world()
    db.runs[RUN] = ("completed", db.runs[RUN][1], 1, "finished")
    assert failures(capsys, db, executions, plans) == ["no step or task left live in an ended run"]
