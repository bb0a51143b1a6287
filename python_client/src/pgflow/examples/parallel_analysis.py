"""Critique 2.3: independent steps run in parallel, a join waits for both.

    const AnalyzeParallel = new Flow<{ text: string }>()
      .step({ slug: 'sentiment' }, async (p) => analyzeSentiment(p.run.text))
      .step({ slug: 'summary' }, async (p) => summarizeWithLLM(p.run.text))
      .step({ slug: 'combine', dependsOn: ['sentiment', 'summary'] }, async (p) => ({
        combined: `Summary: ${p.summary}, Sentiment: ${p.sentiment}`,
      }));

`sentiment` and `summary` depend only on the run input, so workers take them at
the same time; `combine` names both as parameters, which makes them its
dependencies, typed by their return annotations.
"""

from __future__ import annotations

import asyncio
from typing import TypedDict

from pgflow import Flow


class Text(TypedDict):
    text: str


class Sentiment(TypedDict):
    label: str
    score: float


class Combined(TypedDict):
    combined: str


flow = Flow("analyze_parallel", max_attempts=3, base_delay=1, timeout=60)

_POSITIVE = {"good", "great", "love", "excellent", "happy"}
_NEGATIVE = {"bad", "awful", "hate", "terrible", "sad"}


@flow.step
async def sentiment(run: Text) -> Sentiment:
    await asyncio.sleep(0.1)  # stands in for a model call
    words = run["text"].lower().split()
    score = sum(w in _POSITIVE for w in words) - sum(w in _NEGATIVE for w in words)
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return {"label": label, "score": float(score)}


@flow.step
async def summary(run: Text) -> str:
    await asyncio.sleep(0.1)  # stands in for an LLM call
    words = run["text"].split()
    return " ".join(words[:8]) + ("..." if len(words) > 8 else "")


@flow.step
def combine(sentiment: Sentiment, summary: str) -> Combined:
    return {"combined": f"Summary: {summary}, Sentiment: {sentiment['label']}"}
