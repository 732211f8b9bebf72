"""The typed model: one declared shape per profile kind.

This module is the single definition of what a profile may contain. The
validator, the JSON Schema for editors (``factfile schema``) and the field
reference in the docs are all derived from these classes, so a field is added
or changed here and nowhere else. The docstring under each field becomes its
description in the JSON Schema and in editor tooltips.

Every fact is a *claim*: a value plus one or more citations, each naming a
source and quoting it verbatim. A fact field holds a list of claims. For a
single-valued fact (a date, a status) several claims with different values mean
the sources disagree; the site then shows every value with its quotes.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import typing
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Annotated, Any, ClassVar, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
MAX_ID_LENGTH = 80
MAX_LINE_LENGTH = 300
MAX_TEXT_LENGTH = 4000
# A figure is a count an article reports; a larger one is a slip (or no count at all),
# and every number the site shows stays short enough to print.
MAX_FIGURE = 10**12


@lru_cache(maxsize=1 << 16)  # the alias addresses ask again for every name on every rebuild
def slugify(name: str, max_length: int = MAX_ID_LENGTH) -> str:
    """The id a name would get: ASCII letters and digits in lowercase words joined by
    hyphens, cut at a word boundary to fit ``max_length``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", "").replace("’", ""))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "-".join(words)[:max_length].strip("-")


# Characters that reorder or hide text ("Trojan Source"): a name containing one
# can display as something other than what reviewers read in the diff.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt): characters a
# renderer shows as nothing at all. Most are format characters or unassigned, refused by
# category too; the rest are the Hangul fillers (letters, to Unicode), the variation
# selectors and the combining grapheme joiner (marks). With them, the blank braille cell,
# which is a symbol drawn as nothing in every font.
BLANK = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff\u2800]"
)
# The characters of ``BLANK`` that str.isprintable() lets through (the tests check this
# over all of Unicode): the fast path looks for these in C.
PRINTABLE_BLANK = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef]"
)


def _check_characters(value: str, *, multiline: bool) -> str:
    # Text that str.isprintable() passes holds only letters, marks, digits, punctuation,
    # symbols and plain spaces: it needs the per-character walk only if it holds one of
    # the printable blanks, or starts with a mark that has nothing to combine with (which
    # is also the only way such text can have nothing visible, once leading spaces are
    # refused). ASCII text, most of it, holds neither: the search for them, a hundredth
    # of a microsecond a character, is made only in the rest. The walk then finds and
    # names the offending character. The tests check this over all of Unicode.
    plain = value.replace("\n", "").replace("\t", "") if multiline else value
    if not plain.isprintable() or (
        not value.isascii()
        and (PRINTABLE_BLANK.search(value) is not None or unicodedata.category(value[0])[0] == "M")
    ):
        _reject_invisible(value, multiline=multiline)
    if value != value.strip():
        raise ValueError("has leading or trailing white space")
    return value


def _reject_invisible(value: str, *, multiline: bool) -> None:
    """Raise for the first character a reader could not see, if there is one, and for
    text with nothing a reader could see at all."""
    visible = False
    for char in value:
        if char in "\n\t" and multiline:
            continue
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS or char in INVISIBLE or category in ("Cc", "Cf", "Co", "Cs"):
            name = unicodedata.name(char, "control character")
            raise ValueError(f"contains the invisible character U+{ord(char):04X} ({name})")
        if BLANK.match(char):
            name = unicodedata.name(char, "unassigned")
            if "VARIATION SELECTOR" in name:
                raise ValueError(
                    f"contains the variation selector U+{ord(char):04X} ({name}), which asks "
                    "for an emoji or another form of the character before it: profile text is "
                    "names and quotes from articles, written without them; remove it"
                )
            raise ValueError(f"contains the invisible character U+{ord(char):04X} ({name})")
        if category == "Cn":
            raise ValueError(
                f"contains U+{ord(char):04X}, which is not an assigned character "
                f"(as of Unicode {unicodedata.unidata_version}); remove it"
            )
        visible = visible or category[0] in "LNPS"
    if value and unicodedata.category(value[0])[0] == "M":
        name = unicodedata.name(value[0], "a combining mark")
        raise ValueError(
            f"starts with the combining mark U+{ord(value[0]):04X} ({name}), which has no "
            "letter to combine with"
        )
    if value and not visible:
        raise ValueError("has nothing visible: write letters, digits or punctuation")


def _line(value: str) -> str:
    if "\n" in value:
        raise ValueError("must be a single line")
    return _check_characters(value, multiline=False)


def _text(value: str) -> str:
    return _check_characters(value, multiline=True)


Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_LINE_LENGTH),
    AfterValidator(_line),
]
"""A short single line of plain text, such as a name or a title."""

Text = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TEXT_LENGTH),
    AfterValidator(_text),
]
"""Plain text that may span lines; it is always shown as text, never as markup."""

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID_LENGTH),
]
"""A profile id: lowercase ASCII letters and digits in hyphen-separated words."""


def _http_url(value: str) -> str:
    _line(value)
    if not re.match(r"^https?://[^\s/?#@]+(?:[/?#][^\s]*)?$", value, re.IGNORECASE):
        raise ValueError("must be an http:// or https:// address")
    return value


Url = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]


# --- Dates with explicit precision -------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int = 0
    day: int = 0

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def human(self) -> str:
        if self.day:
            return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{_MONTHS[self.month - 1]} {self.year}"
        return str(self.year)


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _partial(text: str) -> PartialDate:
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(
            f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, "
            "a range START/END, or 'unknown'"
        )
    year, month, day = (int(part) if part else 0 for part in match.groups())
    if match.group(2) and not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month}")
    if match.group(3) and not 1 <= day <= _DAYS[month - 1]:
        raise ValueError(f"'{text}' has no day {day} in that month")
    return PartialDate(year, month, day)


@dataclass(frozen=True)
class DateSpec:
    """A date as precisely as the sources state it: a day, a month, a year, a range, or unknown.

    Written ``2023``, ``2023-11``, ``2023-11-05``, ``2023-03/2023-04`` or ``unknown``.
    """

    start: PartialDate | None
    end: PartialDate | None

    @property
    def known(self) -> bool:
        return self.start is not None

    @property
    def is_range(self) -> bool:
        return self.end is not None and self.end != self.start

    def __str__(self) -> str:
        if self.start is None:
            return "unknown"
        if self.is_range:
            assert self.end is not None
            return f"{self.start.iso()}/{self.end.iso()}"
        return self.start.iso()

    def human(self) -> str:
        if self.start is None:
            return "Date unknown"
        if self.is_range:
            assert self.end is not None
            return f"{self.start.human()} – {self.end.human()}"
        return self.start.human()

    @property
    def year(self) -> int | None:
        return self.start.year if self.start else None

    def sort_key(self) -> tuple[int, int, int, int]:
        """Unknown dates sort last; a year sorts before the months within it."""
        if self.start is None:
            return (1, 0, 0, 0)
        return (0, self.start.year, self.start.month, self.start.day)

    @classmethod
    def parse(cls, raw: object) -> DateSpec:
        if isinstance(raw, DateSpec):
            return raw
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError("must be a date written as text, e.g. '2023-11'")
        text = str(raw).strip()
        if text == "unknown":
            return cls(None, None)
        if "/" in text:
            first, _, last = text.partition("/")
            start, end = _partial(first.strip()), _partial(last.strip())
            if end < start:
                raise ValueError(f"'{text}' ends before it starts")
            return cls(start, end)
        date = _partial(text)
        return cls(date, None)


FuzzyDate = Annotated[
    DateSpec,
    PlainValidator(DateSpec.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "pattern": r"^(unknown|\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?)$",
            "description": "YYYY, YYYY-MM, YYYY-MM-DD, a range START/END, or 'unknown'.",
            "examples": ["2023", "2023-11", "2023-11-05", "2019/2020", "unknown"],
        }
    ),
]


# --- References and relations, declared on the fields that state them ----------------------


@dataclass(frozen=True)
class RefersTo:
    """Marks a field whose value is the id of a profile of ``kind``.

    The validator checks every such field, and the wiki follows them: nothing else in
    the package lists which keys hold ids.
    """

    kind: Kind


@dataclass(frozen=True)
class Relates:
    """Marks a list of claims that relate the profile holding them to other profiles.

    Declared once, on the field that states the relation (as followthemoney declares a
    property's ``reverse``); the other side is derived. ``label`` heads the list on the
    stating profile's page, ``reverse_label`` the derived list on each target's page; a
    relation whose two sides are the same kind of thing (family) is ``symmetric`` and
    shows both directions in one list.
    """

    name: str
    label: str
    reverse: str
    reverse_label: str
    symmetric: bool = False


# --- Claims and citations ---------------------------------------------------------------


class Strict(BaseModel):
    """Shared configuration: unknown keys are errors and values are never coerced."""

    # Field descriptions come from the docstrings under the fields, read only when a
    # description is wanted (see ``document_fields``).
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        hide_input_in_errors=True,
    )


class Citation(Strict):
    """Where a claim comes from: a source and the exact words quoted from it."""

    source: Annotated[Slug, RefersTo("sources")]
    """Id of the source profile (a file name under profiles/sources/, without .yaml)."""
    quote: Text
    """The exact words of the archived article. Mark a cut with … or […]; each piece must
    appear in the article in order. Curly and straight quotes, dashes and line breaks
    are forgiven; any changed word, number or name is an error."""


Basis = Literal["stated", "attributed", "hedged", "inferred"]
"""How a claim's value is known: its quotes state it in the article's own voice, the
article reports someone else's claim, the article hedges, or the editors inferred it."""


class Claim(Strict):
    """A fact backed by one or more verbatim quotes, and how the quotes support it."""

    cite: Annotated[list[Citation], Field(min_length=1)]
    """One citation per source that states this fact; several sources corroborate it."""
    according_to: Line | None = None
    """Who the article says states this, when it reports someone else's claim ("South
    Korean media", "a source in Vladivostok", "Ri Il-gyu"): readers see "according to …"
    wherever the value appears."""
    hedge: Line | None = None
    """The article's own hedge, in its words ("is believed to", "reportedly", "could
    be"), when it hedges: readers see it wherever the value appears."""
    inferred: Text | None = None
    """The editors' reasoning, when they derived the value rather than reading it in a
    quote (a year from "last year", a place from context): the value is marked inferred
    wherever it appears, and this reasoning is shown with it."""
    cue_waived: Text | None = None
    """Why a hedging or attributing word in the quoted sentence ("said", "believed") does
    not qualify this value (it belongs to another clause, say). Without it, such a word
    requires ``hedge`` or ``according_to``."""
    note: Text | None = None
    """An editor's note on how the quotes support the value."""

    def when(self) -> DateSpec | None:
        """The date the claim itself gives, if any (a posting's start, say)."""
        return None

    @property
    def qualifier(self) -> str:
        """How the value is known, in words that go with it wherever it is shown (empty
        when its quotes state it): "according to South Korean media", "hedged: “is
        believed to”", "inferred by the editors"."""
        parts = []
        if self.according_to is not None:
            parts.append(f"according to {self.according_to}")
        if self.hedge is not None:
            parts.append(f"hedged: “{self.hedge}”")
        if self.inferred is not None:
            parts.append("inferred by the editors")
        return "; ".join(parts)

    @property
    def basis(self) -> Basis:
        """How the value is known, the weakest way first: inferred, hedged, attributed,
        or stated."""
        if self.inferred is not None:
            return "inferred"
        if self.hedge is not None:
            return "hedged"
        return "attributed" if self.according_to is not None else "stated"


class TextClaim(Claim):
    """A fact stated in words."""

    value: Text
    """The fact, in words as close to the quote as possible."""


class NameClaim(Claim):
    """A spelling or romanisation of a name, exactly as a source writes it."""

    value: Line


class AgeClaim(Claim):
    """An age in years, as a source states it at the time of writing."""

    value: Annotated[int, Field(ge=0, le=130)]
    as_of: FuzzyDate | None = None
    """When the age was stated; left out, it is the date of the citing source."""


PersonStatus = Literal[
    "defected",
    "attempted",
    "caught",
    "missing",
    "detained",
    "returned",
    "in-post",
    "deceased",
    "unknown",
]


class StatusClaim(Claim):
    """What became of a person, as a source states it."""

    value: PersonStatus
    as_of: FuzzyDate | None = None

    def when(self) -> DateSpec | None:
        return self.as_of


FamilyRelation = Literal["spouse", "child", "parent", "sibling", "parent-in-law", "child-in-law"]
# What each relation is seen from the other person's side.
INVERSE_RELATION: dict[str, str] = {
    "spouse": "spouse",
    "sibling": "sibling",
    "child": "parent",
    "parent": "child",
    "parent-in-law": "child-in-law",
    "child-in-law": "parent-in-law",
}


class FamilyTie(Claim):
    """A family tie to another person; write it once, on either person's profile."""

    relation: FamilyRelation
    """What the other person is to this one: ``child`` means ``person`` is this person's child."""
    person: Annotated[Slug, RefersTo("people")]
    """Id of the related person."""


class Posting(Claim):
    """A posting at a diplomatic mission, with role and period."""

    mission: Annotated[Slug, RefersTo("missions")]
    """Id of the mission profile."""
    role: Line
    """The post held, as the source names it (e.g. counsellor for political affairs)."""
    start: FuzzyDate | None = None
    end: FuzzyDate | None = None

    def when(self) -> DateSpec | None:
        return self.start or self.end


MissionKind = Literal[
    "embassy", "consulate-general", "consulate", "representative-office", "trade-mission", "other"
]
MissionState = Literal["open", "closed"]


class KindClaim(Claim):
    value: MissionKind


class MissionStatusClaim(Claim):
    """Whether a mission is open or closed, and since when as far as stated."""

    value: MissionState
    date: FuzzyDate | None = None

    def when(self) -> DateSpec | None:
        return self.date


EventKind = Literal[
    "defection",
    "defection-attempt",
    "disappearance",
    "arrest",
    "detention",
    "repatriation",
    "appointment",
    "election",
    "meeting",
    "decision",
    "closure",
    "confirmation",
    "statement",
    "award",
    "other",
]


class EventKindClaim(Claim):
    value: EventKind


class DateClaim(Claim):
    value: FuzzyDate


class Participation(Claim):
    """A person who took part in an event, and in what role."""

    person: Annotated[Slug, RefersTo("people")]
    role: Line
    """E.g. defector, family member, confirming official."""


class MissionInvolvement(Claim):
    """A mission involved in an event."""

    mission: Annotated[Slug, RefersTo("missions")]
    role: Line | None = None


class Identification(Claim):
    """The editors' identification of this person with another profile: one article
    describes someone without naming them, and the editors judge it to be the same
    person. Never a fact about either: the two profiles keep their own facts, and both
    pages show the link with the reasoning."""

    person: Annotated[Slug, RefersTo("people")]
    """Id of the profile this one may be the same person as."""

    @model_validator(mode="after")
    def _reasoned(self) -> Identification:
        if self.inferred is None:
            raise ValueError("an identification needs the editors' reasoning under inferred:")
        return self


class EventIdentification(Claim):
    """The editors' identification of this event with another event profile (an article
    describes it without naming those involved)."""

    event: Annotated[Slug, RefersTo("events")]
    """Id of the event this one may be the same as."""

    @model_validator(mode="after")
    def _reasoned(self) -> EventIdentification:
        if self.inferred is None:
            raise ValueError("an identification needs the editors' reasoning under inferred:")
        return self


class Figure(Claim):
    """A number an article reports (e.g. defections in a year, missions abroad)."""

    measure: Line
    """What is counted, e.g. "North Korean diplomatic missions abroad"."""
    value: Annotated[int, Field(ge=0, le=MAX_FIGURE)]
    approximate: bool = False
    """True when the source says "about", "around" or similar."""
    as_of: FuzzyDate | None = None
    """When the count held, as precisely as the source says."""
    topic: Literal["missions", "defections", "other"] = "other"
    """What the figure is about: the missions index lists the figures about missions."""


# --- Profiles ------------------------------------------------------------------------------

Kind = Literal["people", "missions", "events", "sources"]


class Profile(Strict):
    """Fields every profile kind shares."""

    kind: ClassVar[Kind]
    # Fields holding one value each: more than one distinct value means the sources differ.
    single_valued: ClassVar[tuple[str, ...]] = ()

    facts: list[TextClaim] = []
    """Other facts the sources state, each with its quotes."""

    @property
    def heading(self) -> str:
        """The page title."""
        raise NotImplementedError

    def when(self) -> DateSpec | None:
        """When the profile's subject happened, for profiles that are dated (events)."""
        return None

    def claims(self) -> Iterator[tuple[str, int, Claim]]:
        """Every claim of the profile, as (field, position, claim), in field order."""
        for name in claim_fields(type(self)):
            for index, claim in enumerate(getattr(self, name)):
                yield name, index, claim

    def citations(self) -> Iterator[tuple[PathKey, str, Citation]]:
        """Every citation of the profile: where it sits, the field of its claim, itself."""
        for name, index, claim in self.claims():
            for position, citation in enumerate(claim.cite):
                yield (name, index, "cite", position), name, citation

    def disagreements(self) -> list[tuple[str, list[tuple[str, list[Claim]]]]]:
        """Where the sources give different values, each with its claims grouped by value:
        the single-valued fields, and each relation stated more than one way (a posting to
        one mission as deputy ambassador and as minister)."""
        found = []
        for name in self.single_valued:
            groups = group_claims(getattr(self, name))
            if len(groups) > 1:
                found.append((name, groups))
        for name in claim_fields(type(self)):
            relation = RELATION_FIELDS.get((self.kind, name))
            if relation is not None:
                found.extend((name, groups) for groups in _differing(self, relation))
        return found

    @model_validator(mode="after")
    def _merged_carries_only_its_name(self) -> Profile:
        """A profile merged into another (``merged_into``) is only its old address: it
        keeps its ``name``, to say what was merged, and nothing else."""
        target = getattr(self, "merged_into", None)
        if target is None:
            return self
        order = list(type(self).model_fields)
        extra = sorted(self.model_fields_set - {"name", "merged_into"}, key=order.index)
        if extra:
            raise PydanticCustomError(
                "merged_profile",
                "a profile merged into '{target}' carries only name and merged_into: move "
                "'{field}' to profiles/{kind}/{target}.yaml, or remove it",
                {"field": extra[0], "target": target, "kind": self.kind},
            )
        return self

    def references(self) -> Iterator[tuple[PathKey, Kind, str]]:
        """Every id this profile gives of another profile, with where it sits."""
        for name, index, claim in self.claims():
            for key, kind in _claim_references(type(claim)):
                yield (name, index, key), kind, getattr(claim, key)
            for position, citation in enumerate(claim.cite):
                yield (name, index, "cite", position, "source"), "sources", citation.source


class Person(Profile):
    """A person the sources name or describe: a diplomat, a relative, an official, an expert."""

    kind: ClassVar[Kind] = "people"
    single_valued: ClassVar[tuple[str, ...]] = ("status", "ages")

    name: Line
    """The name the page is titled with: one of ``names``, or, for a person the sources do
    not name, a short description such as "Acting ambassador to Kuwait (unnamed)"."""
    names: list[NameClaim] = []
    """Every spelling and romanisation the sources use; each is searchable on the site."""
    roles: list[TextClaim] = []
    """Positions and occupations (e.g. professor of international studies)."""
    affiliations: list[TextClaim] = []
    """Organisations the person belongs to or works for."""
    countries: list[NameClaim] = []
    """Countries the person is a citizen or official of, as stated."""
    ages: list[AgeClaim] = []
    """Ages as stated, each with when it was stated if the source says."""
    status: list[StatusClaim] = []
    """What became of the person (defected, caught trying to, missing, detained…)."""
    family: Annotated[
        list[FamilyTie], Relates("family", "Family", "family", "Family", symmetric=True)
    ] = []
    """Family ties, each typed on one of the two profiles only."""
    postings: Annotated[list[Posting], Relates("posting", "Postings", "staff", "Staff")] = []
    """Posts held at diplomatic missions; the mission's staff list is built from these."""
    identified_with: Annotated[
        list[Identification],
        Relates(
            "identification",
            "Possibly the same person",
            "identification",
            "Possibly the same person",
            symmetric=True,
        ),
    ] = []
    """Profiles the editors judge to be the same person, each with the reasoning."""
    minor_when_reported: bool = False
    """True when a source reports the person as a child: no inferred, hedged or
    identified status is published about them (see the editorial policy)."""
    merged_into: Annotated[Slug, RefersTo("people")] | None = None
    """The person this profile was merged into, once a source shows the two are one
    (until then, ``identified_with`` states the editors' judgement). The profile then
    carries only its ``name``; its page leads to the other's, and a reference to it is
    an error that names the other."""

    @property
    def heading(self) -> str:
        return self.name


class Mission(Profile):
    """A diplomatic mission abroad: an embassy, a consulate, a representative office."""

    kind: ClassVar[Kind] = "missions"
    single_valued: ClassVar[tuple[str, ...]] = ("mission_kind", "country", "city", "status")

    name: Line
    """E.g. "North Korean embassy in Cuba"."""
    mission_kind: list[KindClaim] = []
    """Embassy, consulate general, representative office…"""
    country: list[NameClaim] = []
    """The host country."""
    city: list[NameClaim] = []
    """The city the mission is in."""
    status: list[MissionStatusClaim] = []
    """Open or closed, with the date if stated."""
    figures: list[Figure] = []
    """Numbers the sources report about this mission or the missions abroad."""
    merged_into: Annotated[Slug, RefersTo("missions")] | None = None
    """The mission this profile was merged into, once a source shows the two are one
    (until then, ``identified_with`` states the editors' judgement). The profile then
    carries only its ``name``; its page leads to the other's, and a reference to it is
    an error that names the other."""

    @property
    def heading(self) -> str:
        return self.name


class Event(Profile):
    """Something that happened: a defection, a disappearance, a decision, an appointment."""

    kind: ClassVar[Kind] = "events"
    single_valued: ClassVar[tuple[str, ...]] = ("event_kind", "date", "place", "outcome")

    name: Line
    """A short neutral title, e.g. "Ri Il-gyu defects from the embassy in Cuba"."""
    event_kind: list[EventKindClaim] = []
    """Defection, disappearance, appointment…"""
    date: list[DateClaim] = []
    """When it happened, only as precisely as the sources say."""
    place: list[NameClaim] = []
    """Where it happened."""
    participants: Annotated[
        list[Participation], Relates("participation", "Participants", "events", "Events")
    ] = []
    """People who took part, each with a role; their pages list this event."""
    missions: Annotated[
        list[MissionInvolvement],
        Relates("involvement", "Missions involved", "events", "Events"),
    ] = []
    """Missions involved; their pages list this event."""
    outcome: list[TextClaim] = []
    """What came of it. Sources that disagree each keep their own claim."""
    figures: list[Figure] = []
    """Numbers the sources report in connection with this event."""
    identified_with: Annotated[
        list[EventIdentification],
        Relates(
            "event identification",
            "Possibly the same event",
            "event identification",
            "Possibly the same event",
            symmetric=True,
        ),
    ] = []
    """Events the editors judge to be the same, each with the reasoning."""
    merged_into: Annotated[Slug, RefersTo("events")] | None = None
    """The event this profile was merged into, once a source shows the two are one
    (until then, ``identified_with`` states the editors' judgement). The profile then
    carries only its ``name``; its page leads to the other's, and a reference to it is
    an error that names the other."""

    @property
    def heading(self) -> str:
        return self.name

    def when(self) -> DateSpec:
        """The earliest stated date, or unknown; used to place the event on timelines."""
        claim = self.date_claim()
        return claim.value if claim is not None else DateSpec(None, None)

    def date_claim(self) -> DateClaim | None:
        """The claim of the earliest date, which places the event on timelines (and whose
        qualifier goes with it there)."""
        return min(self.date, key=lambda claim: claim.value.sort_key(), default=None)


Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Source(Profile):
    """An archived article. Its text lives in seeds/ and is never edited."""

    kind: ClassVar[Kind] = "sources"

    title: Line
    """The headline as the archive shows it; in square brackets when the archive has none
    and the title is descriptive."""
    outlet: Line | None = None
    """The publisher, if the archive shows it."""
    language: Line = "en"
    """Language of the archived text (an IETF tag such as en)."""
    translation: Text | None = None
    """Whether the text is a translation, and by whom, as far as the archive tells."""
    date: FuzzyDate = DateSpec(None, None)
    """Publication date only as precisely as known; 'unknown' if the archive does not show it."""
    date_note: Text | None = None
    """How the date was inferred, if it was."""
    url: Url | None = None
    """The article's address, only if known."""
    archive: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")]
    """File name of the archived text under seeds/."""
    sha256: Sha256
    """SHA-256 of the archived file: a changed archive is an error."""
    republish: Literal["full", "passages"] = "full"
    """How much of the archived text the source's page shows: ``full``, the whole text
    with every quoted passage marked; ``passages``, when the article's licence forbids
    republishing it, only the quoted passages, each with a sentence either side."""

    @property
    def heading(self) -> str:
        return self.title


PROFILE_TYPES: dict[Kind, type[Profile]] = {
    "people": Person,
    "missions": Mission,
    "events": Event,
    "sources": Source,
}
KINDS: tuple[Kind, ...] = ("people", "missions", "events", "sources")
SINGULAR: dict[Kind, str] = {
    "people": "person",
    "missions": "mission",
    "events": "event",
    "sources": "source",
}

PathKey = tuple[str | int, ...]
"""Where a value sits in a profile: keys and list positions from the top."""


@cache
def claim_fields(model: type[Profile]) -> tuple[str, ...]:
    """The fields of a profile kind that hold lists of claims."""
    return tuple(
        name for name, info in model.model_fields.items() if _list_item(info.annotation) is not None
    )


def _list_item(annotation: Any) -> type[Claim] | None:
    """The claim class of a ``list[SomeClaim]`` annotation."""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, Claim):
            return item
    return None


@cache
def _claim_references(model: type[Claim]) -> tuple[tuple[str, Kind], ...]:
    """The fields of a claim class that hold ids, and the kind each points to."""
    return tuple(
        (name, marker.kind)
        for name, info in model.model_fields.items()
        for marker in info.metadata
        if isinstance(marker, RefersTo)
    )


@dataclass(frozen=True)
class Relation:
    """One declared relation: which profiles state it, in which field, pointing where."""

    declared: Relates
    holder: Kind
    field: str
    claim_type: type[Claim]
    key: str
    """The claim's field that names the target."""
    target: Kind

    @property
    def name(self) -> str:
        return self.declared.name


def _relations() -> tuple[Relation, ...]:
    found: list[Relation] = []
    for kind in KINDS:
        for name, info in PROFILE_TYPES[kind].model_fields.items():
            for marker in info.metadata:
                if isinstance(marker, Relates):
                    claim_type = _list_item(info.annotation)
                    assert claim_type is not None, f"{kind}.{name} must be a list of claims"
                    ((key, target),) = _claim_references(claim_type)
                    found.append(Relation(marker, kind, name, claim_type, key, target))
    return tuple(found)


RELATIONS: tuple[Relation, ...] = _relations()
"""Every relation the model declares, in the order the profile kinds and fields come."""
RELATION_FIELDS: dict[tuple[Kind, str], Relation] = {(r.holder, r.field): r for r in RELATIONS}
RELATION_OF_CLAIM: dict[type[Claim], Relation] = {r.claim_type: r for r in RELATIONS}


class Ref(NamedTuple):
    """A profile, and so a page of the wiki. Refs order by kind, then id.

    A named tuple: refs are hashed and compared hundreds of thousands of times a build,
    which a tuple does in C.
    """

    kind: Kind
    id: str

    @property
    def page(self) -> str:
        return f"{self.kind}/{self.id}.md"


class Edge(NamedTuple):
    """One stated relation: ``claim``, at ``position`` in ``origin``'s field, points at
    ``target``."""

    relation: Relation
    origin: Ref
    position: int
    claim: Claim
    target: Ref


def stated_edges(ref: Ref, profile: Profile) -> list[Edge]:
    """The relations a profile states, in field order."""
    return [
        Edge(relation, ref, index, claim, Ref(relation.target, getattr(claim, relation.key)))
        for relation in RELATIONS
        if relation.holder == ref.kind
        for index, claim in enumerate(getattr(profile, relation.field))
    ]


def group_claims(
    claims: Sequence[Claim], key: Callable[[Claim], str] | None = None
) -> list[tuple[str, list[Claim]]]:
    """Claims grouped by value (or by ``key``), in the order the values first appear."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        value = key(claim) if key is not None else str(getattr(claim, "value", ""))
        groups.setdefault(value, []).append(claim)
    return list(groups.items())


def _differing(profile: Profile, relation: Relation) -> list[list[tuple[str, list[Claim]]]]:
    """Claims of one relation that say different things of the same target over the
    same period: neither value contains the other ("counselor" and "counselor of political
    affairs" agree; "deputy ambassador" and "minister" do not). Posts in different
    periods are successive, not a disagreement."""
    same: dict[tuple[str, str, str], list[Claim]] = {}
    for claim in getattr(profile, relation.field):
        period = (str(getattr(claim, "start", None)), str(getattr(claim, "end", None)))
        same.setdefault((getattr(claim, relation.key), *period), []).append(claim)
    found = []
    for claims in same.values():
        groups = group_claims(claims, key=relation_value)
        texts = [value.casefold() for value, _ in groups]
        if any(a not in b and b not in a for a in texts for b in texts):
            found.append(groups)
    return found


_NOT_THE_VALUE = frozenset({"cite", "according_to", "hedge", "inferred", "cue_waived", "note"})


def relation_value(claim: Claim) -> str:
    """What a relation's claim says of the relation besides its target and period (a role,
    a family relation), as one comparable string."""
    relation = RELATION_OF_CLAIM[type(claim)]
    skip = set(_NOT_THE_VALUE) | {relation.key, "start", "end"}
    return ", ".join(
        str(value)
        for value in claim.model_dump(mode="json", exclude=skip).values()
        if value is not None
    )


def claim_value(claim: Claim) -> str:
    """A claim's value as one comparable string (also what a disagreement is about)."""
    value = getattr(claim, "value", None)
    extra = getattr(claim, "as_of", None) or getattr(claim, "date", None)
    text = str(value) if value is not None else ""
    return f"{text} ({extra})" if extra is not None and value is not None else text


@cache
def document_fields() -> None:
    """Give every field the docstring written under it as its description.

    Only the JSON Schema and the profile-format page show descriptions. Pydantic can
    read the docstrings itself as each class is made (``use_attribute_docstrings``),
    but reading and parsing the source then was a third of ``factfile check``'s imports.
    """
    models = [
        value
        for value in globals().values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == __name__
    ]
    docs: dict[type, dict[str, str]] = {}
    for model in models:
        for name, info in model.model_fields.items():
            # The docstring under the field's last declaration, as pydantic would read it.
            owner = next(c for c in model.__mro__ if name in inspect.get_annotations(c))
            if owner not in docs:
                docs[owner] = _attribute_docstrings(owner)
            if info.description is None and name in docs[owner]:
                info.description = docs[owner][name]
    # In the order they are defined, so that each is rebuilt after the models it holds.
    for model in models:
        model.model_rebuild(force=True)


def _attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstring written under each annotated attribute in the body of ``cls``."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}  # installed without its source: no descriptions, as pydantic would do
    body = ast.parse(textwrap.dedent(source)).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for node, following in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def json_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema an editor uses to validate and complete profiles of ``kind``."""
    document_fields()
    schema = PROFILE_TYPES[kind].model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"factfile {SINGULAR[kind]} profile"
    return schema
