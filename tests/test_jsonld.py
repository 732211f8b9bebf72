"""The schema.org descriptions of the built pages: what each is, that it uses only
properties schema.org defines for its types, with values of the types schema.org expects,
that every ``@id`` it refers to is an entity described on the site, and that values the
sources only hedge or the editors inferred are left out.

Read back from real ``mkdocs build --strict`` runs: without ``site_url`` (addresses
relative to each page), with one (absolute), and without directory URLs (``x.html``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from .export_wiki import export_wiki

pytestmark = pytest.mark.slow

# The types used and their parents in schema.org's hierarchy (https://schema.org/Thing,
# CreativeWork, WebPage, ProfilePage, Article, NewsArticle, Dataset, MediaObject,
# DataDownload, Person, Organization, GovernmentOrganization, Event, Place,
# AdministrativeArea, Country, Intangible, StructuredValue, ContactPoint, PostalAddress).
PARENTS: dict[str, str | None] = {
    "Thing": None,
    "CreativeWork": "Thing",
    "WebPage": "CreativeWork",
    "ProfilePage": "WebPage",
    "Article": "CreativeWork",
    "NewsArticle": "Article",
    "Dataset": "CreativeWork",
    "MediaObject": "CreativeWork",
    "DataDownload": "MediaObject",
    "Person": "Thing",
    "Organization": "Thing",
    "GovernmentOrganization": "Organization",
    "Event": "Thing",
    "Place": "Thing",
    "AdministrativeArea": "Place",
    "Country": "AdministrativeArea",
    "Intangible": "Thing",
    "StructuredValue": "Intangible",
    "ContactPoint": "StructuredValue",
    "PostalAddress": "ContactPoint",
}

# Each property used, with the types schema.org's page for it lists under "Used on these
# types" (of those in PARENTS) and "Values expected to be one of these types" (None: text,
# a date, a URL or a boolean rather than an entity).
PROPERTIES: dict[str, tuple[set[str], set[str] | None]] = {
    "name": ({"Thing"}, None),
    "url": ({"Thing"}, None),
    "alternateName": ({"Thing"}, None),
    "additionalType": ({"Thing"}, None),
    "description": ({"Thing"}, None),
    "mainEntity": ({"CreativeWork"}, {"Thing"}),
    "citation": ({"CreativeWork"}, {"CreativeWork"}),
    "headline": ({"CreativeWork"}, None),
    "publisher": ({"CreativeWork"}, {"Organization", "Person"}),
    "datePublished": ({"CreativeWork"}, None),
    "inLanguage": ({"CreativeWork"}, None),
    "archivedAt": ({"CreativeWork"}, None),
    "isAccessibleForFree": ({"CreativeWork", "Event", "Place"}, None),
    "encodingFormat": ({"CreativeWork", "MediaObject"}, None),
    "contentUrl": ({"MediaObject"}, None),
    "distribution": ({"Dataset"}, {"DataDownload"}),
    "jobTitle": ({"Person"}, None),
    "nationality": ({"Person"}, {"Country"}),
    "affiliation": ({"Person"}, {"Organization"}),
    "worksFor": ({"Person"}, {"Organization"}),
    "spouse": ({"Person"}, {"Person"}),
    "parent": ({"Person"}, {"Person"}),
    "children": ({"Person"}, {"Person"}),
    "sibling": ({"Person"}, {"Person"}),
    "relatedTo": ({"Person"}, {"Person"}),
    "address": ({"Organization", "Person", "Place"}, {"PostalAddress"}),
    "employee": ({"Organization"}, {"Person"}),
    "event": ({"Organization", "Place"}, {"Event"}),
    "dissolutionDate": ({"Organization"}, None),
    "startDate": ({"Event"}, None),
    "endDate": ({"Event"}, None),
    "location": ({"Event", "Organization", "Person"}, {"Place", "PostalAddress"}),
    "attendee": ({"Event"}, {"Organization", "Person"}),
    "addressCountry": ({"PostalAddress"}, None),
    "addressLocality": ({"PostalAddress"}, None),
}

MAIN_TYPES = {
    "people": "Person",
    "missions": "GovernmentOrganization",
    "events": "Event",
    "sources": "NewsArticle",
}
SITE_URL = "https://factfile.example/wiki/"
_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def _is_a(type_: str, ancestor: str) -> bool:
    current: str | None = type_
    while current is not None:
        if current == ancestor:
            return True
        current = PARENTS[current]
    return False


@pytest.fixture(scope="module")
def relative(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wiki(tmp_path_factory.mktemp("jsonld") / "wiki", site_url=None)


@pytest.fixture(scope="module")
def absolute(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wiki(tmp_path_factory.mktemp("jsonld-abs") / "wiki", site_url=SITE_URL)


@pytest.fixture(scope="module")
def html_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_wiki(
        tmp_path_factory.mktemp("jsonld-html") / "wiki", site_url=None, use_directory_urls=False
    )


class Site:
    """A built site's pages by address under ``base``, each with its JSON-LD."""

    def __init__(self, project: Path, base: str, directory_urls: bool = True) -> None:
        self.root = project / "site"
        self.base = base
        self.suffix = "/" if directory_urls else ".html"
        self.pages: dict[str, list[dict[str, Any]]] = {}
        for path in sorted(self.root.rglob("*.html")):
            scripts = _LD.findall(path.read_text(encoding="utf-8"))
            address = path.relative_to(self.root).as_posix()
            if directory_urls:
                address = address.removesuffix("index.html")
            self.pages[base + address] = [json.loads(script) for script in scripts]

    def described(self) -> dict[str, dict[str, Any]]:
        """Every entity a page describes as its own (the page, its main entity, a
        dataset), by its resolved ``@id``."""
        found: dict[str, dict[str, Any]] = {}
        for address, scripts in self.pages.items():
            for ld in scripts:
                found[urljoin(address, ld["@id"])] = ld
                if "mainEntity" in ld:
                    main = ld["mainEntity"]
                    found[urljoin(address, main["@id"])] = main
        return found

    def page_of(self, kind: str, id_: str) -> dict[str, Any]:
        (ld,) = self.pages[f"{self.base}{kind}/{id_}{self.suffix}"]
        return ld


_TEST_BASE = "https://site.test/"


def _site(project: Path, base: str = _TEST_BASE) -> Site:
    return Site(project, base)


def _nodes(value: object) -> Iterator[dict[str, Any]]:
    """Every node (an object with a ``@type``) in a JSON-LD value, outermost first."""
    if isinstance(value, dict):
        if "@type" in value:
            yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _text(project: Path, kind: str, id_: str) -> str:
    return (project / "profiles" / kind / f"{id_}.yaml").read_text(encoding="utf-8")


def _profiles(project: Path) -> list[tuple[str, str]]:
    return sorted((path.parent.name, path.stem) for path in (project / "profiles").glob("*/*.yaml"))


def test_each_profile_page_is_a_profile_page_about_its_subject(relative: Path) -> None:
    site = _site(relative)
    for kind, id_ in _profiles(relative):
        ld = site.page_of(kind, id_)
        assert ld["@context"] == "https://schema.org"
        assert ld["@type"] == "ProfilePage"
        assert ld["@id"] == ld["url"] == "./"
        main = ld["mainEntity"]
        assert main["@type"] == MAIN_TYPES[kind], (kind, id_)
        assert main["@id"] == f"./#{main['@id'].split('#')[1]}"
        if kind == "sources":
            assert "citation" not in ld
            continue
        assert main["name"] == ld["name"]
        # Each article the profile cites, once.
        cited = sorted(set(re.findall(r"source: (\S+)", _text(relative, kind, id_))))
        assert [c["@id"] for c in ld.get("citation", [])] == [
            f"../../sources/{source}/#article" for source in cited
        ]
        assert all(c["@type"] == "NewsArticle" for c in ld.get("citation", []))


def test_every_property_is_one_schema_org_defines_for_its_type(relative: Path) -> None:
    site = _site(relative)
    checked: set[tuple[str, str]] = set()
    for address, scripts in site.pages.items():
        for node in _nodes(scripts):
            type_ = node["@type"]
            assert type_ in PARENTS, (address, type_)
            for name, value in node.items():
                if name.startswith("@"):
                    continue
                assert name in PROPERTIES, (address, type_, name)
                domains, ranges = PROPERTIES[name]
                assert any(_is_a(type_, d) for d in domains), (address, type_, name)
                for item in value if isinstance(value, list) else [value]:
                    if ranges is None:
                        assert isinstance(item, str | bool), (address, type_, name, item)
                    else:
                        assert isinstance(item, dict), (address, type_, name, item)
                        assert any(_is_a(item["@type"], r) for r in ranges), (address, name)
                checked.add((type_, name))
    # The relations the fixture states, as the properties saying the same thing.
    assert {
        ("Person", "spouse"),
        ("Person", "worksFor"),
        ("GovernmentOrganization", "employee"),
        ("GovernmentOrganization", "event"),
        ("Event", "attendee"),
        ("ProfilePage", "citation"),
        ("Dataset", "distribution"),
    } <= checked


@pytest.mark.parametrize("build", ["relative", "absolute", "html_files"])
def test_every_id_refers_to_an_entity_described_on_the_site(
    build: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(build)
    base = SITE_URL if build == "absolute" else _TEST_BASE
    site = Site(project, base, directory_urls=build != "html_files")
    described = site.described()
    references = 0
    for address, scripts in site.pages.items():
        for node in _nodes(scripts):
            if "@id" not in node:
                continue
            resolved = urljoin(address, node["@id"])
            if build == "absolute":
                assert node["@id"] == resolved and resolved.startswith(SITE_URL)
            else:
                assert not urlsplit(node["@id"]).scheme, node["@id"]
            page, _ = urldefrag(resolved)
            assert page in site.pages, (address, node["@id"])
            assert resolved in described, (address, node["@id"])
            entity = described[resolved]
            assert entity["@type"] == node["@type"]
            assert entity.get("name") == node.get("name")
            if node["@type"] != "NewsArticle" and "url" in node:
                assert urljoin(address, node["url"]) == page
            references += 1
    assert references > 30


def test_html_file_addresses_without_directory_urls(html_files: Path) -> None:
    ld = Site(html_files, _TEST_BASE, directory_urls=False).page_of("people", "han-sol-min")
    assert ld["url"] == "han-sol-min.html"
    assert ld["mainEntity"]["spouse"][0]["@id"] == "choe-mi-ran.html#person"
    assert ld["mainEntity"]["worksFor"][0]["url"] == "../missions/embassy-in-ruritania.html"


def test_site_url_makes_every_address_absolute(absolute: Path) -> None:
    ld = _site(absolute, SITE_URL).page_of("people", "han-sol-min")
    assert ld["@id"] == f"{SITE_URL}people/han-sol-min/"
    assert ld["mainEntity"]["@id"] == f"{SITE_URL}people/han-sol-min/#person"
    assert ld["citation"][0]["archivedAt"] == f"{SITE_URL}sources/test-gazette/"


def test_values_the_sources_hedge_or_the_editors_inferred_are_left_out(relative: Path) -> None:
    site = _site(relative)

    def main(kind: str, id_: str) -> dict[str, Any]:
        return site.page_of(kind, id_)["mainEntity"]

    # Dated twice: 2019-03 is hedged ("is believed to"), 2020 attributed to a report.
    assert main("events", "kim-chol-defects")["startDate"] == "2020"
    assert "startDate" not in main("events", "han-sol-min-defects")  # inferred
    assert "startDate" not in main("events", "talks")  # inferred range
    assert main("events", "embassy-opens")["startDate"] == "1975"  # attributed
    embassy = main("missions", "embassy-in-ruritania")
    assert "dissolutionDate" not in embassy  # the closing date is inferred
    assert embassy["address"] == {"@type": "PostalAddress", "addressCountry": "Ruritania"}
    # The hostile person's posting is inferred: not among the embassy's staff.
    assert [p["@id"] for p in embassy["employee"]] == ["../../people/han-sol-min/#person"]
    hostile = main("people", "hostile-person")
    assert hostile["alternateName"] == ["Hostile Alias"]  # the other name is inferred
    assert "sibling" not in hostile and "worksFor" not in hostile
    assert hostile["nationality"] == [{"@type": "Country", "name": "<b>Ruri</b>tania & co"}]
    han = main("people", "han-sol-min")
    assert "sibling" not in han
    assert [s["@id"] for s in han["spouse"]] == ["../choe-mi-ran/#person"]
    # The tie is stated on Han's profile; Choe's page says it too.
    assert [s["@id"] for s in main("people", "choe-mi-ran")["spouse"]] == ["../han-sol-min/#person"]


def test_the_data_page_describes_a_dataset_with_every_download(relative: Path) -> None:
    site = _site(relative)
    (dataset,) = site.pages[f"{_TEST_BASE}reference/data/"]
    assert dataset["@type"] == "Dataset"
    assert dataset["@id"] == "./#dataset"
    files = sorted(p.name for p in (relative / "site" / "data").iterdir())
    distribution = dataset["distribution"]
    assert sorted(d["name"] for d in distribution) == files
    for download in distribution:
        address = urljoin(f"{_TEST_BASE}reference/data/", download["contentUrl"])
        assert address == f"{_TEST_BASE}data/{download['name']}"
        assert download["encodingFormat"] and download["description"]
    page = (relative / "site" / "reference" / "data" / "index.html").read_text(encoding="utf-8")
    for name in files:
        assert f'href="../../data/{name}"' in page, name
