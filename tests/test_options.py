"""A typo'd option is one clear line naming the option and the closest valid one (issue 10, item 6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import TESTS_DIR, pgflow_cli

from pgflow import Flow, FlowDefinitionError


def test_a_typo_in_a_flow_option_names_the_closest_valid_one() -> None:
    with pytest.raises(FlowDefinitionError) as raised:
        Flow("x", timout=30)  # type: ignore[arg-type]
    assert str(raised.value) == 'flow "x": Flow(...) has no option "timout" (did you mean "timeout"?)'


def test_a_typo_in_a_step_option_names_the_step_and_the_closest_valid_one() -> None:
    flow = Flow("x")
    with pytest.raises(FlowDefinitionError) as raised:

        @flow.step(max_attempt=3)  # type: ignore[call-overload, untyped-decorator]
        def fetch() -> None: ...

    assert str(raised.value) == (
        'step "fetch" of flow "x": @flow.step(...) has no option "max_attempt" (did you mean "max_attempts"?)'
    )
    assert not flow.steps  # nothing was registered


def test_an_unknown_option_without_a_close_match_lists_the_valid_ones() -> None:
    with pytest.raises(FlowDefinitionError, match=r'has no option "colour" \(the options are max_attempts, '):
        Flow("x", colour="red")  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["compile", "worker", "deploy"])
def test_the_cli_prints_an_option_typo_as_one_line(dsn: str, tmp_path: Path, command: str) -> None:
    (tmp_path / "typo_flows.py").write_text(
        "from pgflow import Flow\n\nflow = Flow('typo')\n\n\n@flow.step(max_attempt=3)\ndef fetch() -> None: ...\n"
    )
    path = os.pathsep.join([str(tmp_path), str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])
    result = pgflow_cli(dsn, command, "typo_flows:flow", PYTHONPATH=path, timeout=20)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f'pgflow {command}: step "fetch" of flow "typo": @flow.step(...) has no option "max_attempt" '
        '(did you mean "max_attempts"?)'
    ]
