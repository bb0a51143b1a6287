"""A task's payloads: the handler's arguments from its input, and the JSON of its output.

Inputs are parsed here (a value ``json.loads`` cannot parse fails its own task),
secret values are decrypted for the handler and re-encrypted in its output, and
the run input of fan-out tasks is fetched once per run (a small LRU of fetches),
as is a run's traceparent when OpenTelemetry is installed (``pgflow.tracing``).
Outputs are encoded here too, so an output that cannot be stored fails its own
attempt before it reaches the reporter.
"""

from __future__ import annotations

import asyncio
import collections
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from ..codec import from_json, to_json
from ..dsl import UNANNOTATED, Flow, Step
from ..encryption import Keyring, SecretError, plaintext_strings
from ..store import AsyncStore, ClaimedTask
from ..tracing import recording

RUN_INPUT_CACHE_SIZE: Final = 256
T = TypeVar("T")


async def _once(
    cache: collections.OrderedDict[uuid.UUID, asyncio.Future[T]], run_id: uuid.UUID, fetch: Callable[[], Awaitable[T]]
) -> T:
    """``fetch()``'s answer for a run, fetched once (failed fetches again) and kept in a small LRU."""
    running = cache.get(run_id)
    if running is None or (running.done() and (running.cancelled() or running.exception() is not None)):
        running = asyncio.ensure_future(fetch())
        cache[run_id] = running
        while len(cache) > RUN_INPUT_CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(run_id)
    return await asyncio.shield(running)


class Payloads:
    """Owns the keyring and the run-input cache."""

    def __init__(self, keyring: Keyring | None, store: AsyncStore, stats: collections.Counter[str]) -> None:
        self.keyring = keyring
        self.store = store
        self.stats = stats
        self._run_inputs: collections.OrderedDict[uuid.UUID, asyncio.Future[Any]] = collections.OrderedDict()
        self._traceparents: collections.OrderedDict[uuid.UUID, asyncio.Future[str | None]] = collections.OrderedDict()

    # -- arguments ---------------------------------------------------------------------

    async def arguments(self, flow: Flow, step: Step, task: ClaimedTask, revealed: list[Any]) -> dict[str, Any]:
        payload: dict[str, Any] = task.input or {}
        kwargs: dict[str, Any] = {}
        for parameter in step.parameters:
            if parameter.role == "index":
                kwargs[parameter.name] = payload["index"]
                continue
            if parameter.role == "run":
                raw = await self._run_input(task.run_id) if step.fan_out else payload.get("run")
            elif parameter.role == "item":
                raw = payload.get("item")
            else:  # a dependency; a skipped one is absent
                raw = payload.get(parameter.source or parameter.name)
            if flow.has_secrets:
                raw = self._keys(flow).reveal(raw, revealed)
            annotation = None if parameter.annotation is UNANNOTATED else parameter.annotation
            kwargs[parameter.name] = from_json(raw, annotation)
        return kwargs

    def _keys(self, flow: Flow) -> Keyring:
        if self.keyring is None:
            raise SecretError(f'flow "{flow.slug}" holds secret values, but this worker has no keys')
        return self.keyring

    async def _run_input(self, run_id: uuid.UUID) -> Any:
        """The run's input, fetched once per run (fan-out task inputs do not carry it)."""
        return await _once(self._run_inputs, run_id, lambda: self._fetch_run_input(run_id))

    async def traceparent(self, run_id: uuid.UUID) -> str | None:
        """The trace context the run was started in, fetched once per run; None when no span is recorded.

        A failed fetch (say, the database is unreachable) is no failure of the task:
        its span then goes to the run's own trace (``pgflow.tracing``), and the
        next task of the run asks again.
        """
        if not recording():
            return None
        try:
            return await _once(self._traceparents, run_id, lambda: self._fetch_traceparent(run_id))
        except Exception:
            return None

    async def _fetch_traceparent(self, run_id: uuid.UUID) -> str | None:
        self.stats["traceparent_fetches"] += 1
        return await self.store.run_traceparent(run_id)

    async def _fetch_run_input(self, run_id: uuid.UUID) -> Any:
        self.stats["run_input_fetches"] += 1
        text = await self.store.run_input(run_id)
        return None if text is None else json.loads(text)

    # -- results -----------------------------------------------------------------------

    def output_json(self, flow: Flow, step: Step, output: Any, revealed: list[Any]) -> str:
        """The JSON text reported for an output: secret parts encrypted, no secret left in clear."""
        document = to_json(output)
        what = f'the output of step "{step.slug}" of flow "{flow.slug}"'
        if step.secret_output is True:
            document = self._keys(flow).seal(document)
        elif step.secret_output:
            document = self._keys(flow).seal_fields(document, step.secret_output, what)
        plaintexts = plaintext_strings(revealed, minimum=6)
        if plaintexts and step.secret_output is not True:
            text = json.dumps(document, ensure_ascii=False)
            if any(plain in text for plain in plaintexts):
                raise SecretError(
                    f"{what} contains a secret value of its input in clear; it was not stored. Declare the "
                    "fields that carry it with @step(secret_output=[...]) (or secret_output=True)"
                )
        # Encoded here, where a failure fails this attempt: an int over 4,300 digits, NaN, a cycle.
        return json.dumps(document, allow_nan=False)
