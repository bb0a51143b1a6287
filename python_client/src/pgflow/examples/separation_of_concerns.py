"""Critique 2.1: the flow's structure lives in the database, the work in plain functions.

const MyFlow = new Flow<{ userId: string }>()
  .step({ slug: 'get_user_data' }, async (p) => fetchUserProfileFromDb(p.run.userId))
  .step({ slug: 'process_data', dependsOn: ['get_user_data'] }, async (p) =>
    doSomeComputation(p.get_user_data));
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from pgflow import Flow


class UserInput(TypedDict):
    userId: str


@dataclass
class UserProfile:
    user_id: str
    name: str
    orders: list[float]


@dataclass
class Summary:
    user_id: str
    order_count: int
    total: float


flow = Flow("user_report")


@flow.step
async def get_user_data(run: UserInput) -> UserProfile:
    # Stands in for a database or API call.
    return UserProfile(user_id=run["userId"], name=f"user {run['userId']}", orders=[12.5, 30.0, 7.25])


@flow.step
def process_data(get_user_data: UserProfile) -> Summary:
    return Summary(get_user_data.user_id, len(get_user_data.orders), sum(get_user_data.orders))
