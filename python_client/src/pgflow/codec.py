"""JSON in and out of handlers.

Outputs are turned into plain JSON values (dataclasses, pydantic models, tuples,
enums, dates and UUIDs included); inputs are rebuilt into the type a handler's
parameter is annotated with (dataclasses, TypedDicts, pydantic models, and
containers of them). Anything unannotated is passed through as parsed JSON.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import sys
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from typing import Any


class CodecError(TypeError):
    """A value cannot be turned into JSON, or JSON into the annotated type."""


def _pydantic() -> Any:
    """pydantic if it is loaded: a model can only exist once its module imported pydantic (so it is
    never imported here, which would cost every CLI call ~20 ms)."""
    return sys.modules.get("pydantic")


def _is_pydantic_model(annotation: Any) -> bool:
    pydantic = _pydantic()
    return pydantic is not None and isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


def to_json(value: Any) -> Any:
    """A plain JSON value (dict, list, str, int, float, bool, None) for ``value``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    pydantic = _pydantic()
    if pydantic is not None and isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CodecError(f"JSON object keys must be strings, got {type(key).__name__} {key!r}")
            out[key] = to_json(item)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item) for item in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise CodecError(f"cannot serialize a {type(value).__name__} to JSON: {value!r:.200}")


def dumps(value: Any) -> str:
    """``to_json`` then ``json.dumps``: what the worker sends as a step's output."""
    return json.dumps(to_json(value))


def from_json(value: Any, annotation: Any) -> Any:
    """Rebuild ``value`` (parsed JSON) into ``annotation``; unknown annotations pass it through."""
    if annotation is None or annotation is Any or annotation is object or isinstance(annotation, str):
        return value
    if annotation is type(None):
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return from_json(value, args[0])
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        candidates = [a for a in args if a is not type(None)]
        if len(candidates) == 1:
            return from_json(value, candidates[0])
        for candidate in candidates:  # the first that accepts it
            try:
                return from_json(value, candidate)
            except (CodecError, TypeError, ValueError):
                continue
        return value
    if origin is typing.Literal:
        return value
    if _is_pydantic_model(annotation):
        try:
            return annotation.model_validate(value)
        except Exception as error:
            raise CodecError(f"cannot build {annotation.__name__} from {value!r:.200}: {error}") from error
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise CodecError(f"cannot build dataclass {annotation.__name__} from {type(value).__name__}")
        hints = typing.get_type_hints(annotation)
        known = {f.name for f in dataclasses.fields(annotation) if f.init}
        kwargs = {k: from_json(v, hints.get(k)) for k, v in value.items() if k in known}
        try:
            return annotation(**kwargs)
        except TypeError as error:
            raise CodecError(f"cannot build dataclass {annotation.__name__}: {error}") from error
    if typing.is_typeddict(annotation):
        if not isinstance(value, Mapping):
            raise CodecError(f"cannot build {annotation.__name__} from {type(value).__name__}")
        hints = typing.get_type_hints(annotation)
        return {k: from_json(v, hints.get(k)) for k, v in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation(value)
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is uuid.UUID and isinstance(value, str):
        return uuid.UUID(value)
    if origin is not None and isinstance(value, list):
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(from_json(v, args[0]) for v in value)
            if args and len(args) == len(value):
                return tuple(from_json(v, a) for v, a in zip(value, args, strict=True))
            return tuple(value)
        if origin in (list, set, frozenset) or (isinstance(origin, type) and issubclass(origin, Sequence)):
            element = args[0] if args else Any
            items = [from_json(v, element) for v in value]
            return origin(items) if origin in (set, frozenset) else items
    if (
        origin is not None
        and isinstance(value, Mapping)
        and len(args) == 2
        and (origin is dict or (isinstance(origin, type) and issubclass(origin, Mapping)))
    ):
        return {k: from_json(v, args[1]) for k, v in value.items()}
    return value


_JSON_SCALARS: dict[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
}


def json_mismatch(value: Any, annotation: Any, where: str = "the input") -> str | None:
    """Why a parsed JSON value does not fit ``annotation`` (first problem found), or None when it does.

    What ``pgflow start module:flow --input`` checks before starting a run:
    TypedDict keys (required ones present, each value typed), dataclass and
    pydantic fields, scalars, lists, dicts, unions, ``Literal``. Types it does not
    know are accepted (as the worker passes them through).
    """
    if annotation is None or annotation is Any or annotation is object or isinstance(annotation, str):
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return json_mismatch(value, args[0], where)
    if annotation is type(None):
        return None if value is None else f"{where} must be null, not {_json_kind(value)}"
    if origin is typing.Union or origin is types.UnionType:
        problems = [json_mismatch(value, member, where) for member in args]
        if all(problems):
            return f"{where} is {_json_kind(value)}, which fits none of {_annotation_text(annotation)}"
        return None
    if origin is typing.Literal:
        return None if value in args else f"{where} must be one of {', '.join(map(json.dumps, args))}"
    if _is_pydantic_model(annotation):
        try:
            annotation.model_validate(value)
        except Exception as error:
            details = error.errors() if isinstance(error, _pydantic().ValidationError) else []
            if details:
                field = "".join(f"[{json.dumps(part)}]" for part in details[0]["loc"])
                return f"{where}{field}: {details[0]['msg']}"
            return f"{where} is not a valid {annotation.__name__}: {str(error).splitlines()[0]}"
        return None
    if typing.is_typeddict(annotation) or (isinstance(annotation, type) and dataclasses.is_dataclass(annotation)):
        if not isinstance(value, dict):
            return f"{where} must be an object ({annotation.__name__}), not {_json_kind(value)}"
        hints = typing.get_type_hints(annotation)
        if typing.is_typeddict(annotation):
            required: frozenset[str] = annotation.__required_keys__
        else:
            required = frozenset(
                f.name
                for f in dataclasses.fields(annotation)
                if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            )
        missing = sorted(required - value.keys())
        if missing:
            return f"{where} lacks {', '.join(map(json.dumps, missing))} ({annotation.__name__})"
        for key, item in value.items():
            if key in hints:
                problem = json_mismatch(item, hints[key], f"{where}[{json.dumps(key)}]")
                if problem:
                    return problem
        return None
    if annotation in _JSON_SCALARS:
        allowed = _JSON_SCALARS[annotation]
        if isinstance(value, bool) and annotation is not bool:
            allowed = ()
        return None if isinstance(value, allowed) else f"{where} must be {annotation.__name__}, not {_json_kind(value)}"
    container = origin or annotation
    if isinstance(container, type) and issubclass(container, Mapping):
        if not isinstance(value, dict):
            return f"{where} must be an object, not {_json_kind(value)}"
        if len(args) == 2:
            for key, item in value.items():
                problem = json_mismatch(item, args[1], f"{where}[{json.dumps(key)}]")
                if problem:
                    return problem
        return None
    if isinstance(container, type) and (issubclass(container, Sequence) or container in (set, frozenset)):
        if container is str:
            return None
        if not isinstance(value, list):
            return f"{where} must be an array, not {_json_kind(value)}"
        variadic = container is not tuple or (len(args) == 2 and args[1] is Ellipsis)
        element = args[0] if args and variadic else None
        for index, item in enumerate(value):
            problem = json_mismatch(item, element, f"{where}[{index}]")
            if problem:
                return problem
        return None
    return None


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({json.dumps(value)})"
    if isinstance(value, str):
        return f"a string ({json.dumps(value)[:40]})"
    return "an array" if isinstance(value, list) else "an object"


def _annotation_text(annotation: Any) -> str:
    return repr(annotation).replace("typing.", "")
