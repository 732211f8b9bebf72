"""Serving a built site on 127.0.0.1 and opening it in Debian's headless Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium reaches for Google's servers at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """A static server for ``root`` on a free local port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser from Debian's package (Playwright cannot download one)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def search_results(page: Any, query: str) -> list[str]:
    """The addresses the site's search lists for ``query``, typed into the page's box."""
    box = page.locator("input.md-search__input")
    box.click()
    # Typed key by key, as a reader does: the search listens to keyboard input.
    box.press_sequentially(query, delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    # Results are drawn again as each key arrives: wait until they stop changing.
    page.wait_for_function(
        """() => {
            const now = document.querySelector(".md-search-result__list").innerHTML;
            const same = window.__ffLast === now;
            window.__ffLast = now;
            return same;
        }""",
        polling=300,
        timeout=15000,
    )
    return [
        link.get_attribute("href") or ""
        for link in page.locator(".md-search-result__item > a.md-search-result__link").all()
    ]
