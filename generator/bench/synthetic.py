"""A synthetic wiki of any size, for measuring: people, missions and events with
postings, family ties, participants and mission involvement, and archived articles of a
few kilobytes each whose sentences the profiles quote. The text is deterministic, so two
runs of the same size measure the same input.
"""

from __future__ import annotations

import hashlib
import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..project import GENERATED_DIRS

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FAMILY_NAMES = ["Kim", "Ri", "Pak", "Choe", "Jong", "Kang", "Han", "O", "Yun", "Jang", "Ryu"]
_SYLLABLES = ["Chol", "Il", "Song", "Myong", "Hyok", "Gyu", "Su", "Nam", "Yong", "Ho", "Jin"]
_SYLLABLES += ["Gwang", "Un", "Sok", "Hui", "Ok", "Dok", "Hwan", "Sun", "Mi", "Ae", "Jun"]
_PLACES = [
    ("Cuba", "Havana"),
    ("Russia", "Vladivostok"),
    ("Russia", "Moscow"),
    ("China", "Beijing"),
    ("China", "Shenyang"),
    ("Kuwait", "Kuwait City"),
    ("Italy", "Rome"),
    ("Egypt", "Cairo"),
    ("Vietnam", "Hanoi"),
    ("Laos", "Vientiane"),
    ("Mongolia", "Ulaanbaatar"),
    ("Sweden", "Stockholm"),
    ("Germany", "Berlin"),
    ("United Kingdom", "London"),
    ("Malaysia", "Kuala Lumpur"),
    ("Indonesia", "Jakarta"),
    ("India", "New Delhi"),
    ("Pakistan", "Islamabad"),
    ("Iran", "Tehran"),
    ("Ethiopia", "Addis Ababa"),
    ("Nigeria", "Abuja"),
    ("Brazil", "Brasilia"),
    ("Mexico", "Mexico City"),
    ("Poland", "Warsaw"),
]
_ROLES = [
    "counsellor for political affairs",
    "third secretary",
    "second secretary",
    "first secretary",
    "trade representative",
    "acting ambassador",
    "military attaché",
    "consul",
]
_OUTLETS = ["Yonhap News Agency", "BBC Mundo", "Radio Free Asia", "NK News", "The Korea Herald"]
_STATUSES = ["defected", "attempted", "missing", "detained", "returned", "in-post"]
# How an article words each status (with a word the checks look for).
_STATUS_WORDS = {
    "defected": "defected",
    "attempted": "attempted to defect",
    "missing": "gone missing",
    "detained": "been detained",
    "returned": "returned home",
    "in-post": "been serving at the embassy",
}
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_EVENT_KINDS = ["defection", "defection-attempt", "disappearance", "arrest", "repatriation"]
_RELATIONS = ["spouse", "child", "sibling"]
_FILLER = [
    "Officials in Seoul declined to comment on the details of the case.",
    "The ministry said it could not confirm the report at this stage.",
    "Analysts said the case reflected growing pressure on missions abroad.",
    "The embassy did not respond to requests for comment.",
    "Such cases are usually disclosed months after they take place.",
]


@dataclass
class _Article:
    """The sentences of one synthetic archived article, in the order they are written."""

    sentences: list[str] = field(default_factory=list)


@dataclass
class SyntheticWiki:
    """What was written: where, how many of each kind, and the ids the edit may touch."""

    root: Path
    counts: dict[str, int]
    person_ids: list[str]


def _cite(
    articles: list[_Article], rng: random.Random, home: int, sentence: str, quote: str
) -> dict[str, str]:
    """Put ``sentence`` in an article near ``home`` and return the citation quoting it."""
    index = home if rng.random() < 0.7 else rng.randrange(len(articles))
    articles[index].sentences.append(sentence)
    return {"source": f"source-{index:05d}", "quote": quote}


def _claim(
    articles: list[_Article],
    rng: random.Random,
    home: int,
    sentence: str,
    keep: tuple[str, ...] = (),
    **values: Any,
) -> dict[str, Any]:
    """A claim citing ``sentence``; sometimes the quote elides its middle words, when the
    words that support the value (``keep``) are not among them."""
    words = sentence.rstrip(".").split()
    elided = " ".join(words[:4]) + " … " + " ".join(words[-4:])
    if len(words) > 9 and rng.random() < 0.2 and all(word in elided for word in keep):
        quote = elided
    else:
        # Archives use typographic apostrophes; contributors type straight ones.
        quote = sentence.rstrip(".").replace("\u2019", "'")
    return {**values, "cite": [_cite(articles, rng, home, sentence, quote)]}


def synthesise(root: Path, profiles: int, seed: int = 1) -> SyntheticWiki:
    """Write a wiki of ``profiles`` people, missions and events (plus one source per ten)."""
    rng = random.Random(seed)
    n_missions = max(1, profiles // 10)
    n_events = max(1, profiles // 5)
    n_people = max(1, profiles - n_missions - n_events)
    n_sources = max(1, profiles // 10)
    articles = [_Article() for _ in range(n_sources)]
    out: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in ("people", "missions", "events")}

    def home(position: int, total: int) -> int:
        # Neighbouring profiles share sources, as profiles written from one article do.
        return position * n_sources // total

    missions: list[tuple[str, str, str]] = []
    for i in range(n_missions):
        country, city = _PLACES[i % len(_PLACES)]
        number = f" ({i // len(_PLACES) + 1})" if i >= len(_PLACES) else ""
        name = f"North Korean embassy in {country}{number}"
        mid = f"embassy-{country.lower().replace(' ', '-')}-{i:05d}"
        missions.append((mid, name, city))
        h = home(i, n_missions)
        out["missions"][mid] = {
            "name": name,
            "mission_kind": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"North Korea\u2019s embassy in {country}{number} is one "
                    f"of its oldest missions abroad.",
                    value="embassy",
                )
            ],
            "country": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"The mission{number} in {city} serves {country}.",
                    value=country,
                )
            ],
            "city": [
                _claim(
                    articles, rng, h, f"The embassy{number} stands in central {city}.", value=city
                )
            ],
            "status": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"The embassy in {city}{number} remained open in {2000 + i % 24}.",
                    value="open",
                    date=str(2000 + i % 24),
                )
            ],
        }

    people: list[tuple[str, str]] = []
    for i in range(n_people):
        family = _FAMILY_NAMES[i % len(_FAMILY_NAMES)]
        given = f"{_SYLLABLES[i % len(_SYLLABLES)]}-{_SYLLABLES[(i // 7) % 22].lower()}"
        name = f"{family} {given} {i}"
        pid = f"{family.lower()}-{given.lower()}-{i}"
        people.append((pid, name))
        h = home(i, n_people)
        mid, _, city = missions[rng.randrange(n_missions)]
        role = _ROLES[i % len(_ROLES)]
        year = 1995 + i % 29
        profile: dict[str, Any] = {
            "name": name,
            "names": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"{name}, a former {role} at the embassy in {city}, spoke to reporters.",
                    value=name,
                )
            ],
            "roles": [
                _claim(articles, rng, h, f"{name} served as {role} for several years.", value=role)
            ],
            "status": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"In {year + 1}, officials said {name} had "
                    f"{_STATUS_WORDS[_STATUSES[i % len(_STATUSES)]]}.",
                    keep=(_STATUS_WORDS[_STATUSES[i % len(_STATUSES)]],),
                    value=_STATUSES[i % len(_STATUSES)],
                    according_to="officials",
                )
            ],
            # Every third posting is hedged, as articles hedge what they cannot confirm.
            "postings": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"{name} is believed to have been posted to {city} as {role} in {year}."
                    if i % 3 == 0
                    else f"{name} was posted to {city} as {role} in {year}.",
                    keep=(str(year),),
                    mission=mid,
                    role=role,
                    start=str(year),
                    **({"hedge": "is believed to"} if i % 3 == 0 else {}),
                )
            ],
            "facts": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"{name} joined the country\u2019s foreign ministry in "
                    f"{year - 12} and was known to colleagues as a careful negotiator.",
                    keep=(str(year - 12),),
                    value=f"Joined the foreign ministry in {year - 12}.",
                )
            ],
        }
        if i > 0 and rng.random() < 0.3:
            other_id, other_name = people[rng.randrange(max(0, i - 20), i)]
            relation = rng.choice(_RELATIONS)
            profile["family"] = [
                _claim(
                    articles,
                    rng,
                    h,
                    f"{other_name} is the {relation} of {name}, according to the report.",
                    keep=(relation,),
                    relation=relation,
                    person=other_id,
                    according_to="the report",
                )
            ]
        out["people"][pid] = profile

    for i in range(n_events):
        h = home(i, n_events)
        kind = _EVENT_KINDS[i % len(_EVENT_KINDS)]
        first = rng.randrange(n_people)
        involved = sorted({first, *(rng.randrange(n_people) for _ in range(rng.randrange(3)))})
        pid, pname = people[involved[0]]
        mid, _, city = missions[rng.randrange(n_missions)]
        year, month = 2000 + i % 25, 1 + i % 12
        eid = f"event-{kind}-{i:05d}"
        out["events"][eid] = {
            "name": f"{pname}: {kind.replace('-', ' ')} in {city} ({i})",
            "event_kind": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"The case numbered {i} was described as a "
                    f"{kind.replace('-', ' ')} by officials in Seoul.",
                    keep=(kind.replace("-", " "),),
                    value=kind,
                )
            ],
            "date": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"The incident numbered {i} took place in {_MONTH_NAMES[month - 1]} {year}, "
                    "the report said.",
                    keep=(_MONTH_NAMES[month - 1], str(year)),
                    value=f"{year}-{month:02d}",
                    according_to="the report",
                )
            ],
            "participants": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"{people[p][1]} was among those involved in case number {i}.",
                    person=people[p][0],
                    role="defector" if p == first else "family member",
                )
                for p in involved
            ],
            "missions": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"The case numbered {i} concerned staff of the embassy in {city}.",
                    mission=mid,
                    role="the post",
                )
            ],
            "outcome": [
                _claim(
                    articles,
                    rng,
                    h,
                    f"After case number {i}, the staff in {city} were recalled to Pyongyang.",
                    value="Staff were recalled to Pyongyang.",
                )
            ],
        }

    _write(root, out, articles, rng)
    return SyntheticWiki(
        root,
        {
            "people": n_people,
            "missions": n_missions,
            "events": n_events,
            "sources": n_sources,
        },
        [pid for pid, _ in people],
    )


def _write(
    root: Path,
    out: dict[str, dict[str, dict[str, Any]]],
    articles: list[_Article],
    rng: random.Random,
) -> None:
    (root / "seeds").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Benchmark wiki\n", encoding="utf-8")
    for kind in (*out, "sources"):
        (root / "profiles" / kind).mkdir(parents=True)
    for kind, items in out.items():
        for id_, data in items.items():
            _dump(root / "profiles" / kind / f"{id_}.yaml", data)
    for index, article in enumerate(articles):
        outlet = _OUTLETS[index % len(_OUTLETS)]
        sentences = list(article.sentences)
        # Padding between the quoted sentences, so that articles are a few kilobytes.
        for position in range(len(sentences), 0, -1):
            sentences.insert(position, rng.choice(_FILLER))
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        body = "\n\n".join(
            textwrap.fill(p, 76, break_on_hyphens=False, break_long_words=False) for p in paragraphs
        )
        text = f"Report {index} on North Korean diplomats abroad\n\n{body}\n\nSource: {outlet}\n"
        data = text.encode("utf-8")
        archive = f"{index:05d}_{hashlib.sha1(data).hexdigest()[:16]}.txt"
        (root / "seeds" / archive).write_bytes(data)
        sid = f"source-{index:05d}"
        _dump(
            root / "profiles" / "sources" / f"{sid}.yaml",
            {
                "title": f"Report {index} on North Korean diplomats abroad",
                "outlet": outlet,
                "date": f"{2000 + index % 25}-{1 + index % 12:02d}",
                "url": f"https://news.example.org/{sid}",
                "archive": archive,
                "sha256": hashlib.sha256(data).hexdigest(),
                "facts": [
                    {
                        "value": f"The archive credits {outlet} as the source.",
                        "cite": [{"source": sid, "quote": f"Source: {outlet}"}],
                    }
                ],
            },
        )


def _dump(path: Path, data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)
    path.write_text(text, encoding="utf-8")


# --- MkDocs configurations ---------------------------------------------------------------


def mkdocs_configs(root: Path, base_config: Path | None) -> tuple[Path, Path]:
    """The project's MkDocs settings for the synthetic wiki: with the plugin, and without.

    The bare configuration builds the very same Markdown; it lists the generated pages
    as outside the navigation, as the plugin does, so the two builds differ only by the
    generator.
    """
    config: dict[str, Any] = {}
    if base_config is not None and base_config.is_file():
        config = yaml.safe_load(base_config.read_text(encoding="utf-8")) or {}
        theme = config.get("theme")
        if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
            # The project's theme overrides, where they are, not beside the synthetic wiki.
            theme["custom_dir"] = str((base_config.parent / theme["custom_dir"]).resolve())
    if not config:
        config = {
            "site_name": "Benchmark wiki",
            "strict": True,
            "theme": {"name": "material", "font": False, "features": ["navigation.indexes"]},
            "plugins": ["search", "factfile"],
            "nav": [
                {"Home": "index.md"},
                *({k.title(): f"{k}/index.md"} for k in ("people", "missions", "events")),
                {"Sources": "sources/index.md"},
            ],
        }
    config.update(docs_dir="docs", site_dir="site")
    if isinstance(config.get("nav"), list):
        config["nav"] = _nav_within(config["nav"], root / "docs")
    with_plugin = root / "mkdocs.yml"
    with_plugin.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    def is_factfile(entry: Any) -> bool:
        return entry == "factfile" or (isinstance(entry, dict) and "factfile" in entry)

    bare = dict(config)
    bare["plugins"] = [p for p in config.get("plugins", []) if not is_factfile(p)]
    bare["site_dir"] = "site-bare"
    bare["not_in_nav"] = "\n".join(
        [
            *(f"/{name}/*.md" for name in GENERATED_DIRS),
            *(f"!/{n}/index.md" for n in GENERATED_DIRS),
        ]
    )
    bare_path = root / "mkdocs-bare.yml"
    bare_path.write_text(yaml.safe_dump(bare, sort_keys=False), encoding="utf-8")
    return with_plugin, bare_path


def _nav_within(nav: list[Any], docs: Path) -> list[Any]:
    """The navigation without the hand-written pages the synthetic wiki does not have."""
    kept: list[Any] = []
    for item in nav:
        target = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
        if isinstance(target, list):
            children = _nav_within(target, docs)
            if children:
                kept.append({next(iter(item)): children} if isinstance(item, dict) else children)
        elif isinstance(target, str) and (
            "://" in target or target.split("/")[0] in GENERATED_DIRS or (docs / target).is_file()
        ):
            kept.append(item)
    return kept


def linking_pages(pages: dict[str, str], kind: str, id_: str) -> set[str]:
    """The pages other than the profile's own that contain a link to it."""
    own = f"{kind}/{id_}.md"
    elsewhere, alongside = f"../{own}", f"]({id_}.md"
    return {
        page
        for page, body in pages.items()
        if page != own
        and (elsewhere in body or (page.startswith(f"{kind}/") and alongside in body))
    }
