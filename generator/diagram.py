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
from dataclasses import dataclass

from .wiki import Ref, Wiki, path_from

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


def person_diagram(wiki: Wiki, person_id: str, labels: dict[str, str]) -> str:
    """Family on the left; missions and events on the right."""
    ref = Ref("people", person_id)
    person = wiki.people[person_id]
    left = [
        Node(Ref("people", link.person), wiki.people[link.person].name, labels[link.relation])
        for link in wiki.family.get(person_id, [])
    ]
    right: list[Node] = []
    seen: set[Ref] = set()
    for posting in person.postings:
        target = Ref("missions", posting.mission)
        if target not in seen:
            seen.add(target)
            right.append(Node(target, wiki.title(target), posting.role))
    for event_id, _ in wiki.person_events.get(person_id, []):
        target = Ref("events", event_id)
        if target not in seen:
            seen.add(target)
            right.append(Node(target, wiki.title(target), wiki.event_date(event_id).human()))
    caption = f"Relations of {person.name}: family, missions and events"
    return svg(ref.page, person.name, left, right, caption)


def mission_diagram(wiki: Wiki, mission_id: str) -> str:
    """Staff on the left; events on the right."""
    ref = Ref("missions", mission_id)
    mission = wiki.missions[mission_id]
    left: list[Node] = []
    seen: set[Ref] = set()
    for person_id, posting in wiki.staff.get(mission_id, []):
        target = Ref("people", person_id)
        if target not in seen:
            seen.add(target)
            left.append(Node(target, wiki.title(target), posting.role))
    right = [
        Node(Ref("events", event_id), wiki.title(Ref("events", event_id)), _when(wiki, event_id))
        for event_id, _ in _unique(wiki.mission_events.get(mission_id, []))
    ]
    caption = f"Relations of {mission.name}: staff and events"
    return svg(ref.page, mission.name, left, right, caption)


def _when(wiki: Wiki, event_id: str) -> str:
    return wiki.event_date(event_id).human()


def _unique(items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    seen: set[str] = set()
    out = []
    for key, value in items:
        if key not in seen:
            seen.add(key)
            out.append((key, value))
    return out
