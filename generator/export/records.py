"""What every download is made of: each claim of the wiki once, with its typed details
and its citations placed in their archives, in one stable order.

The JSON, the CSV files and the SQLite database are each written from these records, so
that they cannot disagree on what a claim says, how it is known or where its quotes are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from ..model import (
    KINDS,
    RELATION_OF_CLAIM,
    Claim,
    DateClaim,
    DateSpec,
    MissionStatusClaim,
    Posting,
    Ref,
    relation_value,
)
from ..quotes import Span
from ..wiki import Wiki, passage_anchor


def claim_id(ref: Ref, field: str, index: int) -> str:
    """A claim's stable name: its page, field and position, e.g. ``people/x#names/0``."""
    return f"{ref.kind}/{ref.id}#{field}/{index}"


def ref_key(ref: Ref) -> str:
    """A profile as the downloads name it: ``people/ri-il-gyu``."""
    return f"{ref.kind}/{ref.id}"


def page_url(ref: Ref) -> str:
    """A profile's page, relative to the site root (as MkDocs builds it by default)."""
    return f"{ref.kind}/{ref.id}/"


@dataclass(frozen=True)
class Cited:
    """One citation of a claim: the quote as written and where it is in the archive."""

    source: str
    archive: str
    quote: str
    archived_text: str
    """The quoted words as the archive has them, cuts marked […]."""
    spans: tuple[Span, ...]
    """One (start, end) pair of character offsets per piece of the quote."""

    @property
    def passage(self) -> str:
        """The passage on its source's page, relative to the site root."""
        return f"sources/{self.source}/#{passage_anchor(self.spans)}"


@dataclass(frozen=True)
class Details:
    """What a claim says besides how it is known, one column per kind of detail; a
    detail the claim's type does not have is None."""

    value: str | None
    """The value as written (a date as ``2023-11``); for a relation, what it says of
    the relation besides its target and period (a family relation, a role)."""
    number: int | None
    date_start: str | None
    """The first date the claim gives (a date's, a posting's start), ISO, as precise as
    stated: ``2023``, ``2023-11`` or ``2023-11-05``."""
    date_end: str | None
    """The last: a range's end, a single date's own, a posting's end."""
    as_of: str | None
    role: str | None
    relation: str | None
    target: Ref | None
    """The profile a relation points at."""
    measure: str | None
    approximate: bool | None
    topic: str | None


def _first(spec: DateSpec | None) -> str | None:
    return spec.start.iso() if spec is not None and spec.start is not None else None


def _last(spec: DateSpec | None) -> str | None:
    if spec is None or spec.start is None:
        return None
    return (spec.end or spec.start).iso()


def _period(claim: Claim) -> tuple[str | None, str | None]:
    if isinstance(claim, Posting):
        return _first(claim.start), _last(claim.end)
    if isinstance(claim, DateClaim):
        return _first(claim.value), _last(claim.value)
    if isinstance(claim, MissionStatusClaim):
        return _first(claim.date), _last(claim.date)
    return None, None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


_DETAILS = ("value", "as_of", "role", "relation", "measure", "approximate", "topic")


@cache
def _has(claim_type: type[Claim]) -> frozenset[str]:
    """The details a claim type has: asking a pydantic model for a field it lacks is
    slow, and there are tens of thousands of claims."""
    return frozenset(name for name in _DETAILS if name in claim_type.model_fields)


def details(claim: Claim) -> Details:
    """The typed details of one claim."""
    has = _has(type(claim))
    got = {name: getattr(claim, name) for name in has}
    raw = got.get("value")
    relation = RELATION_OF_CLAIM.get(type(claim))
    target = None if relation is None else Ref(relation.target, getattr(claim, relation.key))
    value = (relation_value(claim) or None) if relation is not None else _text(raw)
    start, end = _period(claim)
    return Details(
        value=value,
        number=raw if isinstance(raw, int) and not isinstance(raw, bool) else None,
        date_start=start,
        date_end=end,
        as_of=_text(got.get("as_of")),
        role=got.get("role"),
        relation=got.get("relation"),
        target=target,
        measure=got.get("measure"),
        approximate=got.get("approximate"),
        topic=got.get("topic"),
    )


@dataclass(frozen=True)
class ClaimRecord:
    """One claim of one profile, with its typed details and placed citations."""

    id: str
    ref: Ref
    field: str
    index: int
    claim: Claim
    details: Details
    citations: tuple[Cited, ...]

    @cached_property
    def attributes(self) -> dict[str, Any]:
        """The claim's own fields as written, less its citations and note."""
        return self.claim.model_dump(mode="json", exclude={"cite", "note"})


def _cited(wiki: Wiki, archives: dict[str, str], source: str, quote: str) -> Cited:
    spans = wiki.quotes.get(source, quote)
    archive = archives.get(source)
    if archive is None:
        archive = archives[source] = wiki.source(source).archive
    return Cited(
        source=source,
        archive=archive,
        quote=quote,
        archived_text=wiki.quotes.texts[source].excerpt(spans, quote),
        spans=tuple(spans),
    )


def claim_records(wiki: Wiki) -> list[ClaimRecord]:
    """Every claim of the wiki: by kind, then id, then in field order."""
    found: list[ClaimRecord] = []
    archives: dict[str, str] = {}
    for kind in KINDS:
        for ref in wiki.refs(kind):
            for field, index, claim in wiki.profile(ref).claims():
                cited = tuple(_cited(wiki, archives, c.source, c.quote) for c in claim.cite)
                found.append(
                    ClaimRecord(
                        id=claim_id(ref, field, index),
                        ref=ref,
                        field=field,
                        index=index,
                        claim=claim,
                        details=details(claim),
                        citations=cited,
                    )
                )
    return found
