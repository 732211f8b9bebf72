"""Where a quote sits in its archived article, for ``factfile quote``.

Matching is ``quotes.py``'s, exactly as the build does it; this module only finds the
source's archive and shows the passage around a match: its paragraph, or the sentences
around it when the paragraph is long.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from .archives import Archive, read_named
from .errors import FactfileError, FactfileErrors
from .identity import read_renamed
from .load import read_profile, suggest_among
from .model import SLUG_RE, Source, slugify
from .project import Project
from .quotes import ArchiveText, Span, explain_miss, pieces
from .validate import archive_problem, check_shape


class UnknownSource(Exception):
    """No source profile has the given id."""


@dataclass(frozen=True)
class Lookup:
    """The outcome of looking for a quote in one source's archive."""

    archive_name: str
    text: ArchiveText
    spans: list[Span] | None

    @property
    def found(self) -> bool:
        return self.spans is not None


def open_source(project: Project, source_id: str) -> tuple[Source, Archive]:
    """The source profile ``source_id`` and its archive, or the errors in the way: the
    archive is read exactly as the build reads it (never through a link)."""
    if not SLUG_RE.match(source_id):
        raise UnknownSource(
            f"'{source_id}' is not a source id: ids are lowercase words joined by hyphens, "
            "the file name under profiles/sources/ without .yaml"
            + suggest_among(source_id, _source_names(project))
        )
    path = project.profiles_dir / "sources" / f"{source_id}.yaml"
    if not path.is_file():
        renamed, _ = read_renamed(project)
        new = renamed.ids["sources"].get(source_id)
        if new is not None:
            raise UnknownSource(
                f"source '{source_id}' was renamed '{new}' (profiles/redirects.yaml): use '{new}'"
            )
        raise UnknownSource(
            f"no source '{source_id}' ({project.relative(path)} does not exist)"
            + suggest_among(source_id, _source_names(project))
        )
    raw = read_profile("sources", path, project)
    if isinstance(raw, list):
        raise FactfileErrors(raw)
    source = check_shape(raw)
    if isinstance(source, list):
        raise FactfileErrors(source)
    assert isinstance(source, Source)
    seeds = read_named(project.seeds_dir, source.archive)
    problem = archive_problem(source, seeds)
    if problem is not None:
        field_name, message = problem
        raise FactfileErrors([FactfileError(raw.locate((field_name,)), message)])
    return source, seeds[source.archive]


def _source_names(project: Project) -> dict[str, tuple[str, str]]:
    """What a source id may be mistaken for: the ids, the titles as slugs, and the ids
    that were renamed (as ``identity.names`` has them for the build)."""
    found: dict[str, tuple[str, str]] = {}
    titles: list[tuple[str, str, str]] = []
    for path in sorted((project.profiles_dir / "sources").glob("*.yaml")):
        found[path.stem] = (path.stem, "")
        if path.is_symlink() or not path.is_file():
            continue  # never read: the build refuses it, and a pipe would never end
        raw = read_profile("sources", path, project)
        title = raw.data.get("title") if not isinstance(raw, list) else None
        if isinstance(title, str):
            titles.append((slugify(title), path.stem, f"titled '{title}'"))
    renamed, _ = read_renamed(project)
    titles += [(old, new, f"formerly '{old}'") for old, new in renamed.ids["sources"].items()]
    for slug, id_, why in titles:
        if slug and id_ in found:
            found.setdefault(slug, (id_, why))
    return found


class EmptyQuote(Exception):
    """A quote with no words to look for."""


def look_up(project: Project, source_id: str, quote: str) -> Lookup:
    """Place ``quote`` in the archive of ``source_id`` as the build would."""
    if not pieces(quote):
        raise EmptyQuote("has no words to look for")
    _, archive = open_source(project, source_id)
    name = project.relative(project.seeds_dir / archive.name)
    return Lookup(name, archive.text, archive.text.locate(quote))


def paragraphs(lookup: Lookup, mark: Callable[[str], str]) -> list[tuple[int, str]]:
    """Each passage holding part of the match (its paragraph, or the sentences around it
    in a long one), with its first line number and the matched words passed through
    ``mark``; a passage that stops inside its paragraph is marked … there."""
    assert lookup.spans is not None
    original = lookup.text.original
    breaks = _paragraph_breaks(original)
    shown: list[tuple[int, int, list[Span]]] = []
    for span in lookup.spans:
        start, end = _context(original, breaks, *span)
        if shown and start < shown[-1][1]:
            begin, _, spans = shown[-1]
            shown[-1] = (begin, max(end, shown[-1][1]), [*spans, span])
        else:
            shown.append((start, end, [span]))
    out = []
    for start, end, spans in shown:
        unit_start, unit_end = _paragraph(original, breaks, start, end)
        parts = ["… "] if start > unit_start else []
        position = start
        for span_start, span_end in spans:
            parts += [original[position:span_start], mark(original[span_start:span_end])]
            position = span_end
        parts.append(original[position:end])
        if end < unit_end:
            parts.append(" …")
        out.append((original.count("\n", 0, start) + 1, "".join(parts)))
    return out


# A paragraph longer than this many characters besides the match is narrowed to the
# sentences the match is in, and those, if still longer, to this many around it.
_MAX_SHOWN = 600
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# Where a sentence ends: a full stop, question or exclamation mark, any closing quotes
# or brackets, then white space; not after an initial or a title ("Mr. Ri", "J. Kim").
_SENTENCE_END = re.compile(
    r"(?<![A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?][\"')\]’”]*\s+"
)


def _paragraph_breaks(original: str) -> list[tuple[int, int]]:
    """Where paragraphs break: at blank lines, or at every line break in an archive
    that has no blank line (one paragraph a line, as pasted from a web page)."""
    found = [m.span() for m in _BLANK_LINE.finditer(original)]
    if found:
        return found
    return [m.span() for m in re.finditer("\n", original)]


def _paragraph(
    original: str, breaks: list[tuple[int, int]], start: int, end: int
) -> tuple[int, int]:
    """The paragraph (or paragraphs) around ``start:end``, without the white space that
    ends it."""
    # Breaks are in order and do not overlap: the last ending at or before ``start``,
    # the first starting at or after ``end``.
    k = bisect.bisect_right(breaks, (start, len(original) + 1))
    before = [b_end for _, b_end in breaks[:k] if b_end <= start]
    para_start = before[-1] if before else 0
    after = bisect.bisect_left(breaks, (end, -1))
    para_end = breaks[after][0] if after < len(breaks) else len(original)
    return para_start, len(original[:para_end].rstrip())


def _context(original: str, breaks: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """What to show around the matched ``start:end``: its paragraph, or the sentences it
    is in when the paragraph is long (an archive without paragraph breaks is one long
    paragraph or a line each), and of those at most ``_MAX_SHOWN`` characters."""
    para_start, para_end = _paragraph(original, breaks, start, end)
    if para_end - para_start - (end - start) <= _MAX_SHOWN:
        return para_start, para_end
    first, last = para_start, para_end
    for match in _SENTENCE_END.finditer(original, para_start, para_end):
        if match.end() <= start:
            first = match.end()
        elif match.start() >= end:
            last = len(original[: match.end()].rstrip())
            break
    half = _MAX_SHOWN // 2
    if start - first > half:
        # Cut at a space, so that no word is shown in part.
        first = original.find(" ", start - half, start) + 1 or start - half
    if last - end > half:
        cut = original.rfind(" ", end, end + half)
        last = cut if cut != -1 else end + half
    return first, last


def explain(lookup: Lookup, quote: str) -> str:
    """The closest passage to a quote that is not found, and what differs."""
    return explain_miss(lookup.text, quote, lookup.archive_name)
