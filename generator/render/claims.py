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
RELATION_LABELS = {
    "spouse": "spouse",
    "child": "child",
    "parent": "parent",
    "sibling": "sibling",
    "parent-in-law": "parent-in-law",
    "child-in-law": "child-in-law",
}


def period(start: DateSpec | None, end: DateSpec | None) -> str:
    if start is None and end is None:
        return ""
    if end is None:
        return f"from {start.human()}" if start is not None else ""
    if start is None:
        return f"until {end.human()}"
    return f"{start.human()} – {end.human()}"


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
    """Claims, their citations and relations as Markdown for one page."""

    def __init__(self, links: Links) -> None:
        self.links = links
        self.wiki = links.wiki

    def value(self, claim: Claim) -> str:
        """A claim's value as Markdown (see ``value_text``), with how it is known."""
        return value_text(claim, self) + qualifier(claim)

    def relation_line(self, edge: Edge, outgoing: bool, dated: bool = True) -> str:
        """A relation as a line: the page at its other end and its role, with how it is
        known; after the date of that page if it is an event (``dated``)."""
        other = edge.target if outgoing else edge.origin
        role = role_text(edge.claim, outgoing)
        line = self.links.link(other) + (f" — {role}" if role else "") + qualifier(edge.claim)
        when = self.profile_date(other) if dated else ""
        return f"**{when}** — {line}" if when else line

    def profile_date(self, ref: Ref) -> str:
        """The date a dated profile (an event) is placed at, with how it is known; empty
        for a profile that has none."""
        profile = self.wiki.profile(ref)
        if not isinstance(profile, Event):
            return ""
        claim = profile.date_claim()
        if claim is None or not claim.value.known:
            return "Date unknown"
        return claim.value.human() + qualifier(claim, plain=True)

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

    def single(self, claims: Sequence[Claim]) -> str:
        """A one-value fact; when sources give different values, every value and its quotes."""
        groups = group_claims(claims)
        if len(groups) <= 1:
            return self.claims(claims)
        lines = ['!!! warning "Sources differ"', ""]
        lines.append("    The sources give different values. Each is shown with its quotes.")
        lines.append("")
        for _, members in groups:
            lines.append(f"    - {self.value(strongest(members))}")
            for claim in members:
                lines.extend(self.cites(claim, "        "))
        return "\n".join(lines)

    def incoming(self, ref: Ref, relation: Relation) -> str:
        """The relations of one kind pointing at ``ref``, each with its quotes."""
        return self._edges([(edge, False) for edge in self.wiki.incoming(ref, relation)])

    def symmetric(self, ref: Ref, relation: Relation) -> str:
        """A relation stated on either side (family): both directions in one list."""
        profile = self.wiki.profile(ref)
        stated = [
            (_edge(relation, ref, index, claim), True)
            for index, claim in enumerate(getattr(profile, relation.field))
        ]
        received = [(edge, False) for edge in self.wiki.incoming(ref, relation)]
        return self._edges(stated + received)

    def _edges(self, edges: list[tuple[Edge, bool]]) -> str:
        lines: list[str] = []
        for edge, outgoing in edges:
            lines.append(f"- {self.relation_line(edge, outgoing)}")
            lines.extend(self.cites(edge.claim, "    "))
        return "\n".join(lines)


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
