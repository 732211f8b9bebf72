"""Hostile input that once slipped through: each must be refused with a located error.

YAML 1.1 number forms read as something other than what was written, numbers too
large to print, characters a reader cannot see, control characters reaching the
terminal or a CI log through messages, and ``add-source`` handed a file that never ends.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load import parse
from generator.model import Kind
from generator.validate import check_shape

from .conftest import FIXTURES, copy_project
from .test_broken import assert_located, factfile_check

PERSON = """\
name: {name}
ages:
  - value: {age}
    cite:
      - source: test-gazette
        quote: Han Sol-min, 47
"""

MISSION = """\
name: Embassy in Ruritania
figures:
  - measure: North Korean missions abroad
    value: {value}
    cite:
      - source: test-gazette
        quote: the embassy in Ruritania
"""


def shape_errors(kind: Kind, text: str) -> list[str]:
    """Every error reading and checking the shape of one profile, as printed."""
    raw = parse(kind, "x", f"profiles/{kind}/x.yaml", text)
    if isinstance(raw, list):
        return [str(error) for error in raw]
    shaped = check_shape(raw)
    return [str(error) for error in shaped] if isinstance(shaped, list) else []


def person_errors(name: str = "Han Sol-min", age: str = "47") -> list[str]:
    return shape_errors("people", PERSON.format(name=name, age=age))


# --- YAML 1.1 number forms ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("017", "'017' is not a plain decimal number: write 17"),
        ("007", "'007' is not a plain decimal number: write 7"),
        ("4_7", "'4_7' is not a plain decimal number: write 47"),
        ("+5", "'+5' is not a plain decimal number: write 5"),
        ("0x1F", "'0x1F' is not a plain decimal number: write 31"),
        ("0b101", "'0b101' is not a plain decimal number: write 5"),
        ("0o17", "'0o17' is not a plain decimal number: write 15"),
        ("1e3", "'1e3' is not a plain decimal number: write 1000"),
        ("47.0", "'47.0' is not a plain decimal number: write 47"),
        (
            "1:20",
            "'1:20' is not a plain decimal number (YAML 1.1 reads it as 80, in base 60): "
            "write the number in decimal digits",
        ),
        (".5", "must be a whole number, not a number (.5)"),
        ("47.5", "must be a whole number, not a number (47.5)"),
    ],
)
def test_a_number_field_takes_only_plain_decimal_digits(written: str, message: str) -> None:
    assert person_errors(age=written) == [f"profiles/people/x.yaml:3:12: ages[0].value: {message}"]


@pytest.mark.parametrize("written", ["0", "47", "130"])
def test_plain_decimal_numbers_are_read_as_written(written: str) -> None:
    assert person_errors(age=written) == []
    raw = parse("people", "x", "x.yaml", PERSON.format(name="Han", age=written))
    assert not isinstance(raw, list)
    assert raw.data["ages"][0]["value"] == int(written)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("1:20", "a number (1:20)"),
        ("0x1F", "a number (0x1F)"),
        ("017", "a number (017)"),
        ("4_7", "a number (4_7)"),
        ("1_0.5", "a number (1_0.5)"),
        ("1975", "a number (1975)"),
        ("yes", "true/false (yes)"),
        ("NO", "true/false (NO)"),
    ],
)
def test_a_text_field_shows_a_yaml_number_as_written(written: str, shown: str) -> None:
    assert person_errors(name=written) == [
        f"profiles/people/x.yaml:1:7: name: must be text, not {shown}; put it in quotes"
    ]


def test_a_number_form_elsewhere_is_shown_as_written() -> None:
    text = PERSON.format(name="Han", age="47").replace("    cite:\n", "    cite: 0x1F\n", 1)
    errors = shape_errors("people", text.split("      - source")[0])
    assert errors == [
        "profiles/people/x.yaml:4:11: ages[0].cite: "
        "must be a list (one '- ' item per line), not a number (0x1F)"
    ]


def test_dates_written_unquoted_are_still_dates() -> None:
    text = (
        "name: Han\nstatus:\n  - value: defected\n    as_of: 2023-11-05\n    cite:\n"
        "      - source: test-gazette\n        quote: left the embassy\n"
    )
    assert shape_errors("people", text) == []
    raw = parse("people", "x", "x.yaml", text)
    assert not isinstance(raw, list)
    assert raw.data["status"][0]["as_of"] == "2023-11-05"


def test_an_octal_age_is_refused_by_check(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    person = project / "profiles/people/han-sol-min.yaml"
    person.write_text(person.read_text("utf-8").replace("value: 47", "value: 047"), "utf-8")
    code, output = factfile_check(project)
    assert code == 1, output
    assert_located(output)
    assert "ages[0].value: '047' is not a plain decimal number: write 47" in output


# --- Numbers too large to print -------------------------------------------------------------

HUGE_NUMBERS = {
    "decimal": "1" * 5000,
    "negative": "-" + "9" * 5000,
    "hex": "0x" + "f" * 4000,
    "octal": "0" + "7" * 5000,
    "base-60": "1" * 5000 + ":20",
    "float": "1" * 5000 + ".5",
}
# Where a huge number might be written: a number, a date, text, a choice, a flag, a list.
HUGE_PLACES = {
    "age": ("people", PERSON.format(name="Han", age="{n}")),
    "name": ("people", PERSON.format(name="{n}", age="47")),
    "as_of": ("people", PERSON.format(name="Han", age="47\n    as_of: {n}")),
    "status": ("people", "name: Han\nstatus:\n  - value: {n}\n    cite: []\n"),
    "figure": ("missions", MISSION.format(value="{n}")),
    "approximate": ("missions", MISSION.format(value="3\n    approximate: {n}")),
    "cite": ("people", "name: Han\nnames:\n  - value: Han\n    cite: {n}\n"),
}


@pytest.mark.parametrize("number", HUGE_NUMBERS.values(), ids=HUGE_NUMBERS.keys())
@pytest.mark.parametrize("place", HUGE_PLACES.values(), ids=HUGE_PLACES.keys())
def test_a_huge_number_anywhere_gets_a_short_located_error(
    place: tuple[Kind, str], number: str
) -> None:
    kind, template = place
    errors = shape_errors(kind, template.replace("{n}", number))
    assert errors
    for error in errors:
        assert error.startswith(f"profiles/{kind}/x.yaml:"), error
        assert len(error) < 200, error[:300]


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("1000000000000", []),
        (
            "1000000000001",
            [
                "profiles/missions/x.yaml:4:12: figures[0].value: "
                "must be at most 1,000,000,000,000, not 1000000000001"
            ],
        ),
        (
            "123456789012345678",
            [
                "profiles/missions/x.yaml:4:12: figures[0].value: "
                "must be at most 1,000,000,000,000, not 123456789012345678"
            ],
        ),
        (
            "1234567890123456789",
            [
                "profiles/missions/x.yaml:4:12: figures[0].value: "
                "'1234567890123456789' is too large (19 digits)"
            ],
        ),
    ],
)
def test_a_figure_is_at_most_a_trillion(value: str, errors: list[str]) -> None:
    assert shape_errors("missions", MISSION.format(value=value)) == errors


def test_a_figure_of_thousands_of_hex_digits_stops_check_and_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    mission = project / "profiles/missions/embassy-in-ruritania.yaml"
    figure = MISSION.format(value="0x" + "f" * 4000).split("\n", 1)[1]
    mission.write_text(mission.read_text("utf-8") + figure, "utf-8")
    code, output = factfile_check(project)
    assert code == 1, output
    assert_located(output)
    assert f"figures[0].value: '0x{'f' * 37}…' is not a plain decimal number" in output
    result = CliRunner().invoke(main, ["render", "--project", str(project)])
    assert result.exit_code == 1
    assert not isinstance(result.exception, ValueError), result.exception
    assert "Traceback" not in result.output
