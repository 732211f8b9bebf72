"""No input reaches a contributor as a traceback: only located errors, or success.

Arbitrary text, arbitrary YAML documents and mutations of real profiles go through
the loader and the validator; the whole check runs on mutated copies of a wiki. Any
exception other than ``FactfileErrors`` fails the test. Runs are deterministic
(``derandomize``) and kept small.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import Pipeline
from generator.errors import FactfileError, FactfileErrors
from generator.load import RawProfile, parse
from generator.model import KINDS
from generator.project import Project
from generator.validate import check_shape

from .conftest import FIXTURES, ROOT, copy_project

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

REAL_PROFILES: list[tuple[str, str, str]] = sorted(
    (path.parent.name, path.stem, path.read_text(encoding="utf-8"))
    for base in (ROOT / "profiles", FIXTURES / "minimal" / "profiles")
    for path in base.glob("*/*.yaml")
)


def assert_located(errors: list[FactfileError], rel: str) -> None:
    assert errors
    for error in errors:
        assert isinstance(error, FactfileError)
        assert error.location.path == rel
        assert error.location.line >= 1 and error.location.col >= 1, error
        assert error.message and "Traceback" not in str(error)


def load_and_validate(kind: Any, text: str) -> None:
    """Parse and shape-check one file; only located errors may come out."""
    rel = f"profiles/{kind}/fuzz.yaml"
    result = parse(kind, "fuzz", rel, text)
    if isinstance(result, list):
        assert_located(result, rel)
        return
    assert isinstance(result, RawProfile)
    shaped = check_shape(result)
    if isinstance(shaped, list):
        assert_located(shaped, rel)


kinds = st.sampled_from(KINDS)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2024-05", "unknown", "test-gazette", "han-sol-min", "defected", "x" * 5000]),
)
keys = st.one_of(
    st.sampled_from(
        [
            "name",
            "names",
            "value",
            "cite",
            "source",
            "quote",
            "facts",
            "status",
            "url",
            "date",
            "postings",
            "mission",
            "role",
            "family",
            "relation",
            "person",
            "archive",
            "sha256",
        ]
    ),
    st.text(max_size=10),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)


@FUZZ
@given(kind=kinds, text=st.text(max_size=400))
def test_arbitrary_text(kind: Any, text: str) -> None:
    load_and_validate(kind, text)


@FUZZ
@given(kind=kinds, data=documents)
def test_arbitrary_yaml_documents(kind: Any, data: object) -> None:
    load_and_validate(kind, yaml.safe_dump(data, allow_unicode=True))


def mutate(text: str, data: st.DataObject) -> str:
    """One to three edits of the kind a hurried contributor (or an attacker) makes."""
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(at, min(len(text), at + 40)))
        edit = data.draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "indent"]))
        piece = data.draw(
            st.one_of(
                st.text(max_size=12),
                st.sampled_from(
                    [
                        ": ",
                        "- ",
                        "\t",
                        "\n",
                        "&a ",
                        "*a",
                        "!!python/name:os.system",
                        "{",
                        "[",
                        '"',
                        "'",
                        "\x00",
                        "\u202e",
                        "\ufeff",
                        "#",
                        "? ",
                        "|",
                        ">",
                        "<<: *a",
                    ]
                ),
            )
        )
        if edit == "delete":
            text = text[:at] + text[end:]
        elif edit == "insert":
            text = text[:at] + piece + text[at:]
        elif edit == "replace":
            text = text[:at] + piece + text[end:]
        elif edit == "duplicate":
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at] + "  " + text[at:]
    return text


@FUZZ
@given(profile=st.sampled_from(REAL_PROFILES), data=st.data())
def test_mutated_real_profiles(profile: tuple[str, str, str], data: st.DataObject) -> None:
    kind, _, text = profile
    load_and_validate(kind, mutate(text, data))


MINIMAL_FILES = sorted(p for p in (FIXTURES / "minimal" / "profiles").glob("*/*.yaml"))


@settings(FUZZ, max_examples=40)
@given(index=st.integers(0, len(MINIMAL_FILES) - 1), data=st.data())
def test_whole_check_on_mutated_wiki(index: int, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "wiki", source=FIXTURES / "minimal")
        original = MINIMAL_FILES[index]
        target = project / original.relative_to(FIXTURES / "minimal")
        target.write_text(mutate(original.read_text(encoding="utf-8"), data), encoding="utf-8")
        try:
            Pipeline(Project.at(project)).wiki()
        except FactfileErrors as errors:
            for error in errors:
                assert error.location.path.startswith("profiles/"), error
                assert error.location.line >= 1, error
        finally:
            shutil.rmtree(project, ignore_errors=True)


def test_the_mutations_do_reach_the_validator() -> None:
    # Guard against a fuzzer that only ever produces YAML syntax errors.
    _, _, text = next(p for p in REAL_PROFILES if p[0] == "people")
    raw = parse("people", "x", "profiles/people/x.yaml", text.replace("name:", "nmae:", 1))
    assert isinstance(raw, RawProfile)
    shaped = check_shape(raw)
    assert isinstance(shaped, list)
    assert any("nmae" in error.message for error in shaped)
