"""The closest passage to a missed quote: the full scan's answer, found with bounded work.

The rule these tests hold the search to:

* Its ratios are ``difflib``'s exactly (``SequenceMatcher(None, run, piece,
  autojunk=False)``), so it compares runs as the full scan does.
* Its answer is the first run of highest ratio among the runs it scored, and those
  always include the runs around the best-anchored places; a run planted in the
  archive and edited is never beaten by a worse one.
* When it reports ``exhaustive`` (every run whose bound could beat the answer was
  scored), the answer is the full scan's: the same run, or one whose ratio is the
  same (runs that tie). Near misses — a word changed, dropped or added, a number
  changed, a name misspelt — are always answered exhaustively in archives up to
  ``SWEEP_MAX_CHARS`` and as the full scan does.
* Only a quote much unlike any passage (absent, paraphrased, spliced from far-apart
  sentences) may exhaust the budget first; the answer is then the best run scored,
  which may score lower than the full scan's (on these archives, one quote in
  fifteen or so, nearly all of them absent from the article).
* The runs scored and the work spent are bounded by constants, whatever the archive.
"""

from __future__ import annotations

import difflib
import itertools
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator import nearest
from generator.nearest import closest_passage, search
from generator.quotes import ArchiveText, normalise

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def reference(normal: str, piece: str) -> tuple[int, int]:
    """The window search of ``ArchiveText.closest`` as it stood: every run scored."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", normal)]
    if not words:
        return (0, 0)
    width = max(1, len(piece.split()))
    best, best_score = (0, 0), -1.0
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(piece)
    for i in range(max(1, len(words) - width + 1)):
        start, end = words[i][0], words[min(i + width, len(words)) - 1][1]
        matcher.set_seq1(normal[start:end])
        if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
            continue
        score = matcher.ratio()
        if score > best_score:
            best, best_score = (start, end), score
    return best


def ratio(normal: str, span: tuple[int, int], piece: str) -> float:
    return difflib.SequenceMatcher(None, normal[span[0] : span[1]], piece, autojunk=False).ratio()


def assert_as_full_scan(normal: str, piece: str, span: tuple[int, int]) -> None:
    """The same run as the full scan, or one that ties with it."""
    expected = reference(normal, piece)
    if span != expected:
        got, want = ratio(normal, span, piece), ratio(normal, expected, piece)
        assert got == pytest.approx(want, abs=1e-9), (piece, span, expected, got, want)


def trimmed(normal: str, span: tuple[int, int], piece: str) -> str:
    """The passage as ``ArchiveText.closest`` shows it: punctuation the quote does not
    reach for trimmed from the ends."""
    passage = normal[span[0] : span[1]]
    if piece[-1].isalnum():
        passage = passage.rstrip(",.;:!?\"')")
    if piece[0].isalnum():
        passage = passage.lstrip("\"'(")
    return passage


@pytest.fixture(scope="module")
def archives() -> list[str]:
    return [ArchiveText.of(path.read_text(encoding="utf-8")).normal for path in SEEDS]


# --- misses made from the real archives ------------------------------------------------

NEAR = ("changed", "dropped", "added", "number", "misspelt", "fragment")
FAR = ("spliced", "paraphrased", "absent")


def sentences(text: str) -> list[list[str]]:
    parts = re.split(r"(?<=[.!?\"])\s+", text)
    return [s.split() for s in parts if 4 <= len(s.split()) <= 30]


def misses(texts: list[str], k: int, rnd: random.Random) -> list[tuple[str, str]]:
    """Quotes that miss archive ``k``, each kind a contributor might write."""
    text = texts[k]
    found = sentences(text)
    vocabulary = sorted({w for t in texts for w in t.split()})
    out: list[tuple[str, list[str]]] = []

    def sentence() -> list[str]:
        return list(rnd.choice(found))

    words = sentence()
    words[rnd.randrange(len(words))] = rnd.choice(vocabulary)
    out.append(("changed", words))
    words = sentence()
    del words[rnd.randrange(len(words))]
    out.append(("dropped", words))
    words = sentence()
    words.insert(rnd.randrange(len(words) + 1), rnd.choice(vocabulary))
    out.append(("added", words))
    numbered = [s for s in found if any(re.search(r"\d", w) for w in s)]
    if numbered:
        words = list(rnd.choice(numbered))
        i = rnd.choice([i for i, w in enumerate(words) if re.search(r"\d", w)])
        words[i] = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), words[i], count=1)
        out.append(("number", words))
    named = [s for s in found if any(re.match(r"[A-Z][a-z]{2,}", w) for w in s)]
    words = list(rnd.choice(named))
    i = rnd.choice([i for i, w in enumerate(words) if re.match(r"[A-Z][a-z]{2,}", w)])
    j = rnd.randrange(1, len(words[i]))
    words[i] = words[i][:j] + rnd.choice("aeiouky") + words[i][j + 1 :]
    out.append(("misspelt", words))
    words = sentence()
    at = rnd.randrange(len(words))
    words = words[at : at + rnd.randrange(1, 5)]
    words[-1] = words[-1][:-1] + "q" if len(words[-1]) > 1 else "q"
    out.append(("fragment", words))
    first, second = sentence(), sentence()
    spliced = first[: rnd.randrange(2, len(first))] + second[rnd.randrange(len(second) - 1) :]
    out.append(("spliced", spliced))
    words = sentence()
    i = rnd.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    for _ in range(max(1, len(words) // 3)):
        words[rnd.randrange(len(words))] = rnd.choice(vocabulary)
    out.append(("paraphrased", words))
    other = rnd.choice([t for i, t in enumerate(texts) if i != k])
    out.append(("absent", rnd.choice(sentences(other))))
    return [
        (kind, " ".join(words)) for kind, words in out if normalise(" ".join(words)) not in text
    ]


def test_on_misses_of_every_kind_in_the_real_archives_it_answers_as_the_full_scan(
    archives: list[str],
) -> None:
    rnd = random.Random(20240601)
    cases = same = far = 0
    for k, text in enumerate(archives):
        for kind, piece in misses(archives, k, rnd):
            found = search(text, piece)
            expected = reference(text, piece)
            got, want = ratio(text, found.span, piece), ratio(text, expected, piece)
            cases += 1
            same += found.span == expected or got == pytest.approx(want, abs=1e-9)
            if kind in NEAR:
                # A near miss is always found as the full scan finds it, and the search
                # can tell that it has.
                assert found.exhaustive, (kind, piece)
            if found.exhaustive:
                assert_as_full_scan(text, piece, found.span)
                continue
            # Out of budget, which only a quote unlike any passage may run into: the
            # best run scored. Where the quote shares words with the article, that is
            # close to the full scan's; for an absent quote, any passage is as far.
            far += 1
            assert kind in FAR, (kind, piece)
            assert found.score == got
            if kind != "absent":
                assert got >= 0.95 * want, (kind, piece)
    assert cases >= 40
    assert far >= 5
    assert same >= 0.85 * cases


def test_the_error_fixture_shows_the_passage_it_always_showed() -> None:
    # tests/fixtures/errors/quote-not-found: the golden output of a miss in the build.
    expected = (ROOT / "tests/fixtures/errors/quote-not-found/expected.txt").read_text("utf-8")
    profile = (
        ROOT / "tests/fixtures/errors/quote-not-found/profiles/people/choe-mi-ran.yaml"
    ).read_text("utf-8")
    archive = ArchiveText.of((ROOT / "tests/fixtures/minimal/seeds/article.txt").read_text("utf-8"))
    quote = re.search(r"quote: (.*)", profile)
    shown = re.search(r'closest passage, seeds/article.txt line (\d+): "(.*)"', expected)
    assert quote and shown
    piece = normalise(quote.group(1))
    span = closest_passage(archive.normal, piece)
    assert trimmed(archive.normal, span, piece) == shown.group(2)
    assert archive.line_of(span[0]) == int(shown.group(1))
    assert span == reference(archive.normal, piece)


def test_the_guide_shows_the_passage_it_always_showed() -> None:
    guide = (ROOT / "docs/contributing.md").read_text(encoding="utf-8")
    article = re.search(r"```text\n(.*?)```", guide, re.DOTALL)
    shown = re.search(
        r'\$ factfile quote \S+ "([^"]+)"\n.*\n\s+closest passage, \S+ line (\d+): "(.*)"', guide
    )
    assert article and shown
    archive = ArchiveText.of(article.group(1))
    piece = normalise(shown.group(1))
    span = closest_passage(archive.normal, piece)
    assert trimmed(archive.normal, span, piece) == shown.group(3)
    assert archive.line_of(span[0]) == int(shown.group(2))


@pytest.mark.parametrize(
    ("archive", "quote", "passage", "line"),
    [
        # As tests/test_cli.py and tests/test_quotes.py show them.
        (
            "tests/fixtures/minimal/seeds/article.txt",
            "Han Sol-min, 46, left the embassy",
            "Han Sol-min, 47, left the embassy",
            1,
        ),
        (
            "“We had no choice,” Han said — the embassy’s doors were shut.\n"
            "The number of elite defectors came to around 10, the highest since 2017, and "
            "the backgrou\nnds of most were diplomatic. Officials said 196   people arrived.\n",
            "came to around 11, the highest since 2017",
            "came to around 10, the highest since 2017",
            2,
        ),
    ],
)
def test_the_passages_the_other_tests_expect(
    archive: str, quote: str, passage: str, line: int
) -> None:
    if archive.endswith(".txt"):
        archive = (ROOT / archive).read_text(encoding="utf-8")
    text = ArchiveText.of(archive)
    piece = normalise(quote)
    span = closest_passage(text.normal, piece)
    assert trimmed(text.normal, span, piece) == passage
    assert text.line_of(span[0]) == line
    assert span == reference(text.normal, piece)


# --- edge cases ------------------------------------------------------------------------


@pytest.mark.parametrize("normal", ["", " "])
def test_an_archive_without_words_gives_an_empty_passage(normal: str) -> None:
    assert closest_passage(normal, "some words") == (0, 0)


@pytest.mark.parametrize(
    ("normal", "piece"),
    [
        ("a short archive", "a quote that is longer than the whole archive is"),
        (" a short archive ", "a quote that is longer than the whole archive is"),
        ("exactly four words here", "exactly four words there"),
        ("one", "two words"),
    ],
)
def test_a_piece_as_long_as_the_archive_or_longer_gets_all_of_it(normal: str, piece: str) -> None:
    span = closest_passage(normal, piece)
    assert span == reference(normal, piece)
    assert normal[span[0] : span[1]] == normal.strip()


def test_one_word_pieces_are_answered_as_the_full_scan(archives: list[str]) -> None:
    text = archives[0]
    for piece in ["Vladivostock", "Rusia", "diplomat", "x", "restaurantz", "Kim,", "43.", "”"]:
        span = closest_passage(text, piece)
        assert_as_full_scan(text, piece, span)
        assert search(text, piece).exhaustive


@pytest.mark.parametrize("piece", ["a", "an,", "ban", "x", "bananas!"])
def test_a_one_word_piece_is_placed_at_the_first_whole_word(piece: str) -> None:
    # The word looked for also occurs inside longer words before it occurs alone.
    text = " bananas banana an a ban a an "
    span = closest_passage(text, piece)
    assert on_word_boundaries(text, span)
    assert_as_full_scan(text, piece, span)


@pytest.mark.parametrize(
    "piece",
    [
        'Kim Kum Sun, 43, and her son "Park Kwon Ju", 15,',
        "(Kim Kum Sun), 44 - and her son",
        "Choe Mi-ran, with him; officials said!",
        "Choé Mi-ran, with her",
        "김금순, 43, and her son",
        "Pyongyang’s instructions",
    ],
)
def test_punctuation_and_letters_beyond_ascii(piece: str) -> None:
    text = ArchiveText.of(
        "A diplomat named Han Sol-min, 47, left the embassy in Ruritania on 3 May – taking "
        "his wife, Choe Mi-ran, with him, officials said. According to a notice, Kim Kum Sun "
        "(김금순), 43, and her son Park Kwon Ju, 15, were last seen on Sunday; the café owner, "
        "Léa Müller, said “Pyongyang’s instructions” had changed. "
    ).normal
    piece = normalise(piece)
    assert_as_full_scan(text, piece, closest_passage(text, piece))


def test_of_passages_repeated_word_for_word_the_first_is_chosen() -> None:
    passage = "the embassy was closed in June after the defection of its counsellor"
    filler = "officials said on Tuesday that nothing more was known about the case"
    text = " ".join([filler, passage, filler, passage, filler, passage])
    piece = passage.replace("June", "July")
    span = closest_passage(text, piece)
    assert span == (text.index(passage), text.index(passage) + len(passage))
    assert span == reference(text, piece)


def test_of_runs_that_score_the_same_the_first_is_chosen() -> None:
    text = "ab cd ab cd ab cd"
    assert closest_passage(text, "ab ce") == reference(text, "ab ce") == (0, 5)


def test_an_archive_spaced_irregularly_is_read_word_by_word_as_before() -> None:
    # ``normal`` always has one space between words; anything else is still handled.
    text = "the  embassy\twas\nclosed in   June after\u00a0the defection"
    for piece in ["the embassy was shut", "in July after the", "defection"]:
        span = closest_passage(text, piece)
        assert_as_full_scan(text, piece, span)


# --- properties ------------------------------------------------------------------------

_WORDS = [
    "the", "embassy", "was", "closed", "in", "June", "Han", "said", "47,", "“no", "choice,”",
    "Kim", "Kum", "Sun", "김금순", "café", "Müller", "-", "(NIS)", "a", "of", "2017.",
]  # fmt: skip


@st.composite
def planted(draw: st.DrawFn) -> tuple[str, str, tuple[int, int]]:
    """An archive, a piece cut from it with one edit, and the run it was cut from."""
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=120))
    width = draw(st.integers(1, min(len(words), 40)))
    at = draw(st.integers(0, len(words) - width))
    normal = " ".join(words)
    start = len(" ".join(words[:at])) + (1 if at else 0)
    end = start + len(" ".join(words[at : at + width]))
    cut = words[at : at + width]
    where = draw(st.integers(0, width - 1))
    edit = draw(st.sampled_from(["change", "drop", "add", "letter", "none"]))
    if edit == "change":
        cut[where] = draw(st.sampled_from(_WORDS))
    elif edit == "drop" and width > 1:
        del cut[where]
    elif edit == "add":
        cut.insert(where, draw(st.sampled_from(_WORDS)))
    elif edit == "letter":
        word = cut[where]
        k = draw(st.integers(0, len(word) - 1))
        cut[where] = word[:k] + draw(st.sampled_from("xé,")) + word[k + 1 :]
    return normal, " ".join(cut), (start, end)


def on_word_boundaries(normal: str, span: tuple[int, int]) -> bool:
    starts = {m.start() for m in re.finditer(r"\S+", normal)}
    ends = {m.end() for m in re.finditer(r"\S+", normal)}
    return span[0] in starts and span[1] in ends


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planted())
def test_the_passage_is_never_worse_than_the_run_a_piece_was_cut_from(
    case: tuple[str, str, tuple[int, int]],
) -> None:
    normal, piece, source = case
    width = len(piece.split())
    assume(len(normal[source[0] : source[1]].split()) == width)  # a drop or add changes it
    found = search(normal, piece)
    assert on_word_boundaries(normal, found.span)
    assert len(normal[found.span[0] : found.span[1]].split()) == min(width, len(normal.split()))
    assert ratio(normal, found.span, piece) >= ratio(normal, source, piece)
    if found.exhaustive:
        assert_as_full_scan(normal, piece, found.span)


@settings(max_examples=200, deadline=None)
@given(planted())
def test_small_archives_are_searched_exhaustively_as_the_full_scan_does(
    case: tuple[str, str, tuple[int, int]],
) -> None:
    normal, piece, _ = case
    found = search(normal, piece)
    assert found.exhaustive
    assert on_word_boundaries(normal, found.span)
    assert_as_full_scan(normal, piece, found.span)


_TEXT = st.text(st.sampled_from("ab c-é김\n"), max_size=300)


@settings(max_examples=400, deadline=None)
@given(_TEXT, _TEXT)
def test_a_score_is_difflibs_ratio_exactly(a: str, b: str) -> None:
    scorer = nearest._Scorer(b)
    scorer.limit = 10**12
    assert scorer.ratio(a) == difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from("ab c-é"), max_size=200), _TEXT, st.integers(1, 12))
def test_scores_of_overlapping_runs_sharing_their_parts_are_difflibs(
    archive: str, piece: str, width: int
) -> None:
    # One scorer keeps the blocks of the parts it has seen by where they are in the
    # archive; every run that holds a part must count it as difflib would.
    words = [m.span() for m in re.finditer(r"\S+", archive)]
    scorer = nearest._Scorer(piece)
    scorer.limit = 10**12
    for k in range(max(0, len(words) - width + 1)):
        start, end = words[k][0], words[k + width - 1][1]
        run = archive[start:end]
        expected = difflib.SequenceMatcher(None, run, piece, autojunk=False).ratio()
        assert scorer.ratio(run, start) == expected


def test_a_score_is_difflibs_ratio_for_long_near_copies(archives: list[str]) -> None:
    rnd = random.Random(7)
    words = " ".join(archives).split()
    for _ in range(30):
        at = rnd.randrange(len(words) - 300)
        run = words[at : at + rnd.randrange(20, 300)]
        piece = list(run)
        for _ in range(rnd.randrange(0, 6)):
            piece[rnd.randrange(len(piece))] = rnd.choice(words)
        a, b = " ".join(run), " ".join(piece)
        scorer = nearest._Scorer(b)
        scorer.limit = 10**12
        assert scorer.ratio(a) == difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- bounded work ----------------------------------------------------------------------


def generated(words: list[str], size: int, seed: int) -> str:
    """Text of about ``size`` characters made of word pairs the archives have."""
    rnd = random.Random(seed)
    following: dict[str, list[str]] = {}
    for a, b in itertools.pairwise(words):
        following.setdefault(a, []).append(b)
    word = rnd.choice(words)
    out, total = [word], len(word)
    while total < size:
        word = rnd.choice(following.get(word) or words)
        out.append(word)
        total += len(word) + 1
    return " ".join(out)


@pytest.fixture(scope="module")
def planted_archives(archives: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
    words = " ".join(archives).split()
    passage = words[1000:1200]
    out = []
    for size in (20_000, 200_000, 1_000_000):
        filler = generated(words, size, seed=size).split()
        middle = len(filler) // 2
        text = " ".join(filler[:middle] + passage + filler[middle:])
        out.append((len(text), text))
    return passage, out


def test_a_near_miss_scores_a_few_runs_whatever_the_archives_size(
    planted_archives: tuple[list[str], list[tuple[int, str]]],
) -> None:
    passage, archives = planted_archives
    piece = list(passage)
    piece[120] = "xyzzy"
    piece[40] = piece[40][:-1] + "q"
    piece = " ".join(piece)
    true = " ".join(passage)
    for _, text in archives:
        found = search(text, piece)
        assert found.span == (text.index(true), text.index(true) + len(true))
        assert found.scored <= 3
        assert found.work < 100_000
    # A word dropped: the run is one word shorter, inside the passage, and found first
    # although slices near the archive's end would put the quote past it.
    piece = " ".join(passage[:150] + passage[151:])
    for _, text in archives:
        found = search(text, piece)
        at = text.index(true)
        assert at <= found.span[0] and found.span[1] <= at + len(true)
        assert found.score is not None and found.score > 0.99
        assert found.scored <= 2 * nearest.SLACK + 1  # the runs around one anchor at most


@pytest.mark.parametrize("kind", ["absent", "short", "one word"])
def test_any_miss_scores_within_fixed_limits(
    planted_archives: tuple[list[str], list[tuple[int, str]]], kind: str
) -> None:
    _, archives = planted_archives
    piece = {
        "absent": " ".join(f"zq{i} of the mission" for i in range(40)),
        "short": "Pyongyanq embassyz",
        "one word": "Vladivostoq",
    }[kind]
    for _, text in archives:
        found = search(text, piece)
        assert found.scored <= nearest.MAX_SCORED
        # The budget is checked after each part of the work, the largest of which is a
        # run's letters against the piece's.
        assert found.work <= nearest.WORK_BUDGET + len(piece) * 4 * len(piece)
        assert on_word_boundaries(text, found.span)
