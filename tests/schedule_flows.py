"""Flows with schedules, for the schedule tests (importable by CLI subprocesses)."""

from __future__ import annotations

from typing import TypedDict

from pgflow import Flow


class Report(TypedDict):
    kind: str


nightly = Flow("nightly_report")


@nightly.step
def build(run: Report) -> str:
    return f"{run['kind']} report"


nightly.schedule("0 3 * * *", input={"kind": "daily"})
nightly.schedule(
    "0 4 1 * *",
    input={"kind": "monthly"},
    name="monthly_report",
    time_zone="Europe/Berlin",
)


# The same flow as the code looks after an edit: the monthly schedule is gone,
# the daily one moved to 05:00.
edited = Flow("nightly_report")


@edited.step(slug="build")
def build_edited(run: Report) -> str:
    return f"{run['kind']} report"


edited.schedule("0 5 * * *", input={"kind": "daily"})


every_minute = Flow("every_minute")


@every_minute.step
def beat(run: dict[str, int]) -> int:
    return run.get("n", 0) + 1


every_minute.schedule("* * * * *", input={"n": 41})
