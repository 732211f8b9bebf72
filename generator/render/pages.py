"""Stage 5: the wiki as Markdown pages, one template per kind of page."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from ..diagram import diagram
from ..export import json_ld_script, reference_page_values
from ..model import (
    INVERSE_RELATION,
    KINDS,
    SINGULAR,
    Event,
    EventIdentification,
    FamilyTie,
    Identification,
    Kind,
    Person,
)
from ..tags import tags_for
from ..wiki import Edge, Ref, Wiki
from .claims import RELATION_LABELS, ClaimText
from .environment import environment
from .links import Links
from .summary import Summary, latest_source_date, spellings
from .views import Views

INDEX_TITLES: dict[Kind, str] = {
    "people": "People",
    "missions": "Missions",
    "events": "Timeline of events",
    "sources": "Sources",
}
# Pages about the whole wiki, generated under docs/reference/.
REFERENCE_PAGES: dict[str, str] = {
    "reference/disagreements.md": "Where sources differ",
    "reference/statistics.md": "Statistics",
    "reference/tags.md": "Tags",
    "reference/data.md": "Data downloads",
}

_BLANK_RUNS = re.compile(r"\n{3,}")


def page_paths(wiki: Wiki) -> list[str]:
    """Every generated page of the wiki (under docs/), in a stable order."""
    order: list[str] = []
    for kind in KINDS:
        order.extend(ref.page for ref in wiki.refs(kind))
        order.append(f"{kind}/index.md")
    order.extend(REFERENCE_PAGES)
    return order


def page_origins(wiki: Wiki) -> dict[str, str]:
    """Each profile's page, and the profile file it is generated from."""
    return {ref.page: wiki.path_of(ref) for kind in KINDS for ref in wiki.refs(kind)}


def render_page(wiki: Wiki, page: str) -> str:
    """The text of one generated page, named by its path under docs/."""
    title = REFERENCE_PAGES.get(page)
    if title is not None:
        template = posixpath.basename(page).removesuffix(".md") + ".md.j2"
        return _render(wiki, template, page, title=title, **reference_page_values(page))
    kind, name = page.split("/", 1)
    if kind not in KINDS:
        raise KeyError(page)
    if name == "index.md":
        return _render(wiki, f"{kind}-index.md.j2", page, title=INDEX_TITLES[kind])  # type: ignore[index]
    ref = Ref(kind, name.removesuffix(".md"))  # type: ignore[arg-type]
    return _profile_page(wiki, ref)


def _render(
    wiki: Wiki, template: str, page: str, claims: ClaimText | None = None, **values: Any
) -> str:
    claims = claims or ClaimText(Links(wiki, page))
    out = (
        environment()
        .get_template(template)
        .render(
            wiki=wiki, links=claims.links, claims=claims, views=Views(claims), Ref=Ref, **values
        )
    )
    # Sections left out leave blank lines behind; one blank line is all Markdown needs.
    return _BLANK_RUNS.sub("\n\n", out).rstrip("\n") + "\n"


def _profile_page(wiki: Wiki, ref: Ref) -> str:
    claims = ClaimText(Links(wiki, ref.page), ref)
    summary = Summary(claims, ref)
    profile = wiki.profile(ref)
    drawing = diagram(wiki, ref, lambda edge, outgoing: _box_detail(wiki, edge, outgoing))
    cited = latest_source_date(claims, ref)
    return _render(
        wiki,
        f"{SINGULAR[ref.kind]}.md.j2",
        ref.page,
        claims,
        ref=ref,
        p=profile,
        title=wiki.title(ref),
        lead=summary.lead(),
        summary=summary,
        spellings=spellings(profile) if isinstance(profile, Person) else [],
        cite_date=str(cited) if cited is not None else "",
        cite_date_text=cited.human() if cited is not None else "",
        tags=tags_for(wiki, ref),
        diagram=drawing,
        json_ld=json_ld_script(wiki, ref),
    )


def _box_detail(wiki: Wiki, edge: Edge, outgoing: bool) -> str:
    """The second line of a diagram's box: an event's date, a kin's relation, a role."""
    other = edge.target if outgoing else edge.origin
    profile = wiki.profile(other)
    if isinstance(profile, Event):
        claim = profile.date_claim()
        if claim is None or not claim.value.known:
            return "date not stated"
        return claim.value.human() + (" (inferred)" if claim.inferred else "")
    claim = edge.claim
    if isinstance(claim, Identification | EventIdentification):
        return "possibly the same (editors)"
    if isinstance(claim, FamilyTie):
        return RELATION_LABELS[claim.relation if outgoing else INVERSE_RELATION[claim.relation]]
    return str(getattr(claim, "role", None) or "")
