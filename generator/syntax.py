"""What a YAML syntax error in a profile means, in a contributor's words.

libyaml words a problem as its parser meets it ("mapping values are not allowed in this
context", "did not find expected '-' indicator"). For the mistakes people make writing
profiles by hand (a colon or a ``#`` in text not in quotes, a tab, a line out of line, a
quote or bracket left open) this module says what is wrong and what to write instead, at
the place to fix. Anything rarer keeps libyaml's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import FactfileError, Location

# A ``#`` after a space ends the text before it: the rest of the line is a comment.
_AFTER_TEXT = re.compile(r"\S[ \t]+#")
_COMMENT_NEXT = re.compile(r"[ \t]+#")
# A line whose value starts in quotes: a ``#`` in it may be inside them.
_QUOTED_VALUE = re.compile(r"^\s*(?:-\s+)*(?:[^\s:#'\"][^:#]*:\s+)?['\"]")
_KEY_ALONE = re.compile(r"\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*")


@dataclass(frozen=True)
class Place:
    """A 0-based line and column in the text, as libyaml's marks give them."""

    line: int
    column: int

    @classmethod
    def of(cls, mark: Any) -> Place | None:
        return None if mark is None else cls(mark.line, mark.column)


@dataclass(frozen=True)
class _Error:
    """What libyaml reported, with the text it was reading."""

    text: str
    problem: str
    context: str
    at: Place
    opened: Place | None

    def line(self, number: int) -> str:
        lines = self.text.split("\n")
        return lines[number] if 0 <= number < len(lines) else ""

    def char(self, place: Place) -> str:
        line = self.line(place.line)
        return line[place.column] if place.column < len(line) else ""


Explained = tuple[str, Place]


def syntax_error(text: str, rel: str, exc: yaml.MarkedYAMLError) -> FactfileError:
    """The located error for a YAML syntax error in the profile ``text``."""
    at = Place.of(exc.problem_mark) or Place.of(exc.context_mark) or Place(0, 0)
    opened = Place.of(exc.context_mark)
    error = _Error(text, exc.problem or "invalid YAML", exc.context or "", at, opened)
    message, place = _explain(error)
    message += _comment_hint(error, place)
    return FactfileError(
        Location(rel, place.line + 1, place.column + 1), f"YAML syntax error: {message}"
    )


def _explain(error: _Error) -> Explained:
    for words, explain in _EXPLAINERS:
        if words in error.problem:
            found = explain(error)
            if found is not None:
                return found
    unclosed = any(words in error.context for words in ("quoted scalar", "flow"))
    if unclosed and error.opened is not None and error.opened != error.at:
        # libyaml notices an unclosed quote or bracket only where the file ends; the
        # place to fix is where it was opened.
        return _unclosed(error, error.opened)
    return error.problem, error.at


def _colon(error: _Error) -> Explained:
    """``mapping values are not allowed here``: a ``: `` inside a plain value."""
    before = error.line(error.at.line)[: error.at.column]
    alone = _KEY_ALONE.fullmatch(before)
    if alone and error.at.line > 0:
        key = alone.group(1)
        return (
            f"'{key}:' is read as more of the value on the line above, not as a key: "
            "line it up with the keys it belongs with (or, if it is part of that text, "
            "put the text in quotes)",
            error.at,
        )
    return (
        "a colon followed by a space (': ') inside a value that is not in quotes: "
        "YAML reads it as the start of a key; put the whole value in quotes",
        error.at,
    )


def _token_start(error: _Error) -> Explained:
    """``found character that cannot start any token``: a tab, or ``@`` or a backtick."""
    char = error.char(error.at)
    if char == "\t":
        return _tab(error)
    shown = char if char.isprintable() else repr(char)
    return f"a value cannot start with '{shown}': put the value in quotes", error.at


def _tab(error: _Error) -> Explained:
    return (
        "a tab character used to indent: YAML indents with spaces only; "
        "replace the tab with spaces",
        error.at,
    )


def _dash(error: _Error) -> Explained:
    """``did not find expected '-' indicator``: a line out of line inside a list."""
    opened = error.opened or error.at
    item = error.line(opened.line)
    key_column = len(item) - len(item[opened.column + 1 :].lstrip()) if item else 0
    return (
        f"this line is not lined up with the list item above it (line {opened.line + 1}): "
        f"write each key of an item under its first key (column {key_column + 1}), and "
        f"start each new item with '- ' at column {opened.column + 1}",
        error.at,
    )


def _entry_here(error: _Error) -> Explained:
    """``block sequence entries are not allowed in this context``."""
    return (
        "a list item ('- ') cannot start on the same line as its key: start it on a line "
        "of its own, indented under the key (if the '-' is part of the text, put the value "
        "in quotes)",
        error.at,
    )


def _no_colon(error: _Error) -> Explained:
    """``could not find expected ':'``: a key written without its colon."""
    start = error.opened or error.at
    key = error.line(start.line)[start.column :].strip()
    key = key if len(key) <= 40 else key[:39] + "…"
    return (
        f"expected ':' after '{key}': write 'key: value' (or, if this line continues the "
        "text above it, put that text in quotes)",
        start,
    )


_AFTER_CLOSE = {
    "'": "a value in single quotes ends at the first ' after the opening one: write a ' "
    "inside it as '', or put the whole value in double quotes",
    '"': 'a value in double quotes ends at the first " after the opening one: write a " '
    'inside it as \\", or put the whole value in single quotes',
    "]": "a value that starts with '[' is a list, which ends at ']': if the brackets are "
    "part of the text, put the whole value in quotes",
    "}": "a value that starts with '{' is a mapping, which ends at '}': if the braces are "
    "part of the text, put the whole value in quotes",
}


def _expected_key(error: _Error) -> Explained:
    """``did not find expected key``: text after a closed quote, or a line out of line."""
    before = error.line(error.at.line)[: error.at.column].rstrip()
    if before and before[-1] in _AFTER_CLOSE and ":" in before:
        return f"text after the closing {before[-1]}: {_AFTER_CLOSE[before[-1]]}", error.at
    opened = error.opened or Place(0, 0)
    if error.char(error.at) == "-":
        return (
            "a list item ('- ') where a key is expected: line it up with the other items "
            "of its list, under their key",
            error.at,
        )
    return (
        f"this line is not lined up with the keys above it (they start at column "
        f"{opened.column + 1}, as on line {opened.line + 1}): indent it as far as the key "
        "it belongs with",
        error.at,
    )


def _node_content(error: _Error) -> Explained | None:
    """``did not find expected node content``: often a bracket the file never closes."""
    opened = _open_bracket(error)
    return _unclosed(error, opened) if opened is not None else None


def _unclosed(error: _Error, opened: Place) -> Explained:
    char = error.char(opened)
    if char in "'\"" and char:
        return f"the {char} that opens this value is never closed: end the value with {char}", (
            opened
        )
    close = {"[": "]", "{": "}"}.get(char)
    if close is None:
        return error.problem, opened
    what = "list" if char == "[" else "mapping"
    return (
        f"'{char}' opens a {what} here that is not closed with '{close}': close it, or, "
        "if the bracket is part of the text, put the whole value in quotes",
        opened,
    )


def _open_bracket(error: _Error) -> Place | None:
    """The innermost ``[`` or ``{`` still open where the error was found."""
    stack: list[Place] = []
    try:
        for token in yaml.scan(error.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            mark = token.start_mark
            if (mark.line, mark.column) >= (error.at.line, error.at.column):
                break
            if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                stack.append(Place(mark.line, mark.column))
            elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return stack[-1] if stack else None


def _escape(error: _Error) -> Explained:
    # libyaml points at the backslash; the letter after it is the unknown escape.
    char = error.char(Place(error.at.line, error.at.column + 1))
    return (
        f"'\\{char}' is not an escape YAML knows inside double quotes: write a backslash "
        "as '\\\\', or put the value in single quotes",
        error.at,
    )


def _sigil(error: _Error) -> Explained:
    """An anchor, alias, tag or block indicator where text was meant."""
    start = error.opened if error.opened is not None else error.at
    char = error.char(start) or error.char(error.at)
    return f"a value cannot start with '{char}': put the value in quotes", start


def _two_documents(error: _Error) -> Explained:
    return (
        "a second YAML document ('---') in a profile: a file holds one profile; remove "
        "the '---' line and what is not part of this profile",
        error.at,
    )


_EXPLAINERS: list[tuple[str, Callable[[_Error], Explained | None]]] = [
    ("mapping values are not allowed", _colon),
    ("cannot start any token", _token_start),
    ("tab character", _tab),
    ("expected '-' indicator", _dash),
    ("block sequence entries are not allowed", _entry_here),
    ("could not find expected ':'", _no_colon),
    ("did not find expected key", _expected_key),
    ("did not find expected node content", _node_content),
    ("unknown escape character", _escape),
    ("undefined alias", _sigil),
    ("expected alphabetic or numeric character", _sigil),
    ("expected comment or line break", _sigil),
    ("mapping keys are not allowed", _sigil),
    ("but found another document", _two_documents),
]


def _comment_hint(error: _Error, place: Place) -> str:
    """When a ``#`` in text cut a value short just before the error, say so: the error
    is then only what the rest of the file looks like without the words it hid."""
    first = max(0, min(place.line, error.at.line) - 2)
    for number in range(max(place.line, error.at.line), first - 1, -1):
        line = error.line(number)
        found = _AFTER_TEXT.search(line)
        if found and not _QUOTED_VALUE.match(line):
            return (
                f" (the '#' at line {number + 1}, column {found.end()} starts a comment, as "
                "a '#' after a space does, and cuts that line short: if it is part of the "
                "text, put the value in quotes)"
            )
    return ""


# --- a comment that silently cuts a value -------------------------------------------------


def cut_by_comments(text: str, tree: yaml.Node) -> list[tuple[Place, str]]:
    """Every value in ``text`` that a ``#`` on its line cut short, as the place of the
    ``#`` and the message.

    ``quote: ranked #1 in his class`` is valid YAML whose value is "ranked": the rest is
    a comment. A quote cut so is still found in the article, and the words are lost
    without a sound; so text followed by a comment on the same line is an error.
    """
    if _AFTER_TEXT.search(text) is None:
        return []  # comments, if any, only on lines of their own
    found: list[tuple[Place, str]] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(value for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and not node.style and node.value:
            # A plain value (libyaml gives its style as '', the pure-Python parser None)
            # that a comment follows on its line.
            end = node.end_mark
            comment = _COMMENT_NEXT.match(text, end.index)
            if comment is not None:
                place = Place(end.line, end.column + comment.end() - comment.start() - 1)
                found.append((place, _cut_message(node.value)))
    return sorted(found, key=lambda item: (item[0].line, item[0].column))


def _cut_message(value: str) -> str:
    words = value.split()
    tail = " ".join(words[-4:]) if len(words) <= 4 else "… " + " ".join(words[-4:])
    return (
        f"'#' after a space starts a YAML comment, so the value ends at '{tail}' and the "
        "rest of the line is dropped: put the whole value in quotes (a comment goes on a "
        "line of its own)"
    )
