"""Hostile profiles: each is refused with a located error, or shown as inert text.

``hostile/wiki/`` is a whole wiki whose every text field carries markup that would
run or reshape a page if it were ever printed raw: HTML and event handlers,
``javascript:`` links, Markdown links, images and tables, Jinja, MkDocs admonitions,
attribute lists and snippet includes. It must pass every check and build, and each
payload must show as its own literal text. ``hostile/rejected/<case>/`` holds what the
check refuses (unsafe URLs, invisible characters, ids that are paths or look-alikes),
each laid over the minimal wiki with its exact report in ``expected.txt``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .browser_tools import chromium, serve_directory
from .conftest import build_site, copy_project
from .test_broken import assert_located, cases, compare_golden, factfile_check, lay_over

HOSTILE = Path(__file__).resolve().parent / "hostile"
WIKI = HOSTILE / "wiki"
REJECTED = HOSTILE / "rejected"

PERSON_NAME = "<script>window.__pwned=1</script> Test-Person"
SECOND_NAME = "- - --- # {: #x } 1. *x* Second <!-- comment"
MISSION_NAME = '<iframe src="javascript:window.__pwned=6"></iframe> Mission'
EVENT_NAME = "<svg onload=window.__pwned=5> Event {{ 7*7 }}"
SOURCE_TITLE = "</title><script>document.title='pwned'</script> {{ config }}"
OUTLET = '" onmouseover="window.__pwned=7" x="'
LONG_WORD = "LONGWORD_START_" + "a" * 3700 + "_LONGWORD_END"
# Characters beyond the Basic Multilingual Plane around Markdown: written into front matter
# as surrogate pairs, they made it unreadable to MkDocs, and the Markdown then went live.
ROCKET_NAME = "Kim ![p](https://evil.example/p.png) [x](javascript:alert(1)) 🚀"
ROCKET_COUNTRY = "𠀀 Land ![c](https://evil.example/c.png)"

# Per page: its title, the section headings it must have, and profile text that must
# be visible exactly as written (white space runs shown as one space).
PAGES: dict[str, tuple[str, list[str], list[str]]] = {
    "people/test-person/": (
        PERSON_NAME,
        ["Timeline", "Other facts", "Relations", "Quotes and sources", "Cite this page"],
        [
            PERSON_NAME,
            '<img src=x onerror="window.__pwned=2">',
            "[click](javascript:window.__pwned=3)",
            "![x](http://evil.example/x.png)",
            "</q></li></ul><h1>Injected heading</h1>",
            "</q></blockquote><script>document.title='pwned'</script>",
            "{% for x in range(3) %}loop{% endfor %} {{ lipsum() }}",
            "| a | b | |---|---| | c | d |",
            '!!! note "Injected" {: onclick="window.__pwned=4" } --8<-- "/etc/passwd"',
            '<a href="javascript:window.__pwned=11">click</a> [ref]: javascript:window.__pwned=12',
            "&lt;b&gt; &amp; &#60;i&#62; \\<b\\> `<code>` *emphasis* __strong__ ~~struck~~ "
            "==marked== ^^ins^^",
            SECOND_NAME,
            MISSION_NAME,
            EVENT_NAME,
            OUTLET,
        ],
    ),
    "people/second-person/": (
        SECOND_NAME,
        ["Other facts", "Quotes and sources"],
        [SECOND_NAME, LONG_WORD, PERSON_NAME],
    ),
    "missions/test-mission/": (
        MISSION_NAME,
        ["Staff", "Timeline"],
        [
            MISSION_NAME,
            "<style>body{display:none}</style>",
            "&lt;script&gt; City",
            '<b onmouseover="window.__pwned=13">bold</b> [^1] *count*',
        ],
    ),
    "events/test-event/": (
        EVENT_NAME,
        ["Participants", "Outcome"],
        [
            EVENT_NAME,
            "javascript:window.__pwned=14",
            "javascript:alert(1) <a href=//evil.example>x</a>",
            "<marquee>moving</marquee> ](javascript:x)",
            '<form action="http://evil.example"><input name=q autofocus '
            'onfocus="window.__pwned=15"></form>',
        ],
    ),
    "sources/test-wire/": (
        SOURCE_TITLE,
        ["Archived text", "Pages citing this article"],
        [
            SOURCE_TITLE,
            OUTLET,
            "<b>en</b>",
            "{% raw %}{{ 7*7 }}{% endraw %} ${7*7} #{7*7}",
            '[x](javascript:window.__pwned=9) <a href="javascript:window.__pwned=10">a</a>',
            'https://example.org/a"onmouseover="window.__pwned=8"<script>x</script>(javascript:y)',
            "</q></blockquote><script>document.title='pwned'</script>",
            "data:text/html;base64,PHNjcmlwdD4= and javascript:alert(document.domain)",
        ],
    ),
    "people/rocket-person/": (ROCKET_NAME, ["Quotes and sources"], [ROCKET_NAME, ROCKET_COUNTRY]),
    "people/ri-il-gyu-rocket/": ("Ri Il-gyu 🚀", ["Quotes and sources"], ["Ri Il-gyu 🚀"]),
    "sources/rocket-wire/": (
        "Rocket wire 🚀 [x](javascript:alert(2))",
        ["Archived text"],
        ["Outlet 𠀀 ![o](https://evil.example/o.png)"],
    ),
    "people/": ("People", [], [PERSON_NAME, SECOND_NAME, ROCKET_NAME]),
    "missions/": ("Missions", [], [MISSION_NAME]),
    "events/": ("Timeline of events", [], [EVENT_NAME]),
    "sources/": ("Sources", [], [SOURCE_TITLE]),
}
SITE_NAME = "North Korean Diplomats Fact File"
# Tags and attributes a profile could only have smuggled in: the theme uses none of them.
FOREIGN_TAGS = {"iframe", "marquee", "object", "embed", "base", "style", "img", "svg:script"}
# The one style element the engine writes: on a source's page, the rules that highlight
# the passage a link leads to, naming passages by their offsets alone.
_PASSAGE = r'\.ff-archive:has\(#q-\d+-\d+:target\) mark\[data-q~="q-\d+-\d+"\]'
ENGINE_STYLE = re.compile(
    rf"(?:{_PASSAGE},)*{_PASSAGE}"
    r"\{background-color:var\(--ff-target-bg\);outline:2px solid var\(--ff-target-edge\)\}"
)
FOREIGN_ATTRIBUTES = {"autofocus", "formaction", "srcdoc"}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Page(HTMLParser):
    """The parts of a built page the checks look at, parsed as a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[str, str]] = []
        """Each script's type and text."""
        self.styles: list[str] = []
        """The text of each style element."""
        self.headings: dict[str, list[str]] = {"h1": [], "h2": []}
        self.title = ""
        self._open: list[str] = []
        self._body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "body":
            self._body = True
        if tag in ("h1", "h2", "title", "script", "style"):
            self._open.append(tag)
            if tag in self.headings:
                self.headings[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        current = self._open[-1] if self._open else ""
        if current == "title" and not self._body:
            self.title += data
        elif current == "script":
            kind = next((a.get("type", "") for t, a in reversed(self.tags) if t == "script"), "")
            self.scripts.append((kind, data))
            return
        elif current == "style":
            self.styles.append(data)
            return
        elif current in self.headings:
            self.headings[current][-1] += data
        if self._body:
            self.text.append(data)


def parse_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def heading_texts(page: Page, level: str) -> list[str]:
    return [collapse(text.replace("¶", "")) for text in page.headings[level]]


def hostile_project(dest: Path) -> Path:
    """A copy of the hostile wiki, set up to build with the real site's configuration."""
    return copy_project(dest, source=WIKI)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile wiki, built by a real ``mkdocs build --strict``."""
    return build_site(hostile_project(tmp_path_factory.mktemp("hostile") / "wiki"))


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# --- Refused --------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases(REJECTED))
def test_rejected_with_located_error(case: str, tmp_path: Path) -> None:
    project = lay_over(REJECTED / case, tmp_path / "wiki")
    code, output = factfile_check(project)
    assert code == 1, output
    assert_located(output)
    compare_golden(REJECTED / case / "expected.txt", output)


# --- Inert ----------------------------------------------------------------------------


def test_hostile_wiki_passes_every_check(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=WIKI)
    code, output = factfile_check(project)
    assert code == 0, output
    assert output.startswith("OK: 4 people, 1 missions, 1 events, 2 sources;")


def test_every_page_shows_hostile_text_as_text(hostile_site: Path) -> None:
    for url, (title, sections, visible) in PAGES.items():
        page = parse_page(hostile_site / url / "index.html")
        assert collapse(page.title) == f"{title} - {SITE_NAME}", url
        assert heading_texts(page, "h1") == [collapse(title)], url
        assert set(sections) <= set(heading_texts(page, "h2")), url
        body = collapse(" ".join(page.text))
        for literal in visible:
            assert collapse(literal) in body, (url, literal)


def test_no_payload_becomes_markup(hostile_site: Path) -> None:
    pages = html_pages(hostile_site)
    assert len(pages) >= len(PAGES)
    for path in pages:
        page = parse_page(path)
        where = path.relative_to(hostile_site).as_posix()
        for style in page.styles:
            assert ENGINE_STYLE.fullmatch(style), (where, style[:200])
        for tag, attrs in page.tags:
            if tag == "style" and where.startswith("sources/"):
                continue  # checked above: only the engine's own rules
            assert tag not in FOREIGN_TAGS, (where, tag, attrs)
            for name, value in attrs.items():
                assert not name.startswith("on"), (where, tag, attrs)
                assert name not in FOREIGN_ATTRIBUTES, (where, tag, attrs)
                if name in ("href", "src", "action", "formaction", "data", "srcset"):
                    scheme = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value)).lower()
                    assert not scheme.startswith(("javascript:", "data:", "vbscript:")), (
                        where,
                        tag,
                        attrs,
                    )
                    assert "evil.example" not in value, (where, tag, attrs)
        for kind, script in page.scripts:
            if kind in ("application/json", "application/ld+json"):
                # Data, never run: profile text may be in it, but cannot end the element.
                assert "<" not in script, where
                json.loads(script)
            else:
                assert "__pwned" not in script and "document.title" not in script, where


def test_every_page_keeps_its_title_and_tags(hostile_site: Path) -> None:
    """Front matter reads back exactly: each page is titled with its profile's name and
    tagged (a page whose front matter MkDocs could not read would show it as text, and
    lose its title and tags)."""
    for url in ("people/rocket-person/", "people/ri-il-gyu-rocket/"):
        page = parse_page(hostile_site / url / "index.html")
        tags = [a.get("class", "") for tag, a in page.tags if tag == "a"]
        assert any("md-tag" in css for css in tags), url
        body = collapse(" ".join(page.text))
        assert "title:" not in body and "tags:" not in body, url


def test_generated_front_matter_reads_back_exactly(tmp_path: Path) -> None:
    from mkdocs.utils.meta import get_data

    from generator.build import Pipeline
    from generator.model import Ref
    from generator.project import Project
    from generator.render.environment import title as inert_title

    for source in (WIKI, Path(__file__).resolve().parent.parent):
        project = copy_project(tmp_path / source.name, source=source)
        built = Pipeline(Project.at(project)).render()
        for page, text in built.pages.items():
            body, meta = get_data(text)
            assert meta, page
            assert not body.startswith("---"), page
            if page in built.origins:
                kind, _, name = page.partition("/")
                heading = built.wiki.title(Ref(kind, name.removesuffix(".md")))  # type: ignore[arg-type]
                assert meta["title"] == inert_title(heading), page


def test_external_link_is_encoded_not_broken_out_of(hostile_site: Path) -> None:
    page = parse_page(hostile_site / "sources/test-wire/index.html")
    hrefs = [a.get("href", "") for tag, a in page.tags if tag == "a"]
    assert (
        "https://example.org/a%22onmouseover=%22window.__pwned=8%22%3Cscript%3Ex%3C/script%3E"
        "%28javascript:y%29" in hrefs
    )


# --- In a real browser ----------------------------------------------------------------


@pytest.fixture(scope="module")
def served(hostile_site: Path) -> Iterator[str]:
    with serve_directory(hostile_site) as url:
        yield url


@pytest.mark.browser
def test_no_script_runs_and_nothing_leaves_the_server(hostile_site: Path, served: str) -> None:
    urls = {
        path.relative_to(hostile_site).as_posix().removesuffix("index.html"): path
        for path in html_pages(hostile_site)
    }
    assert set(PAGES) <= set(urls)
    with chromium() as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        requests: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: requests.append(request.url))
        for url, path in urls.items():
            page.goto(served + url, wait_until="load")
            if 'http-equiv="refresh"' in path.read_text(encoding="utf-8"):
                # An alias address: the browser moves on to the profile's own page.
                page.wait_for_url(lambda now, start=served + url: now != start)
                page.wait_for_load_state("load")
                moved = page.url.removeprefix(served).split("#")[0]
                path = hostile_site / moved / "index.html"
            # Let timers, autofocus and the search worker have their chance to run.
            page.wait_for_timeout(250)
            static_title = collapse(parse_page(path).title)
            assert page.evaluate("typeof window.__pwned") == "undefined", url
            assert collapse(page.title()) == static_title, url
            assert page.locator("h1").count() == 1, url
            if url in PAGES:
                title, sections, visible = PAGES[url]
                assert static_title == f"{title} - {SITE_NAME}"
                assert collapse(page.locator("h1").inner_text().replace("¶", "")) == title
                h2 = [collapse(t.replace("¶", "")) for t in page.locator("h2").all_inner_texts()]
                assert set(sections) <= set(h2), url
                # Every note unfolded: what a reader sees one click away.
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                body = collapse(page.inner_text("body"))
                for literal in visible:
                    assert collapse(literal) in body, (url, literal)
        assert dialogs == []
        outside = [r for r in requests if not r.startswith(served)]
        assert outside == []
        assert any(r.endswith("search/search_index.json") for r in requests)
