"""The placeholders of a profile skeleton (``factfile new``), and what to write instead.

A skeleton is a profile with one fact whose source, quote and (for a kind) value are
placeholders. Until they are filled in, the checks meet them as an unknown source id, an
unknown value and a quote that is nowhere; each is reported as the placeholder it is,
with what to put in its place.
"""

from __future__ import annotations

from collections.abc import Iterable

SOURCE = "replace-with-source-id"
QUOTE = "REPLACE with the exact words of the article"
VALUE = "REPLACE"


def source_message(label: str, known: Iterable[str]) -> str:
    """What to write for the placeholder source id at ``label``."""
    ids = sorted(known)
    if not ids:
        choice = "there is none yet"
    elif len(ids) <= 5:
        choice = "one of: " + ", ".join(ids)
    else:
        choice = "e.g. " + ", ".join(ids[:3]) + f" (one of {len(ids)})"
    return (
        f"{label}: replace the placeholder '{SOURCE}' with the id of the source the quote is "
        f"from, its file name under profiles/sources/ without .yaml ({choice}); to cite an "
        'article not archived yet, first run: factfile add-source FILE --title "…"'
    )


def quote_message(label: str, source: str, archive: str) -> str:
    """What to write for the placeholder quote at ``label``, citing ``source``."""
    return (
        f"{label}: replace the placeholder with the exact words of the article in "
        f'seeds/{archive}; find them with: factfile quote {source} "words from the article"'
    )


def value_message(expected: str) -> str:
    """What to write for the placeholder value of a field whose values are ``expected``."""
    return f"replace the placeholder {VALUE} with one of {expected}"
