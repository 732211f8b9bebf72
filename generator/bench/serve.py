"""What a maintainer waits for while serving: from saving a profile to the changed page
being served by a real ``mkdocs serve``, and how long ``mkdocs serve`` takes to start.

Each edit is timed from the moment the file is written to the moment an HTTP request
for the page it changes returns the new text (the live-reload server holds requests
while it rebuilds, so that is when a browser would show it).
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Serve:
    """A running ``mkdocs serve`` of a project, and what it printed."""

    def __init__(self, root: Path, config: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{port}/"
        self.lines: list[str] = []
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        assert self.process.stdout is not None
        stdout = self.process.stdout
        self._reader = threading.Thread(
            target=lambda: self.lines.extend(iter(stdout.readline, "")), daemon=True
        )
        self._reader.start()

    def wait_for(self, pattern: str, timeout: float = 3600, after: int = 0) -> float:
        """Seconds since the server started, once it printed ``pattern`` (in a line after
        the first ``after``)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if any(re.search(pattern, line) for line in list(self.lines)[after:]):
                return time.perf_counter() - self.started
            if self.process.poll() is not None:
                raise RuntimeError("mkdocs serve stopped:\n" + "".join(self.lines[-40:]))
            time.sleep(0.05)
        raise TimeoutError(pattern)

    def follow_served_address(self) -> None:
        """Request pages where MkDocs says it serves them: under the path of ``site_url``,
        when the configuration sets one."""
        for line in self.lines:
            found = re.search(r"Serving on (http://\S+)", line)
            if found:
                self.url = found.group(1).rstrip("/") + "/"

    def body(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.url + path, timeout=120) as response:
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._reader.join(timeout=5)


def _save_to_served(serve: Serve, write: Callable[[], None], path: str, needle: str) -> float:
    """Seconds from ``write()`` returning to ``needle`` appearing on the page at ``path``."""
    write()
    saved = time.perf_counter()
    while time.perf_counter() < saved + 600:
        if needle in serve.body(path):
            return time.perf_counter() - saved
        if serve.process.poll() is not None:
            break
        time.sleep(0.01)
    log = "".join(serve.lines[-20:])
    raise TimeoutError(f"{needle!r} never appeared on {serve.url}{path}; the server said:\n{log}")


def _rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
    def write() -> None:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        change(data)
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)
        path.write_text(text, encoding="utf-8")

    return write


def edits(root: Path, person: str, event: str) -> list[tuple[str, Callable[[], None], str, str]]:
    """Edits of different kinds: (name, write, page path, text the page then shows)."""
    people = root / "profiles" / "people"
    renamed = "Renamed for the benchmark"

    def rename(data: dict[str, Any]) -> None:
        data["name"] = data["names"][0]["value"] = f"{data['name']} ({renamed})"

    def new_role(data: dict[str, Any]) -> None:
        data["roles"][0]["value"] = "envoy for the benchmark"
        data["roles"][0]["cue_waived"] = "An edit made by the benchmark."

    def add() -> None:
        text = (people / f"{person}.yaml").read_text(encoding="utf-8")
        (people / "added-by-the-benchmark.yaml").write_text(text, encoding="utf-8")

    def redate(data: dict[str, Any]) -> None:
        data["date"][0]["value"] = "1999-12-31"
        data["date"][0]["inferred"] = "An edit made by the benchmark."

    def hand_written() -> None:
        home = root / "docs" / "index.md"
        home.write_text(home.read_text(encoding="utf-8") + "\nEdited for the benchmark.\n")

    return [
        ("rename the most linked-to person", _rewrite(people / f"{person}.yaml", rename),
         f"people/{person}/", renamed),
        ("change a person's role", _rewrite(people / f"{person}.yaml", new_role),
         f"people/{person}/", "envoy for the benchmark"),
        ("add a person", add, "people/added-by-the-benchmark/", "</html>"),
        ("redate an event", _rewrite(root / "profiles" / "events" / f"{event}.yaml", redate),
         f"events/{event}/", "31 December 1999"),
        ("edit a hand-written page", hand_written, "", "Edited for the benchmark."),
    ]  # fmt: skip


def measure(root: Path, config: Path, person: str, event: str) -> dict[str, Any]:
    """``mkdocs serve``'s first build, and save-to-served for each kind of edit."""
    touched = [
        root / "profiles" / "people" / f"{person}.yaml",
        root / "profiles" / "events" / f"{event}.yaml",
        root / "docs" / "index.md",
    ]
    before = {path: path.read_bytes() for path in touched}
    serve = Serve(root, config)
    try:
        figures: dict[str, Any] = {"serve_start_s": serve.wait_for(r"Serving on http")}
        serve.follow_served_address()
        # The first build is made beside MkDocs; the state the edits start from is then
        # made again in the server, in the background. An edit saved before it is ready
        # waits for it.
        figures["serve_ready_s"] = serve.wait_for(r"factfile: ready for edits", timeout=1800)
        runs: dict[str, float] = {}
        downloads: list[float] = []
        for name, write, path, needle in edits(root, person, event):
            seen, started = len(serve.lines), time.perf_counter()
            runs[name] = _save_to_served(serve, write, path, needle)
            # The downloads follow an edit of a profile in the background; waiting for
            # them (and a second more for the pages listing many others) keeps the next
            # edit from overlapping this one's work.
            if not name.startswith("edit a hand-written"):
                serve.wait_for(r"data downloads brought up to date", timeout=600, after=seen)
                downloads.append(time.perf_counter() - started)
            time.sleep(1.0)
        figures["serve_edit_runs_s"] = runs
        figures["serve_edit_s"] = statistics.median(runs.values())
        figures["serve_downloads_s"] = statistics.median(downloads)
        return figures
    finally:
        serve.stop()
        # The wiki is left as it was measured on (kept with --keep).
        for path, data in before.items():
            path.write_bytes(data)
        (root / "profiles" / "people" / "added-by-the-benchmark.yaml").unlink(missing_ok=True)
