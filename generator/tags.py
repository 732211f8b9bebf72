"""Tags for Material's tags plugin, derived from structured values only.

Status, role and kind tags come from fixed vocabularies of the model's enumerated
values and relations, never from words in free text, and only from values the sources
state or report (never from a value the editors inferred or a source only hedges: a tag
carries no qualifier, so it must need none). A country tag is a country's name as the
sources write it, so it is profile text and reaches the page only through the render
filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from .model import Claim, Event, Mission, Person
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
KIND_TAGS = {"people": "person", "missions": "mission", "events": "event", "sources": "source"}


_C = TypeVar("_C", bound=Claim)


def _firm(claims: Sequence[_C]) -> list[_C]:
    """The claims a tag may come from: stated, or reported as someone else's."""
    return [claim for claim in claims if claim.basis in ("stated", "attributed")]


def _mission(wiki: Wiki, mission_id: str) -> Mission:
    found = wiki.profile(Ref("missions", mission_id))
    assert isinstance(found, Mission)
    return found


def _person_tags(wiki: Wiki, ref: Ref, person: Person) -> set[str]:
    found = {STATUS_TAGS[c.value] for c in _firm(person.status) if c.value in STATUS_TAGS}
    found |= {c.value for c in _firm(person.countries)}
    missions = [_mission(wiki, posting.mission) for posting in person.postings]
    for mission in missions:
        found |= {c.value for c in _firm(mission.country)}
    if missions:
        kinds = {claim.value for mission in missions for claim in _firm(mission.mission_kind)}
        found.add("trade official" if kinds == {"trade-mission"} else "diplomat")
    elif _kin_of_posted(wiki, ref, person):
        found.add("family member")
    return found


def _kin_of_posted(wiki: Wiki, ref: Ref, person: Person) -> bool:
    """Whether a person with no posting of their own is family of someone posted abroad."""
    kin = [tie.person for tie in person.family]
    kin += [edge.origin.id for edge in wiki.incoming(ref) if edge.relation.name == "family"]
    return any(
        isinstance(relative := wiki.profile(Ref("people", id_)), Person) and relative.postings
        for id_ in kin
    )


def tags_for(wiki: Wiki, ref: Ref) -> list[str]:
    """The tags of one profile page, sorted."""
    profile = wiki.profile(ref)
    found: set[str] = {KIND_TAGS[ref.kind]}
    if isinstance(profile, Person):
        found |= _person_tags(wiki, ref, profile)
    elif isinstance(profile, Mission):
        found |= {
            c.value.replace("-", " ") for c in _firm(profile.mission_kind) if c.value != "other"
        }
        found |= {c.value for c in _firm(profile.country)}
        found |= {"closed mission" for c in _firm(profile.status) if c.value == "closed"}
    elif isinstance(profile, Event):
        found |= {
            c.value.replace("-", " ") for c in _firm(profile.event_kind) if c.value != "other"
        }
        for involved in profile.missions:
            found |= {c.value for c in _firm(_mission(wiki, involved.mission).country)}
    return sorted(found, key=lambda tag: (tag.casefold(), tag))
