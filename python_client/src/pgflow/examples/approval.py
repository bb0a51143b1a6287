# mypy: disable-error-code="empty-body"
"""A signal: a document is drafted, waits up to 3 days for a human's approval, then is
published or archived.

``approval`` is a signal step: it has no handler and holds no worker while it waits.
Once ``draft`` completes, it waits for ``send_signal(dsn, run_id, approval, {...})``
(or ``pgflow signal RUN_ID approval --payload '{"approved": true, ...}'``), whose payload,
checked against ``Approval``, becomes its output; ``publish`` or ``archive`` then runs on
it (``run_if``/``run_unless`` on the payload). A signal sent before the draft is done
is kept and applied as soon as it is. No answer within 3 days: ``when_exhausted="skip"``
skips the approval, so ``publish`` (whose ``run_if`` needs an approval) is skipped and
``archive`` runs: the parameters read ``Approval | None``.

mypy reports a body-less function that declares a return type (``[empty-body]``): the
first line of this module turns that check off here, where only signal steps have no body.
"""

from __future__ import annotations

from typing import TypedDict

from pgflow import Flow


class Document(TypedDict):
    title: str
    author: str


class Draft(TypedDict):
    title: str
    text: str


class Approval(TypedDict):
    approved: bool
    reviewer: str


flow = Flow("document_approval")

THREE_DAYS = 3 * 24 * 3600


@flow.step
def draft(run: Document) -> Draft:
    # Stands in for a writer (or a model) producing the text.
    return {"title": run["title"], "text": f"{run['title']}, by {run['author']}: a first draft."}


@flow.signal(timeout=THREE_DAYS, when_exhausted="skip")
def approval(draft: Draft) -> Approval: ...


@flow.step(run_if={"approval": {"approved": True}})
def publish(draft: Draft, approval: Approval | None) -> str:
    assert approval is not None, "run_if: only an approved draft is published"
    return f"published {draft['title']!r} (approved by {approval['reviewer']})"


@flow.step(run_unless={"approval": {"approved": True}})
def archive(draft: Draft, approval: Approval | None) -> str:
    why = f"rejected by {approval['reviewer']}" if approval is not None else "no approval within 3 days"
    return f"archived {draft['title']!r} ({why})"
