"""The typed flow DSL: ``Flow``, the ``@flow.step`` decorator, and compilation.

A flow is a DAG of steps; each step is a plain function (sync or async)::

    flow = Flow("analyze", max_attempts=3, base_delay=1, timeout=60)

    @flow.step
    def fetch(run: Input) -> Page: ...

    @flow.step
    def summary(fetch: Page) -> str: ...

Parameters name what a handler receives: ``run`` is the flow input, any other
name is a step defined earlier in the same flow (its output, typed by its return
annotation). Everything is checked when the decorator runs, that is when the
module is imported: slugs, options, unknown parameters, dependencies, types,
and ``X | None`` for dependencies that may be skipped while the step still runs.
Steps must be defined after their dependencies (as in a chained builder), so a
cycle cannot be written except as a self-dependency, which is rejected.

The decorator returns the function unchanged, so handlers stay callable and
testable, and mypy checks them as ordinary functions. ``flow.definition()`` is
the document ``pgflow.define_flow`` takes; ``flow.to_sql()`` the SQL migration.
"""

from __future__ import annotations

import ast
import collections.abc
import difflib
import inspect
import json
import re
import textwrap
import types
import typing
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Never, TypeVar, overload

from .schedules import CronError, Schedule, check_schedule

__all__ = [
    "Flow",
    "FlowDefinitionError",
    "Parameter",
    "Policy",
    "Step",
    "diff_definitions",
    "mermaid",
    "normalize_definition",
    "signal_step_of",
]

Policy = Literal["skip", "skip-cascade", "fail"]
StepRef = str | Callable[..., Any]
F = TypeVar("F", bound=Callable[..., Any])

SLUG_PATTERN: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
POLICIES: Final = ("skip", "skip-cascade", "fail")
FLOW_DEFAULTS: Final[dict[str, int]] = {"max_attempts": 3, "base_delay": 1, "timeout": 60}
SHAPE_KEYS: Final = ("deps", "fan_out", "run_if", "run_unless", "when_unmet", "when_exhausted", "signal", "subflow")
TUNABLE_KEYS: Final = (
    "max_attempts",
    "base_delay",
    "timeout",
    "delay_seconds",
    "max_concurrency",
    "max_output_bytes",
    "rate_limit",
    "rate_period",
    "limit_key",
    "signal_timeout",
)
# Limits of a flow or step, as define_flow spells them (None: no limit).
LIMIT_KEYS: Final = ("max_concurrency", "rate_limit", "rate_period", "limit_key")
LIMIT_KEY_PATTERN: Final = re.compile(r"^[^.]+(\.[^.]+)*$")
# The extension's default output limit (pgflow.create_flow / define_flow): 1 MiB of jsonb.
DEFAULT_MAX_OUTPUT_BYTES: Final = 1048576


class FlowDefinitionError(ValueError):
    """A flow or step definition is invalid; the message names the flow and step."""


class _Unannotated:
    def __repr__(self) -> str:
        return "<unannotated>"


UNANNOTATED: Final = _Unannotated()


@dataclass(frozen=True)
class Parameter:
    """One parameter of a handler and what the worker passes to it."""

    name: str
    role: Literal["run", "dependency", "item", "index"]
    annotation: Any
    source: str | None = None  # the step whose output feeds it (dependency, item)


@dataclass(frozen=True)
class Step:
    """A step of a flow: its handler, dependencies and options (None inherits the flow's)."""

    flow_slug: str
    slug: str
    handler: Callable[..., Any]
    deps: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    return_type: Any
    is_async: bool
    fan_out: bool = False
    max_attempts: int | None = None
    base_delay: int | None = None
    timeout: int | None = None
    delay_seconds: int = 0
    run_if: Mapping[str, Any] | None = None
    run_unless: Mapping[str, Any] | None = None
    when_unmet: Policy = "skip"
    when_exhausted: Policy = "fail"
    max_concurrency: int | None = None
    max_output_bytes: int | None = None
    rate_limit: int | None = None
    rate_period: int | None = None
    limit_key: str | None = None
    # True: the whole output is encrypted; a tuple: those top-level fields of an object output.
    secret_output: bool | tuple[str, ...] = False
    # A subflow step (``@flow.subflow``): the slug of the flow whose child run does its work.
    subflow: str | None = None
    # A signal step (``@flow.signal``): no handler runs; its output is the payload of
    # ``send_signal``, typed by return_type; signal_timeout seconds to wait (None: forever).
    signal: bool = False
    signal_timeout: int | None = None

    @property
    def output_type(self) -> Any:
        """What dependents receive: the return type, or a list of it for a fan-out step."""
        if not self.fan_out or self.return_type is UNANNOTATED:
            return self.return_type
        if isinstance(self.return_type, str):
            return f"list[{self.return_type}]"
        return list[self.return_type]  # type: ignore[name-defined]

    @property
    def conditional(self) -> bool:
        return self.run_if is not None or self.run_unless is not None

    @property
    def may_be_absent(self) -> bool:
        """Whether a dependent can run without this step's output (a plain, non-cascading skip)."""
        return (self.conditional and self.when_unmet == "skip") or self.when_exhausted == "skip"

    def document(self) -> dict[str, Any]:
        """This step in a define_flow document (options left at their defaults are omitted)."""
        doc: dict[str, Any] = {"slug": self.slug}
        if self.deps:
            doc["deps"] = list(self.deps)
        if self.fan_out:
            doc["fan_out"] = True
        for key in ("max_attempts", "base_delay", "timeout", *LIMIT_KEYS, "max_output_bytes"):
            value = getattr(self, key)
            if value is not None:
                doc[key] = value
        if self.delay_seconds:
            doc["delay_seconds"] = self.delay_seconds
        if self.run_if is not None:
            doc["run_if"] = dict(self.run_if)
        if self.run_unless is not None:
            doc["run_unless"] = dict(self.run_unless)
        if self.when_unmet != "skip":
            doc["when_unmet"] = self.when_unmet
        if self.when_exhausted != "fail":
            doc["when_exhausted"] = self.when_exhausted
        if self.subflow is not None:
            doc["subflow"] = self.subflow
        if self.signal:
            doc["signal"] = True
        if self.signal_timeout is not None:
            doc["signal_timeout"] = self.signal_timeout
        return doc


def _check_options(what: str, call: str, unknown: Mapping[str, Any], signature_of: Callable[..., Any]) -> None:
    """Refuse options the signature does not have, naming the closest valid one (a typo, usually)."""
    if not unknown:
        return
    valid = [
        name
        for name, parameter in inspect.signature(signature_of).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    name = next(iter(unknown))
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f'did you mean "{close[0]}"?' if close else f"the options are {', '.join(valid)}"
    raise FlowDefinitionError(f'{what}: {call} has no option "{name}" ({hint})')


class Flow:
    """A flow definition in code. Steps are added with the ``step`` decorator."""

    def __init__(
        self,
        slug: str,
        *,
        max_attempts: int = 3,
        base_delay: int = 1,
        timeout: int = 60,
        max_concurrency: int | None = None,
        max_output_bytes: int | None = None,
        secret_input: Sequence[str] = (),
        input_type: Any = UNANNOTATED,
        rate_limit: int | None = None,
        rate_period: int | None = None,
        limit_key: str | None = None,
        **unknown: Never,  # a typo: mypy rejects it, and so does this at run time, naming the closest option
    ) -> None:
        if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
            raise FlowDefinitionError(f"flow slug {slug!r} is invalid: it must match {SLUG_PATTERN.pattern}")
        what = f'flow "{slug}"'
        _check_options(what, "Flow(...)", unknown, Flow.__init__)
        _check_int(what, "max_attempts", max_attempts, 1)
        _check_int(what, "base_delay", base_delay, 0)
        _check_int(what, "timeout", timeout, 1)
        if max_concurrency is not None:
            _check_int(what, "max_concurrency", max_concurrency, 1)
        if max_output_bytes is not None:
            _check_int(what, "max_output_bytes", max_output_bytes, 1)
        _check_limits(what, rate_limit, rate_period, limit_key)
        if isinstance(secret_input, str) or not all(isinstance(k, str) and k for k in secret_input):
            raise FlowDefinitionError(
                f"{what}: secret_input is a list of top-level input field names, "
                f'e.g. ["userToken"]; got {secret_input!r}'
            )
        self.slug: Final = slug
        self.max_attempts: Final = max_attempts
        self.base_delay: Final = base_delay
        self.timeout: Final = timeout
        self.max_concurrency: Final = max_concurrency
        self.max_output_bytes: Final = max_output_bytes
        self.rate_limit: Final = rate_limit
        self.rate_period: Final = rate_period
        self.limit_key: Final = limit_key
        self.secret_input: Final = tuple(dict.fromkeys(secret_input))
        self.input_type: Any = input_type
        self._steps: dict[str, Step] = {}
        self._subflows: dict[str, Flow] = {}
        self._schedules: dict[str, Schedule] = {}

    def __repr__(self) -> str:
        return f"Flow({self.slug!r}, steps={list(self._steps)})"

    @property
    def has_secrets(self) -> bool:
        """Whether the flow declares secret input fields or secret step outputs (the worker needs keys)."""
        return bool(self.secret_input) or any(s.secret_output for s in self._steps.values())

    @property
    def steps(self) -> Mapping[str, Step]:
        """The steps by slug, in definition order (dependencies first)."""
        return types.MappingProxyType(self._steps)

    @property
    def subflows(self) -> Mapping[str, Flow]:
        """The flows this flow's subflow steps run, by slug (``deploy_flow`` deploys them first)."""
        return types.MappingProxyType(self._subflows)

    @property
    def output_fields(self) -> dict[str, Any]:
        """What a run of this flow outputs: an object of its leaf steps' outputs, as leaf slug -> type
        (what a subflow step running this flow returns)."""
        depended_on = {dep for step in self._steps.values() for dep in step.deps}
        return {slug: step.output_type for slug, step in self._steps.items() if slug not in depended_on}

    @property
    def schedules(self) -> Sequence[Schedule]:
        """The schedules declared with ``schedule``, in declaration order."""
        return tuple(self._schedules.values())

    def schedule(self, cron: str, *, input: Any = None, name: str | None = None, time_zone: str = "UTC") -> Schedule:
        """Start this flow at every slot of ``cron`` (five fields: minute hour day-of-month month
        day-of-week) in ``time_zone``, with ``input`` as the run input. Deployed with the flow by
        ``pgflow deploy`` (which also removes the ones no longer declared); ``name`` defaults to
        the flow slug, so a flow with several schedules names all but one of them. Checked here:
        the name, the cron expression (the extension's rules, naming the field), the input."""
        schedule = Schedule(name if name is not None else self.slug, cron, {} if input is None else input, time_zone)
        try:
            check_schedule(self.slug, schedule, self.secret_input)
        except CronError as error:
            raise FlowDefinitionError(str(error)) from None
        if schedule.name in self._schedules:
            raise FlowDefinitionError(
                f'flow "{self.slug}" already has a schedule named "{schedule.name}": '
                "give each schedule of a flow its own name=..."
            )
        self._schedules[schedule.name] = schedule
        return schedule

    def step_of(self, ref: StepRef) -> Step:
        """The step for a slug or a decorated handler."""
        slug = self._resolve(ref, f'flow "{self.slug}"')
        return self._steps[slug]

    @overload
    def step(self, handler: F, /) -> F: ...

    @overload
    def step(
        self,
        *,
        slug: str | None = None,
        depends_on: Sequence[StepRef] = (),
        fan_out: bool | StepRef = False,
        run_if: Mapping[str, Any] | None = None,
        run_unless: Mapping[str, Any] | None = None,
        when_unmet: Policy = "skip",
        when_exhausted: Policy = "fail",
        delay_seconds: int = 0,
        max_attempts: int | None = None,
        base_delay: int | None = None,
        timeout: int | None = None,
        max_concurrency: int | None = None,
        max_output_bytes: int | None = None,
        secret_output: bool | Sequence[str] = False,
        rate_limit: int | None = None,
        rate_period: int | None = None,
        limit_key: str | None = None,
        **unknown: Never,
    ) -> Callable[[F], F]: ...

    def step(
        self,
        handler: Callable[..., Any] | None = None,
        *,
        slug: str | None = None,
        depends_on: Sequence[StepRef] = (),
        fan_out: bool | StepRef = False,
        run_if: Mapping[str, Any] | None = None,
        run_unless: Mapping[str, Any] | None = None,
        when_unmet: Policy = "skip",
        when_exhausted: Policy = "fail",
        delay_seconds: int = 0,
        max_attempts: int | None = None,
        base_delay: int | None = None,
        timeout: int | None = None,
        max_concurrency: int | None = None,
        max_output_bytes: int | None = None,
        secret_output: bool | Sequence[str] = False,
        rate_limit: int | None = None,
        rate_period: int | None = None,
        limit_key: str | None = None,
        **unknown: Never,
    ) -> Any:
        """Register a handler as a step (bare ``@flow.step`` or ``@flow.step(...)`` with options).

        ``fan_out=True`` (or ``fan_out=source_step``) runs the handler once per element of
        its single dependency's list output; the handler takes the element (a parameter
        named after the dependency, or ``item``), optionally ``index`` and ``run``.
        ``max_concurrency`` bounds the step's tasks in flight across all workers;
        ``rate_limit`` with ``rate_period`` (seconds) its task starts in any window of that
        length; ``limit_key`` (a dotted path into the run input, ``"customer.id"``) makes
        both hold per value of that field;
        ``max_output_bytes`` the size of each task's output (jsonb bytes).
        ``secret_output=True`` encrypts the whole output, ``secret_output=["field", ...]``
        those top-level fields of an object output (see ``pgflow.encryption``).
        """

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if unknown:
                step_slug = slug if slug is not None else getattr(fn, "__name__", "?")
                _check_options(f'step "{step_slug}" of flow "{self.slug}"', "@flow.step(...)", unknown, Flow.step)
            self._add(
                fn,
                slug=slug,
                depends_on=depends_on,
                fan_out=fan_out,
                run_if=run_if,
                run_unless=run_unless,
                when_unmet=when_unmet,
                when_exhausted=when_exhausted,
                delay_seconds=delay_seconds,
                max_attempts=max_attempts,
                base_delay=base_delay,
                timeout=timeout,
                max_concurrency=max_concurrency,
                max_output_bytes=max_output_bytes,
                secret_output=secret_output,
                rate_limit=rate_limit,
                rate_period=rate_period,
                limit_key=limit_key,
            )
            return fn

        if handler is not None:
            return register(handler)
        return register

    def subflow(
        self,
        child: Flow,
        fan_out: bool = False,
        *,
        slug: str | None = None,
        run_if: Mapping[str, Any] | None = None,
        run_unless: Mapping[str, Any] | None = None,
        when_unmet: Policy = "skip",
        when_exhausted: Policy = "fail",
        delay_seconds: int = 0,
        max_attempts: int | None = None,
        base_delay: int | None = None,
        max_output_bytes: int | None = None,
        **unknown: Never,
    ) -> Callable[[F], F]:
        """Register a step that runs a run of ``child`` instead of a handler.

        The decorated function has no body (``...``): its one parameter names the
        dependency whose output is the child's input (``run``: the parent's input), and
        is typed as the child's input; its return annotation is the child's output, the
        object of the child's leaf steps' outputs (a TypedDict with those keys, or a
        ``dict``). With ``fan_out=True``, one child per element of the dependency's
        list: the parameter is the element, and the step returns the list of the
        children's outputs. A failed child is a failed attempt: ``max_attempts`` and
        ``base_delay`` start new children, then ``when_exhausted`` applies. The child
        starts on its flow's latest version when the step starts.
        """

        def register(fn: F) -> F:
            step_slug = slug if slug is not None else getattr(fn, "__name__", "?")
            what = f'subflow step "{step_slug}" of flow "{self.slug}"'
            if unknown:
                _check_options(what, "@flow.subflow(...)", unknown, Flow.subflow)
            self._check_subflow_handler(what, child, fn)
            if child is self or self.slug in _subflow_closure(child):
                raise FlowDefinitionError(
                    f"{what}: flows would run each other: {' -> '.join([self.slug, *_subflow_path(child, self.slug)])}"
                )
            self._add(
                fn,
                slug=slug,
                depends_on=(),
                fan_out=fan_out,
                run_if=run_if,
                run_unless=run_unless,
                when_unmet=when_unmet,
                when_exhausted=when_exhausted,
                delay_seconds=delay_seconds,
                max_attempts=max_attempts,
                base_delay=base_delay,
                timeout=None,
                max_output_bytes=max_output_bytes,
                subflow=child,
            )
            return fn

        return register

    def _check_subflow_handler(self, what: str, child: Flow, fn: Callable[..., Any]) -> None:
        """A subflow step's function has no body, one parameter, and the child's types."""
        if not isinstance(child, Flow):
            raise FlowDefinitionError(f"{what}: @flow.subflow takes the child Flow object, got {child!r}")
        code = getattr(fn, "__code__", None)
        if code is None or code.co_code not in _BODYLESS:
            raise FlowDefinitionError(
                f'{what}: a subflow step has no body (its child run of flow "{child.slug}" does the work): '
                "write `...` (or `raise NotImplementedError`) as its body"
            )
        parameters = list(inspect.signature(fn).parameters)
        if len(parameters) > 1:
            raise FlowDefinitionError(
                f"{what}: a subflow step takes one parameter, the dependency whose output is the child's input "
                f"(or run, the flow input), got {parameters}"
            )

    @overload
    def signal(self, handler: F, /) -> F: ...

    @overload
    def signal(
        self,
        *,
        timeout: int | None = None,
        slug: str | None = None,
        depends_on: Sequence[StepRef] = (),
        run_if: Mapping[str, Any] | None = None,
        run_unless: Mapping[str, Any] | None = None,
        when_unmet: Policy = "skip",
        when_exhausted: Policy = "fail",
        max_output_bytes: int | None = None,
        **unknown: Never,
    ) -> Callable[[F], F]: ...

    def signal(
        self,
        handler: Callable[..., Any] | None = None,
        *,
        timeout: int | None = None,
        slug: str | None = None,
        depends_on: Sequence[StepRef] = (),
        run_if: Mapping[str, Any] | None = None,
        run_unless: Mapping[str, Any] | None = None,
        when_unmet: Policy = "skip",
        when_exhausted: Policy = "fail",
        max_output_bytes: int | None = None,
        **unknown: Never,
    ) -> Any:
        """Declare a signal step: it waits, holding no worker, for ``pgflow.send_signal``.

        Decorates a body-less function (``...``): its parameters are its dependencies
        (the step becomes ready when they have settled) and its return annotation
        types the payload, which becomes the step's output; ``send_signal`` checks a
        payload against it before it is stored. ``timeout`` seconds after it became
        ready without a signal the step fails and ``when_exhausted`` applies (``"skip"``
        lets the flow go on without it; dependents then take ``T | None``); None waits
        forever. Conditions (``run_if``/``run_unless``) decide whether it waits at all.
        """

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            step_slug = slug if slug is not None else getattr(fn, "__name__", "?")
            what = f'signal step "{step_slug}" of flow "{self.slug}"'
            if unknown:
                _check_options(what, "@flow.signal(...)", unknown, Flow.signal)
            if timeout is not None:
                _check_int(what, "timeout", timeout, 1)
            if callable(fn) and not _is_body_less(fn):
                raise FlowDefinitionError(
                    f"{what}: a signal step has no handler, so its function's body must be `...`: "
                    "its parameters name its dependencies and its return annotation types the payload"
                )
            if callable(fn) and inspect.iscoroutinefunction(fn):
                raise FlowDefinitionError(f"{what}: declare it with def, not async def: nothing runs it")
            self._add(
                fn,
                slug=slug,
                depends_on=depends_on,
                fan_out=False,
                run_if=run_if,
                run_unless=run_unless,
                when_unmet=when_unmet,
                when_exhausted=when_exhausted,
                delay_seconds=0,
                max_attempts=None,
                base_delay=None,
                timeout=None,
                max_output_bytes=max_output_bytes,
                signal=True,
                signal_timeout=timeout,
            )
            _SIGNAL_STEPS[fn] = self._steps[step_slug]
            return fn

        if handler is not None:
            return register(handler)
        return register

    # -- compilation -----------------------------------------------------------------

    def definition(self) -> dict[str, Any]:
        """The ``pgflow.define_flow`` document of this flow."""
        self.validate()
        document: dict[str, Any] = {
            "slug": self.slug,
            "max_attempts": self.max_attempts,
            "base_delay": self.base_delay,
            "timeout": self.timeout,
        }
        for key in LIMIT_KEYS:
            if getattr(self, key) is not None:
                document[key] = getattr(self, key)
        if self.max_output_bytes is not None:
            document["max_output_bytes"] = self.max_output_bytes
        document["steps"] = [step.document() for step in self._steps.values()]
        return document

    def to_sql(self) -> str:
        """``SELECT pgflow.define_flow('<document>'::jsonb);`` as a migration would hold it."""
        return f"SELECT pgflow.define_flow({sql_string_literal(format_definition(self.definition()))}::jsonb);"

    def validate(self) -> None:
        """Whole-flow checks (the decorator already checked each step when it was added)."""
        if not self._steps:
            raise FlowDefinitionError(f'flow "{self.slug}" has no steps')
        cycle = _find_cycle({s.slug: s.deps for s in self._steps.values()})
        if cycle:
            raise FlowDefinitionError(f'flow "{self.slug}" has a cycle: {" -> ".join(cycle)}')

    # -- building a step --------------------------------------------------------------

    def _add(
        self,
        fn: Callable[..., Any],
        *,
        slug: str | None,
        depends_on: Sequence[StepRef],
        fan_out: bool | StepRef,
        run_if: Mapping[str, Any] | None,
        run_unless: Mapping[str, Any] | None,
        when_unmet: Policy,
        when_exhausted: Policy,
        delay_seconds: int,
        max_attempts: int | None,
        base_delay: int | None,
        timeout: int | None,
        max_concurrency: int | None = None,
        max_output_bytes: int | None = None,
        secret_output: bool | Sequence[str] = False,
        rate_limit: int | None = None,
        rate_period: int | None = None,
        limit_key: str | None = None,
        subflow: Flow | None = None,
        signal: bool = False,
        signal_timeout: int | None = None,
    ) -> None:
        if not callable(fn):
            raise FlowDefinitionError(f'flow "{self.slug}": @step decorates a function, got {fn!r}')
        step_slug = slug if slug is not None else getattr(fn, "__name__", "")
        what = f'step "{step_slug}" of flow "{self.slug}"'
        if not isinstance(step_slug, str) or not SLUG_PATTERN.match(step_slug):
            raise FlowDefinitionError(
                f"{what}: the slug is invalid: it must match {SLUG_PATTERN.pattern}"
                " (pass slug=... to name the step differently from its function)"
            )
        if step_slug == "run":
            raise FlowDefinitionError(f'{what}: the slug "run" is reserved for the flow input')
        if step_slug in self._steps:
            raise FlowDefinitionError(f"{what}: a step with this slug is already defined")
        if any(s.handler is fn for s in self._steps.values()):
            raise FlowDefinitionError(f"{what}: this function is already a step of the flow")

        for key, value, minimum in (
            ("max_attempts", max_attempts, 1),
            ("base_delay", base_delay, 0),
            ("timeout", timeout, 1),
            ("max_concurrency", max_concurrency, 1),
            ("max_output_bytes", max_output_bytes, 1),
        ):
            if value is not None:
                _check_int(what, key, value, minimum)
        _check_int(what, "delay_seconds", delay_seconds, 0)
        _check_limits(what, rate_limit, rate_period, limit_key)
        for key, policy in (("when_unmet", when_unmet), ("when_exhausted", when_exhausted)):
            if policy not in POLICIES:
                raise FlowDefinitionError(f"{what}: {key} must be one of {', '.join(POLICIES)}, got {policy!r}")
        for key, condition in (("run_if", run_if), ("run_unless", run_unless)):
            if condition is not None and not isinstance(condition, Mapping):
                raise FlowDefinitionError(
                    f'{what}: {key} must be a JSON object pattern such as {{"run": {{"vip": true}}}}'
                )

        explicit = [self._resolve(ref, what, self_slug=step_slug) for ref in depends_on]
        is_fan_out = fan_out is not False
        source: str | None = None
        if is_fan_out and fan_out is not True:
            source = self._resolve(typing.cast(StepRef, fan_out), what, self_slug=step_slug)

        signature = inspect.signature(fn)
        hints = _annotations(fn)
        if is_fan_out and source is None:
            named = [p for p in signature.parameters if p in self._steps]
            candidates = list(dict.fromkeys([*explicit, *named]))
            if len(candidates) != 1:
                raise FlowDefinitionError(
                    f"{what}: a fan-out step has exactly one dependency, the step whose list it "
                    f"fans out over; got {candidates or 'none'} (name a parameter after it, or "
                    "pass depends_on=[step] or fan_out=step)"
                )
            source = candidates[0]
        if is_fan_out and any(dep != source for dep in explicit):
            raise FlowDefinitionError(
                f'{what}: a fan-out step has exactly one dependency ("{source}"), '
                f"but depends_on also names {[d for d in explicit if d != source]}"
            )

        parameters: list[Parameter] = []
        deps: list[str] = [source] if source is not None else list(explicit)
        for name, param in signature.parameters.items():
            if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                raise FlowDefinitionError(f"{what}: handlers take named parameters only, not *{name} or **{name}")
            if param.kind is inspect.Parameter.POSITIONAL_ONLY:
                raise FlowDefinitionError(f'{what}: parameter "{name}" is positional-only; handlers are called by name')
            annotation = hints.get(name, UNANNOTATED)
            if name == "run":
                self._check_run_type(what, annotation)
                parameters.append(Parameter(name, "run", annotation))
            elif name == step_slug:
                raise FlowDefinitionError(f"{what} depends on itself: cycle {step_slug} -> {step_slug}")
            elif is_fan_out and (name == source or (name == "item" and "item" not in self._steps)):
                assert source is not None
                element = _element_type(self._steps[source].output_type)
                if element is None:
                    raise FlowDefinitionError(
                        f'{what}: fans out over step "{source}", which returns '
                        f"{_type_name(self._steps[source].output_type)}, not a list"
                    )
                self._check_type(what, name, annotation, element, f'the elements of step "{source}" are', False)
                parameters.append(Parameter(name, "item", annotation, source))
            elif is_fan_out and name == "index":
                if not _matches(annotation, int):
                    raise FlowDefinitionError(f'{what}: parameter "index" is the 0-based task index: annotate it int')
                parameters.append(Parameter(name, "index", annotation))
            elif name in self._steps and not is_fan_out:
                dep = self._steps[name]
                self._check_type(
                    what, name, annotation, dep.output_type, f'step "{name}" returns', dep.may_be_absent, dep
                )
                parameters.append(Parameter(name, "dependency", annotation, name))
                if name not in deps:
                    deps.append(name)
            elif name in self._steps:
                raise FlowDefinitionError(
                    f'{what}: parameter "{name}": a fan-out step receives only its item '
                    f'(from "{source}"), "index" and "run", not the output of step "{name}"'
                )
            else:
                known = ["run", *self._steps, *(["item", "index"] if is_fan_out else [])]
                raise FlowDefinitionError(
                    f'{what}: unknown parameter "{name}": it is neither "run" nor a step defined '
                    f"before this one{_did_you_mean(name, known)}"
                )

        for key, condition in (("run_if", run_if), ("run_unless", run_unless)):
            if condition is None:
                continue
            for top in condition:
                if top != "run" and top not in deps:
                    raise FlowDefinitionError(
                        f'{what}: {key} tests "{top}", which is not in the step\'s input '
                        f'("run" and its dependencies {deps}){_did_you_mean(str(top), ["run", *deps])}'
                    )
                self._check_condition_on_secret(what, key, str(top), condition[top])

        if isinstance(secret_output, bool):
            secret: bool | tuple[str, ...] = secret_output
        elif isinstance(secret_output, str) or not all(isinstance(f, str) and f for f in secret_output):
            raise FlowDefinitionError(
                f"{what}: secret_output is True (the whole output) or a list of top-level output field "
                f"names; got {secret_output!r}"
            )
        else:
            secret = tuple(dict.fromkeys(secret_output)) or False
        if source is not None and self._steps[source].secret_output is True:
            raise FlowDefinitionError(
                f'{what}: fans out over step "{source}", whose whole output is secret (secret_output=True): '
                "the database cannot split an encrypted list; fan out over a list in clear and mark "
                "the sensitive fields of its elements' results secret instead"
            )

        return_type = hints.get("return", UNANNOTATED)
        if subflow is not None:
            self._check_subflow_types(what, subflow, parameters, return_type)
            self._subflows[subflow.slug] = subflow
        self._steps[step_slug] = Step(
            flow_slug=self.slug,
            slug=step_slug,
            handler=fn,
            deps=tuple(deps),
            parameters=tuple(parameters),
            return_type=return_type,
            is_async=inspect.iscoroutinefunction(fn),
            fan_out=is_fan_out,
            max_attempts=max_attempts,
            base_delay=base_delay,
            timeout=timeout,
            delay_seconds=delay_seconds,
            run_if=dict(run_if) if run_if is not None else None,
            run_unless=dict(run_unless) if run_unless is not None else None,
            when_unmet=when_unmet,
            when_exhausted=when_exhausted,
            max_concurrency=max_concurrency,
            max_output_bytes=max_output_bytes,
            rate_limit=rate_limit,
            rate_period=rate_period,
            limit_key=limit_key,
            secret_output=secret,
            subflow=subflow.slug if subflow is not None else None,
            signal=signal,
            signal_timeout=signal_timeout,
        )

    def _check_subflow_types(self, what: str, child: Flow, parameters: Sequence[Parameter], return_type: Any) -> None:
        """The parameter is what the child takes as input; the return annotation what it outputs."""
        for parameter in parameters:
            if not _matches(child.input_type, parameter.annotation):
                given = "elements" if parameter.role == "item" else "input"
                raise FlowDefinitionError(
                    f'{what}: parameter "{parameter.name}" is annotated {_type_name(parameter.annotation)}, '
                    f'but flow "{child.slug}" takes {_type_name(child.input_type)} as its input '
                    f"(the {given} this step passes to its child runs)"
                )
        # An object type takes any child output; an annotation that could not be resolved
        # stays a string, with nothing to compare it with.
        if isinstance(return_type, str) or return_type is UNANNOTATED or return_type in (Any, object, dict):
            return
        if typing.get_origin(return_type) in (dict, collections.abc.Mapping):
            return
        leaves = child.output_fields
        if not typing.is_typeddict(return_type):
            raise FlowDefinitionError(
                f"{what}: the return annotation is {_type_name(return_type)}, but a run of flow "
                f'"{child.slug}" outputs an object of its leaf steps\' outputs ({", ".join(leaves)}): '
                "annotate a TypedDict with those keys, or dict[str, Any]"
            )
        fields = typing.get_type_hints(return_type)
        if set(fields) != set(leaves):
            raise FlowDefinitionError(
                f"{what}: the return annotation {_type_name(return_type)} has the keys {sorted(fields)}, "
                f'but a run of flow "{child.slug}" outputs its leaf steps {sorted(leaves)}'
            )
        for key, produced in leaves.items():
            if not _matches(fields[key], produced):
                raise FlowDefinitionError(
                    f'{what}: the return annotation\'s "{key}" is {_type_name(fields[key])}, '
                    f'but step "{key}" of flow "{child.slug}" returns {_type_name(produced)}'
                )

    def _check_condition_on_secret(self, what: str, key: str, top: str, pattern: Any) -> None:
        """Conditions run in the database, which only sees ciphertext: a pattern on a secret cannot hold."""
        if top == "run":
            secret_fields: Sequence[str] = self.secret_input
            whole = False
            owner = "the flow's secret_input"
        else:
            declared = self._steps[top].secret_output
            whole = declared is True
            secret_fields = declared if isinstance(declared, tuple) else ()
            owner = f'step "{top}"\'s secret_output'
        tested = [f for f in secret_fields if isinstance(pattern, Mapping) and f in pattern]
        if whole or tested:
            field = f'"{top}"' if whole else ", ".join(f'"{top}.{f}"' for f in tested)
            raise FlowDefinitionError(
                f"{what}: {key} tests {field}, which is secret ({owner}): the database only sees it "
                "encrypted, so the condition could never hold as written. Test a non-secret field, or "
                "compute a non-secret flag in an earlier step and test that"
            )

    def _resolve(self, ref: StepRef, what: str, self_slug: str | None = None) -> str:
        if isinstance(ref, str):
            if ref == self_slug:
                raise FlowDefinitionError(f"{what} depends on itself: cycle {ref} -> {ref}")
            if ref not in self._steps:
                raise FlowDefinitionError(
                    f'{what}: depends on "{ref}", which is not a step defined before it in flow '
                    f'"{self.slug}"{_did_you_mean(ref, list(self._steps))}'
                )
            return ref
        for step in self._steps.values():
            if step.handler is ref:
                return step.slug
        name = getattr(ref, "__name__", repr(ref))
        raise FlowDefinitionError(
            f'{what}: depends on function {name}, which is not a step defined before it in flow "{self.slug}"'
        )

    def _check_run_type(self, what: str, annotation: Any) -> None:
        if annotation is UNANNOTATED:
            return
        if self.input_type is UNANNOTATED:
            self.input_type = annotation
            return
        if not _matches(annotation, self.input_type):
            raise FlowDefinitionError(
                f'{what}: parameter "run" is annotated {_type_name(annotation)}, but the flow input is '
                f"{_type_name(self.input_type)} (from input_type= or an earlier step)"
            )

    def _check_type(
        self,
        what: str,
        name: str,
        annotation: Any,
        produced: Any,
        producer: str,
        may_be_absent: bool,
        dep: Step | None = None,
    ) -> None:
        if may_be_absent and annotation is not UNANNOTATED and not _accepts_none(annotation):
            assert dep is not None
            reason = (
                f'it has when_unmet="skip" with {"run_if" if dep.run_if is not None else "run_unless"}'
                if dep.conditional and dep.when_unmet == "skip"
                else 'it has when_exhausted="skip"'
            )
            raise FlowDefinitionError(
                f'{what}: parameter "{name}" must be annotated {_type_name(produced)} | None: '
                f'step "{name}" may be skipped ({reason}), and this step then runs without it'
            )
        if not _matches(annotation, produced):
            raise FlowDefinitionError(
                f'{what}: parameter "{name}" is annotated {_type_name(annotation)}, '
                f"but {producer} {_type_name(produced)}"
            )


# -- helpers --------------------------------------------------------------------------

# The signal steps by their declaring function, so ``send_signal(dsn, run_id, approval, ...)``
# knows the payload type from the function alone.
_SIGNAL_STEPS: weakref.WeakKeyDictionary[Callable[..., Any], Step] = weakref.WeakKeyDictionary()


def signal_step_of(fn: Callable[..., Any]) -> Step | None:
    """The signal step a function declared with ``@flow.signal`` (None: it declared none)."""
    try:
        return _SIGNAL_STEPS.get(fn)
    except TypeError:  # not weak-referenceable: not a declared function
        return None


def _is_body_less(fn: Callable[..., Any]) -> bool:
    """Whether a function's body is only ``...``, ``pass`` and a docstring (when its source can be read)."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return True  # no source to read (a REPL, a lambda in a string): trust the declaration
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return True
    return all(
        isinstance(statement, ast.Pass)
        or (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
        for statement in node.body
    )


def _bodyless() -> None: ...


def _bodyless_documented() -> None:
    """What a subflow step's function compiles to: ``...`` (or ``pass``), after a docstring or not."""


def _bodyless_for_mypy() -> None:
    raise NotImplementedError  # what mypy accepts as a body without --disable-error-code empty-body


def _bodyless_for_mypy_documented() -> None:
    """A docstring, then the same."""
    raise NotImplementedError


# The bytecode of a function that does nothing (which a docstring changes on some Pythons).
_BODYLESS: Final = frozenset(
    f.__code__.co_code for f in (_bodyless, _bodyless_documented, _bodyless_for_mypy, _bodyless_for_mypy_documented)
)


def _subflow_closure(flow: Flow) -> set[str]:
    """The slugs of every flow ``flow`` runs through subflow steps, directly or not."""
    seen: set[str] = set()
    pending = list(flow.subflows.values())
    while pending:
        child = pending.pop()
        if child.slug not in seen:
            seen.add(child.slug)
            pending.extend(child.subflows.values())
    return seen


def _subflow_path(flow: Flow, target: str) -> list[str]:
    """The slugs from ``flow`` down to ``target`` through subflow steps (``flow`` itself first)."""
    if flow.slug == target:
        return [flow.slug]
    for child in flow.subflows.values():
        if child.slug == target or target in _subflow_closure(child):
            return [flow.slug, *_subflow_path(child, target)]
    return [flow.slug]


def _check_int(what: str, key: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FlowDefinitionError(f"{what}: {key} must be an integer >= {minimum}, got {value!r}")


def _check_limits(what: str, rate_limit: int | None, rate_period: int | None, limit_key: str | None) -> None:
    """rate_limit and rate_period go together; limit_key is a dotted path into the run input."""
    if (rate_limit is None) != (rate_period is None):
        raise FlowDefinitionError(
            f"{what}: rate_limit needs rate_period (seconds) and rate_period needs rate_limit, "
            f"got rate_limit={rate_limit!r}, rate_period={rate_period!r}"
        )
    if rate_limit is not None:
        _check_int(what, "rate_limit", rate_limit, 1)
        _check_int(what, "rate_period", rate_period, 1)
    if limit_key is not None and (not isinstance(limit_key, str) or not LIMIT_KEY_PATTERN.match(limit_key)):
        raise FlowDefinitionError(
            f'{what}: limit_key must be a dotted path into the run input such as "customer.id", got {limit_key!r}'
        )


def _annotations(fn: Callable[..., Any]) -> dict[str, Any]:
    """Resolved annotations; names that cannot be resolved stay strings (compared by text)."""
    try:
        return typing.get_type_hints(fn)
    except Exception:
        return dict(inspect.get_annotations(fn))


def _is_optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return (origin is typing.Union or origin is types.UnionType) and type(None) in typing.get_args(annotation)


def _accepts_none(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return "None" in annotation or "Optional" in annotation
    return annotation in (Any, object, type(None)) or _is_optional(annotation)


def _matches(annotation: Any, produced: Any) -> bool:
    """Whether a parameter annotated ``annotation`` accepts what a step that returns ``produced`` gives.

    The rules of a static type checker, for the types a step passes on: ``Any``
    either way, unions, subclasses, the numeric tower (``int`` for ``float``,
    both for ``complex``), ``Literal`` values for their type, and generics by
    their origin's subclassing and each argument's variance (``list[int]`` for
    ``Sequence[int]`` but not for ``list[float]``; a bare ``dict`` for
    ``dict[str, Any]`` and back, its arguments being ``Any``). A TypedDict is
    compared by identity (or given to ``Mapping[str, object]``), not structurally.
    """
    if annotation is UNANNOTATED or produced is UNANNOTATED:
        return True
    if annotation in (Any, object) or produced is Any:
        return True
    if isinstance(annotation, str) or isinstance(produced, str):
        return _type_name(annotation).replace(" ", "") == _type_name(produced).replace(" ", "")
    if annotation == produced:
        return True
    if _is_union(produced):
        return all(_matches(annotation, member) for member in typing.get_args(produced))
    if _is_union(annotation):
        return any(_matches(member, produced) for member in typing.get_args(annotation))
    if typing.get_origin(produced) is Literal:
        if typing.get_origin(annotation) is Literal:
            return set(typing.get_args(produced)) <= set(typing.get_args(annotation))
        return all(_matches(annotation, type(value)) for value in typing.get_args(produced))
    if typing.get_origin(annotation) is Literal:
        return False
    if produced is type(None) or annotation is type(None):
        return False
    if typing.is_typeddict(produced) or typing.is_typeddict(annotation):
        return typing.is_typeddict(produced) and _is_mapping_of_objects(annotation)
    return _generic_matches(annotation, produced)


# PEP 484's numeric tower: an int is accepted where a float (or complex) is declared.
_PROMOTIONS: Final[dict[type, tuple[type, ...]]] = {float: (int,), complex: (int, float)}
# Type parameters that are covariant (read-only containers); the others are invariant.
_COVARIANT: Final = frozenset(
    {
        collections.abc.Sequence,
        collections.abc.Iterable,
        collections.abc.Collection,
        collections.abc.Reversible,
        collections.abc.Iterator,
        collections.abc.Set,
        frozenset,
        tuple,
        type,
    }
)
# For Mapping the key is invariant and the value covariant.
_MAPPINGS: Final = frozenset({collections.abc.Mapping})


def _is_union(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    return origin is typing.Union or origin is types.UnionType


def _is_mapping_of_objects(annotation: Any) -> bool:
    """What a type checker lets a TypedDict be given to: ``Mapping`` (of ``str`` to ``object``/``Any``)."""
    if annotation is collections.abc.Mapping:
        return True
    if typing.get_origin(annotation) is not collections.abc.Mapping:
        return False
    key, value = typing.get_args(annotation)
    return key in (str, Any) and value in (object, Any)


def _same(left: Any, right: Any) -> bool:
    """Invariant type arguments: each accepts the other (``Any`` matches anything)."""
    return _matches(left, right) and _matches(right, left)


def _generic_matches(annotation: Any, produced: Any) -> bool:
    wanted = typing.get_origin(annotation) or annotation
    given = typing.get_origin(produced) or produced
    if not isinstance(wanted, type) or not isinstance(given, type):
        return False
    if given in _PROMOTIONS.get(wanted, ()):
        return True
    try:
        if not issubclass(given, wanted):
            return False
    except TypeError:  # e.g. a runtime-uncheckable protocol
        return False
    wanted_args, given_args = typing.get_args(annotation), typing.get_args(produced)
    if not wanted_args or not given_args:  # a bare generic means Any arguments
        return True
    if given is tuple:
        return _tuple_matches(wanted, wanted_args, given_args)
    if len(given_args) == 2 and len(wanted_args) == 1:  # a mapping given as its keys' iterable
        given_args = given_args[:1]
    if len(wanted_args) != len(given_args):
        return False
    if wanted in _MAPPINGS:
        return _same(wanted_args[0], given_args[0]) and _matches(wanted_args[1], given_args[1])
    check = _matches if wanted in _COVARIANT else _same
    return all(check(w, g) for w, g in zip(wanted_args, given_args, strict=True))


def _tuple_matches(wanted: type, wanted_args: tuple[Any, ...], given_args: tuple[Any, ...]) -> bool:
    """A tuple (``tuple[int, ...]`` or ``tuple[int, str]``) given to a tuple or a read-only sequence."""
    given_elements = given_args[:1] if len(given_args) == 2 and given_args[1] is Ellipsis else given_args
    given_variadic = len(given_args) == 2 and given_args[1] is Ellipsis
    if wanted is not tuple:  # Sequence[X], Iterable[X], ...: every element is an X
        return len(wanted_args) == 1 and all(_matches(wanted_args[0], g) for g in given_elements)
    if len(wanted_args) == 2 and wanted_args[1] is Ellipsis:
        return all(_matches(wanted_args[0], g) for g in given_elements)
    if given_variadic or len(wanted_args) != len(given_args):
        return False
    return all(_matches(w, g) for w, g in zip(wanted_args, given_args, strict=True))


def _element_type(output: Any) -> Any | None:
    """The element type of a list-typed output; UNANNOTATED when unknown; None when not a list."""
    if output is UNANNOTATED or output is Any:
        return UNANNOTATED
    if isinstance(output, str):
        match = re.fullmatch(r"\s*(?:list|List|Sequence|tuple)\[(.*?)(?:,\s*\.\.\.)?\]\s*", output)
        return match.group(1) if match else UNANNOTATED
    origin = typing.get_origin(output)
    args = typing.get_args(output)
    if origin is list or origin is collections.abc.Sequence:
        return args[0] if args else UNANNOTATED
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    if output is list:
        return UNANNOTATED
    return None


def _type_name(annotation: Any) -> str:
    if annotation is UNANNOTATED:
        return "unannotated"
    if isinstance(annotation, str):
        return annotation
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")


def _did_you_mean(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle as a path ``[a, b, a]`` following dependencies, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def format_definition(document: Mapping[str, Any]) -> str:
    """JSON with one line per step: readable in a migration, and still one JSON value."""
    head = {k: v for k, v in document.items() if k != "steps"}
    steps = document.get("steps", [])
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    if not steps:
        return opening + (', "steps": []}' if head else '"steps": []}')
    body = ",\n".join("  " + json.dumps(step, ensure_ascii=False) for step in steps)
    return f'{opening}, "steps": [\n{body}\n]}}'


def sql_string_literal(text: str) -> str:
    """A standard SQL string literal ('' doubles a quote; backslashes are literal)."""
    return "'" + text.replace("'", "''") + "'"


# -- definitions as documents: normalization, drift, graph -----------------------------


def normalize_definition(document: Mapping[str, Any]) -> dict[str, Any]:
    """A define_flow document with every default filled in, steps keyed by slug, deps sorted.

    Two documents that define the same flow normalize to equal values, whatever their
    step order or which defaults they spell out (``pgflow.flow_definition`` spells all).
    """
    steps: dict[str, dict[str, Any]] = {}
    for step in document.get("steps", []):
        steps[step["slug"]] = {
            "deps": sorted(step.get("deps") or []),
            "fan_out": bool(step.get("fan_out") or False),
            "run_if": step.get("run_if"),
            "run_unless": step.get("run_unless"),
            "when_unmet": step.get("when_unmet") or "skip",
            "when_exhausted": step.get("when_exhausted") or "fail",
            "max_attempts": step.get("max_attempts"),
            "base_delay": step.get("base_delay"),
            "timeout": step.get("timeout"),
            "delay_seconds": step.get("delay_seconds") or 0,
            "max_concurrency": step.get("max_concurrency"),
            "max_output_bytes": step.get("max_output_bytes"),
            "rate_limit": step.get("rate_limit"),
            "rate_period": step.get("rate_period"),
            "limit_key": step.get("limit_key"),
            "subflow": step.get("subflow"),
            "signal": bool(step.get("signal") or False),
            "signal_timeout": step.get("signal_timeout"),
        }
    normalized: dict[str, Any] = {"slug": document["slug"]}
    for key, default in FLOW_DEFAULTS.items():
        value = document.get(key)
        normalized[key] = default if value is None else value
    for key in LIMIT_KEYS:
        normalized[key] = document.get(key)
    normalized["max_output_bytes"] = document.get("max_output_bytes") or DEFAULT_MAX_OUTPUT_BYTES
    normalized["steps"] = steps
    return normalized


def diff_definitions(database: Mapping[str, Any], code: Mapping[str, Any]) -> list[str]:
    """Readable differences between the database's definition and the code's, one per line.

    Each line says whether it is about the flow's shape (deploying creates a new
    version) or a tunable (deploying updates it in place).
    """
    db, mine = normalize_definition(database), normalize_definition(code)
    lines: list[str] = []
    for key in (*FLOW_DEFAULTS, *LIMIT_KEYS, "max_output_bytes"):
        if db[key] != mine[key]:
            lines.append(f"flow {key}: database {db[key]!r}, code {mine[key]!r} (tunable)")
    for slug in db["steps"]:
        if slug not in mine["steps"]:
            lines.append(f'step "{slug}": only in the database (shape)')
    for slug, step in mine["steps"].items():
        if slug not in db["steps"]:
            lines.append(f'step "{slug}": only in the code (shape)')
            continue
        stored = db["steps"][slug]
        for key in (*SHAPE_KEYS, *TUNABLE_KEYS):
            if stored[key] != step[key]:
                kind = "shape" if key in SHAPE_KEYS else "tunable"
                lines.append(
                    f'step "{slug}" {key}: database {json.dumps(stored[key])}, code {json.dumps(step[key])} ({kind})'
                )
    return lines


def mermaid(document: Mapping[str, Any]) -> str:
    """A Mermaid flowchart of a define_flow document."""
    lines = ["flowchart TD", "  run([run input])"]
    for step in document.get("steps", []):
        slug = step["slug"]
        notes = []
        if step.get("fan_out"):
            notes.append("fan-out")
        if step.get("run_if") is not None:
            notes.append(f"run_if {json.dumps(step['run_if'])}")
        if step.get("run_unless") is not None:
            notes.append(f"run_unless {json.dumps(step['run_unless'])}")
        if step.get("delay_seconds"):
            notes.append(f"delay {step['delay_seconds']}s")
        if step.get("subflow"):
            notes.append(f"runs flow {step['subflow']}")
        if step.get("signal"):
            timeout = step.get("signal_timeout")
            notes.append("waits for a signal" + (f" up to {timeout}s" if timeout else ""))
        label = slug + "".join(f"<br/>{n}" for n in notes)
        label = label.replace('"', "#quot;")
        shape = f'[["{label}"]]' if step.get("fan_out") else f'["{label}"]'
        lines.append(f"  {slug}{shape}")
        deps = step.get("deps") or []
        if not deps:
            lines.append(f"  run --> {slug}")
        for dep in deps:
            lines.append(f"  {dep} --> {slug}")
    return "\n".join(lines) + "\n"
