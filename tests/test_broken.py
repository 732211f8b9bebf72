"""Broken input: every case gives its exact `factfile check` report and stops the build.

Each case under ``broken/`` is a set of files laid over the minimal fixture wiki, with
the exact output of ``factfile check`` in ``expected.txt``. A few inputs are made by
the test rather than committed (a file of megabytes, a symbolic link); see
``GENERATED``. After a deliberate change of wording, regenerate the expectations with
``UPDATE_GOLDEN=1 pytest tests/test_broken.py tests/test_hostile.py`` and review the
diff; a normal run never writes them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main

from .conftest import FIXTURES, copy_project, run_mkdocs

BROKEN = Path(__file__).resolve().parent / "broken"
GOLDEN = "expected.txt"
# path:line:col: message — the form every editor and CI annotation understands; a
# problem with a whole file or folder (a stray file, a link) names just the path. The
# path is always relative to the wiki, never where the wiki happens to be on disk.
LOCATED = re.compile(r"^(?P<path>[^\s:/][^:]*)(?::(?P<line>[1-9]\d*):(?P<col>[1-9]\d*))?: \S")


def _huge(root: Path) -> None:
    # Valid YAML all the way, so only the size can be the problem.
    line = "  - value: Choe Mi-ran is a name written many, many times over\n"
    body = "name: Choe Mi-ran\nnames:\n" + line * (3 * (1 << 20) // len(line))
    (root / "profiles/people/choe-mi-ran.yaml").write_text(body, encoding="utf-8")


def _symlinked_profile(root: Path) -> None:
    outside = root.parent / "outside.yaml"
    outside.write_text("name: Someone outside\n", encoding="utf-8")
    (root / "profiles/people/outsider.yaml").symlink_to(outside)


def _profile_folder_is_a_file(root: Path) -> None:
    shutil.rmtree(root / "profiles/events")
    (root / "profiles/events").write_text("not a folder\n", encoding="utf-8")


GENERATED: dict[str, Callable[[Path], None]] = {
    "huge-file": _huge,
    "symlinked-profile": _symlinked_profile,
    "profile-folder-is-a-file": _profile_folder_is_a_file,
}


def cases(corpus: Path) -> list[str]:
    return sorted(p.name for p in corpus.iterdir() if p.is_dir())


def lay_over(case_dir: Path, dest: Path, *, base: Path = FIXTURES / "minimal") -> Path:
    """A copy of ``base`` in ``dest`` with the case's files laid over it."""
    project = copy_project(dest, source=base)
    for path in sorted(case_dir.rglob("*")):
        if path.is_file() and path.relative_to(case_dir).as_posix() != GOLDEN:
            target = project / path.relative_to(case_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    make = GENERATED.get(case_dir.name)
    if make is not None:
        make(project)
    return project


def factfile_check(project: Path) -> tuple[int, str]:
    """Exit code and everything ``factfile check`` prints (standard output and error)."""
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def compare_golden(golden: Path, output: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert golden.is_file(), f"no {golden}: run once with UPDATE_GOLDEN=1 and review it"
    assert output == golden.read_text(encoding="utf-8")


def assert_located(output: str) -> None:
    """Every error line names path:line:col; indented lines are detail; one summary line."""
    lines = output.splitlines()
    assert lines, "no output"
    assert re.fullmatch(r"\d+ errors? found\.", lines[-1]), lines[-1]
    assert "Traceback" not in output
    errors = [line for line in lines[:-1] if not line.startswith("    ")]
    assert errors
    for line in errors:
        assert LOCATED.match(line), f"not located: {line!r}"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and link under ``root``, by relative path, with its bytes or target."""
    found: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = b"-> " + os.readlink(path).encode()
            elif path.is_file():
                found[rel] = path.read_bytes()
            else:
                found[rel] = b"<dir>"
    return found


def plant_old_site(project: Path) -> None:
    """A previous build's output, and a hand-written page, which a failed build must keep."""
    old = project / "site"
    (old / "people/han-sol-min").mkdir(parents=True)
    (old / "index.html").write_text("<h1>The last good site</h1>\n", encoding="utf-8")
    (old / "people/han-sol-min/index.html").write_text("<h1>Han Sol-min</h1>\n", "utf-8")
    (project / "docs/about.md").write_text("# About\n\nWritten by hand.\n", encoding="utf-8")


CASES = cases(BROKEN)


def test_corpus_covers_the_kinds_of_breakage() -> None:
    wanted = {
        "malformed-yaml-unclosed-quote",
        "wrong-types",
        "unknown-keys",
        "duplicate-id-case",
        "duplicate-keys",
        "dangling-references",
        "missing-archive",
        "altered-archive",
        "non-utf8",
        "billion-laughs",
        "deep-flow-nesting",
        "deep-block-nesting",
        "huge-file",
        "malformed-yaml-colon-in-value",
        "malformed-yaml-tab-indent",
        "malformed-yaml-missing-colon",
        "malformed-yaml-key-indented-too-far",
        "malformed-yaml-unclosed-bracket",
        "malformed-yaml-text-after-quote",
        "malformed-yaml-hash-in-list",
        "comment-cuts-a-value",
    }
    assert wanted <= set(CASES)
    assert set(GENERATED) <= set(CASES)


# libyaml's own words for the mistakes people make writing YAML by hand; each of those has
# a message of ours that says what to write instead.
LIBRARY_WORDING = (
    "mapping values are not allowed",
    "cannot start any token",
    "tab character that violates",
    "expected '-' indicator",
    "block sequence entries are not allowed",
    "could not find expected ':'",
    "did not find expected key",
    "did not find expected node content",
    "found unexpected end of stream",
    "did not find expected ','",
    "while scanning",
    "while parsing",
    "scalar that starts here",
)


def test_no_golden_report_keeps_the_yaml_librarys_wording() -> None:
    goldens = [
        path
        for corpus in (BROKEN, FIXTURES / "errors", BROKEN.parent / "hostile" / "rejected")
        for path in sorted(corpus.glob(f"*/{GOLDEN}"))
    ]
    assert len(goldens) > 40
    syntax = [path for path in goldens if "YAML syntax error" in path.read_text("utf-8")]
    assert len(syntax) >= 10
    for path in goldens:
        text = path.read_text(encoding="utf-8")
        for words in LIBRARY_WORDING:
            assert words not in text, f"{path}: {words!r}"


@pytest.mark.parametrize("case", CASES)
def test_check_reports_exactly_the_golden(case: str, tmp_path: Path) -> None:
    project = lay_over(BROKEN / case, tmp_path / "wiki")
    code, output = factfile_check(project)
    assert code == 1, output
    assert_located(output)
    compare_golden(BROKEN / case / GOLDEN, output)


def test_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    project = lay_over(BROKEN / "huge-file", tmp_path / "wiki")
    assert (project / "profiles/people/choe-mi-ran.yaml").stat().st_size > 3_000_000
    _, output = factfile_check(project)
    assert "a profile may be at most 1,048,576 bytes" in output


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_build_stops_before_touching_site(case: str, tmp_path: Path) -> None:
    project = lay_over(BROKEN / case, tmp_path / "wiki")
    plant_old_site(project)
    site, docs = snapshot(project / "site"), snapshot(project / "docs")
    result = run_mkdocs(project)
    assert result.returncode != 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "site/ was left as it was" in result.stderr
    # Each error of the golden report reaches the MkDocs log too.
    first = (BROKEN / case / GOLDEN).read_text(encoding="utf-8").splitlines()[0]
    assert first in result.stderr
    assert snapshot(project / "site") == site
    assert snapshot(project / "docs") == docs


@pytest.mark.parametrize("depth", [40, 3000])
@pytest.mark.parametrize("libyaml_limit", [None, 20])
def test_nesting_limit_is_ours_whatever_libyaml_allows(
    depth: int, libyaml_limit: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nesting message and place are the same when libyaml has a limit of its own,
    above ours (today's releases stop at 1,000 levels) or below it."""
    import yaml

    from generator import load

    if libyaml_limit is not None:
        real_parse = yaml.parse

        def limited(text: str, Loader: Any) -> Iterator[yaml.Event]:
            if Loader is load._Loader:
                depth_now = 0
                for event in real_parse(text, Loader=Loader):
                    opens = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
                    depth_now += isinstance(event, opens)
                    if depth_now > libyaml_limit:
                        raise yaml.YAMLError("exceeded maximum nesting depth")
                    yield event
            else:
                yield from real_parse(text, Loader=Loader)

        monkeypatch.setattr(yaml, "parse", limited)
    text = "name: Choe\nnames: " + "[" * depth + "]" * depth + "\n"
    errors = load.parse("people", "choe", "profiles/people/choe.yaml", text)
    assert isinstance(errors, list)
    assert [str(e) for e in errors] == [
        "profiles/people/choe.yaml:2:39: nested more than 32 levels deep"
    ]
