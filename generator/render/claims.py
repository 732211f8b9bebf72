"""Claims as Markdown: each claim type's value in words, its quotes, and relations.

A claim's wording is chosen by its type (``functools.singledispatch``), so a new claim
type gets its words here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch

from ..model import (
    INVERSE_RELATION,
    RELATION_OF_CLAIM,
    AgeClaim,
    Claim,
    DateClaim,
    DateSpec,
    Edge,
    Event,
    EventKindClaim,
    FamilyTie,
    Figure,
    KindClaim,
    MissionInvolvement,
    MissionStatusClaim,
    Participation,
    Posting,
    Ref,
    Relation,
    StatusClaim,
    group_claims,
)
from .environment import text
from .links import Links

STATUS_LABELS = {
    "defected": "Defected",
    "attempted": "Attempted to defect",
    "missing": "Missing",
    "caught": "Caught trying to flee",
    "detained": "Detained",
    "returned": "Returned to North Korea",
    "in-post": "In post",
    "deceased": "Deceased",
    "unknown": "Unknown",
}
# How each field is named on a page, in a footnote's heading and a summary's rows.
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
RELATION_LABELS = {
    "spouse": "spouse",
    "child": "child",
    "parent": "parent",
    "sibling": "sibling",
    "parent-in-law": "parent-in-law",
    "child-in-law": "child-in-law",
}


def period(start: DateSpec | None, end: DateSpec | None) -> str:
    """A period in words: "from 2019", "until 2016", "2013 – 2016"; an end known only
    to lie within a range is "until some time in 2013 – 2019"."""
    if start is None and end is None:
        return ""
    if end is None:
        return f"from {_within(start)}" if start is not None else ""
    if start is None:
        return f"until {_within(end)}"
    return f"{start.human()} – {end.human()}"


def _within(date: DateSpec) -> str:
    return f"some time in {date.human()}" if date.is_range else date.human()


def date_phrase(date: DateSpec) -> str:
    """A date as it goes in a sentence: "on 5 May 2024", "in May 2024", "between 2013 and
    2019"; empty when unknown."""
    if date.start is None:
        return ""
    if date.is_range:
        assert date.end is not None
        return f"between {date.start.human()} and {date.end.human()}"
    return f"{'on' if date.start.day else 'in'} {date.start.human()}"


def _as_of(date: DateSpec | None) -> str:
    return f" (as of {date.human()})" if date is not None else ""


@singledispatch
def value_text(claim: Claim, texts: ClaimText) -> str:
    """A claim's value as Markdown, in the words that suit its type."""
    return text(getattr(claim, "value", ""))


@value_text.register(AgeClaim)
def _(claim: AgeClaim, texts: ClaimText) -> str:
    return f"{claim.value} years old{_as_of(claim.as_of)}"


@value_text.register(StatusClaim)
def _(claim: StatusClaim, texts: ClaimText) -> str:
    return f"{STATUS_LABELS[claim.value]}{_as_of(claim.as_of)}"


@value_text.register(MissionStatusClaim)
def _(claim: MissionStatusClaim, texts: ClaimText) -> str:
    stated = f" ({claim.date.human()})" if claim.date else ""
    return f"{claim.value.capitalize()}{stated}"


@value_text.register(Figure)
def _(claim: Figure, texts: ClaimText) -> str:
    about = "about " if claim.approximate else ""
    return f"{text(claim.measure)}: **{about}{claim.value:,}**{_as_of(claim.as_of)}"


@value_text.register(DateClaim)
def _(claim: DateClaim, texts: ClaimText) -> str:
    return claim.value.human()


@value_text.register(KindClaim)
@value_text.register(EventKindClaim)
def _(claim: KindClaim | EventKindClaim, texts: ClaimText) -> str:
    return text(claim.value.replace("-", " ").capitalize())


@value_text.register(FamilyTie)
@value_text.register(Posting)
@value_text.register(Participation)
@value_text.register(MissionInvolvement)
def _(claim: FamilyTie | Posting | Participation | MissionInvolvement, texts: ClaimText) -> str:
    relation = RELATION_OF_CLAIM[type(claim)]
    target = Ref(relation.target, getattr(claim, relation.key))
    role = role_text(claim, True)
    return texts.links.link(target) + (f" — {role}" if role else "")


@singledispatch
def role_text(claim: Claim, outgoing: bool) -> str:
    """What a relation's claim says of the relation, as seen from one side."""
    return ""


@role_text.register(FamilyTie)
def _(claim: FamilyTie, outgoing: bool) -> str:
    relation = claim.relation if outgoing else INVERSE_RELATION[claim.relation]
    return RELATION_LABELS[relation]


@role_text.register(Posting)
def _(claim: Posting, outgoing: bool) -> str:
    when = period(claim.start, claim.end)
    return text(claim.role) + (f", {when}" if when else "")


@role_text.register(Participation)
@role_text.register(MissionInvolvement)
def _(claim: Participation | MissionInvolvement, outgoing: bool) -> str:
    return text(claim.role) if claim.role else ""


class ClaimText:
    """Claims, their citations and relations as Markdown for one page.

    On a profile's page (``owner``) each claim's quotes go in a numbered note (a
    Markdown footnote) beside its value, one hover or tap away; the notes are gathered
    at the page's end. A note's label names the claim (``status-0``, or
    ``events-some-event-participants-2`` for a claim another profile states), so a
    source's page can link back to the very claim that quotes it.
    """

    def __init__(self, links: Links, owner: Ref | None = None) -> None:
        self.links = links
        self.wiki = links.wiki
        self.owner = owner
        self.notes: dict[str, str] = {}

    def value(self, claim: Claim) -> str:
        """A claim's value as Markdown (see ``value_text``), with how it is known."""
        return value_text(claim, self) + qualifier(claim)

    def relation_line(self, edge: Edge, outgoing: bool, dated: bool = True) -> str:
        """A relation as a line: the page at its other end and its role, with how it is
        known; after the date of that page if it is an event (``dated``)."""
        other = edge.target if outgoing else edge.origin
        line = self.links.link(other) + role_clause(edge.claim, outgoing) + qualifier(edge.claim)
        when = self.profile_date(other) if dated else ""
        return f"**{when}** — {line}" if when else line

    def profile_date(self, ref: Ref) -> str:
        """The date a dated profile (an event) is placed at, with how it is known; empty
        for a profile that has none, or whose date no source gives."""
        profile = self.wiki.profile(ref)
        if not isinstance(profile, Event):
            return ""
        claim = profile.date_claim()
        if claim is None or not claim.value.known:
            return ""
        return claim.value.human() + qualifier(claim, plain=True)

    # --- Notes: each claim's quotes, one hover or tap away -----------------------------

    def note(self, claim: Claim, origin: Ref, field: str, index: int, heading: str) -> str:
        """The marker of the note holding ``claim``'s quotes, made on first use."""
        label = claim_label(self.owner, origin, field, index)
        if label not in self.notes:
            lines = [f"[^{label}]: {heading}", "", *self.cites(claim, "    ")]
            self.notes[label] = "\n".join(lines)
        return f"[^{label}]"

    def noted(self, claim: Claim, field: str, index: int, origin: Ref | None = None) -> str:
        """A claim of the page's profile (or ``origin``'s): its value, how it is known,
        and the marker of the note with its quotes."""
        origin = origin or self.owner
        assert origin is not None
        shown = self.value(claim)
        label = FIELD_LABELS.get(field, field)
        return shown + self.note(claim, origin, field, index, f"{label}: {shown}")

    def noted_edge(self, edge: Edge, outgoing: bool, dated: bool = True) -> str:
        """A relation as a line (``relation_line``) with the note of its claim's quotes."""
        line = self.relation_line(edge, outgoing, dated)
        label = FIELD_LABELS.get(edge.relation.field, edge.relation.field)
        marker = self.note(edge.claim, edge.origin, edge.relation.field, edge.position, label)
        return line + marker

    def noted_values(self, claims: Sequence[Claim], field: str) -> list[str]:
        """Each claim of a field, noted. A value several claims give is shown once, with
        how the best supported of them knows it and a note for each."""
        shown: list[str] = []
        positions = {id(claim): index for index, claim in enumerate(claims)}
        for _, members in group_claims(claims):
            markers = "".join(
                self.note(
                    claim,
                    self._owner(),
                    field,
                    positions[id(claim)],
                    f"{FIELD_LABELS.get(field, field)}: {self.value(claim)}",
                )
                for claim in members
            )
            shown.append(self.value(strongest(members)) + markers)
        return shown

    def noted_single(self, claims: Sequence[Claim], field: str) -> str:
        """A one-value fact, noted; when the sources give different values, every value,
        said to differ right there."""
        shown = self.noted_values(claims, field)
        if len(shown) > 1:
            return " / ".join(shown) + " *(sources differ)*"
        return shown[0] if shown else ""

    def noted_list(self, claims: Sequence[Claim], field: str) -> str:
        """A field of many values as a Markdown list, each value noted."""
        return "\n".join(f"- {line}" for line in self.noted_values(claims, field))

    def footnotes(self) -> str:
        """Every note made so far, in the order their markers appear on the page."""
        return "\n\n".join(self.notes.values())

    def _owner(self) -> Ref:
        assert self.owner is not None, "notes are made on a profile's page"
        return self.owner

    # --- Lists of claims --------------------------------------------------------------------

    def cites(self, claim: Claim, indent: str) -> list[str]:
        """A claim's citations, then what the editors say of how they support it."""
        lines = [f"{indent}- {self.links.citation(c)}" for c in claim.cite]
        for label, said in (
            ("How the editors inferred it", claim.inferred),
            ("Why the article's wording does not qualify it", claim.cue_waived),
            ("Editor's note", claim.note),
        ):
            if said:
                lines.append(f"{indent}- *{label}:* {text(said)}")
        return lines

    def claims(self, claims: Sequence[Claim]) -> str:
        """Each claim as a list item with its citations nested under it."""
        lines: list[str] = []
        for claim in claims:
            lines.append(f"- {self.value(claim)}")
            lines.extend(self.cites(claim, "    "))
        return "\n".join(lines)

    def edges(self, edges: Sequence[tuple[Edge, bool]], dated: bool = True) -> str:
        """Relations as a Markdown list, each noted."""
        return "\n".join(f"- {self.noted_edge(edge, outgoing, dated)}" for edge, outgoing in edges)

    def relation_edges(self, ref: Ref, relation: Relation) -> list[tuple[Edge, bool]]:
        """A profile's relations of one kind: those it states, then those pointing at it
        (a symmetric relation, family, shows both in one list)."""
        edges: list[tuple[Edge, bool]] = []
        if relation.holder == ref.kind:
            profile = self.wiki.profile(ref)
            edges += [
                (_edge(relation, ref, index, claim), True)
                for index, claim in enumerate(getattr(profile, relation.field))
            ]
        if relation.target == ref.kind:
            edges += [(edge, False) for edge in self.wiki.incoming(ref, relation)]
        return edges


def claim_label(owner: Ref | None, origin: Ref, field: str, index: int) -> str:
    """The label of a claim's note on ``owner``'s page; its marker's anchor is
    ``fnref-`` and this label, its note's ``fn-`` and this label."""
    own = f"{field}-{index}"
    return own if origin == owner else f"{origin.kind}-{origin.id}-{own}"


def role_clause(claim: Claim, outgoing: bool) -> str:
    """What a relation's claim says of the relation, after the linked page: a role, a
    kin's relation or a period, set off by a dash."""
    role = role_text(claim, outgoing)
    return f" — {role}" if role else ""


def qualifier(claim: Claim, plain: bool = False) -> str:
    """How a claim's value is known, to go after it: " *(according to …)*", or nothing
    for a value its quotes state. ``plain`` leaves out the emphasis (inside bold text)."""
    said = claim.qualifier
    if not said:
        return ""
    return f" ({text(said)})" if plain else f" *({text(said)})*"


_STRENGTH = {"stated": 0, "attributed": 1, "hedged": 2, "inferred": 3}


def strongest(claims: Sequence[Claim]) -> Claim:
    """Of claims giving one value, the one best supported: stated before attributed,
    hedged, inferred."""
    return min(claims, key=lambda claim: _STRENGTH[claim.basis])


def _edge(relation: Relation, origin: Ref, index: int, claim: Claim) -> Edge:
    return Edge(relation, origin, index, claim, Ref(relation.target, getattr(claim, relation.key)))
