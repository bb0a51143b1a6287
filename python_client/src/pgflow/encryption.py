"""Secret fields: encrypted by the client before they reach the database, decrypted only in the worker.

A flow declares what is secret::

    flow = Flow("secure", secret_input=["userToken"])

    @flow.step(secret_output=["usedToken"])     # or secret_output=True: the whole output
    def use_token(run: Input) -> Used: ...

``start_flow`` encrypts the declared input fields; the worker decrypts every
encrypted value in a task's input before calling the handler, and encrypts the
declared output fields before ``complete_task``. In the tables an encrypted
value is the JSON object ``{"$pgflow_secret": "<Fernet token>"}`` (AES-128-CBC
with HMAC-SHA256, from the ``cryptography`` package); ``pgflow status`` shows
it as ``«secret»``. The database never sees a plaintext, so conditions
(``run_if``/``run_unless``) on secret fields are rejected when the flow is defined.

Keys come from ``PGFLOW_SECRET_KEYS``: Fernet keys separated by commas. The
first encrypts, all of them decrypt (``MultiFernet``). Rotation:

1. generate a key (``python -c "from pgflow.encryption import generate_key; print(generate_key())"``)
   and put it *first* in ``PGFLOW_SECRET_KEYS`` of every client and worker: new
   secrets use it, existing ones still decrypt with the old key;
2. let the runs started before the change finish (or prune them);
3. drop the old key from the list.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "ENVELOPE_KEY",
    "KEYS_VARIABLE",
    "REDACTED",
    "Keyring",
    "SecretError",
    "generate_key",
    "is_sealed",
    "redact",
]

ENVELOPE_KEY: Final = "$pgflow_secret"
KEYS_VARIABLE: Final = "PGFLOW_SECRET_KEYS"
REDACTED: Final = "«secret»"


class SecretError(RuntimeError):
    """Secrets cannot be encrypted or decrypted: no key, a malformed key, or no key that fits."""


def _fernet() -> Any:
    try:
        from cryptography import fernet
    except ImportError as error:  # pragma: no cover - exercised only without the extra
        raise SecretError(
            "this flow declares secret fields, which needs the cryptography package: "
            "pip install 'pgflow-engine[secrets]'"
        ) from error
    return fernet


def generate_key() -> str:
    """A new random Fernet key, for ``PGFLOW_SECRET_KEYS``."""
    key: bytes = _fernet().Fernet.generate_key()
    return key.decode("ascii")


def is_sealed(value: Any) -> bool:
    """Whether ``value`` is an encrypted value as stored in the database."""
    return isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get(ENVELOPE_KEY), str)


def redact(value: Any) -> Any:
    """``value`` with every encrypted value replaced by ``«secret»`` (for display)."""
    if is_sealed(value):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class Keyring:
    """The keys that encrypt (the first) and decrypt (any) secret values."""

    def __init__(self, keys: Sequence[str]) -> None:
        fernet = _fernet()
        if not keys:
            raise SecretError(f"no secret key given: set {KEYS_VARIABLE} (see pgflow.encryption)")
        instances = []
        for position, key in enumerate(keys, 1):
            try:
                instances.append(fernet.Fernet(key.strip().encode("ascii")))
            except (ValueError, UnicodeEncodeError) as error:
                raise SecretError(
                    f"key {position} of {KEYS_VARIABLE} is not a Fernet key (32 url-safe base64-encoded "
                    "bytes); generate one with pgflow.encryption.generate_key()"
                ) from error
        self._fernet = fernet.MultiFernet(instances)
        self._invalid_token: type[Exception] = fernet.InvalidToken

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, purpose: str = "") -> Keyring:
        """The keys of ``PGFLOW_SECRET_KEYS``; a clear error when it is unset."""
        raw = (os.environ if environ is None else environ).get(KEYS_VARIABLE, "")
        keys = [k.strip() for k in raw.split(",") if k.strip()]
        if not keys:
            why = f"{purpose}: " if purpose else ""
            raise SecretError(
                f"{why}{KEYS_VARIABLE} is not set, so secret fields can be neither encrypted nor decrypted. "
                "Set it to one or more comma-separated Fernet keys (the first encrypts), e.g. "
                '`export PGFLOW_SECRET_KEYS=$(python -c "from pgflow.encryption import generate_key; '
                'print(generate_key())")`'
            )
        return cls(keys)

    def seal(self, value: Any) -> dict[str, str]:
        """Encrypt a JSON value into ``{"$pgflow_secret": token}``."""
        plaintext = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        token: bytes = self._fernet.encrypt(plaintext)
        return {ENVELOPE_KEY: token.decode("ascii")}

    def open(self, envelope: Mapping[str, Any]) -> Any:
        """Decrypt what ``seal`` made."""
        try:
            plaintext: bytes = self._fernet.decrypt(str(envelope[ENVELOPE_KEY]).encode("ascii"))
        except self._invalid_token as error:
            raise SecretError(
                f"cannot decrypt a secret value: none of the keys in {KEYS_VARIABLE} fits it (was the key "
                "that encrypted it removed too early? see key rotation in pgflow.encryption)"
            ) from error
        return json.loads(plaintext)

    def seal_fields(self, value: Any, fields: Iterable[str], what: str) -> Any:
        """``value`` (a JSON object) with the given top-level fields encrypted (absent ones are skipped)."""
        if not isinstance(value, Mapping):
            raise SecretError(f"{what}: secret fields need a JSON object, got a {type(value).__name__}")
        sealed = dict(value)
        for field in fields:
            if field in sealed and not is_sealed(sealed[field]):
                sealed[field] = self.seal(sealed[field])
        return sealed

    def reveal(self, value: Any, found: list[Any] | None = None) -> Any:
        """``value`` with every encrypted value (at any depth) decrypted; plaintexts are appended to ``found``."""
        if is_sealed(value):
            plain = self.open(value)
            if found is not None:
                found.append(plain)
            return plain
        if isinstance(value, Mapping):
            return {k: self.reveal(v, found) for k, v in value.items()}
        if isinstance(value, list):
            return [self.reveal(v, found) for v in value]
        return value


def contains_sealed(value: Any) -> bool:
    """Whether any encrypted value occurs in ``value``."""
    if is_sealed(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_sealed(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_sealed(v) for v in value)
    return False


def plaintext_strings(values: Iterable[Any], minimum: int = 4) -> list[str]:
    """The texts of decrypted values worth scrubbing from messages and outputs (longest first).

    Strings, and the JSON of other values, of at least ``minimum`` characters
    (shorter ones, like ``1`` or ``true``, would match everywhere).
    """
    texts: set[str] = set()
    for value in values:
        if isinstance(value, str):
            texts.add(value)
        elif isinstance(value, Mapping | list):
            texts.update(plaintext_strings(value.values() if isinstance(value, Mapping) else value, minimum))
            texts.add(json.dumps(value))
        elif value is not None and not isinstance(value, bool):
            texts.add(json.dumps(value))
    return sorted((t for t in texts if len(t) >= minimum), key=len, reverse=True)


def scrub(text: str, plaintexts: Sequence[str]) -> str:
    """``text`` with every occurrence of the given plaintexts replaced by ``«secret»``."""
    for plain in plaintexts:
        if plain in text:
            text = text.replace(plain, REDACTED)
    return text
