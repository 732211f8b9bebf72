"""Tags for Material's tags plugin, derived from the typed data.

Role, status and kind tags come from fixed vocabularies; a country tag is the
country's name as the sources write it, so it is profile text and reaches the
page only through render.py's filters.
"""

from __future__ import annotations

import re

from .model import Event, Mission, Person
from .wiki import Ref, Wiki

STATUS_TAGS = {
    "defected": "defected",
    "attempted": "attempted defection",
    "missing": "missing",
    "caught": "caught",
    "detained": "detained",
    "returned": "returned",
    "in-post": "in post",
    "deceased": "deceased",
}
# Words in a stated role or participation that place a person in a role group.
_ROLE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("trade official", re.compile(r"\btrade\b", re.IGNORECASE)),
    (
        "family member",
        re.compile(
            r"\b(family|wife|husband|son|daughter|child|children|mother|father|brother|sister)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "analyst",
        re.compile(r"\b(analyst|professor|researcher|expert|scholar|fellow)\b", re.IGNORECASE),
    ),
    (
        "official",
        re.compile(r"\b(official|minister|spokes\w*|intelligence|lawmaker)\b", re.IGNORECASE),
    ),
    (
        "diplomat",
        re.compile(
            r"\b(diplomat|ambassador|counsel+or|secretary|attach[eé]|consul)\b", re.IGNORECASE
        ),
    ),
)
KIND_TAGS = {"people": "person", "missions": "mission", "events": "event", "sources": "source"}


def _role_tags(person: Person, wiki: Wiki, person_id: str) -> set[str]:
    found: set[str] = set()
    if person.postings:
        kinds = {
            claim.value
            for posting in person.postings
            for claim in wiki.missions[posting.mission].mission_kind
        }
        found.add("trade official" if kinds == {"trade-mission"} else "diplomat")
    stated = [claim.value for claim in person.roles]
    stated += [part.role for _, part in wiki.person_events.get(person_id, [])]
    stated += [posting.role for posting in person.postings]
    for words in stated:
        for tag, pattern in _ROLE_WORDS:
            if pattern.search(words):
                found.add(tag)
    if not found and wiki.family.get(person_id):
        found.add("family member")
    return found


def _mission_countries(wiki: Wiki, mission_id: str) -> set[str]:
    return {claim.value for claim in wiki.missions[mission_id].country}


def tags_for(wiki: Wiki, ref: Ref) -> list[str]:
    """The tags of one profile page, sorted."""
    profile = wiki.profile(ref)
    found: set[str] = {KIND_TAGS[ref.kind]}
    if isinstance(profile, Person):
        found |= _role_tags(profile, wiki, ref.id)
        found |= {STATUS_TAGS[c.value] for c in profile.status if c.value in STATUS_TAGS}
        found |= {c.value for c in profile.countries}
        for posting in profile.postings:
            found |= _mission_countries(wiki, posting.mission)
    elif isinstance(profile, Mission):
        found |= {c.value.replace("-", " ") for c in profile.mission_kind}
        found |= {c.value for c in profile.country}
        found |= {"closed mission" for c in profile.status if c.value == "closed"}
    elif isinstance(profile, Event):
        found |= {c.value.replace("-", " ") for c in profile.event_kind}
        for involved in profile.missions:
            found |= _mission_countries(wiki, involved.mission)
    return sorted(found, key=lambda tag: (tag.casefold(), tag))
