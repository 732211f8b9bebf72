"""``mkdocs serve`` with live reload survives a contributor's mistakes.

A real server on a free port serves a copy of the minimal fixture; the test breaks a
profile, watches the server report it, then fixes it with new content and waits for
the rebuilt page. Every wait is bounded and the server is always stopped.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

from .conftest import FIXTURES, copy_project
from .live_wiki import ServeProcess, mkdocs_serve

PAGE = "people/han-sol-min/"
PROFILE = "profiles/people/han-sol-min.yaml"
GOOD_QUOTE = "quote: Han Sol-min, 47\n"
STARTUP = 90.0
REBUILD = 60.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServeProcess]:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    with mkdocs_serve(project, startup=STARTUP) as running:
        yield running


def edit(project: Path, old: str, new: str) -> None:
    path = project / PROFILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_serve_reports_a_broken_profile_and_rebuilds_once_it_is_fixed(server: ServeProcess) -> None:
    project = server.project
    first = server.wait_for_page(PAGE, "Han Sol-min, 47", STARTUP)
    assert "livereload" in first  # live reload is on

    mark = len(server.log())
    edit(project, GOOD_QUOTE, "quote: Han Sol-min, 46\n")
    error = server.wait_for_log(
        r"^ERROR\s+-\s+(profiles/people/han-sol-min\.yaml:\d+:\d+): quote not found", mark, REBUILD
    )
    line = next(
        n
        for n, text in enumerate((project / PROFILE).read_text("utf-8").splitlines(), 1)
        if "Han Sol-min, 46" in text
    )
    assert error.group(1) == f"{PROFILE}:{line}:16"
    server.wait_for_log(r"still serving the last good site", mark, REBUILD)
    assert server.process.poll() is None
    assert "Traceback" not in server.log()[mark:]

    # Fixed with new content: the page is rebuilt and shows it.
    mark = len(server.log())
    edit(project, "quote: Han Sol-min, 46\n", GOOD_QUOTE)
    edit(
        project, "  - value: Han Sol Min\n", "  - value: Han Sol Min (as another paper spells it)\n"
    )
    page = server.wait_for_page(PAGE, "Han Sol Min (as another paper spells it)", REBUILD)
    assert "Han Sol-min, 47" in page
    assert server.process.poll() is None


@pytest.mark.slow
def test_serve_keeps_serving_the_last_good_page_while_a_profile_is_broken(
    server: ServeProcess,
) -> None:
    project = server.project
    server.wait_for_page(PAGE, "Han Sol-min, 47", STARTUP)
    mark = len(server.log())
    edit(project, GOOD_QUOTE, "quote: Han Sol-min, 46\n")
    server.wait_for_log(r"still serving the last good site", mark, REBUILD)
    try:
        page = server.get(PAGE, timeout=10)
    except (urllib.error.URLError, TimeoutError) as exc:
        raise AssertionError(f"the last good page is not served: {exc}") from None
    assert "Han Sol-min, 47" in page
    assert server.process.poll() is None


@pytest.mark.slow
def test_serve_starts_with_a_broken_profile_shows_the_errors_and_builds_once_fixed(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    edit(project, GOOD_QUOTE, "quote: Han Sol-min, 46\n")
    line = next(
        n
        for n, text in enumerate((project / PROFILE).read_text("utf-8").splitlines(), 1)
        if "Han Sol-min, 46" in text
    )
    located = f"{PROFILE}:{line}:16: quote not found in source &#x27;test-gazette&#x27;"
    with mkdocs_serve(project, startup=STARTUP) as server:
        assert re.search(
            rf"^ERROR\s+-\s+{re.escape(PROFILE)}:{line}:16: quote not", server.log(), re.M
        )
        # Every address shows the errors, located, in place of the site.
        for path in ("", PAGE, "missions/"):
            status, page = server.get_any(path)
            assert "1 error in the profiles" in page, (path, status)
            assert located in page
            assert 'quote has "46" where the article has "47"'.replace('"', "&quot;") in page
        assert server.get_any("")[0] == 200
        assert "livereload" in server.get("")

        # A second mistake while the errors are shown: the list follows the profiles.
        mark = len(server.log())
        mission = project / "profiles/missions/embassy-in-ruritania.yaml"
        mission.write_text(mission.read_text("utf-8") + "ambassador: nobody\n", "utf-8")
        server.wait_for_page("", "2 errors in the profiles", REBUILD)
        mission.write_text(mission.read_text("utf-8").replace("ambassador: nobody\n", ""), "utf-8")
        server.wait_for_page("", "1 error in the profiles", REBUILD)

        # Fixed: the site is built as usual.
        edit(project, "quote: Han Sol-min, 46\n", GOOD_QUOTE)
        page = server.wait_for_page(PAGE, "Han Sol-min, 47", REBUILD)
        assert "error in the profiles" not in page
        assert "error in the profiles" not in server.get("")

        # From now on a broken profile keeps the last good site, as before.
        mark = len(server.log())
        edit(project, GOOD_QUOTE, "quote: Han Sol-min, 46\n")
        server.wait_for_log(r"still serving the last good site", mark, REBUILD)
        assert "Han Sol-min, 47" in server.get(PAGE)
        assert "Traceback" not in server.log()
        assert server.process.poll() is None


@pytest.mark.slow
def test_serve_starts_right_after_factfile_new_and_says_what_to_fill_in(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    made = CliRunner().invoke(main, ["new", "person", "Pak Un-ju", "--project", str(project)])
    assert made.exit_code == 0, made.output
    with mkdocs_serve(project, startup=STARTUP) as server:
        status, page = server.get_any("people/pak-un-ju/")
        assert "1 error in the profiles" in page, status
        assert (
            "profiles/people/pak-un-ju.yaml:20:17: names[0].cite[0].source: replace the "
            "placeholder &#x27;replace-with-source-id&#x27; with the id of the source"
        ) in page
        # The skeleton put aside, the site is built.
        (project / "profiles/people/pak-un-ju.yaml").unlink()
        server.wait_for_page(PAGE, "Han Sol-min, 47", REBUILD)
        assert "Traceback" not in server.log()
