"""The wiki as data: a SQLite database, one JSON file, CSV files, and schema.org JSON-LD
for every page.

Everything here is derived from the typed wiki, in a stable order, so the same profiles
always give the same bytes. Each citation carries the character offsets of its quote in
the archived text exactly as stored, so a reader can check any fact against the archive
without this software.

- ``records``: each claim once, with its typed details and placed citations;
- ``jsondata``, ``tables``, ``database``: factfile.json, the CSV files, factfile.db;
- ``downloads``: the list of files and their bytes;
- ``jsonld``: the schema.org descriptions carried by the pages.
"""

from __future__ import annotations

from typing import Any

from .downloads import DATA_PAGE, DATA_PATHS, DOWNLOADS, Download, data_files
from .jsonld import (
    SiteUrls,
    dataset_json_ld,
    dataset_script,
    json_ld,
    json_ld_script,
    page_json_ld,
    relocate_json_ld,
    script_json,
)
from .records import claim_id

__all__ = [
    "DATA_PAGE",
    "DATA_PATHS",
    "DOWNLOADS",
    "Download",
    "SiteUrls",
    "claim_id",
    "data_files",
    "dataset_json_ld",
    "dataset_script",
    "json_ld",
    "json_ld_script",
    "page_json_ld",
    "reference_page_values",
    "relocate_json_ld",
    "script_json",
]


def reference_page_values(page: str) -> dict[str, Any]:
    """What a page about the whole wiki is given besides its title: the data page, the
    list of downloads and its ``Dataset`` description."""
    if page != DATA_PAGE:
        return {}
    return {"downloads": DOWNLOADS, "json_ld": dataset_script()}
