"""Files the site needs beside its pages: the data downloads and the alias redirects.

The MkDocs plugin hands them to MkDocs in memory; ``factfile render`` writes them under
docs/ with the pages, so that a builder without the plugin builds the same site.
"""

from __future__ import annotations

from .export import data_files
from .redirects import alias_targets, redirect_page
from .wiki import Ref, Wiki


def extra_files(wiki: Wiki, directory_urls: bool = True) -> dict[str, bytes]:
    """Every download and redirect page, by its path in the site."""
    files = data_files(wiki)
    for slug, person_id in alias_targets(wiki).items():
        # The redirect is people/<slug>/index.html; the page, people/<id>/ (or .html).
        target = f"../{person_id}/" if directory_urls else f"../{person_id}.html"
        title = wiki.title(Ref("people", person_id))
        files[f"people/{slug}/index.html"] = redirect_page(title, target).encode("utf-8")
    return files
