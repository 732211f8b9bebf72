"""Small real builds shared by the reader-feature tests: the minimal fixture, as is and
extended with events of every date precision and a person whose every field is hostile."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import FIXTURES, copy_project, run_mkdocs

HOSTILE = '</script><script>alert(1)</script><!-- & "x" *em* [l](javascript:alert(1))'

_CLOSED = {"source": "test-gazette", "quote": "was closed in June after the defection"}
_MINISTRY = "the foreign ministry"
# The gazette is dated May 2024 and names months without a year.
_YEAR = "The gazette, dated May 2024, names the month without a year."

# Events that exercise every kind of date: a month, a year, a range, and none at all.
EXTRA_EVENTS = {
    "embassy-closes": {
        "name": "The embassy in Ruritania closes",
        "event_kind": [{"value": "closure", "according_to": _MINISTRY, "cite": [_CLOSED]}],
        "date": [
            {"value": "2024-06", "according_to": _MINISTRY, "inferred": _YEAR, "cite": [_CLOSED]}
        ],
        "missions": [
            {"mission": "embassy-in-ruritania", "according_to": _MINISTRY, "cite": [_CLOSED]}
        ],
    },
    "embassy-opens": {
        "name": "The embassy in Ruritania opens",
        "date": [
            {
                "value": "1975",
                "according_to": _MINISTRY,
                "cite": [{"source": "test-gazette", "quote": "opened in 1975"}],
            }
        ],
        "missions": [
            {
                "mission": "embassy-in-ruritania",
                "according_to": _MINISTRY,
                "cite": [
                    {"source": "test-gazette", "quote": "The embassy in Ruritania, opened in 1975"}
                ],
            }
        ],
    },
    "talks": {
        "name": "Han speaks to a newspaper",
        "date": [
            {
                "value": "2024-05/2024-06",
                "cue_waived": "Han is the one who said it: the interview is the fact.",
                "inferred": "The gazette, dated May 2024, reports the interview; a month on is "
                "as late as the test allows.",
                "cite": [{"source": "test-gazette", "quote": "Han said in an interview"}],
            }
        ],
        "participants": [
            {
                "person": "han-sol-min",
                "role": "interviewee",
                "cue_waived": "Han is the one who said it: the interview is the fact.",
                "cite": [{"source": "test-gazette", "quote": "Han said in an interview"}],
            }
        ],
    },
    "undated": {
        "name": "Another paper reports the defection",
        "participants": [
            {
                "person": "han-sol-min",
                "role": "subject",
                "cite": [{"source": "test-gazette", "quote": "Another paper spelled his name"}],
            }
        ],
    },
}

HOSTILE_PERSON = {
    "name": HOSTILE,
    "names": [
        {
            "value": HOSTILE,
            "inferred": HOSTILE,
            "cite": [{"source": "test-gazette", "quote": "Han Sol Min"}],
        },
        {"value": "Hostile Alias", "cite": [{"source": "test-gazette", "quote": "Han Sol Min"}]},
    ],
    "countries": [
        {
            "value": "<b>Ruri</b>tania & co",
            "according_to": HOSTILE,
            "cite": [{"source": "test-gazette", "quote": "Ruritania"}],
        }
    ],
    "family": [
        {
            "relation": "sibling",
            "person": "han-sol-min",
            "inferred": HOSTILE,
            "cite": [{"source": "test-gazette", "quote": "Han Sol Min"}],
        }
    ],
    "postings": [
        {
            "mission": "embassy-in-ruritania",
            "role": HOSTILE,
            "according_to": HOSTILE,
            "inferred": HOSTILE,
            "cite": [{"source": "test-gazette", "quote": "the embassy in Ruritania"}],
        }
    ],
}


class _NoAliases(yaml.SafeDumper):
    """Profiles may not use YAML aliases: a shared citation is written out in full."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _write(path: Path, data: object) -> None:
    path.write_text(
        yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def build_minimal(dest: Path, *, extended: bool = False) -> Path:
    """A real ``mkdocs build --strict`` of the minimal fixture; the project folder."""
    project = copy_project(dest, source=FIXTURES / "minimal")
    if extended:
        for id_, data in EXTRA_EVENTS.items():
            _write(project / "profiles" / "events" / f"{id_}.yaml", data)
        _write(project / "profiles" / "people" / "hostile-person.yaml", HOSTILE_PERSON)
    result = run_mkdocs(project)
    assert result.returncode == 0, result.stderr
    return project
