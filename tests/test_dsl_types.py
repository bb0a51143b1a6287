"""The DSL's type check between steps accepts what a static type checker accepts, and refuses the rest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

import pytest

from pgflow import Flow, FlowDefinitionError


class Animal:
    pass


class Dog(Animal):
    pass


class Point(TypedDict):
    x: int


class Other(TypedDict):
    x: int


@dataclass
class Box:
    size: int


def connect(produced: Any, declared: Any) -> None:
    """A step returning ``produced`` and a dependent step whose parameter is annotated ``declared``."""
    flow = Flow("types")

    def source() -> None: ...

    source.__annotations__ = {"return": produced}
    flow.step(source)

    def sink(source: Any) -> None: ...

    sink.__annotations__ = {"source": declared, "return": None}
    flow.step(sink)


ACCEPTED: list[tuple[Any, Any]] = [
    (int, int),
    (Dog, Animal),
    (bool, int),
    (int, float),
    (int, complex),
    (float, complex),
    (list[int], Sequence[int]),
    (list[int], Iterable[int]),
    (list[Dog], Sequence[Animal]),
    (list[int], Sequence[float]),
    (tuple[int, ...], Sequence[int]),
    (tuple[int, str], tuple[int, str]),
    (tuple[int, int], tuple[float, ...]),
    (dict[str, Any], dict),
    (dict, dict[str, int]),
    (dict[str, int], Mapping[str, int]),
    (dict[str, int], Mapping[str, float]),
    (dict[str, Any], dict[str, int]),
    (dict[str, int], dict[str, Any]),
    (Any, int),
    (int, Any),
    (int, object),
    (int, int | None),
    (int, int | str),
    (Dog | int, Animal | int),
    (Literal["a", "b"], str),
    (Literal["a"], Literal["a", "b"]),
    (Point, Point),
    (Point, Mapping[str, object]),
    (Box, Box),
    (list[Point], list[Point]),
]

REFUSED: list[tuple[Any, Any]] = [
    (str, int),
    (Animal, Dog),
    (float, int),
    (complex, float),
    (list[int], list[float]),
    (list[Dog], list[Animal]),
    (Sequence[int], list[int]),
    (list[str], Sequence[int]),
    (tuple[int, str], tuple[int, int]),
    (tuple[int, ...], tuple[int, int]),
    (dict[str, int], dict[str, float]),
    (dict[int, str], Mapping[str, str]),
    (Mapping[str, int], dict[str, int]),
    (int | None, int),
    (int | str, int),
    (Literal["a", "c"], Literal["a", "b"]),
    (Literal["a"], int),
    (Point, Other),
    (Point, dict[str, Any]),
    (dict[str, Any], Point),
    (Box, dict[str, Any]),
    (None, int),
]


def _name(value: Any) -> str:
    return getattr(value, "__qualname__", None) or repr(value).replace("typing.", "")


@pytest.mark.parametrize(
    ("produced", "declared"),
    ACCEPTED,
    ids=[f"{_name(p)}->{_name(d)}" for p, d in ACCEPTED],
)
def test_a_dependency_accepts_what_a_type_checker_accepts(produced: Any, declared: Any) -> None:
    connect(produced, declared)


@pytest.mark.parametrize(
    ("produced", "declared"),
    REFUSED,
    ids=[f"{_name(p)}->{_name(d)}" for p, d in REFUSED],
)
def test_a_dependency_refuses_what_a_type_checker_refuses(produced: Any, declared: Any) -> None:
    with pytest.raises(
        FlowDefinitionError,
        match=r'step "sink" of flow "types": parameter "source" is annotated .*'
        r'but step "source" returns ',
    ):
        connect(produced, declared)


def test_a_fan_out_index_accepts_what_an_int_is_given_to() -> None:
    flow = Flow("indexed")

    @flow.step
    def items() -> list[str]:
        return []

    @flow.step(fan_out="items")
    def each(item: str, index: float) -> None: ...

    with pytest.raises(FlowDefinitionError, match='parameter "index" is the 0-based task index'):

        @flow.step(fan_out="items")
        def other(item: str, index: str) -> None: ...


def test_the_run_parameter_accepts_a_subtype_of_the_flow_input() -> None:
    flow = Flow("runs", input_type=dict[str, int])

    @flow.step
    def first(run: Mapping[str, float]) -> None: ...

    with pytest.raises(
        FlowDefinitionError,
        match=r'parameter "run" is annotated list.*but the flow input is dict',
    ):

        @flow.step
        def second(run: list[int]) -> None: ...
