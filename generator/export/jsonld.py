"""schema.org descriptions in JSON-LD: each profile page a ``ProfilePage`` whose
``mainEntity`` is the person, mission, event or article, and the data page a ``Dataset``.

Entities refer to each other by ``@id``: a profile's is its page's address with a
fragment naming what it is (``people/ri-il-gyu/#person``). Addresses are relative to
the page carrying them, so they resolve wherever the site is served; given the site's
address (MkDocs' ``site_url``), they are absolute. Relations are the schema.org
properties that say the same thing (``spouse``, ``worksFor``, ``attendee``…), and the
articles a page rests on are its ``citation``.

schema.org cannot say that a value is inferred or hedged, so values the editors inferred
or a source only hedges are left out; values a source attributes to someone are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..model import (
    INVERSE_RELATION,
    KINDS,
    RELATION_FIELDS,
    Claim,
    Event,
    FamilyTie,
    Kind,
    Mission,
    Person,
    Ref,
    Source,
)
from ..wiki import Wiki
from .downloads import DATA_PAGE, DOWNLOADS

CONTEXT = "https://schema.org"
TYPES: dict[Kind, str] = {
    "people": "Person",
    "missions": "GovernmentOrganization",
    "events": "Event",
    "sources": "NewsArticle",
}
FRAGMENTS: dict[Kind, str] = {
    "people": "person",
    "missions": "organization",
    "events": "event",
    "sources": "article",
}
# What the other person is to this one, as the schema.org property saying so.
FAMILY_PROPERTIES: dict[str, str] = {
    "spouse": "spouse",
    "child": "children",
    "parent": "parent",
    "sibling": "sibling",
    "parent-in-law": "relatedTo",
    "child-in-law": "relatedTo",
}
_FAMILY = RELATION_FIELDS[("people", "family")]
_POSTINGS = RELATION_FIELDS[("people", "postings")]
_INVOLVEMENT = RELATION_FIELDS[("events", "missions")]

_C = TypeVar("_C", bound=Claim)


@dataclass(frozen=True)
class SiteUrls:
    """How the built site addresses its pages: under ``base_url`` (absolute, ending in
    ``/``) if it is known, else relative to each page; as ``x/`` or as ``x.html``."""

    base_url: str | None = None
    directory_urls: bool = True

    @classmethod
    def of(cls, site_url: str | None, directory_urls: bool = True) -> SiteUrls:
        return cls(site_url.rstrip("/") + "/" if site_url else None, directory_urls)

    def built(self, path: str) -> str:
        """A page's (``people/x.md``) or file's address relative to the site root."""
        if not path.endswith(".md"):
            return path
        stem = path.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            folder = stem.removesuffix("index")
            return folder if self.directory_urls else stem + ".html"
        return stem + "/" if self.directory_urls else stem + ".html"

    def url(self, path: str, here: str) -> str:
        """The address of ``path`` (under docs/) from the page ``here``."""
        target = self.built(path)
        if self.base_url is not None:
            return self.base_url + target
        return relative_url(target, self.built(here))


def relative_url(target: str, source: str) -> str:
    """The address of ``target`` from the page at ``source``, both relative to the site
    root (``people/x/``, ``people/x.html``, ``data/factfile.db``, ``""`` for the root).

    By segments rather than with ``posixpath.relpath``, which made up most of the time
    spent on these descriptions."""
    folders = source.split("/")[:-1]
    parts = target.split("/")
    common = 0
    while common < min(len(folders), len(parts) - 1) and folders[common] == parts[common]:
        common += 1
    return "../" * (len(folders) - common) + "/".join(parts[common:]) or "./"


def firm(claims: Iterable[_C]) -> list[_C]:
    """The claims schema.org may state as facts: those the sources state or report."""
    return [claim for claim in claims if claim.basis in ("stated", "attributed")]


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _add(node: dict[str, Any], name: str, values: Sequence[Any]) -> None:
    """Set a property only if there is something to say."""
    if values:
        node[name] = list(values)


class _Describer:
    """The schema.org nodes of one page, with addresses relative to it."""

    def __init__(self, wiki: Wiki, here: str, site: SiteUrls) -> None:
        self.wiki = wiki
        self.here = here
        self.site = site
        self._urls: dict[Ref, str] = {}

    def url(self, ref: Ref) -> str:
        found = self._urls.get(ref)
        if found is None:
            found = self._urls[ref] = self.site.url(ref.page, self.here)
        return found

    def node_id(self, ref: Ref) -> str:
        return f"{self.url(ref)}#{FRAGMENTS[ref.kind]}"

    def mention(self, ref: Ref) -> dict[str, Any]:
        """A profile as other entities refer to it: its type, ``@id`` and name."""
        if ref.kind == "sources":
            return self.article(ref)
        return {
            "@type": TYPES[ref.kind],
            "@id": self.node_id(ref),
            "name": self.wiki.title(ref),
            "url": self.url(ref),
        }

    def mentions(self, refs: Iterable[Ref]) -> list[dict[str, Any]]:
        return [self.mention(ref) for ref in sorted(set(refs))]

    def article(self, ref: Ref) -> dict[str, Any]:
        """An archived article: its own address is ``url``, the page showing the archived
        text ``archivedAt``."""
        source = self.wiki.source(ref.id)
        node: dict[str, Any] = {
            "@type": "NewsArticle",
            "@id": self.node_id(ref),
            "headline": source.title,
            "name": source.title,
            "inLanguage": source.language,
            "archivedAt": self.url(ref),
        }
        if source.outlet:
            node["publisher"] = {"@type": "Organization", "name": source.outlet}
        # schema.org dates are single dates: a range of publication dates is left out.
        if source.date.start is not None and not source.date.is_range:
            node["datePublished"] = source.date.start.iso()
        if source.url:
            node["url"] = source.url
        return node

    # --- The main entity of each kind of page ----------------------------------------

    def person(self, ref: Ref, p: Person) -> dict[str, Any]:
        node = self.mention(ref)
        _add(node, "alternateName", sorted({c.value for c in firm(p.names)} - {p.name}))
        roles = [c.value for c in firm(p.roles)] + [c.role for c in firm(p.postings)]
        _add(node, "jobTitle", _distinct(roles))
        countries = _distinct(c.value for c in firm(p.countries))
        _add(node, "nationality", [{"@type": "Country", "name": c} for c in countries])
        groups = _distinct(c.value for c in firm(p.affiliations))
        _add(node, "affiliation", [{"@type": "Organization", "name": g} for g in groups])
        _add(node, "worksFor", self.mentions(Ref("missions", c.mission) for c in firm(p.postings)))
        for name, relatives in self.family(ref, p).items():
            node[name] = self.mentions(relatives)
        return node

    def family(self, ref: Ref, p: Person) -> dict[str, list[Ref]]:
        """Each family property and the relatives it names, from the ties this person's
        profile states and those stated on the relatives' profiles."""
        ties: list[tuple[str, Ref]] = [
            (tie.relation, Ref("people", tie.person)) for tie in firm(p.family)
        ]
        for edge in self.wiki.incoming(ref, _FAMILY):
            claim = edge.claim
            if isinstance(claim, FamilyTie) and firm([claim]):
                ties.append((INVERSE_RELATION[claim.relation], edge.origin))
        found: dict[str, list[Ref]] = {}
        for relation, relative in ties:
            found.setdefault(FAMILY_PROPERTIES[relation], []).append(relative)
        return dict(sorted(found.items()))

    def mission(self, ref: Ref, m: Mission) -> dict[str, Any]:
        node = self.mention(ref)
        if {c.value for c in firm(m.mission_kind)} == {"embassy"}:
            node["additionalType"] = "https://schema.org/Embassy"
        address: dict[str, Any] = {}
        for name, claims in (("addressCountry", m.country), ("addressLocality", m.city)):
            stated = firm(claims)
            if stated:
                address[name] = stated[0].value
        if address:
            node["address"] = {"@type": "PostalAddress", **address}
        closed = [c.date for c in firm(m.status) if c.value == "closed" and c.date is not None]
        dates = [d for d in closed if d.known and not d.is_range]
        if dates:
            node["dissolutionDate"] = str(min(dates, key=lambda d: d.sort_key()))
        staff = [e for e in self.wiki.incoming(ref, _POSTINGS) if firm([e.claim])]
        _add(node, "employee", self.mentions(edge.origin for edge in staff))
        events = [e for e in self.wiki.incoming(ref, _INVOLVEMENT) if firm([e.claim])]
        _add(node, "event", self.mentions(edge.origin for edge in events))
        return node

    def event(self, ref: Ref, e: Event) -> dict[str, Any]:
        node = self.mention(ref)
        dated = [c.value for c in firm(e.date) if c.value.known]
        if dated:
            when = min(dated, key=lambda d: d.sort_key())
            assert when.start is not None
            node["startDate"] = when.start.iso()
            if when.is_range and when.end is not None:
                node["endDate"] = when.end.iso()
        places = firm(e.place)
        if places:
            node["location"] = {"@type": "Place", "name": places[0].value}
        people = [Ref("people", c.person) for c in firm(e.participants)]
        missions = [Ref("missions", c.mission) for c in firm(e.missions)]
        _add(node, "attendee", self.mentions(people) + self.mentions(missions))
        return node

    def entity(self, ref: Ref) -> dict[str, Any]:
        profile = self.wiki.profile(ref)
        if isinstance(profile, Person):
            return self.person(ref, profile)
        if isinstance(profile, Mission):
            return self.mission(ref, profile)
        if isinstance(profile, Event):
            return self.event(ref, profile)
        assert isinstance(profile, Source)
        return self.article(ref)

    def profile_page(self, ref: Ref) -> dict[str, Any]:
        page: dict[str, Any] = {
            "@context": CONTEXT,
            "@type": "ProfilePage",
            "@id": self.url(ref),
            "url": self.url(ref),
            "name": self.wiki.title(ref),
            "mainEntity": self.entity(ref),
        }
        if ref.kind != "sources":
            cited = sorted({c.source for _, _, c in self.wiki.profile(ref).citations()})
            _add(page, "citation", [self.article(Ref("sources", id_)) for id_ in cited])
        return page


def json_ld(wiki: Wiki, ref: Ref, site: SiteUrls | None = None) -> dict[str, Any]:
    """The schema.org description of one profile's page."""
    return _Describer(wiki, ref.page, site or SiteUrls()).profile_page(ref)


def dataset_json_ld(site: SiteUrls | None = None) -> dict[str, Any]:
    """The schema.org ``Dataset`` of the data page, with a ``DataDownload`` per file."""
    urls = site or SiteUrls()
    here = urls.url(DATA_PAGE, DATA_PAGE)
    return {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": f"{here}#dataset",
        "url": here,
        "name": "Fact-file data: profiles, claims, quotes, relations and sources",
        "description": (
            "Every profile of the wiki and every claim it makes, each with how it is "
            "known (stated, attributed, hedged or inferred) and the verbatim quotes it "
            "rests on, placed by character offsets in the archived articles; the relations "
            "between people, missions and events; and the archived sources. Rebuilt with "
            "the site from the same profiles."
        ),
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": download.name,
                "description": download.description,
                "encodingFormat": download.media_type,
                "contentUrl": urls.url(download.path, DATA_PAGE),
            }
            for download in DOWNLOADS
        ],
    }


def script_json(data: object) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` escaped so that no text in
    it can close the element or open a comment."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return (
        raw.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _script(data: object) -> str:
    return f'<script type="application/ld+json">{script_json(data)}</script>'


def json_ld_script(wiki: Wiki, ref: Ref, site: SiteUrls | None = None) -> str:
    return _script(json_ld(wiki, ref, site))


def dataset_script(site: SiteUrls | None = None) -> str:
    return _script(dataset_json_ld(site))


def page_json_ld(wiki: Wiki, page: str, site: SiteUrls | None = None) -> str | None:
    """The JSON-LD script of a generated page (path under docs/), if it has one."""
    if page == DATA_PAGE:
        return dataset_script(site)
    kind, _, name = page.partition("/")
    id_ = name.removesuffix(".md")
    if kind not in KINDS or "/" in id_ or id_ not in wiki.ids.get(kind, ()):  # type: ignore[arg-type]
        return None
    return json_ld_script(wiki, Ref(kind, id_), site)  # type: ignore[arg-type]


# A script as ``_script`` writes it: its text holds no ``<``.
_SCRIPT = re.compile(r'<script type="application/ld\+json">[^<]*</script>')


def relocate_json_ld(wiki: Wiki, page: str, markdown: str, site: SiteUrls) -> str:
    """A generated page's Markdown with its JSON-LD addressed as ``site`` addresses pages
    (pages are rendered with relative addresses, for directory URLs)."""
    if site == SiteUrls():
        return markdown
    script = page_json_ld(wiki, page, site)
    if script is None:
        return markdown
    return _SCRIPT.sub(lambda _: script, markdown, count=1)
