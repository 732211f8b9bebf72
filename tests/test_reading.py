"""Reading the real built site in headless Chromium, at a desktop's width (1280 px) and a
phone's (390 px): checking a claim in two clicks, scannable pages, readable diagrams,
search by any spelling, sortable and filterable tables, and no serious accessibility
finding (axe-core, vendored under tests/vendor/) on any kind of page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser_tools import chromium, search_results, serve_directory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = (1280, 390)
# One page of each kind.
PAGES = {
    "home": "",
    "people index": "people/",
    "person": "people/ri-il-gyu/",
    "mission": "missions/north-korean-embassy-in-cuba/",
    "event": "events/ri-il-gyu-defects/",
    "source": "sources/yonhap-interview-ri-il-gyu/",
    "missions index": "missions/",
    "sources index": "sources/",
    "timeline": "events/",
    "statistics": "reference/statistics/",
    "disagreements": "reference/disagreements/",
    "tags": "reference/tags/",
    "data": "reference/data/",
    "profile format": "reference/profile-format/",
    "contributing": "contributing/",
    "policy": "policy/",
}


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _open(browser: Any, url: str, width: int, **options: Any) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.goto(url)
    return page


# --- Accessibility ------------------------------------------------------------------------


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("light", 390), ("dark", 1280)])
def test_no_serious_accessibility_finding_on_any_kind_of_page(
    browser: Any, base_url: str, width: int, scheme: str
) -> None:
    found = {}
    page = _open(browser, base_url, width, color_scheme=scheme)
    for name, path in PAGES.items():
        page.goto(base_url + path)
        serious = [v for v in _axe(page) if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious
    page.context.close()
    assert found == {}


# --- A claim checked in two clicks ------------------------------------------------------


def _marked_background(page: Any, anchor: str) -> list[str]:
    return page.eval_on_selector_all(
        f'mark[data-q~="{anchor}"]', "marks => marks.map(m => getComputedStyle(m).backgroundColor)"
    )


def _lands_on_highlighted_passage(page: Any) -> None:
    anchor = page.url.rsplit("#", 1)[1]
    assert re.fullmatch(r"q-\d+-\d+", anchor)
    marks = page.locator(f'mark[data-q~="{anchor}"]')
    assert marks.count() >= 1
    marks.first.wait_for()
    assert marks.first.is_visible()
    box = marks.first.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    # Highlighted by :target, unlike the other passages marked on the page.
    others = page.eval_on_selector_all(
        f'mark.ff-passage:not([data-q~="{anchor}"])',
        "marks => marks.map(m => getComputedStyle(m).backgroundColor)",
    )
    shown = _marked_background(page, anchor)
    assert shown and set(shown).isdisjoint(others)


def test_a_claim_is_checked_in_two_clicks_on_a_phone(browser: Any, base_url: str) -> None:
    page = _open(browser, base_url + "people/ri-il-gyu/", 390, has_touch=True, is_mobile=True)
    # The quotes are folded away: none shows until asked for.
    assert page.locator("article q:visible").count() == 0
    marker = page.locator("#summary sup[id^=fnref-] a").first
    marker.tap()  # one
    note = page.locator(f"[id='{marker.get_attribute('href').lstrip('#')}']")  # type: ignore[union-attr]
    assert note.is_visible()
    assert note.locator("q").first.is_visible()
    note.locator("a[href*='#q-']").first.tap()  # two
    page.wait_for_url(re.compile(r"/sources/[a-z0-9-]+/#q-\d+-\d+$"))
    _lands_on_highlighted_passage(page)
    page.context.close()


def test_a_claim_is_checked_with_a_hover_and_a_click_on_a_desktop(
    browser: Any, base_url: str
) -> None:
    page = _open(browser, base_url + "people/ri-il-gyu/", 1280)
    marker = page.locator("#summary sup[id^=fnref-] a").first
    marker.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.locator("q").first.wait_for()
    # The pointer goes from the marker to the source's link in the note that opened.
    link = tooltip.locator("a[href*='#q-']").first.bounding_box()
    assert link is not None
    page.mouse.move(link["x"] + 4, link["y"] + link["height"] / 2, steps=5)
    page.mouse.click(link["x"] + 4, link["y"] + link["height"] / 2)
    page.wait_for_url(re.compile(r"/sources/[a-z0-9-]+/#q-\d+-\d+$"))
    _lands_on_highlighted_passage(page)
    page.context.close()


def test_a_passage_leads_back_to_the_claims_quoting_it(browser: Any, base_url: str) -> None:
    page = _open(browser, base_url + "sources/yonhap-interview-ri-il-gyu/", 390)
    link = page.locator(".ff-citers a[href*='/people/ri-il-gyu/#fnref-']").first
    link.click()
    page.wait_for_url(re.compile(r"/people/ri-il-gyu/#fnref-"))
    target = page.locator(":target")
    assert target.count() == 1 and target.is_visible()
    assert target.evaluate("e => e.matches('sup[id^=fnref-]')")
    page.context.close()


def test_the_page_of_the_longest_profile_is_short_enough_to_scan(
    browser: Any, base_url: str
) -> None:
    """Ri Il-gyu's page: the summary, timeline and facts, every quote folded away. With
    the quotes opened the page is several times as long: that is what no longer stands
    between the reader and the facts."""
    for width in WIDTHS:
        page = _open(browser, base_url + "people/ri-il-gyu/", width)
        folded = page.evaluate("document.documentElement.scrollHeight")
        page.evaluate("document.querySelector('details.ff-notes').open = true")
        opened = page.evaluate("document.documentElement.scrollHeight")
        assert opened > 2 * folded, (width, folded, opened)
        page.context.close()


# --- Diagrams -----------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_diagram_labels_are_whole_and_at_least_12px(
    browser: Any, base_url: str, width: int
) -> None:
    page = _open(browser, base_url + "people/ri-il-gyu/", width)
    drawings = page.locator("svg.ff-diagram:visible")
    assert drawings.count() == 1
    svg = drawings.first
    assert svg.get_attribute("aria-hidden") == "true" and svg.get_attribute("role") is None
    sizes = svg.evaluate(
        """svg => Array.from(svg.querySelectorAll("text")).map(t =>
            parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert sizes and min(sizes) >= 12, sizes
    # Every box's label is the linked page's whole title, wrapped but not cut.
    labels = svg.evaluate(
        """svg => Array.from(svg.querySelectorAll("a")).map(a =>
            Array.from(a.querySelectorAll("tspan:not(.ff-detail)")).map(t => t.textContent)
            .join(" "))"""
    )
    assert labels and not any("…" in label for label in labels)
    # Drawn inside the page: no box wider than the column it is in.
    overflow = svg.evaluate("svg => svg.getBoundingClientRect().right")
    assert overflow <= width
    # The drawing's links are for the mouse; the keyboard reaches the same pages in the lists.
    assert svg.evaluate("svg => Array.from(svg.querySelectorAll('a')).every(a => a.tabIndex < 0)")
    caption = page.locator(".ff-caption a[href='#summary']")
    assert caption.count() == 1
    page.context.close()


# --- Search -------------------------------------------------------------------------------


def test_search_ranks_a_person_first_for_a_spelling_of_their_name(
    browser: Any, base_url: str
) -> None:
    page = _open(browser, base_url, 1280)
    hrefs = [urlsplit(h).path for h in search_results(page, "Kim Jong-un")]
    people = [h for h in hrefs if "/people/" in h]
    assert people and people[0].endswith("/people/kim-jong-un/"), hrefs
    if any(h.endswith("/people/donald-trump/") for h in hrefs):
        assert hrefs.index(people[0]) < hrefs.index(
            next(h for h in hrefs if h.endswith("/people/donald-trump/"))
        )
    page.context.close()


def test_search_highlights_whole_name_parts_not_letters_inside_words(
    browser: Any, base_url: str
) -> None:
    page = _open(browser, base_url, 1280)
    hrefs = search_results(page, "Thae Yong-ho")
    target = next(h for h in hrefs if "/people/thae-yong-ho/" in h)
    page.locator(f'.md-search-result__item > a[href="{target}"]').first.click()
    page.wait_for_url(re.compile(r"/people/thae-yong-ho/"))
    page.locator("article mark").first.wait_for()
    page.wait_for_timeout(500)
    marked = page.eval_on_selector_all(
        "article mark[data-md-highlight]",
        """marks => marks.map(m => {
            const before = (m.previousSibling && m.previousSibling.textContent) || "";
            const after = (m.nextSibling && m.nextSibling.textContent) || "";
            return [before.slice(-1), m.textContent, after.slice(0, 1)];
        })""",
    )
    assert marked
    # Whole words and starts of words ("Yong" in "Yongho"), never a mark inside a word.
    inside = [m for m in marked if re.match(r"\w", m[0])]
    assert inside == [], inside
    assert any(m[1].casefold() == "thae" for m in marked)
    page.context.close()


# --- Tables -------------------------------------------------------------------------------


def test_timeline_filters_by_kind_and_year(browser: Any, base_url: str) -> None:
    page = _open(browser, base_url + "events/", 390)
    rows = page.locator(".ff-table tbody tr")
    total = rows.count()
    kind = page.get_by_label("Kind", exact=True)
    kind.select_option("Defection")
    shown = page.locator(".ff-table tbody tr:visible")
    assert 0 < shown.count() < total
    assert all(
        cell.startswith("Defection") for cell in shown.locator("td:nth-child(3)").all_inner_texts()
    )
    kind.select_option("")
    year = page.get_by_label("Year", exact=True)
    year.select_option("2019")
    dates = page.locator(".ff-table tbody tr:visible td:nth-child(1)").all_inner_texts()
    assert dates and all("2019" in d for d in dates)
    page.context.close()


def test_index_tables_sort_by_a_column_and_filter_by_words(browser: Any, base_url: str) -> None:
    page = _open(browser, base_url + "people/", 1280)
    names = page.locator(".ff-table tbody td:nth-child(1)")
    first = names.all_inner_texts()
    page.locator("th button.ff-sort").first.click()
    page.locator("th button.ff-sort").first.click()
    assert page.locator("th[aria-sort=descending]").count() == 1
    assert names.all_inner_texts() == sorted(first, key=str.casefold, reverse=True)
    page.get_by_label("Show rows containing").fill("Ri Il-gyu")
    visible = page.locator(".ff-table tbody tr:visible td:nth-child(1)").all_inner_texts()
    assert "Ri Il-gyu" in visible and len(visible) < len(first)
    page.context.close()


def test_tables_read_the_same_without_the_script(browser: Any, base_url: str) -> None:
    page = _open(browser, base_url + "events/", 390, java_script_enabled=False)
    rows = page.locator(".ff-table tbody tr:visible")
    assert rows.count() == len(list(Path(__file__).parent.parent.glob("profiles/events/*.yaml")))
    assert page.locator(".ff-controls").count() == 0
    page.context.close()
