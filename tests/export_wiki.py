"""A small wiki for the data-download tests, built for real with ``mkdocs build``: the
minimal fixture and its extra events, plus defections dated several ways (hedged,
inferred, twice, not at all) and profiles whose titles a spreadsheet would read as
formulas."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from .conftest import FIXTURES, copy_project, run_mkdocs
from .test_reader_support import EXTRA_EVENTS, HOSTILE_PERSON

_GAZETTE = "test-gazette"
WIRE = "test-wire"
# A second archived article, whose sentences hedge and attribute.
WIRE_TEXT = (
    "Kim Chol, a trade official, is believed to have defected in March 2019, a source said.\n"
    "Another report put his defection in 2020.\n"
    "A third defection, of a driver, was never dated.\n"
)
WIRE_SOURCE = {
    "title": "Trade official defects",
    "outlet": "The Test Wire",
    "date": "2021-01",
    "url": "https://wire.example/kim-chol",
    "archive": "wire.txt",
    "sha256": hashlib.sha256(WIRE_TEXT.encode("utf-8")).hexdigest(),
}
_BELIEVED = {"source": WIRE, "quote": "is believed to have defected in March 2019"}
FORMULA_MISSION = '=HYPERLINK("x")'
FORMULA_PERSON = "@Formula Person"

EXPORT_EVENTS: dict[str, dict[str, Any]] = {
    # Dated twice: once as the article hedges, once as another report has it.
    "kim-chol-defects": {
        "name": "Kim Chol defects",
        "event_kind": [
            {
                "value": "defection",
                "according_to": "a source",
                "hedge": "is believed to",
                "cite": [_BELIEVED],
            }
        ],
        "date": [
            {
                "value": "2019-03",
                "according_to": "a source",
                "hedge": "is believed to",
                "cite": [_BELIEVED],
            },
            {
                "value": "2020",
                "according_to": "another report",
                "cite": [{"source": WIRE, "quote": "Another report put his defection in 2020"}],
            },
        ],
    },
    "driver-defects": {
        "name": "A driver defects",
        "event_kind": [
            {"value": "defection", "cite": [{"source": WIRE, "quote": "A third defection"}]}
        ],
    },
}

EXPORT_PEOPLE: dict[str, dict[str, Any]] = {
    "formula-person": {
        "name": FORMULA_PERSON,
        "postings": [
            {
                "mission": "formula-mission",
                "role": "diplomat",
                "according_to": "officials",
                "cite": [
                    {
                        "source": _GAZETTE,
                        "quote": "A diplomat named Han Sol-min, 47, left the embassy",
                    }
                ],
            }
        ],
    },
    "hostile-person": HOSTILE_PERSON,
}

EXPORT_MISSIONS: dict[str, dict[str, Any]] = {
    "formula-mission": {"name": FORMULA_MISSION},
}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True


def write_profile(project: Path, kind: str, id_: str, data: dict[str, Any]) -> None:
    path = project / "profiles" / kind / f"{id_}.yaml"
    path.write_text(
        yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def export_wiki(dest: Path, **config: object) -> Path:
    """The wiki written under ``dest`` and built with ``config`` set in its mkdocs.yml."""
    project = copy_project(dest, source=FIXTURES / "minimal")
    (project / "seeds" / "wire.txt").write_text(WIRE_TEXT, encoding="utf-8")
    write_profile(project, "sources", WIRE, WIRE_SOURCE)
    for kind, profiles in (
        ("events", {**EXTRA_EVENTS, **EXPORT_EVENTS}),
        ("people", EXPORT_PEOPLE),
        ("missions", EXPORT_MISSIONS),
    ):
        for id_, data in profiles.items():
            write_profile(project, kind, id_, data)
    if config:
        settings = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
        settings.update(config)
        (project / "mkdocs.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    return project
