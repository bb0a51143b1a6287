"""Critique 1.1: a conditional flow, VIP customers take one branch, the others the other.

    const SomeComplexFlow = new Flow<{ userIsVIP: boolean }>()
      .step({ slug: 'special_vip_step', dependsOn: ['check_vip'],
              runIf: { run: { userIsVIP: true } } }, ...)
      .step({ slug: 'normal_step', dependsOn: ['check_vip'],
              runUnless: { run: { userIsVIP: true } } }, ...);

Conditions are JSON patterns matched (``@>``) against the step's input, so they
can read the run input (``run``) and the outputs of dependencies. Exactly one of
the two branches runs; the other is skipped with a ``skip_reason`` naming the
condition. A step after both receives the branch that ran: its parameters are
``X | None`` because either may be skipped (the DSL rejects a plain ``X`` there).
"""

from __future__ import annotations

from typing import TypedDict

from pgflow import Flow


class Customer(TypedDict):
    name: str
    userIsVIP: bool


class Account(TypedDict):
    name: str
    tier: str


class Message(TypedDict):
    msg: str


flow = Flow("vip_routing")


@flow.step
def check_vip(run: Customer) -> Account:
    # Stands in for a lookup in a customer database.
    return {"name": run["name"], "tier": "gold" if run["userIsVIP"] else "standard"}


@flow.step(depends_on=[check_vip], run_if={"run": {"userIsVIP": True}})
def special_vip_step(check_vip: Account) -> Message:
    return {"msg": f"Completed VIP step: concierge assigned to {check_vip['name']} ({check_vip['tier']})."}


@flow.step(depends_on=[check_vip], run_unless={"run": {"userIsVIP": True}})
def normal_step(check_vip: Account) -> Message:
    return {"msg": f"Completed normal step: standard welcome for {check_vip['name']}."}


@flow.step
def send_confirmation(special_vip_step: Message | None, normal_step: Message | None) -> Message:
    branch = special_vip_step or normal_step
    assert branch is not None, "exactly one branch runs"
    return {"msg": "Sent: " + branch["msg"]}
