"""Relation diagrams drawn at build time as inline SVG: no script, nothing fetched.

A diagram puts the page's subject in the middle, related pages in a column on
either side, and a line from the subject to each. Every label is profile text and
is escaped for SVG; every node links to a real page of the wiki. Links are written
as paths to Markdown pages relative to the page, as Markdown links are, and the
MkDocs plugin rewrites them to the built page's address.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from .model import RELATIONS
from .wiki import Edge, Ref, Wiki, path_from

WIDTH = 760
NODE_W = 230
NODE_H = 44
GAP = 12
MAX_LABEL = 34


@dataclass(frozen=True)
class Node:
    """A box in a diagram: the page it links to and two lines of text."""

    ref: Ref
    label: str
    detail: str = ""


def _fit(value: str, limit: int = MAX_LABEL) -> str:
    # Boxes have a fixed width; the full text is in the box's tooltip and on the page.
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def _link(page: str, ref: Ref) -> str:
    return path_from(posixpath.dirname(page), ref)


def _box(page: str, node: Node, x: int, y: int, css: str) -> str:
    title = node.label + (f" — {node.detail}" if node.detail else "")
    parts = [
        f'<a href="{_esc(_link(page, node.ref))}" class="ff-node {css}">',
        f"<title>{_esc(title)}</title>",
        f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6"/>',
        f'<text x="{x + 10}" y="{y + 18}">{_esc(_fit(node.label))}</text>',
    ]
    if node.detail:
        detail = _esc(_fit(node.detail, 38))
        parts.append(f'<text x="{x + 10}" y="{y + 35}" class="ff-detail">{detail}</text>')
    parts.append("</a>")
    return "".join(parts)


def svg(page: str, subject: str, left: list[Node], right: list[Node], caption: str) -> str:
    """A diagram of ``subject`` with ``left`` and ``right`` columns of related pages."""
    if not left and not right:
        return ""
    rows = max(len(left), len(right), 1)
    height = rows * (NODE_H + GAP) + GAP
    mid_x = (WIDTH - NODE_W) // 2
    mid_y = (height - NODE_H) // 2
    right_x = WIDTH - NODE_W
    out = [
        f'<svg class="ff-diagram" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{_esc(caption)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_esc(caption)}</title>",
    ]
    boxes: list[str] = []
    for column, x, css in ((left, 0, "ff-left"), (right, right_x, "ff-right")):
        top = (height - len(column) * (NODE_H + GAP) + GAP) // 2
        for i, node in enumerate(column):
            y = top + i * (NODE_H + GAP)
            start_x = mid_x if x == 0 else mid_x + NODE_W
            end_x = NODE_W if x == 0 else right_x
            out.append(
                f'<line x1="{start_x}" y1="{mid_y + NODE_H // 2}" '
                f'x2="{end_x}" y2="{y + NODE_H // 2}" class="ff-edge"/>'
            )
            boxes.append(_box(page, node, x, y, css))
    out.extend(boxes)
    out.append(
        f'<g class="ff-node ff-subject"><rect x="{mid_x}" y="{mid_y}" width="{NODE_W}" '
        f'height="{NODE_H}" rx="6"/><text x="{mid_x + 10}" y="{mid_y + 27}">'
        f"{_esc(_fit(subject))}</text></g>"
    )
    out.append("</svg>")
    # One line: Markdown must see a single raw HTML block, never a blank line inside it.
    return "".join(out)


def diagram(wiki: Wiki, ref: Ref, describe: Callable[[Edge, bool], str]) -> str:
    """A profile's relations: a symmetric relation's (family) on the left, every other
    relation's other ends on the right, each box at most once.

    ``describe(edge, outgoing)`` gives the second line of a box.
    """
    profile = wiki.profile(ref)
    left: list[Node] = []
    right: list[Node] = []
    seen: set[Ref] = set()
    for relation in RELATIONS:
        column = left if relation.declared.symmetric else right
        ends: list[tuple[Edge, bool]] = []
        if relation.holder == ref.kind:
            ends += [
                (
                    Edge(
                        relation, ref, i, claim, Ref(relation.target, getattr(claim, relation.key))
                    ),
                    True,
                )
                for i, claim in enumerate(getattr(profile, relation.field))
            ]
        if relation.target == ref.kind:
            ends += [(edge, False) for edge in wiki.incoming(ref, relation)]
        for edge, outgoing in ends:
            other = edge.target if outgoing else edge.origin
            if other not in seen:
                seen.add(other)
                column.append(Node(other, wiki.title(other), describe(edge, outgoing)))
    title = wiki.title(ref)
    caption = f"Relations of {title}"
    return svg(ref.page, title, left, right, caption)
