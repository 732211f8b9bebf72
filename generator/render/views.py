"""Views of the wiki that pages show: index rows, timelines, statistics, disagreements."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from ..model import (
    KINDS,
    RELATIONS,
    Claim,
    DateSpec,
    Event,
    Figure,
    Kind,
    Mission,
    Person,
    Ref,
    group_claims,
)
from ..reuse.reads import kept
from .archive import Shown, archive_text
from .claims import FIELD_LABELS, ClaimText, qualifier, strongest
from .environment import text

KIND_LABELS = {"people": "People", "missions": "Missions", "events": "Events", "sources": "Sources"}


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

    def summary_single(self, claims: Sequence[Claim], missing: str = "—") -> str:
        groups = group_claims(claims)
        if not groups:
            return missing
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
        return "\n".join(
            kept(("row", ref), partial(self._person_row, ref)) for ref in self.sorted_refs("people")
        )

    def _person_row(self, ref: Ref) -> str:
        person = self.wiki.profile(ref)
        assert isinstance(person, Person)
        return (
            f"| {self.links.link(ref)} | {self.summary_role(person)} "
            f"| {self.summary_single(person.status)} |"
        )

    def mission_rows(self) -> str:
        """The missions index's table rows, one per mission in title order."""
        refs = self.sorted_refs("missions")
        return "\n".join(kept(("row", ref), partial(self._mission_row, ref)) for ref in refs)

    def _mission_row(self, ref: Ref) -> str:
        mission = self.wiki.profile(ref)
        assert isinstance(mission, Mission)
        return (
            f"| {self.links.link(ref)} | {self.summary_single(mission.country)} "
            f"| {self.summary_single(mission.mission_kind)} "
            f"| {self.summary_single(mission.city)} | {self.summary_single(mission.status)} |"
        )

    def sorted_events(self) -> list[Ref]:
        """Every event by date (unknown dates last), then title."""
        wiki = self.wiki

        def key(ref: Ref) -> tuple[Any, ...]:
            event = wiki.profile(ref)
            return (_date_key(event.when()), event.heading, ref.id)

        return sorted(wiki.refs("events"), key=key)

    def event_rows(self) -> str:
        """The timeline's table rows: date (a ``<time>`` a script can sort by), event
        and kind, in date order."""
        return "\n".join(
            kept(("row", ref), partial(self._event_row, ref)) for ref in self.sorted_events()
        )

    def _event_row(self, ref: Ref) -> str:
        event = self.wiki.profile(ref)
        assert isinstance(event, Event)
        return (
            f"| {self.event_date(ref)} | {self.links.link(ref)} "
            f"| {self.summary_single(event.event_kind, missing='Not stated')} |"
        )

    def event_date(self, ref: Ref) -> str:
        """An event's date for a table cell, as a ``<time>`` element; "Not stated" when
        no source gives it."""
        event = self.wiki.profile(ref)
        assert isinstance(event, Event)
        claim = event.date_claim()
        if claim is None or claim.value.start is None:
            return "Not stated"
        return f'<time datetime="{claim.value.start.iso()}">{claim.value.human()}</time>' + (
            qualifier(claim)
        )

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
            date = (
                f'<time datetime="{source.date}">{source.date.human()}</time>'
                if source.date.known
                else "Not shown"
            )
            rows.append(f"| {self.links.link(ref)} | {outlet} | {date} | {count} |")
        return "\n".join(rows)

    # --- One profile's page -----------------------------------------------------------------

    def timeline(self, ref: Ref) -> str:
        """The events a profile takes part in, earliest first, each with its role and
        the note of its quotes; those no source dates after them, under their own line."""
        wiki = self.wiki
        edges = [
            edge
            for relation in RELATIONS
            if relation.target == ref.kind and relation.holder == "events" != ref.kind
            for edge in wiki.incoming(ref, relation)
        ]
        dated: list[tuple[tuple[int, int, int, int], int, str]] = []
        undated: list[str] = []
        for edge in edges:
            line = self.claims.noted_edge(edge, outgoing=False, dated=False)
            when = self.claims.profile_date(edge.origin)
            if when:
                key = _date_key(wiki.profile(edge.origin).when())
                dated.append((key, len(dated), f"- **{when}** — {line}"))
            else:
                undated.append(f"- {line}")
        lines = [line for _, _, line in sorted(dated)]
        if undated:
            if lines:
                lines += ["", "Not dated by the sources:", ""]
            lines += undated
        return "\n".join(lines)

    def relation_lists(self, ref: Ref) -> list[tuple[str, str]]:
        """The relations a page lists in sections of their own, each as (heading,
        Markdown list): on a person's page all are in the summary or the timeline; on
        others, every relation but the events a profile takes part in (the timeline)."""
        if ref.kind == "people":
            return []
        sections: list[tuple[str, str]] = []
        for relation in RELATIONS:
            if relation.holder == "events" != ref.kind:
                continue
            declared = relation.declared
            heading = declared.label if relation.holder == ref.kind else declared.reverse_label
            edges = self.claims.relation_edges(ref, relation)
            if edges:
                sections.append((heading, self.claims.edges(edges, dated=False)))
        return sections

    def archive(self, source_id: str, passages_only: bool) -> Shown | None:
        """A source's archived text (or its quoted passages), passages marked."""
        return archive_text(self.claims, source_id, passages_only)

    def source_citers(self, ref: Ref) -> str:
        """The pages citing a source, by kind, each kind on one line."""
        by_kind: dict[str, list[str]] = {}
        for other, _ in self.wiki.backlinks(ref):
            by_kind.setdefault(other.kind, []).append(self.links.link(other))
        return "\n".join(
            f"- {KIND_LABELS[kind]}: {', '.join(links)}"
            for kind in KINDS
            if (links := by_kind.get(kind))
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


def _date_key(date: DateSpec | None) -> tuple[int, int, int, int]:
    return date.sort_key() if date is not None else (1, 0, 0, 0)
