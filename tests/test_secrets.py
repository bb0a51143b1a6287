"""Secret fields (critique 1.9): encrypted by the client, decrypted only in the worker, never stored in clear."""

from __future__ import annotations

import logging
import threading
from typing import Any, TypedDict

import psycopg
import pytest
from conftest import pgflow_cli

from pgflow import Flow, FlowDefinitionError, Worker, deploy, get_run, start_flow, wait_for_run
from pgflow.encryption import REDACTED, Keyring, SecretError, generate_key, is_sealed

TOKEN = "tok_live_5f3a9c1e7b2d4068"


class Input(TypedDict):
    userToken: str
    url: str


class Used(TypedDict):
    usedToken: str
    url: str


seen: list[str] = []
seen_lock = threading.Lock()

# The critique's SecureFlow: the step hands the token on, and would store it in clear.
secure = Flow("secure_flow", secret_input=["userToken"])


@secure.step(secret_output=["usedToken"])
def use_token(run: Input) -> Used:
    with seen_lock:
        seen.append(run["userToken"])
    return {"usedToken": run["userToken"], "url": run["url"]}


@secure.step
def call_api(use_token: Used) -> str:
    with seen_lock:
        seen.append(use_token["usedToken"])
    return f"called {use_token['url']} with a token of {len(use_token['usedToken'])} characters"


def all_pgflow_tables_as_text(conn: psycopg.Connection[Any]) -> str:
    tables = conn.execute(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'pgflow'"
    ).fetchall()
    assert len(tables) >= 8
    text = []
    for (table,) in tables:
        [(dump,)] = conn.execute(f"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} AS t").fetchall()
        text.append(dump)
    return "\n".join(text)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    generated = [generate_key(), generate_key()]
    monkeypatch.setenv("PGFLOW_SECRET_KEYS", generated[0])
    return generated


def test_secrets_never_reach_the_database_in_clear(
    dsn: str,
    conn: psycopg.Connection[Any],
    worker_factory: Any,
    keys: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen.clear()
    deploy(conn, secure)
    run = start_flow(conn, secure, {"userToken": TOKEN, "url": "https://api.example"})
    assert is_sealed(run.input["userToken"]) and run.input["url"] == "https://api.example"
    with worker_factory([secure]):
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed", finished.error_message
    assert finished.output == {"call_api": f"called https://api.example with a token of {len(TOKEN)} characters"}
    assert seen == [TOKEN, TOKEN]  # both handlers saw the plaintext

    stored = all_pgflow_tables_as_text(conn)
    assert TOKEN not in stored
    assert "$pgflow_secret" in stored
    details = get_run(conn, run.run_id)
    assert details is not None
    used = details.step("use_token").output
    assert is_sealed(used["usedToken"]) and used["url"] == "https://api.example"
    assert Keyring([keys[0]]).open(used["usedToken"]) == TOKEN  # the key in the environment opens it
    assert TOKEN not in caplog.text

    status = pgflow_cli(dsn, "status", str(run.run_id), "-v")
    assert status.returncode == 0, status.stderr
    assert TOKEN not in status.stdout + status.stderr


def test_the_output_of_a_secret_step_shows_as_secret_in_status(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any, keys: list[str]
) -> None:
    flow = Flow("secret_result")

    @flow.step(secret_output=True)
    def issue() -> dict[str, str]:
        return {"apiKey": TOKEN}

    deploy(conn, flow)
    with worker_factory([flow]):
        run = start_flow(conn, flow)
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed"
    assert is_sealed(finished.output["issue"])
    assert TOKEN not in all_pgflow_tables_as_text(conn)
    status = pgflow_cli(dsn, "status", str(run.run_id), "-v")
    assert f'"issue": "{REDACTED}"' in status.stdout
    assert TOKEN not in status.stdout


def test_a_secret_is_scrubbed_from_errors_and_cannot_leak_through_an_undeclared_output(
    dsn: str,
    conn: psycopg.Connection[Any],
    worker_factory: Any,
    keys: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    flow = Flow("leaky", secret_input=["userToken"], max_attempts=1)

    @flow.step(when_exhausted="skip")  # so that echo runs too
    def complain(run: Input) -> None:
        raise ValueError(f"the API rejected token {run['userToken']}")

    @flow.step(depends_on=[complain])  # runs after complain was skipped
    def echo(run: Input) -> dict[str, str]:
        return {"echo": run["userToken"]}  # the critique's mistake: not declared secret

    deploy(conn, flow)
    with worker_factory([flow]):
        run = start_flow(conn, flow, {"userToken": TOKEN, "url": "u"})
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "failed"
    assert TOKEN not in all_pgflow_tables_as_text(conn)
    assert TOKEN not in caplog.text
    details = get_run(conn, run.run_id)
    assert details is not None
    errors = {a.step_slug: (a.error_type, a.error_message, a.error_details or "") for a in details.failed_attempts}
    assert errors["complain"][:2] == ("ValueError", f"the API rejected token {REDACTED}")
    assert REDACTED in errors["complain"][2]
    assert errors["echo"][0] == "pgflow.encryption.SecretError"
    assert errors["echo"][1].startswith(
        'cannot report the handler\'s output: the output of step "echo" of flow "leaky" contains a secret value '
        "of its input in clear; it was not stored"
    )
    assert details.step("complain").status == "skipped" and details.step("echo").status == "failed"


def test_key_rotation_old_secrets_decrypt_with_the_new_key_first(
    dsn: str, conn: psycopg.Connection[Any], worker_factory: Any, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = keys
    seen.clear()
    deploy(conn, secure)
    run = start_flow(conn, secure, {"userToken": TOKEN, "url": "u"})  # encrypted with the old key
    monkeypatch.setenv("PGFLOW_SECRET_KEYS", f"{new},{old}")  # rotation: the new key first
    with worker_factory([secure]):
        finished = wait_for_run(dsn, run.run_id, timeout=10)
    assert finished.status == "completed", finished.error_message
    assert seen == [TOKEN, TOKEN]
    details = get_run(conn, run.run_id)
    assert details is not None
    sealed = details.step("use_token").output["usedToken"]
    assert Keyring([new]).open(sealed) == TOKEN  # what the worker wrote uses the new key
    with pytest.raises(SecretError, match="none of the keys in PGFLOW_SECRET_KEYS fits"):
        Keyring([old]).open(sealed)
    with pytest.raises(SecretError, match="none of the keys"):
        Keyring([new]).open(run.input["userToken"])  # dropping the old key too early breaks old runs


def test_missing_or_malformed_keys_give_a_clear_error(
    dsn: str, conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGFLOW_SECRET_KEYS", raising=False)
    deploy(conn, secure)
    with pytest.raises(SecretError, match='flow "secure_flow" has secret input fields: PGFLOW_SECRET_KEYS is not set'):
        start_flow(conn, secure, {"userToken": TOKEN, "url": "u"})
    assert conn.execute("SELECT count(*) FROM pgflow.runs").fetchone() == (0,)
    with pytest.raises(SecretError, match="flows secure_flow declare secret fields: PGFLOW_SECRET_KEYS is not set"):
        Worker(dsn, [secure])
    monkeypatch.setenv("PGFLOW_SECRET_KEYS", "not-a-key")
    with pytest.raises(SecretError, match="key 1 of PGFLOW_SECRET_KEYS is not a Fernet key"):
        Worker(dsn, [secure])


def test_conditions_on_secret_fields_are_rejected() -> None:
    flow = Flow("guarded", secret_input=["userToken"])
    with pytest.raises(FlowDefinitionError) as error:

        @flow.step(run_if={"run": {"userToken": "x"}})
        def check(run: Input) -> None: ...

    assert str(error.value).startswith(
        'step "check" of flow "guarded": run_if tests "run.userToken", which is secret (the flow\'s secret_input)'
    )

    @flow.step(secret_output=["token"])
    def issue() -> dict[str, str]:
        return {"token": "t", "kind": "k"}

    @flow.step(run_unless={"issue": {"kind": "k"}})  # a non-secret field is fine
    def fine(issue: dict[str, str] | None) -> None: ...

    with pytest.raises(FlowDefinitionError, match=r'run_unless tests "issue\.token", which is secret'):

        @flow.step(run_unless={"issue": {"token": "t"}})
        def peek(issue: dict[str, str] | None) -> None: ...

    @flow.step(secret_output=True)
    def items() -> list[int]:
        return [1]

    with pytest.raises(FlowDefinitionError, match='fans out over step "items", whose whole output is secret'):

        @flow.step(fan_out=True)
        def each(items: int) -> None: ...
