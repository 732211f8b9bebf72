"""YAML syntax errors say what is wrong and what to write instead, where to fix it.

Each case is a mistake people make writing a profile by hand. The report is ours, never
libyaml's wording, and points at the place to fix: the character libyaml stopped at,
or, for a quote or bracket left open, where it opens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import Pipeline
from generator.errors import FactfileErrors
from generator.load import RawProfile, parse
from generator.project import Project

from .conftest import FIXTURES, copy_project
from .test_broken import LIBRARY_WORDING

HEAD = "name: Choe Mi-ran\nnames:\n  - value: Choe Mi-ran\n"


@pytest.mark.parametrize(
    ("text", "place", "says"),
    [
        (HEAD + "    note: The paper's words: his wife\n", "4:28", "put the whole value in quotes"),
        (HEAD + "    note: x\n     cite: y\n", "5:10", "'cite:' is read as more of the value"),
        ("name: Choe\nnames:\n\t- value: Choe\n", "3:1", "indents with spaces only"),
        (HEAD + "  \tcite: x\n", "4:3", "indents with spaces only"),
        ("name: @Choe\n", "1:7", "cannot start with '@': put the value in quotes"),
        (HEAD + "    cite:\n      - source: x\n       quote: y\n", "6:8", "under its first key"),
        (HEAD + "    note: x\n  cite: y\n", "5:3", "start each new item with '- ' at column 3"),
        ("name: Choe\nnames: - value: Choe\n", "2:8", "on a line of its own"),
        (HEAD + "    cite\n      - source: x\n", "4:5", "expected ':' after 'cite'"),
        (HEAD + "    note: 'his wife' he said\n", "4:22", "write a ' inside it as ''"),
        (HEAD + '    note: "no" he said\n', "4:16", 'write a " inside it as \\"'),
        (HEAD + "  - value: [Note] his wife\n", "4:19", "if the brackets are part of the text"),
        (HEAD + "    - value: x\n", "4:5", "a list item ('- ') where a key is expected"),
        (' name: "Choe Mi-ran\nnames: []\n', "1:8", 'the " that opens this value is never'),
        ("name: Choe\nnames: [Choe\n", "2:8", "'[' opens a list here that is not closed"),
        ("name: Choe\nnames: [\n", "2:8", "'[' opens a list here that is not closed"),
        ("name: Choe\nnames: {value: x\n", "2:8", "'{' opens a mapping here that is not"),
        (HEAD + '    note: "C:\\path"\n', "4:14", "'\\p' is not an escape YAML knows"),
        ("name: x\n---\nname: y\n", "2:1", "a file holds one profile"),
        # A '#' after a space starts a comment: what is left is what libyaml complains of.
        ("name: x\nnames: [Choe #1, x]\n", "2:8", "the '#' at line 2, column 14 starts a"),
        (HEAD + "    note: he was #1\n      in his class\n", "5:7", "the '#' at line 4, col"),
    ],
)
def test_a_syntax_error_says_what_to_write_where(text: str, place: str, says: str) -> None:
    errors = parse("people", "choe-mi-ran", "profiles/people/choe-mi-ran.yaml", text)
    assert isinstance(errors, list)
    (error,) = errors
    shown = str(error)
    assert shown.startswith(f"profiles/people/choe-mi-ran.yaml:{place}: YAML syntax error: ")
    assert says in shown
    for words in LIBRARY_WORDING:
        assert words not in shown


@pytest.mark.parametrize(
    ("line", "column", "value"),
    [
        ("    quote: his wife #1, Choe Mi-ran", 21, "his wife"),
        ("    note: named in the article's paragraph #2", 44, "… in the article's paragraph"),
        ("  - Choe Mi-ran # as the paper spells it", 17, "Choe Mi-ran"),
    ],
)
def test_a_comment_that_cuts_a_value_short_is_an_error(line: str, column: int, value: str) -> None:
    text = f"# yaml-language-server: $schema=x\n{HEAD}    cite:\n{line}\n"
    errors = parse("people", "choe-mi-ran", "profiles/people/choe-mi-ran.yaml", text)
    assert isinstance(errors, list)
    assert [str(e) for e in errors] == [
        f"profiles/people/choe-mi-ran.yaml:6:{column}: '#' after a space starts a YAML "
        f"comment, so the value ends at '{value}' and the rest of the line is dropped: put the "
        "whole value in quotes (a comment goes on a line of its own)"
    ]


@pytest.mark.parametrize(
    "lines",
    [
        "  # a comment on a line of its own\n",
        "    note: 'his wife # as the paper puts it'\n",
        '    note: "#1 in his class"\n',
        "    note: ranked#1\n",
        "    note: |\n      ranked #1\n",
        "    note: [a, b] # a list, then a comment\n",
        "    note: # nothing yet\n",
    ],
)
def test_a_hash_inside_quotes_or_a_comment_on_its_own_is_fine(lines: str) -> None:
    text = f"# yaml-language-server: $schema=x\n{HEAD}{lines}"
    assert isinstance(parse("people", "x", "profiles/people/x.yaml", text), RawProfile)


def test_a_quote_cut_by_a_comment_is_not_passed_although_its_first_words_are_found(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "wiki", source=FIXTURES / "minimal")
    person = project / "profiles/people/choe-mi-ran.yaml"
    text = person.read_text(encoding="utf-8")
    # "his wife" is in the article: without the check the cut quote would pass.
    person.write_text(
        text.replace("quote: his wife, Choe Mi-ran", "quote: his wife #, Choe Mi-ran"), "utf-8"
    )
    with pytest.raises(FactfileErrors) as raised:
        Pipeline(Project.at(project)).check()
    (error,) = raised.value.errors
    assert str(error.location) == "profiles/people/choe-mi-ran.yaml:7:25"
    assert "the value ends at 'his wife'" in error.message
