"""Recent changes: a real repository's history as a site page and an Atom feed.

The history (``git_wiki.history_repo``) has a qualifier change, a rename, a value change,
a removed profile, and a commit that left the wiki failing the checks and one that
repaired it. Entries are dated by their commits, so the output never depends on when
or where it is built.
"""

from __future__ import annotations

import re
import subprocess
import time
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
import yaml

from generator import changes
from generator.build import Pipeline, reusing
from generator.extras import extra_files
from generator.project import Project

from .conftest import FIXTURES, build_site, copy_project
from .git_wiki import HAN, Repo, history_repo, new_repo
from .html_tools import parse, resolve

ATOM = "{http://www.w3.org/2005/Atom}"
SUBJECTS = [
    "Finish the profiles",
    "Add a role, and a profile left unfinished",
    "Remove the defection event",
    "The closure is dated to the year",
    "Give Choe Mi-ran a clearer id",
    "Han Sol-min's status is the ministry's word",
    "Start the wiki with Han Sol-min's defection",
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, list[str]]:
    return history_repo(tmp_path_factory.mktemp("history") / "wiki")


def commit_dates(repo: Repo) -> list[str]:
    return repo.git("log", "--format=%cI").split()


def atom(data: bytes) -> ET.Element:
    """The feed, checked for what RFC 4287 requires of a feed and of each entry."""
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{required}")) == 1, required
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{required}")) == 1, required
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", entry_text(entry))
    return feed


def entry_text(entry: ET.Element, name: str = "updated") -> str:
    found = entry.find(f"{ATOM}{name}")
    assert found is not None and found.text is not None
    return found.text


@pytest.mark.slow
def test_the_site_lists_each_commit_as_facts_with_links_and_a_feed(
    history: tuple[Repo, list[str]],
) -> None:
    repo, _ = history
    # The plugin's setting: six of the seven commits. A feed left behind by an earlier
    # `factfile render` is replaced, not built twice.
    config = repo.root / "mkdocs.yml"
    settings = yaml.safe_load(config.read_text("utf-8"))
    (plugin,) = [p for p in settings["plugins"] if isinstance(p, dict) and "factfile" in p]
    plugin["factfile"]["changes"] = 6
    # Without a site_url the feed's links are relative (absolute ones are tested below).
    settings.pop("site_url", None)
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), "utf-8")
    (repo.root / "docs/changes.xml").write_text("stale", encoding="utf-8")
    site = build_site(repo.root)

    page_path = site / "reference/changes/index.html"
    page = parse(page_path)
    headings = [h for h in page.find_all("h2") if h.attrs.get("id", "").startswith("c-")]
    assert [h.text.rstrip("¶") for h in headings] == SUBJECTS[:6]
    # Profile text and commit subjects reach the page as character references.
    html = unescape(page_path.read_text(encoding="utf-8"))
    for date in commit_dates(repo)[:6]:
        assert f"{date[:10]} · commit" in html
    assert "according to: the foreign ministry → the ministry" in html
    assert "closed (date: 2024-06) → closed (date: 2024)" in html
    assert "renamed from people/choe-mi-ran" in html
    assert "profiles/people/broken.yaml could not be read at this commit" in html

    # Every link to a profile leads to its page; the removed event has none.
    targets = set()
    for link in page.find_all("a"):
        found = resolve(site, page_path, link.attrs.get("href", ""))
        if found is not None:
            assert found[0].is_file(), link.attrs["href"]
            targets.add(found[0].relative_to(site).as_posix())
    assert {"people/han-sol-min/index.html", "people/choe-mi-ran-wife/index.html"} <= targets
    event = "Han Sol-min leaves the embassy in Ruritania"
    assert event in html and not (site / "events/han-sol-min-defects").exists()
    assert not [a for a in page.find_all("a") if a.text.strip() == event]
    (feed_link,) = [a for a in page.find_all("a") if a.attrs.get("rel") == "alternate"]
    assert feed_link.attrs["type"] == "application/atom+xml"
    assert resolve(site, page_path, feed_link.attrs["href"]) == (site / "changes.xml", "")

    home = parse(site / "index.html")
    assert any(a.text.strip() == "Recent changes" for a in home.find_all("a"))

    feed = atom((site / "changes.xml").read_bytes())
    entries = feed.findall(f"{ATOM}entry")
    assert [entry_text(e, "title") for e in entries] == SUBJECTS[:6]
    assert [entry_text(e) for e in entries] == commit_dates(repo)[:6]
    assert entry_text(feed) == commit_dates(repo)[0]
    anchors = {h.attrs["id"] for h in headings}
    for entry in entries:
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None
        path, _, anchor = link.attrib["href"].partition("#")
        assert path == "reference/changes/" and anchor in anchors
    renamed = entries[SUBJECTS.index("Give Choe Mi-ran a clearer id")]
    content = entry_text(renamed, "content")
    assert '<a href="people/choe-mi-ran-wife/">Choe Mi-ran</a>' in content


def test_the_same_history_gives_the_same_bytes_wherever_and_whenever_it_is_built(
    history: tuple[Repo, list[str]], tmp_path: Path
) -> None:
    repo, _ = history
    clone = tmp_path / "elsewhere"
    subprocess.run(["git", "clone", "-q", str(repo.root), str(clone)], check=True, env=repo.env)
    made = []
    for root in (repo.root, clone, repo.root):
        built = Pipeline(Project.at(root)).render()
        feed = extra_files(built.wiki, history=built.history)[changes.FEED]
        made.append((built.pages[changes.PAGE], feed))
        time.sleep(1.1)  # a build time in the output would now differ
    assert made[0] == made[1] == made[2]
    page, feed = made[0]
    assert page.count("\n## ") == len(SUBJECTS)
    assert len(atom(feed).findall(f"{ATOM}entry")) == len(SUBJECTS)


def test_a_new_commit_shows_on_the_next_rebuild(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "wiki")
    pipeline = reusing(Project.at(repo.root))
    first = pipeline.render().pages[changes.PAGE]
    assert first == pipeline.render().pages[changes.PAGE]
    repo.replace(HAN, "according_to: the foreign ministry", "according_to: the ministry")
    # Not committed: the page is the history, not the working tree.
    assert pipeline.render().pages[changes.PAGE] == first
    repo.commit("Han Sol-min's status is the ministry's word", "2024-02-01T09:00:00+09:00")
    after = pipeline.render().pages[changes.PAGE]
    assert "Han Sol-min&#39;s status" in after or "Han Sol-min's status" in after
    assert after.index("ministry") < after.index("Start the wiki")


def test_the_number_of_commits_shown_is_a_setting(history: tuple[Repo, list[str]]) -> None:
    repo, _ = history
    built = Pipeline(Project.at(repo.root, changes_shown=2)).render()
    assert built.history is not None
    assert [c.subject for c in built.history.commits] == SUBJECTS[:2]
    assert built.pages[changes.PAGE].count("\n## ") == 2


def test_feed_links_are_absolute_under_a_site_url(history: tuple[Repo, list[str]]) -> None:
    repo, _ = history
    built = Pipeline(Project.at(repo.root)).render()
    feed = extra_files(
        built.wiki,
        directory_urls=False,
        history=built.history,
        site_url="https://example.org/wiki",
        site_name="A wiki",
    )[changes.FEED]
    parsed = atom(feed)
    assert entry_text(parsed, "id") == "https://example.org/wiki/changes.xml"
    assert entry_text(parsed, "title") == "A wiki: Recent changes"
    text = feed.decode("utf-8")
    assert 'href="https://example.org/wiki/reference/changes.html#c-' in text
    assert '&lt;a href="https://example.org/wiki/people/han-sol-min.html"&gt;' in text


def test_a_shallow_clone_lists_only_commits_whose_parents_it_has(
    history: tuple[Repo, list[str]], tmp_path: Path
) -> None:
    repo, _ = history
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", f"file://{repo.root}", str(shallow)],
        check=True,
        env=repo.env,
    )
    found = changes.history(Project.at(shallow))
    # The third commit's parent was not fetched: what it changed is unknown, so it is
    # not shown as the whole wiki added.
    assert [c.subject for c in found.commits] == SUBJECTS[:2]
    assert found.truncated
    page = Pipeline(Project.at(shallow)).render().pages[changes.PAGE]
    assert "Older commits are not in this copy of the repository" in page


def test_outside_a_repository_the_page_says_so_and_the_feed_is_empty(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    built = Pipeline(Project.at(project)).build()
    page = (project / "docs" / changes.PAGE).read_text(encoding="utf-8")
    assert "There is no history to show: the wiki is not in a git repository." in page
    feed = atom((project / "docs" / changes.FEED).read_bytes())
    assert feed.findall(f"{ATOM}entry") == []
    assert entry_text(feed) == "1970-01-01T00:00:00Z"
    assert built.report is not None and "changes.xml" in built.report.written
    again = Pipeline(Project.at(project)).build()
    assert again.report is not None and again.report.written == []


def test_without_git_the_page_says_so(
    history: tuple[Repo, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = history
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    built = Pipeline(Project.at(repo.root)).render()
    assert "There is no history to show: git is not installed." in built.pages[changes.PAGE]
    assert built.history is not None and built.history.commits == ()


def test_commit_subjects_and_profile_text_are_text_on_the_page_and_in_the_feed(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path / "wiki")
    repo.replace(HAN, "according_to: the foreign ministry", "according_to: the ministry")
    repo.replace(HAN, "according_to: another paper", 'according_to: "<b>x</b> [y](javascript:z)"')
    subject = "<script>alert(1)</script> [x](javascript:alert(1)) {: #id } \x1b[31m & *b*"
    repo.commit(subject, "2024-02-01T09:00:00+09:00")
    built = Pipeline(Project.at(repo.root)).render()
    page = built.pages[changes.PAGE]
    heading = next(line for line in page.splitlines() if line.startswith("## ") and "alert" in line)
    for active in ("<script", "](", "{:", "\x1b", "*b*"):
        assert active not in heading.rsplit(" { #", 1)[0], active
    changed = [line for line in page.splitlines() if "javascript" in line]
    assert changed and not any("<b>" in line or "](" in line for line in changed)
    feed = atom(extra_files(built.wiki, history=built.history)[changes.FEED])
    title = entry_text(feed.findall(f"{ATOM}entry")[0], "title")
    assert title.startswith("<script>alert(1)</script>")  # text, escaped in the XML
    assert "\x1b" not in title
    content = entry_text(feed.findall(f"{ATOM}entry")[0], "content")
    assert "&lt;b&gt;x&lt;/b&gt;" in content and "<b>" not in content
