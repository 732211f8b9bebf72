"""Quote matching forgives typography only: a changed word, number or name is a miss."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.quotes import ArchiveText, differences, explain_miss, fold, pieces

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

ARCHIVE = (
    "“We had no choice,” Han said — the embassy’s doors were shut.\n"
    "The number of elite defectors came to around 10, the highest since 2017, and the backgrou\n"
    "nds of most were diplomatic. Officials said 196   people arrived in 2023.\n"
)


@pytest.fixture
def text() -> ArchiveText:
    return ArchiveText.of(ARCHIVE)


@pytest.mark.parametrize(
    "quote",
    [
        '"We had no choice," Han said',  # straight for curly quotes
        "Han said - the embassy's doors",  # hyphen for em dash, straight apostrophe
        "Han said -- the embassy’s doors".replace("--", "–"),  # en dash for em dash
        "the highest since 2017, and the backgrounds of most",  # line break inside a word
        "Officials said 196 people arrived",  # runs of spaces
        "came to around\n10, the highest",  # a line break in the quote
        "We had no choice … the embassy’s doors were shut",  # elision
        "The number of elite defectors […] the highest since 2017",  # bracketed elision
    ],
)
def test_typography_is_forgiven(text: ArchiveText, quote: str) -> None:
    spans = text.locate(quote)
    assert spans is not None
    # The spans point into the archive as stored, and cover the quoted words.
    first = ARCHIVE[spans[0][0] : spans[0][1]]
    assert first.split()[0].strip('“"') == pieces(quote)[0].split()[0].strip('"')


@pytest.mark.parametrize(
    "quote",
    [
        "came to around 11, the highest",  # changed number
        "came to around 1",  # truncated number
        "Kim said",  # changed name
        "the highest since 2017, and the backgrounds of all",  # changed word
        "the embassy’s doors were shut … We had no choice",  # elided pieces out of order
        "Officials said 196 persons arrived",
        "mbassy",  # a fragment of a word
    ],
)
def test_changed_words_are_misses(text: ArchiveText, quote: str) -> None:
    assert text.locate(quote) is None


def test_offsets_slice_the_archive_exactly(text: ArchiveText) -> None:
    spans = text.locate("came to around 10")
    assert spans is not None
    ((start, end),) = spans
    assert ARCHIVE[start:end] == "came to around 10"
    broken = text.locate("the backgrounds of most")
    assert broken is not None
    assert ARCHIVE[broken[0][0] : broken[0][1]] == "the backgrou\nnds of most"


def test_excerpt_shows_the_archived_words(text: ArchiveText) -> None:
    quote = '"We had no choice," … the backgrounds of most'
    spans = text.locate(quote)
    assert spans is not None
    assert text.excerpt(spans, quote) == "“We had no choice,” […] the backgrounds of most"
    quote = "came to around\n10, the highest"
    assert text.excerpt(text.locate(quote) or [], quote) == "came to around 10, the highest"


def test_a_miss_shows_the_closest_passage_and_what_differs(text: ArchiveText) -> None:
    detail = explain_miss(text, "came to around 11, the highest since 2017", "seeds/a.txt")
    assert (
        'closest passage, seeds/a.txt line 2: "came to around 10, the highest since 2017' in detail
    )
    assert 'quote has "11," where the article has "10,"' in detail


def test_a_miss_after_an_elision_names_the_missing_piece(text: ArchiveText) -> None:
    detail = explain_miss(text, "We had no choice … the embassy was closed", "seeds/a.txt")
    assert 'this part is not found (after the parts before it): "the embassy was closed"' in detail


@pytest.mark.parametrize(
    ("archive", "quote", "passage", "report"),
    [
        # The article has "in 2019" right after the run of ten words the quote is as long
        # as: it was reported as added.
        (
            "000_4caa99db0e902609.txt",
            "Park, considered a diplomat, returned to North Korea in 2019",
            "Park, considered a diplomat, had returned to North Korea in 2019",
            ['quote leaves out "had" (mark a cut with …)'],
        ),
        (
            "002_412948f693cbadf9.txt",
            "Since he returned to Cuba in 2019",
            "Since he returned to Cuba as counselor in 2019",
            ['quote leaves out "as counselor" (mark a cut with …)'],
        ),
        # "highest ranking" is one word short of the article: the word after the quote's
        # end ("since") was reported as left out.
        (
            "003_c120a4def187b257.txt",
            "This marks the highest ranking diplomatic defection to South Korea",
            "This marks the highest-ranking diplomatic defection to South Korea",
            ['quote has "highest ranking" where the article has "highest-ranking"'],
        ),
        # A quote's first word the article has a few words earlier.
        (
            "000_4caa99db0e902609.txt",
            "Park had returned to North Korea in 2019",
            "Park, considered a diplomat, had returned to North Korea in 2019",
            ['quote has "Park" where the article has "Park, considered a diplomat,"'],
        ),
        # Words the article really does not have there are still named.
        (
            "004_d109b90b63893449.txt",
            "acting ambassador to Kuwait went to South Korea in 2019",
            "acting ambassador to Kuwait went to South Korea with his",
            ['quote has "in 2019" where the article has "with his"'],
        ),
    ],
)
def test_a_miss_in_a_real_archive_is_compared_with_the_words_it_covers(
    archive: str, quote: str, passage: str, report: list[str]
) -> None:
    text = ArchiveText.of((SEEDS / archive).read_text(encoding="utf-8"))
    detail = explain_miss(text, quote, f"seeds/{archive}").splitlines()
    assert detail[0].endswith(f': "{passage}"'), detail[0]
    assert detail[1:] == report


@pytest.mark.parametrize(
    ("passage", "report"),
    [
        ("10, the highest since 2017", []),  # the article goes on after the quote ends
        ("came to around 10, the highest", []),  # and starts before it
        ("came to around 10, the very highest", ['quote leaves out "very" (mark a cut with …)']),
    ],
)
def test_words_beyond_the_ends_of_a_quote_are_not_left_out(passage: str, report: list[str]) -> None:
    assert differences("10, the highest", passage) == report


_WHITE = st.sampled_from([" ", "\n", "\t", "\r", "\x0b", "\x1c", "\u00a0", "\u2028", "\u3000"])


@given(st.lists(st.one_of(_WHITE, st.sampled_from(["a", "é", "“", "—", "x y"])), max_size=40))
def test_prepared_text_is_the_archive_with_white_space_collapsed(parts: list[str]) -> None:
    # What matching compares against, defined the slow way: every run of white space as
    # one space (the ends included), each character otherwise kept, offsets mapped back.
    original = "".join(parts)
    text = ArchiveText.of(original)
    assert text.normal == re.sub(r"\s+", " ", fold(original))
    for index, char in enumerate(text.normal):
        mapped = text.to_original(index)
        if char == " ":
            assert original[mapped].isspace()
        else:
            assert fold(original[mapped]) == char


def test_a_long_miss_in_a_large_archive_is_explained_without_hanging() -> None:
    """The closest passage of a 600-word miss in a 1 MB archive (in a child process, so a
    search that never ends fails the test instead of hanging it)."""
    script = """
import random
from generator.quotes import ArchiveText, explain_miss
rng = random.Random(7)
words = [''.join(rng.choice('abcdefghij') for _ in range(rng.randint(2, 9))) for _ in range(5000)]
text = ' '.join(rng.choice(words) for _ in range(170_000))[:1_000_000]
archive = ArchiveText.of(text)
quote = ' '.join(text.split()[1000:1600]).replace(' ', ' zz ', 3)
print(explain_miss(archive, quote, 'seeds/big.txt').splitlines()[0][:40])
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("closest passage, seeds/big.txt line")
