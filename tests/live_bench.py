"""Measure incremental rebuilds while serving a large wiki (not a test).

    python -m tests.live_bench [--people 10000] [--work DIR] [--skip-cold]

Makes a synthetic wiki of ``--people`` generated person pages (a few KB of Markdown each,
with tags, lists, links to other pages and to anchors of source pages, and a table), a
tenth as many source pages and their indexes, served by ``tests/live_hooks.py``. Then:

1. times a cold ``mkdocs build`` of it;
2. starts a real ``mkdocs serve`` and times its first build;
3. makes edits of different kinds and times each from the save to the changed page
   being served over HTTP, with the rebuild's own time from the server's log;
4. times MkDocs' polling file watcher against the native one on a folder of as many
   files: from a save to MkDocs' handler seeing it, and the CPU an idle watcher burns.

Prints a summary and writes every figure to ``WORK/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .live_wiki import (
    ROOT,
    atomic_write,
    make_project,
    person_page,
    person_title,
    person_uri,
    synthetic_pages,
)

REBUILT = re.compile(
    r"Rebuilt (\d+) pages? from Markdown and (\d+) pages? in total in ([\d.]+) seconds"
    r"(?: \(the generator took ([\d.]+) s\))?"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(tmp: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    return env


def cold_build(project: Path, site: Path) -> float:
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
        cwd=project,
        env=environment(),
        check=True,
    )
    return time.monotonic() - started


class Serve:
    """A running ``mkdocs serve`` and what it printed."""

    def __init__(self, project: Path, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.lines: list[tuple[float, str]] = []
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment(tmp),
        )
        assert self.process.stdout is not None
        stdout = self.process.stdout
        self.reader = threading.Thread(target=self._read, args=(stdout,), daemon=True)
        self.reader.start()

    def _read(self, stdout: Any) -> None:
        for line in iter(stdout.readline, ""):
            self.lines.append((time.monotonic(), line))

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 1800) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, line in self.lines[after:]:
                if match := re.search(pattern, line):
                    return match
            if self.process.poll() is not None:
                raise RuntimeError("".join(line for _, line in self.lines))
            time.sleep(0.02)
        raise TimeoutError(pattern)

    def status_and_body(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=120) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.reader.join(timeout=5)


def page_path(uri: str) -> str:
    return uri[: -len(".md")] + "/"


BACKGROUND = re.compile(
    r"Rebuilt (\d+) pages? that list others in the background in ([\d.]+) seconds"
)


def time_edit(
    serve: Serve,
    name: str,
    write: Any,
    path: str,
    done: Any,
    timeout: float = 120,
    background: bool = False,
) -> dict[str, Any]:
    """Seconds from ``write()`` returning to ``done(status, body)`` for the page at ``path``."""
    mark = len(serve.lines)
    write()
    saved = time.monotonic()
    while time.monotonic() < saved + timeout:
        status, body = serve.status_and_body(path)
        if done(status, body):
            break
        time.sleep(0.005)
    else:
        raise TimeoutError(name)
    served = time.monotonic() - saved
    match = serve.wait_for(REBUILT.pattern, mark, timeout)
    result = {
        "edit": name,
        "save_to_served_s": round(served, 3),
        "pages_read": int(match.group(1)),
        "pages_rendered": int(match.group(2)),
        "rebuild_s": float(match.group(3)),
        "generator_s": float(match.group(4) or 0),
    }
    if background:
        # Wait for the pages listing others, so the next edit does not cancel them.
        started = time.monotonic()
        later = serve.wait_for(BACKGROUND.pattern, mark, 1800)
        result["background_pages"] = int(later.group(1))
        result["background_s"] = float(later.group(2))
        result["save_to_background_done_s"] = round(time.monotonic() - started + served, 1)
    time.sleep(1.0)  # the server is idle again before the next edit
    print(f"  {name}: {result}", flush=True)
    return result


def edits(project: Path, people: int, serve: Serve) -> list[dict[str, Any]]:
    pages = project / "pages"
    results = []

    def rewrite(uri: str, old: str, new: str) -> Any:
        def write() -> None:
            path = pages / uri
            text = path.read_text(encoding="utf-8")
            assert old in text, (uri, old)
            atomic_write(path, text.replace(old, new, 1))

        return write

    a, b, c, d = people // 2, people // 2 + 1, people // 2 + 2, people // 2 + 3
    results.append(
        time_edit(
            serve,
            "text of a page",
            rewrite(person_uri(a), "A diplomat posted", "A diplomat once posted"),
            page_path(person_uri(a)),
            lambda status, body: "A diplomat once posted" in body,
        )
    )
    results.append(
        time_edit(
            serve,
            "title of a page (tags index shows it)",
            rewrite(person_uri(b), person_title(b), "Renamed Person"),
            page_path(person_uri(b)),
            lambda status, body: "Renamed Person" in body,
            background=True,
        )
    )
    results.append(
        time_edit(
            serve,
            "tags of a page",
            rewrite(person_uri(c), "tags:\n", 'tags:\n  - "returned"\n'),
            page_path(person_uri(c)),
            lambda status, body: "tag:returned" in body,
            background=True,
        )
    )

    new = people

    def add() -> None:
        import random

        text = person_page(new, people, max(2, people // 10), random.Random(new))
        path = pages / person_uri(new)
        atomic_write(path, text)
        index = pages / "people" / "index.md"
        row = f"| [{person_title(new)}]({person_uri(new)[7:]}) | Diplomat |\n"
        atomic_write(index, index.read_text(encoding="utf-8") + row)

    results.append(
        time_edit(
            serve,
            "page added (and listed)",
            add,
            page_path(person_uri(new)),
            lambda status, body: status == 200 and person_title(new) in body,
            background=True,
        )
    )

    def remove() -> None:
        gone = person_uri(d)[7:]
        for path in (pages / "people").glob("*.md"):
            if path.name == gone:
                continue
            text = path.read_text(encoding="utf-8")
            if gone in text:
                text = text.replace(f"[{person_title(d)}]({gone})", f"[Someone]({gone})")
                atomic_write(path, text.replace(gone, person_uri(0)[7:]))
        (pages / person_uri(d)).unlink()

    results.append(
        time_edit(
            serve,
            "page removed (and links to it)",
            remove,
            page_path(person_uri(d)),
            lambda status, body: status == 404,
            background=True,
        )
    )

    def hand_written() -> None:
        path = project / "docs" / "contributing.md"
        atomic_write(path, path.read_text(encoding="utf-8").replace("Plain words", "Short words"))

    results.append(
        time_edit(
            serve,
            "hand-written page",
            hand_written,
            "contributing/",
            lambda status, body: "Short words" in body,
        )
    )
    return results


# --- The file watcher --------------------------------------------------------------------


def watcher_figures(files: int, work: Path) -> dict[str, Any]:
    """Save-to-handler latency and idle CPU of MkDocs' polling watcher and the native one,
    watching a folder of ``files`` files (as a wiki's profiles folder)."""
    from mkdocs.livereload import LiveReloadServer

    from generator.mkdocs_live import use_recording_observer

    folder = work / "watched"
    if not folder.exists():
        for i in range(files):
            sub = folder / f"kind-{i % 4}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"profile-{i:05d}.yaml").write_text(f"name: Person {i}\n")
    results: dict[str, Any] = {}
    for kind in ("mkdocs-polling", "native"):
        server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(work))
        server.watch(str(folder))
        if kind == "native":
            use_recording_observer(server, lambda path: None, native=True)
        else:
            server.observer.start()
        time.sleep(1.0)  # let the polling observer take its first snapshot
        cpu = time.process_time()
        wall = time.monotonic()
        time.sleep(10)
        idle_cpu = (time.process_time() - cpu) / (time.monotonic() - wall)
        latencies = []
        for i in range(10):
            time.sleep(0.3 + 0.137 * (i % 4))  # events of the last save are in; saves land
            with server._rebuild_cond:  # at different points of the poll cycle
                server._want_rebuild = False
            target = folder / "kind-1" / f"profile-{i * 7 + 1:05d}.yaml"
            target.write_text(f"name: Person edited {i}\n")
            saved = time.monotonic()
            while not server._want_rebuild:
                time.sleep(0.001)
                if time.monotonic() - saved > 10:
                    raise TimeoutError(kind)
            latencies.append(time.monotonic() - saved)
        server.observer.stop()
        server.observer.join(timeout=10)
        results[kind] = {
            "observer": type(server.observer).__name__,
            "save_to_handler_median_ms": round(1000 * statistics.median(latencies), 1),
            "save_to_handler_max_ms": round(1000 * max(latencies), 1),
            "idle_cpu_share_of_a_core": round(idle_cpu, 4),
            "build_delay_s": 0.1 if kind == "mkdocs-polling" else 0.05,
        }
        print(f"  watcher {kind}: {results[kind]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="live-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "wiki"
    results: dict[str, Any] = {"people": args.people}
    print(f"work folder: {work}", flush=True)

    if project.exists():
        shutil.rmtree(project)
    pages = synthetic_pages(args.people)
    make_project(project, pages)
    sizes = sorted(len(text.encode()) for uri, text in pages.items() if uri.startswith("people/p"))
    results["pages"] = len(pages) + 2
    results["person_page_median_bytes"] = statistics.median(sizes)
    print(f"{results['pages']} pages, a person page ~{results['person_page_median_bytes']} B")

    results["watcher"] = watcher_figures(args.people, work)

    if not args.skip_cold:
        results["cold_mkdocs_build_s"] = round(cold_build(project, work / "cold-site"), 1)
        print(f"cold mkdocs build: {results['cold_mkdocs_build_s']} s", flush=True)

    tmp = work / "tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    serve = Serve(project, tmp)
    try:
        serve.wait_for(r"Serving on http://127\.0\.0\.1")
        built = serve.wait_for(r"Documentation built in ([\d.]+) seconds")
        results["serve_first_build_s"] = float(built.group(1))
        kept = serve.wait_for(r"recording it took ([\d.]+) seconds")
        results["serve_first_build_recording_s"] = float(kept.group(1))
        results["serve_ready_s"] = round(time.monotonic() - serve.started, 1)
        print(
            f"mkdocs serve: first build {results['serve_first_build_s']} s, serving after "
            f"{results['serve_ready_s']} s",
            flush=True,
        )
        # Wait for the idle server to settle before timing edits.
        time.sleep(2)
        results["edits"] = edits(project, args.people, serve)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        results["largest_child_rss_mb"] = round(rss / 1024)
    finally:
        serve.stop()
        (work / "serve.log").write_text(
            "".join(f"{t - serve.started:9.3f} {line}" for t, line in serve.lines)
        )
    served = [edit["save_to_served_s"] for edit in results["edits"]]
    rebuilt = [edit["rebuild_s"] for edit in results["edits"]]
    generator = [edit["generator_s"] for edit in results["edits"]]
    results["median_save_to_served_s"] = statistics.median(served)
    results["median_rebuild_s"] = statistics.median(rebuilt)
    results["median_generator_s"] = statistics.median(generator)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
