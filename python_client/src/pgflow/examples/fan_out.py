"""Critique 2.8: fan-out over a list, then fan-in over the results.

    .step({ slug: 'split_items' }, async (p) => p.run.items)
    .step({ slug: 'process_each_item', dependsOn: ['split_items'], fanOut: true },
      async (p, chunkIndex) => handleSingleItem(p.split_items[chunkIndex]))
    .step({ slug: 'combine_results', dependsOn: ['process_each_item'] },
      async (p) => aggregateAll(p.process_each_item));

The fan-out handler receives one element (its parameter is named after the step
it fans out over, typed as that step's list element type), and may ask for its
``index`` and for ``run``. The fan-in step receives the list of results in index
order, whatever order the tasks finished in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from pgflow import Flow


class Items(TypedDict):
    items: list[str]
    multiplier: int


@dataclass
class Processed:
    index: int
    item: str
    length: int


@dataclass
class Report:
    count: int
    total_length: int
    items: list[str]


flow = Flow("fan_out_items")


@flow.step
def split_items(run: Items) -> list[str]:
    return run["items"]


@flow.step(fan_out=True)
def process_each_item(split_items: str, index: int, run: Items) -> Processed:
    return Processed(index=index, item=split_items.upper(), length=len(split_items) * run["multiplier"])


@flow.step
def combine_results(process_each_item: list[Processed]) -> Report:
    return Report(
        count=len(process_each_item),
        total_length=sum(p.length for p in process_each_item),
        items=[p.item for p in process_each_item],
    )
