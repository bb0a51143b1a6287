"""Schedules in code: checked when declared, deployed with their flow, drift reported by `pgflow check`."""

from __future__ import annotations

import os
from typing import Any

import psycopg
import pytest
import schedule_flows
from conftest import TESTS_DIR, pgflow_cli

from pgflow import Flow, FlowDefinitionError, list_schedules
from pgflow.client import deploy_flow
from pgflow.schedules import CronError, check_cron


def a_flow(slug: str = "f") -> Flow:
    flow = Flow(slug)

    @flow.step
    def a(run: dict[str, Any]) -> int:
        return 1

    return flow


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("61 * * * *", 'minute field "61" is out of range 0-59'),
        ("0 24 * * *", 'hour field "24" is out of range 0-23'),
        ("0 0 32 * *", 'day of month field "32" is out of range 1-31'),
        ("0 0 * 13 *", 'month field "13" is out of range 1-12'),
        ("0 0 * * 8", 'day of week field "8" is out of range 0-7'),
        (
            "*/0 * * * *",
            'minute field "*/0" has step "0": a step is a whole number of at least 1',
        ),
        ("0 10-5 * * *", 'hour field "10-5" is a range that runs backwards (10 > 5)'),
        ("0 0 * foo *", 'month field "foo" is not a number, a range a-b or *'),
        ("* * * *", 'cron expression "* * * *" has 4 fields, expected 5'),
        ("0 0 30 2 *", 'day of month field "30" never occurs in month field "2"'),
    ],
)
def test_a_bad_cron_is_refused_at_definition_time_naming_the_field(cron: str, message: str) -> None:
    flow = a_flow()
    with pytest.raises(FlowDefinitionError) as raised:
        flow.schedule(cron)
    assert str(raised.value) == f'schedule "f" of flow "f": {message}'


def test_the_client_and_the_extension_agree_on_cron(
    conn: psycopg.Connection[Any],
) -> None:
    cases = [
        "*/15 9-17 * * mon-fri",
        "0 0 29 2 *",
        "5/10 * * * 7",
        "@daily",
        "61 * * * *",
        "0 0 * * 1-9",
        "1,,2 * * * *",
        "0 0 31 4,6 *",
        "0 0 * JAN-mar SUN",
        "0 0 * * mon/2/3",
    ]
    for cron in cases:
        try:
            check_cron(cron)
            client_says = "ok"
        except CronError as error:
            client_says = str(error)
        try:
            conn.execute("SELECT pgflow.cron_slots(%s)", [cron])
            server_says = "ok"
        except psycopg.errors.InvalidParameterValue as error:
            server_says = error.diag.message_primary or ""
        assert client_says == server_says, cron


def test_a_schedule_is_named_after_its_flow_and_names_are_unique() -> None:
    flow = a_flow("nightly")
    assert flow.schedule("0 3 * * *").name == "nightly"
    with pytest.raises(FlowDefinitionError, match='already has a schedule named "nightly"'):
        flow.schedule("0 4 * * *")
    flow.schedule("0 4 * * *", name="nightly_late")
    flow.schedule("0 5 * * *", name="nightly-later")
    assert [s.name for s in flow.schedules] == ["nightly", "nightly_late", "nightly-later"]
    with pytest.raises(FlowDefinitionError, match='invalid schedule name "late night" for flow "nightly"'):
        flow.schedule("0 4 * * *", name="late night")
    with pytest.raises(FlowDefinitionError, match="invalid schedule name"):
        flow.schedule("0 4 * * *", name="late\n")


def test_a_schedule_cannot_hold_secret_input_in_plain_text() -> None:
    flow = Flow("secretive", secret_input=["token"])

    @flow.step
    def a(run: dict[str, Any]) -> int:
        return 1

    with pytest.raises(FlowDefinitionError, match=r"secret field.*token.*plain text"):
        flow.schedule("0 3 * * *", input={"token": "abc"})
    with pytest.raises(FlowDefinitionError, match="the input is not JSON"):
        flow.schedule("0 3 * * *", input={"when": object()}, name="other")


def test_deploy_creates_updates_and_removes_the_flows_schedules(dsn: str) -> None:
    first = deploy_flow(dsn, schedule_flows.nightly)
    assert first.schedules == [
        ("nightly_report", "created"),
        ("monthly_report", "created"),
    ]  # in code order
    assert "schedules: nightly_report created, monthly_report created" in first.describe()
    stored = {s.schedule_name: s for s in list_schedules(dsn)}
    assert (stored["nightly_report"].cron, stored["nightly_report"].input) == (
        "0 3 * * *",
        {"kind": "daily"},
    )
    assert (stored["monthly_report"].time_zone, stored["monthly_report"].origin) == (
        "Europe/Berlin",
        "deploy",
    )

    again = deploy_flow(dsn, schedule_flows.nightly)
    assert again.change == "unchanged" and again.describe().endswith("unchanged (version 1)")

    edited = deploy_flow(dsn, schedule_flows.edited)
    assert sorted(edited.schedules) == [
        ("monthly_report", "removed"),
        ("nightly_report", "updated"),
    ]
    assert [(s.schedule_name, s.cron) for s in list_schedules(dsn)] == [("nightly_report", "0 5 * * *")]


def test_deploy_leaves_schedules_made_by_hand(dsn: str, conn: psycopg.Connection[Any]) -> None:
    deploy_flow(dsn, schedule_flows.edited)
    conn.execute(
        "SELECT pgflow.schedule(flow_slug => 'nightly_report', cron => '*/5 * * * *', schedule_name => 'ad_hoc')"
    )
    outcome = deploy_flow(dsn, schedule_flows.edited)
    assert ("ad_hoc", "kept") in outcome.schedules
    assert {s.schedule_name for s in list_schedules(dsn, "nightly_report")} == {
        "ad_hoc",
        "nightly_report",
    }


def test_deploy_of_a_schedule_the_server_refuses_changes_nothing(dsn: str) -> None:
    flow = a_flow("zoned")
    flow.schedule("0 3 * * *", time_zone="Europe/Atlantis")
    with pytest.raises(
        psycopg.errors.InvalidParameterValue,
        match='unknown time zone "Europe/Atlantis"',
    ):
        deploy_flow(dsn, flow)
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pgflow.flows WHERE flow_slug = 'zoned'").fetchone() == (0,)


def test_deploy_refusing_a_zone_says_so_in_one_line(dsn: str, tmp_path: Any) -> None:
    (tmp_path / "zoned_flows.py").write_text(
        "from pgflow import Flow\nflow = Flow('zoned')\n@flow.step\ndef a(run: dict) -> int:\n    return 1\n"
        "flow.schedule('0 3 * * *', time_zone='Mars/Olympus')\n"
    )
    path = os.pathsep.join([str(tmp_path), str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])
    result = pgflow_cli(dsn, "deploy", "zoned_flows:flow", PYTHONPATH=path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert 'unknown time zone "Mars/Olympus" of schedule "zoned"' in result.stderr


def test_check_reports_schedule_drift(dsn: str) -> None:
    deploy_flow(dsn, schedule_flows.nightly)
    same = pgflow_cli(dsn, "check", "schedule_flows:nightly")
    assert same.returncode == 0 and "matches the code" in same.stdout
    drift = pgflow_cli(dsn, "check", "schedule_flows:edited")
    assert drift.returncode == 1
    assert 'schedule "nightly_report": cron is "0 3 * * *" in the database, "0 5 * * *" in the code' in drift.stdout
    assert 'schedule "monthly_report": in the database only (0 4 1 * *); deploy would remove it' in drift.stdout
    assert "`pgflow deploy` would update the schedules" in drift.stdout
