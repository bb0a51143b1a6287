"""What a failed attempt records (``TaskError``), built from any exception a handler raises."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from ..encryption import scrub

__all__ = ["TaskError", "WorkerStartError", "error_type", "format_error", "safe_str", "task_name"]


class WorkerStartError(RuntimeError):
    """The worker cannot start: its database is unreachable (or lacks pgflow) at start; one line says why."""


def task_name(flow_slug: str, step_slug: str, task_index: int, fan_out: bool) -> str:
    """How the worker's log names a task: ``analyze/combine`` (``analyze/each[3]`` for a fan-out task)."""
    return f"{flow_slug}/{step_slug}" + (f"[{task_index}]" if fan_out else "")


def error_type(error: BaseException) -> str:
    """The exception's class name (qualified by its module unless it is a builtin)."""
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def safe_str(error: BaseException) -> str:
    """``str(error)``, or a note when the exception's ``__str__`` itself raises (it must still be reported)."""
    try:
        return str(error)
    except Exception as broken:
        return f"<str() of the exception raised {error_type(broken)}>"


def _trace(error: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(error)).rstrip()
    except Exception as broken:  # e.g. a __str__ that raises while traceback formats it
        return f"<the traceback could not be formatted: {error_type(broken)}>"


def format_error(error: BaseException) -> str:
    """``Type: message`` on the first line, then the traceback."""
    name = error_type(error)
    message = safe_str(error)
    trace = _trace(error)
    return f"{name}: {message}\n{trace}" if message else f"{name}\n{trace}"


@dataclass(frozen=True)
class TaskError:
    """What ``fail_task`` records: a message, and optionally a type and details (a traceback)."""

    message: str
    type: str | None = None
    details: str | None = None

    @classmethod
    def of(cls, error: BaseException, context: str = "") -> TaskError:
        message = safe_str(error) or error_type(error)
        return cls(f"{context}: {message}" if context else message, error_type(error), _trace(error))

    def storable(self) -> TaskError:
        """NUL characters spelled out: a text column cannot hold them, and the attempt must be recorded."""
        if "\x00" not in self.message + (self.type or "") + (self.details or ""):
            return self

        def spelled(text: str | None) -> str | None:
            return None if text is None else text.replace("\x00", "\\x00")

        return TaskError(spelled(self.message) or "", spelled(self.type), spelled(self.details))

    def scrubbed(self, plaintexts: Sequence[str]) -> TaskError:
        """Decrypted secrets replaced by ``«secret»`` (a handler may quote its input in an error)."""
        if not plaintexts:
            return self
        return TaskError(
            scrub(self.message, plaintexts),
            self.type,
            scrub(self.details, plaintexts) if self.details is not None else None,
        )
