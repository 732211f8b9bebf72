"""Hostile input that once slipped through: each must be refused with a located error.

YAML 1.1 number forms read as something other than what was written, numbers too
large to print, characters a reader cannot see, control characters reaching the
terminal or a CI log through messages, and ``add-source`` handed a file that never ends.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from generator import model
from generator.cli import main
from generator.errors import FactfileError, Location
from generator.load import parse
from generator.model import Kind, Person, TextClaim
from generator.project import Project
from generator.scaffold import MAX_ARTICLE_BYTES, ScaffoldError, add_source
from generator.validate import check_shape

from .conftest import FIXTURES, ROOT, copy_project
from .test_broken import assert_located, factfile_check
from .test_hostile import WIKI as HOSTILE_WIKI

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


# --- Characters no reader can see ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("\u3164", "U+3164 (HANGUL FILLER)"),
        ("Kim\u3164Chol", "U+3164 (HANGUL FILLER)"),
        ("\u115f", "U+115F (HANGUL CHOSEONG FILLER)"),
        ("\u1160", "U+1160 (HANGUL JUNGSEONG FILLER)"),
        ("Kim \uffa0", "U+FFA0 (HALFWIDTH HANGUL FILLER)"),
        ("\u2800", "U+2800 (BRAILLE PATTERN BLANK)"),
        ("Kim\u2800Chol", "U+2800 (BRAILLE PATTERN BLANK)"),
        ("\u034f", "U+034F (COMBINING GRAPHEME JOINER)"),
        ("Kim\u034fChol", "U+034F (COMBINING GRAPHEME JOINER)"),
        ("Kim\u17b4", "U+17B4 (KHMER VOWEL INHERENT AQ)"),
        ("Kim\ufe0f", "U+FE0F (VARIATION SELECTOR-16)"),
        ("\ufe0f", "U+FE0F (VARIATION SELECTOR-16)"),
        ("\u2764\ufe0f Kim", "U+FE0F (VARIATION SELECTOR-16)"),
        ("Kim\U000e0100", "U+E0100 (VARIATION SELECTOR-17)"),
        ("Kim\u180b", "U+180B (MONGOLIAN FREE VARIATION SELECTOR ONE)"),
        ("Kim\U000e0041", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
        ("Kim\u2065", "U+2065"),
        ("Kim\U000e0fff", "U+E0FFF"),
        ("Kim\u0378", "U+0378"),
        ("Kim\U0003ffff", "U+3FFFF"),
        ("\u0301", "U+0301 (COMBINING ACUTE ACCENT)"),
        ("\u0301\u0302", "U+0301 (COMBINING ACUTE ACCENT)"),
        ("\u0301Kim", "U+0301 (COMBINING ACUTE ACCENT)"),
        ("\u20dd", "U+20DD (COMBINING ENCLOSING CIRCLE)"),
    ],
)
def test_a_name_a_reader_cannot_see_is_refused(value: str, shown: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Person.model_validate({"name": value})
    message = caught.value.errors()[0]["msg"]
    assert shown in message, message


def test_a_variation_selector_is_refused_as_such() -> None:
    with pytest.raises(ValidationError, match=r"variation selector U\+FE0F .*names and quotes"):
        Person.model_validate({"name": "\u2764\ufe0f"})


def test_an_unassigned_code_point_is_refused_as_such() -> None:
    with pytest.raises(ValidationError, match=r"U\+0378, which is not an assigned character"):
        Person.model_validate({"name": "Kim\u0378"})


@pytest.mark.parametrize(
    "value",
    [
        "\u00a0",
        "\u3000",
        "\u0301 \u0301",
        "\u2800\n\u3164",
    ],
)
def test_text_must_have_something_to_see(value: str) -> None:
    with pytest.raises(ValidationError):
        TextClaim.model_validate({"value": value, "cite": [{"source": "x", "quote": "Kim"}]})


@pytest.mark.parametrize(
    "value",
    [
        "Kim Chŏl-u",
        "Pak Ŭn-ju",
        "Kim Che\u0301ol",  # a letter and its accent, written decomposed
        "김정은",
        "Ri Il\u00a0Gyu",
        "สวัสดี",
        "नमस्ते",
        "محمد",
        "\u2764 (a heart, as printed)",
        "first line\n\tsecond line",
        "…",
        "42",
    ],
)
def test_visible_text_in_any_script_passes(value: str) -> None:
    TextClaim.model_validate({"value": value, "cite": [{"source": "x", "quote": value}]})


def test_the_fast_path_refuses_whatever_the_full_walk_refuses() -> None:
    # Printable text that holds none of the printable blanks and does not start with a
    # mark skips the per-character walk: that is only sound if the walk would refuse none
    # of its characters. Text that is not printable is always walked, so each printable
    # code point is checked, alone and between letters.
    checked = 0
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not char.isprintable():
            continue
        for value in (char, f"a{char}b"):
            try:
                model._reject_invisible(value, multiline=False)
                refused = value != value.strip()
            except ValueError:
                refused = True
            if refused:
                checked += 1
                try:
                    model._check_characters(value, multiline=False)
                except ValueError:
                    continue
                raise AssertionError(f"U+{code:04X} passes the fast path")
    assert checked > 2500  # the printable blanks and every combining mark


def test_every_printable_blank_is_one_the_fast_path_looks_for() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if model.BLANK.match(char) and char.isprintable():
            assert model.PRINTABLE_BLANK.match(char), hex(code)


def test_the_project_and_hostile_wikis_still_pass(tmp_path: Path) -> None:
    for name, source in (("project", ROOT), ("hostile", HOSTILE_WIKI)):
        code, output = factfile_check(copy_project(tmp_path / name, source=source))
        assert code == 0, output


# --- Control characters in messages -------------------------------------------------------


def test_an_error_shows_control_characters_as_escapes() -> None:
    error = FactfileError(
        Location("profiles/people/a\nb.yaml", 3, 1),
        "unknown key 'x\n::warning file=a.yaml::pwned\x1b[31m\u2028'",
        'closest passage: "\x1b]8;;http://evil.example\x07here\x9b\x85\x7f\t"\nsecond line\r',
    )
    assert str(error).split("\n") == [
        "profiles/people/a\\nb.yaml:3:1: unknown key 'x\\n::warning file=a.yaml::pwned"
        "\\x1b[31m\\u2028'",
        '    closest passage: "\\x1b]8;;http://evil.example\\x07here\\x9b\\x85\\x7f\\t"',
        "    second line\\r",
    ]
    assert str(Location("a\x1bb.yaml")) == "a\\x1bb.yaml"


HOSTILE_KEY = "x\n::warning file=profiles/people/choe-mi-ran.yaml::pwned\x1b]8;;http://evil\x07"
HOSTILE_ARCHIVE = (
    "The envoy \x1b]8;;http://evil.example\x07left\x1b]8;;\x07 the embassy \x9b31mon "
    "3 May\x7f, an official said.\n"
)


def hostile_messages_project(root: Path) -> Path:
    """The minimal wiki with a key, a file name and an archive full of control characters."""
    project = copy_project(root, source=FIXTURES / "minimal")
    person = project / "profiles/people/choe-mi-ran.yaml"
    key = json.dumps(HOSTILE_KEY)  # a YAML double-quoted string
    person.write_text(person.read_text("utf-8") + f"{key}: 1\n", "utf-8")
    (project / "profiles/people/evil\n\x1b[2Jname.yaml").write_text("name: Evil\n", "utf-8")
    (project / "seeds/hostile.txt").write_text(HOSTILE_ARCHIVE, "utf-8")
    digest = hashlib.sha256(HOSTILE_ARCHIVE.encode()).hexdigest()
    (project / "profiles/sources/hostile-archive.yaml").write_text(
        f"title: Hostile archive\narchive: hostile.txt\nsha256: {digest}\n", "utf-8"
    )
    (project / "profiles/people/envoy.yaml").write_text(
        "name: The envoy\nroles:\n  - value: envoy\n    cite:\n"
        "      - source: hostile-archive\n"
        "        quote: The envoy left the embassy on 4 May\n",
        "utf-8",
    )
    return project


def assert_no_control_characters(output: str) -> None:
    for char in "\x1b\x07\x9b\x7f\r\u2028\u2029\x85":
        assert char not in output, repr(char)
    assert not any(line.startswith("::warning") for line in output.splitlines()), output


def test_check_shows_control_characters_in_keys_names_and_archives_as_escapes(
    tmp_path: Path,
) -> None:
    project = hostile_messages_project(tmp_path / "wiki")
    code, output = factfile_check(project)
    assert code == 1, output
    assert_no_control_characters(output)
    assert_located(output)
    assert (
        "unknown key 'x\\n::warning file=profiles/people/choe-mi-ran.yaml::pwned"
        "\\x1b]8;;http://evil\\x07'" in output
    )
    assert "profiles/people/evil\\n\\x1b[2Jname.yaml:1:1: file name 'evil\\n\\x1b[2Jname'" in output
    assert (
        'closest passage, seeds/hostile.txt line 1: "The envoy \\x1b]8;;http://evil.example'
        '\\x07left\\x1b]8;;\\x07 the embassy \\x9b31mon 3 May\\x7f"' in output
    )


def test_github_annotations_show_control_characters_as_escapes(tmp_path: Path) -> None:
    project = hostile_messages_project(tmp_path / "wiki")
    result = CliRunner().invoke(main, ["check", "--project", str(project), "--format", "github"])
    assert result.exit_code == 1, result.output
    assert_no_control_characters(result.output)
    annotations = result.stdout.splitlines()
    assert len(annotations) == 3, annotations
    assert all(line.startswith("::error file=profiles/") for line in annotations), annotations
    assert any("closest passage" in line and "\\x1b]8;;" in line for line in annotations)
    named = next(line for line in annotations if "file name" in line)
    assert named.startswith("::error file=profiles/people/evil\\n\\x1b[2Jname.yaml,line=1,col=1,")


# --- add-source handed something other than a file --------------------------------------


def add_source_in_a_process(project: Path, article: Path) -> subprocess.CompletedProcess[str]:
    """``factfile add-source`` in its own process, which a FIFO could block or /dev/zero
    could fill: it is stopped after a while, and may not use more than a GiB."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    command = "from generator.cli import main; main()"
    options = ["--project", str(project), "--title", "Envoy leaves", "--id", "envoy"]
    return subprocess.run(
        [sys.executable, "-c", command, "add-source", str(article), *options],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=limit_memory,
    )


def nothing_added(project: Path) -> bool:
    return not (project / "profiles/sources/envoy.yaml").exists() and sorted(
        p.name for p in (project / "seeds").iterdir()
    ) == ["article.txt"]


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda path: os.mkfifo(path), "a named pipe (FIFO)"),
        (lambda path: path.symlink_to("/dev/zero"), "a character device"),
    ],
    ids=["fifo", "link-to-dev-zero"],
)
def test_add_source_refuses_what_is_not_a_regular_file_before_opening_it(
    tmp_path: Path, make: Callable[[Path], object], what: str
) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    article = tmp_path / "article.txt"
    make(article)
    result = add_source_in_a_process(project, article)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert f"{article} is {what}, not a regular file" in result.stderr
    assert nothing_added(project)


def test_add_source_refuses_a_folder_or_a_socket(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(ScaffoldError, match=r"folder\.txt is a folder, not a regular file"):
        add_source(Project.at(project), folder, title="Envoy leaves", source_id="envoy")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket.txt"))
        with pytest.raises(ScaffoldError, match=r"socket\.txt is a socket, not a regular file"):
            add_source(
                Project.at(project), tmp_path / "socket.txt", title="Envoy", source_id="envoy"
            )
    assert nothing_added(project)


def test_add_source_reads_dev_zero_as_named(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    result = add_source_in_a_process(project, Path("/dev/zero"))
    assert result.returncode == 1, result.stderr
    assert "/dev/zero is a character device, not a regular file" in result.stderr
    assert nothing_added(project)


def test_add_source_refuses_an_article_over_four_mebibytes(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    article = tmp_path / "article.txt"
    article.write_bytes(b"Envoy leaves. " * (MAX_ARTICLE_BYTES // 14 + 1))
    with pytest.raises(ScaffoldError, match=r"is 4,194,\d+ bytes: an archived article may be at"):
        add_source(Project.at(project), article, title="Envoy leaves", source_id="envoy")
    assert nothing_added(project)


def test_add_source_reads_no_more_than_the_limit_of_a_file_that_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file that is small when looked at and large when read, as if it were still being
    # written: only one byte more than the limit is ever read.
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    article = tmp_path / "article.txt"
    article.write_bytes(b"x" * (MAX_ARTICLE_BYTES * 2))
    inode = article.stat().st_ino
    real_stat, real_fstat = os.stat, os.fstat

    def small(found: os.stat_result) -> os.stat_result:
        if found.st_ino != inode:
            return found
        return os.stat_result((*found[:6], 100, *found[7:10]))

    monkeypatch.setattr(os, "stat", lambda *args, **kwargs: small(real_stat(*args, **kwargs)))
    monkeypatch.setattr(os, "fstat", lambda fd: small(real_fstat(fd)))
    with pytest.raises(ScaffoldError, match="is more than 4,194,304 bytes"):
        add_source(Project.at(project), article, title="Envoy leaves", source_id="envoy")
    assert nothing_added(project)


def test_add_source_never_writes_through_a_link_in_the_wiki(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    article = tmp_path / "envoy.txt"
    article.write_text("The envoy left.\n", "utf-8")
    outside = tmp_path / "outside.txt"
    (project / "seeds/envoy.txt").symlink_to(outside)
    with pytest.raises(ScaffoldError, match=r"seeds/envoy\.txt already exists and is a link"):
        add_source(Project.at(project), article, title="Envoy leaves", source_id="envoy")
    assert not outside.exists()
    assert not (project / "profiles/sources/envoy.yaml").exists()
    (project / "seeds/envoy.txt").unlink()
    (project / "profiles/sources/envoy.yaml").symlink_to(outside)
    with pytest.raises(ScaffoldError, match=r"profiles/sources/envoy\.yaml already exists"):
        add_source(Project.at(project), article, title="Envoy leaves", source_id="envoy")
    assert not outside.exists()
    assert not (project / "seeds/envoy.txt").exists()


def test_add_source_reads_no_link_to_a_device_in_the_wiki(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    article = tmp_path / "envoy.txt"
    article.write_text("The envoy left.\n", "utf-8")
    (project / "profiles/sources/zero.yaml").symlink_to("/dev/zero")
    (project / "seeds/envoy.txt").symlink_to("/dev/zero")
    result = add_source_in_a_process(project, article)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "seeds/envoy.txt already exists and is a link" in result.stderr
    (project / "seeds/envoy.txt").unlink()
    result = add_source_in_a_process(project, article)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project / "seeds/envoy.txt").read_bytes() == article.read_bytes()


# --- Archives are read only as plain files of seeds/ ------------------------------------


def _gazette_points_at(project: Path, archive: str, sha256: str) -> None:
    path = project / "profiles/sources/test-gazette.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("archive: article.txt", f"archive: {archive}")
    text = text.replace(text.split("sha256: ")[1].strip(), sha256)
    path.write_text(text, encoding="utf-8")


def test_an_archive_that_is_a_link_is_neither_read_nor_quoted_nor_published(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\nHan Sol-min, 47\n", encoding="utf-8")
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    (project / "seeds/linked.txt").symlink_to(outside)
    digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    _gazette_points_at(project, "linked.txt", digest)
    code, output = factfile_check(project)
    assert code == 1
    assert_located(output)
    assert "profiles/sources/test-gazette.yaml:4:10: archive: seeds/linked.txt is a link" in output
    # Nothing of the file behind the link: no checksum, no "closest passage".
    assert "root:x" not in output and digest not in output
    result = CliRunner().invoke(
        main, ["quote", "--project", str(project), "test-gazette", "Han Sol-min"]
    )
    assert result.exit_code == 1
    assert "is a link" in result.output and "root:x" not in result.output


def test_an_unreadable_archive_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import archives

    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    real_open = os.open

    def refuse(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if str(path).endswith("article.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(archives.os, "open", refuse)
    code, output = factfile_check(project)
    assert code == 1, output
    assert_located(output)
    assert (
        "profiles/sources/test-gazette.yaml:4:10: archive: seeds/article.txt cannot be read "
        "(Permission denied)" in output
    )
