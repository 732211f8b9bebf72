"""MkDocs hooks for test wikis of ``generator.mkdocs_live``: a page generator in miniature.

Copied into each test wiki and named in its ``mkdocs.yml`` (``hooks: [live_hooks.py]``).
The generated pages are the files of the wiki's ``pages/`` folder (``pages/<src_uri>``
holds the Markdown of ``src_uri``), handed to MkDocs in memory as ``File.generated``, as
the factfile plugin will do with pages it makes from profiles. Pages the ``nav`` names
are included in it; every other generated page is not in nav.
"""

from __future__ import annotations

import os
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from generator.mkdocs_live import LiveSite, Update

_live: LiveSite | None = None
_config: MkDocsConfig | None = None
_handed: dict[str, str] = {}
"""The pages as last handed to MkDocs, by ``on_files`` or in an ``Update``."""
_requests: list[set[str]] = []
"""The paths each ``update`` call was given, for tests to look at."""


def on_startup(*, command: str, dirty: bool) -> None:
    global _live
    _live = LiveSite.for_command(command, dirty, trusted=[__name__])


def on_config(config: MkDocsConfig) -> None:
    global _config
    _config = config
    if _live is not None:
        _live.attach(config)


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    _handed.clear()
    _handed.update(_read(config))
    for uri in sorted(_handed):
        files.append(_file(config, uri, _handed[uri]))
    return files


def on_serve(server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
    if _live is None:
        return server
    return _live.serve(server, builder, update=_update, sources=[_source(config)])


def on_shutdown() -> None:
    if _live is not None:
        _live.close()


def live() -> LiveSite | None:
    return _live


def _update(paths: set[str]) -> Update | None:
    _requests.append(set(paths))
    assert _config is not None
    pages = _read(_config)
    changed = {
        uri: _file(_config, uri, text) for uri, text in pages.items() if _handed.get(uri) != text
    }
    removed = set(_handed) - set(pages)
    _handed.clear()
    _handed.update(pages)
    return Update(changed=changed, removed=removed)


def _source(config: MkDocsConfig) -> str:
    return os.path.join(os.path.dirname(config.config_file_path or "."), "pages")


_seen: dict[str, tuple[tuple[int, int, int], str]] = {}
"""Per page file: its size, time and inode when last read, and its text (a file whose
stat is unchanged is not read again, as a generator's cache would skip it)."""


def _read(config: MkDocsConfig) -> dict[str, str]:
    root = _source(config)
    pages: dict[str, str] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in names:
            if name.startswith("."):
                continue  # an editor's temporary file
            path = os.path.join(folder, name)
            uri = os.path.relpath(path, root).replace(os.sep, "/")
            stat = os.stat(path)
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            seen = _seen.get(path)
            if seen is None or seen[0] != key:
                with open(path, encoding="utf-8") as handle:
                    seen = _seen[path] = (key, handle.read())
            pages[uri] = seen[1]
    return pages


def _file(config: MkDocsConfig, uri: str, text: str) -> File:
    inclusion = (
        InclusionLevel.UNDEFINED if uri in _nav_paths(config.nav) else (InclusionLevel.NOT_IN_NAV)
    )
    return File.generated(config, uri, content=text, inclusion=inclusion)


def _nav_paths(nav: Any) -> set[str]:
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return set().union(*(_nav_paths(value) for value in nav.values()))
    if isinstance(nav, list):
        return set().union(*(_nav_paths(item) for item in nav))
    return set()
