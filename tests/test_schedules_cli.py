"""`pgflow schedules`: name, flow, cron, time zone, next slot and last run; --json; clear errors."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import schedule_flows
from conftest import pgflow_cli

from pgflow.client import deploy_flow


def test_schedules_lists_each_schedule_with_its_next_slot(dsn: str) -> None:
    deploy_flow(dsn, schedule_flows.nightly)
    result = pgflow_cli(dsn, "schedules")
    assert result.returncode == 0, result.stderr
    header, *rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert header == [
        "schedule",
        "flow",
        "cron",
        "time zone",
        "next slot",
        "last run",
        "made by",
    ]
    by_name = {row[0]: row for row in rows}
    assert by_name["nightly_report"][1:4] == ["nightly_report", "0 3 * * *", "UTC"]
    assert by_name["nightly_report"][4].endswith("03:00 UTC") and by_name["nightly_report"][5] == "none yet"
    monthly = by_name["monthly_report"]
    assert monthly[3] == "Europe/Berlin" and monthly[4].endswith(("04:00 CET", "04:00 CEST"))
    assert monthly[6] == "deploy"


def test_schedules_shows_the_last_run(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    conn.execute("UPDATE pgflow.schedules SET next_slot = date_trunc('minute', now())")
    conn.execute("SELECT * FROM pgflow.tick()")
    result = pgflow_cli(dsn, "schedules", "--flow", "every_minute")
    (row,) = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert row[0] == "every_minute" and row[5].endswith(": started")


def test_status_names_the_schedule_that_started_a_run(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.every_minute)
    conn.execute("UPDATE pgflow.schedules SET next_slot = date_trunc('minute', now())")
    row = conn.execute("SELECT run_id, scheduled_for FROM pgflow.tick()").fetchone()
    assert row is not None
    shown = pgflow_cli(dsn, "status", str(row[0]))
    assert shown.returncode == 0, shown.stderr
    slot = row[1].astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert f"started by schedule every_minute for its slot {slot}" in shown.stdout, shown.stdout


def test_schedules_json(dsn: str) -> None:
    deploy_flow(dsn, schedule_flows.nightly)
    result = pgflow_cli(dsn, "schedules", "--json")
    assert result.returncode == 0, result.stderr
    schedules = json.loads(result.stdout)
    assert [s["schedule_name"] for s in schedules] == [
        "monthly_report",
        "nightly_report",
    ]
    nightly = schedules[1]
    assert (
        nightly["flow_slug"],
        nightly["cron"],
        nightly["time_zone"],
        nightly["input"],
    ) == (
        "nightly_report",
        "0 3 * * *",
        "UTC",
        {"kind": "daily"},
    )
    assert nightly["next_slot"].endswith("03:00:00+00:00") and nightly["last_run_id"] is None
    assert nightly["origin"] == "deploy"


def test_schedules_of_an_unknown_flow_is_one_line(dsn: str) -> None:
    result = pgflow_cli(dsn, "schedules", "--flow", "no_such_flow")
    assert result.returncode == 2
    assert (
        result.stderr.startswith('pgflow schedules: flow "no_such_flow" does not exist')
        and "Traceback" not in result.stderr
    )
    assert result.stderr.count("\n") == 1
