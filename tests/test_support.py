"""A value says no more than its quotes: each rule of ``generator/support.py`` on real
profiles on disk, and the editorial rule for people reported as children."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.support import number_forms

from .conftest import FIXTURES, ROOT, copy_project
from .test_broken import assert_located, factfile_check


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")


def _edit(project: Path, profile: str, old: str, new: str) -> int:
    """Replace ``old`` with ``new`` in a profile; the line it is on."""
    path = project / "profiles" / profile
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def _check(project: Path) -> tuple[int, str]:
    code, output = factfile_check(project)
    if code:
        assert_located(output)
    return code, output


def test_the_minimal_wiki_says_no_more_than_its_quotes(minimal: Path) -> None:
    code, output = _check(minimal)
    assert code == 0, output
    assert "claims: 0 stated, 14 attributed, 0 hedged, 2 inferred." in output


# --- Numbers and dates ---------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [("value: 47", "value: 44"), ("value: 48", "value: 84")])
def test_a_falsified_age_fails_at_its_line(minimal: Path, old: str, new: str) -> None:
    line = _edit(minimal, "people/han-sol-min.yaml", old, new)
    code, output = _check(minimal)
    assert code == 1
    number = new.split()[-1]
    assert (
        f"profiles/people/han-sol-min.yaml:{line}:12: ages[" in output
        and f"the number {number} is in the value but in none of its quotes" in output
    ), output


def test_a_year_not_in_the_quotes_needs_the_reasoning(minimal: Path) -> None:
    profile = "missions/embassy-in-ruritania.yaml"
    _edit(
        minimal,
        profile,
        "    inferred: The article, dated May 2024, says June without a year.\n",
        "",
    )
    code, output = _check(minimal)
    assert code == 1
    assert "status[0].date: the year 2024 is in the value but in none of its quotes" in output


def test_a_number_written_in_words_or_with_separators_is_found() -> None:
    assert {"43", "forty-three", "forty three"} <= set(number_forms(43))
    assert "1,000" in number_forms(1000) and "fifteen" in number_forms(15)


def test_a_number_in_a_text_value_must_be_quoted(minimal: Path) -> None:
    path = minimal / "profiles/people/choe-mi-ran.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["facts"] = [
        {
            "value": "Left with her husband on 3 May, aged 46.",
            "according_to": "officials",
            "cite": [{"source": "test-gazette", "quote": "left the embassy in Ruritania on 3 May"}],
        }
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, output = _check(minimal)
    assert code == 1
    assert "facts[0].value: the number 46 is in the value but in none of its quotes" in output
    # The day and the month are in the quote: only the age is reported.
    assert output.count("in none of its quotes") == 1


# --- Hedges and attributions ---------------------------------------------------------------


def test_a_quote_from_a_sentence_that_attributes_needs_according_to(minimal: Path) -> None:
    line = _edit(
        minimal,
        "people/han-sol-min.yaml",
        "  - value: 47\n    according_to: officials\n",
        "  - value: 47\n",
    )
    code, output = _check(minimal)
    assert code == 1
    assert (
        f"profiles/people/han-sol-min.yaml:{line}:5: ages[0]: the article attributes this "
        '("said" in the sentence quoted)' in output
    ), output


def test_the_whole_sentence_counts_not_only_the_words_quoted(minimal: Path) -> None:
    # "A diplomat named Han Sol-min, 47" stops long before "officials said".
    _edit(minimal, "people/choe-mi-ran.yaml", "    according_to: officials\n", "")
    code, output = _check(minimal)
    assert code == 1 and 'names[0]: the article attributes this ("said"' in output


def test_a_waiver_says_why_the_cue_does_not_apply(minimal: Path) -> None:
    _edit(
        minimal,
        "people/choe-mi-ran.yaml",
        "    according_to: officials\n",
        "    cue_waived: Her name is the gazette's own words; officials said only the rest.\n",
    )
    assert _check(minimal)[0] == 0


def test_a_hedge_must_be_the_articles_own_words(minimal: Path) -> None:
    _edit(
        minimal,
        "people/choe-mi-ran.yaml",
        "    according_to: officials\n",
        "    according_to: officials\n    hedge: is believed to\n",
    )
    code, output = _check(minimal)
    assert code == 1
    assert 'names[0].hedge: "is believed to" is not in the sentences quoted' in output


def test_a_quote_inside_quotation_marks_is_someones_words(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    _edit(
        project,
        "people/han-sol-min.yaml",
        "postings:",
        "facts:\n  - value: Had no choice.\n    cite:\n      - source: test-gazette\n"
        "        quote: We had no choice\npostings:",
    )
    code, output = _check(project)
    assert code == 1
    # "We had no choice" is inside quotation marks (and its sentence says "said").
    assert "facts[0]: the article attributes this" in output


# --- Enumerated values -----------------------------------------------------------------------


def test_a_status_the_quotes_do_not_say_needs_the_reasoning(minimal: Path) -> None:
    line = _edit(
        minimal, "people/han-sol-min.yaml", "  - value: defected\n", "  - value: detained\n"
    )
    code, output = _check(minimal)
    assert code == 1
    assert (
        f"profiles/people/han-sol-min.yaml:{line}:12: status[0].value: 'detained' is not what "
        "the quotes say" in output
    ), output
    _edit(
        minimal,
        "people/han-sol-min.yaml",
        "  - value: detained\n",
        "  - value: detained\n    inferred: A test of the rule, with the reasoning shown.\n",
    )
    assert _check(minimal)[0] == 0


# --- People reported as children ---------------------------------------------------------------


def test_a_child_carries_no_hedged_or_inferred_status(minimal: Path) -> None:
    path = minimal / "profiles/people/choe-mi-ran.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["minor_when_reported"] = True
    data["status"] = [
        {
            "value": "defected",
            "according_to": "the foreign ministry",
            "inferred": "She left with him, so she defected too.",
            "cite": [{"source": "test-gazette", "quote": "after the defection"}],
        }
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, output = _check(minimal)
    assert code == 1
    assert (
        "status[0]: a person reported as a child carries no inferred status: publish only what "
        "a source states of them" in output
    )
    # Stated (or attributed), it may be published.
    del data["status"][0]["inferred"]
    data["status"][0]["value"] = "defected"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert _check(minimal)[0] == 0


def test_an_identification_needs_its_reasoning(minimal: Path) -> None:
    path = minimal / "profiles/people/choe-mi-ran.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["identified_with"] = [
        {"person": "han-sol-min", "cite": [{"source": "test-gazette", "quote": "Han Sol Min"}]}
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, output = _check(minimal)
    assert code == 1
    assert "an identification needs the editors' reasoning under inferred:" in output


# --- The real wiki ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "old", "new"),
    [
        # An age and a year the sources state: falsified, the check fails at the line.
        ("people/kim-kum-sun.yaml", "value: 43", "value: 44"),
        ("events/ko-young-hwan-defects.yaml", "value: 1991", "value: 1992"),
    ],
)
def test_falsifying_a_stated_number_of_the_real_wiki_fails_at_its_line(
    tmp_path: Path, profile: str, old: str, new: str
) -> None:
    project = copy_project(tmp_path / "wiki", source=ROOT)
    assert _check(project)[0] == 0
    line = _edit(project, profile, old, new)
    code, output = _check(project)
    assert code == 1
    assert f"profiles/{profile}:{line}:" in output and "in none of its quotes" in output
