"""A DAG drawn as inline SVG, computed on the server from steps and their dependencies.

Each step sits in the column of its longest path from a root (so every edge points
right), rows in topological order within a column; edges are curves from a
dependency's right side to its dependent's left side. No layout library, no JS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

NODE_WIDTH = 168
NODE_HEIGHT = 38
COLUMN_GAP = 56
ROW_GAP = 18
MARGIN = 8


@dataclass(frozen=True)
class Node:
    """A step to draw: its slug, what it depends on, its state (a CSS class) and a caption."""

    slug: str
    deps: Sequence[str]
    status: str = "defined"
    caption: str = ""


def columns(nodes: Sequence[Node]) -> dict[str, int]:
    """Each step's column: 0 for roots, else one more than its furthest dependency (nodes in topological order)."""
    column: dict[str, int] = {}
    for node in nodes:
        column[node.slug] = 1 + max((column.get(dep, 0) for dep in node.deps), default=-1)
    return column


def dag_svg(nodes: Sequence[Node], href: Callable[[Node], str | None] | None = None) -> str:
    """The graph as an ``<svg>`` element; ``href`` may link a node (e.g. to its attempts)."""
    column = columns(nodes)
    row: dict[str, int] = {}
    rows_in: dict[int, int] = {}
    for node in nodes:
        row[node.slug] = rows_in.get(column[node.slug], 0)
        rows_in[column[node.slug]] = row[node.slug] + 1
    width = MARGIN * 2 + max(len(rows_in), 1) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = MARGIN * 2 + max(rows_in.values(), default=1) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP

    def x(slug: str) -> int:
        return MARGIN + column[slug] * (NODE_WIDTH + COLUMN_GAP)

    def y(slug: str) -> int:
        return MARGIN + row[slug] * (NODE_HEIGHT + ROW_GAP)

    parts = [
        f'<svg class="dag" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="flow graph">'
    ]
    for node in nodes:
        for dep in node.deps:
            if dep not in column:
                continue
            x1, y1 = x(dep) + NODE_WIDTH, y(dep) + NODE_HEIGHT // 2
            x2, y2 = x(node.slug), y(node.slug) + NODE_HEIGHT // 2
            bend = COLUMN_GAP // 2
            parts.append(
                f'<path class="edge" d="M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}" '
                f'data-from="{escape(dep)}" data-to="{escape(node.slug)}"/>'
            )
    for node in nodes:
        label = escape(node.slug)
        caption = escape(node.caption or node.status)
        shape = (
            f'<g class="node s-{escape(node.status)}" data-step="{label}" data-status="{escape(node.status)}">'
            f"<title>{label}: {caption}</title>"
            f'<rect x="{x(node.slug)}" y="{y(node.slug)}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6"/>'
            f'<text x="{x(node.slug) + 10}" y="{y(node.slug) + 16}" class="slug">{label}</text>'
            f'<text x="{x(node.slug) + 10}" y="{y(node.slug) + 31}" class="caption">{caption}</text></g>'
        )
        link = href(node) if href is not None else None
        parts.append(f'<a href="{escape(link)}">{shape}</a>' if link else shape)
    parts.append("</svg>")
    return "".join(parts)
