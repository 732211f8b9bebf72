"""The one Jinja environment, and the filters that make every profile value inert.

Profile text is data, never markup. Every value from a profile reaches a page through
one of these filters, which turn it into inert text for the context it lands in:
Markdown inline text (``text``), a page title or tag in front matter (``title``), or a
URL that can only be http(s) (``href``). Templates never print a profile value raw.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import quote as urlquote

import jinja2

from ..model import KINDS, SINGULAR

# Characters that mean something to Python-Markdown or its extensions anywhere in a
# line (emphasis, links, code, HTML, attribute lists, tables, footnotes, critic marks,
# admonitions). They become numeric character references: shown as themselves, never
# parsed. Hyphens, dots and apostrophes are left alone so that search sees names as
# written.
_MARKDOWN_ACTIVE = frozenset("\\`*_{}[]<>&#|~^=+!$:")
_REFERENCES = str.maketrans({c: f"&#{ord(c)};" for c in _MARKDOWN_ACTIVE})
# A title is also printed by the theme inside HTML attributes, unescaped.
_TITLE_REFERENCES = str.maketrans({c: f"&#{ord(c)};" for c in _MARKDOWN_ACTIVE | set("\"'")})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def _flat(value: str) -> str:
    """One line: control characters dropped, runs of white space as one space."""
    if not value.isprintable():  # rare: line breaks, tabs, controls
        value = _CONTROL.sub("", value)
    # str.split() splits at what the regular expressions' \s matches, and drops the ends.
    return " ".join(value.split())


def text(value: object) -> str:
    """Any value as inline Markdown that renders as exactly that text."""
    return _inline(str(value))


@lru_cache(maxsize=1 << 16)
def _inline(value: str) -> str:
    # Kept by value: a page's title is printed on every page that links to it.
    return _flat(value).translate(_REFERENCES)


def text_run(value: str) -> str:
    """A piece of a longer text as inline Markdown that renders as exactly that text:
    white space is collapsed but kept at either end, where the piece meets the next."""
    return _SPACES.sub(" ", _CONTROL.sub("", value)).translate(_REFERENCES)


def title(value: object) -> str:
    """A page title or tag for front matter: inert as Markdown (should the front matter
    ever be read as text) and as HTML, since MkDocs and the theme print titles raw."""
    return _flat(str(value)).translate(_TITLE_REFERENCES)


def href(url: str) -> str:
    """An external link target: only http(s), with anything that could end the link encoded."""
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "#"
    return urlquote(url, safe=":/?#@!$&*+,;=%~-._")


# What a YAML double-quoted scalar may hold as it is: printable characters other than
# the quote and the backslash. PyYAML's reader refuses C0/C1 controls, surrogates and
# U+FFFE/U+FFFF anywhere in a file, and folds NEL and the Unicode line and paragraph
# separators as line breaks; each of these is written as an escape instead.
_YAML_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')


def yaml_string(value: object) -> str:
    """A front-matter value as a YAML double-quoted scalar that reads back exactly.

    Characters beyond the Basic Multilingual Plane are written as themselves: escaped as
    UTF-16 surrogate pairs (as ASCII-only JSON does), they are refused by MkDocs' YAML
    reader, and the whole front matter would then be shown as text.
    """
    return '"' + _YAML_ESCAPE.sub(_yaml_escape, str(value)) + '"'


def _yaml_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in '\\"':
        return "\\" + char
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        # Output is Markdown, not HTML: escaping is done per context by the filters above.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        # Templates ship with the package: checking each file's time on every page was
        # a stat per template per page.
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(text=text, title=title, href=href, yaml_string=yaml_string)
    env.globals.update(singular=SINGULAR, kinds=KINDS)
    return env
