"""The data downloads: what each file is, and the bytes of every one."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..model import KINDS, Kind
from ..wiki import Wiki
from .database import database
from .jsondata import factfile_data, to_json
from .records import claim_records
from .tables import KIND_TABLES, citations_table, claims_table, to_csv

DATA_DIR = "data"
DATA_PAGE = "reference/data.md"
"""The page describing the downloads (path under docs/)."""


@dataclass(frozen=True)
class Download:
    """One published data file."""

    path: str
    """Its path in the site, e.g. ``data/factfile.db``."""
    media_type: str
    description: str

    @property
    def name(self) -> str:
        return posixpath.basename(self.path)


_KINDS: dict[Kind, str] = {
    "people": "One row per person: names, status, ages, countries and missions, each value "
    "with how it is known.",
    "missions": "One row per mission: kind, country, city, status and staff, each value with "
    "how it is known.",
    "events": "One row per event: date, kind, place, participants and missions involved, each "
    "value with how it is known.",
    "sources": "One row per archived article: title, outlet, date, address, archive file, "
    "SHA-256 and how many of its passages are quoted.",
}
assert tuple(_KINDS) == KINDS

DOWNLOADS: tuple[Download, ...] = (
    Download(
        f"{DATA_DIR}/factfile.db",
        "application/vnd.sqlite3",
        "A SQLite database of every profile, claim, quote, relation and source, with "
        "foreign keys, indexes and views for common questions.",
    ),
    Download(
        f"{DATA_DIR}/factfile.json",
        "application/json",
        "Every profile, claim, relation and citation in one JSON document, with the "
        "character offsets of each quote in its archived article.",
    ),
    Download(
        f"{DATA_DIR}/claims.csv",
        "text/csv",
        "One row per claim: the profile, the field, one value, how it is known, its "
        "qualifiers and typed details, and how many citations back it.",
    ),
    *(Download(f"{DATA_DIR}/{kind}.csv", "text/csv", text) for kind, text in _KINDS.items()),
    Download(
        f"{DATA_DIR}/citations.csv",
        "text/csv",
        "One row per quoted passage of each claim, with its offsets in the archived text.",
    ),
)
DATA_PATHS = tuple(download.path for download in DOWNLOADS)
"""The path in the site of every data file ``data_files`` gives."""


def data_files(wiki: Wiki) -> dict[str, bytes]:
    """Every published data file by its path in the site."""
    claims = claim_records(wiki)
    files = {
        f"{DATA_DIR}/factfile.db": database(wiki, claims),
        f"{DATA_DIR}/factfile.json": to_json(factfile_data(wiki, claims)),
        f"{DATA_DIR}/claims.csv": to_csv(claims_table(wiki, claims)),
        f"{DATA_DIR}/citations.csv": to_csv(citations_table(claims)),
    }
    for kind, table in KIND_TABLES.items():
        files[f"{DATA_DIR}/{kind}.csv"] = to_csv(table(wiki))
    assert sorted(files) == sorted(DATA_PATHS)
    return {path: files[path] for path in DATA_PATHS}
