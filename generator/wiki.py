"""Stage 4: the linked wiki, derived from the typed profiles.

Relations are declared once, in the model (``model.RELATIONS``), and stated on one
profile. This module turns every stated relation into an ``Edge`` of one table and
derives from it what each page shows of the others: the relations pointing at a
profile, the pages linking to it, the passages quoted from each source. Templates only
ever read.

Each accessor notes what it hands out (``reuse.reads``), so that after an edit only the
pages that read something the edit changed are rendered again.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from .model import (
    KINDS,
    Basis,
    Claim,
    DateSpec,
    Edge,
    Kind,
    Profile,
    Ref,
    Relation,
    Source,
)
from .quotes import Span
from .reuse.reads import read
from .validate import Catalog
from .verify import QuoteIndex


def path_from(folder: str, ref: Ref) -> str:
    """The path of ``ref``'s page relative to a page in ``folder`` (a Markdown link's)."""
    if folder == ref.kind:
        return f"{ref.id}.md"
    if folder and folder != "." and "/" not in folder:
        return f"../{ref.kind}/{ref.id}.md"
    return posixpath.relpath(ref.page, folder or ".")


class Citer(NamedTuple):
    """A page that cites a passage, and the field and position of the claim citing it."""

    ref: Ref
    field: str
    position: int


@dataclass
class Passage:
    """A passage of a source quoted somewhere in the wiki."""

    source: str
    spans: tuple[Span, ...]
    text: str
    """The quoted words as archived (cuts marked […])."""
    cited_by: list[Citer] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return passage_anchor(self.spans)

    @property
    def start(self) -> int:
        return self.spans[0][0]


def passage_anchor(spans: tuple[Span, ...] | list[Span]) -> str:
    """The anchor of a passage on its source's page: offsets into an archive that never
    changes, so an anchor survives new quotes."""
    return f"q-{spans[0][0]}-{spans[-1][1]}"


@dataclass
class Wiki:
    """Everything the templates need, derived once per build by ``derive``."""

    catalog: Catalog
    quotes: QuoteIndex
    ids: dict[Kind, list[str]] = field(default_factory=dict)
    """Each kind's ids, sorted."""
    incoming_edges: dict[Ref, list[Edge]] = field(default_factory=dict)
    """The relations pointing at each profile, by date of the relation, then origin."""
    citers: dict[str, list[Ref]] = field(default_factory=dict)
    """The profiles citing each source, in catalog order (a source citing itself, for
    its credits, included)."""
    cached_passages: dict[str, list[Passage]] = field(default_factory=dict, repr=False)
    """The passages of each source worked out so far (``passages`` fills it on demand)."""

    # --- What a page reads (each noted; see reuse/reads.py) -----------------------------

    def profile(self, ref: Ref) -> Profile:
        read(ref)
        return self.catalog.entries[ref.kind][ref.id].profile

    def title(self, ref: Ref) -> str:
        return self.profile(ref).heading

    def source(self, id_: str) -> Source:
        found = self.profile(Ref("sources", id_))
        assert isinstance(found, Source)
        return found

    def refs(self, kind: Kind) -> list[Ref]:
        """A kind's profiles, by id."""
        read(("all", kind))
        return [Ref(kind, id_) for id_ in self.ids[kind]]

    def incoming(self, ref: Ref, relation: Relation | None = None) -> list[Edge]:
        """The relations pointing at ``ref`` (of one kind, if given)."""
        read(("in", ref))
        edges = self.incoming_edges.get(ref, [])
        return edges if relation is None else [e for e in edges if e.relation is relation]

    def backlinks(self, ref: Ref) -> list[tuple[Ref, str]]:
        """The profiles linking to ``ref``: through which relation, or "citations"."""
        read(("in", ref))
        found = {
            (edge.origin, edge.relation.declared.reverse)
            for edge in self.incoming_edges.get(ref, [])
        }
        if ref.kind == "sources":
            found |= {(citer, "citations") for citer in self.citers.get(ref.id, []) if citer != ref}
        return sorted(found)

    def cited_sources(self, ref: Ref) -> list[str]:
        """The sources ``ref``'s claims cite, in the order first cited."""
        read(ref)
        return self.catalog.entries[ref.kind][ref.id].cited_sources

    def passages(self, source_id: str) -> list[Passage]:
        """The passages quoted from a source, in article order."""
        read(("in", Ref("sources", source_id)))
        found = self.cached_passages.get(source_id)
        if found is None:
            found = self.cached_passages[source_id] = _passages(self, source_id)
        return found

    def disagreements(self, ref: Ref) -> list[tuple[str, list[tuple[str, list[Claim]]]]]:
        """The single-valued fields of ``ref`` to which its sources give different values."""
        read(ref)
        return self.catalog.entries[ref.kind][ref.id].disagreements

    def counts(self, ref: Ref) -> tuple[int, int]:
        """How many claims ``ref`` makes, and how many citations back them."""
        read(ref)
        return self.catalog.entries[ref.kind][ref.id].counts

    def bases(self, ref: Ref) -> dict[Basis, int]:
        """How many of ``ref``'s claims are stated, attributed, hedged and inferred."""
        read(ref)
        return self.catalog.entries[ref.kind][ref.id].bases

    def links(self, ref: Ref) -> frozenset[Ref]:
        """The profiles ``ref``'s page links to."""
        return self.catalog.entries[ref.kind][ref.id].links

    def path_of(self, ref: Ref) -> str:
        """The profile file a page is generated from."""
        return self.catalog.entries[ref.kind][ref.id].raw.path

    def edge_date(self, edge: Edge) -> DateSpec | None:
        """When a relation held: the date its claim gives, or its origin's (an event's)."""
        return edge.claim.when() or self.profile(edge.origin).when()


# --- Deriving the wiki ---------------------------------------------------------------------


def derive(catalog: Catalog, quotes: QuoteIndex) -> Wiki:
    """The wiki of a checked catalog and its placed quotes."""
    wiki = Wiki(catalog, quotes)
    incoming: defaultdict[Ref, list[Edge]] = defaultdict(list)
    citers: defaultdict[str, list[Ref]] = defaultdict(list)
    for kind in KINDS:
        entries = catalog.entries[kind]
        wiki.ids[kind] = sorted(entries)
        for id_ in wiki.ids[kind]:
            entry = entries[id_]
            for edge in entry.edges:
                incoming[edge.target].append(edge)
            for source in entry.cited_sources:
                citers[source].append(entry.ref)
    for edges in incoming.values():
        edges.sort(key=lambda edge: edge_order(wiki, edge))
    wiki.incoming_edges = dict(incoming)
    wiki.citers = dict(citers)
    return wiki


def edge_order(wiki: Wiki, edge: Edge) -> tuple[object, ...]:
    """Where a relation comes in the list of those pointing at its target: by date, then
    by the profile stating it."""
    return (_date_key(wiki.edge_date(edge)), edge.origin, edge.relation.field, edge.position)


def _passages(wiki: Wiki, source: str) -> list[Passage]:
    """The passages quoted from one source, each with the pages citing it."""
    found: dict[tuple[Span, ...], Passage] = {}
    text = wiki.quotes.texts.get(source)
    for citer in wiki.citers.get(source, []):
        for path, field_name, citation in wiki.catalog.entries[citer.kind][citer.id].citations:
            if citation.source != source:
                continue
            key = tuple(wiki.quotes.get(source, citation.quote))
            passage = found.get(key)
            if passage is None:
                assert text is not None
                passage = found[key] = Passage(source, key, text.excerpt(list(key), citation.quote))
            by = Citer(citer, field_name, int(path[1]))
            if by not in passage.cited_by:
                passage.cited_by.append(by)
    return sorted(found.values(), key=lambda p: (p.spans[0][0], p.spans[-1][1]))


def _date_key(date: DateSpec | None) -> tuple[int, int, int, int]:
    return date.sort_key() if date is not None else (1, 0, 0, 0)
