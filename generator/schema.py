"""JSON Schemas for editors, generated from the typed model in ``model.py``.

Each profile kind gets ``schema/<singular>.schema.json``. The files are checked in so
an editor can complete and validate profiles without running anything; they are never
edited by hand, and ``factfile schema --check`` fails when they drift from the model.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import KINDS, SINGULAR, Kind, json_schema

SCHEMA_DIRNAME = "schema"


def schema_path(root: Path, kind: Kind) -> Path:
    """Where the schema for ``kind`` lives in the project at ``root``."""
    return root / SCHEMA_DIRNAME / f"{SINGULAR[kind]}.schema.json"


def schema_text(kind: Kind) -> str:
    """The schema file's exact contents: stable key order, so the same model gives the
    same bytes and a diff shows only real changes."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def expected_schemas(root: Path) -> dict[Path, str]:
    """Every schema file the project should hold, with its contents."""
    return {schema_path(root, kind): schema_text(kind) for kind in KINDS}


def stale_schemas(root: Path) -> list[Path]:
    """Schema files that are missing or differ from what the model generates."""
    stale = []
    for path, text in expected_schemas(root).items():
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            stale.append(path)
    return stale


def write_schemas(root: Path) -> list[Path]:
    """Write every schema that is missing or out of date; return those written."""
    written = []
    for path in stale_schemas(root):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected_schemas(root)[path], encoding="utf-8", newline="\n")
        written.append(path)
    return written
