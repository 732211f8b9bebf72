"""Stage 4: the linked wiki, with the reverse side of every relation computed.

Relations are typed once, on one profile; this module derives the other side
(a mission's staff from people's postings, a person's events from events'
participants, both sides of a family tie) and every page's backlinks, so
templates only ever read. After an edit, ``update_wiki`` derives the new wiki from the
previous one, redoing only what the changed profiles reach.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from .memo import Memo
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
from .validate import Catalog, Entry


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


def path_from(folder: str, ref: Ref) -> str:
    """The path of ``ref``'s page relative to a page in ``folder`` (a Markdown link's).

    Every generated page sits one folder deep, so most links are one of two shapes; a
    general relative path is worked out only for a page elsewhere.
    """
    if folder == ref.kind:
        return f"{ref.id}.md"
    if folder and folder != "." and "/" not in folder:
        return f"../{ref.kind}/{ref.id}.md"
    return posixpath.relpath(ref.page, folder or ".")


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
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Views of this wiki that pages share (orders of profiles), computed once."""
    runs: Memo | None = field(default=None, repr=False)
    """The generator's memo, so that pages reuse what they count from unchanged files."""

    def profile(self, ref: Ref) -> Profile:
        return self.catalog.entries[ref.kind][ref.id].profile

    def profile_or_none(self, ref: Ref) -> Profile | None:
        entry = self.catalog.entries[ref.kind].get(ref.id)
        return entry.profile if entry is not None else None

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
            _sort_events(wiki, items)
    for items in wiki.staff.values():
        _sort_staff(items)
    _collect_quotes(wiki)
    wiki.disagreements = [found for entry in wiki.catalog for found in _disagreements(entry)]
    return wiki


def _sort_events(wiki: Wiki, items: list[tuple[str, Any]]) -> None:
    items.sort(key=lambda item: (wiki.event_date(item[0]).sort_key(), item[0]))


def _sort_staff(items: list[tuple[str, Any]]) -> None:
    items.sort(key=lambda item: (_start_key(item[1].start), item[0]))


def changed_refs(old: Catalog, new: Catalog) -> set[Ref]:
    """Profiles added, removed or edited between two catalogs.

    The loader reuses the parsed object of a file that has not changed, and validation
    keeps its typed profile on it, so an unchanged profile is the very same object.
    """
    changed: set[Ref] = set()
    for kind in KINDS:
        before, after = old.entries[kind], new.entries[kind]
        for id_, entry in after.items():
            previous = before.get(id_)
            if previous is None or previous.raw is not entry.raw:
                changed.add(Ref(kind, id_))
        changed.update(Ref(kind, id_) for id_ in before.keys() - after.keys())
    return changed


def update_wiki(old: Wiki, catalog: Catalog, quotes: QuoteIndex, changed: set[Ref]) -> Wiki:
    """``build_wiki(catalog, quotes)``, derived from ``old`` by redoing only what ``changed``
    profiles reach; ``old`` is left as it was.

    Only sound when the archives are those ``old`` was built with, so that every passage
    sits where it sat. Every derived table is a copy of the old one in which the entries
    an edit can reach are derived again, from the profiles that contribute to them, in
    the order a cold build meets those profiles: the result equals a cold build's, which
    the tests check table by table.
    """
    wiki = Wiki(catalog, quotes)
    for kind in KINDS:
        before, entries = getattr(old, kind), catalog.entries[kind]
        if before.keys() == entries.keys():
            table = dict(before)
            for ref in changed:
                if ref.kind == kind:
                    table[ref.id] = entries[ref.id].profile
        else:
            table = {id_: entry.profile for id_, entry in sorted(entries.items())}
        setattr(wiki, kind, table)

    wiki.links = defaultdict(set, old.links)
    wiki.backlinks = defaultdict(set, old.backlinks)
    # The copies share the old wiki's sets: a set is replaced by a new one before it is
    # changed, so the old wiki stays as it was (a later run may still compare with it).
    own: set[Ref] = set()

    def link(here: Ref, target: Ref, via: str) -> None:
        if target not in own:
            wiki.backlinks[target] = set(wiki.backlinks.get(target, ()))
            own.add(target)
        wiki.backlinks[target].add((here, via))
        wiki.links[here].add(target)

    # Which tables each changed profile reaches, in its old form and in its new one.
    family: set[str] = set()
    staff: set[str] = set()
    person_events: set[str] = set()
    mission_events: set[str] = set()
    sources: set[str] = set()
    for ref in changed:
        for target in old.links.get(ref, ()):
            wiki.backlinks[target] = {item for item in wiki.backlinks[target] if item[0] != ref}
            own.add(target)
            if not wiki.backlinks[target]:
                del wiki.backlinks[target]
                own.discard(target)
        wiki.links.pop(ref, None)
        for profile in (old.profile_or_none(ref), wiki.profile_or_none(ref)):
            if isinstance(profile, Person):
                family.add(ref.id)
                family.update(tie.person for tie in profile.family)
                staff.update(posting.mission for posting in profile.postings)
            elif isinstance(profile, Event):
                person_events.update(part.person for part in profile.participants)
                mission_events.update(involved.mission for involved in profile.missions)
        if ref.kind == "sources":
            sources.add(ref.id)
        sources.update(target.id for target in old.links.get(ref, ()) if target.kind == "sources")
    for ref in sorted(changed):
        profile = wiki.profile_or_none(ref)
        if isinstance(profile, Person):
            for tie in profile.family:
                link(ref, Ref("people", tie.person), "family")
            for posting in profile.postings:
                link(ref, Ref("missions", posting.mission), "staff")
        elif isinstance(profile, Event):
            for part in profile.participants:
                link(ref, Ref("people", part.person), "events")
            for involved in profile.missions:
                link(ref, Ref("missions", involved.mission), "events")
        if profile is not None:
            cited = {
                source
                for _, source, quote in _fields_cited(catalog.entries[ref.kind][ref.id])
                if (source, quote) in quotes.spans
            }
            sources.update(cited)
            if ref.kind == "sources":
                cited.discard(ref.id)
            for source in cited:
                link(ref, Ref("sources", source), "citations")

    wiki.family = _rederive(old.family, family, lambda person_id: _family_of(wiki, person_id))
    wiki.staff = _rederive(old.staff, staff, lambda mission_id: _staff_of(wiki, mission_id))
    wiki.person_events = _rederive(
        old.person_events,
        person_events,
        lambda person_id: _events_of(
            wiki, Ref("people", person_id), lambda event: event.participants, "person"
        ),
    )
    wiki.mission_events = _rederive(
        old.mission_events,
        mission_events,
        lambda mission_id: _events_of(
            wiki, Ref("missions", mission_id), lambda event: event.missions, "mission"
        ),
    )

    # Every passage of a source reached is collected again from all who cite it.
    order = _catalog_order(catalog) if sources else None
    uses = dict(old._uses or {})
    rederived: dict[str, list[QuoteUse]] = {}
    for source in sources:
        for use in old.source_quotes.get(source, []):
            uses.pop((source, tuple(use.spans)), None)
        if source not in wiki.sources:
            continue
        target = Ref("sources", source)
        citers = {ref for ref, how in wiki.backlinks.get(target, ()) if how == "citations"}
        citers.add(target)  # a source may quote itself (its credits) without linking
        of_source: dict[str, dict[tuple[Span, ...], QuoteUse]] = {}
        for ref in sorted(citers, key=order):
            _add_uses(wiki, catalog.entries[ref.kind][ref.id], of_source, only=source)
        passages = of_source.get(source, {})
        rederived[source] = _sorted_uses(passages)
        uses.update(((source, key), use) for key, use in passages.items())
    wiki.source_quotes = {
        source: rederived[source] if source in rederived else old.source_quotes[source]
        for source in wiki.sources
    }
    wiki._uses = uses

    if any(_disagreements(entry) for entry in _entries(old.catalog, changed)) or any(
        _disagreements(entry) for entry in _entries(catalog, changed)
    ):
        wiki.disagreements = [found for entry in catalog for found in _disagreements(entry)]
    else:
        wiki.disagreements = list(old.disagreements)
    return wiki


def _entries(catalog: Catalog, refs: set[Ref]) -> list[Entry]:
    """The entries of ``refs`` that ``catalog`` holds."""
    return [entry for ref in refs if (entry := catalog.entries[ref.kind].get(ref.id)) is not None]


_Item = TypeVar("_Item")


def _rederive(
    old: dict[str, list[_Item]], keys: set[str], derive: Callable[[str], list[_Item]]
) -> defaultdict[str, list[_Item]]:
    """A copy of ``old`` with the entries at ``keys`` derived again (and dropped if empty)."""
    table = defaultdict(list, old)
    for key in keys:
        items = derive(key)
        if items:
            table[key] = items
        else:
            table.pop(key, None)
    return table


def _family_of(wiki: Wiki, person_id: str) -> list[FamilyLink]:
    """A person's family ties, stated on their profile or on their relatives'."""
    links: list[FamilyLink] = []
    itself = {person_id} if person_id in wiki.people else set()
    for other in _contributors(wiki, Ref("people", person_id), "family", itself):
        for tie in wiki.people[other].family:
            if other == person_id:
                links.append(FamilyLink(tie.relation, tie.person, tie, other))
            if tie.person == person_id:
                links.append(FamilyLink(INVERSE_RELATION[tie.relation], other, tie, other))
    return links


def _staff_of(wiki: Wiki, mission_id: str) -> list[tuple[str, Any]]:
    items = [
        (person_id, posting)
        for person_id in _contributors(wiki, Ref("missions", mission_id), "staff")
        for posting in wiki.people[person_id].postings
        if posting.mission == mission_id
    ]
    _sort_staff(items)
    return items


def _events_of(
    wiki: Wiki, target: Ref, parts: Callable[[Event], list[Any]], name: str
) -> list[tuple[str, Any]]:
    """The events a person or mission takes part in, with the part each event states."""
    items = [
        (event_id, part)
        for event_id in _contributors(wiki, target, "events")
        for part in parts(wiki.events[event_id])
        if getattr(part, name) == target.id
    ]
    _sort_events(wiki, items)
    return items


def _contributors(
    wiki: Wiki, target: Ref, via: str, also: frozenset[str] | set[str] = frozenset()
) -> list[str]:
    """Ids of the profiles that link to ``target`` through ``via`` (and ``also``), sorted."""
    found = {ref.id for ref, how in wiki.backlinks.get(target, ()) if how == via}
    return sorted(found | also)


def _catalog_order(catalog: Catalog) -> Callable[[Ref], int]:
    """The position of each profile in the catalog, which orders a passage's citers."""
    refs = [Ref(kind, id_) for kind in KINDS for id_ in catalog.entries[kind]]
    positions = dict(zip(refs, range(len(refs)), strict=True))
    return lambda ref: positions[ref]


def _link(wiki: Wiki, here: Ref, target: Ref, via: str) -> None:
    wiki.backlinks[target].add((here, via))
    wiki.links[here].add(target)


def _start_key(date: DateSpec | None) -> tuple[int, int, int, int]:
    return date.sort_key() if date is not None else (1, 0, 0, 0)


def _collect_quotes(wiki: Wiki) -> None:
    uses: dict[str, dict[tuple[Span, ...], QuoteUse]] = {}
    for entry in wiki.catalog:
        ref = Ref(entry.kind, entry.id)
        sources = _add_uses(wiki, entry, uses)
        if entry.kind == "sources":
            sources.discard(entry.id)  # a source quoting itself (its credits) is no link
        for source in sources:
            _link(wiki, ref, Ref("sources", source), "citations")
    wiki._uses = {}
    for source in wiki.sources:
        of_source = uses.get(source, {})
        wiki.source_quotes[source] = _sorted_uses(of_source)
        wiki._uses.update(((source, key), use) for key, use in of_source.items())


def _add_uses(
    wiki: Wiki,
    entry: Entry,
    uses: dict[str, dict[tuple[Span, ...], QuoteUse]],
    only: str | None = None,
) -> set[str]:
    """Record ``entry``'s citations (of source ``only``, if given) among the passages in
    ``uses``; the sources it cites, recorded or not."""
    ref = Ref(entry.kind, entry.id)
    placed, texts = wiki.quotes.spans, wiki.quotes.texts
    sources: set[str] = set()
    for path, source, quote in _fields_cited(entry):
        spans = placed.get((source, quote))
        if spans is None:
            continue
        sources.add(source)
        if only is not None and source != only:
            continue
        of_source = uses.get(source)
        if of_source is None:
            of_source = uses[source] = {}
        key = tuple(spans)
        use = of_source.get(key)
        if use is None:
            use = of_source[key] = QuoteUse(texts[source].excerpt(spans, quote), spans)
        citer = Citer(ref, path)
        if citer not in use.cited_by:
            use.cited_by.append(citer)
    return sources


def _sorted_uses(of_source: dict[tuple[Span, ...], QuoteUse]) -> list[QuoteUse]:
    return sorted(of_source.values(), key=lambda use: (use.spans[0][0], use.spans[-1][1]))


def _fields_cited(entry: Entry) -> list[tuple[str, str, str]]:
    """``_citations`` of the entry's profile, kept while its file is unchanged."""
    cited = entry.raw.derived.get("fields_cited")
    if cited is None:
        cited = entry.raw.derived["fields_cited"] = _citations(entry.profile)
    return cited  # type: ignore[no-any-return]


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


def _disagreements(entry: Entry) -> list[Disagreement]:
    """The fields on which ``entry``'s sources differ, kept while its file is unchanged."""
    found = entry.raw.derived.get("disagreements")
    if found is None:
        profile = entry.profile
        found = entry.raw.derived["disagreements"] = []
        for name in profile.single_valued:
            groups = group_claims(getattr(profile, name))
            if len(groups) > 1:
                found.append(Disagreement(Ref(entry.kind, entry.id), name, groups))
    return found  # type: ignore[no-any-return]


def group_claims(claims: list[Any]) -> list[tuple[str, list[Claim]]]:
    """Claims grouped by value, in the order the values first appear."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(str(getattr(claim, "value", "")), []).append(claim)
    return list(groups.items())
