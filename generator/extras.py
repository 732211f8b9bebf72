"""Files the site needs beside its pages: the data downloads, the alias redirects, and
the pages at the addresses of merged and renamed profiles, which lead to their profiles.

The MkDocs plugin hands them to MkDocs in memory; ``factfile render`` writes them under
docs/ with the pages, so that a builder without the plugin builds the same site.
"""

from __future__ import annotations

from .export import data_files
from .identity import former_ids
from .redirects import alias_targets, moved_page, redirect_page
from .wiki import Ref, Wiki


def extra_files(wiki: Wiki, directory_urls: bool = True) -> dict[str, bytes]:
    """Every download and redirect page, by its path in the site."""
    files = {path: text.encode("utf-8") for path, text in data_files(wiki).items()}
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
