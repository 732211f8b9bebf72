"""The wiki of an edited catalog, derived from the last one where the edit does not reach.

``wiki.derive`` walks every profile. After an edit, only the tables the changed
profiles reach can differ: the relations pointing at what they relate to (before or
after the edit), and the citers and passages of the sources they cite. Everything else
is carried over. The result equals a cold ``derive`` of the same catalog, which the
tests check table by table after many kinds of edit.
"""

from __future__ import annotations

from ..model import KINDS, Edge, Ref
from ..validate import Catalog, Entry
from ..verify import QuoteIndex
from ..wiki import Wiki, edge_order

_KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}


def changed_entries(old: Catalog, new: Catalog) -> dict[Ref, tuple[Entry | None, Entry | None]]:
    """Each profile added, removed or edited, with its entry before and after.

    An unchanged file gives the very same profile object, so identity tells."""
    changed: dict[Ref, tuple[Entry | None, Entry | None]] = {}
    for kind in KINDS:
        before, after = old.entries[kind], new.entries[kind]
        for id_ in before.keys() | after.keys():
            was, now = before.get(id_), after.get(id_)
            if was is None or now is None or was.profile is not now.profile:
                changed[Ref(kind, id_)] = (was, now)
    return changed


def rederive(old: Wiki, catalog: Catalog, quotes: QuoteIndex) -> Wiki:
    """``derive(catalog, quotes)``, carrying over what the changed profiles cannot reach;
    ``old`` is left as it was."""
    changed = changed_entries(old.catalog, catalog)
    wiki = Wiki(catalog, quotes)
    wiki.ids = {
        kind: old.ids[kind]
        if old.catalog.entries[kind].keys() == catalog.entries[kind].keys()
        else sorted(catalog.entries[kind])
        for kind in KINDS
    }
    wiki.incoming_edges = _incoming(wiki, old, changed)
    wiki.citers, sources = _citers(old, changed)
    wiki.cached_passages.update(
        (source, passages)
        for source, passages in old.cached_passages.items()
        if source not in sources
    )
    return wiki


def _incoming(
    wiki: Wiki, old: Wiki, changed: dict[Ref, tuple[Entry | None, Entry | None]]
) -> dict[Ref, list[Edge]]:
    """The relations pointing at each profile, again where a changed profile pointed."""
    incoming = dict(old.incoming_edges)
    targets = {
        edge.target for pair in changed.values() for entry in pair if entry for edge in entry.edges
    }
    stated = [edge for _, now in changed.values() if now is not None for edge in now.edges]
    for target in targets:
        edges = [e for e in old.incoming_edges.get(target, []) if e.origin not in changed]
        edges += [edge for edge in stated if edge.target == target]
        edges.sort(key=lambda edge: edge_order(wiki, edge))
        if edges:
            incoming[target] = edges
        else:
            incoming.pop(target, None)
    return incoming


def _citers(
    old: Wiki, changed: dict[Ref, tuple[Entry | None, Entry | None]]
) -> tuple[dict[str, list[Ref]], set[str]]:
    """The profiles citing each source, again where a changed profile cited; and the
    sources whose citers were worked out again."""
    citers = dict(old.citers)
    sources = {source for pair in changed.values() for e in pair if e for source in e.cited_sources}
    # A source's own edit may move every passage quoted from it (another archive).
    sources |= {ref.id for ref in changed if ref.kind == "sources"}
    for source in sources:
        refs = [ref for ref in old.citers.get(source, []) if ref not in changed]
        refs += [ref for ref, (_, now) in changed.items() if now and source in now.cited_sources]
        refs.sort(key=lambda ref: (_KIND_ORDER[ref.kind], ref.id))
        if refs:
            citers[source] = refs
        else:
            citers.pop(source, None)
    return citers, sources
