"""The built site in a real headless Chromium: search by any spelling, the timeline, the
relation diagram, and not one request to anywhere but the local server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.build import Pipeline
from generator.model import Kind, slugify
from generator.project import Project
from generator.redirects import alias_targets
from generator.wiki import Ref, Wiki

from .browser_tools import chromium, search_results, serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def wiki(built_site: Path) -> Wiki:
    return Pipeline(Project.at(built_site.parent)).wiki()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page that records every request it makes; none may leave the local server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    yield tab
    context.close()
    outside = [url for url in requests if not url.startswith((base_url, "data:", "blob:"))]
    assert outside == []


def _profiles(wiki: Wiki, kind: Kind) -> dict[str, Any]:
    return {ref.id: wiki.profile(ref) for ref in wiki.refs(kind)}


def _h1(page: Any) -> str:
    return page.locator("article h1").first.inner_text().replace("¶", "").strip()


def _alias(wiki: Wiki) -> tuple[str, str]:
    """A person and a spelling of their name other than the page title, preferring one
    that has an address of its own."""
    targets = alias_targets(wiki)
    found = [
        (slugify(claim.value) not in targets, id_, claim.value)
        for id_, person in _profiles(wiki, "people").items()
        for claim in person.names
        if claim.value != person.name and " " in claim.value
    ]
    if not found:
        pytest.skip("no person is spelled two ways")
    _, person_id, spelling = min(found)
    return person_id, spelling


def _variants(spelling: str) -> list[str]:
    """The spelling itself and the same words with the last space hyphenated or the
    hyphens spaced: the ways readers type a romanised name."""
    hyphenated = re.sub(r" (?=\S+$)", "-", spelling)
    return list(dict.fromkeys([spelling, hyphenated, spelling.replace("-", " ")]))


def _search(page: Any, base_url: str, query: str) -> list[str]:
    page.goto(base_url)
    return search_results(page, query)


def test_search_finds_a_person_by_every_spelling(page: Any, base_url: str, wiki: Wiki) -> None:
    person_id, spelling = _alias(wiki)
    title = _profiles(wiki, "people")[person_id].name
    for query in _variants(spelling):
        hrefs = _search(page, base_url, query)
        matches = [h for h in hrefs if urlsplit(h).path.endswith(f"/people/{person_id}/")]
        assert matches, (query, hrefs)
        page.locator(f'.md-search-result__item > a[href="{matches[0]}"]').first.click()
        page.wait_for_url(re.compile(rf"/people/{re.escape(person_id)}/"))
        assert _h1(page) == title


def test_alias_address_leads_to_the_page(page: Any, base_url: str, wiki: Wiki) -> None:
    person_id, spelling = _alias(wiki)
    slug = slugify(spelling)
    if alias_targets(wiki).get(slug) != person_id:
        pytest.skip("that spelling's address is taken")
    response = page.goto(f"{base_url}people/{slug}/")
    assert response is not None and response.status == 200
    page.wait_for_url(re.compile(rf"/people/{re.escape(person_id)}/$"))
    assert _h1(page) == _profiles(wiki, "people")[person_id].name


def test_timeline_lists_events_in_date_order(page: Any, base_url: str, wiki: Wiki) -> None:
    page.goto(f"{base_url}events/")
    hrefs = [
        a.get_attribute("href") or ""
        for a in page.locator("article tbody td a").all()
        if re.fullmatch(r"[a-z0-9-]+/", a.get_attribute("href") or "")
    ]
    shown = [h.rstrip("/") for h in hrefs]
    assert sorted(shown) == sorted(_profiles(wiki, "events"))
    keys = [_profiles(wiki, "events")[id_].when().sort_key() for id_ in shown]
    assert keys == sorted(keys)
    first = shown[0]
    page.locator(f'article a[href="{first}/"]').first.click()
    page.wait_for_url(re.compile(rf"/events/{first}/$"))
    assert _h1(page) == _profiles(wiki, "events")[first].heading


def test_relation_diagram_link_opens_the_related_page(page: Any, base_url: str, wiki: Wiki) -> None:
    person_id = next((id_ for id_, p in _profiles(wiki, "people").items() if p.postings), None)
    if person_id is None:
        pytest.skip("nobody has a posting")
    page.goto(f"{base_url}people/{person_id}/")
    mission_id = _profiles(wiki, "people")[person_id].postings[0].mission
    link = page.locator(f'svg.ff-diagram a[href="../../missions/{mission_id}/"]').first
    link.click()
    page.wait_for_url(re.compile(rf"/missions/{mission_id}/$"))
    assert _h1(page) == wiki.title(Ref("missions", mission_id))
    # And back along the same relation from the mission's diagram.
    page.locator(f'svg.ff-diagram a[href="../../people/{person_id}/"]').first.click()
    page.wait_for_url(re.compile(rf"/people/{person_id}/$"))


def test_reference_pages_load_without_leaving_the_site(page: Any, base_url: str) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    for path in ("reference/disagreements/", "reference/statistics/", "reference/tags/"):
        page.goto(base_url + path)
        assert _h1(page)
    page.goto(base_url)
    page.locator('a[href="reference/disagreements/"]').first.click()
    page.wait_for_url(re.compile(r"/reference/disagreements/$"))
    # The recorder sees the site's own assets: the check on every other test is not empty.
    assert f"{base_url}assets/factfile.css" in seen
    assert any(url.startswith(f"{base_url}assets/javascripts/") for url in seen)
