"""Test wikis for ``generator.mkdocs_live``: the project's real theme configuration, with
generated pages supplied in memory by ``tests/live_hooks.py`` from its ``pages/`` folder.

Used by ``tests/test_mkdocs_live.py``; the cold builds, site comparisons and in-process
serving also by ``tests/test_serve_live.py`` and ``tests/test_serve.py``.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import socket
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
from typing import Any
from urllib.parse import urlsplit

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer

ROOT = Path(__file__).resolve().parent.parent
HOOKS = Path(__file__).resolve().parent / "live_hooks.py"
SERVE_URL = "http://127.0.0.1:8000/"

NAV: list[Any] = [
    {"Home": "index.md"},
    {"People": "people/index.md"},
    {"Sources": "sources/index.md"},
    {"Reference": [{"Tags": "reference/tags.md"}, "reference/about.md"]},
    {"Contributing": "contributing.md"},
]
"""The test wiki's navigation: section indexes and hand-written pages, as the project's;
``reference/about.md`` has no title of its own, so its heading titles it in the nav."""

TAGS = [
    "person",
    "diplomat",
    "defected",
    "detained",
    "missing",
    "family member",
    "official",
    "Cuba",
    "Italy",
    "Russia",
    "Congo",
    "Kuwait",
    "France",
    "Thailand",
    "Egypt",
    "United Kingdom",
    "source",
    "attempted to defect",
    "returned",
    "unnamed",
]


def config_dict(*, site_url: str | None = None) -> dict[str, Any]:
    """The project's mkdocs.yml, with the factfile plugin replaced by the test hooks."""
    base = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [p for p in base["plugins"] if not (isinstance(p, dict) and "factfile" in p)]
    config: dict[str, Any] = {
        "site_name": "Live rebuild test wiki",
        "docs_dir": "docs",
        "strict": base["strict"],
        "theme": base["theme"],
        "plugins": plugins,
        "hooks": ["live_hooks.py"],
        "extra_css": base["extra_css"],
        "markdown_extensions": base["markdown_extensions"],
        "validation": base["validation"],
        "nav": NAV,
    }
    if site_url:
        config["site_url"] = site_url
    return config


def make_project(root: Path, pages: dict[str, str], *, site_url: str | None = None) -> Path:
    """A test wiki at ``root``: config, hand-written docs, hooks and generated ``pages/``."""
    (root / "docs" / "assets").mkdir(parents=True, exist_ok=True)
    write_yaml(root / "mkdocs.yml", config_dict(site_url=site_url))
    shutil.copy(HOOKS, root / "live_hooks.py")
    shutil.copy(ROOT / "docs" / "assets" / "factfile.css", root / "docs" / "assets")
    # The theme's overrides that the project's theme settings name (custom_dir).
    shutil.copytree(ROOT / "overrides", root / "overrides", dirs_exist_ok=True)
    (root / "docs" / "index.md").write_text(
        "# Live rebuild test wiki\n\nSee [the people](people/index.md) and "
        "[the sources](sources/index.md).\n",
        encoding="utf-8",
    )
    (root / "docs" / "contributing.md").write_text(
        "# Contributing\n\nEdit a profile; the page is rebuilt.\n\n## Style\n\nPlain words.\n",
        encoding="utf-8",
    )
    write_pages(root, pages)
    return root


def write_yaml(path: Path, data: Any) -> None:
    atomic_write(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def atomic_write(path: Path, text: str) -> None:
    """Write as an editor saving atomically does: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def read_pages(root: Path) -> dict[str, str]:
    folder = root / "pages"
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def write_pages(root: Path, pages: dict[str, str]) -> None:
    """Make ``root/pages`` hold ``pages``: write what changed, delete what is gone."""
    folder = root / "pages"
    old = read_pages(root) if folder.is_dir() else {}
    for uri, text in pages.items():
        if old.get(uri) != text:
            path = folder / uri
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
    for uri in set(old) - set(pages):
        (folder / uri).unlink()


# --- Synthetic pages ---------------------------------------------------------------------


def person_uri(i: int) -> str:
    return f"people/person-{i:05d}.md"


def source_uri(i: int) -> str:
    return f"sources/source-{i:04d}.md"


QUOTES_PER_SOURCE = 30


def synthetic_pages(people: int, sources: int | None = None, *, seed: int = 1) -> dict[str, str]:
    """Generated pages like the factfile plugin's: people and sources, their indexes, a
    tags index and an about page. A person page is a few KB of Markdown with front
    matter and tags, lists of quotes linking to anchors of source pages, links to other
    people and a table."""
    rng = random.Random(seed)
    sources = sources if sources is not None else max(2, people // 10)
    pages: dict[str, str] = {}
    for i in range(people):
        pages[person_uri(i)] = person_page(i, people, sources, rng)
    for i in range(sources):
        pages[source_uri(i)] = source_page(i)
    pages["people/index.md"] = people_index(range(people))
    pages["sources/index.md"] = sources_index(range(sources))
    pages["reference/tags.md"] = (
        '---\ntitle: "Tags"\n---\n\n# Tags\n\nPages by role, status and country.\n\n'
        "<!-- material/tags -->\n"
    )
    pages["reference/about.md"] = (
        "# About this wiki\n\nEvery fact cites a quote from an archived article.\n"
    )
    return pages


def person_title(i: int) -> str:
    return f"Person {i:05d}"


def person_page(i: int, people: int, sources: int, rng: random.Random) -> str:
    tags = rng.sample(TAGS[:16], 3)
    lines = [
        "---",
        f'title: "{person_title(i)}"',
        "tags:",
        *(f'  - "{tag}"' for tag in tags),
        "search:",
        "  boost: 2",
        "---",
        "",
        f"# {person_title(i)}",
        "",
        f"*Person.* A diplomat posted abroad, number {i} of {people}.",
        "",
        "## Status",
        "",
    ]
    for _ in range(4):
        s, q = rng.randrange(sources), rng.randrange(QUOTES_PER_SOURCE)
        lines += [
            f"- {rng.choice(['Defected', 'Detained', 'Missing', 'Returned'])}",
            f"    - <q>{quote_text(s, q)}</q> — [Source {s}, date unknown]"
            f"(../{source_uri(s)}#q-{q})",
        ]
    lines += ["", "## Relations", ""]
    for _ in range(3):
        other = rng.randrange(people)
        lines.append(f"- Colleague: [{person_title(other)}]({person_uri(other)[7:]})")
    lines += [
        "",
        "## Timeline",
        "",
        "| Date | Event | Place |",
        "|---|---|---|",
    ]
    for year in range(2015, 2020):
        s = rng.randrange(sources)
        lines.append(
            f"| {year} | Posted to a mission, then recalled | [Source {s}](../{source_uri(s)}) |"
        )
    lines += ["", "## Other facts", ""]
    for _ in range(6):
        s, q = rng.randrange(sources), rng.randrange(QUOTES_PER_SOURCE)
        lines += [
            "- The sources describe a posting, a family and a return home; "
            "each sentence here stands for one checked claim of the profile.",
            f"    - <q>{quote_text(s, q)}</q> — [Source {s}](../{source_uri(s)}#q-{q})",
        ]
    lines.append("")
    return "\n".join(lines)


def quote_text(source: int, quote: int) -> str:
    return (
        f"quoted passage {quote} of archived article {source}, as the reporter wrote it "
        "about the diplomat and the embassy"
    )


def source_page(i: int) -> str:
    lines = [
        "---",
        f'title: "Source {i}"',
        "tags:",
        '  - "source"',
        "---",
        "",
        f"# Source {i}",
        "",
        "*Archived article.* Every quote below was checked against the archived text.",
        "",
        "| | |",
        "|---|---|",
        "| Outlet | A newspaper |",
        "| Date | Not shown in the archive |",
        "",
        "## Quotes taken from this article",
        "",
    ]
    for q in range(QUOTES_PER_SOURCE):
        lines += [
            f'<blockquote class="ff-quote" id="q-{q}">{quote_text(i, q)}</blockquote>',
            "",
        ]
    return "\n".join(lines)


def people_index(numbers: Any) -> str:
    rows = "".join(f"| [{person_title(i)}]({person_uri(i)[7:]}) | Diplomat |\n" for i in numbers)
    return (
        '---\ntitle: "People"\n---\n\n# People\n\nEveryone the articles name.\n\n'
        f"| Name | Role |\n|---|---|\n{rows}"
    )


def sources_index(numbers: Any) -> str:
    rows = "".join(f"| [Source {i}]({source_uri(i)[8:]}) |\n" for i in numbers)
    return f'---\ntitle: "Sources"\n---\n\n# Sources\n\n| Article |\n|---|\n{rows}'


# --- Cold builds and comparison ----------------------------------------------------------

_COLD_BUILD = """
import sys, traceback
from mkdocs.commands.build import build
from mkdocs.config import load_config
for tree in sys.argv[1:]:
    # What `mkdocs build` does (mkdocs/__main__.py), once per tree.
    config = load_config(config_file=f"{tree}/mkdocs.yml", site_dir=f"{tree}/site")
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
        print("BUILT", tree, flush=True)
    except BaseException:
        traceback.print_exc()
        print("FAILED", tree, flush=True)
    finally:
        config.plugins.on_shutdown()
"""


def snapshot_tree(project: Path, dest: Path, *, site_url: str = SERVE_URL) -> Path:
    """A copy of ``project``'s inputs at ``dest`` whose cold build has ``site_url``, the
    address ``mkdocs serve`` gives a site, so both builds are comparable."""
    dest.mkdir(parents=True)
    for name in ("docs", "pages", "overrides"):
        shutil.copytree(project / name, dest / name)
    shutil.copy(project / "live_hooks.py", dest / "live_hooks.py")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_url"] = site_url
    write_yaml(dest / "mkdocs.yml", config)
    return dest


def cold_build(trees: list[Path]) -> dict[Path, bool]:
    """Build each tree cold, as ``mkdocs build`` does, into ``tree/site``: one process
    for all trees, so the test pays for importing MkDocs and Material once."""
    if not trees:
        return {}
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _COLD_BUILD, *map(str, trees)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    built = {
        Path(line.split(" ", 1)[1])
        for line in result.stdout.splitlines()
        if line.startswith("BUILT ")
    }
    outcome = {tree: tree in built for tree in trees}
    if not all(outcome.values()):
        sys.stderr.write(result.stdout + result.stderr)
    return outcome


_LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site, with what differs between two cold builds of the
    same files on different days normalised: the sitemap's dates, and the gzip header
    (whose time is the build date) of its compressed copy."""
    files: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            relative = path.relative_to(site).as_posix()
            data = path.read_bytes()
            if relative == "sitemap.xml.gz":
                data = gzip.decompress(data)
            if relative.startswith("sitemap.xml"):
                data = _LASTMOD.sub(b"<lastmod>DATE</lastmod>", data)
            files[relative] = data
    return files


def site_differences(live: Path, cold: Path) -> list[str]:
    """How ``live`` differs from ``cold``: missing, extra and differing files."""
    a, b = site_files(live), site_files(cold)
    problems = [f"missing: {name}" for name in sorted(set(b) - set(a))]
    problems += [f"extra: {name}" for name in sorted(set(a) - set(b))]
    for name in sorted(set(a) & set(b)):
        if a[name] != b[name]:
            problems.append(f"differs: {name}: {_first_difference(a[name], b[name])}")
    return problems


def _first_difference(a: bytes, b: bytes) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    if index is None:
        index = min(len(a), len(b))
    start = max(0, index - 60)
    return f"at byte {index}: live {a[start : index + 60]!r} vs cold {b[start : index + 60]!r}"


# --- Serving ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serving(project: Path, site: Path) -> tuple[LiveReloadServer, MkDocsConfig]:
    """What ``mkdocs serve`` does up to serving, in this process: the first build into
    ``site``, then the watches and every plugin's ``on_serve``. The server is not bound
    to a port; its ``builder`` rebuilds as its watcher would after a save."""
    site.mkdir()

    def builder(config: Any = None) -> None:
        if config is None:
            config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
            config.site_url = SERVE_URL
        build(config, serve_url=SERVE_URL)

    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = SERVE_URL
    builder(config)
    server = LiveReloadServer(builder=builder, host="127.0.0.1", port=0, root=str(site))
    server.watch(config.docs_dir)
    server.watch(config.config_file_path)
    server = config.plugins.on_serve(server, config=config, builder=builder)
    return server, config


@dataclass
class ServeProcess:
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
            if match := re.search(pattern, self.log()[start:], re.MULTILINE):
                return match
            assert self.process.poll() is None, f"server exited:\n{self.log()}"
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} within {timeout}s:\n{self.log()[start:]}")

    def get(self, path: str, timeout: float = 30.0) -> str:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return str(response.read().decode("utf-8"))

    def get_any(self, path: str, timeout: float = 10.0) -> tuple[int, str]:
        """The status and body of ``path``, whatever the status."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def wait_for_page(self, path: str, needle: str, timeout: float) -> str:
        """The page at ``path`` once ``needle`` is on it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited:\n{self.log()}"
            try:
                last = self.get(path, timeout=max(1.0, deadline - time.monotonic()))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                last = ""
            if needle in last:
                return last
            time.sleep(0.02)
        raise AssertionError(f"{needle!r} not on {path} within {timeout}s:\n{self.log()}")


@contextmanager
def mkdocs_serve(
    project: Path, *, startup: float, env: dict[str, str] | None = None
) -> Iterator[ServeProcess]:
    """A real ``mkdocs serve`` of ``project`` on a free port, once it says it is serving;
    stopped afterwards. Pages are requested under the path of the project's site_url, as
    MkDocs serves them."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    root = urlsplit(config.get("site_url") or "/").path.strip("/")
    url = f"http://127.0.0.1:{port}/{root + '/' if root else ''}"
    served = ServeProcess(process, url, project)
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: served.lines.extend(iter(stdout.readline, "")))
    reader.daemon = True
    reader.start()
    try:
        served.wait_for_log(r"Serving on http://127\.0\.0\.1", 0, startup)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        reader.join(timeout=5)
