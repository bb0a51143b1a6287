"""The DSL checks a flow when its module is imported, and compiles it to define_flow's document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import pytest

from pgflow import Flow, FlowDefinitionError
from pgflow.codec import from_json, to_json
from pgflow.dsl import diff_definitions, mermaid, normalize_definition


class Text(TypedDict):
    text: str


@dataclass
class Page:
    url: str
    words: list[str]


def base_flow() -> Flow:
    flow = Flow("analyze")

    @flow.step
    def fetch(run: Text) -> Page:
        return Page("u", run["text"].split())

    @flow.step
    def words(fetch: Page) -> list[str]:
        return fetch.words

    return flow


def test_dependencies_are_inferred_from_parameter_names() -> None:
    flow = base_flow()

    @flow.step
    def count(words: list[str], fetch: Page, run: Text) -> int:
        return len(words)

    assert flow.steps["count"].deps == ("words", "fetch")
    assert flow.steps["fetch"].deps == ()
    assert [p.role for p in flow.steps["count"].parameters] == ["dependency", "dependency", "run"]


def test_decorator_returns_the_function_unchanged() -> None:
    flow = Flow("f")

    def double(run: int) -> int:
        return run * 2

    assert flow.step(double) is double
    assert double(21) == 42


def test_explicit_depends_on_by_function_or_slug() -> None:
    flow = base_flow()
    fetch = flow.steps["fetch"].handler

    @flow.step(depends_on=[fetch, "words"])
    def audit() -> None: ...

    assert flow.steps["audit"].deps == ("fetch", "words")


def test_type_mismatch_names_the_step_parameter_and_types() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError) as error:

        @flow.step
        def count(words: list[int]) -> int: ...

    message = str(error.value)
    assert 'step "count" of flow "analyze"' in message
    assert 'parameter "words" is annotated list[int]' in message
    assert 'step "words" returns list[str]' in message
    assert "count" not in flow.steps


def test_unknown_parameter_suggests_the_closest_step() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError, match=r'step "count".*unknown parameter "wrods".*did you mean "words"'):

        @flow.step
        def count(wrods: list[str]) -> int: ...


def test_slug_typo_in_depends_on_is_an_error() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError, match=r'step "audit".*depends on "fecth".*did you mean "fetch"'):

        @flow.step(depends_on=["fecth"])
        def audit() -> None: ...


def test_cycle_through_itself_is_an_error_naming_the_path() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError, match=r'step "loop".*cycle loop -> loop'):

        @flow.step(depends_on=["loop"])
        def loop() -> None: ...

    with pytest.raises(FlowDefinitionError, match=r"cycle again -> again"):

        @flow.step
        def again(again: int) -> int: ...


def test_a_dependency_must_be_defined_before_its_dependents() -> None:
    # So a cycle between two steps cannot be written: the later one does not exist yet.
    flow = Flow("f")
    with pytest.raises(FlowDefinitionError, match=r'step "a".*depends on "b", which is not a step defined before it'):

        @flow.step(depends_on=["b"])
        def a() -> None: ...


def test_validate_reports_a_cycle_as_a_path() -> None:
    flow = base_flow()
    # Only reachable by tampering; the validation is the engine's too.
    object.__setattr__(flow.steps["fetch"], "deps", ("words",))
    with pytest.raises(FlowDefinitionError, match=r"cycle: (fetch -> words -> fetch|words -> fetch -> words)"):
        flow.definition()


def test_conditional_dependency_must_be_optional() -> None:
    flow = base_flow()

    @flow.step(run_if={"run": {"text": "hello"}})
    def greet(run: Text) -> str:
        return "hi"

    with pytest.raises(
        FlowDefinitionError, match=r'step "reply".*parameter "greet" must be annotated str \| None.*may be skipped'
    ):

        @flow.step
        def reply(greet: str) -> str: ...

    @flow.step
    def reply_ok(greet: str | None) -> str:
        return greet or ""

    assert flow.steps["reply_ok"].deps == ("greet",)


def test_when_exhausted_skip_also_requires_optional() -> None:
    flow = Flow("f")

    @flow.step(when_exhausted="skip")
    def risky() -> int:
        return 1

    with pytest.raises(FlowDefinitionError, match='when_exhausted="skip"'):

        @flow.step
        def use(risky: int) -> int: ...


def test_skip_cascade_does_not_require_optional() -> None:
    # With skip-cascade the dependents are skipped too, so they never see the key absent.
    flow = Flow("f")

    @flow.step(run_if={"run": {"go": True}}, when_unmet="skip-cascade")
    def maybe() -> int:
        return 1

    @flow.step
    def after(maybe: int) -> int:
        return maybe

    assert flow.steps["after"].deps == ("maybe",)


def test_condition_keys_must_be_in_the_step_input() -> None:
    flow = base_flow()
    with pytest.raises(
        FlowDefinitionError, match=r'run_if tests "fetc", which is not in the step.*did you mean "fetch"'
    ):

        @flow.step(run_if={"fetc": {"url": "x"}}, depends_on=["fetch"])
        def x() -> None: ...


def test_fan_out_item_is_typed_by_the_list_element() -> None:
    flow = base_flow()

    @flow.step(fan_out=True)
    def upper(words: str, index: int, run: Text) -> str:
        return words.upper()

    @flow.step
    def joined(upper: list[str]) -> str:
        return " ".join(upper)

    step = flow.steps["upper"]
    assert step.fan_out and step.deps == ("words",)
    assert [(p.name, p.role) for p in step.parameters] == [("words", "item"), ("index", "index"), ("run", "run")]

    with pytest.raises(
        FlowDefinitionError, match=r'parameter "words" is annotated int, but the elements of step "words"'
    ):

        @flow.step(fan_out=True)
        def lengths(words: int) -> int: ...


def test_fan_out_with_an_item_parameter_and_an_explicit_source() -> None:
    flow = base_flow()

    @flow.step(fan_out="words")
    def shout(item: str) -> str:
        return item + "!"

    assert flow.steps["shout"].deps == ("words",)
    assert flow.steps["shout"].document() == {"slug": "shout", "deps": ["words"], "fan_out": True}


def test_fan_out_over_a_non_list_is_an_error() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError, match=r'fans out over step "fetch", which returns Page, not a list'):

        @flow.step(fan_out=True)
        def each(fetch: str) -> None: ...


def test_fan_out_needs_exactly_one_dependency() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError, match="exactly one dependency"):

        @flow.step(fan_out=True, depends_on=["fetch", "words"])
        def each(item: str) -> None: ...


def test_the_run_parameter_has_one_type_per_flow() -> None:
    flow = base_flow()
    with pytest.raises(FlowDefinitionError, match=r'parameter "run" is annotated int, but the flow input is Text'):

        @flow.step
        def other(run: int) -> None: ...


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"max_attempts": 0}, "max_attempts must be an integer >= 1"),
        ({"timeout": 0}, "timeout must be an integer >= 1"),
        ({"delay_seconds": -1}, "delay_seconds must be an integer >= 0"),
        ({"when_unmet": "ignore"}, "when_unmet must be one of skip, skip-cascade, fail"),
        ({"slug": "run"}, 'the slug "run" is reserved'),
        ({"slug": "9lives"}, "the slug is invalid"),
        ({"slug": "fetch"}, "already defined"),
    ],
)
def test_invalid_options_are_rejected(options: dict[str, Any], pattern: str) -> None:
    flow = base_flow()

    def handler() -> None: ...

    with pytest.raises(FlowDefinitionError, match=pattern):
        flow.step(**options)(handler)


def test_definition_is_the_define_flow_document() -> None:
    flow = Flow("analyze", max_attempts=5, base_delay=2, timeout=30)

    @flow.step(timeout=10)
    def fetch(run: Text) -> list[str]:
        return []

    @flow.step(fan_out=True, delay_seconds=3)
    def each(fetch: str) -> int:
        return 1

    @flow.step(run_unless={"run": {"text": ""}}, when_unmet="fail", when_exhausted="skip-cascade", max_attempts=1)
    def check(run: Text, each: list[int]) -> None: ...

    assert flow.definition() == {
        "slug": "analyze",
        "max_attempts": 5,
        "base_delay": 2,
        "timeout": 30,
        "steps": [
            {"slug": "fetch", "timeout": 10},
            {"slug": "each", "deps": ["fetch"], "fan_out": True, "delay_seconds": 3},
            {
                "slug": "check",
                "deps": ["each"],
                "max_attempts": 1,
                "run_unless": {"run": {"text": ""}},
                "when_unmet": "fail",
                "when_exhausted": "skip-cascade",
            },
        ],
    }


def test_to_sql_quotes_the_document() -> None:
    flow = Flow("quoting")

    @flow.step(run_if={"run": {"name": "O'Brien \\ n"}})
    def greet(run: dict[str, str]) -> None: ...

    sql = flow.to_sql()
    assert sql.startswith("SELECT pgflow.define_flow('{") and sql.endswith("}'::jsonb);")
    assert "O''Brien \\\\ n" in sql  # the quote doubled, JSON's escaped backslash kept as is


def test_normalized_definitions_ignore_order_and_spelled_out_defaults() -> None:
    flow = base_flow()
    document = flow.definition()
    spelled_out = {
        **document,
        "steps": [
            {
                "slug": "words",
                "deps": ["fetch"],
                "fan_out": False,
                "when_unmet": "skip",
                "delay_seconds": 0,
                "run_if": None,
            },
            {"slug": "fetch", "deps": [], "when_exhausted": "fail", "timeout": None},
        ],
    }
    assert normalize_definition(document) == normalize_definition(spelled_out)
    assert diff_definitions(spelled_out, document) == []


def test_diff_says_shape_or_tunable() -> None:
    flow = base_flow()
    code = flow.definition()
    stored = {**code, "timeout": 99, "steps": [{"slug": "fetch"}, {"slug": "words"}, {"slug": "old"}]}
    assert diff_definitions(stored, code) == [
        "flow timeout: database 99, code 60 (tunable)",
        'step "old": only in the database (shape)',
        'step "words" deps: database [], code ["fetch"] (shape)',
    ]


def test_mermaid_graph() -> None:
    flow = base_flow()

    @flow.step(fan_out=True)
    def each(words: str) -> None: ...

    graph = mermaid(flow.definition())
    assert graph.splitlines() == [
        "flowchart TD",
        "  run([run input])",
        '  fetch["fetch"]',
        "  run --> fetch",
        '  words["words"]',
        "  fetch --> words",
        '  each[["each<br/>fan-out"]]',
        "  words --> each",
    ]


def test_codec_rebuilds_annotated_types() -> None:
    page = Page("http://x", ["a", "b"])
    assert to_json(page) == {"url": "http://x", "words": ["a", "b"]}
    assert from_json({"url": "http://x", "words": ["a", "b"]}, Page) == page
    assert from_json([{"url": "u", "words": []}], list[Page]) == [Page("u", [])]
    assert from_json(None, Page | None) is None
    assert from_json({"text": "t"}, Text) == {"text": "t"}
    assert from_json(3, float) == 3.0 and isinstance(from_json(3, float), float)
