"""Relation diagrams drawn at build time as inline SVG: no script, nothing fetched.

Each diagram is drawn twice, for the eye only: wide (the page's subject in the middle,
family on the left, every other relation on the right) and narrow (the subject on top,
the related pages below it, one to a row), and the style sheet shows the one that fits
the screen, so that no label is drawn smaller than the text around it. Labels are
whole, wrapped over as many lines as they need. The drawing is hidden from assistive
technology and its links from the keyboard: the page lists the same relations in words
(each drawing's caption says where). Every label is profile text, escaped for SVG;
every node links to a real page of the wiki, written as a path to a Markdown page
relative to the page, which the MkDocs plugin rewrites to the built page's address.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable
from dataclasses import dataclass

from .model import RELATIONS
from .wiki import Edge, Ref, Wiki, path_from

# Sizes in the drawings' own units: a wide drawing is shown at most this wide and a
# narrow one about this wide, so one unit is about one pixel.
WIDE = 720
NARROW = 340
NODE_W = 220
LINE = 17
PAD = 9
GAP = 12
# Characters to a line at the labels' 14 px: about 0.6 em a character, to be safe.
_CHAR = 8.4


@dataclass(frozen=True)
class Node:
    """A box in a diagram: the page it links to and two pieces of text."""

    ref: Ref
    label: str
    detail: str = ""


def wrap(value: str, width: int) -> list[str]:
    """``value`` in lines of at most ``width`` characters, broken between words (a word
    longer than a line is broken where it must be)."""
    lines: list[str] = []
    line = ""
    for word in value.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


@dataclass(frozen=True)
class _Box:
    node: Node
    width: float
    label: list[str]
    detail: list[str]

    @classmethod
    def of(cls, node: Node, width: float) -> _Box:
        chars = int((width - 2 * PAD) / _CHAR)
        detail = wrap(node.detail, chars) if node.detail else []
        return cls(node, width, wrap(node.label, chars), detail)

    @property
    def height(self) -> float:
        return 2 * PAD + LINE * (len(self.label) + len(self.detail)) - 4

    def draw(self, page: str, x: float, y: float, subject: bool = False) -> str:
        lines = [
            f'<tspan x="{x + PAD:g}" dy="{LINE if i else 0}">{_esc(line)}</tspan>'
            for i, line in enumerate(self.label)
        ]
        lines += [
            f'<tspan x="{x + PAD:g}" dy="{LINE}" class="ff-detail">{_esc(line)}</tspan>'
            for line in self.detail
        ]
        rect = (
            f'<rect x="{x:g}" y="{y:g}" width="{self.width:g}" height="{self.height:g}" rx="6"/>'
            f'<text x="{x + PAD:g}" y="{y + PAD + 12:g}">{"".join(lines)}</text>'
        )
        if subject:
            return f'<g class="ff-node ff-subject">{rect}</g>'
        href = _esc(path_from(posixpath.dirname(page), self.node.ref))
        return f'<a href="{href}" class="ff-node" tabindex="-1">{rect}</a>'


def _svg(layout: str, width: float, height: float, body: list[str]) -> str:
    # aria-hidden: the drawing repeats relations the page lists in words.
    return (
        f'<svg class="ff-diagram" data-layout="{layout}" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def _column(boxes: list[_Box]) -> float:
    return sum(box.height for box in boxes) + GAP * max(len(boxes) - 1, 0)


def wide(page: str, subject: Node, left: list[Node], right: list[Node]) -> str:
    """The subject in the middle, ``left`` and ``right`` in columns either side."""
    middle = _Box.of(subject, NODE_W)
    lefts = [_Box.of(node, NODE_W) for node in left]
    rights = [_Box.of(node, NODE_W) for node in right]
    height = max(_column(lefts), _column(rights), middle.height) + 2 * GAP
    mid_x, mid_y = (WIDE - NODE_W) / 2, (height - middle.height) / 2
    lines: list[str] = []
    boxes: list[str] = []
    for column, x in ((lefts, 0), (rights, WIDE - NODE_W)):
        y = (height - _column(column)) / 2
        for box in column:
            start = mid_x if x == 0 else mid_x + NODE_W
            end = NODE_W if x == 0 else x
            lines.append(
                f'<line x1="{start:g}" y1="{height / 2:g}" x2="{end:g}" '
                f'y2="{y + box.height / 2:g}" class="ff-edge"/>'
            )
            boxes.append(box.draw(page, x, y))
            y += box.height + GAP
    body = [*lines, *boxes, middle.draw(page, mid_x, mid_y, subject=True)]
    return _svg("wide", WIDE, height, body)


def narrow(page: str, subject: Node, nodes: list[Node]) -> str:
    """The subject on top, each related page below it on a row of its own, joined to
    the subject by a line down the left."""
    indent = 20
    top = _Box.of(subject, NARROW)
    boxes = [_Box.of(node, NARROW - indent) for node in nodes]
    y = top.height + GAP
    body: list[str] = []
    drawn: list[str] = []
    for box in boxes:
        mid = y + box.height / 2
        body.append(f'<path d="M8 {top.height:g}V{mid:g}H{indent:g}" class="ff-edge"/>')
        drawn.append(box.draw(page, indent, y))
        y += box.height + GAP
    body += [*drawn, top.draw(page, 0, 0, subject=True)]
    return _svg("narrow", NARROW, y - GAP, body)


def diagram(wiki: Wiki, ref: Ref, describe: Callable[[Edge, bool], str]) -> str:
    """A profile's relations, drawn wide and narrow: a symmetric relation's (family) on
    the left of the wide drawing, every other relation's other ends on the right, each
    page at most once. Empty when the profile has no relation.

    ``describe(edge, outgoing)`` gives a box's second piece of text.
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
    if not left and not right:
        return ""
    subject = Node(ref, wiki.title(ref))
    # One line each: Markdown must see a single raw HTML block, never a blank line in it.
    return wide(ref.page, subject, left, right) + narrow(ref.page, subject, left + right)
