"""The store's reports name a claimed attempt in one place, lease token included when the claim has one."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from pgflow.store import ClaimedTask, completion_json, task_params


def claimed(lease_token: uuid.UUID | None = None, input_json: str | None = '{"run": {"a": 1}}') -> ClaimedTask:
    now = datetime.now(UTC)
    return ClaimedTask(
        run_id=uuid.UUID(int=1),
        flow_slug="f",
        step_slug="s",
        task_index=2,
        attempt=3,
        input_json=input_json,
        flow_version=1,
        lease_expires_at=now + timedelta(seconds=30),
        claimed_at=now,
        lease_token=lease_token,
    )


def test_every_report_names_the_attempt_with_its_lease_token() -> None:
    token = uuid.uuid4()
    assert task_params(claimed(token)) == {
        "run_id": uuid.UUID(int=1),
        "step_slug": "s",
        "task_index": 2,
        "attempt": 3,
        "lease_token": token,
    }
    assert task_params(claimed())["lease_token"] is None


def test_a_batched_completion_carries_the_lease_token_only_when_the_claim_has_one() -> None:
    token = uuid.uuid4()
    with_token = json.loads(completion_json(claimed(token), '{"big": [1, 2]}'))
    assert with_token == {
        "run_id": str(uuid.UUID(int=1)),
        "step_slug": "s",
        "task_index": 2,
        "attempt": 3,
        "lease_token": str(token),
        "output": {"big": [1, 2]},
    }
    assert "lease_token" not in json.loads(completion_json(claimed(), "null"))


def test_a_claimed_input_is_parsed_only_when_asked() -> None:
    assert claimed().input == {"run": {"a": 1}}
    assert claimed(input_json=None).input is None
    too_deep = claimed(input_json="[" * 5000 + "]" * 5000)  # constructing it is fine; parsing raises
    with pytest.raises(RecursionError):
        _ = too_deep.input
