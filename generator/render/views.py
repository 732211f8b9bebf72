"""Views of the wiki that pages show: index rows, timelines, statistics, disagreements."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from ..model import (
    KINDS,
    RELATIONS,
    SINGULAR,
    Claim,
    DateSpec,
    Edge,
    Event,
    Figure,
    Kind,
    Mission,
    Person,
    Ref,
    group_claims,
)
from .claims import ClaimText, qualifier, strongest
from .environment import text

FIELD_LABELS = {
    "status": "Status",
    "ages": "Age",
    "mission_kind": "Kind",
    "country": "Host country",
    "city": "City",
    "event_kind": "Kind",
    "date": "Date",
    "place": "Place",
    "outcome": "Outcome",
    "names": "Names",
    "roles": "Roles",
    "affiliations": "Affiliations",
    "countries": "Countries",
    "family": "Family",
    "postings": "Postings",
    "participants": "Participants",
    "missions": "Missions involved",
    "figures": "Figures",
    "facts": "Other facts",
    "identified_with": "Possibly the same",
}


class Views:
    """What pages show of many profiles at once."""

    def __init__(self, claims: ClaimText) -> None:
        self.claims = claims
        self.links = claims.links
        self.wiki = claims.wiki

    # --- Orders and rows of the index pages ------------------------------------------------

    def sorted_refs(self, kind: Kind) -> list[Ref]:
        """A kind's profiles in title order."""
        wiki = self.wiki
        return sorted(wiki.refs(kind), key=lambda ref: (wiki.title(ref).casefold(), ref.id))

    def summary_single(self, claims: Sequence[Claim]) -> str:
        groups = group_claims(claims)
        if not groups:
            return "—"
        shown = " / ".join(self.claims.value(strongest(members)) for _, members in groups)
        return f"{shown} (sources differ)" if len(groups) > 1 else shown

    def summary_role(self, person: Person) -> str:
        if person.roles:
            return self.claims.value(person.roles[0])
        if person.postings:
            posting = person.postings[0]
            mission = self.links.link(Ref("missions", posting.mission))
            return f"{text(posting.role)}, {mission}"
        return "—"

    def people_rows(self) -> str:
        """The people index's table rows, one per person in title order."""
        rows = []
        for ref in self.sorted_refs("people"):
            person = self.wiki.profile(ref)
            assert isinstance(person, Person)
            rows.append(
                f"| {self.links.link(ref)} | {self.summary_role(person)} "
                f"| {self.summary_single(person.status)} |"
            )
        return "\n".join(rows)

    def missions_by_country(self) -> list[tuple[str, list[Ref]]]:
        groups: dict[str, list[Ref]] = {}
        for ref in self.sorted_refs("missions"):
            mission = self.wiki.profile(ref)
            assert isinstance(mission, Mission)
            country = " / ".join(sorted({claim.value for claim in mission.country}))
            groups.setdefault(country or "Country not stated", []).append(ref)
        return sorted(groups.items(), key=lambda item: item[0].casefold())

    def mission_rows(self, refs: list[Ref]) -> str:
        rows = []
        for ref in refs:
            mission = self.wiki.profile(ref)
            assert isinstance(mission, Mission)
            rows.append(
                f"| {self.links.link(ref)} | {self.summary_single(mission.mission_kind)} "
                f"| {self.summary_single(mission.city)} | {self.summary_single(mission.status)} |"
            )
        return "\n".join(rows)

    def events_by_year(self) -> list[tuple[str, list[Ref]]]:
        wiki = self.wiki

        def key(ref: Ref) -> tuple[Any, ...]:
            event = wiki.profile(ref)
            return (_date_key(event.when()), event.heading, ref.id)

        groups: dict[str, list[Ref]] = {}
        for ref in sorted(wiki.refs("events"), key=key):
            when = wiki.profile(ref).when()
            year = when.year if when is not None else None
            groups.setdefault(str(year) if year is not None else "Date unknown", []).append(ref)
        return list(groups.items())

    def event_rows(self, refs: list[Ref]) -> str:
        lines = []
        for ref in refs:
            lines.append(f"- **{self.claims.profile_date(ref)}** — {self.links.link(ref)}")
        return "\n".join(lines)

    def source_rows(self, counts_only: bool = False) -> str:
        """The sources in title order: the sources index's rows, or (``counts_only``) the
        statistics page's quoted passages per source."""
        rows = []
        for ref in self.sorted_refs("sources"):
            count = len(self.wiki.passages(ref.id))
            if counts_only:
                rows.append(f"| {self.links.link(ref)} | {count} |")
                continue
            source = self.wiki.source(ref.id)
            outlet = text(source.outlet or "Not shown")
            date = source.date.human() if source.date.known else "Unknown"
            rows.append(f"| {self.links.link(ref)} | {outlet} | {date} | {count} |")
        return "\n".join(rows)

    # --- One profile's page -----------------------------------------------------------------

    def timeline(self, ref: Ref) -> str:
        """The dated things a profile takes part in, earliest first."""
        wiki = self.wiki
        profile = wiki.profile(ref)
        entries: list[tuple[tuple[int, int, int, int], int, str, str]] = []

        def add(date: DateSpec | None, line: str, known_by: Claim | None = None) -> None:
            # A date the editors inferred says so on the timeline too.
            if date is not None and date.known:
                shown = date.human() + (qualifier(known_by, plain=True) if known_by else "")
                entries.append((date.sort_key(), len(entries), shown, line))

        for relation in RELATIONS:
            if relation.holder == ref.kind:
                for claim in getattr(profile, relation.field):
                    add(claim.when(), self.claims.value(claim), claim)
            if relation.target == ref.kind:
                for edge in wiki.incoming(ref, relation):
                    line = self.claims.relation_line(edge, outgoing=False, dated=False)
                    add(wiki.edge_date(edge), line, _date_claim(wiki.profile(edge.origin), edge))
        for claim in getattr(profile, "status", []):
            add(claim.when(), f"Status: {self.claims.value(claim)}", claim)
        entries.sort(key=lambda entry: (entry[0], entry[1]))
        return "\n".join(f"- **{when}** — {line}" for _, _, when, line in entries)

    def differences(self, ref: Ref) -> str:
        """A note at the top of a page whose sources disagree, naming each fact."""
        found = self.wiki.disagreements(ref)
        if not found:
            return ""
        items = []
        for name, groups in found:
            values = " / ".join(self.claims.value(strongest(members)) for _, members in groups)
            items.append(f"    - {FIELD_LABELS.get(name, name)}: {values}")
        return "\n".join(
            [
                '!!! warning "Sources differ"',
                "",
                "    The sources give different accounts of:",
                "",
                *items,
            ]
        )

    def source_quotes(self, source_id: str) -> str:
        """Each passage quoted from a source, in article order, anchored, with the pages
        that cite it."""
        blocks: list[str] = []
        for passage in self.wiki.passages(source_id):
            where = ", ".join(f"{a}–{b}" for a, b in passage.spans)
            blocks.append(
                f'<blockquote class="ff-quote" id="{passage.anchor}">{html.escape(passage.text)}'
                "</blockquote>"
            )
            citers = " · ".join(
                f"{self.links.link(c.ref)} ({FIELD_LABELS.get(c.field, c.field).lower()})"
                for c in passage.cited_by
            )
            blocks.append(f"Characters {where}. Cited by: {citers}")
        return "\n\n".join(blocks)

    def backlinks(self, ref: Ref) -> str:
        return "\n".join(
            f"- {self.links.link(other)} ({SINGULAR[other.kind]}, {via})"
            for other, via in self.wiki.backlinks(ref)
        )

    # --- Pages about the whole wiki ----------------------------------------------------------

    def disagreement_items(self) -> list[tuple[Ref, str, str]]:
        """(page, field, Markdown of every value with its quotes) for each disagreement."""
        found = [
            (ref, name, groups)
            for kind in KINDS
            for ref in self.wiki.refs(kind)
            for name, groups in self.wiki.disagreements(ref)
        ]
        found.sort(key=lambda item: (self.wiki.title(item[0]).casefold(), item[0], item[1]))
        items: list[tuple[Ref, str, str]] = []
        for ref, name, groups in found:
            lines: list[str] = []
            for _, members in groups:
                lines.append(f"- {self.claims.value(members[0])}")
                for claim in members:
                    lines.extend(self.claims.cites(claim, "    "))
            items.append((ref, FIELD_LABELS.get(name, name), "\n".join(lines)))
        return items

    def statistics(self) -> dict[str, Any]:
        """Counts for the statistics page, all derived from the wiki."""
        wiki = self.wiki
        claims = citations = open_disagreements = 0
        profiles: dict[str, int] = {}
        bases: dict[str, int] = dict.fromkeys(("stated", "attributed", "hedged", "inferred"), 0)
        for kind in KINDS:
            refs = wiki.refs(kind)
            profiles[kind] = len(refs)
            for ref in refs:
                made, backed = wiki.counts(ref)
                claims += made
                citations += backed
                open_disagreements += len(wiki.disagreements(ref))
                for basis, count in wiki.bases(ref).items():
                    bases[basis] += count
        quotes = sum(len(wiki.passages(ref.id)) for ref in wiki.refs("sources"))
        return {
            "profiles": profiles,
            "total_profiles": sum(profiles.values()),
            "claims": claims,
            "citations": citations,
            "quotes": quotes,
            "disagreements": open_disagreements,
            "bases": bases,
        }

    def figure_items(self) -> list[tuple[Ref, Figure]]:
        """Every figure an article reports, with the event or mission that records it."""
        items: list[tuple[Ref, Figure]] = []
        kinds: tuple[Kind, ...] = ("events", "missions")
        for kind in kinds:
            for ref in self.sorted_refs(kind):
                profile = self.wiki.profile(ref)
                assert isinstance(profile, Event | Mission)
                items.extend((ref, claim) for claim in profile.figures)
        return items

    def figure_lines(self, topic: str | None = None) -> str:
        """Figures (about ``topic`` only, if given), each with its quotes."""
        lines: list[str] = []
        for ref, claim in self.figure_items():
            if topic is None or claim.topic == topic:
                lines.append(f"- {self.claims.value(claim)} — {self.links.link(ref)}")
                lines.extend(self.claims.cites(claim, "    "))
        return "\n".join(lines)


def _date_claim(origin: object, edge: Edge) -> Claim:
    """The claim that dates a relation: its own, if it gives a date, or its event's."""
    if edge.claim.when() is None and isinstance(origin, Event):
        return origin.date_claim() or edge.claim
    return edge.claim


def _date_key(date: DateSpec | None) -> tuple[int, int, int, int]:
    return date.sort_key() if date is not None else (1, 0, 0, 0)


def relation_sections(claims: ClaimText, ref: Ref) -> list[tuple[str, str]]:
    """Each relation a profile's kind takes part in, as (heading, Markdown list): the
    relations it states and, under the declared reverse label, those pointing at it."""
    profile = claims.wiki.profile(ref)
    sections: list[tuple[str, str]] = []
    for relation in RELATIONS:
        declared = relation.declared
        if declared.symmetric and ref.kind in (relation.holder, relation.target):
            sections.append((declared.label, claims.symmetric(ref, relation)))
            continue
        if relation.holder == ref.kind:
            sections.append((declared.label, claims.claims(getattr(profile, relation.field))))
        if relation.target == ref.kind:
            sections.append((declared.reverse_label, claims.incoming(ref, relation)))
    return sections
