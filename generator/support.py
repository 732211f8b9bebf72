"""Stage 3b: does each claim's value say no more than its quotes?

Proving that a quote is in its article is half the promise; these rules check the value
drawn from it. Each finding is a located error, and none is silenced by a default:
where a rule does not apply, the profile says why (``inferred``, ``cue_waived``).

1. **Numbers.** Every number in a value (an age, a count, a figure, a number in words or
   digits in a text value, a month named in it) occurs in one of the claim's quotes in
   some written form (``43``, ``forty-three``, ``1,000``; ``November`` or ``Nov.``),
   unless the claim is ``inferred``.
2. **Dates.** Each part a date gives (the year, the month, the day) occurs in the
   claim's quotes, unless the claim is ``inferred``.
3. **Hedges and attributions.** A quote whose sentence in the article hedges
   (``HEDGES``) or reports someone else's claim (``ATTRIBUTIONS``) requires the claim
   to say so (``hedge``, in the article's words, or ``according_to``), or an editor's
   ``cue_waived`` saying why the word does not qualify this value. The whole sentence
   counts: a quote that stops just before "…, he said" is still his.
4. **Enumerated values.** A status, an event's or a mission's kind is one of the words
   its quotes use for it (``JUSTIFIED_BY``), or the claim is ``inferred``.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from .errors import FactfileError
from .model import (
    Claim,
    DateSpec,
    EventIdentification,
    Identification,
    PartialDate,
    PathKey,
    RefersTo,
)
from .quotes import fold
from .validate import Entry
from .verify import QuoteIndex

# Words with which an article hedges what it reports. Matched as whole words, ignoring
# case; a claim whose quoted sentence holds one needs ``hedge`` (or ``cue_waived``).
HEDGES: tuple[str, ...] = (
    "believed",
    "believes",
    "reportedly",
    "allegedly",
    "apparently",
    "possibly",
    "possible",
    "presumably",
    "probably",
    "likely",
    "could",
    "may",
    "might",
    "suspected",
    "thought to",
    "seems",
    "appears to",
    "rumoured",
    "rumored",
    "unconfirmed",
    "as far as I know",
)
# Words with which an article reports someone else's claim; a claim whose quoted sentence
# holds one needs ``according_to`` (or ``cue_waived``).
ATTRIBUTIONS: tuple[str, ...] = (
    # With or without "to": one archive writes "according South Korea's ministry".
    "according",
    "said",
    "says",
    "say",
    "told",
    "reported",
    "reports",
    "report said",
    "claimed",
    "claims",
    "stated",
    "announced",
    "confirmed",
    "quoted",
    "cited",
    "wrote",
)
# The words a quote must use for each enumerated value (stems: "defect" matches
# "defected" and "defection"), unless the claim is inferred.
JUSTIFIED_BY: dict[str, tuple[str, ...]] = {
    # Person status
    "defected": ("defect", "fled", "flee", "escape", "asylum"),
    "attempted": ("attempt", "tried", "try to", "trying to"),
    "caught": ("caught", "captured", "arrest"),
    "missing": ("missing", "disappear", "whereabouts are unknown", "lost touch"),
    "detained": ("detain", "confine", "held", "custody", "arrest"),
    "returned": ("return", "sent back", "brought back", "repatriat"),
    "in-post": ("serves", "serving", "is the", "currently", "posted", "in charge"),
    "deceased": ("died", "dead", "death", "killed", "late "),
    # Event kinds
    "defection": ("defect", "fled", "flee", "escape", "asylum"),
    "defection-attempt": ("attempt", "tried", "trying to", "botched"),
    "disappearance": ("missing", "disappear", "whereabouts"),
    "arrest": ("arrest", "caught", "captured", "detain"),
    "detention": ("detain", "confine", "held", "custody"),
    "repatriation": ("repatriat", "sent back", "brought back", "returned"),
    "appointment": ("appoint", "named", "took office", "became"),
    "election": ("elect", "won", "seat"),
    "meeting": ("met", "meeting", "summit", "talks"),
    "decision": ("decid", "decision", "declar", "adopt", "resolution", "suspend", "order"),
    "closure": ("clos", "shut"),
    "confirmation": ("confirm",),
    "statement": (
        "said",
        "stated",
        "statement",
        "warn",
        "announc",
        "told",
        "says",
        "speech",
        "pledg",
        "promis",
        "vow",
        "declar",
    ),
    "award": ("award", "commend", "honour", "honor", "medal", "prize"),
    # Mission kinds and states
    "embassy": ("embassy", "embassies"),
    "consulate-general": ("consulate general", "consulate-general", "consulates general"),
    "consulate": ("consulate",),
    "representative-office": ("representative", "office"),
    "trade-mission": ("trade",),
    "open": ("open", "reopen", "operat"),
    "closed": ("clos", "shut"),
    # Family ties: a quote may name either side ("the wife and son of Park").
    "spouse": ("wife", "husband", "spouse", "married"),
    "child": ("son", "daughter", "child", "children", "mother", "father", "parent"),
    "parent": ("mother", "father", "parent", "son", "daughter", "child", "children"),
    "sibling": ("sister", "brother", "sibling"),
    "parent-in-law": ("in-law",),
    "child-in-law": ("in-law",),
}
# Enumerated values that assert nothing a quote could be asked to support. A value not
# in ``JUSTIFIED_BY`` (an editorial category, such as what a figure is about) is not
# checked either.
UNCHECKED = frozenset({"other", "unknown"})

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER_WORD = {word: n for n, word in enumerate(_SMALL)} | {
    word: 20 + 10 * n for n, word in enumerate(_TENS)
}
_NUMBER_WORDS = re.compile(
    r"\b(?:("
    + "|".join(_TENS)
    + r")[- ]("
    + "|".join(_SMALL[1:10])
    + r")|("
    + "|".join([*_SMALL, *_TENS])
    + r"))\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\w,])|\d+")
_MONTH_WORDS = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b", re.IGNORECASE)


def number_forms(n: int) -> tuple[str, ...]:
    """The ways an article may write ``n``: digits (with thousands separators) and, below
    a hundred, words."""
    forms = [str(n), f"{n:,}"]
    if n < 20:
        forms.append(_SMALL[n])
    elif n < 100:
        tens, ones = divmod(n, 10)
        word = _TENS[tens - 2]
        forms += [f"{word}-{_SMALL[ones]}", f"{word} {_SMALL[ones]}"] if ones else [word]
    return tuple(dict.fromkeys(forms))


def month_forms(month: int) -> tuple[str, ...]:
    """A month's name and its abbreviations (matched as whole words: "Nov." has "nov")."""
    name = _MONTHS[month - 1]
    return (name, name[:3], "sept") if month == 9 else (name, name[:3])


# --- What a value states ----------------------------------------------------------------


@dataclass(frozen=True)
class Stated:
    """Something a value states that a quote must support: a number or a month, with the
    field it is in and how to name it in a message."""

    field: PathKey
    forms: tuple[str, ...]
    shown: str

    def in_text(self, text: str) -> bool:
        """Whether a quote states it: a form as a whole word, or (digits) followed by
        letters, as in "1960s", "15th" or "43-year-old"."""
        return any(
            _occurs(text, form, whole=not form[-1].isdigit())
            and (not form[-1].isdigit() or _number_in(text, form))
            for form in self.forms
        )


def _number_in(text: str, digits: str) -> bool:
    """``digits`` in ``text`` not as part of a longer number."""
    at = text.find(digits)
    while at != -1:
        end = at + len(digits)
        before = text[at - 1] if at else ""
        after = text[end : end + 2]
        if not (before.isdigit() or before in ",.") and not (
            after[:1].isdigit() or (after[:1] == "," and after[1:].isdigit())
        ):
            return True
        at = text.find(digits, at + 1)
    return False


def _in_text(field: PathKey, text: str) -> Iterator[Stated]:
    for match in _DIGITS.finditer(text):
        n = int(match.group().replace(",", ""))
        yield Stated(field, number_forms(n), f"the number {match.group()}")
    for match in _NUMBER_WORDS.finditer(text):
        if match.group(3):
            n = _NUMBER_WORD[match.group(3).lower()]
        else:
            n = _NUMBER_WORD[match.group(1).lower()] + _SMALL.index(match.group(2).lower())
        yield Stated(field, number_forms(n), f'the number "{match.group()}"')
    for match in _MONTH_WORDS.finditer(text):
        # "may" is a word as well as a month: only the capitalised month counts.
        if match.group() == "may":
            continue
        month = _MONTHS.index(match.group().lower()) + 1
        yield Stated(field, month_forms(month), f"the month {match.group()}")


def _in_date(field: PathKey, date: DateSpec) -> Iterator[Stated]:
    for part in (date.start, date.end):
        if part is not None:
            yield from _date_parts(field, part)


def _date_parts(field: PathKey, date: PartialDate) -> Iterator[Stated]:
    yield Stated(field, (str(date.year), f"'{date.year % 100:02d}"), f"the year {date.year}")
    if date.month:
        yield Stated(field, month_forms(date.month), f"the month {_MONTHS[date.month - 1].title()}")
    if date.day:
        day = str(date.day)
        forms = (day, f"{day}st", f"{day}nd", f"{day}rd", f"{day}th")
        yield Stated(field, forms, f"the day {date.day}")


@cache
def _checked_fields(model: type[Claim]) -> tuple[tuple[str, str], ...]:
    """The fields of a claim class whose values a quote must support, and how: as text,
    a whole number, a date, or one of an enumeration."""
    found: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        if name in ("cite", "according_to", "hedge", "inferred", "cue_waived", "note"):
            continue
        if any(isinstance(marker, RefersTo) for marker in info.metadata):
            continue
        kinds = _base_types(info.annotation)
        if any(typing.get_origin(kind) is Literal for kind in kinds):
            found.append((name, "enum"))
        elif DateSpec in kinds:
            found.append((name, "date"))
        elif bool in kinds:
            continue
        elif int in kinds:
            found.append((name, "int"))
        elif str in kinds:
            found.append((name, "text"))
    return tuple(found)


def _base_types(annotation: object) -> list[object]:
    """The types an annotation allows, through ``Annotated`` and ``X | None``."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [kind for arg in typing.get_args(annotation) for kind in _base_types(arg)]
    return [annotation]


def stated(claim: Claim, path: PathKey) -> Iterator[Stated]:
    """Every number, month and date part the claim's value states."""
    for name, how in _checked_fields(type(claim)):
        value = getattr(claim, name)
        if value is None:
            continue
        field = (*path, name)
        if how == "int":
            yield Stated(field, number_forms(value), f"the number {value}")
        elif how == "date":
            yield from _in_date(field, value)
        elif how == "text":
            yield from _in_text(field, value)


def enumerated(claim: Claim) -> Iterator[tuple[str, str]]:
    """Each enumerated field of the claim and its value."""
    for name, how in _checked_fields(type(claim)):
        if how == "enum":
            yield name, getattr(claim, name)


# --- The rules ----------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(fold(text).lower().split())


def _contains(text: str, stem: str) -> bool:
    """Whether a word beginning with ``stem`` (or the phrase) occurs in ``text``: "defect"
    is in "defected" and "defection", not in "undefected"."""
    return _occurs(text, stem, whole=False)


def _whole(text: str, word: str) -> bool:
    """Whether ``word`` (or the phrase) occurs in ``text`` as a whole word."""
    return _occurs(text, word, whole=True)


def _occurs(text: str, word: str, *, whole: bool) -> bool:
    """Whether ``word`` starts a word of ``text`` (not after a letter, digit, underscore or
    apostrophe) and, if ``whole``, also ends one. Found with ``str.find``: the words are
    the profiles' own values, each a new regular expression to compile otherwise."""
    at = text.find(word)
    while at != -1:
        end = at + len(word)
        if not (at and _word_char(text[at - 1], "'")) and not (
            whole and end < len(text) and _word_char(text[end])
        ):
            return True
        at = text.find(word, at + 1)
    return False


def _word_char(char: str, also: str = "") -> bool:
    """A character of a word as regular expressions' ``\\w`` has it, or one of ``also``."""
    return char.isalnum() or char == "_" or char in also


def claim_problems(
    entry: Entry, path: PathKey, claim: Claim, sentences: list[str], speech: bool = False
) -> list[FactfileError]:
    """Every way one claim's value says more than its quotes.

    ``sentences`` are the sentences of the articles that hold the claim's quotes (the
    quotes themselves where a sentence is not known); ``speech`` is whether a quote is
    inside quotation marks in its article (someone's words, whoever the sentence names).
    """
    quotes = [_normal(citation.quote) for citation in claim.cite]
    # In its own case: "may" hedges, "May" is a month.
    context = [" ".join(fold(s).split()) for s in sentences] or [c.quote for c in claim.cite]
    errors: list[FactfileError] = []
    if claim.inferred is None:
        errors += _unsupported_numbers(entry, claim, path, quotes)
        errors += _unjustified_values(entry, claim, path, quotes)
    if not _asserts_nothing(claim):
        errors += _unqualified_cues(entry, claim, path, context, speech)
    return errors


def _asserts_nothing(claim: Claim) -> bool:
    """A claim no wording can qualify: an editors' identification (inferred by nature,
    with its reasoning) or a date recorded as unknown."""
    if isinstance(claim, Identification | EventIdentification):
        return True
    value = getattr(claim, "value", None)
    return isinstance(value, DateSpec) and not value.known


def _unsupported_numbers(
    entry: Entry, claim: Claim, path: PathKey, quotes: list[str]
) -> list[FactfileError]:
    errors: list[FactfileError] = []
    for item in stated(claim, path):
        if not any(item.in_text(quote) for quote in quotes):
            errors.append(
                FactfileError(
                    entry.raw.locate(item.field),
                    f"{_label(item.field)}: {item.shown} is in the value but in none of its "
                    "quotes: quote the words that state it, or give the reasoning with "
                    "inferred:",
                )
            )
    return errors


def _unjustified_values(
    entry: Entry, claim: Claim, path: PathKey, quotes: list[str]
) -> list[FactfileError]:
    errors: list[FactfileError] = []
    for name, value in enumerated(claim):
        words = JUSTIFIED_BY.get(value)
        if words is None or value in UNCHECKED:
            continue
        if not any(_contains(quote, word) for quote in quotes for word in words):
            field = (*path, name)
            errors.append(
                FactfileError(
                    entry.raw.locate(field),
                    f"{_label(field)}: '{value}' is not what the quotes say (they use none of "
                    f"{', '.join(repr(w.strip()) for w in words)}): quote the words that "
                    "say it, or give the reasoning with inferred:",
                )
            )
    return errors


def _unqualified_cues(
    entry: Entry, claim: Claim, path: PathKey, context: list[str], speech: bool
) -> list[FactfileError]:
    if claim.cue_waived is not None:
        return []
    errors: list[FactfileError] = []
    hedged = _cue(context, HEDGES)
    if hedged and claim.hedge is None:
        errors.append(
            FactfileError(
                entry.raw.locate(path),
                f'{_label(path)}: the article hedges this ("{hedged}" in the sentence '
                "quoted): keep its words with hedge:, or say why they do not apply with "
                "cue_waived:",
            )
        )
    if claim.hedge is not None and not any(
        _normal(claim.hedge) in _normal(text) for text in context
    ):
        errors.append(
            FactfileError(
                entry.raw.locate((*path, "hedge")),
                f'{_label((*path, "hedge"))}: "{claim.hedge}" is not in the sentences quoted: '
                "a hedge is the article's own words",
            )
        )
    attributed = _cue(context, ATTRIBUTIONS) or ("quotation marks" if speech else None)
    if attributed and claim.according_to is None:
        errors.append(
            FactfileError(
                entry.raw.locate(path),
                f'{_label(path)}: the article attributes this ("{attributed}" in the sentence '
                "quoted): say who with according_to:, or say why it does not apply with "
                "cue_waived:",
            )
        )
    return errors


def _cue(context: list[str], cues: tuple[str, ...]) -> str | None:
    """The first cue word in the sentences, as the list spells it."""
    for text in context:
        found = _first_cue(text, cues)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=1 << 14)
def _first_cue(text: str, cues: tuple[str, ...]) -> str | None:
    """The first of ``cues`` in one sentence (many claims quote the same sentence)."""
    match = _cue_pattern(cues).search(text)
    if match is not None:
        return next(cue for cue in cues if cue.lower() == match.group(1).lower())
    # "may" hedges; "May" is a month: only the lower case counts.
    if "may" in cues and _occurs(text, "may", whole=True):
        return "may"
    return None


@cache
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    """Every cue but "may" as whole words, in one pattern, ignoring case."""
    words = sorted((cue for cue in cues if cue != "may"), key=len, reverse=True)
    return re.compile(
        r"(?<![\w'])(" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE
    )


def _label(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- A profile's claims, with the sentences their quotes are in ---------------------------


def in_quotation(text: str, start: int) -> bool:
    """Whether ``start`` is inside quotation marks opened earlier on its line: words an
    article quotes are someone's, even when the sentence naming them came before. (Lines,
    as archived news paragraphs are; a quotation opened on an earlier line of a wrapped
    paragraph is not seen.)"""
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return line.count("\u201c") > line.count("\u201d") or line.count('"') % 2 == 1


def entry_problems(entry: Entry, quotes: QuoteIndex) -> list[FactfileError]:
    """Every way one profile's values say more than their quotes."""
    errors: list[FactfileError] = []
    for name, index, claim in entry.profile.claims():
        if not all((c.source, c.quote) in quotes.spans for c in claim.cite):
            continue  # a quote not found is already an error; its words prove nothing
        sentences = []
        speech = False
        for citation in claim.cite:
            spans = quotes.spans.get((citation.source, citation.quote))
            text = quotes.texts.get(citation.source)
            if spans and text is not None:
                # Each piece of a quote cut with … in its own sentence.
                for start, end in spans:
                    sentence = text.sentence(start, end)
                    if sentence not in sentences:
                        sentences.append(sentence)
                    speech = speech or in_quotation(text.original, start)
        errors += claim_problems(entry, (name, index), claim, sentences, speech)
    return errors
