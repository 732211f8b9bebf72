"""What a profile's page says first: a lead sentence and a summary box (an infobox),
both made from the structured values, each value with how it is known.

The lead is plain text (the page's meta description too): it passes through the
render filters like any profile value. The summary box is Markdown: each value there
carries the marker of the note with its quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import (
    RELATIONS,
    Claim,
    DateClaim,
    DateSpec,
    Edge,
    Event,
    Mission,
    Person,
    Ref,
    Relation,
    Source,
    StatusClaim,
    group_claims,
)
from .claims import STATUS_LABELS, ClaimText, date_phrase, qualifier, strongest

# The kinds of event that bring about each status: a person's status is dated by the
# earliest such event they take part in, when the status claim gives no date itself.
STATUS_EVENTS: dict[str, frozenset[str]] = {
    "defected": frozenset({"defection"}),
    "attempted": frozenset({"defection-attempt"}),
    "missing": frozenset({"disappearance"}),
    "caught": frozenset({"arrest", "defection-attempt"}),
    "detained": frozenset({"detention", "arrest"}),
    "returned": frozenset({"repatriation"}),
}
# A status as the start of a sentence that goes on with a date.
STATUS_SINCE = {
    "defected": "Defected",
    "attempted": "Attempted to defect",
    "missing": "Went missing",
    "caught": "Caught trying to flee",
    "detained": "Detained",
    "returned": "Returned to North Korea",
}
MISSION_KINDS = {
    "embassy": "an embassy",
    "consulate-general": "a consulate general",
    "consulate": "a consulate",
    "representative-office": "a representative office",
    "trade-mission": "a trade mission",
}
Rows = list[tuple[str, list[str]]]


def _said(claim: Claim) -> str:
    """How a value is known, as plain words in brackets (the lead is plain text)."""
    return f" ({claim.qualifier})" if claim.qualifier else ""


def _an(words: str) -> str:
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def _lowered(value: str, claim: Claim) -> str:
    """A value to go after a colon: its first word in lower case when the quotes write
    it so ("Former counselor" from "a former counselor"), else as it is ("North Korea's")."""
    first = value.split(" ", 1)[0]
    if not first[:1].isupper() or not first[1:].islower():
        return value
    quotes = " ".join(citation.quote for citation in claim.cite)
    if re.search(rf"\b{re.escape(first.lower())}\b", quotes):
        return first.lower() + value[len(first) :]
    return value


class Summary:
    """The lead sentence and summary box of one profile's page."""

    def __init__(self, claims: ClaimText, ref: Ref) -> None:
        self.claims = claims
        self.wiki = claims.wiki
        self.ref = ref
        self.profile = self.wiki.profile(ref)

    # --- The lead: one or two plain sentences --------------------------------------------

    def lead(self) -> str:
        profile = self.profile
        if isinstance(profile, Person):
            return self._person_lead(profile)
        if isinstance(profile, Mission):
            return self._mission_lead(profile)
        if isinstance(profile, Event):
            return self._event_lead(profile)
        assert isinstance(profile, Source)
        return self._source_lead(profile)

    def _person_lead(self, person: Person) -> str:
        opening = person.name
        if not person.names:
            opening += ": the sources do not name this person"
        elif (role := self._role(person)) is not None:
            opening += f": {role}"
        sentences = [opening + "."]
        if not person.names and (role := self._role(person)) is not None:
            sentences.append(role[:1].upper() + role[1:] + ".")
        status = self._status_sentence(person.status)
        if status:
            sentences.append(status)
        return " ".join(sentences)

    def _role(self, person: Person) -> str | None:
        if person.roles:
            claim = person.roles[0]
            return _lowered(claim.value, claim) + _said(claim)
        if person.postings:
            posting = person.postings[0]
            mission = self.wiki.title(Ref("missions", posting.mission))
            return f"{posting.role}, {mission}{_said(posting)}"
        return None

    def _status_sentence(self, claims: Sequence[StatusClaim]) -> str:
        groups = group_claims(claims)
        if len(groups) > 1:
            values = " or ".join(
                STATUS_LABELS[strongest(members).value].lower()  # type: ignore[attr-defined]
                for _, members in groups
            )
            return f"The sources differ on what became of them: {values}."
        if not groups:
            return ""
        claim = strongest(groups[0][1])
        assert isinstance(claim, StatusClaim)
        dated = self._status_event(claim)
        if claim.as_of is None and dated is not None and claim.value in STATUS_SINCE:
            _, date_claim = dated
            when = date_phrase(date_claim.value)
            # Each qualifier right after what it qualifies: the status, then its date.
            return f"{STATUS_SINCE[claim.value]}{_said(claim)} {when}{_said(date_claim)}."
        as_of = f" (as of {claim.as_of.human()})" if claim.as_of is not None else ""
        return f"{STATUS_LABELS[claim.value]}{as_of}{_said(claim)}."

    def _status_event(self, claim: StatusClaim) -> tuple[Ref, DateClaim] | None:
        """The earliest dated event of the kind that brings the status about, in which
        the person takes part: it dates the status (with how its date is known). Not for
        a person reported as a child: nothing is worked out about them (editorial policy)."""
        profile = self.profile
        if isinstance(profile, Person) and profile.minor_when_reported:
            return None
        kinds = STATUS_EVENTS.get(claim.value, frozenset())
        found: list[tuple[tuple[int, int, int, int], Ref, DateClaim]] = []
        for edge in self._incoming_from_events():
            event = self.wiki.profile(edge.origin)
            assert isinstance(event, Event)
            date = event.date_claim()
            if date is None or not date.value.known:
                continue
            if kinds & {kind.value for kind in event.event_kind}:
                found.append((date.value.sort_key(), edge.origin, date))
        if not found:
            return None
        _, ref, date = min(found)
        return ref, date

    def _incoming_from_events(self) -> list[Edge]:
        return [edge for edge in self.wiki.incoming(self.ref) if edge.origin.kind == "events"]

    def _mission_lead(self, mission: Mission) -> str:
        kinds = group_claims(mission.mission_kind)
        described = ""
        if len(kinds) == 1:
            claim = strongest(kinds[0][1])
            described = MISSION_KINDS.get(str(getattr(claim, "value", "")), "")
            described += _said(claim) if described else ""
        where = [
            strongest(groups[0][1])
            for groups in (group_claims(mission.city), group_claims(mission.country))
            if len(groups) == 1
        ]
        place = ", ".join(f"{getattr(c, 'value', '')}{_said(c)}" for c in where)
        opening = mission.name
        if described or place:
            opening += ": " + " ".join(
                part for part in (described, f"in {place}" if place else "") if part
            )
        sentences = [opening + "."]
        statuses = group_claims(mission.status)
        if len(statuses) == 1:
            claim = strongest(statuses[0][1])
            date = getattr(claim, "date", None)
            when = " " + date_phrase(date) if isinstance(date, DateSpec) and date.known else ""
            value = str(getattr(claim, "value", ""))
            sentences.append(f"{value.capitalize()}{when}{_said(claim)}.")
        elif statuses:
            sentences.append("The sources differ on whether it is open.")
        return " ".join(sentences)

    def _event_lead(self, event: Event) -> str:
        parts: list[str] = []
        kinds = group_claims(event.event_kind)
        if len(kinds) == 1:
            claim = strongest(kinds[0][1])
            value = str(getattr(claim, "value", ""))
            if value != "other":
                parts.append(_an(value.replace("-", " ")) + _said(claim))
        dates = group_claims(event.date)
        if len(dates) == 1:
            claim = strongest(dates[0][1])
            value = getattr(claim, "value", None)
            if isinstance(value, DateSpec) and value.known:
                parts.append(date_phrase(value) + _said(claim))
        elif len(dates) > 1:
            parts.append("on a date the sources give differently")
        # "a defection in November 2023, in Havana": the place set off by a comma.
        described = " ".join(parts)
        places = group_claims(event.place)
        if len(places) == 1:
            claim = strongest(places[0][1])
            where = f"in {getattr(claim, 'value', '')}{_said(claim)}"
            described = f"{described}, {where}" if described else where
        return event.name + (": " + described if described else "") + "."

    def _source_lead(self, source: Source) -> str:
        by = f" published by {source.outlet}" if source.outlet else ""
        when = f", {date_phrase(source.date)}" if source.date.known else ""
        shown = (
            "the passages the wiki quotes, each with a sentence either side"
            if source.republish == "passages"
            else "its archived text, every passage the wiki quotes marked"
        )
        return f"An article{by}{when}: {shown}."

    # --- The summary box ----------------------------------------------------------------

    def rows(self) -> Rows:
        """(label, values) for the summary box, each value Markdown with its note."""
        profile = self.profile
        claims = self.claims
        rows: Rows = []

        def single(label: str, field: str) -> None:
            shown = claims.noted_single(getattr(profile, field), field)
            if shown:
                rows.append((label, [shown]))

        def many(label: str, field: str, inline: bool = False) -> None:
            values = claims.noted_values(getattr(profile, field), field)
            if values:
                rows.append((label, [" · ".join(values)] if inline else values))

        if isinstance(profile, Person):
            many("Names", "names", inline=True)
            many("Roles", "roles")
            rows.extend(self._relation_rows())
            self._status_row(rows, profile)
            single("Age", "ages")
            many("Countries", "countries", inline=True)
            many("Affiliations", "affiliations")
        elif isinstance(profile, Mission):
            single("Kind", "mission_kind")
            single("Host country", "country")
            single("City", "city")
            single("Status", "status")
        elif isinstance(profile, Event):
            single("Date", "date")
            single("Kind", "event_kind")
            single("Place", "place")
        return rows

    def _status_row(self, rows: Rows, person: Person) -> None:
        shown = self.claims.noted_single(person.status, "status")
        if not shown:
            return
        groups = group_claims(person.status)
        if len(groups) == 1:
            claim = strongest(groups[0][1])
            assert isinstance(claim, StatusClaim)
            dated = self._status_event(claim) if claim.as_of is None else None
            if dated is not None:
                event, date = dated
                link = f"[{date.value.human()}]({self.claims.links.url(event)})"
                shown += f", {link}{qualifier(date)}"
        rows.append(("Status", [shown]))

    def _relation_rows(self) -> Rows:
        """A person's relations other than the events they take part in (those are the
        timeline): family, postings, identifications, each under the model's label."""
        rows: Rows = []
        differing = self._differing_claims()
        for relation in RELATIONS:
            if relation.holder == "events" or self.ref.kind not in relation_kinds(relation):
                continue
            edges = self.claims.relation_edges(self.ref, relation)
            values = []
            for edge, outgoing in edges:
                line = self.claims.noted_edge(edge, outgoing, dated=False)
                values.append(line + (" *(sources differ)*" if id(edge.claim) in differing else ""))
            if values:
                rows.append((relation.declared.label, values))
        return rows

    def _differing_claims(self) -> set[int]:
        return {
            id(claim)
            for _, groups in self.wiki.disagreements(self.ref)
            for _, members in groups
            for claim in members
        }


def relation_kinds(relation: Relation) -> tuple[str, str]:
    """The kinds of profile at either end of a relation."""
    return relation.holder, relation.target


def spellings(person: Person) -> list[str]:
    """Each way a reader may type the person's names: as written, with hyphens as spaces,
    with the last space as a hyphen, and run together; for the search index."""
    found: dict[str, None] = {}
    for name in [person.name, *(claim.value for claim in person.names)]:
        for variant in (
            name,
            name.replace("-", " "),
            re.sub(r" (?=\S+$)", "-", name),
            re.sub(r"[- ](?=[^- ]+$)", "", name),
        ):
            found.setdefault(variant, None)
    return list(found)


def latest_source_date(claims: ClaimText, ref: Ref) -> DateSpec | None:
    """The date of the latest dated source a profile's page cites (for citing the page)."""
    wiki = claims.wiki
    dates = [
        source.date
        for source_id in wiki.cited_sources(ref)
        if (source := wiki.source(source_id)).date.known
    ]
    return max(dates, key=lambda date: date.sort_key(), default=None)
