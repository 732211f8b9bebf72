"""The ``factfile`` command, run on real projects on disk."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from generator.cli import main
from generator.model import Citation, Person, document_fields
from generator.project import Project

BIN = Path(__import__("sys").executable).parent


@pytest.fixture
def minimal(fixture_project: Callable[[str], Project]) -> Path:
    return fixture_project("minimal").root


def run(project: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, [args[0], "--project", str(project), *args[1:]])
    # A contributor never sees a Python traceback, whatever they type.
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def line_of(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle`` in ``path``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in {path}")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parts[len(root.parts)] in ("profiles", "seeds")
    }


# --- help -----------------------------------------------------------------------------


def test_console_script_lists_every_command_with_an_example() -> None:
    result = subprocess.run(
        [str(BIN / "factfile"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for command in ("check", "quote", "new", "add-source", "render", "schema", "diff"):
        assert re.search(rf"^\s+{command}\s+\S", result.stdout, re.MULTILINE), command
    assert "Example:" in result.stdout


@pytest.mark.parametrize(
    "command", ["check", "quote", "new", "add-source", "render", "schema", "diff"]
)
def test_each_command_help_says_what_it_does_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary.split()) >= 5, summary
    example = result.output.split("Example:")[1]
    assert f"factfile {command}" in example


# --- check ----------------------------------------------------------------------------


def test_check_passes_a_good_project(minimal: Path) -> None:
    result = run(minimal, "check")
    assert result.exit_code == 0, result.output
    assert "OK: 2 people, 1 missions, 1 events, 1 sources" in result.stdout


def break_fixture(root: Path) -> tuple[str, str]:
    """A wrong quote in one profile and an unknown key in another; their locations."""
    person = root / "profiles/people/han-sol-min.yaml"
    text = person.read_text(encoding="utf-8")
    person.write_text(text.replace("quote: Han Sol-min, 47", "quote: Han Sol-min, 46"), "utf-8")
    line, col = line_of(person, "Han Sol-min, 46")
    mission = root / "profiles/missions/embassy-in-ruritania.yaml"
    mission.write_text(
        mission.read_text(encoding="utf-8") + "ambassador: nobody\n", encoding="utf-8"
    )
    mline, mcol = line_of(mission, "ambassador")
    return (
        f"profiles/people/han-sol-min.yaml:{line}:{col}",
        f"profiles/missions/embassy-in-ruritania.yaml:{mline}:{mcol}",
    )


def test_check_reports_every_error_with_its_place_and_exits_1(minimal: Path) -> None:
    quote_at, key_at = break_fixture(minimal)
    result = run(minimal, "check")
    assert result.exit_code == 1
    assert f"{quote_at}: quote not found in source 'test-gazette'" in result.stderr
    assert 'quote has "46" where the article has "47"' in result.stderr
    assert re.search(rf"^{re.escape(key_at)}: .*ambassador", result.stderr, re.MULTILINE)
    assert "2 errors found." in result.stderr


@pytest.mark.parametrize("broken", [False, True])
def test_check_as_a_command_flushes_its_output_and_exit_code(minimal: Path, broken: bool) -> None:
    # Started as the command, check ends its process without tearing the run down;
    # what it printed into the pipes, and its exit code, must still arrive.
    places = break_fixture(minimal) if broken else ()
    result = subprocess.run(
        [str(BIN / "factfile"), "check", "--project", str(minimal), "--format", "github"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if broken:
        assert result.returncode == 1
        assert result.stderr.endswith("2 errors found.\n"), result.stderr
        assert all(place in result.stderr for place in places), result.stderr
        assert result.stdout.count("::error ") == 2, result.stdout
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("OK: 2 people, 1 missions, 1 events, 1 sources")
        assert "verified; claims: " in result.stdout and result.stdout.endswith("inferred.\n")


def test_check_github_format_annotates_each_error(minimal: Path) -> None:
    quote_at, key_at = break_fixture(minimal)
    result = run(minimal, "check", "--format", "github")
    assert result.exit_code == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 2, result.stdout
    for place, first_words in ((quote_at, "quote not found"), (key_at, "")):
        path, line, col = place.split(":")
        prefix = f"::error file={path},line={line},col={col},title=factfile::{first_words}"
        assert any(a.startswith(prefix) for a in annotations), (prefix, annotations)
    # Multi-line details stay on the annotation's one line.
    assert all("\n" not in a for a in annotations)


def test_check_reports_yaml_syntax_errors_without_a_traceback(minimal: Path) -> None:
    person = minimal / "profiles/people/choe-mi-ran.yaml"
    person.write_text("name: [Choe Mi-ran\n", encoding="utf-8")
    result = run(minimal, "check")
    assert result.exit_code == 1
    assert re.search(
        r"^profiles/people/choe-mi-ran\.yaml:\d+:\d+: YAML syntax error", result.stderr, re.M
    )


# --- quote ----------------------------------------------------------------------------


def test_quote_found_prints_the_paragraph_with_the_match_marked(minimal: Path) -> None:
    result = run(minimal, "quote", "test-gazette", "Han Sol-min, 47")
    assert result.exit_code == 0, result.output
    assert "seeds/article.txt" in result.stdout
    assert "A diplomat named [[Han Sol-min, 47]], left the embassy" in result.stdout


def test_quote_forgives_typography_and_line_breaks_like_the_build(minimal: Path) -> None:
    result = run(minimal, "quote", "test-gazette", '"We had no choice," Han said')
    assert result.exit_code == 0, result.output
    assert "[[“We had no choice,” Han said]]" in result.stdout
    broken = run(minimal, "quote", "test-gazette", "after the defection, according")
    assert broken.exit_code == 0, broken.output
    assert "[[after the defec\ntion, according]]" in broken.stdout


def test_quote_with_a_cut_marks_each_piece(minimal: Path) -> None:
    result = run(minimal, "quote", "test-gazette", "A diplomat named … officials said")
    assert result.exit_code == 0, result.output
    assert "[[A diplomat named]] Han Sol-min" in result.stdout
    assert "[[officials said]]" in result.stdout


def test_quote_missing_shows_the_closest_passage_and_what_differs(minimal: Path) -> None:
    result = run(minimal, "quote", "test-gazette", "Han Sol-min, 46, left the embassy")
    assert result.exit_code == 1
    assert "Not found in seeds/article.txt" in result.stderr
    assert 'closest passage, seeds/article.txt line 1: "Han Sol-min, 47, left the embassy"' in (
        result.stderr
    )
    assert 'quote has "46," where the article has "47,"' in result.stderr
    assert result.stdout == ""


SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def archive_source(project: Path, name: str, text: str) -> str:
    """An archive of ``text`` under seeds/ and its source profile; the source's id."""
    data = text.encode("utf-8")
    (project / "seeds" / name).write_bytes(data)
    source_id = name.removesuffix(".txt").replace("_", "-")
    (project / "profiles/sources" / f"{source_id}.yaml").write_text(
        f"title: An archive without blank lines\narchive: {name}\n"
        f"sha256: {hashlib.sha256(data).hexdigest()}\n",
        encoding="utf-8",
    )
    return source_id


def shown_passages(output: str) -> list[str]:
    """The passages ``factfile quote`` prints, each without its "line N:" heading."""
    return [block.split("\n", 1)[1].strip() for block in output.split("\nline ")[1:]]


def test_quote_in_an_archive_without_blank_lines_shows_the_line_not_the_article(
    minimal: Path,
) -> None:
    # Real archive text, one paragraph a line with no blank line between: short enough
    # that it was all shown as one paragraph.
    lines = (SEEDS / "001_2b6251a5dafa85e8.txt").read_text(encoding="utf-8").splitlines()
    source = archive_source(minimal, "bbc_excerpt.txt", "\n".join(lines[:6]) + "\n")
    result = run(minimal, "quote", source, "the highest figure since 2017")
    assert result.exit_code == 0, result.output
    assert shown_passages(result.stdout) == [
        lines[4].replace("the highest figure since 2017", "[[the highest figure since 2017]]")
    ]
    assert "\nline 5:\n" in result.stdout


def test_quote_in_an_article_on_one_line_shows_the_sentences_around_the_match(
    minimal: Path,
) -> None:
    article = (SEEDS / "003_c120a4def187b257.txt").read_text(encoding="utf-8")
    one_line = " ".join(article.split())
    source = archive_source(minimal, "one_line.txt", one_line + "\n")
    quote = "bought flight tickets for his family"
    result = run(minimal, "quote", source, quote)
    assert result.exit_code == 0, result.output
    (passage,) = shown_passages(result.stdout)
    assert passage == (
        "… Ri revealed to Chosun Ilbo that he [[bought flight tickets for his family]] and "
        "informed them of his decision only six hours before their departure. …"
    )
    # Matched words stay marked however long the match, and what is around them bounded.
    long_quote = " ".join(one_line.split()[100:400])
    result = run(minimal, "quote", source, long_quote)
    assert result.exit_code == 0, result.output
    (passage,) = shown_passages(result.stdout)
    assert f"[[{long_quote}]]" in passage
    assert len(passage) - len(long_quote) <= 2 * 300 + 10
    assert passage.startswith("… ") and passage.endswith(" …")


def test_quote_unknown_source_suggests_the_right_id(minimal: Path) -> None:
    result = run(minimal, "quote", "test-gazete", "Han")
    assert result.exit_code == 2
    assert "no source 'test-gazete'" in result.stderr
    assert "did you mean 'test-gazette'?" in result.stderr


def test_quote_unknown_source_suggests_by_title_and_names_a_renamed_id(minimal: Path) -> None:
    result = run(minimal, "quote", "diplomat-leaves-embassy", "Han")
    assert result.exit_code == 2
    assert (
        "(did you mean 'test-gazette', titled 'Diplomat leaves embassy in Ruritania'?)"
        in " ".join(result.stderr.split())
    )
    (minimal / "profiles/redirects.yaml").write_text(
        "sources:\n  gazette: test-gazette\n", encoding="utf-8"
    )
    result = run(minimal, "quote", "gazette", "Han")
    assert result.exit_code == 2
    assert "source 'gazette' was renamed 'test-gazette' (profiles/redirects.yaml): use" in (
        " ".join(result.stderr.split())
    )


def test_quote_reports_a_source_whose_archive_is_missing(minimal: Path) -> None:
    (minimal / "seeds/article.txt").unlink()
    result = run(minimal, "quote", "test-gazette", "Han")
    assert result.exit_code == 1
    line, col = line_of(minimal / "profiles/sources/test-gazette.yaml", "article.txt")
    assert (
        f"profiles/sources/test-gazette.yaml:{line}:{col}: archive: no file seeds/article.txt"
        in result.stderr
    )


# --- new ------------------------------------------------------------------------------


def key_lines(text: str) -> list[int]:
    """0-based numbers of the lines that hold a mapping key."""
    return [
        number
        for number, line in enumerate(text.splitlines())
        if re.match(r"^\s*(- )?[a-z_]+:", line) and not line.lstrip().startswith("#")
    ]


@pytest.mark.parametrize(
    ("kind", "folder", "name", "slug"),
    [
        ("person", "people", "Pak Ŭn-ju", "pak-un-ju"),
        ("mission", "missions", "Embassy in Graustark", "embassy-in-graustark"),
        ("event", "events", "Envoy's talks in Graustark", "envoys-talks-in-graustark"),
    ],
)
def test_new_writes_a_commented_skeleton_that_passes_once_filled(
    minimal: Path, kind: str, folder: str, name: str, slug: str
) -> None:
    result = run(minimal, "new", kind, name)
    assert result.exit_code == 0, result.output
    path = minimal / "profiles" / folder / f"{slug}.yaml"
    assert f"profiles/{folder}/{slug}.yaml" in result.stdout
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["name"] == name
    lines = text.splitlines()
    assert lines[0] == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json"
    for number in key_lines(text):
        above = lines[number - 1].strip()
        assert above.startswith("#") and len(above) > 8, f"no comment above {lines[number]!r}"

    # As written, the check names the placeholder that needs filling in.
    unfilled = run(minimal, "check")
    assert unfilled.exit_code == 1
    placeholders = {
        f"profiles/{folder}/{slug}.yaml:{number}:{line.index(word) + 1}: "
        for number, line in enumerate(text.splitlines(), 1)
        for word in ("replace-with-source-id", "REPLACE")
        if word in line and not line.lstrip().startswith("#")
    }
    assert any(place in unfilled.stderr for place in placeholders), unfilled.stderr

    # Words the article states in its own voice, and values that say no more than them.
    value = {"person": name, "mission": "other", "event": "other"}[kind]
    filled = (
        text.replace("replace-with-source-id", "test-gazette")
        .replace("REPLACE with the exact words of the article", "Another paper spelled his name")
        .replace("value: REPLACE", f"value: {value}")
    )
    path.write_text(filled, encoding="utf-8")
    checked = run(minimal, "check")
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize(
    ("kind", "folder", "field", "expected"),
    [
        ("person", "people", "names", None),
        ("mission", "missions", "mission_kind", "'embassy', 'consulate-general', 'consulate'"),
        ("event", "events", "event_kind", "'defection', 'defection-attempt', 'disappearance'"),
    ],
)
def test_each_placeholder_of_a_new_profile_says_what_to_write_instead(
    minimal: Path, kind: str, folder: str, field: str, expected: str | None
) -> None:
    assert run(minimal, "new", kind, "Pak Un-ju").exit_code == 0
    path = minimal / "profiles" / folder / "pak-un-ju.yaml"
    shown = f"profiles/{folder}/pak-un-ju.yaml"
    checked = run(minimal, "check")
    line, col = line_of(path, "replace-with-source-id")
    assert (
        f"{shown}:{line}:{col}: {field}[0].cite[0].source: replace the placeholder "
        "'replace-with-source-id' with the id of the source the quote is from, its file name "
        "under profiles/sources/ without .yaml (one of: test-gazette); to cite an article "
        'not archived yet, first run: factfile add-source FILE --title "…"\n'
    ) in checked.stderr
    if expected is not None:
        line, col = line_of(path, "value: REPLACE")
        assert (
            f"{shown}:{line}:{col + 7}: {field}[0].value: replace the placeholder REPLACE "
            f"with one of {expected}"
        ) in checked.stderr
    # With the source filled in, the quote's placeholder says how to find the words.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("replace-with-source-id", "test-gazette"), encoding="utf-8")
    checked = run(minimal, "check")
    line, col = line_of(path, "REPLACE with the exact words")
    assert (
        f"{shown}:{line}:{col}: {field}[0].cite[0].quote: replace the placeholder with the "
        "exact words of the article in seeds/article.txt; find them with: factfile quote "
        'test-gazette "words from the article"\n'
    ) in checked.stderr
    assert "closest passage" not in checked.stderr


def test_new_keeps_hostile_names_as_plain_text(minimal: Path) -> None:
    name = "<script>alert(1)</script>: {{ x }} # not a comment"
    result = run(minimal, "new", "person", name)
    assert result.exit_code == 0, result.output
    path = minimal / "profiles/people/script-alert-1-script-x-not-a-comment.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["name"] == name
    assert data["names"][0]["value"] == name


def test_new_refuses_to_overwrite(minimal: Path) -> None:
    before = snapshot(minimal)
    result = run(minimal, "new", "person", "Han Sol-min")
    assert result.exit_code == 1
    assert "profiles/people/han-sol-min.yaml already exists" in result.stderr
    assert snapshot(minimal) == before


@pytest.mark.parametrize("args", [["person", "!!!"], ["ambassador", "Kim"]])
def test_new_rejects_bad_input_and_writes_nothing(minimal: Path, args: list[str]) -> None:
    before = snapshot(minimal)
    result = run(minimal, "new", *args)
    assert result.exit_code in (1, 2)
    assert "error" in result.stderr.lower()
    assert snapshot(minimal) == before


# --- add-source -----------------------------------------------------------------------

ARTICLE = (
    "Envoy leaves Graustark\r\n\r\nThe envoy, Pak Ŭn-ju, left on 2 March – “for good”, "
    "a spokesman said.\r\n"
).encode()


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "incoming" / "graustark-envoy.txt"
    path.parent.mkdir()
    path.write_bytes(ARTICLE)
    return path


def test_add_source_archives_byte_for_byte_and_records_the_checksum(
    minimal: Path, article: Path
) -> None:
    result = run(
        minimal,
        "add-source",
        str(article),
        "--outlet",
        "Graustark Daily",
        "--title",
        "Envoy leaves: “for good”",
        "--date",
        "2024-03",
        "--url",
        "https://example.org/envoy?id=1",
    )
    assert result.exit_code == 0, result.output
    seed = minimal / "seeds/graustark-envoy.txt"
    assert seed.read_bytes() == ARTICLE
    profile = minimal / "profiles/sources/graustark-daily-envoy-leaves-for-good.yaml"
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    assert data == {
        "title": "Envoy leaves: “for good”",
        "outlet": "Graustark Daily",
        "language": "en",
        "date": "2024-03",
        "url": "https://example.org/envoy?id=1",
        "archive": "graustark-envoy.txt",
        "sha256": hashlib.sha256(ARTICLE).hexdigest(),
    }
    assert run(minimal, "check").exit_code == 0
    found = run(minimal, "quote", profile.stem, '"for good", a spokesman said')
    assert found.exit_code == 0, found.output
    assert "[[“for good”, a spokesman said]]" in found.stdout


def test_add_source_with_id_and_archive_name(minimal: Path, article: Path) -> None:
    result = run(
        minimal,
        "add-source",
        str(article),
        "--title",
        "Envoy leaves",
        "--id",
        "envoy",
        "--archive",
        "envoy-2024.txt",
    )
    assert result.exit_code == 0, result.output
    assert (minimal / "seeds/envoy-2024.txt").read_bytes() == ARTICLE
    data = yaml.safe_load((minimal / "profiles/sources/envoy.yaml").read_text("utf-8"))
    assert data["date"] == "unknown"
    assert "outlet" not in data


def test_add_source_refuses_to_replace_a_different_archive(minimal: Path, article: Path) -> None:
    article.rename(article.with_name("article.txt"))
    before = snapshot(minimal)
    result = run(minimal, "add-source", str(article.with_name("article.txt")), "--title", "Envoy")
    assert result.exit_code == 1
    assert "seeds/article.txt already exists with different text" in result.stderr
    assert snapshot(minimal) == before


def test_add_source_refuses_text_already_archived(minimal: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes((minimal / "seeds/article.txt").read_bytes())
    before = snapshot(minimal)
    result = run(minimal, "add-source", str(copy), "--title", "Same text again")
    assert result.exit_code == 1
    assert "already archived: profiles/sources/test-gazette.yaml" in result.stderr
    assert snapshot(minimal) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--date", "2024-13"], "--date: '2024-13' has no month 13"),
        (["--url", "javascript:alert(1)"], "--url: must be an http:// or https:// address"),
        (["--id", "test-gazette"], "profiles/sources/test-gazette.yaml already exists"),
        (["--archive", "../escape.txt"], "--archive '../escape.txt' must be a file name"),
        (["--id", "../../escape"], "--id '../../escape' must be lowercase ASCII letters"),
        (["--id", "Envoy"], "--id 'Envoy' must be lowercase ASCII letters"),
        (["--title", "two\nlines"], "--title: must be a single line"),
    ],
)
def test_add_source_rejects_bad_values_and_writes_nothing(
    minimal: Path, article: Path, options: list[str], message: str
) -> None:
    before = snapshot(minimal)
    args = ["add-source", str(article)]
    if "--title" not in options:
        args += ["--title", "Envoy leaves"]
    result = run(minimal, *args, *options)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert snapshot(minimal) == before


def test_add_source_rejects_text_that_is_not_utf8(minimal: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Pyongyang – café".encode("latin-1", errors="replace"))
    before = snapshot(minimal)
    result = run(minimal, "add-source", str(bad), "--title", "Latin-1")
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.stderr
    assert snapshot(minimal) == before


# --- render ---------------------------------------------------------------------------


def test_render_writes_pages_and_refuses_a_broken_project(minimal: Path) -> None:
    result = run(minimal, "render")
    assert result.exit_code == 0, result.output
    page = minimal / "docs/people/han-sol-min.md"
    assert "Han Sol-min" in page.read_text(encoding="utf-8")
    break_fixture(minimal)
    page.unlink()
    failed = run(minimal, "render")
    assert failed.exit_code == 1
    assert not page.exists()


@pytest.mark.parametrize("text", ["", "   ", "…", "[…]"])
def test_quote_without_words_is_a_usage_error(minimal: Path, text: str) -> None:
    result = run(minimal, "quote", "test-gazette", text)
    assert result.exit_code == 2
    assert "Invalid value for TEXT: has no words to look for" in result.stderr


@pytest.mark.parametrize("source", ["../../etc/passwd", "Test-Gazette", "test_gazette"])
def test_quote_refuses_anything_but_a_source_id(minimal: Path, source: str) -> None:
    result = run(minimal, "quote", source, "Han")
    assert result.exit_code == 2
    assert f"'{source}' is not a source id" in result.stderr


def test_new_describes_each_field_in_the_words_of_the_model(minimal: Path) -> None:
    # A new process, so that nothing else has asked the model for its descriptions first.
    result = subprocess.run(
        [str(BIN / "factfile"), "new", "person", "Ri Song-il", "--project", str(minimal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    text = (minimal / "profiles" / "people" / "ri-song-il.yaml").read_text(encoding="utf-8")
    document_fields()
    for field in (Citation.model_fields["source"], Person.model_fields["name"]):
        first_words = " ".join((field.description or "").split()[:4])
        assert first_words and f"# {first_words}" in text, first_words
