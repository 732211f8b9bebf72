"""Merged and renamed profiles: the old id keeps its address and names the profile it is now.

Each test writes a wiki on disk (the minimal fixture and the files it adds) and runs the
checks, or a real ``mkdocs build``, as a contributor would.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from generator.build import Pipeline, reusing
from generator.errors import FactfileErrors
from generator.load import parse
from generator.project import Project
from generator.validate import check_shape

from .conftest import FIXTURES, copy_project, run_mkdocs

EVENT = "profiles/events/han-sol-min-defects.yaml"
UNNAMED = "name: Diplomat who left the embassy in Ruritania (unnamed)\nmerged_into: han-sol-min\n"


def wiki(tmp_path: Path, files: dict[str, str]) -> Path:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    for path, text in files.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text, encoding="utf-8")
    return project


def refer(project: Path, old: str, new: str) -> int:
    """Make the event's second participant ``new`` instead of ``old``; the line it is on."""
    path = project / EVENT
    text = path.read_text(encoding="utf-8")
    assert f"  - person: {old}\n" in text
    text = text.replace(f"  - person: {old}\n", f"  - person: {new}\n")
    path.write_text(text, encoding="utf-8")
    return text.splitlines().index(f"  - person: {new}") + 1


def errors_of(project: Path, pipeline: Pipeline | None = None) -> list[str]:
    try:
        (pipeline or Pipeline(Project.at(project))).check()
    except FactfileErrors as raised:
        return [f"{error.location}: {error.message}" for error in raised.errors]
    return []


def test_a_merged_profile_carries_only_its_name_and_where_it_went() -> None:
    text = UNNAMED + (
        "roles:\n  - value: diplomat\n    cite:\n      - source: test-gazette\n"
        "        quote: A diplomat\n"
    )
    raw = parse("people", "x", "profiles/people/x.yaml", text)
    assert not isinstance(raw, list)
    errors = check_shape(raw)
    assert isinstance(errors, list)
    assert [f"{e.location}: {e.message}" for e in errors] == [
        "profiles/people/x.yaml:3:1: a profile merged into 'han-sol-min' carries only name "
        "and merged_into: move 'roles' to profiles/people/han-sol-min.yaml, or remove it"
    ]


def test_a_reference_to_a_merged_profile_names_the_profile_it_was_merged_into(
    tmp_path: Path,
) -> None:
    project = wiki(tmp_path, {"profiles/people/diplomat-in-ruritania.yaml": UNNAMED})
    assert errors_of(project) == []
    line = refer(project, "choe-mi-ran", "diplomat-in-ruritania")
    assert errors_of(project) == [
        f"{EVENT}:{line}:13: participants[1].person: person 'diplomat-in-ruritania' was merged "
        "into 'han-sol-min': refer to 'han-sol-min'"
    ]


def test_the_merged_profile_has_no_page_or_row_and_is_not_counted(tmp_path: Path) -> None:
    project = wiki(tmp_path, {"profiles/people/diplomat-in-ruritania.yaml": UNNAMED})
    built = Pipeline(Project.at(project)).render()
    assert "people/diplomat-in-ruritania.md" not in built.pages
    assert "diplomat-in-ruritania" not in built.pages["people/index.md"]
    assert built.wiki.ids["people"] == ["choe-mi-ran", "han-sol-min"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"profiles/people/a.yaml": "name: A\nmerged_into: b\n"},
            "profiles/people/a.yaml:2:14: no person with id 'b' (expected profiles/people/b.yaml)",
        ),
        (
            {"profiles/people/a.yaml": "name: A\nmerged_into: han-sol-mim\n"},
            "profiles/people/a.yaml:2:14: no person with id 'han-sol-mim' (did you mean "
            "'han-sol-min'?) (expected profiles/people/han-sol-mim.yaml)",
        ),
        (
            {"profiles/people/a.yaml": "name: A\nmerged_into: a\n"},
            "profiles/people/a.yaml:2:14: 'a' cannot be merged into itself",
        ),
        (
            {
                "profiles/people/a.yaml": "name: A\nmerged_into: b\n",
                "profiles/people/b.yaml": "name: B\nmerged_into: han-sol-min\n",
            },
            "profiles/people/a.yaml:2:14: 'b' is itself now 'han-sol-min': lead 'a' to "
            "'han-sol-min'",
        ),
        (
            {"profiles/redirects.yaml": "people:\n  hsm: han-sol-mn\n"},
            "profiles/redirects.yaml:2:8: no person with id 'han-sol-mn' (did you mean "
            "'han-sol-min'?) (expected profiles/people/han-sol-mn.yaml)",
        ),
        (
            {"profiles/redirects.yaml": "people:\n  choe-mi-ran: han-sol-min\n"},
            "profiles/redirects.yaml:2:16: 'choe-mi-ran' is listed as renamed, but "
            "profiles/people/choe-mi-ran.yaml is there: remove the file or this line",
        ),
        (
            {"profiles/redirects.yaml": "persons:\n  hsm: han-sol-min\n"},
            "profiles/redirects.yaml:1:1: unknown kind 'persons': list renamed ids under "
            "people, missions, events, sources",
        ),
        (
            {"profiles/redirects.yaml": "people:\n  HSM: han-sol-min\n"},
            "profiles/redirects.yaml:2:3: old id 'HSM' is not an id: it must be lowercase ASCII "
            "letters and digits in words joined by single hyphens",
        ),
        (
            {"profiles/redirects.yaml": "people: [hsm, han-sol-min]\n"},
            "profiles/redirects.yaml:1:9: people: must be lines of 'old-id: new-id'",
        ),
        (
            {"profiles/redirects.yaml": "people:\n  hsm: han-sol-min: x\n"},
            "profiles/redirects.yaml:2:19: YAML syntax error: a colon followed by a space (': ') "
            "inside a value that is not in quotes: YAML reads it as the start of a key; put the "
            "whole value in quotes",
        ),
    ],
)
def test_merged_and_renamed_ids_lead_to_a_profile_that_is_there(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    assert errors_of(wiki(tmp_path, files)) == [message]


def test_a_renamed_id_is_an_error_that_names_the_new_one(tmp_path: Path) -> None:
    project = wiki(tmp_path, {"profiles/redirects.yaml": "people:\n  hsm: han-sol-min\n"})
    line = refer(project, "choe-mi-ran", "hsm")
    assert errors_of(project) == [
        f"{EVENT}:{line}:13: participants[1].person: 'hsm' was renamed 'han-sol-min' "
        "(profiles/redirects.yaml): refer to 'han-sol-min'"
    ]


def test_the_profile_merged_into_drops_its_identification_with_the_merged_one(
    tmp_path: Path,
) -> None:
    project = wiki(tmp_path, {"profiles/people/diplomat-in-ruritania.yaml": UNNAMED})
    person = project / "profiles/people/han-sol-min.yaml"
    text = person.read_text(encoding="utf-8") + (
        "identified_with:\n"
        "  - person: diplomat-in-ruritania\n"
        "    inferred: Both left the embassy in Ruritania.\n"
        "    cite:\n"
        "      - source: test-gazette\n"
        "        quote: left the embassy in Ruritania\n"
    )
    person.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  - person: diplomat-in-ruritania") + 1
    assert errors_of(project) == [
        f"profiles/people/han-sol-min.yaml:{line}:13: identified_with[0].person: "
        "'diplomat-in-ruritania' was merged into this profile: remove this reference to it"
    ]


# --- Did you mean ---------------------------------------------------------------------------

KUWAIT = {
    "profiles/people/cuban-ambassador-to-north-korea.yaml": (
        "name: Cuba's ambassador to North Korea (unnamed)\n"
    ),
    "profiles/people/pak-chol-ho.yaml": "name: Pak Chol-ho\n",
    "profiles/people/envoy-to-ruritania.yaml": "name: Ri Chol-min\n",
    "profiles/people/acting-ambassador-to-kuwait.yaml": (
        "name: North Korea's acting ambassador to Kuwait (unnamed)\nmerged_into: pak-chol-ho\n"
    ),
}


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        # The id itself: not a suggestion but the profile it was merged into.
        (
            "acting-ambassador-to-kuwait",
            "person 'acting-ambassador-to-kuwait' was merged into 'pak-chol-ho': refer to "
            "'pak-chol-ho'",
        ),
        # Ids alone would suggest 'cuban-ambassador-to-north-korea' for these.
        (
            "ambassador-to-kuwait",
            "no person with id 'ambassador-to-kuwait' (did you mean 'pak-chol-ho', into which "
            "'acting-ambassador-to-kuwait' was merged?)",
        ),
        (
            "acting-ambassador-to-kuwaitt",
            "no person with id 'acting-ambassador-to-kuwaitt' (did you mean 'pak-chol-ho', into "
            "which 'acting-ambassador-to-kuwait' was merged?)",
        ),
        # A title, not only an id.
        (
            "ri-chol-min",
            "no person with id 'ri-chol-min' (did you mean 'envoy-to-ruritania', titled "
            "'Ri Chol-min'?)",
        ),
    ],
)
def test_did_you_mean_draws_on_merged_ids_and_names(
    tmp_path: Path, reference: str, says: str
) -> None:
    project = wiki(tmp_path, KUWAIT)
    line = refer(project, "choe-mi-ran", reference)
    (error,) = errors_of(project)
    assert error.startswith(f"{EVENT}:{line}:13: participants[1].person: {says}"), error
    assert "cuban" not in error


ARTICLE = "Kim Yong-chol, also written Gim Yong Cheol, left the mission in Ruritania.\n"


def test_did_you_mean_draws_on_the_spellings_a_person_is_known_by(tmp_path: Path) -> None:
    cite = "    cite:\n      - source: ruritania-wire\n        quote: {}\n"
    project = wiki(
        tmp_path,
        {
            "seeds/wire.txt": ARTICLE,
            "profiles/sources/ruritania-wire.yaml": (
                "title: Diplomat leaves\narchive: wire.txt\n"
                f"sha256: {hashlib.sha256(ARTICLE.encode()).hexdigest()}\n"
            ),
            "profiles/people/kim-yong-chol.yaml": (
                "name: Kim Yong-chol\nnames:\n  - value: Kim Yong-chol\n"
                + cite.format("Kim Yong-chol")
                + "  - value: Gim Yong Cheol\n"
                + cite.format("also written Gim Yong Cheol")
            ),
            "profiles/people/gim-yong-chel.yaml": "name: Gim Yong-chel\n",
        },
    )
    assert errors_of(project) == []
    # Ids alone would suggest 'gim-yong-chel'; the reference is one of Kim's spellings.
    line = refer(project, "choe-mi-ran", "gim-yong-cheol")
    assert errors_of(project) == [
        f"{EVENT}:{line}:13: participants[1].person: no person with id 'gim-yong-cheol' (did "
        "you mean 'kim-yong-chol', also spelled 'Gim Yong Cheol'?) (expected "
        "profiles/people/gim-yong-cheol.yaml)"
    ]


def test_a_rebuild_that_reuses_results_sees_a_profile_merged_since(tmp_path: Path) -> None:
    project = wiki(tmp_path, {})
    pipeline = reusing(Project.at(project))
    line = refer(project, "choe-mi-ran", "diplomat-in-ruritania")
    assert errors_of(project, pipeline) == [
        f"{EVENT}:{line}:13: participants[1].person: no person with id 'diplomat-in-ruritania' "
        "(expected profiles/people/diplomat-in-ruritania.yaml)"
    ]
    (project / "profiles/people/diplomat-in-ruritania.yaml").write_text(UNNAMED, "utf-8")
    assert errors_of(project, pipeline) == [
        f"{EVENT}:{line}:13: participants[1].person: person 'diplomat-in-ruritania' was merged "
        "into 'han-sol-min': refer to 'han-sol-min'"
    ]
    (project / "profiles/people/diplomat-in-ruritania.yaml").unlink()
    (project / "profiles/redirects.yaml").write_text(
        "people:\n  diplomat-in-ruritania: han-sol-min\n", "utf-8"
    )
    assert errors_of(project, pipeline) == [
        f"{EVENT}:{line}:13: participants[1].person: 'diplomat-in-ruritania' was renamed "
        "'han-sol-min' (profiles/redirects.yaml): refer to 'han-sol-min'"
    ]


# --- The old addresses ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_old_address_of_a_merged_or_renamed_profile_leads_to_it(tmp_path: Path) -> None:
    project = wiki(
        tmp_path,
        {
            "profiles/people/diplomat-in-ruritania.yaml": UNNAMED,
            "profiles/redirects.yaml": (
                "people:\n  han-solmin: han-sol-min\nmissions:\n  ruritania: embassy-in-ruritania\n"
            ),
        },
    )
    built = run_mkdocs(project)
    assert built.returncode == 0, built.stderr
    site = project / "site"
    for old, new, lead in (
        ("people/diplomat-in-ruritania", "../han-sol-min/", "was merged into"),
        ("people/han-solmin", "../han-sol-min/", "is now"),
        ("missions/ruritania", "../embassy-in-ruritania/", "is now"),
    ):
        page = (site / old / "index.html").read_text(encoding="utf-8")
        assert f'<meta http-equiv="refresh" content="0; url={new}">' in page
        assert f'{lead} <a href="{new}">' in page
        # The address leads to a page that is there.
        assert (site / old / new / "index.html").resolve().is_file()
    people = (site / "people/index.html").read_text(encoding="utf-8")
    assert "diplomat-in-ruritania" not in people
    assert not (site / "people/diplomat-in-ruritania/index.html").read_text("utf-8").count("<nav")
