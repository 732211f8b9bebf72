"""Reader features in built HTML: timelines, relation diagrams, disagreements, tags,
statistics and alias addresses, from real ``mkdocs build --strict`` runs."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from generator.build import Pipeline
from generator.model import KINDS, DateSpec
from generator.project import Project
from generator.redirects import alias_targets

from .html_tools import parse, resolve
from .test_reader_support import HOSTILE, build_minimal

pytestmark = pytest.mark.slow

_SVG = re.compile(r'<svg class="ff-diagram".*?</svg>', re.DOTALL)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_minimal(tmp_path_factory.mktemp("reader") / "wiki", extended=True)


def _html(project: Path, page: str) -> str:
    return (project / "site" / page / "index.html").read_text(encoding="utf-8")


def _article(project: Path, page: str) -> str:
    html = _html(project, page)
    return html[html.index("<article") : html.index("</article>")]


def _event_dates(project: Path) -> dict[str, DateSpec]:
    dates = {}
    for path in (project / "profiles" / "events").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        stated = sorted(
            (DateSpec.parse(str(c["value"])) for c in data.get("date", [])),
            key=DateSpec.sort_key,
        )
        dates[path.stem] = stated[0] if stated else DateSpec(None, None)
    return dates


def test_site_timeline_lists_every_event_in_date_order_at_stated_precision(project: Path) -> None:
    article = _article(project, "events")
    dates = _event_dates(project)
    order = re.findall(r'href="([a-z0-9-]+)/"', article)
    assert sorted(order) == sorted(dates)
    keys = [dates[id_].sort_key() for id_ in order]
    assert keys == sorted(keys)
    rows = re.findall(r"<tr>(.*?)</tr>", article, re.DOTALL)[1:]
    assert len(rows) == len(dates)
    for row in rows:
        date, _, kind = (_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL))
        # Every event shows its kind; an undated one says so once, in its date cell.
        assert kind and date
    text = _text(article)
    # Month precision is never shown as a day; a range shows both ends; no date is invented.
    assert "June 2024" in text and not re.search(r"\d+ June 2024", text)
    assert "May 2024 – June 2024" in text
    assert "Not stated" in text and "Date unknown" not in text
    # A script sorts by the machine-readable date of each row's <time>.
    assert '<time datetime="2024-06">June 2024</time>' in article


def _section(article: str, anchor: str) -> str:
    section = article[article.index(f'id="{anchor}"') :]
    return section[: section.index("<h2")] if "<h2" in section else section


def test_person_and_mission_pages_have_their_own_timeline(project: Path) -> None:
    person = _article(project, "people/han-sol-min")
    section = _section(person, "timeline")
    linked = re.findall(r'href="\.\./\.\./events/([a-z0-9-]+)/"', section)
    dates = _event_dates(project)
    involving = {
        id_
        for id_ in dates
        if "han-sol-min"
        in (project / "profiles" / "events" / f"{id_}.yaml").read_text(encoding="utf-8")
    }
    # Every event the person takes part in, once: the dated in date order, then those no
    # source dates, under a line of their own rather than a "date unknown" each.
    assert sorted(linked) == sorted(involving)
    known = [id_ for id_ in linked if dates[id_].known]
    assert linked[: len(known)] == known
    assert [dates[i].sort_key() for i in known] == sorted(dates[i].sort_key() for i in known)
    assert "Not dated by the sources" in section and "Date unknown" not in person
    # No other section lists the events again (the summary dates a status by its event).
    rest = re.sub(r"<aside.*?</aside>", "", person.replace(section, ""), flags=re.DOTALL)
    for id_ in involving:
        assert f"events/{id_}/" not in _strip_diagrams(rest), id_
    mission = _article(project, "missions/embassy-in-ruritania")
    section = _section(mission, "timeline")
    assert "June 2024" in section and "1975" in section
    assert section.index("1975") < section.index("June 2024")


def _strip_diagrams(html: str) -> str:
    return _SVG.sub("", html)


@pytest.mark.parametrize("page", ["people/han-sol-min", "missions/embassy-in-ruritania"])
def test_relation_diagram_links_only_to_real_pages(project: Path, page: str) -> None:
    html = _html(project, page)
    drawings = _SVG.findall(html)
    assert len(drawings) == 2  # wide and narrow
    site = project / "site"
    for svg in drawings:
        hrefs = re.findall(r'href="([^"]+)"', svg)
        assert hrefs
        for href in hrefs:
            target = resolve(site, site / page / "index.html", href)
            assert target is not None and target[0].is_file(), href
        assert "<script" not in svg


def test_diagram_labels_are_escaped(project: Path) -> None:
    for svg in _SVG.findall(_html(project, "people/hostile-person")):
        assert "<script" not in svg and "<!--" not in svg and "<em>" not in svg
        assert "javascript:" not in "".join(re.findall(r'href="([^"]+)"', svg))
        # Wrapped over lines, the label is the whole name, as text.
        lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
        assert html.escape(HOSTILE, quote=True)[:40] in "".join(lines)


def test_disagreements_page_lists_every_value_with_quotes(project: Path) -> None:
    wiki = Pipeline(Project.at(project)).wiki()
    article = _article(project, "reference/disagreements")
    text = re.sub(r"<[^>]+>", "", article)
    found = [
        (ref, groups)
        for kind in KINDS
        for ref in wiki.refs(kind)
        for _, groups in wiki.disagreements(ref)
    ]
    assert found
    for ref, groups in found:
        assert f'href="../../{ref.kind}/{ref.id}/"' in article
        for value, claims in groups:
            assert value in text
            for claim in claims:
                for cite in claim.cite:
                    spans = wiki.quotes.get(cite.source, cite.quote)
                    archived = wiki.quotes.texts[cite.source].excerpt(spans, cite.quote)
                    assert html.escape(archived, quote=False) in article
    assert "47 years old" in text and "48 years old" in text
    nav = parse(project / "site" / "index.html")
    assert any(a.attrs.get("href") == "reference/disagreements/" for a in nav.find_all("a"))


def test_statistics_page_counts_match_the_profiles(project: Path) -> None:
    profiles = {
        path: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in (project / "profiles").glob("*/*.yaml")
    }
    claims = [
        item
        for data in profiles.values()
        for value in data.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict) and "cite" in item
    ]
    citations = sum(len(item["cite"]) for item in claims)
    cells = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td[^>]*>(.*?)</td>", _article(project, "reference/statistics")
    )
    table = {re.sub(r"<[^>]+>", "", k).strip(): v.strip() for k, v in cells}
    assert table["Claims (facts)"] == str(len(claims))
    assert table["Citations"] == str(citations)
    assert table["All profiles"] == str(len(profiles))
    assert table["People"] == str(len(list((project / "profiles" / "people").glob("*.yaml"))))


def test_tags_come_from_the_data_and_have_an_index(project: Path) -> None:
    tags = parse(project / "site" / "people" / "han-sol-min" / "index.html")
    shown = {a.text.strip() for a in tags.elements if "md-tag" in a.attrs.get("class", "")}
    # Status "defected" and a posting at a mission in Ruritania, as the profile states.
    assert {"defected", "diplomat", "Ruritania"} <= shown
    wife = parse(project / "site" / "people" / "choe-mi-ran" / "index.html")
    assert "family member" in {
        a.text.strip() for a in wife.elements if "md-tag" in a.attrs.get("class", "")
    }
    index = _article(project, "reference/tags")
    for tag in ("tag:defected", "tag:diplomat", "tag:family-member", "tag:ruritania"):
        assert f'id="{tag}"' in index
    defected = index[index.index('id="tag:defected"') :]
    defected = defected[: defected.index("<h2", 1)]
    assert "../../people/han-sol-min/" in defected
    assert "choe-mi-ran" not in defected


def test_hostile_tag_is_shown_as_text(project: Path) -> None:
    page = _html(project, "people/hostile-person")
    assert "<b>Ruri" not in page
    tags = parse(project / "site" / "people" / "hostile-person" / "index.html")
    shown = {a.text.strip() for a in tags.elements if "md-tag" in a.attrs.get("class", "")}
    assert "<b>Ruri</b>tania & co" in shown


def test_alias_addresses_redirect_to_the_page(project: Path) -> None:
    site = project / "site"
    page = site / "people" / "hostile-alias" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../hostile-person/">' in html
    assert '<a href="../hostile-person/">' in html
    assert "<script" not in html
    # "Han Sol Min" is spelled like the page's own address: the page is left alone.
    assert "http-equiv" not in _html(project, "people/han-sol-min")


def test_every_alias_of_the_real_project_redirects(built_site: Path) -> None:
    wiki = Pipeline(Project.at(built_site.parent)).wiki()
    for slug, person_id in alias_targets(wiki).items():
        html = (built_site / "people" / slug / "index.html").read_text(encoding="utf-8")
        assert f"url=../{person_id}/" in html, slug
        assert (built_site / "people" / person_id / "index.html").is_file()


def test_hostile_name_never_becomes_markup(project: Path) -> None:
    html = _html(project, "people/hostile-person")
    assert "<script>alert(1)" not in html
    h1 = [
        e.text
        for e in parse(project / "site" / "people" / "hostile-person" / "index.html").find_all("h1")
    ]
    assert [t.removesuffix("¶") for t in h1] == [HOSTILE]


# --- How each value is known, wherever it appears -----------------------------------------

INFERRED = "inferred by the editors"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_view_says_how_a_value_is_known(project: Path) -> None:
    """The closing of the embassy is dated June 2024 by the editors (the gazette names the
    month only) and reported by the foreign ministry: every view that shows the date or
    the value says so."""
    event = _text(_article(project, "events/embassy-closes"))
    assert f"June 2024 (according to the foreign ministry; {INFERRED})" in event
    assert "The gazette, dated May 2024, names the month without a year." in event
    timeline = _text(_article(project, "events"))
    assert f"June 2024 (according to the foreign ministry; {INFERRED}) The embassy" in timeline
    mission = _text(_article(project, "missions/embassy-in-ruritania"))
    assert f"June 2024 (according to the foreign ministry; {INFERRED}) — The embassy" in mission
    for svg in _SVG.findall(_html(project, "missions/embassy-in-ruritania")):
        assert "June 2024 (inferred)" in svg
    people = _text(_article(project, "people"))
    assert "Defected (according to the foreign ministry)" in people
    han = _text(_article(project, "people/han-sol-min"))
    assert "47 years old (according to officials)" in han


def test_downloads_say_how_each_value_is_known(project: Path) -> None:
    data = json.loads((project / "site/data/factfile.json").read_text(encoding="utf-8"))
    dated = next(c for c in data["claims"] if c["id"] == "events/embassy-closes#date/0")
    assert dated["basis"] == "inferred"
    assert dated["attributes"]["according_to"] == "the foreign ministry"
    assert dated["attributes"]["inferred"].startswith("The gazette, dated May 2024")
    events = {
        row["id"]: row
        for row in csv.DictReader(
            io.StringIO((project / "site/data/events.csv").read_text(encoding="utf-8"))
        )
    }
    assert events["embassy-closes"]["date"] == (
        f"2024-06 (according to the foreign ministry; {INFERRED})"
    )
    people = {
        row["id"]: row
        for row in csv.DictReader(
            io.StringIO((project / "site/data/people.csv").read_text(encoding="utf-8"))
        )
    }
    assert people["han-sol-min"]["status"] == "defected (according to the foreign ministry)"
    # schema.org has no words for "inferred": an inferred date is left out of it.
    ld = re.search(
        r'<script type="application/ld\+json">(.*?)</script>',
        _html(project, "events/embassy-closes"),
    )
    assert ld is not None and "startDate" not in json.loads(ld.group(1))


def test_tags_come_only_from_values_the_sources_state_or_report(project: Path) -> None:
    page = parse(project / "site" / "people" / "hostile-person" / "index.html")
    shown = {a.text.strip() for a in page.elements if "md-tag" in a.attrs.get("class", "")}
    # The hostile person's only role words are in free text: no role tag comes from them.
    assert "analyst" not in shown and "official" not in shown and "trade official" not in shown
