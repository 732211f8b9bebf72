"""A real `mkdocs build --strict` of the project, read back as HTML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from generator.build import Pipeline
from generator.project import Project

from .conftest import ROOT
from .html_tools import page_of, parse, resolve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wiki():  # type: ignore[no-untyped-def]
    return Pipeline(Project.at(ROOT)).wiki()


def profile_ids(kind: str) -> list[str]:
    return sorted(p.stem for p in (ROOT / "profiles" / kind).glob("*.yaml"))


@pytest.mark.parametrize("kind", ["people", "missions", "events", "sources"])
def test_every_profile_has_a_page_and_every_kind_an_index(built_site: Path, kind: str) -> None:
    ids = profile_ids(kind)
    assert ids, f"no {kind} profiles"
    for id_ in ids:
        assert page_of(built_site, kind, id_).is_file(), id_
    index = parse(built_site / kind / "index.html")
    linked = {a.attrs.get("href", "") for a in index.find_all("a")}
    for id_ in ids:
        assert f"{id_}/" in linked, f"{kind}/index does not link {id_}"


def test_each_page_has_exactly_one_h1(built_site: Path) -> None:
    for path in built_site.rglob("index.html"):
        if path.parent.name in ("search", "assets"):
            continue
        assert len(parse(path).find_all("h1")) == 1, path


def test_every_internal_link_and_anchor_resolves(built_site: Path) -> None:
    config = yaml.safe_load((built_site.parent / "mkdocs.yml").read_text(encoding="utf-8"))
    root = urlsplit(config.get("site_url") or "/").path or "/"
    broken = []
    pages = [p for p in built_site.rglob("*.html")]
    anchors: dict[Path, set[str]] = {}
    for page in pages:
        for element in parse(page).elements:
            href = element.attrs.get("href")
            if element.tag not in ("a", "link") or not href:
                continue
            target = resolve(built_site, page, href, root)
            if target is None:
                continue
            path, anchor = target
            if not path.is_file():
                broken.append(f"{page.relative_to(built_site)} -> {href}")
                continue
            if anchor and path.suffix == ".html":
                if path not in anchors:
                    anchors[path] = parse(path).ids()
                if anchor not in anchors[path]:
                    broken.append(f"{page.relative_to(built_site)} -> {href} (no anchor)")
    assert not broken, "\n".join(broken[:20])


def test_every_citation_shows_its_quote_and_links_to_the_source_passage(
    built_site: Path, wiki
) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for kind in ("people", "missions", "events"):
        for id_ in profile_ids(kind):
            html = page_of(built_site, kind, id_).read_text(encoding="utf-8")
            # Each citation is a <q> followed by a link to the quote's anchor on its source page.
            for match in re.finditer(r'<q[^>]*>(.*?)</q> — <a href="([^"]+)"', html):
                href = match.group(2)
                assert re.search(r"\.\./\.\./sources/[a-z0-9-]+/#q-\d+-\d+$", href), href
                checked += 1
    claims = sum(
        len(claim.cite)
        for kind in ("people", "missions", "events")
        for entry in wiki.catalog.entries[kind].values()
        for name in type(entry.profile).model_fields
        for claim in (
            getattr(entry.profile, name) if isinstance(getattr(entry.profile, name), list) else []
        )
        if hasattr(claim, "cite")
    )
    assert checked >= claims > 0


def test_source_pages_mark_quotes_in_article_order_and_link_back(built_site: Path) -> None:
    for id_ in profile_ids("sources"):
        page = parse(page_of(built_site, "sources", id_))
        anchors = [e for e in page.find_all("span") if e.attrs.get("id", "").startswith("q-")]
        starts = [int(a.attrs["id"].split("-")[1]) for a in anchors]
        assert starts and starts == sorted(starts), id_
    # And from a quote back to the claim that cites it.
    page = page_of(built_site, "sources", "yonhap-interview-ri-il-gyu").read_text("utf-8")
    assert re.search(r'href="\.\./\.\./people/ri-il-gyu/#fnref-[a-z_]+-\d+"', page)


def _marked(page: Path, anchor: str) -> str:
    """The words of the passage ``anchor`` on a source's page: its marked pieces."""
    return " ".join(
        " ".join(e.text.split())
        for e in parse(page).find_all("mark")
        if anchor in e.attrs.get("data-q", "").split()
    )


def test_fact_to_quote_to_source_and_back(built_site: Path) -> None:
    person = page_of(built_site, "people", "ri-il-gyu")
    html = person.read_text(encoding="utf-8")
    match = re.search(r'<q[^>]*>([^<…]+)</q> — <a href="([^"]+#(q-[0-9-]+))"', html)
    assert match, "no citation on the page"
    quote, href, anchor = match.groups()
    target = resolve(built_site, person, href)
    assert target is not None
    words = re.sub(r"\s+([,.;:’”])", r"\1", _marked(target[0], anchor))
    assert words == " ".join(quote.split())
    assert "../../people/ri-il-gyu/#fnref-" in target[0].read_text(encoding="utf-8")


def test_edit_button_opens_the_profile_not_the_generated_markdown(built_site: Path) -> None:
    for kind in ("people", "missions", "events", "sources"):
        id_ = profile_ids(kind)[0]
        page = parse(page_of(built_site, kind, id_))
        edits = [
            a.attrs["href"]
            for a in page.find_all("a")
            if "md-content__button" in a.attrs.get("class", "")
        ]
        assert edits and edits[0].endswith(f"/profiles/{kind}/{id_}.yaml"), edits
    home = parse(built_site / "index.html")
    edits = [
        a.attrs["href"]
        for a in home.find_all("a")
        if "md-content__button" in a.attrs.get("class", "")
    ]
    assert edits and edits[0].endswith("/docs/index.md")
    # A page made from the whole wiki has no one file to edit, and its Markdown is not in
    # the repository: no edit button rather than one that leads nowhere.
    for made in ("people", "events", "reference/statistics", "reference/profile-format"):
        page = parse(built_site / made / "index.html")
        assert not [
            a for a in page.find_all("a") if "md-content__button" in a.attrs.get("class", "")
        ], made


def test_navigation_lists_only_section_indexes(built_site: Path) -> None:
    nav = [
        a.attrs["href"]
        for a in parse(built_site / "index.html").find_all("a")
        if "md-nav__link" in a.attrs.get("class", "")
    ]
    profile_links = [
        h for h in nav if re.search(r"(people|missions|events|sources)/[a-z0-9-]+/$", h)
    ]
    assert not profile_links


def test_site_loads_nothing_from_third_parties(built_site: Path) -> None:
    external = []
    for page in built_site.rglob("*.html"):
        for element in parse(page).elements:
            for attr in ("src", "href"):
                value = element.attrs.get(attr, "")
                # A canonical or alternate address names the page; it loads nothing.
                if element.tag == "link" and element.attrs.get("rel") in ("canonical", "alternate"):
                    continue
                if element.tag in ("script", "link", "img", "iframe") and re.match(
                    r"^(https?:)?//", value
                ):
                    external.append(
                        f"{page.relative_to(built_site)}: <{element.tag} {attr}={value}>"
                    )
    assert not external, external[:10]


def test_missions_index_shows_the_figures_about_missions_with_their_quotes(
    built_site: Path, wiki
) -> None:  # type: ignore[no-untyped-def]
    expected = [
        claim
        for kind in ("events", "missions")
        for entry in wiki.catalog.entries[kind].values()
        for claim in entry.profile.figures
        if claim.topic == "missions"
    ]
    assert expected, "the articles report figures about the missions abroad"
    html = (built_site / "missions" / "index.html").read_text(encoding="utf-8")
    section = html.split('id="figures-the-articles-report"', 1)[1]
    for claim in expected:
        assert f"<strong>{claim.value:,}</strong>" in section
        for citation in claim.cite:
            assert "<q>" in section and citation.quote.split()[0] in section


def test_source_pages_name_the_citing_fields_in_words(built_site: Path) -> None:
    for id_ in profile_ids("sources"):
        html = page_of(built_site, "sources", id_).read_text(encoding="utf-8")
        cited = re.findall(r'#fnref-[^"]+">[^<]*: ([^<]*)</a>', html)
        assert cited and not [label for label in cited if "_" in label], (id_, cited)
