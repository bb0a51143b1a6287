"""Schedules in code: ``flow.schedule("0 3 * * *", input={...}, name=...)``.

A schedule starts its flow at every slot of a five-field cron expression
(minute, hour, day of month, month, day of week) in a time zone. The runs are
started by ``pgflow.tick()`` in the database, which every worker calls by itself
every few seconds (or pg_cron, once a minute): exactly once per slot, the latest
slot only after downtime. ``pgflow deploy`` writes a flow's schedules with
``pgflow.sync_schedules`` (creating, updating and removing the ones deploy made;
schedules made by hand with ``pgflow.schedule`` are left alone), and
``pgflow check`` reports the differences.

``check_cron`` applies the extension's own rules (``extension/25_schedule``), with
its messages, so a typo fails when the module is imported, not at deploy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["Schedule", "check_cron", "diff_schedules"]

NAME_PATTERN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,62}")
MACROS: Final = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, low, high, names) per field, in order.
FIELDS: Final = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 7, WEEKDAYS),
)
MONTH_DAYS: Final = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class CronError(ValueError):
    """A cron expression the extension would refuse; the message names the field."""


@dataclass(frozen=True)
class Schedule:
    """A schedule of a flow, as ``flow.schedule(...)`` declares it and ``pgflow.schedules`` stores it."""

    name: str
    cron: str
    input: Any = field(default_factory=dict)
    time_zone: str = "UTC"

    def document(self) -> dict[str, Any]:
        """The entry ``pgflow.sync_schedules`` takes (keys as ``pgflow.schedule``'s arguments)."""
        return {"schedule_name": self.name, "cron": self.cron, "input": self.input, "time_zone": self.time_zone}


def _value(field_name: str, item: str, text: str, low: int, names: Sequence[str]) -> int:
    if re.fullmatch(r"[0-9]{1,4}", text):
        return int(text)
    if text in names:
        return low + names.index(text)
    raise CronError(f'{field_name} field "{item}" is not a number, a range a-b or *')


def _field(field_name: str, text: str, low: int, high: int, names: Sequence[str]) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        if item == "":
            raise CronError(f'{field_name} field "{text}" has an empty list item')
        parts = item.split("/")
        if len(parts) > 2:
            raise CronError(f'{field_name} field "{item}" has more than one step')
        step = 1
        if len(parts) == 2:
            if not re.fullmatch(r"[0-9]{1,4}", parts[1]) or int(parts[1]) == 0:
                raise CronError(
                    f'{field_name} field "{item}" has step "{parts[1]}": a step is a whole number of at least 1'
                )
            step = int(parts[1])
        if parts[0] == "*":
            first, last = low, high
        else:
            bounds_text = parts[0].split("-")
            if len(bounds_text) > 2:
                raise CronError(f'{field_name} field "{item}" is not a number, a range a-b or *')
            bounds = [_value(field_name, item, b, low, names) for b in bounds_text]
            for bound in bounds:
                if not low <= bound <= high:
                    raise CronError(f'{field_name} field "{bound}" is out of range {low}-{high}')
            first = bounds[0]
            last = bounds[1] if len(bounds) == 2 else high if len(parts) == 2 else bounds[0]
            if first > last:
                raise CronError(f'{field_name} field "{item}" is a range that runs backwards ({first} > {last})')
        values.update(range(first, last + 1, step))
    return values


def check_cron(cron: str) -> None:
    """Raise ``CronError`` (naming the field) unless the extension accepts ``cron``."""
    if not isinstance(cron, str):
        raise CronError(f"a cron expression is a string such as '0 3 * * *', got {cron!r}")
    expression = cron.strip().lower()
    expression = MACROS.get(expression, expression)
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(f'cron expression "{cron}" has {len(fields)} fields, expected 5')
    parsed = [
        _field(name, text, low, high, names) for (name, low, high, names), text in zip(FIELDS, fields, strict=True)
    ]
    days, months = parsed[2], parsed[3]
    days_star, weekdays_star = fields[2].startswith("*"), fields[4].startswith("*")
    if (days_star or weekdays_star) and not any(d <= MONTH_DAYS[m - 1] for m in months for d in days):
        raise CronError(f'day of month field "{fields[2]}" never occurs in month field "{fields[3]}"')


def check_schedule(flow_slug: str, schedule: Schedule, secret_input: Sequence[str]) -> None:
    """Raise ``CronError`` for what ``pgflow.schedule`` would refuse (time zones are checked at deploy)."""
    what = f'schedule "{schedule.name}" of flow "{flow_slug}"'
    if not isinstance(schedule.name, str) or not NAME_PATTERN.fullmatch(schedule.name):
        raise CronError(
            f'invalid schedule name "{schedule.name}" for flow "{flow_slug}": it must match {NAME_PATTERN.pattern}'
        )
    try:
        check_cron(schedule.cron)
    except CronError as error:
        raise CronError(f"{what}: {error}") from None
    if not isinstance(schedule.time_zone, str) or not schedule.time_zone:
        raise CronError(f"{what}: time_zone is a name such as 'Europe/Berlin', got {schedule.time_zone!r}")
    try:
        json.dumps(schedule.input)
    except (TypeError, ValueError) as error:
        raise CronError(f"{what}: the input is not JSON: {error}") from None
    if isinstance(schedule.input, Mapping):
        secrets = sorted(set(secret_input) & set(schedule.input))
        if secrets:
            raise CronError(
                f"{what}: the input holds secret field(s) {', '.join(secrets)}, which a schedule would store "
                "in plain text (tick starts the run in the database, where nothing can encrypt them)"
            )


def diff_schedules(stored: Sequence[Mapping[str, Any]], code: Sequence[Schedule]) -> list[str]:
    """What ``pgflow deploy`` would change in a flow's stored schedules (``pgflow.schedules`` rows as mappings)."""
    lines: list[str] = []
    by_name = {row["schedule_name"]: row for row in stored}
    for schedule in code:
        row = by_name.pop(schedule.name, None)
        if row is None:
            lines.append(f'schedule "{schedule.name}": in the code only ({schedule.cron})')
            continue
        for key, have, want in (
            ("cron", row["cron"], schedule.cron),
            ("input", row["input"], schedule.input),
            ("time_zone", row["time_zone"], schedule.time_zone),
        ):
            if have != want:
                lines.append(
                    f'schedule "{schedule.name}": {key} is {json.dumps(have)} in the database, '
                    f"{json.dumps(want)} in the code"
                )
        if row["origin"] != "deploy":
            lines.append(f'schedule "{schedule.name}": made by hand (pgflow.schedule); deploy would take it over')
    for name, row in sorted(by_name.items()):
        if row["origin"] == "deploy":
            lines.append(f'schedule "{name}": in the database only ({row["cron"]}); deploy would remove it')
    return lines
