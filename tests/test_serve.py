"""``mkdocs serve`` with live reload survives a contributor's mistakes.

A real server on a free port serves a copy of the minimal fixture; the test breaks a
profile, watches the server report it, then fixes it with new content and waits for
the rebuilt page. Every wait is bounded and the server is always stopped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

from .conftest import FIXTURES, copy_project
from .live_wiki import free_port

PAGE = "people/han-sol-min/"
PROFILE = "profiles/people/han-sol-min.yaml"
GOOD_QUOTE = "quote: Han Sol-min, 47\n"
STARTUP = 90.0
REBUILD = 60.0


@dataclass
class Server:
    """A running ``mkdocs serve`` and everything it has printed so far."""

    process: subprocess.Popen[str]
    url: str
    project: Path
    lines: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.lines)

    def wait_for_log(self, pattern: str, start: int, timeout: float) -> re.Match[str]:
        """The first match of ``pattern`` in what the server printed after ``start``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log()[start:], re.MULTILINE)
            if match:
                return match
            assert self.process.poll() is None, f"server exited:\n{self.log()}"
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} within {timeout}s:\n{self.log()[start:]}")

    def get(self, path: str, timeout: float = 10.0) -> str:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return response.read().decode("utf-8")

    def get_any(self, path: str, timeout: float = 10.0) -> tuple[int, str]:
        """The status and body of ``path``, whatever the status."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def wait_for_page(self, path: str, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited:\n{self.log()}"
            try:
                last = self.get(path, timeout=max(1.0, deadline - time.monotonic()))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                last = ""
            if needle in last:
                return last
            time.sleep(0.3)
        raise AssertionError(f"{needle!r} not on {path} within {timeout}s:\n{self.log()}")


@contextmanager
def serving(project: Path) -> Iterator[Server]:
    """``mkdocs serve`` of ``project`` on a free port, once it says it is serving."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    # MkDocs serves the site under the path of its site_url, as it will be published.
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    root = urlsplit(config.get("site_url") or "/").path.strip("/")
    running = Server(process, f"http://127.0.0.1:{port}/{root + '/' if root else ''}", project)
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: running.lines.extend(iter(stdout.readline, "")))
    reader.daemon = True
    reader.start()
    try:
        running.wait_for_log(r"Serving on http://127\.0\.0\.1", 0, STARTUP)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        reader.join(timeout=5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with serving(copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")) as running:
        yield running


def edit(project: Path, old: str, new: str) -> None:
    path = project / PROFILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.slow
def test_serve_reports_a_broken_profile_and_rebuilds_once_it_is_fixed(server: Server) -> None:
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
    server: Server,
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
    with serving(project) as server:
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
    with serving(project) as server:
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
