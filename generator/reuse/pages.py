"""Pages rendered again exactly when something they read has changed.

While a page renders, every key it reads of the wiki is recorded (``reads.py``): the
profiles it shows anything of (``Ref``), the list of a kind's profiles
(``("all", kind)``), and the relations, citations and links pointing at a profile
(``("in", ref)``). After an edit, the keys whose value can differ between the last wiki
and the new one are worked out from the profiles that changed, in terms of those keys
alone:

- each changed profile (added, removed or edited) is a changed ``Ref``;
- a kind whose list of ids changed is a changed ``("all", kind)``;
- whatever a changed profile links to, before or after the edit, has a changed
  ``("in", target)``: those are the only lists of incoming relations, links and
  passages the edit can touch.

A page is rendered again if it read any changed key, and otherwise keeps its text. A
page rendered again keeps, the same way, each of its parts made with ``reads.kept`` (the
rows of an index: one per profile) that read no changed key. The tests compare every
page with a cold build after many kinds of edit.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from ..model import KINDS
from ..render import page_paths, render_page
from ..wiki import Wiki
from .derive import changed_entries
from .reads import Kept, keeping, recording


@dataclass(frozen=True)
class _Page:
    text: str
    reads: frozenset[Hashable]
    parts: dict[Hashable, Kept]
    """Its parts kept for the next time it is rendered (``reads.kept``)."""


def changed_keys(old: Wiki, new: Wiki) -> set[Hashable]:
    """Every key whose value may differ between two wikis (see the module's docstring)."""
    keys: set[Hashable] = {("all", kind) for kind in KINDS if old.ids[kind] != new.ids[kind]}
    for ref, pair in changed_entries(old.catalog, new.catalog).items():
        keys.add(ref)
        for entry in pair:
            if entry is not None:
                keys.update(("in", target) for target in entry.links)
    return keys


class PageReuse:
    """Each page's last text and what it read, and the wiki it was rendered from."""

    def __init__(self) -> None:
        self._pages: dict[str, _Page] = {}
        self._wiki: Wiki | None = None
        self.rendered: list[str] = []
        """The pages the last run rendered (the rest kept their text)."""

    def render(self, wiki: Wiki) -> dict[str, str]:
        changed = changed_keys(self._wiki, wiki) if self._wiki is not None else None
        pages: dict[str, str] = {}
        kept: dict[str, _Page] = {}
        self.rendered = []
        for page in page_paths(wiki):
            known = self._pages.get(page)
            if known is None or changed is None or not known.reads.isdisjoint(changed):
                last = known.parts if known is not None else {}
                with recording() as reads, keeping(last, changed) as parts:
                    text = render_page(wiki, page)
                known = _Page(text, frozenset(reads), parts)
                self.rendered.append(page)
            kept[page] = known
            pages[page] = known.text
        self._pages, self._wiki = kept, wiki
        return pages
