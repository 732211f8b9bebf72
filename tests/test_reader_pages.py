"""What the pages say and how they are put together, from the render functions and from
real ``mkdocs build --strict`` runs: the English the engine writes, the archived text on
source pages, and the site's conventions (descriptions, OpenGraph, sitemap, licence,
dark mode, citing a page)."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator.build import Pipeline
from generator.model import DateSpec, Person, Source
from generator.project import Project
from generator.render.claims import date_phrase, period
from generator.render.links import quoted, source_label
from generator.render.summary import spellings

from .conftest import ROOT, run_mkdocs
from .html_tools import parse
from .test_reader_support import build_minimal

_CITE = [{"source": "s", "quote": "q"}]


# --- The engine's English -----------------------------------------------------------------


def test_a_quote_with_its_own_quotation_marks_gets_single_marks_around_it() -> None:
    assert quoted("left the embassy") == "<q>left the embassy</q>"
    nested = quoted("“Since 2022, I had informed … ties,” he said.")
    assert nested.startswith('<q class="ff-nested">“Since 2022')
    # The style sheet draws single marks outside, double inside.
    css = (ROOT / "docs" / "assets" / "factfile.css").read_text(encoding="utf-8")
    assert re.search(r'q\.ff-nested \{\s*quotes: "‘" "’" "“" "”";', css)


def test_a_source_without_a_date_is_named_without_date_unknown_noise() -> None:
    base: dict[str, Any] = {"title": "T", "archive": "a.txt", "sha256": "0" * 64}
    assert source_label(Source.model_validate({**base, "outlet": "BBC"})) == "BBC"
    dated = Source.model_validate({**base, "outlet": "BBC", "date": "2024-02"})
    assert source_label(dated) == "BBC, February 2024"


def test_periods_and_dates_read_as_english() -> None:
    assert period(DateSpec.parse("2019"), None) == "from 2019"
    assert period(None, DateSpec.parse("2013/2019")) == "until some time in 2013 – 2019"
    assert date_phrase(DateSpec.parse("2023-11")) == "in November 2023"
    assert date_phrase(DateSpec.parse("2023-11-05")) == "on 5 November 2023"
    assert date_phrase(DateSpec.parse("2013/2019")) == "between 2013 and 2019"
    assert date_phrase(DateSpec.parse("unknown")) == ""


def test_every_spelling_of_a_name_is_searchable_with_and_without_hyphens() -> None:
    person = Person.model_validate(
        {"name": "Ri Il-gyu", "names": [{"value": "Ri Il Kyu", "cite": _CITE}]}
    )
    found = spellings(person)
    assert {"Ri Il-gyu", "Ri Il gyu", "Ri Ilgyu", "Ri Il Kyu", "Ri Il-Kyu", "Ri IlKyu"} <= set(
        found
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_minimal(tmp_path_factory.mktemp("pages") / "wiki", extended=True)


def _html(project: Path, page: str) -> str:
    return (project / "site" / page / "index.html").read_text(encoding="utf-8")


def _article(project: Path, page: str) -> str:
    found = _html(project, page)
    return found[found.index("<article") : found.index("</article>")]


def _text(markup: str) -> str:
    """The words of some HTML as a reader sees them (tags taken out, white space as one)."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", markup).split()))


def _profile_pages(site: Path) -> list[Path]:
    return [
        path
        for kind in ("people", "missions", "events", "sources")
        for path in (site / kind).glob("*/index.html")
        if "http-equiv" not in path.read_text(encoding="utf-8")
    ]


def test_pages_carry_none_of_the_old_noise(project: Path) -> None:
    for path in _profile_pages(project / "site"):
        article = _text(_article(project, path.parent.relative_to(project / "site").as_posix()))
        # A date no source gives is left out, not said to be unknown line after line.
        assert "Date unknown" not in article and "date unknown" not in article, path
        # Backlinks named by their relation's internal name; "Also written" repeating
        # the page's own name.
        assert not re.search(r"\((event|person|mission|source), \w+\)", article), path
        assert "Also written" not in article, path
        assert "““" not in article and "””" not in article, path


def test_the_lead_sentence_is_the_page_description(project: Path) -> None:
    article = _article(project, "people/han-sol-min")
    lead = _text(re.search(r"</h1>\s*<p>(.*?)</p>", article, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert lead.startswith("Han Sol-min: diplomat, Embassy in Ruritania (according to officials).")
    # The status, dated by the event that brought it about, each with how it is known.
    assert lead.endswith(
        "Defected (according to the foreign ministry) on 3 May 2024 (according to officials;"
        " inferred by the editors)."
    )
    page = parse(project / "site" / "people" / "han-sol-min" / "index.html")
    metas = {
        (m.attrs.get("name") or m.attrs.get("property")): m.attrs.get("content", "")
        for m in page.find_all("meta")
    }
    assert metas["description"] == lead
    assert metas["og:description"] == lead
    assert metas["og:title"] == "Han Sol-min"
    assert metas["og:type"] == "article"
    assert metas["og:url"].endswith("/people/han-sol-min/")


def test_a_hostile_lead_stays_text_in_the_head_and_the_page(project: Path) -> None:
    page = _html(project, "people/hostile-person")
    head = page[: page.index("</head>")]
    assert "<script>alert(1)" not in head
    description = next(
        m.attrs["content"]
        for m in parse(project / "site" / "people" / "hostile-person" / "index.html").find_all(
            "meta"
        )
        if m.attrs.get("name") == "description"
    )
    assert description.startswith('</script><script>alert(1)</script><!-- & "x"')


def test_the_summary_box_shows_each_value_with_how_it_is_known_and_its_note(
    project: Path,
) -> None:
    article = _article(project, "people/han-sol-min")
    box = article[article.index('<aside aria-label="Summary"') : article.index("</aside>")]
    rows = dict(re.findall(r"<dt>(.*?)</dt>\s*((?:<dd>.*?</dd>\s*)+)", box, re.DOTALL))
    assert {"Names", "Status", "Age", "Family", "Postings"} <= set(rows)
    # Disagreement shown where the value is.
    age = _text(rows["Age"])
    assert "47 years old" in age and "48 years old" in age and "(sources differ)" in age
    assert "(according to officials)" in age
    # Each value's quotes are one hover or tap away: a note marker after each.
    for label, cells in rows.items():
        for cell in re.findall(r"<dd>(.*?)</dd>", cells, re.DOTALL):
            assert 'class="footnote-ref"' in cell, (label, cell)


def test_every_claim_has_its_note_on_its_own_page(project: Path) -> None:
    wiki = Pipeline(Project.at(project)).wiki()
    for kind in ("people", "missions", "events", "sources"):
        for ref in wiki.refs(kind):
            page = _html(project, f"{kind}/{ref.id}")
            for field, index, _ in wiki.profile(ref).claims():
                assert f'id="fnref-{field}-{index}"' in page, (ref, field, index)
                assert f'id="fn-{field}-{index}"' in page, (ref, field, index)


def test_a_source_page_shows_the_archive_with_every_passage_marked(project: Path) -> None:
    wiki = Pipeline(Project.at(project)).wiki()
    article = _article(project, "sources/test-gazette")
    archive = (project / "seeds" / "article.txt").read_text(encoding="utf-8")
    shown = _text(article[article.index('class="ff-archive"') :])
    # The whole text, once (words as the archive has them).
    for line in archive.splitlines():
        for word in line.split()[:3]:
            assert word in shown
    for passage in wiki.passages("test-gazette"):
        assert f'id="{passage.anchor}"' in article
        marked = re.findall(
            rf'<mark class="ff-passage" data-q="[^"]*\b{passage.anchor}\b[^"]*">(.*?)</mark>',
            article,
        )
        bare = re.sub(r"\s|\[…\]", "", passage.text)
        assert re.sub(r"\s", "", "".join(_text(m) for m in marked)) == bare
        for citer in passage.cited_by:
            href = f"../../{citer.ref.kind}/{citer.ref.id}/#fnref-{citer.field}-{citer.position}"
            assert f'href="{href}"' in article


def test_archive_text_is_never_markup(tmp_path: Path) -> None:
    project = build_minimal(tmp_path / "wiki")
    seeds = project / "seeds" / "article.txt"
    text = seeds.read_text(encoding="utf-8") + (
        "\n\n<script>alert(1)</script> *em* [l](javascript:x) {{ x }} <!-- c\n\n1. not a list\n"
        "///Footnotes Go Here///\n"
    )
    _rerecord(project, text)
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    article = _article(project, "sources/test-gazette")
    assert "<script>alert(1)" not in article and "<em>em</em>" not in article
    assert "<!-- c" not in article and "<ol>" not in article
    assert 'href="javascript' not in article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article or "&#60;script" in article
    assert "Footnotes Go Here" in _text(article)


def _rerecord(project: Path, text: str, **fields: str) -> None:
    """Write a new archive for the test gazette, with its checksum (and other fields)."""
    import hashlib

    (project / "seeds" / "article.txt").write_text(text, encoding="utf-8")
    path = project / "profiles" / "sources" / "test-gazette.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    data.update(fields)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_source_that_may_not_be_republished_shows_only_its_passages(tmp_path: Path) -> None:
    project = build_minimal(tmp_path / "wiki")
    archive = (project / "seeds" / "article.txt").read_text(encoding="utf-8")
    far = "\n\nThis sentence is far from every quote. So is this one. And this.\n"
    _rerecord(project, archive + far * 3, republish="passages")
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    article = _article(project, "sources/test-gazette")
    shown = _text(article[article.index('class="ff-archive"') :])
    assert "far from every quote" not in shown
    assert "[…]" in shown
    assert "left the embassy in Ruritania" in shown
    wiki = Pipeline(Project.at(project)).wiki()
    for passage in wiki.passages("test-gazette"):
        assert f'id="{passage.anchor}"' in article


# --- Conventions ----------------------------------------------------------------------


def test_every_page_is_in_the_sitemap(project: Path) -> None:
    site = project / "site"
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    base = config["site_url"]
    listed = set(re.findall(r"<loc>(.*?)</loc>", (site / "sitemap.xml").read_text("utf-8")))
    with gzip.open(site / "sitemap.xml.gz", "rt", encoding="utf-8") as packed:
        assert set(re.findall(r"<loc>(.*?)</loc>", packed.read())) == listed
    pages = {
        base + path.parent.relative_to(site).as_posix() + "/"
        for path in site.rglob("index.html")
        if "http-equiv" not in path.read_text(encoding="utf-8")
        and path.parent.relative_to(site).parts[:1] != ("search",)
    }
    pages = {page.replace(base + "./", base) for page in pages}
    assert pages <= listed, sorted(pages - listed)[:5]
    assert base + "people/han-sol-min/" in listed


def test_footer_licence_and_dark_mode_toggle(project: Path) -> None:
    page = _html(project, "people/han-sol-min")
    assert "Text and data: CC BY 4.0; archived articles belong to their publishers" in page
    palette = parse(project / "site" / "index.html").find_all("input")
    schemes = {i.attrs.get("data-md-color-scheme") for i in palette if i.attrs.get("name")}
    assert {"default", "slate"} <= schemes
    assert 'title="Switch to dark mode"' in page


def test_cite_this_page_gives_the_latest_cited_source_date_not_the_build_date(
    project: Path,
) -> None:
    article = _article(project, "people/han-sol-min")
    cite = article[article.index('class="ff-cite__plain"') :]
    plain = _text(cite[cite.index(">") + 1 : cite.index("</p>")])
    assert plain.startswith("“Han Sol-min.” North Korean Diplomats Fact File.")
    # The test gazette, dated May 2024, is the only source the page cites.
    assert "Latest source cited: May 2024." in plain
    assert plain.endswith("/people/han-sol-min/")
    bibtex = _text(cite[cite.index("<code>") :])
    assert "@misc{factfile-people-han-sol-min," in bibtex
    assert "year = {2024}" in bibtex and "month = {may}" in bibtex
    assert "url = {" in bibtex and "title = {Han Sol-min}" in bibtex


def test_pages_build_and_cite_without_a_site_url(tmp_path: Path) -> None:
    project = build_minimal(tmp_path / "wiki")
    config_path = project / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    del config["site_url"]
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    page = _html(project, "people/han-sol-min")
    assert 'property="og:url"' not in page and 'rel="canonical"' not in page
    cite = _text(page[page.index('class="ff-cite"') :].split("</section>")[0])
    assert "Latest source cited: May 2024." in cite and "http" not in cite
    assert urlsplit(config.get("site_url", "")).netloc == ""


def test_a_child_s_status_is_never_dated_by_working_it_out(
    fixture_project: Any,
) -> None:
    """A person's status is dated by the event that brought it about, except for a
    person reported as a child: nothing is worked out about them (editorial policy)."""
    project = fixture_project("minimal")
    lead = _description(Pipeline(project).render().pages["people/han-sol-min.md"])
    assert "on 3 May 2024" in lead
    path = project.profiles_dir / "people" / "han-sol-min.yaml"
    path.write_text("minor_when_reported: true\n" + path.read_text("utf-8"), encoding="utf-8")
    lead = _description(Pipeline(project).render().pages["people/han-sol-min.md"])
    assert "Defected" in lead and "3 May 2024" not in lead


def _description(page: str) -> str:
    front = yaml.safe_load(page.split("---\n", 2)[1])
    return html.unescape(front["description"])
