"""The code stays readable: ruff's rules and complexity limits, its formatting, and a
type checker that accepts every annotation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_finds_nothing() -> None:
    # Including functions over complexity 12, 12 branches or 50 statements.
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted() -> None:
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_pyright_finds_no_error() -> None:
    if shutil.which("node") is None and shutil.which("nodejs") is None:
        pytest.skip("pyright needs Node.js")
    result = _run("pyright")
    assert result.returncode == 0, result.stdout + result.stderr
