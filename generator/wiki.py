"""Stage 4: the linked wiki, with the reverse side of every relation computed.

Relations are typed once, on one profile; this module derives the other side
(a mission's staff from people's postings, a person's events from events'
participants, both sides of a family tie) and every page's backlinks, so
templates only ever read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .model import (
    INVERSE_RELATION,
    KINDS,
    Claim,
    DateSpec,
    Event,
    Kind,
    Mission,
    Person,
    Profile,
    Source,
)
from .quotes import QuoteIndex, Span
from .validate import Catalog


class Ref(NamedTuple):
    """A page of the wiki: a profile of some kind.

    A named tuple rather than a dataclass: refs are hashed and compared hundreds of
    thousands of times a build (links, backlinks, sorting), and a tuple does that in C.
    They order by kind, then id.
    """

    kind: Kind
    id: str

    @property
    def page(self) -> str:
        return f"{self.kind}/{self.id}.md"


@dataclass(frozen=True)
class FamilyLink:
    relation: str
    person: str
    claim: Claim
    stated_on: str


class Citer(NamedTuple):
    """A page that cites a quote, and under which field."""

    ref: Ref
    field: str


@dataclass
class QuoteUse:
    """A passage of a source quoted somewhere in the wiki."""

    quote: str
    spans: list[Span]
    cited_by: list[Citer] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        # Offsets into an archive that never changes: the anchor survives new quotes.
        return f"q-{self.spans[0][0]}-{self.spans[-1][1]}"

    @property
    def start(self) -> int:
        return self.spans[0][0]


@dataclass(frozen=True)
class Disagreement:
    ref: Ref
    field: str
    values: list[tuple[str, list[Claim]]]


@dataclass
class Wiki:
    """Everything the templates need, computed once per build."""

    catalog: Catalog
    quotes: QuoteIndex
    people: dict[str, Person] = field(default_factory=dict)
    missions: dict[str, Mission] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    family: dict[str, list[FamilyLink]] = field(default_factory=lambda: defaultdict(list))
    staff: dict[str, list[tuple[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    person_events: dict[str, list[tuple[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    mission_events: dict[str, list[tuple[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    backlinks: dict[Ref, set[tuple[Ref, str]]] = field(default_factory=lambda: defaultdict(set))
    # The other direction of ``backlinks``: the pages each page links to.
    links: dict[Ref, set[Ref]] = field(default_factory=lambda: defaultdict(set))
    source_quotes: dict[str, list[QuoteUse]] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    _uses: dict[tuple[str, tuple[Span, ...]], QuoteUse] | None = field(default=None, repr=False)

    def profile(self, ref: Ref) -> Profile:
        return self.catalog.entries[ref.kind][ref.id].profile

    def title(self, ref: Ref) -> str:
        return self.profile(ref).heading

    def path_of(self, ref: Ref) -> str:
        """The profile file a page is generated from."""
        return self.catalog.entries[ref.kind][ref.id].raw.path

    def refs(self, kind: Kind) -> list[Ref]:
        return [Ref(kind, id_) for id_ in self.catalog.entries[kind]]

    def quote_use(self, source: str, quote: str) -> QuoteUse:
        if self._uses is None:
            # Every citation on every page looks its passage up: a scan of the source's
            # passages each time grew with the square of a source's quotes.
            self._uses = {
                (id_, tuple(use.spans)): use
                for id_, uses in self.source_quotes.items()
                for use in uses
            }
        use = self._uses.get((source, tuple(self.quotes.get(source, quote))))
        if use is None:
            raise KeyError((source, quote))
        return use

    def event_date(self, event_id: str) -> DateSpec:
        return self.events[event_id].when()


def build_wiki(catalog: Catalog, quotes: QuoteIndex) -> Wiki:
    wiki = Wiki(catalog, quotes)
    for kind in KINDS:
        target = getattr(wiki, kind)
        for id_, entry in sorted(catalog.entries[kind].items()):
            target[id_] = entry.profile
    for id_, person in wiki.people.items():
        here = Ref("people", id_)
        for tie in person.family:
            wiki.family[id_].append(FamilyLink(tie.relation, tie.person, tie, id_))
            wiki.family[tie.person].append(
                FamilyLink(INVERSE_RELATION[tie.relation], id_, tie, id_)
            )
            _link(wiki, here, Ref("people", tie.person), "family")
        for posting in person.postings:
            wiki.staff[posting.mission].append((id_, posting))
            _link(wiki, here, Ref("missions", posting.mission), "staff")
    for id_, event in wiki.events.items():
        here = Ref("events", id_)
        for part in event.participants:
            wiki.person_events[part.person].append((id_, part))
            _link(wiki, here, Ref("people", part.person), "events")
        for involved in event.missions:
            wiki.mission_events[involved.mission].append((id_, involved))
            _link(wiki, here, Ref("missions", involved.mission), "events")
    for table in (wiki.person_events, wiki.mission_events):
        for items in table.values():
            items.sort(key=lambda item: (wiki.event_date(item[0]).sort_key(), item[0]))
    for items in wiki.staff.values():
        items.sort(key=lambda item: (_start_key(item[1].start), item[0]))
    _collect_quotes(wiki)
    _collect_disagreements(wiki)
    return wiki


def _link(wiki: Wiki, here: Ref, target: Ref, via: str) -> None:
    wiki.backlinks[target].add((here, via))
    wiki.links[here].add(target)


def _start_key(date: DateSpec | None) -> tuple[int, int, int, int]:
    return date.sort_key() if date is not None else (1, 0, 0, 0)


def _collect_quotes(wiki: Wiki) -> None:
    uses: dict[str, dict[tuple[Span, ...], QuoteUse]] = defaultdict(dict)
    placed, texts = wiki.quotes.spans, wiki.quotes.texts
    for entry in wiki.catalog:
        ref = Ref(entry.kind, entry.id)
        cited = entry.raw.derived.get("fields_cited")
        if cited is None:
            cited = entry.raw.derived["fields_cited"] = _citations(entry.profile)
        sources: set[str] = set()
        for path, source, quote in cited:
            spans = placed.get((source, quote))
            if spans is None:
                continue
            key = tuple(spans)
            of_source = uses[source]
            use = of_source.get(key)
            if use is None:
                use = of_source[key] = QuoteUse(texts[source].excerpt(spans, quote), spans)
            citer = Citer(ref, path)
            if citer not in use.cited_by:
                use.cited_by.append(citer)
            sources.add(source)
        if entry.kind == "sources":
            sources.discard(entry.id)  # a source quoting itself (its credits) is no link
        for source in sources:
            _link(wiki, ref, Ref("sources", source), "citations")
    wiki._uses = {}
    for source in wiki.sources:
        of_source = uses.get(source, {})
        wiki.source_quotes[source] = sorted(
            of_source.values(), key=lambda use: (use.spans[0][0], use.spans[-1][1])
        )
        wiki._uses.update(((source, key), use) for key, use in of_source.items())


def _citations(profile: Profile) -> list[tuple[str, str, str]]:
    """(field, source, quote) for every citation of a profile, in field order."""
    found: list[tuple[str, str, str]] = []
    for name in type(profile).model_fields:
        value = getattr(profile, name)
        if isinstance(value, list):
            for claim in value:
                if isinstance(claim, Claim):
                    found.extend((name, c.source, c.quote) for c in claim.cite)
    return found


def claim_value(claim: Claim) -> str:
    """A claim's value as one comparable string (also what a disagreement is about)."""
    value = getattr(claim, "value", None)
    extra = getattr(claim, "as_of", None) or getattr(claim, "date", None)
    text = str(value) if value is not None else ""
    return f"{text} ({extra})" if extra is not None and value is not None else text


def _collect_disagreements(wiki: Wiki) -> None:
    for entry in wiki.catalog:
        profile = entry.profile
        for name in profile.single_valued:
            groups = group_claims(getattr(profile, name))
            if len(groups) > 1:
                wiki.disagreements.append(Disagreement(Ref(entry.kind, entry.id), name, groups))


def group_claims(claims: list[Any]) -> list[tuple[str, list[Claim]]]:
    """Claims grouped by value, in the order the values first appear."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(str(getattr(claim, "value", "")), []).append(claim)
    return list(groups.items())
