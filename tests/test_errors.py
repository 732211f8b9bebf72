"""Every kind of contributor mistake gives its exact `path:line:col: message`.

Each case under ``fixtures/errors/`` is a set of files laid over the minimal fixture
wiki, with the expected report in ``expected.txt``. Regenerate the expectations with
``UPDATE_GOLDEN=1 pytest tests/test_errors.py`` after a deliberate wording change,
and review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.build import Pipeline
from generator.errors import FactfileErrors
from generator.project import Project

from .conftest import FIXTURES, copy_project

CASES = sorted(p.name for p in (FIXTURES / "errors").iterdir() if p.is_dir())


def check_report(case: str, tmp_path: Path) -> str:
    project_dir = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    overlay = FIXTURES / "errors" / case
    for path in sorted(overlay.rglob("*")):
        if path.is_file() and path.name != "expected.txt":
            target = project_dir / path.relative_to(overlay)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    with pytest.raises(FactfileErrors) as raised:
        Pipeline(Project.at(project_dir)).wiki()
    return raised.value.report() + "\n"


@pytest.mark.parametrize("case", CASES)
def test_error_report_matches_golden(case: str, tmp_path: Path) -> None:
    report = check_report(case, tmp_path)
    golden = FIXTURES / "errors" / case / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(report, encoding="utf-8")
    assert report == golden.read_text(encoding="utf-8")


def test_every_case_has_a_golden() -> None:
    missing = [c for c in CASES if not (FIXTURES / "errors" / c / "expected.txt").is_file()]
    assert not missing


def test_every_error_line_is_located(tmp_path: Path) -> None:
    # Every reported problem starts with path:line:col, so editors can jump to it.
    for case in CASES:
        report = check_report(case, tmp_path / case)
        for line in report.splitlines():
            if line.startswith(" ") or line.endswith("found.") or not line:
                continue
            location = line.split(": ", 1)[0]
            path, row, col = location.rsplit(":", 2)
            assert path.startswith("profiles/"), line
            assert int(row) >= 1 and int(col) >= 1, line
