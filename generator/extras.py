"""Files the site needs beside its pages: the data downloads, the alias redirects, the
pages at the addresses of merged and renamed profiles (which lead to their profiles),
and the Atom feed of recent changes.

The MkDocs plugin hands them to MkDocs in memory; ``factfile render`` writes them under
docs/ with the pages, so that a builder without the plugin builds the same site.
"""

from __future__ import annotations

from . import changes
from .export import data_files
from .identity import former_ids
from .redirects import alias_targets, moved_page, redirect_page
from .wiki import Ref, Wiki


def extra_files(
    wiki: Wiki,
    directory_urls: bool = True,
    history: changes.History | None = None,
    site_url: str | None = None,
    site_name: str | None = None,
) -> dict[str, bytes]:
    """Every download and redirect page, and the feed of ``history`` if given, by its path
    in the site. The feed's links are absolute under ``site_url`` if it is given."""
    return {**data_files(wiki), **beside_pages(wiki, directory_urls, history, site_url, site_name)}


def beside_pages(
    wiki: Wiki,
    directory_urls: bool = True,
    history: changes.History | None = None,
    site_url: str | None = None,
    site_name: str | None = None,
) -> dict[str, bytes]:
    """``extra_files`` but the data downloads: the redirects and the feed, made quickly."""
    files: dict[str, bytes] = {}
    if history is not None:
        files[changes.FEED] = changes.feed(
            history, wiki, directory_urls=directory_urls, site_url=site_url, site_name=site_name
        )
    for slug, person_id in alias_targets(wiki).items():
        # The redirect is people/<slug>/index.html; the page, people/<id>/ (or .html).
        target = f"../{person_id}/" if directory_urls else f"../{person_id}.html"
        title = wiki.title(Ref("people", person_id))
        files[f"people/{slug}/index.html"] = redirect_page(title, target).encode("utf-8")
    for kind, old, new, how in former_ids(wiki.catalog):
        # The old address of the page: <kind>/<old>/ (or <kind>/<old>.html).
        if directory_urls:
            path, target = f"{kind}/{old}/index.html", f"../{new}/"
        else:
            path, target = f"{kind}/{old}.html", f"{new}.html"
        page = moved_page(wiki.title(Ref(kind, new)), target, old, how)
        files[path] = page.encode("utf-8")
    return files
